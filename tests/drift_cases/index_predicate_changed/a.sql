CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    deleted_at timestamptz,
    tenant_id bigint
);
CREATE UNIQUE INDEX uq_users_email ON users (email);
CREATE INDEX idx_users_tenant ON users (tenant_id);
CREATE INDEX idx_users_lower_email ON users (lower(email));
