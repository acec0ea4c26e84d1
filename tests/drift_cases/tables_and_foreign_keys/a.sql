CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE legacy_orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));
INSERT INTO customers VALUES (1, 'Ada');
