"""Differences → drift findings (D001–D016).

The codes, slugs, severities and documentation of the drift rules live in
``_RULES`` below, in one place; ``DRIFT_RULES`` exports them for reporters and
``schemalint rules``/``explain``. Objects the codes do not name are folded in:
schemas into D015 (database-level objects, like extensions), domains into D011
(user-defined types, like enums), a comment into the code of the object it is
on (a column comment is D005, a table comment D016, a schema comment D015).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemalint.drift.diff import Difference, format_value
from schemalint.findings import Finding, RuleInfo, Severity


@dataclass(frozen=True, slots=True)
class _Rule:
    code: str
    slug: str
    severity: Severity
    summary: str
    help: str
    why: str
    example: str

    def info(self) -> RuleInfo:
        description = f"{self.summary}\n\n## Why\n\n{self.why}\n\n## Example\n\n```\n{self.example}\n```\n"
        return RuleInfo(self.code, self.slug, self.severity, self.summary, description, ("drift",))


_RULES: tuple[_Rule, ...] = (
    _Rule(
        "D001",
        "table-missing-live",
        "error",
        "A declared table does not exist in the live database.",
        "Apply the migration that creates it, or remove it from the declared schema if it was dropped "
        "on purpose.",
        "Code that uses the table fails at run time; usually a migration was not applied.",
        "declared: CREATE TABLE public.invoices (id bigint PRIMARY KEY);\n"
        "live:     (no table public.invoices)",
    ),
    _Rule(
        "D002",
        "table-not-declared",
        "error",
        "A live table is not declared by any migration.",
        "Write a migration that creates it (or drops it, if it is a leftover), so that the migrations "
        "rebuild the database.",
        "A table created by hand is lost on the next rebuild from migrations and escapes review and lint.",
        "declared: (no table public.tmp_fix)\nlive:     CREATE TABLE public.tmp_fix (id integer);",
    ),
    _Rule(
        "D003",
        "column-missing-live",
        "error",
        "A declared column does not exist in the live table.",
        "Apply the migration that adds it, or remove it from the declared schema.",
        "Queries that select or write the column fail at run time.",
        "declared: ALTER TABLE public.orders ADD COLUMN note text;\n"
        "live:     public.orders has no column note",
    ),
    _Rule(
        "D004",
        "column-not-declared",
        "error",
        "A live column is not declared by any migration.",
        "Write a migration that adds (or drops) the column so that the migrations match the database.",
        "A column added by hand is lost on a rebuild; its data and constraints are unreviewed.",
        "declared: public.orders has no column legacy_code\nlive:     public.orders.legacy_code text",
    ),
    _Rule(
        "D005",
        "column-differs",
        "warning",
        "A column's type, nullability, default, identity, generated expression or collation differs.",
        "Write a migration that alters the live column to the declared definition (see "
        "`schemalint drift --sql`), or change the declaration to what production has.",
        "The application is written against the declared column; a different type, default or nullability "
        "changes what it stores and what it may write.",
        "declared: created_at timestamptz NOT NULL DEFAULT now()\nlive:     created_at timestamp",
    ),
    _Rule(
        "D006",
        "constraint-differs",
        "error",
        "A constraint is missing, extra, or defined differently (including its NOT VALID state).",
        "Add, drop or re-create the constraint with a migration; validate a NOT VALID constraint with "
        "ALTER TABLE … VALIDATE CONSTRAINT.",
        "Constraints are the guarantees the data relies on: a missing foreign key or check lets bad rows in, "
        "an extra one rejects writes the application expects to succeed.",
        "declared: CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers\n"
        "live:     (no constraint orders_customer_fk)",
    ),
    _Rule(
        "D007",
        "index-differs",
        "error",
        "An index is missing, extra, or defined differently (keys, predicate, uniqueness, method, …).",
        "Create, drop or re-create the index with a migration (CONCURRENTLY on a busy table).",
        "A missing index turns queries into sequential scans; a missing unique index lets duplicates in; "
        "an extra one slows every write.",
        "declared: CREATE INDEX idx_orders_open ON orders (created_at) WHERE status = 'open'\n"
        "live:     CREATE INDEX idx_orders_open ON orders (created_at)",
    ),
    _Rule(
        "D008",
        "rls-differs",
        "error",
        "Row level security is enabled or forced on one side only.",
        "ALTER TABLE … ENABLE (or FORCE) ROW LEVEL SECURITY as declared, in a migration.",
        "With RLS off, every policy is ignored and every tenant sees every row.",
        "declared: ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;\nlive:     RLS disabled",
    ),
    _Rule(
        "D009",
        "policy-differs",
        "warning",
        "A row level security policy is missing, extra, or defined differently.",
        "Create, drop or re-create the policy with a migration.",
        "Policies decide which rows each role sees and writes; a changed USING clause changes who sees what.",
        "declared: CREATE POLICY tenant ON orders USING (tenant_id = current_setting('app.tenant')::uuid)\n"
        "live:     CREATE POLICY tenant ON orders USING (true)",
    ),
    _Rule(
        "D010",
        "trigger-differs",
        "warning",
        "A trigger is missing, extra, disabled, or defined differently.",
        "Create, drop or re-create the trigger with a migration.",
        "Triggers keep derived data (updated_at, audit rows, counters) right; a missing one silently "
        "stops it.",
        "declared: CREATE TRIGGER orders_touch BEFORE UPDATE ON orders\n"
        "          FOR EACH ROW EXECUTE FUNCTION touch()\n"
        "live:     (no trigger orders_touch)",
    ),
    _Rule(
        "D011",
        "enum-differs",
        "error",
        "An enum's values or their order differ, or an enum or domain is missing, extra or different.",
        "ALTER TYPE … ADD VALUE for missing values; removing or reordering values needs a new type.",
        "Writing a value the live enum lacks fails; the order of values decides how they sort.",
        "declared: CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped')\n"
        "live:     CREATE TYPE order_status AS ENUM ('new', 'paid')",
    ),
    _Rule(
        "D012",
        "view-differs",
        "warning",
        "A view or materialized view is missing, extra, or has a different query.",
        "CREATE OR REPLACE the view (or re-create the materialized view) as declared, in a migration.",
        "Readers of the view get other rows or columns than the declared query returns.",
        "declared: CREATE VIEW open_orders AS SELECT * FROM orders WHERE status = 'open'\n"
        "live:     CREATE VIEW open_orders AS SELECT * FROM orders",
    ),
    _Rule(
        "D013",
        "function-differs",
        "warning",
        "A function or procedure is missing, extra, or differs (body, return type, volatility, security, …).",
        "CREATE OR REPLACE the function as declared, in a migration.",
        "A function edited by hand in production is lost on the next deploy of the declared version.",
        "declared: CREATE FUNCTION touch() … NEW.updated_at = now() …\n"
        "live:     CREATE FUNCTION touch() … NEW.updated_at = clock_timestamp() …",
    ),
    _Rule(
        "D014",
        "sequence-differs",
        "warning",
        "A sequence is missing, extra, or has different options.",
        "ALTER SEQUENCE (or create/drop it) as declared, in a migration.",
        "Another increment, type or cycle setting changes the ids the application receives.",
        "declared: CREATE SEQUENCE invoice_no INCREMENT 1\nlive:     CREATE SEQUENCE invoice_no INCREMENT 10",
    ),
    _Rule(
        "D015",
        "extension-differs",
        "warning",
        "An extension or schema is missing, extra, or (an extension) lives in another schema.",
        "CREATE EXTENSION / CREATE SCHEMA as declared, or declare what the database has.",
        "Objects that use an extension's types or functions fail to create or run without it.",
        "declared: CREATE EXTENSION pgcrypto;\nlive:     (no extension pgcrypto)",
    ),
    _Rule(
        "D016",
        "table-differs",
        "warning",
        "A table's kind, persistence, partitioning, inheritance or comment differs.",
        "Write a migration that changes the live table to the declared definition; changing the "
        "partition key means re-creating the table.",
        "An UNLOGGED table loses its rows on a crash; a partition not attached is not seen by the parent.",
        "declared: CREATE TABLE events (…) PARTITION BY RANGE (created_at)\n"
        "live:     CREATE TABLE events (…)",
    ),
)

DRIFT_RULES: tuple[RuleInfo, ...] = tuple(rule.info() for rule in _RULES)
_BY_CODE: dict[str, _Rule] = {rule.code: rule for rule in _RULES}

# the code of a (kind, change); "changed" of a table/column alone depends on the attribute
_CODES: dict[str, str] = {
    "schema": "D015",
    "extension": "D015",
    "enum": "D011",
    "domain": "D011",
    "sequence": "D014",
    "function": "D013",
    "column": "D005",
    "constraint": "D006",
    "index": "D007",
    "trigger": "D010",
    "policy": "D009",
    "rls": "D008",
    "view": "D012",
    "table": "D016",
}
# comments fold into the code of the commented object
_COMMENT_CODES: dict[str, str] = {
    "schema": "D015",
    "type": "D011",
    "domain": "D011",
    "sequence": "D014",
    "function": "D013",
    "table": "D016",
    "column": "D005",
    "constraint": "D006",
    "index": "D007",
    "view": "D012",
    "materialized view": "D012",
}
_ATTRIBUTE_WORDS = {"not_null": "nullability", "identity": "identity", "ref_table": "referenced table"}
_KIND_WORDS = {"rls": "Row level security of table"}


def _code(difference: Difference) -> str:
    if difference.kind == "table" and difference.change != "changed":
        return "D001" if difference.change == "missing" else "D002"
    if difference.kind == "column" and difference.change != "changed":
        return "D003" if difference.change == "missing" else "D004"
    if difference.kind == "comment":
        return _COMMENT_CODES.get(difference.attribute or "", "D016")
    return _CODES[difference.kind]


def _value(attribute: str, value: object) -> str:
    if attribute == "not_null" and isinstance(value, bool):
        return "NOT NULL" if value else "NULL allowed"
    if value is None:
        return "none"
    if isinstance(value, str) and not value:
        return "''"
    return format_value(value)


def _message(difference: Difference, declared_label: str, live_label: str) -> str:
    if difference.kind == "comment":
        what = f"Comment on {difference.attribute} {difference.object}"
    else:
        what = f"{_KIND_WORDS.get(difference.kind, difference.kind.capitalize())} {difference.object}"
    if difference.change == "missing":
        return f"{what} is declared in {declared_label} but missing from {live_label}."
    if difference.change == "extra":
        return f"{what} exists in {live_label} but is not declared in {declared_label}."
    attribute = difference.attribute or ""
    declared, live = _value(attribute, difference.declared), _value(attribute, difference.live)
    if difference.kind == "comment":
        return f"{what} differs: {declared_label} declares {declared}, {live_label} has {live}."
    word = _ATTRIBUTE_WORDS.get(attribute, attribute.replace("_", " "))
    return f"{what} differs in {word}: {declared_label} declares {declared}, {live_label} has {live}."


def drift_findings(
    differences: Sequence[Difference], *, declared_label: str, live_label: str
) -> list[Finding]:
    """One finding per difference, in the order of the differences."""
    findings: list[Finding] = []
    for difference in differences:
        rule = _BY_CODE[_code(difference)]
        findings.append(
            Finding(
                code=rule.code,
                slug=rule.slug,
                severity=rule.severity,
                message=_message(difference, declared_label, live_label),
                help=rule.help,
                location=difference.location,
                object=difference.object,
                source=live_label,
            )
        )
    return findings
