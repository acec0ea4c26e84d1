"""`schemalint drift` end to end: the CLI as a subprocess against real PostgreSQL databases.

Every test builds its live database(s) with plain SQL, runs
`python -m schemalint.cli drift …` and checks the exit code, the findings of
`--format json` (code and object, never just "something was printed"), the
text output and stderr. The declared side is a small Flyway-style migration
directory (V1…V3) written into tmp_path.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

pytestmark = pytest.mark.catalog

V1 = """\
CREATE TABLE public.orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer text NOT NULL,
    total numeric(12,2) NOT NULL DEFAULT 0
);
"""
V2 = """\
CREATE TABLE public.audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    happened_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_idx ON public.orders (customer);
"""
V3 = """\
ALTER TABLE public.orders ADD COLUMN status text NOT NULL DEFAULT 'new';
"""
MIGRATIONS = {"V1__orders.sql": V1, "V2__audit.sql": V2, "V3__status.sql": V3}

TENANT_DDL = """\
CREATE SCHEMA {s};
CREATE TABLE {s}.customers (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE
);
CREATE TABLE {s}.invoices (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES {s}.customers (id),
    amount numeric(12,2) NOT NULL CHECK (amount >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_customer_idx ON {s}.invoices (customer_id);
"""
TENANTS = [f"tenant_{n:03d}" for n in range(1, 6)]
UNREACHABLE = "postgresql://u:secret@127.0.0.1:1/x"


# -- helpers --------------------------------------------------------------------------------------


def drift(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `schemalint drift ARGS` in a child process (no colour, cwd away from any project config)."""
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "schemalint.cli", "drift", *args],
        capture_output=True, text=True, cwd=cwd, env=environment, timeout=600,
    )  # fmt: skip


def inspect_json(dsn: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "schemalint.cli", "inspect", dsn, "--format", "json", "--no-locations"],
        capture_output=True, text=True, cwd=cwd, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def findings(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The findings of a `--format json` run (fails with the run's stderr when it is not JSON)."""
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"not JSON (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return list(report["findings"])


def codes(done: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    """(code, object) of the findings that stand; ignored ones are reported as suppressed."""
    return sorted((f["code"], f["object"]) for f in findings(done) if not f["suppressed"])


def write_migrations(directory: Path, names: tuple[str, ...] = tuple(MIGRATIONS)) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_text(MIGRATIONS[name], encoding="utf-8")
    return directory


def with_password(dsn: str, password: str) -> str:
    """The DSN with a password added (the test server trusts, so the password is only carried along)."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        userinfo, _, hosts = parts.netloc.rpartition("@")
        user = userinfo.split(":", 1)[0] or "postgres"
        return urlunsplit(
            (parts.scheme, f"{user}:{password}@{hosts}", parts.path, parts.query, parts.fragment)
        )
    return f"{dsn} password={password}"


def database_of(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"])


def migrated(run_sql: Any, dsn: str, names: tuple[str, ...] = tuple(MIGRATIONS)) -> str:
    """Apply the named migrations to dsn; the DSN."""
    run_sql(dsn, "".join(MIGRATIONS[n] for n in names))
    return dsn


# -- a column added live --------------------------------------------------------------------------


def test_identical_is_exit_0_and_a_column_added_live_is_d004(pg: str, run_sql: Any, tmp_path: Path) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg)

    same = drift(str(migrations), pg, cwd=tmp_path)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "No findings" in same.stdout
    same_json = drift(str(migrations), pg, "--format", "json", cwd=tmp_path)
    assert (same_json.returncode, findings(same_json)) == (0, [])

    run_sql(pg, "ALTER TABLE public.orders ADD COLUMN note text")
    as_json = drift(str(migrations), pg, "--format", "json", cwd=tmp_path)
    assert as_json.returncode == 1, as_json.stderr
    assert codes(as_json) == [("D004", "public.orders.note")]
    [finding] = findings(as_json)
    assert finding["slug"] == "column-not-declared" and finding["severity"] == "error"

    as_text = drift(str(migrations), pg, cwd=tmp_path)
    assert as_text.returncode == 1
    assert "D004" in as_text.stdout and "public.orders.note" in as_text.stdout, as_text.stdout


# -- --live-env -----------------------------------------------------------------------------------


def test_live_env_reads_the_dsn_and_never_prints_its_password(pg: str, run_sql: Any, tmp_path: Path) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg)
    run_sql(pg, "ALTER TABLE public.orders ADD COLUMN note text")
    password = "Pw-" + uuid.uuid4().hex[:12]
    env = {"SL_TEST_LIVE_DSN": with_password(pg, password)}

    for extra in ((), ("--format", "json"), ("--format", "sarif"), ("--sql",)):
        done = drift(str(migrations), "--live-env", "SL_TEST_LIVE_DSN", *extra, cwd=tmp_path, env=env)
        assert done.returncode == 1, (extra, done.stdout, done.stderr)
        assert password not in done.stdout + done.stderr, extra
    as_json = drift(str(migrations), "--live-env", "SL_TEST_LIVE_DSN", "-f", "json", cwd=tmp_path, env=env)
    assert codes(as_json) == [("D004", "public.orders.note")]
    assert "***" in findings(as_json)[0]["message"], "the live side is named, masked"


def test_live_env_unset_is_a_one_line_error(tmp_path: Path) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    env = {k: v for k, v in os.environ.items() if k != "SL_TEST_UNSET_DSN"}
    done = subprocess.run(
        [sys.executable, "-m", "schemalint.cli", "drift", str(migrations), "--live-env", "SL_TEST_UNSET_DSN"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SL_TEST_UNSET_DSN" in lines[0], done.stderr


# -- --ignore-object ------------------------------------------------------------------------------


def test_ignore_object_hides_differences_on_matching_objects(pg: str, run_sql: Any, tmp_path: Path) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg)
    run_sql(
        pg,
        "CREATE TABLE public.audit_log (id int);"
        "ALTER TABLE public.audit_events ADD COLUMN extra int;"
        "ALTER TABLE public.orders ADD COLUMN note text;",
    )
    everything = drift(str(migrations), pg, "-f", "json", cwd=tmp_path)
    assert codes(everything) == [
        ("D002", "public.audit_log"),
        ("D004", "public.audit_events.extra"),
        ("D004", "public.orders.note"),
    ]
    ignored = drift(str(migrations), pg, "-f", "json", "--ignore-object", "public.audit_*", cwd=tmp_path)
    assert (ignored.returncode, codes(ignored)) == (1, [("D004", "public.orders.note")])
    hidden = sorted(f["object"] for f in findings(ignored) if f["suppressed"])
    assert hidden == ["public.audit_events.extra", "public.audit_log"]  # suppressed, as lint's are

    run_sql(pg, "ALTER TABLE public.orders DROP COLUMN note")
    only_audit = drift(str(migrations), pg, "--ignore-object", "public.audit_*", cwd=tmp_path)
    assert only_audit.returncode == 0, only_audit.stdout
    assert "No findings" in only_audit.stdout


# -- --sql ----------------------------------------------------------------------------------------


def test_sql_prints_a_script_and_its_unsafe_form_reconciles_the_live_db(
    pg: str, run_sql: Any, tmp_path: Path
) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg)
    run_sql(
        pg,
        "ALTER TABLE public.orders ADD COLUMN note text;"  # unsafe to drop
        "CREATE TABLE public.audit_log (id int);"  # unsafe to drop
        "DROP INDEX public.orders_customer_idx;"  # safe to create
        "ALTER TABLE public.orders ALTER COLUMN total SET DEFAULT 1;",  # safe to set back
    )
    before = codes(drift(str(migrations), pg, "-f", "json", cwd=tmp_path))
    assert before == [
        ("D002", "public.audit_log"),
        ("D004", "public.orders.note"),
        ("D005", "public.orders.total"),
        ("D007", "public.orders_customer_idx"),
    ]

    safe = drift(str(migrations), pg, "--sql", cwd=tmp_path)
    assert safe.returncode == 1, safe.stderr
    lines = safe.stdout.splitlines()
    assert "-- ALTER TABLE public.orders DROP COLUMN note;" in lines, safe.stdout
    assert any(line.startswith("-- DROP TABLE") and "public.audit_log" in line for line in lines), safe.stdout
    assert "CREATE INDEX CONCURRENTLY orders_customer_idx ON public.orders (customer);" in lines, safe.stdout
    executable = [line for line in lines if line.strip() and not line.startswith("--")]
    assert not any("DROP COLUMN" in line or line.startswith("DROP TABLE") for line in executable), safe.stdout
    run_sql(pg, safe.stdout)
    assert codes(drift(str(migrations), pg, "-f", "json", cwd=tmp_path)) == [
        ("D002", "public.audit_log"),
        ("D004", "public.orders.note"),
    ], "the safe script fixes exactly the safe differences"

    unsafe = drift(str(migrations), pg, "--sql", "--unsafe", cwd=tmp_path)
    assert unsafe.returncode == 1
    assert "ALTER TABLE public.orders DROP COLUMN note;" in unsafe.stdout.splitlines(), unsafe.stdout
    run_sql(pg, unsafe.stdout)
    after = drift(str(migrations), pg, cwd=tmp_path)
    assert after.returncode == 0, f"{after.stdout}\nscript was:\n{unsafe.stdout}"


# -- --live-dsns ----------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_live_dsns_reports_the_drifting_target_and_goes_on_after_an_unreachable_one(
    jobs: str, make_db: Callable[[], str], run_sql: Any, tmp_path: Path
) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    clean = migrated(run_sql, make_db())
    drifting = migrated(run_sql, make_db())
    run_sql(drifting, "ALTER TABLE public.orders ADD COLUMN note text")
    password = "Fleet-" + uuid.uuid4().hex[:10]
    fleet = tmp_path / "fleet.txt"
    # the unreachable target sits before the drifting one: the run must not stop at it
    fleet.write_text(f"# production fleet\n{clean}\n\n{UNREACHABLE}\n{with_password(drifting, password)}\n")

    done = drift(str(migrations), "--live-dsns", str(fleet), "--jobs", jobs, "-f", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert codes(done) == [("D004", "public.orders.note")]
    assert database_of(drifting) in findings(done)[0]["message"]
    assert "postgresql://u:***@127.0.0.1:1/x" in done.stderr, done.stderr
    for secret in ("secret", password):
        assert secret not in done.stdout + done.stderr

    text = drift(str(migrations), "--live-dsns", str(fleet), "--jobs", jobs, cwd=tmp_path)
    assert text.returncode == 2
    assert database_of(drifting) in text.stdout and "public.orders.note" in text.stdout
    assert database_of(clean) not in text.stdout, "the clean target has nothing to report"
    assert "u:***@127.0.0.1:1/x" in text.stderr and "secret" not in text.stdout + text.stderr


# -- --each-schema --------------------------------------------------------------------------------


def _tenants(run_sql: Any, dsn: str, tmp_path: Path) -> Path:
    """Five tenant schemas from one DDL, tenant_003 with an extra index; `other` drifts but never matches."""
    for schema in [*TENANTS, "other"]:
        run_sql(dsn, TENANT_DDL.format(s=schema))
    run_sql(dsn, "CREATE INDEX invoices_created_idx ON tenant_003.invoices (created_at)")
    run_sql(dsn, "ALTER TABLE other.invoices ADD COLUMN x int")
    declared = tmp_path / "tenant.sql"
    declared.write_text(TENANT_DDL.format(s="tenant_001"), encoding="utf-8")
    return declared


def _reported_tenants(done: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(m.group(1) for f in findings(done) if (m := re.search(r"schema (\w+)", f["message"])))


@pytest.mark.parametrize("pattern", ["tenant_%", "tenant_*"])
def test_each_schema_reports_exactly_the_drifted_tenant(
    pattern: str, pg: str, run_sql: Any, tmp_path: Path
) -> None:
    declared = _tenants(run_sql, pg, tmp_path)
    done = drift(str(declared), pg, "--each-schema", pattern, "-f", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert [f["code"] for f in findings(done)] == ["D007"]
    assert findings(done)[0]["object"].endswith(".invoices_created_idx")
    assert _reported_tenants(done) == ["tenant_003"], [f["message"] for f in findings(done)]

    text = drift(str(declared), pg, "--each-schema", pattern, cwd=tmp_path)
    assert text.returncode == 1
    assert "tenant_003" in text.stdout
    for other in ("tenant_002", "tenant_004", "tenant_005", "other"):
        assert f"schema {other}" not in text.stdout


def test_each_schema_finding_names_the_object_in_the_drifted_schema(
    pg: str, run_sql: Any, tmp_path: Path
) -> None:
    declared = _tenants(run_sql, pg, tmp_path)
    done = drift(str(declared), pg, "--each-schema", "tenant_%", "-f", "json", cwd=tmp_path)
    assert codes(done) == [("D007", "tenant_003.invoices_created_idx")]


def test_each_schema_sql_script_reconciles_every_tenant(pg: str, run_sql: Any, tmp_path: Path) -> None:
    declared = _tenants(run_sql, pg, tmp_path)
    script = drift(str(declared), pg, "--each-schema", "tenant_%", "--sql", "--unsafe", cwd=tmp_path)
    assert script.returncode == 1
    run_sql(pg, script.stdout)
    after = drift(str(declared), pg, "--each-schema", "tenant_%", cwd=tmp_path)
    assert after.returncode == 0, f"{after.stdout}\nscript was:\n{script.stdout}"


# -- --applied-table ------------------------------------------------------------------------------

HISTORY = """\
CREATE TABLE public.flyway_schema_history (
    installed_rank int PRIMARY KEY,
    version varchar(50),
    script varchar(1000) NOT NULL,
    success boolean NOT NULL
);
INSERT INTO public.flyway_schema_history VALUES
    (1, '1', 'V1__orders.sql', true),
    (2, '2', 'V2__audit.sql', true),
    (3, '3', 'V3__status.sql', false);
"""


def test_applied_table_compares_only_applied_migrations_and_lists_pending(
    pg: str, run_sql: Any, tmp_path: Path
) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg, ("V1__orders.sql", "V2__audit.sql"))
    run_sql(pg, HISTORY)  # V3 was attempted and failed: success = false, so it is not applied
    ignore = ("--ignore-object", "public.flyway_schema_history")

    everything = drift(str(migrations), pg, *ignore, "-f", "json", cwd=tmp_path)
    assert codes(everything) == [("D003", "public.orders.status")], "without --applied-table V3 counts"

    done = drift(
        str(migrations), pg, "--applied-table", "flyway_schema_history", *ignore, "-f", "json", cwd=tmp_path
    )
    assert (done.returncode, findings(done)) == (0, []), done.stderr
    pending = [line for line in done.stderr.splitlines() if "pending" in line]
    assert len(pending) == 1 and pending[0].endswith("V3__status.sql"), done.stderr
    assert "V1__orders" not in done.stderr and "V2__audit" not in done.stderr


def test_applied_table_is_not_itself_drift(pg: str, run_sql: Any, tmp_path: Path) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg, ("V1__orders.sql", "V2__audit.sql"))
    run_sql(pg, HISTORY)
    done = drift(str(migrations), pg, "--applied-table", "flyway_schema_history", "-f", "json", cwd=tmp_path)
    assert (done.returncode, codes(done)) == (0, [])


# -- --shadow DSN ---------------------------------------------------------------------------------


def test_shadow_dsn_is_refused_unless_empty_and_works_when_empty(
    pg: str, make_db: Callable[[], str], run_sql: Any, tmp_path: Path
) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg)
    run_sql(pg, "ALTER TABLE public.orders ADD COLUMN note text")

    busy = make_db()
    run_sql(busy, "CREATE TABLE public.leftover (id int)")
    refused = drift(str(migrations), pg, "--shadow", busy, cwd=tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "not empty" in refused.stderr and "public.leftover" in refused.stderr, refused.stderr
    assert run_sql(busy, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'") == [(1,)]

    empty = make_db()
    done = drift(str(migrations), pg, "--shadow", empty, "-f", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert codes(done) == [("D004", "public.orders.note")]


def test_shadow_dsn_can_be_used_twice(
    pg: str, make_db: Callable[[], str], run_sql: Any, tmp_path: Path
) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg)
    scratch = make_db()
    first = drift(str(migrations), pg, "--shadow", scratch, cwd=tmp_path)
    second = drift(str(migrations), pg, "--shadow", scratch, cwd=tmp_path)
    assert (first.returncode, second.returncode) == (0, 0), second.stderr


# -- read-only ------------------------------------------------------------------------------------


def test_drift_never_changes_the_live_database(
    pg: str, make_db: Callable[[], str], run_sql: Any, tmp_path: Path
) -> None:
    migrations = write_migrations(tmp_path / "migrations")
    migrated(run_sql, pg, ("V1__orders.sql", "V2__audit.sql"))
    run_sql(pg, HISTORY)
    run_sql(
        pg,
        "ALTER TABLE public.orders ADD COLUMN note text;"
        "CREATE TABLE public.audit_log (id int);"
        "INSERT INTO public.orders (customer, note) VALUES ('ada', 'keep me');",
    )
    before = inspect_json(pg, tmp_path)
    rows_before = run_sql(pg, "SELECT id, customer, total, note FROM public.orders ORDER BY id")

    runs = [
        (),
        ("-f", "json"),
        ("--sql",),
        ("--sql", "--unsafe"),
        ("--applied-table", "flyway_schema_history"),
        ("--shadow", make_db()),
    ]
    for extra in runs:
        done = drift(str(migrations), pg, *extra, cwd=tmp_path)
        assert done.returncode == 1, (extra, done.stdout, done.stderr)

    assert inspect_json(pg, tmp_path) == before
    assert run_sql(pg, "SELECT id, customer, total, note FROM public.orders ORDER BY id") == rows_before
    assert rows_before and rows_before[0][3] == "keep me"


def test_a_declared_grant_to_the_live_owner_is_no_difference(pg: str, run_sql: Any, tmp_path: Path) -> None:
    """The owner holds every privilege (the catalog's grants to it are not held): a migration's
    GRANT to the role that owns the object in production is not reported missing, a GRANT to
    another role still is."""
    owner = run_sql(pg, "SELECT current_user")[0][0]
    run_sql(
        pg,
        "CREATE TABLE public.orders (id bigint PRIMARY KEY);\n"
        "CREATE FUNCTION public.total() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    )
    grants = (
        f'GRANT SELECT ON public.orders TO "{owner}" WITH GRANT OPTION;\n'
        f'GRANT ALL ON public.orders TO "{owner}";\n'
        f'GRANT EXECUTE ON FUNCTION public.total() TO "{owner}";\n'
    )
    declared = tmp_path / "schema.sql"
    declared.write_text(
        "CREATE TABLE public.orders (id bigint PRIMARY KEY);\n"
        "CREATE FUNCTION public.total() RETURNS int LANGUAGE sql AS 'SELECT 1';\n" + grants,
        encoding="utf-8",
    )
    done = drift(str(declared), pg, "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert findings(done) == []
    declared.write_text(declared.read_text(encoding="utf-8") + "GRANT SELECT ON public.orders TO PUBLIC;\n")
    done = drift(str(declared), pg, "-f", "json", cwd=tmp_path)
    assert done.returncode == 1
    assert [(f["code"], f["object"]) for f in findings(done)] == [("D018", "public.orders")]
