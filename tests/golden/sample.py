"""One multi-rule report, built by hand, that every format's golden file renders.

It covers: errors, warnings and infos; single- and multi-line statements; a
finding without help; two findings sharing a fingerprint; a suppressed
finding; a code no rule registers (E001); findings on a live database
(no location); and text that every format must escape (% , : | newlines).
"""

from __future__ import annotations

from schemalint import __version__
from schemalint.baseline import BaselineEntry
from schemalint.findings import Finding, RuleInfo
from schemalint.model import Location
from schemalint.report import Report

V1 = "db/migrations/V001__init.sql"
V2 = "db/migrations/V002__orders.sql"
LIVE = "postgresql://app@db.example.com:5432/app"

SOURCES: dict[str, str] = {
    V1: (
        "CREATE TABLE Orders (\n"
        "    id serial PRIMARY KEY,\n"
        "    amount float8 NOT NULL,\n"
        "    placed timestamp\n"
        ");\n"
        "CREATE INDEX orders_placed ON Orders (placed);\n"
    ),
    V2: (
        "SET lock_timeout = '5s';\n"
        "ALTER TABLE orders ADD COLUMN ref uuid DEFAULT gen_random_uuid();\n"
        "ALTER TABLE orders RENAME COLUMN amount TO total;\n"
        "CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();\n"
    ),
}

RULES: dict[str, RuleInfo] = {
    info.code: info
    for info in (
        RuleInfo(
            "M001",
            "add-column-volatile-default",
            "error",
            "Adding a column with a volatile default rewrites the table.",
            "## Why\n\nA volatile default forces a rewrite under an ACCESS EXCLUSIVE lock.\n",
            ("migration", "locking"),
        ),
        RuleInfo("M004", "rename-column", "warning", "Renaming a column breaks running application code."),
        RuleInfo("N001", "table-name-not-snake-plural", "warning", "Table names are snake_case plurals."),
        RuleInfo("T001", "float-money", "error", "Money columns are numeric(19,4), never float."),
        RuleInfo("T005", "timestamp-without-time-zone", "info", "Timestamps carry a time zone."),
        RuleInfo("I002", "index-name-prefix", "info", "Index names start with idx_."),
        RuleInfo("R001", "rls-disabled", "error", "Tenant tables have row level security enabled."),
        RuleInfo("D001", "column-type-drift", "error", "A column's live type differs from the migrations."),
    )
}


def findings() -> list[Finding]:
    return [
        Finding(
            "M001",
            "add-column-volatile-default",
            "error",
            "Adding column public.orders.ref with volatile default gen_random_uuid() rewrites public.orders.",
            "Add the column without a default, then backfill in batches and set the default.",
            Location(V2, 2, 1, 2, 64),
            "public.orders.ref",
            "fp-m001-ref",
            source=V2,
        ),
        Finding(
            "M004",
            "rename-column",
            "warning",
            "Renaming column public.orders.amount to total breaks code that reads amount.",
            None,
            Location(V2, 3, 1, 3, 48),
            "public.orders.amount",
            "fp-m004",
            source=V2,
        ),
        Finding(
            "E001",
            "unparsed-statement",
            "warning",
            "CREATE TRIGGER t on public.orders was not replayed: function f() is unknown.",
            "Create the function before the trigger, or ignore with -- schemalint: ignore[E001].",
            Location(V2, 4, 1, 4, 75),
            "public.orders.t",
            "fp-e001",
            source=V2,
        ),
        Finding(
            "N001",
            "table-name-not-snake-plural",
            "warning",
            "Table public.Orders is not snake_case plural; expected orders.",
            'Rename the table: ALTER TABLE "Orders" RENAME TO orders;',
            Location(V1, 1, 1, 5, 2),
            "public.Orders",
            "fp-n001",
            source=V1,
        ),
        Finding(
            "T001",
            "float-money",
            "error",
            "Column public.Orders.amount is double precision; money columns must be numeric(19,4).",
            "Use numeric(19,4).",
            Location(V1, 3, 5, 3, 26),
            "public.Orders.amount",
            "fp-t001",
            source=V1,
        ),
        Finding(
            "T005",
            "timestamp-without-time-zone",
            "info",
            "Column public.Orders.placed is timestamp without time zone; use timestamptz.",
            "Use timestamp with time zone.",
            Location(V1, 4, 5, 4, 20),
            "public.Orders.placed",
            "fp-t005",
            source=V1,
        ),
        # two occurrences of one fingerprint (same statement text twice)
        Finding(
            "I002",
            "index-name-prefix",
            "info",
            "Index public.orders_placed does not start with idx_ (50% of indexes, a:b, c|d).",
            "Rename it:\nALTER INDEX orders_placed RENAME TO idx_orders_placed;",
            Location(V1, 6, 1, 6, 46),
            "public.orders_placed",
            "fp-i002",
            source=V1,
        ),
        Finding(
            "I002",
            "index-name-prefix",
            "info",
            "Index public.orders_placed does not start with idx_ (50% of indexes, a:b, c|d).",
            "Rename it:\nALTER INDEX orders_placed RENAME TO idx_orders_placed;",
            Location(V1, 6, 1, 6, 46),
            "public.orders_placed",
            "fp-i002",
            source=V1,
        ),
        Finding(
            "R001",
            "rls-disabled",
            "error",
            "Table public.orders has a tenant_id column but row level security is disabled.",
            "ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;",
            Location(V2, 2, 1, 2, 64),
            "public.orders",
            "fp-r001",
            suppressed=True,
            source=V2,
        ),
        Finding(
            "D001",
            "column-type-drift",
            "error",
            "Column public.orders.total is numeric(19,4) in the migrations but numeric in the database.",
            "ALTER TABLE public.orders ALTER COLUMN total TYPE numeric(19,4);",
            None,
            "public.orders.total",
            "fp-d001",
            source=LIVE,
        ),
        Finding(
            "R001",
            "rls-disabled",
            "error",
            "Table public.invoices has a tenant_id column but row level security is disabled.",
            None,
            None,
            "public.invoices",
            "fp-r001-inv",
            source=LIVE,
        ),
    ]


def report() -> Report:
    return Report(
        findings=findings(),
        rules=RULES,
        tool_version=__version__,
        files=2,
        statements=6,
        objects=14,
        sources=("db/migrations", LIVE),
        fixed=(
            BaselineEntry("fp-gone", "N001", "public.Customer", "Table public.Customer is not plural.", 1),
        ),
        command="lint",
    )


def source_text(path: str) -> str | None:
    return SOURCES.get(path)
