"""PostgreSQL's rules for the names it makes up (makeObjectName, ChooseRelationName,
ChooseConstraintName, ChooseIndexColumnNames), so replayed names are the catalog's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

NAMEDATALEN = 64


def _clip(name: str, max_bytes: int) -> str:
    """Cut to at most max_bytes of UTF-8 without splitting a character (pg_mbcliplen)."""
    encoded = name.encode("utf-8")
    if len(encoded) <= max_bytes:
        return name
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    len1 = len(name1.encode("utf-8"))
    len2 = len(name2.encode("utf-8")) if name2 else 0
    overhead = (1 if name2 else 0) + (len(label) + 1 if label else 0)
    available = NAMEDATALEN - 1 - overhead
    while len1 + len2 > available:
        if len1 > len2:
            len1 -= 1
        else:
            len2 -= 1
    name = _clip(name1, len1)
    if name2:
        name += "_" + _clip(name2, len2)
    if label:
        name += "_" + label
    return name


def choose_name(name1: str, name2: str | None, label: str, taken: Callable[[str], bool]) -> str:
    """ChooseRelationName / ChooseConstraintName: add 1, 2, … to the label until free."""
    pass_number = 0
    candidate = make_object_name(name1, name2, label)
    while taken(candidate):
        pass_number += 1
        candidate = make_object_name(name1, name2, f"{label}{pass_number}")
    return candidate


def name_addition(names: Iterable[str]) -> str:
    """ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition."""
    out = ""
    for name in names:
        if out:
            out += "_"
        out += name
        if len(out.encode("utf-8")) >= NAMEDATALEN:
            break
    return _clip(out, NAMEDATALEN - 1)


def index_column_names(elements: Iterable[Any]) -> list[str]:
    """ChooseIndexColumnNames: column name, function name of an expression, else "expr"."""
    result: list[str] = []
    for element in elements:
        if element.indexcolname:
            base = element.indexcolname
        elif element.name:
            base = element.name
        else:
            base = _figure_index_colname(element.expr) or "expr"
        name = base
        suffix = 0
        while name in result:
            suffix += 1
            name = make_object_name(base, None, None)[: NAMEDATALEN - 1 - len(str(suffix))] + str(suffix)
        result.append(name)
    return result


def _figure_index_colname(node: Any) -> str | None:
    which = node.WhichOneof("node")
    if which == "func_call":
        return str(node.func_call.funcname[-1].string.sval)
    if which == "type_cast":
        return _figure_index_colname(node.type_cast.arg)
    if which == "column_ref":
        last = node.column_ref.fields[-1]
        if last.WhichOneof("node") == "string":
            return str(last.string.sval)
    return None
