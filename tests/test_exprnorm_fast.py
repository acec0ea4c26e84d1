"""exprnorm's fast printer agrees with the long way (normalise, deparse with libpg_query).

canonical_expr prints the commonest expression shapes itself instead of a
deparse round trip; whatever it prints must be exactly what the deparser
prints. Checked on every expression node of every corpus SQL file (where the
fast printer answers at all), and on generated expressions over identifiers
that need quotes, keywords, odd strings and negative numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import postgast
import pytest
from conftest import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st
from postgast import pg_query_pb2 as pb

from schemalint.exprnorm import _fast, canonical_expr, canonical_expr_text, deparsed_expr
from schemalint.literals import string_literal
from schemalint.sources.sql.parse import parse_sql

EXPRESSION_KINDS = frozenset(
    {"a_expr", "null_test", "bool_expr", "func_call", "column_ref", "a_const", "type_cast"}
)


def _expression_nodes(message: Any) -> Iterator[pb.Node]:
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        for item in value if descriptor.is_repeated else [value]:
            if isinstance(item, pb.Node):
                kind = item.WhichOneof("node")
                if kind in EXPRESSION_KINDS:
                    yield item
                if kind is not None:
                    yield from _expression_nodes(getattr(item, kind))
            else:
                yield from _expression_nodes(item)


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*.sql") if p.stat().st_size < 8_000_000)


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_fast_printer_matches_the_deparser_on_the_corpus() -> None:
    answered = 0
    mismatches: list[str] = []
    for path in _corpus_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for statement in parse_sql(text, str(path)).statements:
            if statement.node is None:
                continue
            for node in _expression_nodes(statement.node):
                fast = _fast(node)
                if fast is None:
                    continue
                answered += 1
                slow = deparsed_expr(node)
                if fast != slow:
                    mismatches.append(f"{statement.location}: fast {fast!r} != deparsed {slow!r}")
    assert not mismatches, "\n".join(mismatches[:20])
    assert answered > 10_000  # the corpus is full of such expressions: the check did run


IDENTIFIERS = st.sampled_from(
    [
        "a",
        "amount",
        "Amount",
        "user",
        "order",
        "left",
        "select",
        "col name",
        'q"uote',
        "é",
        "_x1",
        "int",
        "text",
    ]
)
FUNCTIONS = st.sampled_from(
    ["lower", "char_length", "octet_length", "num_nonnulls", "left", "coalesce2", "F"]
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _operands() -> st.SearchStrategy[str]:
    column = IDENTIFIERS.map(_quoted) | st.tuples(IDENTIFIERS, IDENTIFIERS).map(
        lambda pair: f"{_quoted(pair[0])}.{_quoted(pair[1])}"
    )
    number = st.integers(min_value=-(2**31), max_value=2**31 - 1).map(str)
    string = st.text(alphabet="ab'\\ é%_", max_size=6).map(lambda s: "'" + s.replace("'", "''") + "'")
    boolean = st.sampled_from(["true", "false", "NULL"])
    atom = column | number | string | boolean
    return st.recursive(
        atom,
        lambda inner: st.tuples(FUNCTIONS, st.lists(inner, max_size=3)).map(
            lambda call: f"{_quoted(call[0])}({', '.join(call[1])})"
        ),
        max_leaves=4,
    )


def _expressions() -> st.SearchStrategy[str]:
    operand = _operands()
    comparison = (
        st.tuples(operand, st.sampled_from(["=", "<>", "!=", "<", ">", "<=", ">="]), operand).map(" ".join)
        | st.tuples(operand, st.sampled_from(["IS NULL", "IS NOT NULL"])).map(" ".join)
        | operand
    )
    return comparison | st.tuples(
        st.sampled_from([" AND ", " OR "]), st.lists(comparison, min_size=2, max_size=3)
    ).map(lambda pair: pair[0].join(f"({c})" for c in pair[1]))


@settings(max_examples=400, deadline=None)
@given(_expressions())
def test_fast_printer_matches_the_deparser_on_generated_expressions(sql: str) -> None:
    node = postgast.parse(f"SELECT {sql}").stmts[0].stmt.select_stmt.target_list[0].res_target.val
    fast = _fast(node)
    if fast is not None:
        assert fast == deparsed_expr(node)
    assert canonical_expr(node) == deparsed_expr(node)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_string_literal_matches_the_deparser(value: str) -> None:
    # literals.py spells folded defaults itself, so that it needs no parse round trip
    assert string_literal(value) == canonical_expr_text("'" + value.replace("'", "''") + "'")
