CREATE TABLE customers (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    legacy_code char(4),
    fax text
);
INSERT INTO customers VALUES (1, 'a@example.com', 'X001', NULL);
