-- golang-migrate style in a Flyway directory, and no 005_invoice_status_index.down.sql (M014).
-- M011: PostgreSQL refuses CREATE INDEX CONCURRENTLY inside a transaction block.
BEGIN;
CREATE INDEX CONCURRENTLY idx_invoices_tenant_id_status ON invoices (tenant_id, status);
COMMIT;
