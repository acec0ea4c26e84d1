CREATE SCHEMA billing;
CREATE SCHEMA reporting;
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, amount numeric(19,4) NOT NULL, currency char(3) DEFAULT 'EUR');
CREATE TABLE public.invoices (id bigint PRIMARY KEY, amount integer);
CREATE TABLE reporting.daily (day date PRIMARY KEY, total numeric(19,4));
CREATE INDEX idx_daily_total ON reporting.daily (total);
COMMENT ON SCHEMA reporting IS 'Read models for dashboards';
