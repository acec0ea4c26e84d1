CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric(19,4));
CREATE VIEW open_orders AS SELECT id, status FROM orders;
CREATE VIEW order_totals AS SELECT status, sum(total) AS total FROM orders GROUP BY status;
CREATE VIEW old_report AS SELECT count(*) AS n FROM orders;
