"""Drift rules on tables and what they hold: D001–D008, D019."""

from __future__ import annotations

from schemalint.drift.rulebase import DriftRule


class TableMissingLive(DriftRule):
    """A declared table does not exist in the live database.

    ## Why

    Code that uses the table fails at run time; usually a migration was not applied.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE invoices (id bigint PRIMARY KEY);
    ```

    ```sql
    -- live
    -- (nothing)
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE invoices (id bigint PRIMARY KEY);
    ```

    ```sql
    -- live
    CREATE TABLE invoices (id bigint PRIMARY KEY);
    ```
    """

    code = "D001"
    slug = "table-missing-live"
    severity = "error"
    tags = ("drift",)
    help = (
        "Apply the migration that creates it, or remove it from the declared schema if it was dropped on "
        "purpose."
    )


class TableNotDeclared(DriftRule):
    """A live table is not declared by any migration.

    ## Why

    A table created by hand is lost on the next rebuild from migrations and escapes review and
    lint.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY);
    CREATE TABLE tmp_fix (id integer);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY);
    CREATE TABLE tmp_fix (id integer);
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY);
    CREATE TABLE tmp_fix (id integer);
    ```
    """

    code = "D002"
    slug = "table-not-declared"
    severity = "error"
    tags = ("drift",)
    help = (
        "Write a migration that creates it (or drops it, if it is a leftover), so that the migrations "
        "rebuild the database."
    )


class ColumnMissingLive(DriftRule):
    """A declared column does not exist in the live table.

    ## Why

    Queries that select or write the column fail at run time.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, note text);
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, note text);
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, note text);
    ```
    """

    code = "D003"
    slug = "column-missing-live"
    severity = "error"
    tags = ("drift",)
    help = "Apply the migration that adds it, or remove it from the declared schema."


class ColumnNotDeclared(DriftRule):
    """A live column is not declared by any migration.

    ## Why

    A column added by hand is lost on a rebuild; its data and constraints are unreviewed.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, legacy_code text);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, legacy_code text);
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, legacy_code text);
    ```
    """

    code = "D004"
    slug = "column-not-declared"
    severity = "error"
    tags = ("drift",)
    help = "Write a migration that adds (or drops) the column so that the migrations match the database."


class ColumnDiffers(DriftRule):
    """A column's type, nullability, default, identity, generated expression or collation differs.

    ## Why

    The application is written against the declared column; a different type, default or
    nullability changes what it stores and what it may write.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamp);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
    ```
    """

    code = "D005"
    slug = "column-differs"
    severity = "warning"
    tags = ("drift",)
    help = (
        "Write a migration that alters the live column to the declared definition (see `schemalint drift "
        "--sql`), or change the declaration to what production has."
    )


class ConstraintDiffers(DriftRule):
    """A constraint is missing, extra, or defined differently (including its NOT VALID state).

    ## Why

    Constraints are the guarantees the data relies on: a missing foreign key or check lets bad
    rows in, an extra one rejects writes the application expects to succeed.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric CONSTRAINT ck_orders_total CHECK (total >= 0));
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric CONSTRAINT ck_orders_total CHECK (total >= 0));
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric CONSTRAINT ck_orders_total CHECK (total >= 0));
    ```
    """

    code = "D006"
    slug = "constraint-differs"
    severity = "error"
    tags = ("drift",)
    help = (
        "Add, drop or re-create the constraint with a migration; validate a NOT VALID constraint with "
        "ALTER TABLE … VALIDATE CONSTRAINT."
    )


class IndexDiffers(DriftRule):
    """An index is missing, extra, or defined differently (keys, predicate, uniqueness, method, …).

    ## Why

    A missing index turns queries into sequential scans; a missing unique index lets duplicates
    in; an extra one slows every write.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, status text, created_at timestamptz);
    CREATE INDEX idx_orders_open ON orders (created_at) WHERE status = 'open';
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, status text, created_at timestamptz);
    CREATE INDEX idx_orders_open ON orders (created_at);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, status text, created_at timestamptz);
    CREATE INDEX idx_orders_open ON orders (created_at) WHERE status = 'open';
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, status text, created_at timestamptz);
    CREATE INDEX idx_orders_open ON orders (created_at) WHERE status = 'open';
    ```
    """

    code = "D007"
    slug = "index-differs"
    severity = "error"
    tags = ("drift",)
    help = "Create, drop or re-create the index with a migration (CONCURRENTLY on a busy table)."


class RlsDiffers(DriftRule):
    """Row level security is enabled or forced on one side only.

    ## Why

    With RLS off, every policy is ignored and every tenant sees every row: a security
    difference.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY);
    ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    ```
    """

    code = "D008"
    slug = "rls-differs"
    severity = "error"
    tags = ("drift", "security")
    help = "ALTER TABLE … ENABLE (or FORCE) ROW LEVEL SECURITY as declared, in a migration."


class ColumnOrderDiffers(DriftRule):
    """The columns both sides have are in another order.

    Only the columns that moved are reported (those outside a longest order both sides share); a
    missing or extra column moves nothing.

    ## Why

    ``SELECT *``, ``INSERT`` without a column list and ``COPY`` without one depend on the order of
    the columns. Nothing else does: reordering needs the table rewritten, so this is information.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint, status text, total numeric);
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint, total numeric, status text);
    ```

    ## Good

    ```sql
    -- declared
    CREATE TABLE events (id bigint, at timestamptz, kind text);
    ```

    ```sql
    -- live: added later, in the same place
    CREATE TABLE events (id bigint, at timestamptz);
    ALTER TABLE events ADD COLUMN kind text;
    ```
    """

    code = "D019"
    slug = "column-order-differs"
    severity = "info"
    tags = ("drift",)
    help = (
        "Reordering columns needs the table re-created and its rows copied, by hand; or declare the live "
        "order."
    )
