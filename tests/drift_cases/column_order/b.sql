CREATE TABLE orders (id bigint, status text, total numeric, note text);
