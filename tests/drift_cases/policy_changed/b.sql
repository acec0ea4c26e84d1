CREATE TABLE documents (id bigint PRIMARY KEY, tenant_id text NOT NULL, owner text);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON documents
    USING (tenant_id = current_setting('app.tenant_id'))
    WITH CHECK (tenant_id = current_setting('app.tenant_id'));
CREATE POLICY owner_only ON documents AS RESTRICTIVE FOR UPDATE USING (owner = current_user);
CREATE POLICY owner_insert ON documents FOR INSERT WITH CHECK (owner = current_user);
