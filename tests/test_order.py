"""Which files of a migration directory apply, and in which order."""

from __future__ import annotations

from pathlib import Path

from schemalint.sources.sql.order import migration_files


def _names(directory: Path, names: list[str]) -> list[str]:
    for name in names:
        (directory / name).write_text("SELECT 1;\n", encoding="utf-8")
    return [p.name for p in migration_files(directory)]


def test_versions_in_numeric_order_without_down_files(tmp_path: Path) -> None:
    names = ["V1_10__c.sql", "V1_2__b.sql", "V1__a.sql", "R__views.sql", "V2__d.down.sql"]
    assert _names(tmp_path, names) == ["V1__a.sql", "V1_2__b.sql", "V1_10__c.sql", "R__views.sql"]


def test_a_postgres_file_replaces_the_one_for_every_database(tmp_path: Path) -> None:
    names = [
        "20220101_identities.up.sql",
        "20220101_identities.postgres.up.sql",
        "20220101_identities.mysql.up.sql",
        "20220101_identities.postgres.down.sql",
        "20220202_indices.up.sql",
        "20220303_only_sqlite.sqlite3.up.sql",
        "20220404_restore.autocommit.up.sql",
        "20220404_restore.postgres.autocommit.up.sql",
        "20220505_tuning.cockroach.up.sql",
    ]
    assert _names(tmp_path, names) == [
        "20220101_identities.postgres.up.sql",
        "20220202_indices.up.sql",
        "20220404_restore.postgres.autocommit.up.sql",
    ]
