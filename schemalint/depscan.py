"""What an expression or a view's query mentions, for the dependency index (dependencies.py).

The model keeps expressions and view queries in their canonical spelling
(exprnorm): relations without their schema, column references by their last
name only, casts of constants dropped, user types in casts unqualified. This
module parses such text once and lists the names it mentions; it resolves
nothing (dependencies.py does, against the model). Model layer: it imports
postgast and nothing of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import postgast
from postgast import pg_query_pb2 as pb

_SEQUENCE_FUNCTIONS = frozenset({"nextval", "currval", "setval"})


@dataclass(frozen=True, slots=True)
class Mentions:
    """The names one expression or query mentions, as written (schemas where written, else "")."""

    relations: tuple[tuple[str, str], ...] = ()  # (schema, name) of relations read (FROM, JOIN)
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, relation name)
    columns: frozenset[str] = frozenset()  # last names of column references
    # scopes: each SELECT is one, numbered from 1; scope 0 is the expression around them all
    parents: tuple[int, ...] = (0,)  # the enclosing scope of each scope (0's is itself)
    scoped_relations: tuple[tuple[int, str, str], ...] = ()  # (scope, schema, name)
    scoped_columns: tuple[tuple[int, str], ...] = ()  # (scope, last name)
    whole_rows: frozenset[str] = frozenset()  # t of t.* (and of a bare t that names no column)
    functions: tuple[tuple[str, str, int], ...] = ()  # (schema, name, number of arguments)
    types: tuple[tuple[str, str], ...] = ()  # (schema, name) of type names (casts)
    strings: frozenset[str] = frozenset()  # string constants
    sequences: tuple[str, ...] = ()  # the text of nextval('…')'s argument


EMPTY = Mentions()


def _walk(message: Any, found: dict[str, Any], scope: int) -> None:
    if isinstance(message, pb.SelectStmt):
        found["parents"].append(scope)
        scope = len(found["parents"]) - 1
    elif isinstance(message, pb.RangeVar):
        found["relations"].append((message.schemaname, message.relname))
        found["scoped_relations"].append((scope, message.schemaname, message.relname))
        if message.alias.aliasname:
            found["aliases"].append((message.alias.aliasname, message.relname))
        return
    if isinstance(message, pb.ColumnRef):
        fields = message.fields
        last = fields[-1]
        if last.WhichOneof("node") == "string":
            found["columns"].add(last.string.sval)
            found["scoped_columns"].append((scope, last.string.sval))
        elif len(fields) > 1 and fields[0].WhichOneof("node") == "string":
            found["whole_rows"].add(fields[0].string.sval)
        return
    if isinstance(message, pb.CommonTableExpr):
        found["ctes"].add(message.ctename)
    elif isinstance(message, pb.FuncCall):
        names = [n.string.sval for n in message.funcname]
        schema = names[-2] if len(names) > 1 else ""
        found["functions"].append((schema, names[-1], len(message.args)))
        if names[-1] in _SEQUENCE_FUNCTIONS and message.args:
            first = message.args[0]
            while first.WhichOneof("node") == "type_cast":
                first = first.type_cast.arg
            if first.WhichOneof("node") == "a_const" and first.a_const.WhichOneof("val") == "sval":
                found["sequences"].append(first.a_const.sval.sval)
    elif isinstance(message, pb.TypeName):
        names = [n.string.sval for n in message.names]
        if names and names[0] != "pg_catalog":
            found["types"].append((names[-2] if len(names) > 1 else "", names[-1]))
        return
    elif isinstance(message, pb.A_Const):
        if message.WhichOneof("val") == "sval":
            found["strings"].add(message.sval.sval)
        return
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        for item in value if descriptor.is_repeated else (value,):
            if isinstance(item, pb.Node):
                which = item.WhichOneof("node")
                if which is not None:
                    _walk(getattr(item, which), found, scope)
            else:
                _walk(item, found, scope)


def _mentions(node: Any) -> Mentions:
    found: dict[str, Any] = {
        "relations": [],
        "aliases": [],
        "columns": set(),
        "whole_rows": set(),
        "functions": [],
        "types": [],
        "strings": set(),
        "sequences": [],
        "ctes": set(),
        "parents": [0],
        "scoped_relations": [],
        "scoped_columns": [],
    }
    _walk(node, found, 0)
    ctes = found.pop("ctes")
    relations = [(s, n) for s, n in found["relations"] if s or n not in ctes]
    scoped = [(i, s, n) for i, s, n in found["scoped_relations"] if s or n not in ctes]
    aliases = {alias for alias, _ in found["aliases"]} | {name for _, name in relations}
    # a bare reference to a relation or its alias (row_to_json(t)) is a whole-row reference
    whole = found["whole_rows"] | (found["columns"] & aliases)
    return Mentions(
        relations=tuple(dict.fromkeys(relations)),
        aliases=tuple(dict.fromkeys(found["aliases"])),
        columns=frozenset(found["columns"]),
        parents=tuple(found["parents"]),
        scoped_relations=tuple(dict.fromkeys(scoped)),
        scoped_columns=tuple(dict.fromkeys(found["scoped_columns"])),
        whole_rows=frozenset(whole),
        functions=tuple(dict.fromkeys(found["functions"])),
        types=tuple(dict.fromkeys(found["types"])),
        strings=frozenset(found["strings"]),
        sequences=tuple(dict.fromkeys(found["sequences"])),
    )


@lru_cache(maxsize=16384)
def expression_mentions(text: str) -> Mentions:
    """The names a (canonical) expression mentions; EMPTY when it does not parse."""
    try:
        tree = postgast.parse(f"SELECT {text}")
    except Exception:
        return EMPTY
    return _mentions(tree.stmts[0].stmt.select_stmt.target_list[0].res_target.val)


@lru_cache(maxsize=4096)
def query_mentions(text: str) -> Mentions:
    """The names a (canonical) view query mentions; EMPTY when it does not parse."""
    try:
        tree = postgast.parse(text)
    except Exception:
        return EMPTY
    if len(tree.stmts) != 1:
        return EMPTY
    return _mentions(tree.stmts[0].stmt)


@lru_cache(maxsize=16384)
def index_key(text: str) -> tuple[str | None, Mentions]:
    """An index key as Index.keys spells it (``email text_pattern_ops``, ``lower(email) DESC``,
    ``payload ->> 'id'``: an expression without its parentheses): (the column name, EMPTY) for
    a plain column, else (None, what the expression mentions); (None, EMPTY) when unreadable."""
    words = text.split(" ")
    # the expression, in parentheses, before at most a few words of COLLATE, opclass and order
    attempts = [text] + [
        f"({' '.join(words[:-n])}) {' '.join(words[-n:])}" for n in range(5) if n < len(words)
    ]
    attempts[1] = f"({text})"
    for attempt in attempts:
        try:
            tree = postgast.parse(f"CREATE INDEX i ON t ({attempt})")
        except Exception:
            continue
        element = tree.stmts[0].stmt.index_stmt.index_params[0].index_elem
        if element.name:
            return element.name, EMPTY
        return None, _mentions(element.expr)
    return None, EMPTY


def identifier_path(text: str) -> tuple[str, ...]:
    """``"My Schema".orders`` → ("My Schema", "orders"): a dotted name, quotes removed, unquoted
    parts folded to lower case as PostgreSQL reads them."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                current.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                current.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ".":
            parts.append("".join(current))
            current = []
        elif not ch.isspace():
            current.append(ch.lower())
        i += 1
    parts.append("".join(current))
    return tuple(parts)


def split_top_level(text: str) -> list[str]:
    """``integer, numeric(19,4), "a,b"`` → its three items: commas outside parentheses and quotes."""
    items: list[str] = []
    depth, start, quote = 0, 0, ""
    for position, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[start:position].strip())
            start = position + 1
    if text.strip():
        items.append(text[start:].strip())
    return items
