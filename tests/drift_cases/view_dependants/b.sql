CREATE SCHEMA reporting;
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric(19,4));
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY small_orders ON orders USING (total < 1000);
CREATE VIEW reporting.order_totals AS SELECT id, status, total FROM orders;
CREATE VIEW reporting.big_orders AS SELECT id, total FROM reporting.order_totals WHERE total > 100;
COMMENT ON VIEW reporting.big_orders IS 'Orders over 100';
CREATE FUNCTION reporting.read_only() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER big_orders_read_only INSTEAD OF INSERT ON reporting.big_orders
    FOR EACH ROW EXECUTE FUNCTION reporting.read_only();
CREATE MATERIALIZED VIEW reporting.status_summary AS
    SELECT status, count(*) AS n, sum(total) AS total FROM reporting.order_totals GROUP BY status;
CREATE UNIQUE INDEX status_summary_status ON reporting.status_summary (status);
COMMENT ON MATERIALIZED VIEW reporting.status_summary IS 'Orders per status';
CREATE VIEW order_ids AS SELECT id FROM orders;
CREATE VIEW order_labels AS SELECT id, upper(status) AS label FROM orders;
CREATE VIEW labelled AS SELECT id FROM order_labels;
