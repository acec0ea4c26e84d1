"""A large file is read while it is parsed (parse._streamed): libpg_query parses it piece by piece on
another thread, and its own statement bounds become the statements. They must be the statements the
splitter finds (the road every small file takes, parse._parse_split), with the same positions, for
every corpus file and for any statement soup; a piece that does not parse hands the rest of the file
to the splitter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS
from hypothesis import given
from test_properties import PROPERTY, soup

from schemalint.sources.sql import parse
from schemalint.sources.sql.parse import StatementStream, parse_sql
from schemalint.statements import Statement

ROOT = Path(__file__).resolve().parents[1]


def _anchor(statement: Statement) -> Any:
    """The file position of a node inside the statement: proves its byte offset is right."""
    relation = getattr(statement.node, "relation", None)
    if relation is None or not hasattr(relation, "location"):
        return None
    return statement.location_of(relation.location)


def _facts(statements: Any) -> list[tuple[Any, ...]]:
    return [(s.index, s.text, s.location, s.kind, s.error, _anchor(s)) for s in statements]


def _same_both_ways(text: str, first: int = 64, size: int = 256) -> None:
    streamed = list(StatementStream(parse._streamed(text, "f.sql", first, size)))
    split = parse._parse_split(text, "f.sql").statements
    assert _facts(streamed) == _facts(split)


def _sql_files() -> list[Path]:
    files = sorted((ROOT / "examples").rglob("*.sql")) + sorted((ROOT / "tests" / "fixtures").rglob("*.sql"))
    if CORPUS.is_dir():
        files += sorted(CORPUS.rglob("*.sql"))
    return files


@pytest.mark.parametrize("path", _sql_files(), ids=lambda p: str(p.relative_to(p.parents[2])))
def test_streamed_statements_are_the_splitters(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace").replace("\x00", " ")
    if not parse._streamable(text):
        pytest.skip("psql lines, COPY data or suppression comments: read by the splitter only")
    # pieces of about 4 KB: hundreds of cuts per large file, each a chance to cut wrongly
    _same_both_ways(text, first=1024, size=4096)


def test_the_corpus_is_there_to_compare() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    assert len(_sql_files()) > 500


@PROPERTY
@given(soup)
def test_soup_streamed_or_split_gives_the_same_statements(text: str) -> None:
    if parse._streamable(text):
        _same_both_ways(text, first=8, size=16)


def test_a_piece_that_does_not_parse_hands_the_rest_to_the_splitter() -> None:
    good = "".join(f"CREATE TABLE t{i} (id int, note text DEFAULT 'a;\nb');\n" for i in range(50))
    text = good + "CREATE TABLE broken (id int,);\n" + good.replace("TABLE t", "TABLE u")
    streamed = list(StatementStream(parse._streamed(text, "f.sql", 64, 256)))
    assert [s.kind for s in streamed] == ["create_stmt"] * 50 + ["error"] + ["create_stmt"] * 50
    _same_both_ways(text)


def test_parse_sql_streams_a_large_plain_file() -> None:
    text = "".join(f"CREATE TABLE t{i} (id int);\n" for i in range(12000))
    assert len(text) >= parse._LARGE_BYTES
    statements = parse_sql(text, "big.sql").statements
    assert isinstance(statements, StatementStream)
    assert statements[11999].text == "CREATE TABLE t11999 (id int);"
    assert len(statements) == 12000 and statements[-1].location.line == 12000
    with_directive = "-- schemalint: ignore-file[N001] legacy names\n" + text
    assert isinstance(parse_sql(with_directive, "big.sql").statements, tuple)


def test_a_stream_reads_as_a_sequence() -> None:
    made: list[int] = []

    def runs() -> Any:
        for run in ([0, 1], [2], [], [3, 4]):
            made.extend(run)
            yield run

    stream = StatementStream(runs())
    first = iter(stream)
    assert next(first) == 0 and made == [0, 1]
    assert stream[2] == 2 and made == [0, 1, 2]
    assert list(stream) == [0, 1, 2, 3, 4]
    assert list(first) == [1, 2, 3, 4]
    assert stream[1:3] == (1, 2) and stream[-1] == 4 and len(stream) == 5


def test_a_taken_stream_gives_each_statement_once_and_keeps_none() -> None:
    def runs() -> Any:
        yield from ([0, 1], [2], [], [3, 4])

    stream = StatementStream(runs())
    assert stream[0] == 0  # made already: handed out by take() too, then let go
    assert list(stream.take()) == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="taken"):
        len(stream)
    with pytest.raises(RuntimeError, match="taken"):
        list(stream)


def test_the_parse_thread_keeps_only_a_few_pieces_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    # a tree parsed long before it is read is memory held for nothing: at most _AHEAD pieces are
    # parsed beyond the one being read, however slow the reader
    parsed: list[int] = []
    tree = parse._tree

    def counted(source: str) -> Any:
        parsed.append(len(source))
        return tree(source)

    monkeypatch.setattr(parse, "_tree", counted)
    text = "".join(f"CREATE TABLE t{i} (id int);\n\n" for i in range(400))
    pieces = len(parse._pieces(text, 64, 256))
    assert pieces > 20
    read = 0
    for read, run in enumerate(parse._streamed(text, "f.sql", 64, 256), 1):
        assert run and len(parsed) <= read + parse._AHEAD
    assert read == pieces and len(parsed) == pieces


def test_a_cut_inside_a_body_is_mended_with_the_next_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    # "PERFORM 1;", a blank line, "END;" at the left edge: it looks like a place between statements
    function = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\n\nEND;\n$$;\n\n"
    tables = "".join(f"CREATE TABLE t{i} (id int);\n\n" for i in range(20))
    text = tables + function + tables.replace("TABLE t", "TABLE u")
    cuts = [end for _, end in parse._pieces(text, 64, 256)]
    assert any(text.rfind("PERFORM 1;", 0, cut) > text.rfind("$$", 0, cut) for cut in cuts)
    expected = _facts(parse._parse_split(text, "f.sql").statements)

    def no_splitter(text: str, path: str) -> Any:
        raise AssertionError("the splitter was not needed")

    monkeypatch.setattr(parse, "_parse_split", no_splitter)
    assert _facts(StatementStream(parse._streamed(text, "f.sql", 64, 256))) == expected


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("/*/*/**/*/*/", []),  # "/*/" opens a nested comment: the "*/" inside it does not close
        ("/*/ a */ SELECT 1; */ SELECT 2;", ["select_stmt", "error"]),  # "/*/ " does not
        ("/* a /* b */ c */ SELECT 1; /**/ SELECT 2", ["select_stmt", "select_stmt"]),
    ],
)
def test_nested_comments_end_where_postgresql_ends_them(text: str, kinds: list[str]) -> None:
    assert [s.kind for s in parse._parse_split(text, "f.sql").statements] == kinds
    _same_both_ways(text, first=4, size=8)
