"""Migration-safety rules on cases a fixture cannot spell: file layouts, transactions across a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemalint.config import Settings
from schemalint.engine import lint_files
from schemalint.rules.registry import rule_by_code_or_slug


def _lint(paths: list[Path], code: str, root: Path) -> list[str]:
    rule = rule_by_code_or_slug(code)
    assert rule is not None
    result = lint_files(paths, Settings.default(root), rules=[rule()])
    return [
        f"{Path(f.location.path).name}:{f.location.line}"
        for f in result.findings
        if f.code == code and f.location
    ]


@pytest.mark.parametrize(
    "name",
    [
        "V1__init.sql",
        "V2_1__more.sql",
        "R__views.sql",
        "000001_init.up.sql",
        "20210410175418000000_identities.postgres.up.sql",  # popx
        "20170506082420_create_table.sql",  # goose, dbmate
        "20211001123456_users.up.sql",  # sqlx
        "2017-11-09-004300_create_users/up.sql",  # diesel
        "00000000000000_diesel_initial_setup/up.sql",
        "20210101120000_init/migration.sql",  # Prisma
    ],
)
def test_m013_knows_the_layouts_schemalint_orders(name: str, tmp_path: Path) -> None:
    path = tmp_path / "migrations" / name
    path.parent.mkdir(parents=True)
    path.write_text("CREATE TABLE orders (id uuid PRIMARY KEY);\n")
    assert _lint([path], "M013", tmp_path) == []


@pytest.mark.parametrize("name", ["add-orders.sql", "orders.sql", "V1_init.sql", "init/up.sql"])
def test_m013_reports_other_names(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("CREATE TABLE orders (id uuid PRIMARY KEY);\n")
    assert _lint([path], "M013", tmp_path) == [f"{path.name}:1"]


def test_m013_never_fires_on_a_schema_document(tmp_path: Path) -> None:
    document = tmp_path / "schema.md"
    document.write_text("# Schema\n\n```sql\nCREATE TABLE orders (id uuid PRIMARY KEY);\n```\n")
    assert _lint([document], "M013", tmp_path) == []
