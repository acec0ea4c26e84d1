CREATE TABLE orders (
    id integer PRIMARY KEY,
    note varchar(10),
    amount numeric(10,2),
    placed_at timestamp,
    quantity smallint
);
INSERT INTO orders VALUES (1, 'short', 12.50, '2024-01-01 10:00', 3);
