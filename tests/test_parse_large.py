"""Large files take another road through the parse adapter: libpg_query parses the file as written on a
second thread while the splitter runs, and the blanked source is parsed only when that fails (psql
lines, COPY data, a statement that does not parse). Both roads must give the same statements and the
same positions."""

from __future__ import annotations

import pytest

from schemalint.sources.sql import parse
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer


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
