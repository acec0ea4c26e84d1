"""Type rules (T): money, timestamps, json, varchar lengths, IP addresses, booleans, enums."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from schemalint.findings import Finding
from schemalint.model import Column, Model, Table
from schemalint.rules.astutil import column_refs, find_nodes, parse_expression, pb, quote_ident, sql_name
from schemalint.rules.base import ModelRule, Option, Rule, RuleContext
from schemalint.rules.columns import EXEMPT_TABLES, exempt

MONEY_PATTERNS = [
    r"(^|_)(amount|amt|price|cost|total|subtotal|balance|fee|fees|tax|vat|discount|charge|payment|"
    r"salary|wage|revenue|refund|credit|debit|budget|spend|payout|deposit)(_|$)",
]
MONEY_EXCLUDE = [
    r"(^|_)(id|ids|count|qty|quantity|percent|pct|rate|ratio|at|on|date|currency|code|type|"
    r"status|kind|items|number|no|is|has|method|mode|reason|description|note|notes|name)(_|$)",
]
IP_PATTERNS = [r"(^|_)(ip|ipv4|ipv6|ip_address|ip_addr|ipaddr|ipaddress|remote_addr|remote_address)(_|$)"]
TEXT_TYPES = re.compile(r"^(text|character varying(\(\d+\))?|character(\(\d+\))?)$")


def column_type(model: Model, column: Column) -> tuple[str, bool]:
    """The column's type with domains resolved to their base type, and whether it is an array."""
    spelled = column.type
    array = spelled.endswith("[]")
    base = spelled.removesuffix("[]")
    seen: set[str] = set()
    while base in model.domains and base not in seen:
        seen.add(base)
        domain_type = model.domains[base].type
        array = array or domain_type.endswith("[]")
        base = domain_type.removesuffix("[]")
    return base, array


def _columns(model: Model) -> Iterator[tuple[Table, Column, str]]:
    for table in model.tables.values():
        if table.partition_of:
            continue
        for column in table.columns:
            base, _ = column_type(model, column)
            yield table, column, base


def validate_patterns(name: str, value: object) -> str | None:
    """Why a list of regular expressions in an option is invalid, or None (for pack validation)."""
    if not name.endswith("patterns") or not isinstance(value, list):
        return None
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as error:
            return f"{name}: invalid regular expression {pattern!r}: {error}"
    return None


def _matches(name: str, patterns: list[str]) -> bool:
    return any(re.search(pattern, name) for pattern in patterns)


def _spelled(column: Column, base: str) -> str:
    return column.type if base == column.type.removesuffix("[]") else f"{column.type} (a domain over {base})"


class MoneyNotNumeric194(ModelRule):
    """Money column that is not `numeric(19,4)`.

    ## Why
    Floating-point types cannot represent 0.10 exactly and lose cents in
    sums; the `money` type depends on the server's `lc_monetary` and rounds to
    its locale. `numeric(19,4)` holds any amount to a hundredth of a cent,
    exactly, in every currency the business handles.

    ## Bad
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, amount double precision);
    ```

    ## Good
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, amount numeric(19,4));
    ```

    ## Options
    - `patterns`: regular expressions on column names that mark money columns.
    - `exclude_patterns`: regular expressions that unmark them (`total_count`, `tax_rate`, `price_id`).
    - `type`: the required type.

    ## Notes
    Integer columns are not flagged: integer minor units (`amount_cents bigint`)
    are a deliberate alternative. Domains are resolved to their base type.
    """

    code = "T001"
    slug = "money-not-numeric-19-4"
    severity = "error"
    tags = ("types", "money")
    options = (
        Option("patterns", list, MONEY_PATTERNS, "Regular expressions on column names of money columns."),
        Option("exclude_patterns", list, MONEY_EXCLUDE, "Regular expressions of names that are not money."),
        Option("type", str, "numeric(19,4)", "The required type of money columns."),
    )

    validate_option = staticmethod(validate_patterns)

    FLAGGED = re.compile(r"^(real|double precision|money|numeric(\(\d+(,\d+)?\))?)$")

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        required = self.opts["type"].replace(" ", "")
        for table, column, base in _columns(model):
            if base == required or not self.FLAGGED.match(base):
                continue
            if not _matches(column.name, self.opts["patterns"]):
                continue
            if _matches(column.name, self.opts["exclude_patterns"]):
                continue
            qualname = f"{table.qualname}.{column.name}"
            yield self.finding(
                f"Column {qualname} is {_spelled(column, base)}; money columns must be {required}.",
                object=qualname,
                aspect="type",
                help=f"Declare it as {column.name} {required} "
                f"(ALTER TABLE {table.qualname} ALTER COLUMN {column.name} TYPE {required}).",
            )


class TimestampWithoutTimeZone(ModelRule):
    """Column of type `timestamp without time zone`.

    ## Why
    A `timestamp` stores wall-clock time with no offset: the same value means
    different instants for servers and clients in different zones, and
    daylight-saving changes make some values ambiguous. `timestamptz` stores
    an instant and converts on the way in and out.

    ## Bad
    ```sql
    CREATE TABLE events (id uuid PRIMARY KEY, happened_at timestamp);
    ```

    ## Good
    ```sql
    CREATE TABLE events (id uuid PRIMARY KEY, happened_at timestamptz);
    ```
    """

    code = "T002"
    slug = "timestamp-without-time-zone"
    severity = "error"
    tags = ("types",)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table, column, base in _columns(model):
            match = re.fullmatch(r"timestamp(\(\d+\))? without time zone", base)
            if match is None:
                continue
            wanted = f"timestamp{match.group(1) or ''} with time zone"
            qualname = f"{table.qualname}.{column.name}"
            yield self.finding(
                f"Column {qualname} is {_spelled(column, base)}; timestamps must be {wanted} (timestamptz).",
                object=qualname,
                aspect="type",
                help=f"Declare it as {column.name} timestamptz "
                f"(ALTER TABLE {table.qualname} ALTER COLUMN {column.name} TYPE timestamptz).",
            )


class JsonInsteadOfJsonb(ModelRule):
    """Column of type `json` instead of `jsonb`.

    ## Why
    `json` keeps the text as written and reparses it on every access; it has
    no equality operator, so it cannot be indexed, compared, used in `DISTINCT`
    or `GROUP BY`. `jsonb` is parsed once and supports GIN indexes.

    ## Bad
    ```sql
    CREATE TABLE events (id uuid PRIMARY KEY, payload json);
    ```

    ## Good
    ```sql
    CREATE TABLE events (id uuid PRIMARY KEY, payload jsonb);
    ```
    """

    code = "T003"
    slug = "json-instead-of-jsonb"
    severity = "warning"
    tags = ("types",)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table, column, base in _columns(model):
            if base != "json":
                continue
            qualname = f"{table.qualname}.{column.name}"
            wanted = "jsonb[]" if column.type.endswith("[]") else "jsonb"
            yield self.finding(
                f"Column {qualname} is {_spelled(column, base)}; use {wanted}.",
                object=qualname,
                aspect="type",
                help=f"Declare it as {column.name} {wanted} (ALTER TABLE {table.qualname} ALTER COLUMN "
                f"{column.name} TYPE {wanted} USING {column.name}::{wanted}).",
            )


class VarcharWithoutLength(ModelRule):
    """`varchar` column without a length.

    ## Why
    A `varchar` without a length is `text` under another name: it documents
    a limit that does not exist. The standard asks for an explicit maximum, so
    the limit is deliberate and visible in the schema.

    ## Bad
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, email varchar);
    ```

    ## Good
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, email varchar(320));
    ```

    ## Notes
    `text` columns are not flagged.
    """

    code = "T004"
    slug = "varchar-without-length"
    severity = "warning"
    tags = ("types",)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table, column, base in _columns(model):
            if base != "character varying":
                continue
            qualname = f"{table.qualname}.{column.name}"
            yield self.finding(
                f"Column {qualname} is {_spelled(column, base)} without a length; "
                "declare the maximum, as varchar(n).",
                object=qualname,
                aspect="type",
                help=f"Declare it as {column.name} varchar(n) with n the largest valid value "
                f"(ALTER TABLE {table.qualname} ALTER COLUMN {column.name} TYPE varchar(n)).",
            )


class IpAddressNotInet(ModelRule):
    """IP address column stored as text instead of `inet`.

    ## Why
    `inet` validates addresses on the way in, stores IPv4 and IPv6 compactly,
    and supports subnet operators (`<<=`) and GiST indexes. Text accepts
    `999.1.1.1` and compares `10.0.0.10` before `10.0.0.9`.

    ## Bad
    ```sql
    CREATE TABLE sessions (id uuid PRIMARY KEY, ip_address varchar(45));
    ```

    ## Good
    ```sql
    CREATE TABLE sessions (id uuid PRIMARY KEY, ip_address inet);
    ```

    ## Options
    - `patterns`: regular expressions on column names that mark IP address columns.
    """

    code = "T005"
    slug = "ip-address-not-inet"
    severity = "warning"
    tags = ("types",)
    options = (Option("patterns", list, IP_PATTERNS, "Regular expressions on names of IP address columns."),)
    validate_option = staticmethod(validate_patterns)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table, column, base in _columns(model):
            if not TEXT_TYPES.match(base) or not _matches(column.name, self.opts["patterns"]):
                continue
            qualname = f"{table.qualname}.{column.name}"
            yield self.finding(
                f"Column {qualname} is {_spelled(column, base)}; IP addresses must be inet.",
                object=qualname,
                aspect="type",
                help=f"Declare it as {column.name} inet (ALTER TABLE {table.qualname} ALTER COLUMN "
                f"{column.name} TYPE inet USING {column.name}::inet).",
            )


class BooleanNullableOrWithoutDefault(ModelRule):
    """Boolean column that is nullable or has no default.

    ## Why
    A nullable boolean has three states, and every query must say which of
    them `WHERE NOT is_active` means. A default says what a row inserted
    without the flag is: the standard (§3.3) has booleans `NOT NULL` with a
    `DEFAULT`.

    ## Bad
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, is_verified boolean);
    ```

    ## Good
    ```sql
    CREATE TABLE users (id uuid PRIMARY KEY, is_verified boolean NOT NULL DEFAULT false);
    ```

    ## Options
    - `exempt_tables`: table names or globs not checked.

    ## Notes
    Generated columns are not checked. Domains over boolean are resolved.
    """

    code = "T006"
    slug = "boolean-nullable-or-without-default"
    severity = "warning"
    tags = ("types",)
    options = (EXEMPT_TABLES,)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in model.tables.values():
            if table.partition_of:
                continue
            for column in table.columns:
                if (column.not_null and column.default) or column.generated is not None:
                    continue
                if column.type == "boolean" or column_type(model, column) == ("boolean", False):
                    yield from self._finding(table, column)

    def _finding(self, table: Table, column: Column) -> Iterator[Finding]:
        if exempt(table, self.opts["exempt_tables"]):
            return
        faults = [
            f for f, ok in (("is nullable", column.not_null), ("has no DEFAULT", column.default)) if not ok
        ]
        qualname = f"{table.qualname}.{column.name}"
        default = column.default or "false"
        yield self.finding(
            f"Boolean column {qualname} {' and '.join(faults)}; booleans must be NOT NULL with a DEFAULT.",
            object=qualname,
            aspect="not_null" if not column.not_null else "default",
            help=f"ALTER TABLE {sql_name(table.qualname)} ALTER COLUMN {quote_ident(column.name)} "
            f"SET DEFAULT {default}; then backfill NULLs and SET NOT NULL (see M008).",
        )


STATUS_COLUMNS = ["status", "state", "kind", "type", "*_status", "*_state", "*_kind", "*_type"]


def _check_values(expression: str | None, column: str) -> list[str] | None:
    """The values of a CHECK (column IN (…)) / (column = ANY (ARRAY[…])), None for any other check."""
    if expression is None or column not in expression or not ("ANY" in expression or " IN " in expression):
        return None  # parsing every CHECK of a wide schema costs more than this look
    tree = parse_expression(expression)
    for expr in find_nodes(tree, pb.A_Expr) if tree is not None else ():
        if expr.kind not in (pb.AEXPR_IN, pb.AEXPR_OP_ANY) or column_refs(expr.lexpr) != {column}:
            continue
        values = [c.sval.sval for c in find_nodes(expr.rexpr, pb.A_Const) if c.HasField("sval")]
        return values or None
    return None


class StatusCheckInsteadOfEnum(ModelRule):
    """Status-like text column limited by a CHECK (… IN (…)) list instead of an enum type.

    ## Why
    The standard (§3.3, §5.1) stores a fixed set of values as a custom enum
    type defined in the migrations: the type names the set once, every table
    that uses it agrees, and the ER diagram and the document show its
    values. A CHECK list on a text column repeats the set per table and
    drifts.

    ## Bad
    ```sql
    CREATE TABLE orders (
        id uuid PRIMARY KEY,
        status varchar(20) NOT NULL CHECK (status IN ('new', 'paid', 'shipped'))
    );
    ```

    ## Good
    ```sql
    CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
    CREATE TABLE orders (id uuid PRIMARY KEY, status order_status NOT NULL DEFAULT 'new');
    ```

    ## Options
    - `columns`: column names (globs) that count as status-like.
    - `exempt_tables`: table names or globs not checked.

    ## Notes
    When the values need labels, ordering or metadata, use a lookup table
    (§5.2) and a foreign key instead; that is not reported either.
    """

    code = "T007"
    slug = "status-check-instead-of-enum"
    severity = "warning"
    tags = ("types", "enums")
    options = (
        Option("columns", list, STATUS_COLUMNS, "Column names (globs) of status-like columns."),
        EXEMPT_TABLES,
    )

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        named = re.compile("|".join(fnmatch.translate(glob) for glob in self.opts["columns"]) or "(?!)")
        for table in model.tables.values():
            if table.partition_of or not any(c.kind == "check" for c in table.constraints):
                continue
            for column in table.columns:
                if named.match(column.name):
                    yield from self._findings(model, table, column)

    def _findings(self, model: Model, table: Table, column: Column) -> Iterator[Finding]:
        base, _ = column_type(model, column)
        if not TEXT_TYPES.match(base) or exempt(table, self.opts["exempt_tables"]):
            return
        for constraint in table.constraints:
            values = _check_values(constraint.expression, column.name) if constraint.kind == "check" else None
            if values is None:
                continue
            qualname = f"{table.qualname}.{column.name}"
            listed = ", ".join(f"'{v}'" for v in values)
            enum = quote_ident(f"{table.name.rstrip('s')}_{column.name}"[:63])
            yield self.finding(
                f"Column {qualname} is {column.type} limited by CHECK {constraint.name} to ({listed}); "
                "a fixed set of values must be an enum type.",
                object=qualname,
                help=f"CREATE TYPE {enum} AS ENUM ({listed}); then ALTER TABLE "
                f"{sql_name(table.qualname)} ALTER COLUMN {quote_ident(column.name)} TYPE {enum} "
                f"USING {quote_ident(column.name)}::{enum}; and drop {constraint.name}.",
            )
            return


RULES: tuple[type[Rule], ...] = (
    MoneyNotNumeric194,
    TimestampWithoutTimeZone,
    JsonInsteadOfJsonb,
    VarcharWithoutLength,
    IpAddressNotInet,
    BooleanNullableOrWithoutDefault,
    StatusCheckInsteadOfEnum,
)
