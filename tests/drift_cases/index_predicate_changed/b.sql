CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    deleted_at timestamptz,
    tenant_id bigint
);
CREATE UNIQUE INDEX uq_users_email ON users (email) WHERE deleted_at IS NULL;
CREATE INDEX idx_users_tenant ON users (tenant_id, id DESC);
CREATE INDEX idx_users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL;
