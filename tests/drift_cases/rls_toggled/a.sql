CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE audit_log (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
