CREATE TABLE orders (
    id bigint PRIMARY KEY,
    note text,
    amount numeric(19,4),
    placed_at timestamptz,
    quantity integer
);
