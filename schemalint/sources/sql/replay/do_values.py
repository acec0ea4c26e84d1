"""The values of PL/pgSQL expressions in a DO block, where they are known statically:
constants, variables of known value, ||, arithmetic, casts, format() and friends."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from schemalint.sources.sql.replay.nodes import parse, pb
from schemalint.typenorm import quote_ident


class _Null:
    """SQL's NULL as the known value of a variable (a SELECT … INTO that found no row)."""

    def __repr__(self) -> str:
        return "NULL"


NULL = _Null()


# what a PL/pgSQL variable holds, as far as replay can know it: an integer, a text, a record (a
# row of a FOR … IN SELECT loop), NULL; a variable missing from the environment is unknown
Value = int | str | dict[str, Any] | _Null


def evaluate(expression: str, env: dict[str, Value]) -> Value | None:
    """The value of a PL/pgSQL expression built of constants and variables of known value (||,
    + - *, casts to text or integer, format(), concat(), quote_ident(), quote_literal(), lower(),
    upper()); None when it reads anything else."""
    node = parse_expression(expression)
    return None if node is None else node_value(node, env)


def parse_expression(expression: str) -> Any | None:
    """The parse tree of a PL/pgSQL expression (the value of SELECT <expression>), or None."""
    select = parse_select(f"SELECT {expression}")
    if select is None or len(select.target_list) != 1 or select.from_clause:
        return None
    return select.target_list[0].res_target.val


def parse_select(query: str) -> Any | None:
    """The SelectStmt of a query that is one SELECT, or None."""
    try:
        tree = parse(query)
    except Exception:
        return None
    node = tree.stmts[0].stmt if len(tree.stmts) == 1 else None
    return node.select_stmt if node is not None and node.HasField("select_stmt") else None


def node_value(node: Any, env: Mapping[str, Value]) -> Value | None:
    which = node.WhichOneof("node")
    if which == "a_const":
        const = node.a_const
        kind = const.WhichOneof("val")
        return const.ival.ival if kind == "ival" else const.sval.sval if kind == "sval" else None
    if which == "column_ref":
        found = variable_value(node.column_ref, env)
        return None if found is NULL else found  # NULL: only IS [NOT] NULL reads it
    if which == "type_cast":
        value = node_value(node.type_cast.arg, env)
        target = node.type_cast.type_name.names[-1].string.sval if node.type_cast.type_name.names else ""
        if value is None or isinstance(value, dict | _Null) or node.type_cast.type_name.array_bounds:
            return None
        if target in ("text", "varchar", "name"):
            return str(value)
        if target in ("int2", "int4", "int8", "integer", "bigint", "smallint"):
            return int(value) if isinstance(value, int) or str(value).strip().lstrip("+-").isdigit() else None
        return None
    if which == "a_expr" and node.a_expr.kind == pb.AEXPR_OP and len(node.a_expr.name) == 1:
        operator = node.a_expr.name[0].string.sval
        left = node_value(node.a_expr.lexpr, env) if node.a_expr.HasField("lexpr") else 0
        right = node_value(node.a_expr.rexpr, env)
        if left is None or right is None or isinstance(left, dict) or isinstance(right, dict):
            return None
        if operator == "||":
            return f"{left}{right}"
        if isinstance(left, int) and isinstance(right, int) and operator in ("+", "-", "*"):
            return left + right if operator == "+" else left - right if operator == "-" else left * right
        return None
    if which == "func_call":
        return _call(node.func_call, env)
    return None


def variable_value(ref: Any, env: Mapping[str, Value]) -> Value | None:
    """The value of the variable (or record field) a ColumnRef names, NULL included; None: unknown."""
    names = [f.string.sval for f in ref.fields if f.WhichOneof("node") == "string"]
    if len(names) != len(ref.fields) or not names:
        return None
    found = env.get(names[0])
    for field in names[1:]:
        found = found.get(field) if isinstance(found, dict) else None
    return None if isinstance(found, dict) else found


def _call(call: Any, env: Mapping[str, Value]) -> Value | None:
    name = call.funcname[-1].string.sval if call.funcname else ""
    values = [node_value(a, env) for a in call.args]
    args = [a for a in values if isinstance(a, int | str)]
    # an argument of unknown value (None; a NULL is taken as unknown too) leaves the call unknown
    if call.agg_star or call.HasField("over") or len(args) != len(values):
        return None
    if name == "format" and args and isinstance(args[0], str):
        return _format(args[0], args[1:])
    if name == "concat":
        return "".join(str(a) for a in args)
    if len(args) != 1:
        return None
    text = str(args[0])
    functions: dict[str, Callable[[str], str]] = {
        "quote_ident": quote_ident,
        "quote_literal": _quote_literal,
        "lower": str.lower,
        "upper": str.upper,
    }
    function = functions.get(name)
    return function(text) if function is not None else None


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?([sIL%])")


def _format(template: str, args: list[int | str]) -> str | None:
    """format() for %s, %I, %L, %% and %n$ positions (no widths); None when it needs more."""
    out: list[str] = []
    position = 0
    next_arg = 0
    for match in _FORMAT_SPEC.finditer(template):
        out.append(template[position : match.start()])
        position = match.end()
        if match[2] == "%":
            out.append("%")
            continue
        index = int(match[1]) - 1 if match[1] else next_arg
        next_arg = index + 1
        if index >= len(args):
            return None
        value = str(args[index])
        out.append(
            value if match[2] == "s" else quote_ident(value) if match[2] == "I" else _quote_literal(value)
        )
    rest = template[position:]
    if "%" in rest:
        return None  # a width, a flag or a stray %: not worked out here
    return "".join(out) + rest


def _quote_literal(text: str) -> str:
    quoted = "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
    return "E" + quoted if "\\" in text else quoted
