"""Drift: findings from differences, and the migra-style round trip on real PostgreSQL.

For every folder tests/drift_cases/<case>/ with a.sql (the live database) and
b.sql (the declared schema): load each into a fresh database, introspect both,
and check that diff_models(b, a) is exactly expected.txt (one str(Difference)
per line); then run reconcile_sql(..., unsafe=True) on a and check that a
second diff is empty (or is exactly left.txt: what the script leaves to a person).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import postgast
import psycopg
import pytest
from conftest import CORPUS, skip_without_extensions

from schemalint.drift.diff import Difference, diff_models
from schemalint.drift.reconcile import reconcile_sql
from schemalint.drift.rules import DRIFT_RULES, drift_findings
from schemalint.drift.verify import split_manual
from schemalint.model import Collation, Column, Constraint, Enum, Extension, Function, Location, Model, Table
from schemalint.sources.dsn import database_name

CASES = Path(__file__).parent / "drift_cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "a.sql").is_file())


def run_script(dsn: str, script: str) -> None:
    """Run each statement on its own, as psql does (autocommit)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in postgast.split(script):
            connection.execute(statement.encode())


def introspect(dsn: str) -> Model:
    from schemalint.sources.catalog import introspect as read

    return read(dsn)


@pytest.mark.catalog
@pytest.mark.parametrize("case", CASE_NAMES)
def test_drift_case_round_trip(case: str, make_db: Callable[[], str]) -> None:
    folder = CASES / case
    live_dsn, declared_dsn = make_db(), make_db()
    skip_without_extensions(live_dsn, folder)
    run_script(live_dsn, (folder / "a.sql").read_text())
    run_script(declared_dsn, (folder / "b.sql").read_text())
    declared, live = introspect(declared_dsn), introspect(live_dsn)

    differences = diff_models(declared, live)
    expected = (folder / "expected.txt").read_text().splitlines()
    assert [str(d) for d in differences] == expected

    script = reconcile_sql(differences, declared, live, unsafe=True)
    run_script(live_dsn, script)
    after, manual = split_manual(diff_models(declared, introspect(live_dsn)))
    assert [str(d) for d in after] == left_by_hand(case), script
    for difference in manual:  # column order: the script says it is left to a manual step
        table = difference.object.rsplit(".", 1)[0]
        marked = [line for line in script.splitlines() if line.startswith("-- MANUAL:") and table in line]
        assert marked, (str(difference), script)


def left_by_hand(case: str) -> list[str]:
    """The differences a case's script leaves to a person (its MANUAL steps), from left.txt."""
    left = CASES / case / "left.txt"
    return left.read_text().splitlines() if left.is_file() else []


def test_every_case_has_expectations() -> None:
    assert len(CASE_NAMES) >= 12
    for case in CASE_NAMES:
        assert (CASES / case / "b.sql").is_file(), case
        assert (CASES / case / "expected.txt").read_text().strip(), case


# drift findings on hand-built differences ---------------------------------------------------

WHERE = Location("db/migrations/V1__init.sql", 3, 1, 3, 40)


def _findings(*differences: Difference) -> list[tuple[str, str, str]]:
    return [
        (f.code, f.severity, f.message)
        for f in drift_findings(differences, declared_label="migrations", live_label="prod")
    ]


def test_codes_severities_and_messages() -> None:
    findings = _findings(
        Difference("table", "public.invoices", "missing", location=WHERE),
        Difference("table", "public.tmp", "extra"),
        Difference("column", "public.orders.note", "missing"),
        Difference("column", "public.orders.fax", "extra"),
        Difference("column", "public.orders.created_at", "changed", "not_null", True, False),
        Difference("constraint", "public.orders.orders_fk", "changed", "validated", True, False),
        Difference("enum", "public.status", "changed", "values", ("a", "b", "c"), ("a", "b")),
    )
    assert findings == [
        ("D001", "error", "Table public.invoices is declared in migrations but missing from prod."),
        ("D002", "error", "Table public.tmp exists in prod but is not declared in migrations."),
        ("D003", "error", "Column public.orders.note is declared in migrations but missing from prod."),
        ("D004", "error", "Column public.orders.fax exists in prod but is not declared in migrations."),
        (
            "D005",
            "warning",
            "Column public.orders.created_at differs in nullability: migrations declares NOT NULL, "
            "prod has NULL allowed.",
        ),
        (
            "D006",
            "error",
            "Constraint public.orders.orders_fk differs in validated: migrations declares true, "
            "prod has false.",
        ),
        (
            "D011",
            "error",
            "Enum public.status differs in values: migrations declares (a, b, c), prod has (a, b).",
        ),
    ]


def test_finding_carries_location_object_and_help() -> None:
    [finding] = drift_findings(
        [Difference("index", "public.idx_a", "missing", location=WHERE)], declared_label="m", live_label="p"
    )
    assert (finding.code, finding.slug, finding.location, finding.object) == (
        "D007",
        "index-differs",
        WHERE,
        "public.idx_a",
    )
    assert finding.help and "index" in finding.help


def test_folded_kinds_use_the_nearest_code_and_comments_are_info() -> None:
    codes = [
        f.code
        for f in drift_findings(
            [
                Difference("schema", "billing", "missing"),
                Difference("domain", "public.email", "extra"),
                Difference("comment", "public.orders.id", "changed", "column", "a", None),
                Difference("comment", "public.orders", "changed", "table", "a", "b"),
                Difference("table", "public.events", "changed", "partition_key", "RANGE (at)", None),
                Difference("rls", "public.orders", "changed", "forced", True, False),
            ],
            declared_label="m",
            live_label="p",
        )
    ]
    assert codes == ["D015", "D011", "D017", "D017", "D016", "D008"]


def test_drift_rules_table() -> None:
    codes = [r.code for r in DRIFT_RULES]
    assert codes == [f"D{n:03d}" for n in range(1, 21)]
    assert len({r.slug for r in DRIFT_RULES}) == len(DRIFT_RULES)
    errors = {r.code for r in DRIFT_RULES if r.severity == "error"}
    assert errors == {"D001", "D002", "D003", "D004", "D006", "D007", "D008", "D009", "D011", "D018"}
    security = {r.code for r in DRIFT_RULES if "security" in r.tags}
    assert security == {"D008", "D009", "D018"}  # RLS flags, policies, privileges: security errors
    assert {r.code for r in DRIFT_RULES if r.severity == "info"} == {"D017", "D019"}  # comments, order
    for rule in DRIFT_RULES:
        assert "## Why" in rule.description and "## Bad" in rule.description, rule.code


# the reconciliation script on hand-built models ---------------------------------------------------


def _table(*columns: Column, constraints: tuple[Constraint, ...] = ()) -> Table:
    return Table("public", "orders", columns=columns, constraints=constraints)


def test_unsafe_statements_are_commented_out_unless_asked() -> None:
    declared = Model(tables={"public.orders": _table(Column("id", "bigint", True))})
    live = Model(tables={"public.orders": _table(Column("id", "bigint", True), Column("fax", "text"))})
    differences = diff_models(declared, live)
    safe = reconcile_sql(differences, declared, live)
    label = "-- UNSAFE: deletes the column and its data; lock: ACCESS EXCLUSIVE (brief, no rewrite or scan)"
    assert f"{label}\n-- ALTER TABLE public.orders DROP COLUMN fax;" in safe
    unsafe = reconcile_sql(differences, declared, live, unsafe=True)
    assert f"{label}\nALTER TABLE public.orders DROP COLUMN fax;" in unsafe


def test_identifiers_are_quoted_only_when_needed() -> None:
    table = Table(
        "Sales",
        "order",
        columns=(Column("id", "bigint", True), Column("Unit Price", "numeric(19,4)"), Column("user", "text")),
    )
    script = reconcile_sql(
        diff_models(Model(tables={table.qualname: table}), Model()),
        Model(tables={table.qualname: table}),
        Model(),
    )
    assert (
        'CREATE TABLE "Sales"."order" (\n    id bigint NOT NULL,\n    "Unit Price" numeric(19,4),\n' in script
    )
    assert '    "user" text\n)' in script


def test_dependency_order_creates_before_use_and_drops_in_reverse() -> None:
    status = Enum("public", "status", ("new", "done"))
    customers = Table(
        "public",
        "customers",
        columns=(Column("id", "bigint", True),),
        constraints=(Constraint("customers_pkey", "primary key", ("id",)),),
    )
    orders = Table(
        "public",
        "orders",
        columns=(Column("id", "bigint", True), Column("customer_id", "bigint"), Column("s", "public.status")),
        constraints=(
            Constraint("orders_customer_fk", "foreign key", ("customer_id",), "public.customers", ("id",)),
        ),
    )
    declared = Model(enums={status.qualname: status}, tables={t.qualname: t for t in (orders, customers)})
    script = reconcile_sql(diff_models(declared, Model()), declared, Model())
    positions = [
        script.index(s)
        for s in (
            "CREATE TYPE public.status",
            "CREATE TABLE public.customers",
            "CREATE TABLE public.orders",
            "ADD CONSTRAINT customers_pkey",
            "ADD CONSTRAINT orders_customer_fk",
        )
    ]
    assert positions == sorted(positions)
    dropped = reconcile_sql(diff_models(Model(), declared), Model(), declared, unsafe=True)
    assert dropped.index("DROP TABLE IF EXISTS public.orders") < dropped.index("DROP TYPE public.status")


def test_no_differences_says_so() -> None:
    assert "no differences" in reconcile_sql([], Model(), Model())


# reconciling real schemas: build a whole corpus schema from nothing, then drop it all ------------


@pytest.mark.catalog
@pytest.mark.corpus
@pytest.mark.parametrize("entry", ["zooniverse-panoptes"])
def test_reconcile_builds_and_drops_a_corpus_schema(
    entry: str, pg_admin: str, make_db: Callable[[], str]
) -> None:
    if not (CORPUS / "load.py").is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    import subprocess
    import sys

    from conftest import missing_extensions

    missing = missing_extensions(pg_admin, "intarray", "pg_stat_statements", "pg_trgm")
    if missing:
        pytest.skip(f"the server lacks extension(s) {', '.join(missing)} that {entry} creates")
    loaded, empty = make_db(), make_db()
    database = database_name(loaded)
    subprocess.run(
        [sys.executable, str(CORPUS / "load.py"), "apply", entry, "--dsn", pg_admin, "--database", database],
        check=True,
        capture_output=True,
    )
    declared, nothing = introspect(loaded), introspect(empty)
    assert declared.tables

    run_script(empty, reconcile_sql(diff_models(declared, nothing), declared, nothing))
    assert [str(d) for d in diff_models(declared, introspect(empty))] == []

    run_script(loaded, reconcile_sql(diff_models(nothing, declared), nothing, declared, unsafe=True))
    assert [str(d) for d in diff_models(nothing, introspect(loaded))] == []


def test_a_privilege_difference_names_object_grantee_and_privilege_at_the_grant() -> None:
    from schemalint.sources.sql.parse import parse_sql
    from schemalint.sources.sql.replay import replay_files

    table = "CREATE TABLE orders (id bigint PRIMARY KEY);\n"
    declared = replay_files([parse_sql(table + "GRANT SELECT ON orders TO reporting;\n", "m.sql")]).model
    live = replay_files(
        [parse_sql(table + "GRANT SELECT, UPDATE ON orders TO reporting WITH GRANT OPTION;\n", "l.sql")]
    ).model
    differences = diff_models(declared, live)
    assert [str(d) for d in differences] == [
        "table public.orders: privilege UPDATE to reporting WITH GRANT OPTION granted in live, not declared",
        "table public.orders: privilege SELECT to reporting declared, "
        "SELECT to reporting WITH GRANT OPTION in live",
    ]
    findings = drift_findings(differences, declared_label="migrations", live_label="prod")
    assert [(f.code, f.severity, f.object, f.message) for f in findings] == [
        (
            "D018",
            "error",
            "public.orders",
            "Table public.orders: privilege UPDATE to reporting WITH GRANT OPTION is granted in prod "
            "but not declared in migrations.",
        ),
        (
            "D018",
            "error",
            "public.orders",
            "Table public.orders: privilege differs: migrations declares SELECT to reporting, prod has "
            "SELECT to reporting WITH GRANT OPTION.",
        ),
    ]
    # the declared grant is where the finding points (the missing UPDATE: at the table)
    assert [f.location.line if f.location else None for f in findings] == [1, 2]


def test_built_in_defaults_equal_no_grant_and_revoking_them_differs() -> None:
    from schemalint.sources.sql.parse import parse_sql
    from schemalint.sources.sql.replay import replay_files

    function = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
    plain = replay_files([parse_sql(function, "a.sql")]).model
    spelled = replay_files([parse_sql(function + "GRANT EXECUTE ON FUNCTION f() TO PUBLIC;\n", "b.sql")])
    revoked = replay_files([parse_sql(function + "REVOKE ALL ON FUNCTION f() FROM PUBLIC;\n", "c.sql")])
    assert diff_models(plain, spelled.model) == []
    assert [str(d) for d in diff_models(revoked.model, plain)] == [
        "function public.f(): privilege EXECUTE to PUBLIC granted in live, not declared"
    ]


def test_inheritance_parents_are_created_first_and_dropped_last() -> None:
    parent = Table("public", "z_parent", columns=(Column("id", "integer"),))
    child = Table(
        "public",
        "a_child",
        columns=(Column("id", "integer", local=False, inherited=1), Column("x", "integer")),
        inherits=("public.z_parent",),
    )
    both = Model(tables={parent.qualname: parent, child.qualname: child})
    create = reconcile_sql(diff_models(both, Model()), both, Model())
    # the child declares only its own column: id comes from the parent
    assert create.index("CREATE TABLE public.z_parent") < create.index(
        "CREATE TABLE public.a_child (\n    x integer\n) INHERITS (public.z_parent)"
    )
    drop = reconcile_sql(diff_models(Model(), both), Model(), both, unsafe=True)
    assert drop.index("DROP TABLE IF EXISTS public.a_child") < drop.index(
        "DROP TABLE IF EXISTS public.z_parent"
    )


def test_renamed_arguments_drop_and_create_the_function() -> None:
    def model(arguments: str) -> Model:
        function = Function("public", "greet", "text", "text", "sql", body="SELECT $1", arguments=arguments)
        return Model(functions={function.qualname: function})

    declared, live = model("name text"), model("who text")
    script = reconcile_sql(diff_models(declared, live), declared, live, unsafe=True)
    drop = "-- UNSAFE: the arguments changes: drops the function and what depends on it"
    assert script.index(f"{drop}; no lock on existing rows\nDROP FUNCTION IF EXISTS public.greet(text);") < (
        script.index("CREATE OR REPLACE FUNCTION public.greet(name text) RETURNS text")
    )


def test_collations_and_extension_versions_are_reconciled() -> None:
    collation = Collation("public", "bytewise", lc_collate="C", lc_ctype="C", deterministic=False)
    declared = Model(
        collations={collation.qualname: collation},
        extensions={"citext": Extension("citext", "public", "1.6")},
    )
    live = Model(extensions={"citext": Extension("citext", "public", "1.4")})
    script = reconcile_sql(diff_models(declared, live), declared, live)
    assert "ALTER EXTENSION citext UPDATE TO '1.6';" in script
    assert (
        "CREATE COLLATION public.bytewise (provider = libc, lc_collate = 'C', lc_ctype = 'C', "
        "deterministic = false);" in script
    )
    missing = reconcile_sql(diff_models(declared, Model()), declared, Model())
    assert "CREATE EXTENSION IF NOT EXISTS citext SCHEMA public VERSION '1.6';" in missing


def test_column_order_is_a_manual_step() -> None:
    declared = Model(
        tables={"public.orders": _table(Column("id", "bigint"), Column("b", "text"), Column("a", "text"))}
    )
    live = Model(
        tables={"public.orders": _table(Column("id", "bigint"), Column("a", "text"), Column("b", "text"))}
    )
    script = reconcile_sql(diff_models(declared, live), declared, live, unsafe=True)
    assert (
        "-- MANUAL: column public.orders.b is at position 3 in live, 2 declared: reordering columns" in script
    )
    assert "ALTER TABLE" not in script
