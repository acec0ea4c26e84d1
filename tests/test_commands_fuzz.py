"""Every command, every format, over drawn migration sets that name what does not exist.

The migrations are drawn from a few tables, columns and functions, some never
created: foreign keys, keys, checks, indexes, policies and triggers on columns,
tables and functions that are not there (PostgreSQL refuses those statements,
and so does replay), and drops and renames that leave references behind. Each
drawn set is run through `lint` (every format of schemalint.report.FORMATS),
`inspect` (json, text), `erd` (mermaid, dot, --split), `doc`, and the same
over its `inspect -f json` dump; drift's diff, reconcile and drift reports
between two drawn sets; with a server, `drift` against an empty database.

The claim: no command crashes. `schemalint.cli.main` is called in-process
(entry() would end the process), and no run may exit 3 or print a traceback.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemalint.cli import main
from schemalint.drift.diff import diff_models
from schemalint.drift.reconcile import reconcile_sql
from schemalint.drift.rules import DRIFT_RULES, drift_findings
from schemalint.report import FORMATS, Report, render
from schemalint.sources.load import load

# some of these are never created: every statement below may name what does not exist
TABLES = ("orders", "refunds", "nowhere")
COLUMNS = ("id", "order_id", "amount", "ghost")
FUNCTIONS = ("touch", "nofunc")

# an example runs some thirty commands (up to ~0.5 s): a quarter of the profile's examples (ci: 50)
COMMANDS = settings(
    max_examples=settings().max_examples // 4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

table = st.sampled_from(TABLES)
column = st.sampled_from(COLUMNS)


@st.composite
def statement(draw: st.DrawFn) -> str:
    t, t2, c, c2 = draw(table), draw(table), draw(column), draw(column)
    fn = draw(st.sampled_from(FUNCTIONS))
    return draw(
        st.sampled_from(
            [
                f"CREATE TABLE {t} (id int PRIMARY KEY, {c2 if c2 != 'id' else 'amount'} int);",
                f"CREATE TABLE {t} (id serial PRIMARY KEY, order_id int REFERENCES {t2} ({c}), amount int);",
                f"CREATE TABLE {t} (id int, amount int CHECK ({c} > 0), UNIQUE ({c2}));",
                f"ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_fkey FOREIGN KEY ({c}) REFERENCES {t2} ({c2});",
                f"ALTER TABLE {t} ADD FOREIGN KEY ({c}) REFERENCES {t2};",
                f"ALTER TABLE {t} ADD COLUMN order_id int, ADD PRIMARY KEY ({c});",
                f"ALTER TABLE {t} ADD UNIQUE ({c}) INCLUDE ({c2});",
                f"ALTER TABLE {t} ADD CHECK ({c} > 0 AND {c2} IS NOT NULL);",
                f"CREATE INDEX ON {t} ({c});",
                f"CREATE UNIQUE INDEX ON {t} ({c}, lower({c2}::text)) WHERE {c} > 0;",
                f"CREATE POLICY {t}_p ON {t} USING ({c} > 0);",
                f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;",
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;",
                f"CREATE TRIGGER {t}_tr BEFORE UPDATE OF {c} ON {t} FOR EACH ROW EXECUTE FUNCTION {fn}();",
                f"ALTER TABLE {t} DROP COLUMN {c};",
                f"ALTER TABLE {t} DROP COLUMN {c} CASCADE;",
                f"DROP TABLE {t};",
                f"ALTER TABLE {t} RENAME COLUMN {c} TO {c2};",
                f"ALTER TABLE {t} RENAME TO {t2};",
                f"COMMENT ON COLUMN {t}.{c} IS 'the {c}';",
                f"CREATE VIEW {t}_v AS SELECT * FROM {t};",
                f"CREATE MATERIALIZED VIEW {t}_mv AS SELECT {c} FROM {t}; CREATE INDEX ON {t}_mv ({c2});",
            ]
        )
    )


migration_set = st.lists(st.lists(statement(), min_size=1, max_size=8), min_size=1, max_size=3)


# the tables and function most statements find (or, after a drop, no longer find)
BASE = """CREATE TABLE orders (id int PRIMARY KEY, amount int);
CREATE TABLE refunds (id int PRIMARY KEY, order_id int REFERENCES orders, amount int);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
"""


def _write(directory: Path, files: list[list[str]]) -> Path:
    directory.mkdir()
    (directory / "V0__base.sql").write_text(BASE, encoding="utf-8")
    for number, statements in enumerate(files, start=1):
        (directory / f"V{number}__drawn.sql").write_text("\n".join(statements) + "\n", encoding="utf-8")
    return directory


def _run(*argv: str) -> int:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    printed = out.getvalue() + err.getvalue()
    if code == 3:  # main() wrote the traceback to the crash log it names
        log = Path(tempfile.gettempdir()) / "schemalint-crash.log"
        printed += log.read_text(encoding="utf-8") if log.is_file() else ""
    assert code != 3, f"schemalint {' '.join(argv)} crashed:\n{printed}"
    assert "Traceback" not in printed, f"schemalint {' '.join(argv)} printed a traceback:\n{printed}"
    return code


def _every_view_of(source: str, scratch: Path) -> None:
    _run("inspect", source, "-f", "text")
    _run("erd", source)
    _run("erd", source, "-f", "dot", "--columns", "all")
    _run("erd", source, "--split", "component", "-o", str(scratch / "components"))
    _run("erd", source, "-f", "dot", "--split", "schema", "-o", str(scratch / "schemas"))
    _run("doc", source)


@COMMANDS
@given(files=migration_set)
def test_no_command_crashes_on_drawn_migrations(files: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        migrations = str(_write(root / "migrations", files))
        for fmt in FORMATS:
            _run("lint", migrations, "-f", fmt, "--no-progress")
        _every_view_of(migrations, root / "from-files")
        dump = root / "model.json"
        _run("inspect", migrations, "-f", "json", "-o", str(dump))
        _every_view_of(str(dump), root / "from-dump")


@COMMANDS
@given(declared=migration_set, live=migration_set)
def test_drift_between_drawn_migrations_does_not_crash(
    declared: list[list[str]], live: list[list[str]]
) -> None:
    """drift's comparison (diff, reconcile both ways, safe and --unsafe, every report format)
    between two drawn sets, and between a set and its own JSON dump."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        first = str(_write(root / "declared", declared))
        second = str(_write(root / "live", live))
        dump = root / "declared.json"
        _run("inspect", first, "-f", "json", "-o", str(dump))
        a, b, c = load(first).model, load(second).model, load(str(dump)).model
        rules = {info.code: info for info in DRIFT_RULES}
        for expected, actual in ((a, b), (b, a), (a, c)):
            differences = diff_models(expected, actual)
            for unsafe in (False, True):
                reconcile_sql(differences, expected, actual, unsafe=unsafe)
            findings = drift_findings(differences, declared_label="declared", live_label="live")
            for fmt in FORMATS:
                render(fmt, Report(findings, rules, command="drift", sources=("declared", "live")))
        assert diff_models(a, c) == []


@pytest.mark.catalog
@settings(COMMANDS, max_examples=settings().max_examples // 20)
@given(files=migration_set)
def test_drift_of_drawn_migrations_against_an_empty_database(pg: str, files: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        migrations = str(_write(Path(scratch) / "migrations", files))
        _run("drift", migrations, pg, "-f", "json")
        _run("drift", migrations, pg, "--sql")
