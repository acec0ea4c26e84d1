"""Standard-column rules (C): the columns every table has, their types, and the primary key."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from schemalint.findings import Finding
from schemalint.model import Column, Model, Table
from schemalint.rules.base import ModelRule, Option, Rule, RuleContext

STANDARD_COLUMNS: dict[str, dict[str, Any]] = {
    "id": {"type": "uuid", "not_null": True, "default": "gen_random_uuid()"},
    "created_at": {"type": "timestamptz", "not_null": True, "default": "now()"},
    "updated_at": {"type": "timestamptz", "not_null": True, "default": "now()"},
    "deleted_at": {"type": "timestamptz", "not_null": False, "default": None},
    "version": {"type": "integer", "not_null": True, "default": "1"},
}

# The spellings people write in packs, as format_type() prints them.
TYPE_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "serial": "integer",
    "bigserial": "bigint",
    "bool": "boolean",
    "float8": "double precision",
    "float4": "real",
    "float": "double precision",
    "decimal": "numeric",
    "varchar": "character varying",
    "char": "character",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "timetz": "time with time zone",
    "time": "time without time zone",
}

SPEC_KEYS = frozenset({"type", "not_null", "default"})


@lru_cache(maxsize=256)  # C002 asks for the pack's few spellings once per column
def canonical_type(spelling: str) -> str:
    """A pack's type spelling in format_type() form (timestamptz → timestamp with time zone)."""
    text = " ".join(spelling.strip().lower().split())
    base, paren, rest = text.partition("(")
    base = TYPE_ALIASES.get(base.strip(), base.strip())
    return f"{base}({rest.replace(' ', '')}" if paren else base


@lru_cache(maxsize=4096)  # C002 compares every standard column's default; most are alike
def canonical_default(text: str) -> str:
    """A default expression compared loosely: lower case, no spaces, no pg_catalog./public. prefix."""
    squashed = re.sub(r"\s+", "", text.lower())
    squashed = re.sub(r"\b(pg_catalog|public)\.", "", squashed)
    return re.sub(r"::[a-z ]+$", "", squashed)


def validate_columns_option(value: Mapping[str, Any]) -> str | None:
    """Why a `columns` option is invalid, or None. Used by packs/config validation."""
    for name, spec in value.items():
        if spec is None:
            continue
        if not isinstance(spec, Mapping):
            return f"columns.{name} must be a table of type/not_null/default, found {type(spec).__name__}"
        unknown = set(spec) - SPEC_KEYS
        if unknown:
            return f"columns.{name} has unknown keys {sorted(unknown)} (allowed: type, not_null, default)"
    return None


def exempt(table: Table, patterns: Iterable[str]) -> bool:
    """True when the table's name or schema.name matches one of the globs (fnmatch, case-sensitive)."""
    matcher = _globs(tuple(patterns))
    return matcher is not None and bool(matcher(table.qualname) or matcher(table.name))


@lru_cache(maxsize=256)
def _globs(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None] | None:
    """One compiled matcher for a list of globs (fnmatchcase one glob at a time cost 40% of C002)."""
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match


def checked_tables(model: Model, exempt_tables: Iterable[str]) -> Iterator[Table]:
    """Ordinary tables (not partitions, not foreign tables) that are not exempt."""
    patterns = list(exempt_tables)
    for table in model.tables.values():
        if table.partition_of or table.kind == "foreign table" or table.persistence == "temporary":
            continue
        if not exempt(table, patterns):
            yield table


def column_definition(name: str, spec: Mapping[str, Any]) -> str:
    parts = [name, str(spec.get("type", "…"))]
    if spec.get("not_null"):
        parts.append("NOT NULL")
    if spec.get("default") is not None:
        parts.append(f"DEFAULT {spec['default']}")
    return " ".join(parts)


COLUMNS = Option("columns", dict, STANDARD_COLUMNS, "The standard columns: name → {type, not_null, default}.")
LOOKUP_TABLE = Option(
    "lookup_table",
    dict,
    {"primary_key": "code", "columns": ["label", "description", "sort_order", "is_active"]},
    "The shape of a lookup table (§5.2), exempt from the uuid-id rules: {primary_key: code, columns: [...]}.",
)
_TEXT_KEY = re.compile(r"^(text|character varying(\(\d+\))?)$")


def validate_lookup_shape(value: Mapping[str, Any]) -> str | None:
    """Why a lookup_table option is invalid, or None."""
    unknown = set(value) - {"primary_key", "columns"}
    if unknown:
        return f"lookup_table: unknown key {sorted(unknown)[0]!r} (known: primary_key, columns)"
    if value and not isinstance(value.get("primary_key"), str):
        return "lookup_table.primary_key must be a column name"
    columns = value.get("columns", [])
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        return "lookup_table.columns must be a list of column names"
    return None


def is_lookup_table(table: Table, shape: Mapping[str, Any]) -> bool:
    """True for a table of the lookup shape: a one-column text primary key named as the shape says
    (`code varchar(50) PRIMARY KEY`) and every column the shape lists (label, sort_order, …)."""
    key = shape.get("primary_key")
    pk = table.primary_key
    if not key or pk is None or pk.columns != (key,):
        return False
    column = table.column(key)
    if column is None or not _TEXT_KEY.match(column.type):
        return False
    return all(table.column(name) is not None for name in shape.get("columns", []))


EXEMPT_TABLES = Option("exempt_tables", list, [], "Table names or globs (name or schema.name) not checked.")


class StandardColumnMissing(ModelRule):
    """Table without one of the standard columns.

    ## Why
    Every table carries the same bookkeeping columns: a surrogate key, when a
    row was created and last changed, a soft-delete marker and an optimistic
    locking version. Tools, audits and the application rely on them existing
    everywhere.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, total numeric(19,4));
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        total numeric(19,4),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        version integer NOT NULL DEFAULT 1
    );
    ```

    ## Options
    - `columns`: the standard columns (name → `{type, not_null, default}`); only the names matter here.
    - `exempt_tables`: table names or globs that need none of them.
    - `exempt_columns`: table glob → column names that table may omit (`{"*_audit": ["deleted_at"]}`).
    - `lookup_table`: the shape of a lookup table (`{primary_key: code, columns: [label, …]}`), whose
      key stands in for `id`: such a table is not reported for a missing `id`.
    """

    code = "C001"
    slug = "standard-column-missing"
    severity = "error"
    tags = ("standard-columns",)
    options = (
        COLUMNS,
        EXEMPT_TABLES,
        Option("exempt_columns", dict, {}, "Table glob → list of standard columns that table may omit."),
        LOOKUP_TABLE,
    )

    @classmethod
    def validate_option(cls, name: str, value: Any) -> str | None:
        if name == "lookup_table":
            return validate_lookup_shape(value)
        return validate_columns_option(value) if name == "columns" else None

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        columns: Mapping[str, Any] = self.opts["columns"]
        exempt_columns: Mapping[str, list[str]] = self.opts["exempt_columns"]
        for table in checked_tables(model, self.opts["exempt_tables"]):
            allowed_missing = {
                c for glob, names in exempt_columns.items() if exempt(table, [glob]) for c in names
            }
            if is_lookup_table(table, self.opts["lookup_table"]):
                allowed_missing.add("id")
            for name, spec in columns.items():
                if name in allowed_missing or table.column(name) is not None:
                    continue
                definition = column_definition(name, spec or {})
                yield self.finding(
                    f"Table {table.qualname} has no {name} column; every table needs {definition}.",
                    object=f"{table.qualname}.{name}",  # the missing column: one finding, one fingerprint
                    help=f"Add it: ALTER TABLE {table.qualname} ADD COLUMN {definition};",
                )


class StandardColumnMismatch(ModelRule):
    """Standard column with the wrong type, nullability or default.

    ## Why
    A `created_at timestamp` next to a `created_at timestamptz`, or an
    `updated_at` without a default, breaks the code that treats the standard
    columns alike in every table.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), created_at timestamp);
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        created_at timestamptz NOT NULL DEFAULT now()
    );
    ```

    ## Options
    - `columns`: name → `{type, not_null, default}`. A missing key is not checked;
      `default: null` means the column must have no default.
    - `exempt_tables`: table names or globs not checked.

    ## Notes
    `now()`, `CURRENT_TIMESTAMP` and `transaction_timestamp()` are accepted alike for a `now()` default.
    """

    code = "C002"
    slug = "standard-column-mismatch"
    severity = "error"
    tags = ("standard-columns", "types")
    options = (COLUMNS, EXEMPT_TABLES)

    @classmethod
    def validate_option(cls, name: str, value: Any) -> str | None:
        return validate_columns_option(value) if name == "columns" else None

    NOW_SPELLINGS = frozenset({"now()", "current_timestamp", "transaction_timestamp()"})

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        columns: Mapping[str, Any] = self.opts["columns"]
        for table in checked_tables(model, self.opts["exempt_tables"]):
            for name, spec in columns.items():
                column = table.column(name)
                if column is None or not spec:
                    continue
                yield from self._compare(table, column, spec)

    def _compare(self, table: Table, column: Column, spec: Mapping[str, Any]) -> Iterator[Finding]:
        qualname = f"{table.qualname}.{column.name}"
        alter = f"ALTER TABLE {table.qualname} ALTER COLUMN {column.name}"
        if "type" in spec and column.type != canonical_type(str(spec["type"])):
            yield self.finding(
                f"Column {qualname} is {column.type}; standard column {column.name} must be "
                f"{canonical_type(str(spec['type']))}.",
                object=qualname,
                aspect="type",
                help=f"{alter} TYPE {spec['type']};",
            )
        if "not_null" in spec and bool(spec["not_null"]) != column.not_null:
            want, found = ("NOT NULL", "nullable") if spec["not_null"] else ("nullable", "NOT NULL")
            yield self.finding(
                f"Column {qualname} is {found}; standard column {column.name} must be {want}.",
                object=qualname,
                aspect="not_null",
                help=f"{alter} {'SET' if spec['not_null'] else 'DROP'} NOT NULL;",
            )
        if "default" in spec and not self._same_default(column.default, spec["default"]):
            expected = "no default" if spec["default"] is None else f"DEFAULT {spec['default']}"
            found = "no default" if column.default is None else f"DEFAULT {column.default}"
            fix = "DROP DEFAULT" if spec["default"] is None else f"SET DEFAULT {spec['default']}"
            yield self.finding(
                f"Column {qualname} has {found}; standard column {column.name} must have {expected}.",
                object=qualname,
                aspect="default",
                help=f"{alter} {fix};",
            )

    def _same_default(self, found: str | None, expected: object) -> bool:
        if expected is None or found is None:
            return expected is None and found is None
        a, b = canonical_default(found), canonical_default(str(expected))
        return a == b or (a in self.NOW_SPELLINGS and b in self.NOW_SPELLINGS)


class PrimaryKeyNotUuid(ModelRule):
    """Primary key column that is not a uuid.

    ## Why
    uuid keys can be generated anywhere (application, import scripts, other
    services) without a round trip, do not leak row counts, and merge across
    databases and tenants without renumbering.

    ## Bad
    ```sql
    CREATE TABLE invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
    ```

    ## Options
    - `types`: accepted key types.
    - `exempt_tables`: table names or globs not checked.
    - `lookup_table`: the shape of a lookup table (`{primary_key: code, columns: [label, …]}`); its
      text key is not reported.

    ## Notes
    Only single-column keys are checked; composite keys are N003's concern.
    """

    code = "C003"
    slug = "primary-key-not-uuid"
    severity = "error"
    tags = ("keys", "standard-columns")
    options = (Option("types", list, ["uuid"], "Accepted primary key types."), EXEMPT_TABLES, LOOKUP_TABLE)

    @classmethod
    def validate_option(cls, name: str, value: Any) -> str | None:
        return validate_lookup_shape(value) if name == "lookup_table" else None

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        accepted = [canonical_type(t) for t in self.opts["types"]]
        for table in checked_tables(model, self.opts["exempt_tables"]):
            pk = table.primary_key
            if pk is None or len(pk.columns) != 1 or is_lookup_table(table, self.opts["lookup_table"]):
                continue
            column = table.column(pk.columns[0])
            if column is None or column.type in accepted:
                continue
            qualname = f"{table.qualname}.{column.name}"
            yield self.finding(
                f"Primary key {qualname} is {column.type}; primary keys must be {' or '.join(accepted)}.",
                object=qualname,
                aspect="type",
                help=f"Declare it as {column.name} {accepted[0]} PRIMARY KEY DEFAULT gen_random_uuid().",
            )


class UpdatedAtWithoutTrigger(ModelRule):
    """`updated_at` column that no trigger keeps current.

    ## Why
    A default sets `updated_at` on insert only. Without a `BEFORE UPDATE`
    row trigger that assigns it, every update relies on each application
    remembering to set it, and some never do.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now());
    ```

    ## Good
    ```sql
    CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.updated_at := now();
        RETURN NEW;
    END $$;
    CREATE TABLE invoices (id uuid PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TRIGGER trg_invoices_updated_at BEFORE UPDATE ON invoices
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    ```

    ## Options
    - `column`: the column kept current (default `updated_at`).
    - `exempt_tables`: table names or globs not checked.

    ## Notes
    When the trigger function's body is known (it was created in the
    migrations, or read from the database) it must assign the column
    (`NEW.updated_at := …`). Functions of extensions such as `moddatetime`
    are not in the model and are trusted.
    """

    code = "C004"
    slug = "updated-at-without-trigger"
    severity = "warning"
    tags = ("standard-columns", "triggers")
    options = (Option("column", str, "updated_at", "The column a trigger must keep current."), EXEMPT_TABLES)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        name: str = self.opts["column"]
        assigns = re.compile(rf"\bnew\s*\.\s*\"?{re.escape(name)}\"?\s*:?=", re.IGNORECASE)
        for table in checked_tables(model, self.opts["exempt_tables"]):
            if table.column(name) is None:
                continue
            candidates = [
                t
                for t in table.triggers
                if t.timing == "before"
                and "update" in t.events
                and t.level == "row"
                and t.enabled != "disabled"
            ]
            qualname = f"{table.qualname}.{name}"
            fix = (
                f"CREATE TRIGGER trg_{table.name}_{name} BEFORE UPDATE ON {table.qualname} "
                f"FOR EACH ROW EXECUTE FUNCTION set_{name}(); -- the function sets NEW.{name} := now()"
            )
            if not candidates:
                yield self.finding(
                    f"Column {qualname} has no BEFORE UPDATE FOR EACH ROW trigger to keep it current.",
                    object=qualname,
                    help=fix,
                )
                continue
            bodies = [model.functions.get(f"{t.function}()") for t in candidates]
            known = [f for f in bodies if f is not None and f.body is not None]
            if len(known) == len(candidates) and not any(assigns.search(f.body or "") for f in known):
                names = ", ".join(f"{t.name} ({t.function})" for t in candidates)
                yield self.finding(
                    f"Column {qualname}: trigger {names} does not assign NEW.{name}.",
                    object=qualname,
                    help=f"Set it in the trigger function: NEW.{name} := now();",
                )


class TableWithoutPrimaryKey(ModelRule):
    """Table without a primary key.

    ## Why
    Without a primary key, rows cannot be addressed reliably: duplicates creep
    in, logical replication cannot replicate updates and deletes, and ORMs
    and admin tools refuse or misbehave.

    ## Bad
    ```sql
    CREATE TABLE events (name text, created_at timestamptz);
    ```

    ## Good
    ```sql
    CREATE TABLE events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text);
    ```

    ## Options
    - `exempt_tables`: table names or globs not checked.

    ## Notes
    Partitions are not checked: the partitioned parent carries the key.
    """

    code = "C005"
    slug = "table-without-primary-key"
    severity = "error"
    tags = ("keys",)
    options = (EXEMPT_TABLES,)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in checked_tables(model, self.opts["exempt_tables"]):
            if table.primary_key is None:
                yield self.finding(
                    f"Table {table.qualname} has no primary key.",
                    object=table.qualname,
                    help=f"Add one: ALTER TABLE {table.qualname} ADD COLUMN id uuid PRIMARY KEY "
                    "DEFAULT gen_random_uuid();",
                )


RULES: tuple[type[Rule], ...] = (
    StandardColumnMissing,
    StandardColumnMismatch,
    PrimaryKeyNotUuid,
    UpdatedAtWithoutTrigger,
    TableWithoutPrimaryKey,
)
