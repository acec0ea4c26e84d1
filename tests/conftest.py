"""Shared fixtures: a real PostgreSQL server and a fresh empty database per test.

The server is $SCHEMALINT_TEST_DSN's (its database is only used to create and
drop test databases) or, when unset, a throwaway embedded PostgreSQL 18
started once per session and removed at the end.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import postgast
import psycopg
import pytest
from hypothesis import settings
from psycopg import sql

from schemalint.sources.dsn import with_database

# Property tests draw the same examples on every run (derandomized): a CI run must not fail at random.
# A property is a claim about every input, so look for new counterexamples on purpose, with many
# more examples each time: HYPOTHESIS_PROFILE=explore pytest tests/test_properties.py
settings.register_profile("ci", max_examples=200, derandomize=True, database=None)
settings.register_profile("explore", max_examples=3000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def run_sql(dsn: str, statements: str) -> list[tuple[Any, ...]]:
    """Run SQL in a database one statement at a time in autocommit, as psql does; the last rows."""
    rows: list[tuple[Any, ...]] = []
    with psycopg.connect(dsn, autocommit=True) as connection, connection.cursor() as cursor:
        for statement in postgast.split(statements):
            cursor.execute(statement.encode())
            rows = cursor.fetchall() if cursor.description is not None else []
    return rows


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    """The admin DSN of the test server."""
    configured = os.environ.get("SCHEMALINT_TEST_DSN")
    if configured:
        yield configured
        return
    from schemalint.sources.embedded import embedded_server

    with embedded_server() as dsn:
        yield dsn


@pytest.fixture
def pg(pg_admin: str) -> Iterator[str]:
    """The DSN of a fresh, empty database, dropped after the test."""
    name = f"sl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield with_database(pg_admin, name)
    finally:
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def make_db(pg_admin: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh empty databases, for tests that need more than one (all dropped after)."""
    created: list[str] = []

    def make() -> str:
        name = f"sl_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        created.append(name)
        return with_database(pg_admin, name)

    yield make
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        for name in created:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(name="run_sql")
def run_sql_fixture() -> Any:
    """run_sql(dsn, statements) -> rows of the last statement, as a fixture."""
    return run_sql


def checkout_files() -> list[Path]:
    """The files of this checkout that git would commit (tracked and new, not ignored): what a
    fresh clone or GitHub's source archive of it holds, relative to the checkout."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, capture_output=True, check=True
    ).stdout.decode()
    return [Path(name) for name in listed.split("\0") if name and (root / name).is_file()]


def source_archive(directory: Path) -> Path:
    """This checkout as GitHub serves .../archive/refs/heads/main.tar.gz: one top folder."""
    import tarfile

    root = Path(__file__).resolve().parents[1]
    archive = directory / "schemalint-main.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in checkout_files():
            tar.add(root / name, arcname=f"schemalint-main/{name.as_posix()}")
    return archive


def missing_extensions(dsn: str, *names: str) -> list[str]:
    """The extensions among `names` that the server cannot create (the embedded server has no contrib)."""
    with psycopg.connect(dsn) as connection:
        available = {
            row[0] for row in connection.execute("SELECT name FROM pg_catalog.pg_available_extensions")
        }
    return [name for name in names if name not in available]


def skip_without_extensions(dsn: str, case: Path) -> None:
    """Skip a drift case whose SQL creates an extension the server cannot (no contrib)."""
    text = " ".join(path.read_text() for path in sorted(case.glob("*.sql")))
    names = re.findall(r"CREATE EXTENSION (?:IF NOT EXISTS )?(\w+)", text, re.IGNORECASE)
    missing = missing_extensions(dsn, *sorted(set(names)))
    if missing:
        pytest.skip(f"the server has no {', '.join(missing)} extension (no contrib)")


# the corpus helpers live with the benchmarks (bench/corpus.py), which read the same corpus
sys.path.append(str(Path(__file__).resolve().parents[1] / "bench"))  # last: nothing installed is shadowed
from corpus import CORPUS  # noqa: E402,F401  (re-exported for the test modules)
from corpus import entry_files as corpus_files  # noqa: E402,F401
from corpus import load_module as corpus_loader  # noqa: E402,F401
