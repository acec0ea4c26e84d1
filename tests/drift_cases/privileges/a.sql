-- live: roles are cluster-wide, so the case makes the ones it grants to when the server lacks them
DO $$
BEGIN
    CREATE ROLE schemalint_drift_reporting NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$
BEGIN
    CREATE ROLE schemalint_drift_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4), note text);
CREATE SEQUENCE invoice_no;
CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS 'SELECT total FROM orders WHERE id = $1';
CREATE VIEW order_totals AS SELECT id, total FROM orders;
CREATE SCHEMA reports;
GRANT SELECT, UPDATE ON orders TO schemalint_drift_reporting;
GRANT UPDATE (note) ON orders TO schemalint_drift_app;
GRANT USAGE ON SEQUENCE invoice_no TO schemalint_drift_app WITH GRANT OPTION;
GRANT SELECT ON order_totals TO schemalint_drift_reporting;
GRANT USAGE ON SCHEMA reports TO schemalint_drift_reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA reports GRANT SELECT ON TABLES TO schemalint_drift_reporting;
