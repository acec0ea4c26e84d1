"""Shared fixtures: a real PostgreSQL server and a fresh empty database per test.

The server is $SCHEMALINT_TEST_DSN's (its database is only used to create and
drop test databases) or, when unset, a throwaway embedded PostgreSQL 18
started once per session and removed at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import postgast
import psycopg
import pytest
from psycopg import sql

from schemalint.sources.dsn import with_database


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


@pytest.fixture(name="run_sql")
def run_sql_fixture() -> Any:
    """run_sql(dsn, statements) -> rows of the last statement, as a fixture."""
    return run_sql


def missing_extensions(dsn: str, *names: str) -> list[str]:
    """The extensions among `names` that the server cannot create (the embedded server has no contrib)."""
    with psycopg.connect(dsn) as connection:
        available = {
            row[0] for row in connection.execute("SELECT name FROM pg_catalog.pg_available_extensions")
        }
    return [name for name in names if name not in available]


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_loader() -> Any:
    """../shared/corpus/load.py as a module (loaded once)."""
    import importlib.util
    import sys

    if "corpus_load" in sys.modules:
        return sys.modules["corpus_load"]
    spec = importlib.util.spec_from_file_location("corpus_load", CORPUS / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_load"] = module
    spec.loader.exec_module(module)
    return module


def corpus_files(
    name: str, variant: str | None, render: Path, *, only: str = "target", database: str | None = None
) -> list[Path]:
    """An entry's files in apply order, as `load.py files` lists them (templates rendered into render)."""
    import subprocess
    import sys

    command = [sys.executable, str(CORPUS / "load.py"), "files", name]
    command += ["--variant", variant] if variant else []
    command += ["--database", database] if database else []
    command += ["--render", str(render), "--only", only, "--expand-includes"]
    listed = subprocess.run(command, capture_output=True, text=True, check=True)
    return [Path(line) for line in listed.stdout.splitlines() if line.strip()]
