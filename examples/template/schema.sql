-- The SQL of the Database Schema Document template (shared/seed/database-schema-document-template.md),
-- with its {{placeholders}} left out: the tenants and users tables with their enums and indexes
-- (section 4), the updated_at trigger function (section 7) applied to users, the one table with
-- updated_at, the partitioned audit_logs (section 10.1) with the columns and foreign keys its ER
-- diagram (section 2) draws, and the system tenant seed row (section 9.1).
-- `schemalint doc examples/template/schema.sql` writes docs/schema-document.md from it.

CREATE TYPE tenant_plan AS ENUM ('free', 'starter', 'pro', 'enterprise');

CREATE TABLE tenants (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    plan tenant_plan NOT NULL DEFAULT 'free',
    settings JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ
);
COMMENT ON TABLE tenants IS 'Top-level multi-tenancy isolation unit. Every resource belongs to a tenant.';
COMMENT ON COLUMN tenants.id IS 'Tenant identifier';
COMMENT ON COLUMN tenants.name IS 'Display name';
COMMENT ON COLUMN tenants.slug IS 'URL-safe identifier';
COMMENT ON COLUMN tenants.plan IS 'Subscription plan';
COMMENT ON COLUMN tenants.settings IS 'Tenant configuration';

CREATE UNIQUE INDEX uq_tenants_slug ON tenants(slug) WHERE deleted_at IS NULL;

CREATE TYPE user_role AS ENUM ('owner', 'admin', 'member', 'viewer', 'api');

CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id UUID NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
    email VARCHAR(320) NOT NULL,
    password_hash VARCHAR(255),
    full_name VARCHAR(255) NOT NULL,
    role user_role NOT NULL DEFAULT 'member',
    is_verified BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at TIMESTAMPTZ,
    mfa_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_secret TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    version INTEGER NOT NULL DEFAULT 1
);
COMMENT ON TABLE users IS 'System users. Authentication identity.';
COMMENT ON COLUMN users.tenant_id IS 'Tenant membership';
COMMENT ON COLUMN users.email IS 'Normalized lowercase';
COMMENT ON COLUMN users.password_hash IS 'bcrypt/Argon2 hash. NULL for SSO users';
COMMENT ON COLUMN users.role IS 'RBAC role';
COMMENT ON COLUMN users.is_verified IS 'Email verified';
COMMENT ON COLUMN users.mfa_secret IS 'Encrypted TOTP secret';

CREATE UNIQUE INDEX uq_users_tenant_email ON users(tenant_id, lower(email))
    WHERE deleted_at IS NULL;
CREATE INDEX idx_users_tenant_id ON users(tenant_id)
    WHERE deleted_at IS NULL;

CREATE OR REPLACE FUNCTION updated_at_trigger()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
COMMENT ON FUNCTION updated_at_trigger() IS 'Auto-update updated_at column on any row update';

CREATE TRIGGER set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION updated_at_trigger();

CREATE TABLE audit_logs (
    id UUID NOT NULL,
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    actor_id UUID REFERENCES users(id),
    entity_type VARCHAR(100) NOT NULL,
    entity_id UUID NOT NULL,
    action VARCHAR(50) NOT NULL,
    old_values JSONB,
    new_values JSONB,
    ip_address INET,
    created_at TIMESTAMPTZ NOT NULL
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE audit_logs IS 'Who changed what, when: one row per change, partitioned by month.';

CREATE TABLE audit_logs_2024_01
    PARTITION OF audit_logs
    FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');

-- System tenant (for internal operations)
INSERT INTO tenants (id, name, slug, plan)
VALUES ('00000000-0000-0000-0000-000000000001', 'System', 'system', 'enterprise')
ON CONFLICT DO NOTHING;
