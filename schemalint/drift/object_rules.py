"""Drift rules on policies, triggers, types, views, functions, sequences, schemas, collations, the
kind of a table and comments: D009–D017, D020."""

from __future__ import annotations

from schemalint.drift.rulebase import DriftRule


class PolicyDiffers(DriftRule):
    """A row level security policy is missing, extra, or defined differently.

    ## Why

    Policies decide which rows each role sees and writes; a changed USING clause changes who
    sees what: a security difference.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id text);
    CREATE POLICY tenant ON orders USING (tenant_id = current_setting('app.tenant'));
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id text);
    CREATE POLICY tenant ON orders USING (true);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id text);
    CREATE POLICY tenant ON orders USING (tenant_id = current_setting('app.tenant'));
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id text);
    CREATE POLICY tenant ON orders USING (tenant_id = current_setting('app.tenant'));
    ```
    """

    code = "D009"
    slug = "policy-differs"
    severity = "error"
    tags = ("drift", "security")
    help = "Create, drop or re-create the policy with a migration."


class TriggerDiffers(DriftRule):
    """A trigger is missing, extra, disabled, or defined differently.

    ## Why

    Triggers keep derived data (updated_at, audit rows, counters) right; a missing one silently
    stops it.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz);
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
        AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
    CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
        FOR EACH ROW EXECUTE FUNCTION touch();
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz);
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
        AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz);
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
        AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
    CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
        FOR EACH ROW EXECUTE FUNCTION touch();
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz);
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
        AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
    CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
        FOR EACH ROW EXECUTE FUNCTION touch();
    ```
    """

    code = "D010"
    slug = "trigger-differs"
    severity = "warning"
    tags = ("drift",)
    help = "Create, drop or re-create the trigger with a migration."


class EnumDiffers(DriftRule):
    """An enum's values or their order differ, or an enum or domain is missing, extra or different.

    ## Why

    Writing a value the live enum lacks fails; the order of values decides how they sort.

    ## Bad

    ```sql
    -- declared
    CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
    ```

    ```sql
    -- live
    CREATE TYPE order_status AS ENUM ('new', 'paid');
    ```

    ## Good

    ```sql
    -- declared
    CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
    ```

    ```sql
    -- live
    CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
    ```
    """

    code = "D011"
    slug = "enum-differs"
    severity = "error"
    tags = ("drift",)
    help = "ALTER TYPE … ADD VALUE for missing values; removing or reordering values needs a new type."


class ViewDiffers(DriftRule):
    """A view or materialized view is missing, extra, or has a different query.

    ## Why

    Readers of the view get other rows or columns than the declared query returns.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, status text);
    CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, status text);
    CREATE VIEW open_orders AS SELECT id, status FROM orders;
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, status text);
    CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, status text);
    CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';
    ```
    """

    code = "D012"
    slug = "view-differs"
    severity = "warning"
    tags = ("drift",)
    help = "CREATE OR REPLACE the view (or re-create the materialized view) as declared, in a migration."


class FunctionDiffers(DriftRule):
    """A function or procedure is missing, extra, or differs (body, return type, volatility, security, …).

    ## Why

    A function edited by hand in production is lost on the next deploy of the declared version.

    ## Bad

    ```sql
    -- declared
    CREATE FUNCTION answer() RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT 42$$;
    ```

    ```sql
    -- live
    CREATE FUNCTION answer() RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT 41$$;
    ```

    ## Good

    ```sql
    -- declared
    CREATE FUNCTION answer() RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT 42$$;
    ```

    ```sql
    -- live
    CREATE FUNCTION answer() RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT 42$$;
    ```
    """

    code = "D013"
    slug = "function-differs"
    severity = "warning"
    tags = ("drift",)
    help = "CREATE OR REPLACE the function as declared, in a migration."


class SequenceDiffers(DriftRule):
    """A sequence is missing, extra, or has different options.

    ## Why

    Another increment, type or cycle setting changes the ids the application receives.

    ## Bad

    ```sql
    -- declared
    CREATE SEQUENCE invoice_no INCREMENT 1;
    ```

    ```sql
    -- live
    CREATE SEQUENCE invoice_no INCREMENT 10;
    ```

    ## Good

    ```sql
    -- declared
    CREATE SEQUENCE invoice_no INCREMENT 1;
    ```

    ```sql
    -- live
    CREATE SEQUENCE invoice_no INCREMENT 1;
    ```
    """

    code = "D014"
    slug = "sequence-differs"
    severity = "warning"
    tags = ("drift",)
    help = "ALTER SEQUENCE (or create/drop it) as declared, in a migration."


class ExtensionDiffers(DriftRule):
    """An extension or schema is missing, extra, or (an extension) lives in another schema.

    ## Why

    Objects that use an extension's types or functions fail to create or run without it.

    ## Bad

    ```sql
    -- declared
    CREATE SCHEMA billing;
    ```

    ```sql
    -- live
    -- (nothing)
    ```

    ## Good

    ```sql
    -- declared
    CREATE SCHEMA billing;
    ```

    ```sql
    -- live
    CREATE SCHEMA billing;
    ```
    """

    code = "D015"
    slug = "extension-differs"
    severity = "warning"
    tags = ("drift",)
    help = "CREATE EXTENSION / CREATE SCHEMA as declared, or declare what the database has."


class CollationDiffers(DriftRule):
    """A collation (CREATE COLLATION) is missing, extra, or has another provider, locale or
    determinism.

    ## Why

    A collation decides how text sorts and compares: another locale changes ORDER BY results and
    which values a unique index on the column takes as equal.

    ## Bad

    ```sql
    -- declared
    CREATE COLLATION sortable (locale = 'C');
    ```

    ```sql
    -- live
    CREATE COLLATION sortable (lc_collate = 'C', lc_ctype = 'POSIX');
    ```

    ## Good

    ```sql
    -- declared: locale sets both
    CREATE COLLATION bytewise (lc_collate = 'POSIX', lc_ctype = 'POSIX');
    ```

    ```sql
    -- live
    CREATE COLLATION bytewise (locale = 'POSIX');
    ```
    """

    code = "D020"
    slug = "collation-differs"
    severity = "warning"
    tags = ("drift",)
    help = (
        "CREATE or DROP the collation as declared; a collation cannot be altered: drop and re-create it "
        "(and the columns and indexes that use it)."
    )


class TableDiffers(DriftRule):
    """A table's kind, persistence, partitioning or inheritance differs.

    ## Why

    An UNLOGGED table loses its rows on a crash; a partition not attached is not seen by the
    parent.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE events (id bigint, at timestamptz);
    ```

    ```sql
    -- live
    CREATE UNLOGGED TABLE events (id bigint, at timestamptz);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE events (id bigint, at timestamptz);
    ```

    ```sql
    -- live
    CREATE TABLE events (id bigint, at timestamptz);
    ```
    """

    code = "D016"
    slug = "table-differs"
    severity = "warning"
    tags = ("drift",)
    help = (
        "Write a migration that changes the live table to the declared definition; changing the partition "
        "key means re-creating the table."
    )


class CommentDiffers(DriftRule):
    """A comment on a schema, table, column or other object differs.

    ## Why

    Comments are documentation: nothing breaks, but the schema document and the database
    disagree.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY);
    COMMENT ON TABLE orders IS 'One row per order.';
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY);
    COMMENT ON TABLE orders IS 'legacy';
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY);
    COMMENT ON TABLE orders IS 'One row per order.';
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY);
    COMMENT ON TABLE orders IS 'One row per order.';
    ```
    """

    code = "D017"
    slug = "comment-differs"
    severity = "info"
    tags = ("drift",)
    help = "COMMENT ON the object as declared, in a migration (or declare the live comment)."
