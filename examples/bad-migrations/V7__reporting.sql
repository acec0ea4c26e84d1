-- Reporting for the billing dashboard, added by the analytics team.
-- Every comment names the rule the next statement breaks.
SET lock_timeout = '5s';

-- P001: audit_logs grows forever and must be partitioned by range on created_at (§10.1);
-- T006: is_system is a nullable boolean without a default;
-- T007: event_type is a CHECK list where the standard has an enum type;
-- C004: no trigger keeps updated_at current.
CREATE TABLE audit_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type varchar(20) NOT NULL CHECK (event_type IN ('insert', 'update', 'delete')),
    is_system boolean,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);

-- K006: no unique index, so REFRESH MATERIALIZED VIEW CONCURRENTLY is refused.
CREATE MATERIALIZED VIEW invoice_totals AS
    SELECT tenant_id, sum(total_amount) AS total_amount FROM invoices GROUP BY tenant_id;
