"""Large files take another road through the parse adapter: libpg_query parses the file as written on a
second thread while the splitter runs, and the blanked source is parsed only when that fails (psql
lines, COPY data, a statement that does not parse). Both roads must give the same statements and the
same positions."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from schemalint.config import load_settings
from schemalint.engine import lint_files
from schemalint.sources.load import load
from schemalint.sources.sql import parse
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer
from schemalint.statements import PROGRESS_EVERY, Statement, StatementStream


def _tables(count: int) -> str:
    return "".join(
        f"-- table {i}: dépôt ünïcode\nCREATE TABLE t{i} (\n    id bigint NOT NULL,\n    naïve_note text\n);\n"
        for i in range(count)
    )


def _column_positions(text: str) -> list[tuple[str, int, int]]:
    replayer = Replayer()
    for statement in parse_sql(text, "big.sql").statements:
        assert not replayer.apply(statement), statement.text
    model = replayer.model()
    return [
        (f"{t.name}.{c.name}", c.location.line, c.location.col)  # type: ignore[union-attr]
        for t in model.tables.values()
        for c in t.columns
    ]


@pytest.mark.parametrize("tail", ["", "\\connect other\n", "COPY t0 (id) FROM stdin;\n1\n\\.\n"])
def test_large_file_gives_what_a_small_one_gives(tail: str) -> None:
    text = _tables(4000) + tail
    assert len(text) >= parse._LARGE_BYTES
    whole = parse_sql(text, "big.sql")
    kinds = [s.kind for s in whole.statements]
    assert kinds[:4000] == ["create_stmt"] * 4000
    # the same statements, read one small file at a time
    last = "CREATE TABLE t3999 (\n    id bigint NOT NULL,\n    naïve_note text\n);\n"
    alone = parse_sql(last, "small.sql").statements[0]
    assert whole.statements[3999].text == alone.text
    positions = _column_positions(_tables(4000))
    line_of_last = 1 + 5 * 3999 + 1  # five lines a table; the CREATE line follows the comment
    assert ("t3999.id", line_of_last + 1, 5) in positions
    assert ("t3999.naïve_note", line_of_last + 2, 5) in positions


def test_large_file_with_a_syntax_error_reports_it_and_keeps_the_rest() -> None:
    text = (
        _tables(3000)
        + "CREATE TABLE broken (id int,);\n"
        + _tables(10).replace("CREATE TABLE t", "CREATE TABLE u")
    )
    statements = parse_sql(text, "big.sql").statements
    errors = [s for s in statements if s.kind == "error"]
    assert len(errors) == 1 and "syntax error" in (errors[0].error or "")
    assert errors[0].location.line == 1 + 5 * 3000 + 0  # the line of CREATE TABLE broken
    assert sum(s.kind == "create_stmt" for s in statements) == 3010


def test_large_file_cut_inside_a_function_body_still_parses_whole() -> None:
    body = "".join(f"    PERFORM {i};\n" for i in range(20000))  # the middle ";\n" lies in here
    function = f"CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$\nBEGIN\n{body}END\n$body$;\n"
    text = _tables(200) + function + _tables(200).replace("CREATE TABLE t", "CREATE TABLE u")
    middle = text.find(";\n", len(text) // 2)
    assert text.index("$body$") < middle < text.rindex("$body$")
    statements = parse_sql(text, "big.sql").statements
    assert [s.kind for s in statements] == ["create_stmt"] * 200 + ["create_function_stmt"] + [
        "create_stmt"
    ] * 200
    assert statements[200].text.endswith("$body$;")


def _live_statements() -> int:
    gc.collect()
    return sum(type(o) is Statement for o in gc.get_objects())


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of 32 KB (about 350 of the tables below), so that a few thousand statements make many."""
    monkeypatch.setattr(parse, "_PIECE", 32 * 1024)


def _dumped(count: int) -> str:
    """Tables as pg_dump writes them, a blank line after each: pieces are cut there."""
    text = _tables(count).replace(");\n", ");\n\n")
    assert parse._streamable(text) and len(parse._pieces(text, parse._FIRST_PIECE, parse._PIECE)) > 20
    return text


def _large_schema(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "big.sql"
    path.write_text(_dumped(count), encoding="utf-8")
    return path


@pytest.mark.usefixtures("small_pieces")
def test_a_large_file_is_linted_one_piece_at_a_time(tmp_path: Path) -> None:
    # statements are read, replayed and let go, their parse trees with them: at no point does the
    # run hold more than a piece of them, and progress moves within the one file as they are read
    count = 10000
    path = _large_schema(tmp_path, count)
    seen: list[tuple[float, int, int]] = []

    def progress(done: float, total: int, read: int) -> None:
        seen.append((done, read, _live_statements()))

    settings = load_settings(tmp_path, discover=False, cli_overrides={})
    result = lint_files([path], settings, progress=progress)
    assert result.statements == count and result.files == 1
    assert len(seen) == count // PROGRESS_EVERY + 1
    during = seen[:-1]
    assert [read for _, read, _ in during] == list(range(0, count, PROGRESS_EVERY))
    assert all(0 < done < 1 for done, _, _ in during[1:])
    assert [done for done, _, _ in during] == sorted(done for done, _, _ in during)
    assert seen[-1][:2] == (1, count)
    assert max(live for _, _, live in seen) < count // 10, seen


@pytest.mark.usefixtures("small_pieces")
def test_a_large_file_is_inspected_one_piece_at_a_time(tmp_path: Path) -> None:
    count = 10000
    path = _large_schema(tmp_path, count)
    live: list[int] = []
    loaded = load(str(path), progress=lambda done, total, read: live.append(_live_statements()))
    assert len(loaded.model.tables) == count and loaded.statements == count
    assert len(live) == count // PROGRESS_EVERY + 1
    assert max(live) < count // 10


@pytest.mark.usefixtures("small_pieces")
def test_taking_a_streams_statements_keeps_none() -> None:
    count = 10000
    statements = parse_sql(_dumped(count), "big.sql").statements
    assert isinstance(statements, StatementStream)
    peak = 0
    for index, statement in enumerate(statements.take()):
        assert statement.index == index
        if index % 1000 == 0:
            peak = max(peak, _live_statements())
    assert index == count - 1
    assert peak < count // 10
    with pytest.raises(RuntimeError, match="taken"):
        len(statements)


@pytest.mark.usefixtures("small_pieces")
def test_the_journal_holds_one_statement_not_the_file() -> None:
    # the journal undoes a refused statement: it is cleared before each, so it never grows with
    # the file (it holds old values, which would keep replaced objects alive)
    replayer = Replayer()
    longest = 0
    for statement in parse_sql(_dumped(8000), "big.sql").take_statements():
        assert not replayer.apply(statement)
        longest = max(longest, len(replayer.state.journal.entries))
    assert len(replayer.model().tables) == 8000
    assert 0 < longest < 50
