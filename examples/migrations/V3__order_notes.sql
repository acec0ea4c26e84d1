-- Expand: a nullable column and an index built without blocking writes.
SET lock_timeout = '5s';

ALTER TABLE orders ADD COLUMN notes text;

CREATE INDEX CONCURRENTLY idx_orders_created_at ON orders (created_at);
