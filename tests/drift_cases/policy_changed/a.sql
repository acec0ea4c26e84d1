CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id text NOT NULL, owner text);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON documents USING (true);
CREATE POLICY owner_only ON documents FOR UPDATE USING (owner = current_user);
CREATE POLICY legacy_read ON documents FOR SELECT USING (owner IS NULL);
