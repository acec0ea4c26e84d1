"""Suppression comments: where they apply, what they must name, and that unused ones are reported."""

from __future__ import annotations

from pathlib import Path

from schemalint.config import load_settings
from schemalint.engine import LintResult, lint_files
from schemalint.sources.sql.parse import parse_sql
from schemalint.suppress import parse_directives

GOOD_TABLE = """CREATE TABLE {name} (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    payload {kind},
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);"""


def lint(tmp_path: Path, sql: str, **overrides: object) -> LintResult:
    path = tmp_path / "V1__test.sql"
    path.write_text(sql, encoding="utf-8")
    settings = load_settings(tmp_path, discover=False, cli_overrides={"select": ["T", "E"], **overrides})
    return lint_files([path], settings)


def summary(result: LintResult) -> list[tuple[int, str, bool]]:
    # findings point at the column they are about: T003 at `payload`, two lines below CREATE TABLE
    return [(f.location.line if f.location else 0, f.code, f.suppressed) for f in result.findings]


def test_directive_on_the_line_before_suppresses_only_that_statement(tmp_path: Path) -> None:
    sql = "-- schemalint: ignore[T003] written once, never queried\n" + GOOD_TABLE.format(
        name="a", kind="json"
    )
    sql += "\n" + GOOD_TABLE.format(name="b", kind="json")
    assert summary(lint(tmp_path, sql)) == [(4, "T003", True), (12, "T003", False)]


def test_directive_trailing_the_first_line_and_through_comment_lines(tmp_path: Path) -> None:
    first = GOOD_TABLE.format(name="a", kind="json").replace(
        "(\n", "( -- schemalint: ignore[T003] legacy\n", 1
    )
    second = "-- schemalint: ignore[json-instead-of-jsonb] by slug\n-- a second comment line\n"
    second += GOOD_TABLE.format(name="b", kind="json")
    result = lint(tmp_path, first + "\n" + second)
    assert summary(result) == [(3, "T003", True), (13, "T003", True)]


def test_a_blank_line_detaches_the_directive(tmp_path: Path) -> None:
    sql = "-- schemalint: ignore[T003] reason\n\n" + GOOD_TABLE.format(name="a", kind="json")
    result = lint(tmp_path, sql)
    assert summary(result) == [(1, "E003", False), (5, "T003", False)]
    unused = result.findings[0]
    assert "not right before or on a statement" in unused.message


def test_ignore_file_covers_every_statement(tmp_path: Path) -> None:
    sql = "-- schemalint: ignore-file[T003] generated file\n"
    sql += GOOD_TABLE.format(name="a", kind="json") + "\n" + GOOD_TABLE.format(name="b", kind="json")
    assert summary(lint(tmp_path, sql)) == [(4, "T003", True), (12, "T003", True)]


def test_blanket_and_unknown_codes_are_invalid(tmp_path: Path) -> None:
    sql = "-- schemalint: ignore legacy\n" + GOOD_TABLE.format(name="a", kind="json")
    sql += "\n-- schemalint: ignore[json-instead-of-json] typo\n" + GOOD_TABLE.format(name="b", kind="jsonb")
    sql += "\n-- schemalint: ignor[T003]\n" + GOOD_TABLE.format(name="c", kind="jsonb")
    result = lint(tmp_path, sql)
    assert summary(result) == [
        (1, "E004", False),
        (4, "T003", False),
        (10, "E004", False),
        (19, "E004", False),
    ]
    messages = [f.message for f in result.findings if f.code == "E004"]
    assert "names no rule; a blanket ignore would hide every finding" in messages[0]
    assert "unknown rule 'json-instead-of-json' (did you mean json-instead-of-jsonb?)" in messages[1]
    assert "Unknown suppression 'ignor'" in messages[2]
    assert all(str(tmp_path) in m for m in messages)


def test_unused_suppression_is_reported_only_for_rules_that_ran(tmp_path: Path) -> None:
    sql = "-- schemalint: ignore[T003,M001] reasons\n" + GOOD_TABLE.format(name="a", kind="jsonb")
    result = lint(tmp_path, sql)  # M001 did not run (select T, E): not reported
    assert summary(result) == [(1, "E003", False)]
    assert "Suppression of T003" in result.findings[0].message
    quiet = lint(tmp_path, sql, ignore=["E003"])
    assert summary(quiet) == []


def test_partly_used_directive_reports_the_unused_code(tmp_path: Path) -> None:
    sql = "-- schemalint: ignore[T003,T002] reasons\n" + GOOD_TABLE.format(name="a", kind="json")
    assert summary(lint(tmp_path, sql)) == [(1, "E003", False), (4, "T003", True)]


def test_per_file_and_per_object_ignores_mark_findings_suppressed(tmp_path: Path) -> None:
    sql = GOOD_TABLE.format(name="a", kind="json") + "\n" + GOOD_TABLE.format(name="legacy_b", kind="json")
    result = lint(tmp_path, sql, **{"per-object-ignores": {"public.legacy_*": ["T003"]}})
    assert summary(result) == [(3, "T003", False), (11, "T003", True)]
    result = lint(tmp_path, sql, **{"per-file-ignores": {"V1__*.sql": ["T"]}})
    assert summary(result) == [(3, "T003", True), (11, "T003", True)]


def test_parse_directives_positions() -> None:
    sql = "SELECT 1;\n-- schemalint: ignore[M001] why\n/* note */\nCREATE INDEX i ON t (a);\n"
    directives, problems = parse_directives(parse_sql(sql, "x.sql"))
    assert not problems
    assert [(d.location.line, d.codes, d.reason, d.statement) for d in directives] == [
        (2, ("M001",), "why", 1)
    ]
