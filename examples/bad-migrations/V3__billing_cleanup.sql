-- Cleanup after the billing launch, written in a hurry.
-- M010: no SET lock_timeout before the first ALTER TABLE of an existing table.

-- M004: application servers of the previous release still read users.legacy_code.
ALTER TABLE users DROP COLUMN legacy_code;

-- M005: the previous release still writes issued_at.
ALTER TABLE invoices RENAME COLUMN issued_at TO issued_on;

-- M006: rewrites invoice_lines under an ACCESS EXCLUSIVE lock.
ALTER TABLE invoice_lines ALTER COLUMN quantity TYPE bigint;

-- M003: a volatile default rewrites every row of invoices.
ALTER TABLE invoices ADD COLUMN public_id uuid DEFAULT gen_random_uuid();

-- M007: validating the check scans invoices under lock; add it NOT VALID, validate later.
ALTER TABLE invoices ADD CONSTRAINT chk_invoices_total_amount CHECK (total_amount >= 0);

-- M008: SET NOT NULL scans users under an ACCESS EXCLUSIVE lock.
ALTER TABLE users ALTER COLUMN "emailAddress" SET NOT NULL;

-- M001: blocks writes to invoices while the index builds.
CREATE INDEX idx_invoices_status ON invoices (status);

-- M002: blocks reads and writes of users while the index is dropped.
DROP INDEX idx_users_display_name;

-- M009: the data is gone for good.
DROP TABLE legacy_sessions;

-- E001: a backfill loop schemalint cannot check.
DO $$
DECLARE
    tenant record;
BEGIN
    FOR tenant IN SELECT id FROM tenants LOOP
        UPDATE invoices SET currency_code = 'EUR' WHERE tenant_id = tenant.id AND currency_code <> 'EUR';
    END LOOP;
END;
$$;
