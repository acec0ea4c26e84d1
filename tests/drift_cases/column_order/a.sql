CREATE TABLE orders (id bigint, total numeric, status text);
