"""Replay of DO blocks: the DDL a PL/pgSQL block runs, where it can be known statically.

Migration tools wrap DDL in DO blocks to make it idempotent (``IF NOT EXISTS
(…) THEN CREATE TYPE …``, ``BEGIN ALTER TABLE … EXCEPTION WHEN
duplicate_column …``). The block is parsed with PostgreSQL's PL/pgSQL parser;
static SQL statements and ``EXECUTE 'literal'`` in its body, IF branches and
nested blocks are replayed in order (an EXECUTE of a GRANT, REVOKE or role statement
built at run time changes nothing the model holds and is passed over), and an "already exists" or "does not
exist" outcome counts as the guard having done its job. Loops, dynamic SQL
built at run time and ELSE branches cannot be followed: the block is then
reported (E001) with what was and was not replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from postgast import pg_query_pb2 as pb

from schemalint.exprnorm import quoted_value
from schemalint.sources.sql.replay import NotReplayed

if TYPE_CHECKING:
    from schemalint.sources.sql.replay import Replayer

_LOOPS = (
    "PLpgSQL_stmt_loop",
    "PLpgSQL_stmt_while",
    "PLpgSQL_stmt_fori",
    "PLpgSQL_stmt_fors",
    "PLpgSQL_stmt_forc",
    "PLpgSQL_stmt_foreach_a",
    "PLpgSQL_stmt_dynfors",
)
_GUARD_OUTCOMES = ("already exists", "does not exist", "already has")


class _Walk:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.unfollowed: list[str] = []

    def body(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self.one(item)

    def one(self, item: dict[str, Any]) -> None:
        kind, data = next(iter(item.items()))
        if kind == "PLpgSQL_stmt_execsql":
            self.statements.append(data["sqlstmt"]["PLpgSQL_expr"]["query"])
        elif kind == "PLpgSQL_stmt_dynexecute":
            query = data["query"]["PLpgSQL_expr"]["query"].strip()
            literal = _string_literal(query)
            if literal is not None:
                self.statements.append(literal)
            elif not _privileges_only(query):
                self.unfollowed.append(f"EXECUTE {query[:40]}")
        elif kind == "PLpgSQL_stmt_block":
            self.body(data.get("body", []))
        elif kind == "PLpgSQL_stmt_if":
            self.body(data.get("then_body", []))
            for branch in data.get("elsif_list", []):
                self.body(branch.get("PLpgSQL_if_elsif", {}).get("stmts", []))
            if data.get("else_body"):
                self.unfollowed.append("an ELSE branch")
        elif kind in _LOOPS:
            self.unfollowed.append("a loop")
        elif kind == "PLpgSQL_stmt_case":
            self.unfollowed.append("a CASE statement")


# statements that change roles and privileges only: nothing the model holds
_PRIVILEGE_STATEMENTS = (
    ("GRANT",),
    ("REVOKE",),
    ("CREATE", "ROLE"),
    ("CREATE", "USER"),
    ("CREATE", "GROUP"),
    ("ALTER", "ROLE"),
    ("ALTER", "USER"),
    ("ALTER", "GROUP"),
    ("DROP", "ROLE"),
    ("DROP", "USER"),
    ("DROP", "GROUP"),
    ("ALTER", "DEFAULT", "PRIVILEGES"),
)


def _privileges_only(query: str) -> bool:
    """Whether an EXECUTE of SQL built at run time (`'GRANT ALL ON t TO ' || role`, or format()
    of such a text) runs a GRANT, REVOKE or role statement: whatever its names, it changes no
    object of the model."""
    text = query.strip()
    if text.lower().startswith("format("):
        text = text[len("format(") :].lstrip()
    if not text.startswith("'"):
        return False
    end = 1
    while True:
        end = text.find("'", end)
        if end < 0 or not text.startswith("''", end):
            break
        end += 2
    words = tuple(text[1 : end if end > 0 else None].upper().split())
    return any(words[: len(prefix)] == prefix for prefix in _PRIVILEGE_STATEMENTS)


def _string_literal(text: str) -> str | None:
    value = quoted_value(text)
    if value is not None:
        return value
    if text.startswith("$") and text.count("$") >= 4:
        tag = text[: text.index("$", 1) + 1]
        if text.endswith(tag) and len(text) > 2 * len(tag):
            return text[len(tag) : -len(tag)]
    return None


def _body(stmt: pb.DoStmt) -> tuple[str, str]:
    body, language = "", "plpgsql"
    for arg in stmt.args:
        elem = arg.def_elem
        if elem.defname == "as":
            body = elem.arg.string.sval
        elif elem.defname == "language":
            language = elem.arg.string.sval.lower()
    return body, language


def do_block(r: Replayer, stmt: pb.DoStmt) -> None:
    import postgast

    from schemalint.sources.sql.parse import parse_sql

    body, language = _body(stmt)
    if language != "plpgsql":
        raise NotReplayed(f"DO block in language {language} is not replayed")
    tag = "$schemalint_do$"
    try:
        tree = postgast.parse_plpgsql(
            f"CREATE FUNCTION pg_temp.schemalint_do() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
        )
    except Exception as error:
        raise NotReplayed(f"DO block does not parse as PL/pgSQL: {error}") from None
    walk = _Walk()
    for function in tree:
        walk.body([function["PLpgSQL_function"]["action"]])
    outer = r.statement
    applied = 0
    problems: list[str] = []
    for text in walk.statements:
        for inner in parse_sql(text, outer.path if outer else "<do>").statements:
            if inner.kind == "error":
                problems.append(f"a statement that does not parse ({inner.error})")
                continue
            handler = _handler(inner.kind)
            if handler is None:
                from schemalint.sources.sql.replay import NO_SCHEMA_EFFECT

                if inner.kind not in NO_SCHEMA_EFFECT:
                    problems.append(inner.kind.removesuffix("_stmt").replace("_", " ").upper())
                continue
            try:
                handler(r, inner.node)
                applied += 1
            except NotReplayed as reason:
                if not any(outcome in str(reason) for outcome in _GUARD_OUTCOMES):
                    problems.append(str(reason))
    problems += walk.unfollowed
    if problems:
        raise NotReplayed(
            f"DO block replayed {applied} statement(s) but could not follow: {'; '.join(problems)}"
        )


def _handler(kind: str) -> Callable[[Replayer, Any], None] | None:
    from schemalint.sources.sql.replay import _handlers

    return _handlers().get(kind)


def statements_of(body: str) -> Iterator[str]:
    """The static SQL statements of a PL/pgSQL block body (for tests and tools)."""
    import postgast

    tree = postgast.parse_plpgsql(f"CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $x$ {body} $x$")
    walk = _Walk()
    for function in tree:
        walk.body([function["PLpgSQL_function"]["action"]])
    yield from walk.statements


HANDLERS: dict[str, Callable[[Replayer, Any], None]] = {"do_stmt": do_block}
