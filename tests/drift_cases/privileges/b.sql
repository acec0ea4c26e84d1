-- declared: the roles exist (a.sql, applied to the live server first, makes them)
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4), note text);
CREATE SEQUENCE invoice_no;
CREATE FUNCTION order_total(bigint) RETURNS numeric LANGUAGE sql AS 'SELECT total FROM orders WHERE id = $1';
CREATE VIEW order_totals AS SELECT id, total FROM orders;
CREATE SCHEMA reports;
CREATE TABLE reports.daily (day date PRIMARY KEY, revenue numeric(19,4));
GRANT SELECT ON orders TO schemalint_drift_reporting;
GRANT UPDATE (total) ON orders TO schemalint_drift_app;
GRANT USAGE ON SEQUENCE invoice_no TO schemalint_drift_app;
REVOKE EXECUTE ON FUNCTION order_total(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION order_total(bigint) TO schemalint_drift_app;
GRANT USAGE ON SCHEMA reports TO schemalint_drift_reporting;
GRANT SELECT ON reports.daily TO schemalint_drift_reporting;
GRANT SELECT (revenue) ON reports.daily TO schemalint_drift_app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
