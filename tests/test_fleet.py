"""A fleet split over shards and merged back: end to end on real databases.

Four targets (three databases, one unreachable) in a --live-dsns file; two shards, each a
child process as a CI matrix job or a Kubernetes pod would run it; `schemalint merge`
folds their JSON reports into one report, in every format, with the whole fleet's exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from conftest import run_sql
from psycopg import sql

from schemalint.drift.request import Shard, shard_from_env, shard_of
from schemalint.errors import UserError
from schemalint.sources.dsn import database_name, with_database

DECLARED = "CREATE TABLE public.orders (id bigint PRIMARY KEY, total numeric(19,4) NOT NULL);\n"
UNREACHABLE = "postgresql://u:secret@127.0.0.1:1/x"


def schemalint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "schemalint.cli", *args],
        capture_output=True, text=True, cwd=cwd, env=environment, timeout=600,
    )  # fmt: skip


@pytest.fixture
def fleet(pg_admin: str, tmp_path: Path) -> Iterator[list[str]]:
    """Three databases: the first and third drift (a column added by hand), the second does not."""
    names = [f"sl_fleet_{uuid.uuid4().hex[:8]}" for _ in range(3)]
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        for name in names:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsns = [with_database(pg_admin, name) for name in names]
    for i, dsn in enumerate(dsns):
        run_sql(dsn, DECLARED + ("ALTER TABLE public.orders ADD COLUMN note text;" if i != 1 else ""))
    yield dsns
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        for name in names:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_shards_take_every_nth_target() -> None:
    assert [i for i in range(7) if shard_of("2/3").takes(i)] == [1, 4]
    assert shard_from_env("JOB_COMPLETION_INDEX", "3", {"JOB_COMPLETION_INDEX": "1"}) == Shard(1, 3)
    env = {"INDEX": "0", "SCHEMALINT_SHARD_TOTAL": "4"}
    assert shard_from_env("INDEX", None, env) == Shard(0, 4)
    assert shard_from_env("INDEX", "TOTAL", {"INDEX": "2", "TOTAL": "3"}) == Shard(2, 3)
    for bad in ("0/2", "3/2", "a/b", "2"):
        with pytest.raises(UserError, match="--shard"):
            shard_of(bad)
    with pytest.raises(UserError, match="below the 2 shards"):
        shard_from_env("INDEX", "2", {"INDEX": "2"})
    with pytest.raises(UserError, match="number of shards"):
        shard_from_env("INDEX", None, {"INDEX": "0"})


@pytest.mark.catalog
def test_shards_and_merge_report_the_whole_fleet(fleet: list[str], tmp_path: Path) -> None:
    (tmp_path / "declared.sql").write_text(DECLARED)
    targets = [fleet[0], UNREACHABLE, fleet[1], fleet[2]]
    (tmp_path / "fleet.txt").write_text("\n".join(targets) + "\n")
    common = ("drift", "declared.sql", "--live-dsns", "fleet.txt", "--format", "json")
    first = schemalint(*common, "--shard", "1/2", "-o", "shard-1.json", cwd=tmp_path)
    second = schemalint(
        *common,
        "--shard-from-env",
        "--shard-total",
        "2",
        "-o",
        "shard-2.json",
        cwd=tmp_path,
        env={"JOB_COMPLETION_INDEX": "1"},
    )
    assert first.returncode == 1, first.stderr  # targets 1 and 3: the first drifts
    assert second.returncode == 2, second.stderr  # targets 2 and 4: one unreachable, one drifts
    one = json.loads((tmp_path / "shard-1.json").read_text())
    assert one["run"]["sources"][1:] == [fleet[0], fleet[1]]  # every N-th target, in file order
    assert [database_name(fleet[0]) in f["source"] for f in one["findings"]] == [True]
    merged = schemalint("merge", "shard-1.json", "shard-2.json", "--format", "json", cwd=tmp_path)
    assert merged.returncode == 2, merged.stderr  # an unreachable target fails the whole fleet
    report = json.loads(merged.stdout)
    drifting = sorted(database_name(fleet[i]) for i in (0, 2))
    messages = " ".join(f["message"] for f in report["findings"])
    assert [f["object"] for f in report["findings"]] == ["public.orders.note"] * 2
    assert all(name in messages for name in drifting) and database_name(fleet[1]) not in messages
    assert len(report["errors"]) == 1 and "secret" not in merged.stdout
    assert len(report["run"]["sources"]) == 5  # declared.sql and every target, the unreachable one too
    for fmt in ("text", "sarif", "junit", "github", "gitlab", "markdown"):
        shown = schemalint("merge", "shard-1.json", "shard-2.json", "--format", fmt, cwd=tmp_path)
        assert shown.returncode == 2, (fmt, shown.stderr)
        assert "127.0.0.1:1" in shown.stdout, fmt  # the unreachable target is in every format
    # without the unreachable target's shard the fleet drifted: exit 1
    assert schemalint("merge", "shard-1.json", cwd=tmp_path).returncode == 1
    broken = schemalint("merge", "shard-1.json", "missing.json", cwd=tmp_path)
    assert broken.returncode == 2 and "missing.json" in broken.stderr
