"""What a migration directory says about how the schema is migrated, for the schema document.

The tool is recognised from the directory layout and file names (the layouts
``sql/order.py`` applies); the seed data are the idempotent ``INSERT``
statements the migrations run (``ON CONFLICT``), in apply order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from schemalint.statements import SqlFile


@dataclass(frozen=True, slots=True)
class MigrationFacts:
    tool: str | None  # "Flyway", "golang-migrate", … None when the layout says nothing
    convention: str | None  # the file naming pattern the files follow
    location: str | None  # the directory, as given
    files: int = 0
    seeds: tuple[str, ...] = ()  # idempotent INSERT statements, as written


# (tool, convention, test on the relative paths of the up and down files)
_FLYWAY = re.compile(r"^[Vv]\d+(?:[._]\d+)*__.+\.sql$")
_UP_DOWN = re.compile(r"^\d+_.+\.(up|down)\.sql$")
_PRISMA = re.compile(r"^\d{14}_[^/]+/migration\.sql$")
_TIMESTAMP = re.compile(r"^\d{14}_.+\.sql$")
_NUMBERED = re.compile(r"^\d+[_-].+\.sql$")


def _tool(directory: Path, names: list[str]) -> tuple[str | None, str | None]:
    if not names:
        return None, None
    if (directory / "sqitch.plan").exists() or (directory.parent / "sqitch.plan").exists():
        return "Sqitch", "deploy/{change}.sql, revert/{change}.sql, verify/{change}.sql"
    if all(_PRISMA.match(n) for n in names):
        return "Prisma Migrate", "{YYYYMMDDHHMMSS}_{name}/migration.sql"
    if all(_FLYWAY.match(n) or n.startswith(("R__", "r__")) for n in names):
        return "Flyway", "V{version}__{description}.sql"
    if all(_UP_DOWN.match(n) for n in names):
        return "golang-migrate", "{version}_{description}.up.sql / .down.sql"
    texts = [(directory / n).read_text(encoding="utf-8", errors="replace")[:2000] for n in names[:5]]
    if all("-- migrate:up" in t for t in texts):
        return "dbmate", "{YYYYMMDDHHMMSS}_{description}.sql with -- migrate:up / -- migrate:down"
    if all("-- +goose Up" in t for t in texts):
        return "goose", "{version}_{description}.sql with -- +goose Up / -- +goose Down"
    if all(_TIMESTAMP.match(n) for n in names):
        return None, "{YYYYMMDDHHMMSS}_{description}.sql"
    if all(_NUMBERED.match(n) for n in names):
        return None, "{NNN}_{description}.sql"
    return None, None


def seed_statements(files: Sequence[SqlFile]) -> tuple[str, ...]:
    """The INSERT … ON CONFLICT statements of the files, in order, as written."""
    seeds: list[str] = []
    for file in files:
        for statement in file.statements:
            node = statement.node
            if statement.kind == "insert_stmt" and node is not None and node.HasField("on_conflict_clause"):
                seeds.append(statement.text.strip().rstrip(";") + ";")
    return tuple(seeds)


def migration_facts(path: Path, label: str, files: Sequence[SqlFile]) -> MigrationFacts:
    """The facts of a source path: a directory of migrations, or one file."""
    if path.is_dir():
        names = sorted(
            str(Path(f.path).resolve().relative_to(path.resolve()))
            for f in files
            if Path(f.path).resolve().is_relative_to(path.resolve())
        )
        all_names = sorted(str(p.relative_to(path)) for p in path.rglob("*.sql"))
        tool, convention = _tool(path, all_names or names)
        location = label.rstrip("/") + "/"
    else:
        tool, convention, location = None, None, label
    return MigrationFacts(tool, convention, location, len(files), seed_statements(files))
