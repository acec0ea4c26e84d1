-- live: a view that a column's new type makes the script drop and re-create keeps its grants
CREATE TABLE orders (id bigint PRIMARY KEY, total integer);
CREATE VIEW order_totals AS SELECT id, total FROM orders;
GRANT SELECT ON order_totals TO PUBLIC;
