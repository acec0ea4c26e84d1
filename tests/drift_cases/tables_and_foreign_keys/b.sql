CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE order_lines (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line integer NOT NULL,
    sku text NOT NULL,
    PRIMARY KEY (order_id, line)
);
CREATE INDEX idx_order_lines_sku ON order_lines (sku);
COMMENT ON TABLE orders IS 'One row per checkout';
COMMENT ON COLUMN orders.placed_at IS 'When the customer paid';
