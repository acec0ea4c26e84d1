-- Billing: invoices, their lines and payments.
SET lock_timeout = '5s';

-- N007: enum type name in CamelCase.
CREATE TYPE "InvoiceStatus" AS ENUM ('draft', 'open', 'paid', 'void');

-- C003 + C002 (bigint identity key), N004 + K005 (buyer), T001 (total_amount),
-- T002 (issued_at), N006 + K002 (invoices_number_key counts deleted invoices),
-- R001 (a tenant table without row level security).
CREATE TABLE invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    buyer uuid REFERENCES users (id),
    number text NOT NULL,
    status "InvoiceStatus" NOT NULL DEFAULT 'draft',
    currency_code char(3) NOT NULL DEFAULT 'EUR',
    total_amount double precision NOT NULL DEFAULT 0,
    issued_at timestamp,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT invoices_number_key UNIQUE (tenant_id, number)
);

-- N005: not named idx_invoices_buyer.
CREATE INDEX invoices_buyer ON invoices (buyer);

CREATE TRIGGER trg_invoices_updated_at BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- R005: the policy exists, but row level security was never enabled.
CREATE POLICY tenant_isolation ON invoices
    USING (tenant_id = current_setting('app.tenant_id')::uuid);

-- K001 (invoice_id has no index), K003 (no index leads with tenant_id).
CREATE TABLE invoice_lines (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    description text NOT NULL,
    quantity integer NOT NULL DEFAULT 1,
    unit_price numeric(19,4) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);

CREATE TRIGGER trg_invoice_lines_updated_at BEFORE UPDATE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- R004: the policy filters by invoice, not by tenant.
ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY invoice_lines_by_invoice ON invoice_lines
    USING (invoice_id IN (SELECT id FROM invoices));

-- C002: created_at is a timestamptz without its now() default.
CREATE TABLE payments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE RESTRICT,
    amount numeric(19,4) NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);

-- K004: idx_payments_tenant_id is a prefix of idx_payments_tenant_id_invoice_id.
CREATE INDEX idx_payments_tenant_id ON payments (tenant_id);
CREATE INDEX idx_payments_tenant_id_invoice_id ON payments (tenant_id, invoice_id);
CREATE INDEX idx_payments_invoice_id ON payments (invoice_id);

CREATE TRIGGER trg_payments_updated_at BEFORE UPDATE ON payments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- R003: row level security on, forced, and no policy at all.
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;

-- C005: an id column, but no primary key.
CREATE TABLE webhook_events (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    provider text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);

CREATE TRIGGER trg_webhook_events_updated_at BEFORE UPDATE ON webhook_events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- M012: a seed insert that fails when the migration runs twice.
INSERT INTO currencies (code, name) VALUES ('EUR', 'Euro'), ('USD', 'US dollar');
