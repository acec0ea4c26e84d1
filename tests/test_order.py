"""Which files of a migration directory apply, and in which order."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemalint.sources.sql.order import migration_files, migration_listing
from schemalint.sources.sql.parse import read_sql_file
from schemalint.sources.targets import real_paths


def _names(directory: Path, names: list[str]) -> list[str]:
    """Make the files (names may have directories) and list those that apply, in order."""
    for name in names:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text("SELECT 1;\n", encoding="utf-8")
    return [p.relative_to(directory).as_posix() for p in migration_files(directory)]


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


def test_popx_autocommit_variants_are_the_same_migration(tmp_path: Path) -> None:
    # popx reads N_name[.dialect][.autocommit].up.sql; a file for the dialect replaces the one for
    # every database whether or not either runs outside a transaction
    names = [
        "1_identities.up.sql",
        "1_identities.postgres.autocommit.up.sql",
        "2_indices.autocommit.up.sql",
        "2_indices.postgres.up.sql",
        "3_cleanup.autocommit.up.sql",
        "3_cleanup.mysql.autocommit.up.sql",
        "3_cleanup.autocommit.down.sql",
    ]
    assert _names(tmp_path, names) == [
        "1_identities.postgres.autocommit.up.sql",
        "2_indices.postgres.up.sql",
        "3_cleanup.autocommit.up.sql",
    ]


def test_golang_migrate_orders_by_the_number_before_the_first_underscore(tmp_path: Path) -> None:
    names = ["10_c.up.sql", "2_b.up.sql", "1_a.up.sql", "1_a.down.sql", "2_b.down.sql"]
    assert _names(tmp_path, names) == ["1_a.up.sql", "2_b.up.sql", "10_c.up.sql"]


def test_diesel_applies_the_up_sql_of_each_directory_in_version_order(tmp_path: Path) -> None:
    names = [
        "2021-03-04-120000_add_posts/up.sql",
        "2021-03-04-120000_add_posts/down.sql",
        "00000000000000_diesel_initial_setup/up.sql",
        "00000000000000_diesel_initial_setup/down.sql",
        "2020-12-01-080000_create_users/up.sql",
        "2020-12-01-080000_create_users/down.sql",
    ]
    assert _names(tmp_path, names) == [
        "00000000000000_diesel_initial_setup/up.sql",
        "2020-12-01-080000_create_users/up.sql",
        "2021-03-04-120000_add_posts/up.sql",
    ]


def test_goose_and_dbmate_files_in_version_order(tmp_path: Path) -> None:
    names = ["20240102090000_b.sql", "20231231235959_a.sql", "00003_seq.sql", "00012_seq.sql"]
    assert _names(tmp_path, names) == [
        "00003_seq.sql",
        "00012_seq.sql",
        "20231231235959_a.sql",
        "20240102090000_b.sql",
    ]


def test_sqlx_simple_and_reversible_files(tmp_path: Path) -> None:
    names = ["20240101000000_users.up.sql", "20240101000000_users.down.sql", "20230101000000_init.sql"]
    assert _names(tmp_path, names) == ["20230101000000_init.sql", "20240101000000_users.up.sql"]


def test_prisma_applies_migration_sql_of_each_directory(tmp_path: Path) -> None:
    names = ["20240201000000_posts/migration.sql", "20240101000000_init/migration.sql"]
    (tmp_path / "migration_lock.toml").write_text('provider = "postgresql"\n', encoding="utf-8")
    assert _names(tmp_path, names) == [
        "20240101000000_init/migration.sql",
        "20240201000000_posts/migration.sql",
    ]


def test_down_sections_of_goose_sql_migrate_and_dbmate_files_are_not_read(tmp_path: Path) -> None:
    files = {
        "goose.sql": "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n",
        "sql_migrate.sql": "-- +migrate Up\nCREATE TABLE b (id int);\n-- +migrate Down\nDROP TABLE b;\n",
        "dbmate.sql": "-- migrate:up\nCREATE TABLE c (id int);\n\n-- migrate:down\nDROP TABLE c;\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        statements = read_sql_file(tmp_path / name).statements
        assert [s.kind for s in statements] == ["create_stmt"], name
        assert statements[0].location.line == 2


def test_listing_gives_the_real_paths_real_paths_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan knows the links: every other file's real path is its directory's and its name."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "shared.sql").write_text("SELECT 1;\n", encoding="utf-8")
    actual = tmp_path / "actual"
    (actual / "V3__nested").mkdir(parents=True)
    for name in ("V1__a.sql", "V3__nested/up.sql"):
        (actual / name).write_text("SELECT 1;\n", encoding="utf-8")
    (actual / "V2__linked.sql").symlink_to(elsewhere / "shared.sql")
    (actual / "V4__loop.sql").symlink_to(actual / "V4__loop.sql")
    (tmp_path / "via").symlink_to(actual)  # the directory itself reached through a link
    monkeypatch.chdir(tmp_path)
    for directory in (actual, tmp_path / "via", Path("via"), Path("actual")):
        listing = migration_listing(directory)
        assert [p for p, _ in listing] == migration_files(directory)
        assert [real for _, real in listing] == real_paths(migration_files(directory))
        assert len(listing) == 4
