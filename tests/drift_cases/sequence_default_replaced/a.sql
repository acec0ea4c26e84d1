CREATE SEQUENCE order_no;
CREATE TABLE orders (id bigint NOT NULL DEFAULT nextval('order_no'), invoice bigint);
INSERT INTO orders (invoice) VALUES (7);
