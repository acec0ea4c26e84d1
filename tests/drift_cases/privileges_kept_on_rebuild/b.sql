-- declared: total becomes numeric; the view and its grant stay
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4));
CREATE VIEW order_totals AS SELECT id, total FROM orders;
GRANT SELECT ON order_totals TO PUBLIC;
