CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric(19,4));
CREATE VIEW open_orders AS SELECT id, status, total FROM orders WHERE status = 'open';
CREATE VIEW order_totals AS SELECT status, count(*) AS orders FROM orders GROUP BY status;
COMMENT ON VIEW open_orders IS 'Orders not yet closed';
