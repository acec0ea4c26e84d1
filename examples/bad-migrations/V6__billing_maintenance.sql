-- Maintenance after the first year of billing, run in one go on a Sunday.
-- Every comment names the rule the next statement breaks.
SET lock_timeout = '5s';

-- M015: fails as soon as invoice_lines has a row: existing rows would hold NULL.
ALTER TABLE invoice_lines ADD COLUMN tax_code text NOT NULL;

-- M016: VALIDATE in the transaction of its NOT VALID holds the ADD's lock through the scan.
BEGIN;
ALTER TABLE payments ADD CONSTRAINT chk_payments_amount CHECK (amount > 0) NOT VALID;
ALTER TABLE payments VALIDATE CONSTRAINT chk_payments_amount;
COMMIT;

-- M017: blocks writes to invoices while its indexes are rebuilt.
REINDEX TABLE invoices;

-- M018: the webhook history is gone for good.
TRUNCATE webhook_events;

-- M019: a cleanup script copied from a developer's machine.
DROP DATABASE IF EXISTS billing_scratch;

CREATE DOMAIN positive_count AS integer;
ALTER TABLE invoice_lines ADD COLUMN packs positive_count;
-- M020: checks every invoice_lines.packs while writes to invoice_lines wait.
ALTER DOMAIN positive_count ADD CONSTRAINT positive_count_check CHECK (VALUE > 0);

-- M021: copies invoices under an ACCESS EXCLUSIVE lock.
VACUUM FULL invoices;

-- M024: the previous release relies on the check to keep negative totals out.
ALTER TABLE invoices DROP CONSTRAINT chk_invoices_total_amount;

BEGIN;
-- M022: PostgreSQL does not nest transactions; the first COMMIT commits both.
BEGIN;
UPDATE invoices SET total_amount = 0 WHERE total_amount < 0;
COMMIT;

-- M023: never committed by this file.
BEGIN;
UPDATE payments SET amount = 0.01 WHERE amount < 0.01;
