"""The fidelity property on the real corpus: replay(files) == introspect(database after the files).

For every corpus entry that loads on PostgreSQL 15, the entry is applied to a
fresh database with the corpus's own load.py, introspected, replayed from the
same files, and diffed. The differences must be exactly those recorded in
tests/fidelity/<entry>.txt, each file headed by why they remain; an entry with
no file must have none. A new difference fails, and so does one that went
away (update the file: the record only ever shrinks).
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from conftest import CORPUS, corpus_files, corpus_loader

from schemalint.drift.diff import diff_models
from schemalint.sources.catalog import introspect
from schemalint.sources.dsn import with_database
from schemalint.sources.sql.parse import read_sql_file
from schemalint.sources.sql.replay import replay_files

EXPECTED = Path(__file__).resolve().parent / "fidelity"
SKIP = {
    "supabase-postgres": "needs a cluster of its own, made with initdb -U supabase_admin",
    "chinook": "loads into a database of its own ('chinook'), not the target",
    "pagila": "written for PostgreSQL 18 (263 errors on 15)",
}

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "load.py").is_file(), reason="../shared/corpus is absent"),
]


def _entries() -> list[tuple[str, str, str | None]]:
    if not (CORPUS / "load.py").is_file():
        return []
    load = corpus_loader()
    out = []
    for name, record in load.load_catalog().items():
        for variant in (None, *(record.get("variants") or {})):
            out.append((name if variant is None else f"{name}:{variant}", name, variant))
    return out


def _label_file(label: str) -> Path:
    return EXPECTED / (re.sub(r"[^A-Za-z0-9_.-]+", "_", label) + ".txt")


def _server_major(admin: str) -> int:
    with psycopg.connect(admin) as connection:
        return int(connection.info.server_version) // 10000


def _missing_extensions(admin: str, name: str, variant: str | None) -> list[str]:
    load = corpus_loader()
    record = load.load_catalog()[name]
    wanted = [e["name"] for e in record.get("extensions", []) if e.get("source") != "unavailable"]
    with psycopg.connect(admin) as connection:
        have = {row[0] for row in connection.execute("SELECT name FROM pg_available_extensions")}
    return [e for e in wanted if e not in have]


@pytest.mark.parametrize(("label", "name", "variant"), _entries(), ids=lambda value: str(value))
def test_replay_matches_catalog(
    label: str, name: str, variant: str | None, pg_admin: str, tmp_path: Path
) -> None:
    if name in SKIP:
        pytest.skip(SKIP[name])
    if _server_major(pg_admin) != 15:
        pytest.skip("the recorded differences are PostgreSQL 15's; this server is another version")
    missing = _missing_extensions(pg_admin, name, variant)
    if missing:
        pytest.skip(f"the server lacks extension(s) {', '.join(missing)} that {name} creates")
    load = corpus_loader()
    plan = load.make_plan(load.load_catalog()[name], variant)
    database = (
        "slfid_" + re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30] + "_" + uuid.uuid4().hex[:6]
    )
    variant_args = ["--variant", variant] if variant else []
    targets = {"target": database} | {k: t.replace("{db}", database) for k, t in plan.databases.items()}
    try:
        applied = subprocess.run(
            [sys.executable, str(CORPUS / "load.py"), "apply", name, *variant_args, "--dsn", pg_admin,
             "--database", database, "--create"],
            capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        counted = re.search(r"(\d+) errors \(expected (\d+)", applied.stdout)
        assert counted is not None, applied.stdout + applied.stderr
        # a load that fails where it should not (say, a role it drops is still used by a database
        # that another run left behind) would leave nothing to compare
        assert counted[1] == counted[2], "the load did not go as recorded:\n" + applied.stdout[-2000:]
        search_path = tuple(p.strip() for p in plan.settings.get("search_path", "public").split(","))
        found: list[str] = []
        for only, db in targets.items():
            files = corpus_files(name, variant, tmp_path / "rendered", only=only, database=database)
            replayed = replay_files([read_sql_file(p) for p in files], search_path=search_path)
            live = introspect(with_database(pg_admin, db))
            prefix = "" if only == "target" else f"[{only}] "
            found += [prefix + str(d) for d in diff_models(replayed.model, live)]
    finally:
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            for db in targets.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    expected_file = _label_file(label)
    expected = (
        [
            line
            for line in expected_file.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        ]
        if expected_file.exists()
        else []
    )
    assert sorted(found) == sorted(expected)
