CREATE SEQUENCE invoice_no START 1000;
CREATE TABLE orders (id bigint NOT NULL, invoice bigint DEFAULT nextval('invoice_no'));
