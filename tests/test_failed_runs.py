"""A failed run never leaves a report that looks clean.

A file that cannot be read, a source that is missing, a fleet target that
cannot be reached: each is a RunError in the report, every format states the
failure in its own way, and the run exits 2.
"""

from __future__ import annotations

from pathlib import Path

from schemalint.config import load_settings
from schemalint.engine import lint_files
from schemalint.errors import SourceError
from schemalint.findings import RunError

BINARY = b"create table items (id int);\n\n" + bytes(range(256))


def _migrations(root: Path) -> Path:
    directory = root / "migrations"
    directory.mkdir()
    (directory / "V1__alpha.sql").write_text("create table alpha (id int);\n", encoding="utf-8")
    (directory / "V2__blob.sql").write_bytes(BINARY)
    (directory / "V3__gamma.sql").write_text("create table gamma (id int);\n", encoding="utf-8")
    return directory


# the error type --------------------------------------------------------------------------------------


def test_a_source_error_with_a_path_is_placed_in_the_file() -> None:
    error = SourceError("binary file (NUL byte), expected SQL text", path="m/V1.sql", line=3)
    assert str(error) == "m/V1.sql:3: binary file (NUL byte), expected SQL text"
    placed = RunError.of(error)
    assert placed == RunError("binary file (NUL byte), expected SQL text", path="m/V1.sql", line=3)
    assert (placed.where, str(placed)) == ("m/V1.sql:3", str(error))
    target = RunError.of(
        SourceError("Cannot read postgresql://u:***@h/x: refused"), target="postgresql://u:***@h/x"
    )
    assert (target.path, target.where) == (None, "postgresql://u:***@h/x")


def test_lint_files_names_the_unreadable_file_and_line(tmp_path: Path) -> None:
    directory = _migrations(tmp_path)
    result = lint_files(
        [directory], load_settings(tmp_path, discover=False, cli_overrides={"select": ("N001",)})
    )
    assert result.errors == (
        RunError("binary file (NUL byte), expected SQL text", path=str(directory / "V2__blob.sql"), line=3),
    )
    assert {f.object for f in result.findings} == {"public.alpha", "public.gamma"}  # the rest was linted
