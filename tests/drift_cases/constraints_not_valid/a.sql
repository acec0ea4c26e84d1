CREATE TABLE customers (id bigint PRIMARY KEY, email text);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint,
    amount numeric(19,4),
    code text
);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (amount >= 0);
ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);
