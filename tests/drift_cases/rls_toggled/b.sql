CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE audit_log (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
