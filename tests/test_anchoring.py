"""Where a finding is located: at the statement, and the line inside it, that made the fault.

Replay records where each fact of an object other than its existence was established (its type,
nullability, default, name, RLS flags) and where a column was dropped; an object's existence is
its model object's location. The engine locates a model finding by the object and the aspect it
is about, and a lint of some files of a directory shows a finding only when those files made it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from schemalint.config import load_settings
from schemalint.engine import LintResult, lint_files
from schemalint.model import Location
from schemalint.rules.base import ModelRule
from schemalint.rules.registry import ALL_RULES
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer


def _replayed(script: str) -> Replayer:
    replayer = Replayer()
    for statement in parse_sql(script, "m.sql").statements:
        assert not replayer.apply(statement), statement.text
    return replayer


def _line(where: Location | None) -> tuple[int, int] | None:
    return None if where is None else (where.line, where.col)


REPLAYED = """\
CREATE TABLE orders (
    id uuid PRIMARY KEY,
    amount float8,
    note text,
    created_at timestamptz
);
CREATE INDEX orders_amount ON orders (amount);
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(19,4);
ALTER TABLE orders ALTER COLUMN note SET NOT NULL, ALTER COLUMN note SET DEFAULT '';
ALTER TABLE orders RENAME COLUMN amount TO total;
ALTER TABLE orders DROP COLUMN created_at;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER INDEX orders_amount RENAME TO orders_total;
ALTER TABLE orders RENAME TO purchases;
"""


def test_replay_records_where_each_fact_was_established() -> None:
    replayer = _replayed(REPLAYED)
    fact = replayer.fact
    # a rename carries the facts of the column, and of the table's columns, to the new name
    assert _line(fact("public.purchases.total", "type")) == (8, 1)
    assert _line(fact("public.purchases.total", "name")) == (10, 1)
    assert _line(fact("public.purchases.note", "not_null")) == (9, 1)
    assert _line(fact("public.purchases.note", "default")) == (9, 1)
    assert _line(fact("public.purchases.created_at", "dropped")) == (11, 1)
    assert _line(fact("public.purchases", "rls_enabled")) == (12, 1)
    assert _line(fact("public.orders_total", "name")) == (13, 1)
    assert _line(fact("public.purchases", "name")) == (14, 1)
    assert fact("public.orders.amount", "type") is None  # moved, not copied
    assert _line(fact("public.purchases.amount", "dropped")) == (10, 1)  # gone under its old name
    # what the CREATE TABLE established is the objects' own location, not a fact
    assert fact("public.purchases.id", "not_null") is None
    table = replayer.model().tables["public.purchases"]
    assert _line(table.location) == (1, 1)
    assert _line(table.column("id").location) == (2, 5)  # type: ignore[union-attr]


def test_a_refused_statement_leaves_no_fact() -> None:
    replayer = _replayed("CREATE TABLE t (a int, b int);\n")
    script = "ALTER TABLE t ALTER COLUMN a TYPE bigint, DROP COLUMN b, ADD PRIMARY KEY (nope);\n"
    refused = parse_sql(script, "n.sql").statements
    replayer.apply(refused[0])
    assert replayer.refused
    assert replayer.fact("public.t.a", "type") is None
    assert replayer.fact("public.t.b", "dropped") is None


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shown(result: LintResult) -> list[tuple[str, str | None, str, int, int]]:
    """(code, object, file, line, column) of the model rules' findings, in order."""
    return [
        (f.code, f.object, Path(f.location.path).name, f.location.line, f.location.col)
        for f in result.findings
        if f.location is not None and f.code in MODEL_CODES and not f.suppressed
    ]


ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "version")
MODEL_CODES = {rule.code for rule in ALL_RULES if issubclass(rule, ModelRule)}
STANDARD = "created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),\n"
OLD = f"""\
CREATE TABLE orders (
    order_id uuid PRIMARY KEY,
    amount numeric(19,4) NOT NULL,
    legacy json
);
CREATE TABLE items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    {STANDARD}    deleted_at timestamptz, version integer NOT NULL DEFAULT 1,
    label text
);
"""
NEW = """\
CREATE INDEX idx_orders_amount ON orders (amount);
ALTER TABLE orders ADD COLUMN note json;
ALTER TABLE items
    ALTER COLUMN label TYPE json;
ALTER TABLE items RENAME COLUMN deleted_at TO "deletedAt";
ALTER TABLE items ENABLE ROW LEVEL SECURITY;
"""


def test_old_debt_beside_a_new_fault(tmp_path: Path) -> None:
    """A new migration that adds an index to an old table is held to what it does, not to the
    table's old debt; each fault is located where it was made, in both lints."""
    directory = tmp_path / "db"
    write(directory / "V1__orders.sql", OLD)
    target = write(directory / "V2__idx.sql", NEW)
    settings = load_settings(tmp_path, discover=False)
    only_new = shown(lint_files([target], settings, migrations_dir=directory))
    assert only_new == [
        ("T003", "public.orders.note", "V2__idx.sql", 2, 31),
        ("T003", "public.items.label", "V2__idx.sql", 3, 1),
        ("C001", "public.items.deleted_at", "V2__idx.sql", 5, 1),
        ("N002", "public.items.deletedAt", "V2__idx.sql", 5, 1),
        ("R002", "public.items", "V2__idx.sql", 6, 1),
        ("R003", "public.items", "V2__idx.sql", 6, 1),
    ]
    whole = shown(lint_files([directory], settings))
    old = [f for f in whole if f[2] == "V1__orders.sql"]
    assert ("N003", "public.orders", "V1__orders.sql", 2, 19) in old  # the key's line
    assert ("T003", "public.orders.legacy", "V1__orders.sql", 4, 5) in old  # the column's line
    assert {f[1] for f in old if f[0] == "C001"} == {f"public.orders.{c}" for c in COLUMNS}
    assert {f[3] for f in old if f[0] == "C001"} == {1}  # the CREATE TABLE
    assert [f for f in whole if f[2] == "V2__idx.sql"] == only_new


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "schemalint.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def _located(report: str) -> set[tuple[str, str | None, str, int, int]]:
    return {
        (f["code"], f["object"], Path(f["path"]).name, f["line"], f["column"])
        for f in json.loads(report)["findings"]
        if f["code"] in MODEL_CODES and f["line"] is not None
    }


def test_a_dump_locates_its_findings_as_its_files_do(tmp_path: Path) -> None:
    """`inspect -f json` writes, beside the model, where its facts were established; a lint of
    the dump then locates each model finding where a lint of the files does."""
    dump = tmp_path / "dump.json"
    _cli("inspect", "examples/bad-migrations", "-f", "json", "-o", str(dump))
    assert json.loads(dump.read_text(encoding="utf-8"))["facts"]
    from_dump = _located(_cli("lint", "--no-progress", str(dump), "--format", "json"))
    from_files = _located(_cli("lint", "--no-progress", "examples/bad-migrations", "--format", "json"))
    assert from_dump
    assert from_dump == from_files
    assert ("R002", "public.users", "V1__tenants_users_roles.sql", 52, 1) in from_dump  # a fact
