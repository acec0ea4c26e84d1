-- M013: one underscore after the version: Flyway does not recognise V4_coupons.sql.
SET lock_timeout = '5s';

-- N001: a singular table name.
CREATE TABLE coupon (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL,
    discount_amount numeric(19,4) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);

CREATE UNIQUE INDEX uq_coupon_code ON coupon (code) WHERE deleted_at IS NULL;

CREATE TRIGGER trg_coupon_updated_at BEFORE UPDATE ON coupon
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
