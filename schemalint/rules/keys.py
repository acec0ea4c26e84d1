"""Keys and indexes: foreign keys without an index, soft-delete uniqueness, tenant indexes, duplicates,
materialized views without a unique index."""

from __future__ import annotations

from collections.abc import Iterator

from schemalint.model import Constraint, Index, Location, Table, View
from schemalint.rules.astutil import column_list, key_column, predicate_requires_null, quote_ident, sql_name
from schemalint.rules.base import Finding, Model, ModelRule, Option, Rule, RuleContext


def _checked_tables(model: Model) -> Iterator[Table]:
    """Ordinary and partitioned tables; partitions inherit their indexes from the parent."""
    for name in sorted(model.tables):
        table = model.tables[name]
        if table.kind != "foreign table" and table.partition_of is None:
            yield table


def _where(location: Location | None, ctx: RuleContext, qualname: str) -> Location | None:
    return location or ctx.origin(qualname)


def _index_name(prefix: str, table: str, columns: tuple[str, ...] | list[str]) -> str:
    return quote_ident(f"{prefix}_{table}_{'_'.join(columns)}"[:63])


class ForeignKeyWithoutIndex(ModelRule):
    """A foreign key's columns are not the leading columns of any index.

    ## Why
    Deleting or updating a referenced row makes PostgreSQL look up the
    referencing rows; without an index on the foreign key columns that is a
    sequential scan of the referencing table, under a lock, for every row.
    Joins along the key are slow for the same reason.

    ## Bad
    ```sql
    CREATE TABLE customers (id uuid PRIMARY KEY);
    CREATE TABLE orders (
        id uuid PRIMARY KEY,
        customer_id uuid REFERENCES customers (id) ON DELETE RESTRICT
    );
    ```

    ## Good
    ```sql
    CREATE TABLE customers (id uuid PRIMARY KEY);
    CREATE TABLE orders (
        id uuid PRIMARY KEY,
        customer_id uuid REFERENCES customers (id) ON DELETE RESTRICT
    );
    CREATE INDEX idx_orders_customer_id ON orders (customer_id);
    ```

    ## Notes
    An index covers the key when its leading columns are exactly the key's
    columns, in any order: a composite primary key or unique constraint whose
    first columns are the key counts. Partial indexes do not count (the lookup
    for a deleted parent row does not carry their predicate), and only btree
    indexes (or a hash index on a one-column key) can serve the lookup.
    Partitions and foreign tables are skipped; a partitioned table is checked
    once, on the parent.
    """

    code = "K001"
    slug = "foreign-key-without-index"
    severity = "warning"
    tags = ("keys", "indexes", "performance")

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in _checked_tables(model):
            leading = _leading_column_sets(table)
            for fk in table.foreign_keys:
                if _covered(fk.columns, leading):
                    continue
                name = f"{table.qualname}.{fk.name}"
                cols = ", ".join(fk.columns)
                yield self.finding(
                    f"Foreign key {name} ({cols}) → {fk.ref_table} has no index on "
                    f"{table.qualname} ({cols}); expected an index whose leading columns are ({cols}).",
                    object=name,
                    location=_where(fk.location, ctx, name),
                    help=f"CREATE INDEX CONCURRENTLY {_index_name('idx', table.name, fk.columns)} "
                    f"ON {sql_name(table.qualname)} ({column_list(fk.columns)});",
                )


def _leading_column_sets(table: Table) -> list[tuple[str, ...]]:
    """Key column lists of the indexes (and key constraints) that can serve an equality lookup."""
    sets: list[tuple[str, ...]] = []
    for index in table.indexes:
        if index.predicate is not None:
            continue
        columns = tuple(key_column(key) for key in index.keys)
        if index.method == "btree" or (index.method == "hash" and len(columns) == 1):
            sets.append(columns)
    sets.extend(c.columns for c in table.constraints if c.kind in ("primary key", "unique"))
    return sets


def _covered(columns: tuple[str, ...], leading: list[tuple[str, ...]]) -> bool:
    wanted = set(columns)
    return any(len(keys) >= len(columns) and set(keys[: len(columns)]) == wanted for keys in leading)


class UniqueIndexIgnoresSoftDelete(ModelRule):
    """A unique index on a soft-delete table also counts soft-deleted rows.

    ## Why
    On a table with a `deleted_at` column, a deleted row stays in the table.
    A unique index over all rows then refuses to recreate an e-mail address,
    a slug or an order number that once belonged to a deleted row. Uniqueness
    must only hold among live rows: a partial unique index
    `WHERE deleted_at IS NULL`.

    ## Bad
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);
    CREATE UNIQUE INDEX uq_users_email ON users (email);
    ```

    ## Good
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL, deleted_at timestamptz);
    CREATE UNIQUE INDEX uq_users_email ON users (email) WHERE deleted_at IS NULL;
    ```

    ## Options
    - `soft_delete_column` (default `deleted_at`): the column that marks a row deleted.

    ## Notes
    The primary key is exempt. A UNIQUE constraint cannot be partial: replace
    it with a partial unique index. A predicate passes when `deleted_at IS
    NULL` is one of its AND terms.
    """

    code = "K002"
    slug = "unique-index-ignores-soft-delete"
    severity = "error"
    tags = ("keys", "indexes", "soft-delete")
    options = (Option("soft_delete_column", str, "deleted_at", "The column that marks a row deleted."),)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        column: str = self.opts["soft_delete_column"]
        for table in _checked_tables(model):
            if table.column(column) is None:
                continue
            unique_constraints = {c.name: c for c in table.constraints if c.kind == "unique"}
            for constraint in unique_constraints.values():
                yield self._constraint_finding(table, constraint, column, ctx)
            for index in table.indexes:
                if not index.unique or index.constraint is not None:
                    continue
                if predicate_requires_null(index.predicate, column):
                    continue
                found = f"WHERE {index.predicate}" if index.predicate else "no predicate"
                keys = ", ".join(index.keys)
                yield self.finding(
                    f"Unique index {index.qualname} on {table.qualname} ({keys}) has {found}; "
                    f"on a soft-delete table it must be partial: WHERE {column} IS NULL.",
                    object=index.qualname,
                    location=_where(index.location, ctx, index.qualname),
                    help=f"DROP INDEX CONCURRENTLY {sql_name(index.qualname)}; "
                    f"CREATE UNIQUE INDEX CONCURRENTLY {quote_ident(index.name)} ON "
                    f"{sql_name(table.qualname)} ({keys}) WHERE {quote_ident(column)} IS NULL;",
                )

    def _constraint_finding(
        self, table: Table, constraint: Constraint, column: str, ctx: RuleContext
    ) -> Finding:
        name = f"{table.qualname}.{constraint.name}"
        cols = column_list(constraint.columns)
        return self.finding(
            f"Unique constraint {name} on {table.qualname} ({', '.join(constraint.columns)}) also counts "
            f"soft-deleted rows; expected a partial unique index WHERE {column} IS NULL.",
            object=name,
            location=_where(constraint.location, ctx, name),
            help=f"ALTER TABLE {sql_name(table.qualname)} DROP CONSTRAINT {quote_ident(constraint.name)}; "
            f"CREATE UNIQUE INDEX {_index_name('uq', table.name, constraint.columns)} ON "
            f"{sql_name(table.qualname)} ({cols}) WHERE {quote_ident(column)} IS NULL;",
        )


class TenantTableWithoutTenantIndex(ModelRule):
    """A tenant table has no index that starts with the tenant column.

    ## Why
    Every query of a multi-tenant application filters by tenant, and so does
    every row level security policy. Without an index leading with
    `tenant_id`, each of them scans all tenants' rows.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, number text NOT NULL);
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, number text NOT NULL);
    CREATE INDEX idx_invoices_tenant_id ON invoices (tenant_id);
    ```

    ## Options
    - `tenant_column` (default `tenant_id`): the column that makes a table a tenant table.

    ## Notes
    Any index counts, partial or not, including the index of a primary key or
    unique constraint that starts with the tenant column.
    """

    code = "K003"
    slug = "tenant-table-without-tenant-index"
    severity = "warning"
    tags = ("keys", "indexes", "tenancy", "performance")
    options = (Option("tenant_column", str, "tenant_id", "The column that makes a table a tenant table."),)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        column: str = self.opts["tenant_column"]
        for table in _checked_tables(model):
            if table.column(column) is None:
                continue
            firsts = {key_column(index.keys[0]) for index in table.indexes if index.keys}
            firsts |= {
                c.columns[0] for c in table.constraints if c.kind in ("primary key", "unique") and c.columns
            }
            if column in firsts:
                continue
            yield self.finding(
                f"Tenant table {table.qualname} has no index leading with {column}; "
                f"found {len(table.indexes)} index(es), none starting with {column}.",
                object=table.qualname,
                location=_where(table.location, ctx, table.qualname),
                help=f"CREATE INDEX CONCURRENTLY {_index_name('idx', table.name, (column,))} "
                f"ON {sql_name(table.qualname)} ({quote_ident(column)});",
            )


class DuplicateIndex(ModelRule):
    """An index duplicates another one, or is a prefix of another one.

    ## Why
    Every index slows down every write and takes space and cache. An index
    with the same definition as another, or a plain btree index whose keys
    are the leading keys of another index with the same predicate, answers no
    query the other cannot.

    ## Bad
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, number text NOT NULL);
    CREATE INDEX idx_orders_tenant_id ON orders (tenant_id);
    CREATE INDEX idx_orders_tenant_id_number ON orders (tenant_id, number);
    ```

    ## Good
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, number text NOT NULL);
    CREATE INDEX idx_orders_tenant_id_number ON orders (tenant_id, number);
    ```

    ## Notes
    Unique indexes are never reported as a prefix of another index (they
    enforce something the longer one does not); an exact duplicate of a
    unique index is. Of two identical indexes the one not backing a
    constraint is reported, else the later name. Indexes of materialized
    views are checked too.
    """

    code = "K004"
    slug = "duplicate-index"
    severity = "warning"
    tags = ("indexes", "performance")

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        owners: list[Table | View] = list(_checked_tables(model))
        owners += [model.views[name] for name in sorted(model.views) if model.views[name].indexes]
        for owner in owners:
            indexes = sorted(owner.indexes, key=lambda i: (i.constraint is not None, i.name), reverse=True)
            for index in indexes:
                other = _redundant_with(index, [i for i in indexes if i is not index])
                if other is not None:
                    yield self._finding(owner, index, other, ctx)

    def _finding(self, owner: Table | View, index: Index, other: Index, ctx: RuleContext) -> Finding:
        same = _signature(index) == _signature(other)
        relation = "duplicates" if same else "is a prefix of"
        if index.constraint is not None:
            fix = f"ALTER TABLE {sql_name(owner.qualname)} DROP CONSTRAINT {quote_ident(index.constraint)};"
        else:
            fix = f"DROP INDEX CONCURRENTLY {sql_name(index.qualname)};"
        return self.finding(
            f"Index {index.qualname} ({', '.join(index.keys)}) {relation} index {other.qualname} "
            f"({', '.join(other.keys)}) on {owner.qualname}; expected one index.",
            object=index.qualname,
            location=_where(index.location, ctx, index.qualname),
            help=fix,
        )


def _signature(index: Index) -> tuple[object, ...]:
    return (
        index.keys,
        index.unique,
        index.method,
        tuple(sorted(index.include)),
        index.predicate,
        index.nulls_not_distinct,
    )


def _redundant_with(index: Index, others: list[Index]) -> Index | None:
    """The index that makes ``index`` redundant, if any (identical ones: only one side is reported)."""
    for other in others:
        if _signature(other) == _signature(index) and _order(index) > _order(other):
            return other
    if index.unique or index.method != "btree" or index.constraint is not None:
        return None
    for other in others:
        if other.method != "btree" or other.predicate != index.predicate:
            continue
        if len(other.keys) > len(index.keys) and other.keys[: len(index.keys)] == index.keys:
            covered = set(other.keys) | set(other.include)
            if set(index.include) <= covered:
                return other
    return None


def _order(index: Index) -> tuple[bool, str]:
    """Which of two identical indexes is reported: the one without a constraint, then the later name."""
    return (index.constraint is None, index.name)


class ForeignKeyWithoutOnDelete(ModelRule):
    """A foreign key does not say what happens when the referenced row is deleted.

    ## Why
    Without an ON DELETE clause, deleting a referenced row fails with a
    foreign key violation at the end of the statement. That may be what you
    want, but then say so: `ON DELETE RESTRICT` documents the decision,
    `CASCADE` and `SET NULL` are the other common choices.

    ## Bad
    ```sql
    CREATE TABLE customers (id uuid PRIMARY KEY);
    CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid REFERENCES customers (id));
    CREATE INDEX idx_orders_customer_id ON orders (customer_id);
    ```

    ## Good
    ```sql
    CREATE TABLE customers (id uuid PRIMARY KEY);
    CREATE TABLE orders (
        id uuid PRIMARY KEY,
        customer_id uuid REFERENCES customers (id) ON DELETE CASCADE
    );
    CREATE INDEX idx_orders_customer_id ON orders (customer_id);
    ```

    ## Notes
    PostgreSQL stores `ON DELETE NO ACTION` and no ON DELETE clause the same
    way (the parser too), so neither a migration file nor a live catalog can
    tell them apart. Both are reported, on both paths alike: write
    `ON DELETE RESTRICT` when the delete must fail (it differs from NO ACTION
    only for deferred constraints), or CASCADE / SET NULL / SET DEFAULT.
    """

    code = "K005"
    slug = "foreign-key-without-on-delete"
    severity = "warning"
    tags = ("keys",)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in _checked_tables(model):
            for fk in table.foreign_keys:
                if fk.on_delete != "no action":
                    continue
                name = f"{table.qualname}.{fk.name}"
                ref = f"{sql_name(fk.ref_table or '')} ({column_list(fk.ref_columns)})"
                yield self.finding(
                    f"Foreign key {name} ({', '.join(fk.columns)}) → {fk.ref_table} has ON DELETE NO ACTION "
                    "(or none); expected an explicit RESTRICT, CASCADE, SET NULL or SET DEFAULT.",
                    object=name,
                    location=_where(fk.location, ctx, name),
                    help=f"ALTER TABLE {sql_name(table.qualname)} DROP CONSTRAINT {quote_ident(fk.name)}, "
                    f"ADD CONSTRAINT {quote_ident(fk.name)} FOREIGN KEY ({column_list(fk.columns)}) "
                    f"REFERENCES {ref} ON DELETE RESTRICT NOT VALID;",
                )


def _refreshable(index: Index, view: View) -> bool:
    """True for an index REFRESH … CONCURRENTLY accepts: unique, without a predicate, on plain columns."""
    columns = set(view.columns)
    return (
        index.unique
        and index.predicate is None
        and all(key_column(key) in columns or not columns for key in index.keys)
        and all("(" not in key for key in index.keys)
    )


class MaterializedViewWithoutUniqueIndex(ModelRule):
    """A materialized view has no unique index, so it cannot be refreshed concurrently.

    ## Why
    `REFRESH MATERIALIZED VIEW` without CONCURRENTLY locks the view against
    every read until the query has run again. `REFRESH … CONCURRENTLY` keeps
    it readable, and PostgreSQL refuses it unless the view has a unique
    index on plain columns without a WHERE clause. The standard (§6.2)
    creates that index with every materialized view.

    ## Bad
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, total numeric(19,4));
    CREATE MATERIALIZED VIEW tenant_totals AS
        SELECT tenant_id, sum(total) AS total FROM orders GROUP BY tenant_id;
    ```

    ## Good
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, total numeric(19,4));
    CREATE MATERIALIZED VIEW tenant_totals AS
        SELECT tenant_id, sum(total) AS total FROM orders GROUP BY tenant_id;
    CREATE UNIQUE INDEX uq_tenant_totals_tenant_id ON tenant_totals (tenant_id);
    ```

    ## Options
    - `exempt_views`: materialized view names or globs (name or schema.name) not checked.
    """

    code = "K006"
    slug = "materialized-view-without-unique-index"
    severity = "warning"
    tags = ("indexes", "views")
    options = (Option("exempt_views", list, [], "Materialized view names or globs not checked."),)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        from fnmatch import fnmatchcase

        globs = self.opts["exempt_views"]
        for name in sorted(model.views):
            view = model.views[name]
            if not view.materialized or any(_refreshable(index, view) for index in view.indexes):
                continue
            if any(fnmatchcase(view.name, g) or fnmatchcase(view.qualname, g) for g in globs):
                continue
            first = view.columns[:1] or ("<key columns>",)
            yield self.finding(
                f"Materialized view {view.qualname} has no unique index on plain columns; REFRESH "
                "MATERIALIZED VIEW CONCURRENTLY refuses it, so every refresh blocks its readers.",
                object=view.qualname,
                location=_where(view.location, ctx, view.qualname),
                help=f"CREATE UNIQUE INDEX {_index_name('uq', view.name, first)} ON "
                f"{sql_name(view.qualname)} ({column_list(first)});  -- on the columns that identify a row",
            )


RULES: tuple[type[Rule], ...] = (
    ForeignKeyWithoutIndex,
    UniqueIndexIgnoresSoftDelete,
    TenantTableWithoutTenantIndex,
    DuplicateIndex,
    ForeignKeyWithoutOnDelete,
    MaterializedViewWithoutUniqueIndex,
)
