"""Drift you can gate on: findings go through the engine's settings, suppression, fingerprints
and baseline, and any difference fails the run by default."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_sql, skip_without_extensions

from schemalint.baseline import write_baseline
from schemalint.cli import main
from schemalint.config import load_settings
from schemalint.drift.diff import diff_models
from schemalint.engine import check_drift
from schemalint.sources.load import load

CASES = Path(__file__).parent / "drift_cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "a.sql").is_file())

ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\nCOMMENT ON TABLE orders IS '{}';\n"


def drift(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["drift", *argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def standing(report: dict[str, Any]) -> list[str]:
    return sorted(f["code"] for f in report["findings"] if not f["suppressed"])


@pytest.mark.catalog
@pytest.mark.parametrize("case", CASE_NAMES)
def test_every_drift_case_exits_1(
    case: str, pg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """b.sql is declared, a.sql is what the live database has: every case differs, so it fails."""
    monkeypatch.chdir(tmp_path)
    skip_without_extensions(pg, CASES / case)
    run_sql(pg, (CASES / case / "a.sql").read_text())
    code, report = drift(capsys, str(CASES / case / "b.sql"), pg)
    assert code == 1, report
    assert standing(report)


def test_a_comment_alone_is_info_and_fails_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "declared.sql").write_text(ORDERS.format("One row per order."))
    (tmp_path / "live.sql").write_text(ORDERS.format("legacy"))
    code, report = drift(capsys, "declared.sql", "live.sql")
    assert code == 1 and [(f["code"], f["severity"]) for f in report["findings"]] == [("D017", "info")]
    assert drift(capsys, "declared.sql", "live.sql", "--fail-on", "warning")[0] == 0
    (tmp_path / ".schemalint.yaml").write_text("fail-on: warning\n")  # the config lowers the bar too
    assert drift(capsys, "declared.sql", "live.sql")[0] == 0
    assert drift(capsys, "declared.sql", "live.sql", "--fail-on", "info")[0] == 1  # the CLI wins


def test_config_ignores_and_severities_apply_to_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "declared.sql").write_text("CREATE TABLE orders (id bigint PRIMARY KEY);")
    (tmp_path / "live.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\nCREATE TABLE tmp_fix (id int);"
    )
    code, report = drift(capsys, "declared.sql", "live.sql")
    assert (code, standing(report)) == (1, ["D002", "D004"])
    (tmp_path / ".schemalint.yaml").write_text(
        "per-object-ignores:\n  public.tmp_*: [table-not-declared]\nseverity:\n  D004: info\n"
    )
    code, report = drift(capsys, "declared.sql", "live.sql", "--fail-on", "warning")
    assert (code, standing(report)) == (0, ["D004"])
    assert [f["severity"] for f in report["findings"] if f["code"] == "D004"] == ["info"]
    assert drift(capsys, "declared.sql", "live.sql", "--ignore", "D004")[1]["findings"][0]["suppressed"]


def _fingerprints(declared: Path, live: Path) -> list[str]:
    settings = load_settings(declared.parent, discover=False)
    differences = diff_models(load(str(declared)).model, load(str(live)).model)
    result, _ = check_drift(differences, settings, declared_label="declared", live_label="prod")
    assert all(f.fingerprint for f in result.findings)
    return [f.fingerprint for f in result.findings]


def test_fingerprints_are_stable_across_runs_and_line_moves(tmp_path: Path) -> None:
    declared, live = tmp_path / "declared.sql", tmp_path / "live.sql"
    declared.write_text("CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4));")
    live.write_text("CREATE TABLE orders (id bigint PRIMARY KEY, total float8, extra text);")
    first = _fingerprints(declared, live)
    assert len(set(first)) == 2 and first == _fingerprints(declared, live)
    declared.write_text("-- moved down\n\n\n" + declared.read_text())
    assert _fingerprints(declared, live) == first


def test_a_baseline_hides_known_drift_and_only_that(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "declared.sql").write_text("CREATE TABLE orders (id bigint PRIMARY KEY);")
    (tmp_path / "live.sql").write_text("CREATE TABLE orders (id bigint PRIMARY KEY, note text);")
    settings = load_settings(tmp_path, discover=False)
    differences = diff_models(load("declared.sql").model, load("live.sql").model)
    result, _ = check_drift(differences, settings, declared_label="declared.sql", live_label="live.sql")
    (tmp_path / "baseline.json").write_text(write_baseline(result.findings))
    code, report = drift(capsys, "declared.sql", "live.sql", "--baseline", "baseline.json")
    assert (code, standing(report)) == (0, [])
    (tmp_path / "live.sql").write_text("CREATE TABLE orders (id bigint PRIMARY KEY, note text, more int);")
    code, report = drift(capsys, "declared.sql", "live.sql", "--baseline", "baseline.json")
    assert (code, [f["object"] for f in report["findings"] if not f["suppressed"]]) == (
        1,
        ["public.orders.more"],
    )
    script = tmp_path / "fix.sql"
    assert (
        main(["drift", "declared.sql", "live.sql", "--baseline", "baseline.json", "--sql", "-o", str(script)])
        == 1
    )
    assert "more" in script.read_text() and "note" not in script.read_text()  # the baseline's drift is left


# the script: honest labels, and it passes schemalint's own migration-safety rules ---------------


def _script(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    out = tmp_path / f"{case}.sql"
    folder = CASES / case
    code = main(["drift", str(folder / "b.sql"), str(folder / "a.sql"), "--sql", "-o", str(out), *extra])
    capsys.readouterr()
    assert code == 1
    return out.read_text()


@pytest.mark.parametrize("case", CASE_NAMES)
def test_the_script_passes_the_migration_safety_rules(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Linted as the migration after the live schema (V1 = a.sql), the script has no error."""
    from schemalint.engine import lint_files

    monkeypatch.chdir(tmp_path)
    script = _script(case, tmp_path, capsys)
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "V1__live.sql").write_text((CASES / case / "a.sql").read_text())
    (migrations / "V2__reconcile.sql").write_text(script)
    settings = load_settings(tmp_path, discover=False, cli_overrides={"select": ["M"]})
    result = lint_files([migrations / "V2__reconcile.sql"], settings, migrations_dir=migrations)
    errors = [f"{f.location} {f.code} {f.message}" for f in result.findings if f.severity == "error"]
    assert not errors, "\n".join(errors) + "\n" + script


@pytest.mark.parametrize("case", CASE_NAMES)
def test_every_statement_is_labelled_with_its_lock(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    monkeypatch.chdir(tmp_path)
    script = _script(case, tmp_path, capsys)
    assert "SET lock_timeout = '5s';" in script
    labels = re.findall(
        r"^-- (safe|BLOCKS WRITES|UNSAFE: [^\n]*?); (lock: [^\n]*|no lock[^\n]*)\n(?:-- )?(.*)$", script, re.M
    )
    assert labels, script
    verdicts = [
        line for line in script.splitlines() if line.startswith(("-- safe", "-- BLOCKS", "-- UNSAFE"))
    ]
    assert len(labels) == len(verdicts) - 2, script  # all but the two SETs of the header name a lock
    for verdict, lock, statement in labels:
        assert lock.startswith(("lock: ", "no lock")), (verdict, lock, statement)
        if verdict == "safe":
            assert "ACCESS EXCLUSIVE (" not in lock and "SHARE ROW EXCLUSIVE (" not in lock, statement
        partitioned = "partitioned table" in verdict  # PostgreSQL has no CONCURRENTLY there: unsafe
        on_new = "a table this script creates" in lock
        if re.match(r"(CREATE( UNIQUE)? INDEX|DROP INDEX) ", statement) and not (on_new or partitioned):
            assert "CONCURRENTLY" in statement, statement


# the order of the script: dependants dropped before and re-created after what they read ---------


def _in_order(script: str, *statements: str) -> None:
    """Each statement is in the script once, in this order."""
    for statement in statements:
        assert script.count(statement) == 1, (statement, script)
    positions = [script.index(s) for s in statements]
    assert positions == sorted(positions), script


def _label(script: str, statement: str) -> str:
    """The label line above a statement (written out or commented out)."""
    lines = script.splitlines()
    found = [i for i, line in enumerate(lines) if line.removeprefix("-- ").startswith(statement)]
    assert len(found) == 1, (statement, script)
    return lines[found[0] - 1]


def test_views_are_dropped_and_re_created_around_a_column_type_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script("view_dependants", tmp_path, capsys, "--unsafe")
    _in_order(
        script,
        "DROP POLICY IF EXISTS small_orders ON public.orders;",
        "DROP VIEW IF EXISTS public.labelled;",
        "DROP VIEW IF EXISTS public.order_labels;",
        "DROP VIEW IF EXISTS reporting.big_orders;",  # views on views first
        "DROP MATERIALIZED VIEW IF EXISTS reporting.status_summary;",
        "DROP VIEW IF EXISTS reporting.order_totals;",
        "ALTER TABLE public.orders ALTER COLUMN id TYPE bigint;",
        "CREATE VIEW public.order_labels AS\nSELECT id, upper(status) AS label FROM public.orders;",
        "CREATE VIEW public.labelled AS\nSELECT id FROM public.order_labels;",
        "CREATE VIEW reporting.order_totals AS\nSELECT id, status, total FROM public.orders;",
        "CREATE VIEW reporting.big_orders AS\nSELECT id, total FROM reporting.order_totals WHERE total > 100;",
        "CREATE MATERIALIZED VIEW reporting.status_summary AS",
        "CREATE UNIQUE INDEX status_summary_status ON reporting.status_summary (status);",
        "CREATE TRIGGER big_orders_read_only INSTEAD OF INSERT ON reporting.big_orders",
        "CREATE POLICY small_orders ON public.orders USING (total < 1000);",
        "COMMENT ON MATERIALIZED VIEW reporting.status_summary IS 'Orders per status';",
    )
    safe = _script("view_dependants", tmp_path, capsys)
    # around an unsafe change, its dependants are commented out with it; a view's own change is not
    for statement in ("DROP VIEW IF EXISTS reporting.order_totals", "CREATE VIEW reporting.order_totals AS"):
        assert _label(safe, statement).startswith(
            "-- UNSAFE: goes with an unsafe change of column public.orders."
        )
        assert f"\n-- {statement}" in safe
    assert _label(safe, "DROP VIEW IF EXISTS public.order_labels").startswith(
        "-- BLOCKS WRITES; lock: ACCESS EXCLUSIVE"
    )
    assert _label(safe, "CREATE VIEW public.order_labels").startswith("-- safe; no lock")


def test_a_sequence_is_dropped_after_the_defaults_that_use_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script("sequence_default_replaced", tmp_path, capsys, "--unsafe")
    _in_order(
        script,
        "ALTER TABLE public.orders ALTER COLUMN id DROP DEFAULT;",
        "DROP SEQUENCE IF EXISTS public.order_no;",
        "CREATE SEQUENCE public.invoice_no AS bigint",
        "ALTER TABLE public.orders ALTER COLUMN invoice SET DEFAULT nextval('invoice_no');",
    )
    safe = _script("sequence_default_replaced", tmp_path, capsys)
    assert _label(safe, "ALTER TABLE public.orders ALTER COLUMN id DROP DEFAULT").startswith(
        "-- BLOCKS WRITES"
    )
    assert _label(safe, "DROP SEQUENCE IF EXISTS public.order_no").startswith("-- UNSAFE: drops the sequence")


def test_an_enum_that_loses_a_value_is_re_created_through_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script("enum_value_removed", tmp_path, capsys, "--unsafe")
    _in_order(
        script,
        "DROP VIEW IF EXISTS public.happy_people;",
        "ALTER TABLE public.people ALTER COLUMN mood DROP DEFAULT;",
        "DROP FUNCTION IF EXISTS public.is_happy(public.mood);",
        "CREATE TYPE public.mood__new AS ENUM ('happy', 'ok', 'sad');",
        "ALTER TABLE public.people ALTER COLUMN mood TYPE public.mood__new USING mood::text::public.mood__new;",
        "ALTER COLUMN past TYPE public.mood__new[] USING past::text[]::public.mood__new[];",
        "DROP TYPE public.mood;",
        "ALTER TYPE public.mood__new RENAME TO mood;",
        "CREATE OR REPLACE FUNCTION public.is_happy(m public.mood)",  # its parameter named
        "ALTER TABLE public.people ALTER COLUMN mood SET DEFAULT 'ok';",
        "CREATE VIEW public.happy_people AS",
    )
    safe = _script("enum_value_removed", tmp_path, capsys)
    assert _label(safe, "DROP TYPE public.mood").startswith("-- UNSAFE: re-creates the type")
    assert _label(safe, "DROP VIEW IF EXISTS public.happy_people").startswith(
        "-- UNSAFE: goes with an unsafe change of enum public.mood"
    )


def test_a_changed_signature_drops_and_re_creates_what_uses_the_function(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script("function_signature_changed", tmp_path, capsys, "--unsafe")
    _in_order(
        script,
        "DROP POLICY IF EXISTS items_priced ON public.items;",
        "DROP TRIGGER IF EXISTS items_touch ON public.items;",
        "DROP VIEW IF EXISTS public.dear_items;",
        "DROP VIEW IF EXISTS public.gross_prices;",
        "ALTER TABLE public.items ALTER COLUMN floor_price DROP DEFAULT;",
        "ALTER TABLE public.items DROP CONSTRAINT items_gross_cap;",
        "DROP FUNCTION IF EXISTS public.with_tax(numeric);",
        "CREATE OR REPLACE FUNCTION public.with_tax(double precision)",
        "ALTER TABLE public.items ALTER COLUMN floor_price SET DEFAULT with_tax(1);",
        "ADD CONSTRAINT items_gross_cap CHECK (with_tax(price) < 1000000) NOT VALID;",
        "VALIDATE CONSTRAINT items_gross_cap;",
        "CREATE VIEW public.gross_prices AS",
        "CREATE VIEW public.dear_items AS",
        "CREATE TRIGGER items_touch",
        "CREATE POLICY items_priced",
    )


def test_partitions_and_children_are_not_altered_after_their_parent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script("partitioned_columns", tmp_path, capsys, "--unsafe")
    for child in ("events_2024", "events_2025", "app_log"):
        assert f"public.{child} " not in script and f"public.{child};" not in script, script
    _in_order(
        script,
        "ALTER TABLE public.events DROP COLUMN note;",
        "ALTER TABLE public.events ADD COLUMN source text;",
        "ALTER TABLE public.events ALTER COLUMN payload TYPE jsonb USING payload::jsonb;",
        "ALTER TABLE public.log_base ALTER COLUMN message TYPE text;",
        "ALTER TABLE public.events ADD CONSTRAINT events_kind_known CHECK (kind <> '') NOT VALID;",
        "CREATE INDEX events_created ON public.events (created_at);",
    )
    assert "ALTER TABLE public.events ALTER COLUMN region DROP NOT NULL;" in script
    for statement, why in (
        ("DROP INDEX IF EXISTS public.events_kind", "no DROP INDEX CONCURRENTLY"),
        ("ALTER TABLE public.events ADD CONSTRAINT events_source_id_fkey", "no NOT VALID foreign key"),
        ("ALTER TABLE public.events ADD CONSTRAINT events_kind_unique", "no CREATE INDEX CONCURRENTLY"),
    ):
        assert _label(script, statement).startswith(f"-- UNSAFE: a partitioned table has {why}"), script


def test_a_table_that_becomes_partitioned_is_a_manual_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script("table_becomes_partitioned", tmp_path, capsys, "--unsafe")
    assert (
        "-- MANUAL: table public.measurements becomes partitioned (PARTITION BY RANGE (taken_at)).\n"
        in script
    )
    statements = [line for line in script.splitlines() if line and not line.startswith(("--", "SET "))]
    assert statements == ["ALTER TABLE public.stations ADD COLUMN name text;"], script
