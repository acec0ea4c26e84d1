"""Naming rules (N): tables, columns, keys, indexes, enums, junction tables, identifier length."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from schemalint.findings import Finding
from schemalint.model import Constraint, Index, Model, Table
from schemalint.rules.base import (
    ModelRule,
    Option,
    Rule,
    RuleContext,
)
from schemalint.rules.columns import LOOKUP_TABLE, exempt, is_lookup_table, validate_lookup_shape
from schemalint.rules.identifiers import truncated
from schemalint.rules.inflection import UNCOUNTABLE_DEFAULT, is_plural, plural, singular

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
EXEMPT_TABLES = Option(
    "exempt_tables", list, [], "Table names or globs (name or schema.name) this rule does not check."
)


def key_columns(index: Index) -> list[str] | None:
    """The plain column names of an index's keys, None when a key is an expression."""
    names = []
    for key in index.keys:
        name = key.split(" ", 1)[0]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", name):
            return None
        names.append(name)
    return names


class TableNameNotSnakePlural(ModelRule):
    """Table name that is not snake_case and plural.

    ## Why
    One spelling for every table lets people and code generators guess names:
    `order_items`, never `OrderItem`, `orderItems` or `order_item`. Plural names
    read naturally in queries (`select … from orders`) and match the
    Database Schema Document standard.

    ## Bad
    ```sql
    CREATE TABLE "OrderItem" (id uuid PRIMARY KEY);
    ```

    ## Good
    ```sql
    CREATE TABLE order_items (id uuid PRIMARY KEY);
    ```

    ## Options
    - `uncountable`: last words that count as plural as they are (`data`, `news`, `metadata`, …).
    - `exempt_tables`: table names or globs not checked (framework tables such as `schema_migrations`).

    ## Notes
    Only the last word must be plural: `order_items`, `user_settings`.
    """

    code = "N001"
    slug = "table-name-not-snake-plural"
    severity = "warning"
    tags = ("naming",)
    options = (
        Option("uncountable", list, UNCOUNTABLE_DEFAULT, "Last words that are plural as they are."),
        EXEMPT_TABLES,
    )

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in model.tables.values():
            if table.partition_of or exempt(table, self.opts["exempt_tables"]):
                continue
            if not SNAKE_CASE.match(table.name):
                expected = plural(_to_snake(table.name))
                yield self.finding(
                    f"Table {table.qualname} is not snake_case; table names must be snake_case and plural.",
                    object=table.qualname,
                    aspect="name",
                    help=f"Rename it: ALTER TABLE {table.qualname} RENAME TO {expected};",
                )
            elif not is_plural(table.name, self.opts["uncountable"]):
                expected = plural(table.name)
                yield self.finding(
                    f"Table {table.qualname} is singular; table names must be plural ({expected}).",
                    object=table.qualname,
                    aspect="name",
                    help=f"Rename it: ALTER TABLE {table.qualname} RENAME TO {expected};",
                )


def _to_snake(name: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_") or "t"


class ColumnNameNotSnakeCase(ModelRule):
    """Column name that is not snake_case.

    ## Why
    Mixed-case or quoted column names must be double-quoted in every query
    forever (`"createdAt"`), and ORMs, reports and people spell them wrong.

    ## Bad
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, "createdAt" timestamptz);
    ```

    ## Good
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, created_at timestamptz);
    ```
    """

    code = "N002"
    slug = "column-name-not-snake-case"
    severity = "warning"
    tags = ("naming",)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in model.tables.values():
            if table.partition_of:
                continue
            for column in table.columns:
                if not SNAKE_CASE.match(column.name):
                    expected = _to_snake(column.name)
                    yield self.finding(
                        f"Column {table.qualname}.{column.name} is not snake_case (expected {expected}).",
                        object=f"{table.qualname}.{column.name}",
                        aspect="name",
                        help=f'Rename it: ALTER TABLE {table.qualname} RENAME COLUMN "{column.name}" '
                        f"TO {expected};",
                    )


def junction_pair(table: Table) -> tuple[Constraint, Constraint] | None:
    """The two foreign keys of a junction table, or None when the table is not one.

    A junction table has exactly two single-column foreign keys, to two
    different tables, and a primary key or unique constraint/index on exactly
    those two columns.
    """
    fks = [fk for fk in table.foreign_keys if len(fk.columns) == 1]
    if len(table.foreign_keys) != 2 or len(fks) != 2 or fks[0].ref_table == fks[1].ref_table:
        return None
    pair = {fks[0].columns[0], fks[1].columns[0]}
    unique_sets = [set(c.columns) for c in table.constraints if c.kind in ("primary key", "unique")]
    unique_sets += [set(i.keys) for i in table.indexes if i.unique and i.predicate is None]
    if pair not in unique_sets:
        return None
    return fks[0], fks[1]


class PrimaryKeyNotId(ModelRule):
    """Primary key that is not one column named `id`.

    ## Why
    When every table's key is `id`, joins, foreign key names
    (`{table}_id`) and application code follow without looking anything up.
    Composite or oddly named keys make every reference to the table longer.

    ## Bad
    ```sql
    CREATE TABLE customers (customer_no integer PRIMARY KEY);
    ```

    ## Good
    ```sql
    CREATE TABLE customers (id uuid PRIMARY KEY);
    ```

    ## Options
    - `allow_junction_tables`: let junction tables keep a composite key of their two foreign keys.
    - `exempt_tables`: table names or globs not checked.
    - `lookup_table`: the shape of a lookup table (`{primary_key: code, columns: [label, …]}`), whose
      key is named as the shape says.
    """

    code = "N003"
    slug = "primary-key-not-id"
    severity = "warning"
    tags = ("naming", "keys")
    options = (
        Option("allow_junction_tables", bool, True, "Junction tables may have a composite primary key."),
        EXEMPT_TABLES,
        LOOKUP_TABLE,
    )

    @classmethod
    def validate_option(cls, name: str, value: Any) -> str | None:
        return validate_lookup_shape(value) if name == "lookup_table" else None

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in model.tables.values():
            pk = table.primary_key
            if pk is None or pk.columns == ("id",) or table.partition_of:
                continue
            if exempt(table, self.opts["exempt_tables"]):
                continue
            if self.opts["allow_junction_tables"] and junction_pair(table) is not None:
                continue
            if is_lookup_table(table, self.opts["lookup_table"]):
                continue
            found = ", ".join(pk.columns)
            yield self.finding(
                f"Primary key of {table.qualname} is ({found}); it must be one column named id.",
                object=table.qualname,
                location=pk.location,  # the key's line, where the fault was made
                help=f"Add `id uuid PRIMARY KEY DEFAULT gen_random_uuid()` to {table.qualname} and keep "
                f"({found}) as a UNIQUE constraint.",
            )


class ForeignKeyColumnMisnamed(ModelRule):
    """Foreign key column not named after the table it references.

    ## Why
    `customer_id` says where the value points; `cust`, `owner` or `ref` make
    every reader look up the constraint.

    ## Bad
    ```sql
    CREATE TABLE customers (id uuid PRIMARY KEY);
    CREATE TABLE orders (id uuid PRIMARY KEY, buyer uuid REFERENCES customers (id));
    ```

    ## Good
    ```sql
    CREATE TABLE customers (id uuid PRIMARY KEY);
    CREATE TABLE orders (
        id uuid PRIMARY KEY,
        customer_id uuid REFERENCES customers (id),
        billing_customer_id uuid REFERENCES customers (id)
    );
    ```

    ## Options
    - `allow_role_prefix`: accept a role before the name (`billing_customer_id`).
    - `self_reference_names`: names accepted for a key to the same table (`parent_id`).
    - `uncountable`: table names whose singular is the name itself.

    ## Notes
    Only key columns that reference a column named `id` are checked.
    """

    code = "N004"
    slug = "foreign-key-column-misnamed"
    severity = "warning"
    tags = ("naming", "keys")
    options = (
        Option("allow_role_prefix", bool, True, "Accept `{role}_{referenced_table_singular}_id`."),
        Option("self_reference_names", list, ["parent_id"], "Names accepted for self-references."),
        Option("uncountable", list, UNCOUNTABLE_DEFAULT, "Table names that are their own singular."),
    )

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in model.tables.values():
            if table.partition_of:
                continue
            for fk in table.foreign_keys:
                if fk.ref_table is None:
                    continue
                ref_name = fk.ref_table.rsplit(".", 1)[-1]
                for column, ref_column in zip(fk.columns, fk.ref_columns or ("id",), strict=False):
                    if ref_column != "id":
                        continue
                    expected = f"{singular(ref_name, self.opts['uncountable'])}_id"
                    if self._accepted(column, expected, fk.ref_table == table.qualname):
                        continue
                    yield self.finding(
                        f"Column {table.qualname}.{column} references {fk.ref_table}; "
                        f"it must be named {expected}.",
                        object=f"{table.qualname}.{column}",
                        aspect="name",
                        help=f"Rename it: ALTER TABLE {table.qualname} RENAME COLUMN {column} TO {expected};",
                    )

    def _accepted(self, column: str, expected: str, self_reference: bool) -> bool:
        if column == expected:
            return True
        if self.opts["allow_role_prefix"] and column.endswith(f"_{expected}"):
            return True
        return self_reference and column in self.opts["self_reference_names"]


class _IndexNameRule(ModelRule):
    unique_indexes: bool

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in model.tables.values():
            if table.partition_of:
                continue
            kinds = {c.name: c.kind for c in table.constraints}
            for index in table.indexes:
                if index.constraint is not None and kinds.get(index.constraint) != "unique":
                    continue
                if index.unique != self.unique_indexes:
                    continue
                finding = self._check_index(table.schema, table.name, index)
                if finding is not None:
                    yield finding

    def _check_index(self, schema: str, table: str, index: Index) -> Finding | None:
        columns = key_columns(index)
        template: str = self.opts["template"]
        if columns is None:  # expression keys: only the prefix can be checked
            prefix = template.split("{columns}", 1)[0].format(table=table)
            if index.name.startswith(prefix):
                return None
            expected = prefix + "…"
        else:
            expected = template.format(table=table, columns="_".join(columns))
            if index.name in (expected, truncated(expected)):
                return None
        what = "Unique index" if self.unique_indexes else "Index"
        if index.constraint is not None:
            what = "Unique constraint"
        fix = (
            f"ALTER TABLE {schema}.{table} RENAME CONSTRAINT {index.name} TO {expected};"
            if index.constraint is not None
            else f"ALTER INDEX {schema}.{index.name} RENAME TO {expected};"
        )
        return self.finding(
            f"{what} {schema}.{index.name} on {schema}.{table} must be named {expected}.",
            object=f"{schema}.{index.name}",
            aspect="name",
            help=f"Rename it: {fix}",
        )


class IndexNameNonstandard(_IndexNameRule):
    """Index not named `idx_{table}_{columns}`.

    ## Why
    Index names appear in query plans, lock waits and error messages. A name
    built from the table and columns says what the index covers without a
    catalog lookup, and avoids collisions between tables.

    ## Bad
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid);
    CREATE INDEX orders_customer ON orders (customer_id);
    ```

    ## Good
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid);
    CREATE INDEX idx_orders_customer_id ON orders (customer_id);
    ```

    ## Options
    - `template`: the expected name; `{table}` and `{columns}` (key columns joined by `_`).

    ## Notes
    Indexes on expressions only need the prefix (`idx_orders_`). Names longer
    than 63 bytes are accepted in PostgreSQL's truncated form.
    """

    code = "N005"
    slug = "index-name-nonstandard"
    severity = "warning"
    tags = ("naming", "indexes")
    options = (Option("template", str, "idx_{table}_{columns}", "Expected index name."),)
    unique_indexes = False


class UniqueIndexNameNonstandard(_IndexNameRule):
    """Unique index or unique constraint not named `uq_{table}_{columns}`.

    ## Why
    A unique violation error names the index. `uq_users_email` tells the
    reader (and the application's error mapping) exactly which rule was
    broken.

    ## Bad
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, email text);
    CREATE UNIQUE INDEX users_email_key2 ON users (email);
    ```

    ## Good
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, email text, CONSTRAINT uq_users_email UNIQUE (email));
    ```

    ## Options
    - `template`: the expected name; `{table}` and `{columns}` (key columns joined by `_`).
    """

    code = "N006"
    slug = "unique-index-name-nonstandard"
    severity = "warning"
    tags = ("naming", "indexes")
    options = (Option("template", str, "uq_{table}_{columns}", "Expected unique index name."),)
    unique_indexes = True


class EnumTypeNameNotSnakeCase(ModelRule):
    """Enum type name that is not snake_case.

    ## Why
    Type names follow the same spelling as tables and columns, so they never
    need quotes.

    ## Bad
    ```sql
    CREATE TYPE "OrderStatus" AS ENUM ('open', 'paid');
    ```

    ## Good
    ```sql
    CREATE TYPE order_status AS ENUM ('open', 'paid');
    ```
    """

    code = "N007"
    slug = "enum-type-name-not-snake-case"
    severity = "warning"
    tags = ("naming",)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for enum in model.enums.values():
            if not SNAKE_CASE.match(enum.name):
                expected = _to_snake(enum.name)
                yield self.finding(
                    f"Enum type {enum.qualname} is not snake_case (expected {expected}).",
                    object=enum.qualname,
                    aspect="name",
                    help=f'Rename it: ALTER TYPE {enum.schema}."{enum.name}" RENAME TO {expected};',
                )


class JunctionTableMisnamed(ModelRule):
    """Junction table not named `{table1}_{table2}` in alphabetical order.

    ## Why
    A many-to-many table named after both sides, in a fixed order, is found
    without guessing (`roles_users`, never `user_roles` in one place and
    `role_user_map` in another).

    ## Bad
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY);
    CREATE TABLE roles (id uuid PRIMARY KEY);
    CREATE TABLE user_role_map (
        user_id uuid REFERENCES users (id),
        role_id uuid REFERENCES roles (id),
        PRIMARY KEY (user_id, role_id)
    );
    ```

    ## Good
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY);
    CREATE TABLE roles (id uuid PRIMARY KEY);
    CREATE TABLE roles_users (
        user_id uuid REFERENCES users (id),
        role_id uuid REFERENCES roles (id),
        PRIMARY KEY (user_id, role_id)
    );
    ```

    ## Options
    - `exempt_tables`: table names or globs not checked.

    ## Notes
    A junction table has exactly two single-column foreign keys to two
    different tables, and a primary key or unique constraint on exactly those
    two columns.
    """

    code = "N008"
    slug = "junction-table-misnamed"
    severity = "warning"
    tags = ("naming",)
    options = (EXEMPT_TABLES,)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in model.tables.values():
            pair = junction_pair(table)
            if pair is None or exempt(table, self.opts["exempt_tables"]):
                continue
            names = sorted(str(fk.ref_table).rsplit(".", 1)[-1] for fk in pair)
            expected = f"{names[0]}_{names[1]}"
            if table.name in (expected, truncated(expected)):
                continue
            yield self.finding(
                f"Junction table {table.qualname} links {names[0]} and {names[1]}; "
                f"it must be named {expected}.",
                object=table.qualname,
                aspect="name",
                help=f"Rename it: ALTER TABLE {table.qualname} RENAME TO {expected};",
            )


RULES: tuple[type[Rule], ...] = (
    TableNameNotSnakePlural,
    ColumnNameNotSnakeCase,
    PrimaryKeyNotId,
    ForeignKeyColumnMisnamed,
    IndexNameNonstandard,
    UniqueIndexNameNonstandard,
    EnumTypeNameNotSnakeCase,
    JunctionTableMisnamed,
)
