"""The canonical spelling of SQL expressions and view queries.

Defaults, CHECK constraints, index predicates and expressions, policy
USING/WITH CHECK, trigger WHEN clauses and generated columns are compared
between a model replayed from SQL and one read from the catalog. The catalog
prints them through pg_get_expr(), which adds casts, parentheses and
rewrites (``IN`` → ``= ANY (ARRAY[…])``, ``BETWEEN`` → two comparisons,
``LIKE`` → ``~~``). Both sides go through the same steps here: parse with
PostgreSQL's own grammar (libpg_query), rewrite the tree into one form, and
deparse with libpg_query's deparser. This is the only place where expression
spelling is normalised.

The canonical form is for comparison, and stays valid SQL: casts of
constants are dropped ('x'::text and 'x' are the same literal), and so are
casts to the types the analyser adds implicitly (text, varchar, name,
numeric, …); explicit casts such as ``current_setting('app.tenant')::uuid``
stay. Schema qualification of functions is dropped (pg_get_expr qualifies
what is not on the search path).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

import postgast
from postgast import pg_query_pb2 as pb

from schemalint.typenorm import quote_ident, type_without_modifiers

_NUMERIC_TYPES = frozenset(
    {
        "int2",
        "int4",
        "int8",
        "numeric",
        "float4",
        "float8",
        "integer",
        "bigint",
        "smallint",
        "decimal",
        "real",
    }
)
# casts the analyser adds on its own (coercions to a common operator type)
_IMPLICIT_CAST_TYPES = frozenset(
    {"text", "varchar", "bpchar", "name", "regclass", "numeric", "float8", "int8", "char"}
)
_SEQUENCE_FUNCTIONS = frozenset({"nextval", "currval", "setval"})
_LIKE_OPERATORS = {
    pb.A_Expr_Kind.AEXPR_LIKE: None,
    pb.A_Expr_Kind.AEXPR_ILIKE: None,
}


def _replace(node: pb.Node, child: pb.Node) -> None:
    copy = pb.Node()
    copy.CopyFrom(child)
    node.CopyFrom(copy)


def _const_from_cast(cast: pb.TypeCast) -> pb.Node | None:
    """'-1'::integer → -1; other casts of constants lose the cast only."""
    arg = cast.arg
    if arg.WhichOneof("node") != "a_const" or arg.a_const.WhichOneof("val") != "sval":
        return None
    type_names = [n.string.sval for n in cast.type_name.names]
    if not type_names or len(cast.type_name.array_bounds):
        return None
    text = arg.a_const.sval.sval
    node = pb.Node()
    if type_names[-1] in ("bool", "boolean"):
        value = text.strip().lower()
        if value in ("t", "true", "y", "yes", "on", "1"):
            node.a_const.boolval.boolval = True
            return node
        if value in ("f", "false", "n", "no", "off", "0"):
            node.a_const.boolval.boolval = False
            return node
        return None
    if type_names[-1] == "interval" and not cast.type_name.typmods:
        spelled = interval_text(text)
        if spelled is None:
            return None
        node.a_const.sval.sval = spelled
        return node
    if type_names[-1] not in _NUMERIC_TYPES:
        return None
    number = text.strip()
    if _INTEGER_LITERAL.fullmatch(number) and -(2**31) <= int(number) < 2**31:
        node.a_const.ival.ival = int(number)
    elif _NUMBER_LITERAL.fullmatch(number):  # the grammar's fval: a larger integer too
        node.a_const.fval.fval = number
    else:  # 'NaN', 'Infinity', '1_000': not a numeric literal of the grammar
        return None
    return node


# numbers as the grammar writes them (Python's int() and float() also take NaN, inf and 1_000)
_INTEGER_LITERAL = re.compile(r"[+-]?\d+")
_NUMBER_LITERAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


# unqualified built-in type names the grammar leaves as written, by their pg_catalog name
_TYPE_ALIASES = {
    "bool": "bool",
    "boolean": "bool",
    "int4": "int4",
    "int": "int4",
    "integer": "int4",
    "int8": "int8",
    "bigint": "int8",
    "int2": "int2",
    "smallint": "int2",
    "float8": "float8",
    "float4": "float4",
    "text": "text",
    "uuid": "uuid",
    "jsonb": "jsonb",
    "json": "json",
    "date": "date",
    "timestamptz": "timestamptz",
    "timestamp": "timestamp",
    "bytea": "bytea",
    "inet": "inet",
    "regclass": "regclass",
    "regconfig": "regconfig",
    "tsvector": "tsvector",
    "tsquery": "tsquery",
    "interval": "interval",
    "numeric": "numeric",
    "varchar": "varchar",
}


# built-in types the deparser spells with SQL keywords only when they are pg_catalog-qualified
_KEYWORD_TYPES = frozenset(
    {
        "bool",
        "int2",
        "int4",
        "int8",
        "float4",
        "float8",
        "varchar",
        "bpchar",
        "numeric",
        "timestamp",
        "timestamptz",
        "time",
        "timetz",
        "interval",
        "bit",
        "varbit",
    }
)


def _spell_type(type_name: Any) -> None:
    """Casts that stay name their type one way: SQL keywords for built-ins (boolean, integer),
    other types unqualified (uuid, not pg_catalog.uuid; log_level, not public.log_level)."""
    names = type_name.names
    last = names[-1].string.sval if names else ""
    if len(names) == 1:
        last = _TYPE_ALIASES.get(last, last)
    elif names[0].string.sval != "pg_catalog":
        last = names[-1].string.sval
    wanted = ["pg_catalog", last] if last in _KEYWORD_TYPES else [last]
    if [n.string.sval for n in names] != wanted:
        del names[:]
        for part in wanted:
            names.add().string.sval = part


def _strip_schema(name: str) -> str:
    """'public.orders_id_seq' → 'orders_id_seq' (quotes respected)."""
    in_quotes = False
    last_dot = -1
    for i, ch in enumerate(name):
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "." and not in_quotes:
            last_dot = i
    return name[last_dot + 1 :]


def _normalise(node: pb.Node, query: bool) -> None:
    which = node.WhichOneof("node")
    if which == "type_cast":
        cast = node.type_cast
        # the argument first, so that a cast of a cast is settled in one pass (idempotence)
        _normalise(cast.arg, query)
        type_names = cast.type_name.names
        target = type_names[-1].string.sval if type_names else ""
        arg_kind = cast.arg.WhichOneof("node")
        empty_array = arg_kind == "a_array_expr" and not cast.arg.a_array_expr.elements
        if not empty_array and (arg_kind in ("a_const", "a_array_expr") or target in _IMPLICIT_CAST_TYPES):
            _replace(node, _const_from_cast(cast) or cast.arg)
            return
        _spell_type(cast.type_name)
        return
    if which == "a_expr":
        _normalise_a_expr(node, query)
        which = node.WhichOneof("node")  # BETWEEN becomes a boolean expression
        if which == "bool_expr":
            _walk_message(node.bool_expr, query)
            _flatten_bool(node.bool_expr)
            return
    elif which == "func_call":
        call = node.func_call
        if len(call.funcname) > 1:
            last = call.funcname[-1]
            del call.funcname[:-1]
            call.funcname[0].CopyFrom(last)
        name = call.funcname[0].string.sval if call.funcname else ""
        if call.func_variadic and call.args and call.args[-1].WhichOneof("node") == "a_array_expr":
            # f(a, VARIADIC ARRAY[b, c]) is how the catalog prints f(a, b, c)
            elements = [pb.Node() for _ in call.args[-1].a_array_expr.elements]
            for element, source in zip(elements, call.args[-1].a_array_expr.elements, strict=True):
                element.CopyFrom(source)
            del call.args[-1]
            call.args.extend(elements)
            call.func_variadic = False
        if name in _SEQUENCE_FUNCTIONS and call.args:
            first = call.args[0]
            while first.WhichOneof("node") == "type_cast":
                _replace(first, first.type_cast.arg)
            if first.WhichOneof("node") == "a_const" and first.a_const.WhichOneof("val") == "sval":
                first.a_const.sval.sval = _strip_schema(first.a_const.sval.sval)
    elif which == "bool_expr":
        _walk_message(node.bool_expr, query)  # children first: a BETWEEN inside may become an AND
        _flatten_bool(node.bool_expr)
        return
    elif which == "column_ref":
        # orders.amount and amount are the same column in a table's own expressions; OLD/NEW are not
        fields = node.column_ref.fields
        first = fields[0].string.sval.lower() if fields[0].WhichOneof("node") == "string" else ""
        keep = not query and first in ("old", "new", "excluded")
        if len(fields) > 1 and fields[-1].WhichOneof("node") == "string" and not keep:
            last = pb.Node()
            last.CopyFrom(fields[-1])
            del fields[:]
            fields.append(last)
    elif which == "sub_link" and not query:
        # a subquery in a CHECK, policy or default reads like a view's query
        _normalise(node.sub_link.subselect, True)
        if node.sub_link.HasField("testexpr"):
            _normalise(node.sub_link.testexpr, False)
        return
    elif query and which == "select_stmt":
        _order_by_outputs(node.select_stmt)
    elif query and which == "range_var":
        _plain_relation(node.range_var)
    elif query and which == "res_target":
        target = node.res_target
        if not target.name and target.val.WhichOneof("node") not in ("column_ref", None):
            target.name = figure_colname(target.val) or "?column?"
        if target.name and target.val.WhichOneof("node") == "column_ref":
            fields = target.val.column_ref.fields
            if fields and fields[-1].WhichOneof("node") == "string" and fields[-1].string.sval == target.name:
                target.name = ""
    inner = getattr(node, which) if which else None
    if inner is not None:
        _walk_message(inner, query)


def _order_by_outputs(select: pb.SelectStmt) -> None:
    """ORDER BY the name of an output column sorts by that column's expression, and the catalog
    prints the expression: `SELECT a AS x … ORDER BY x` reads back as ORDER BY a."""
    outputs: dict[str, pb.Node] = {}
    for target in select.target_list:
        if target.res_target.name:
            outputs.setdefault(target.res_target.name, target.res_target.val)
    if not outputs:
        return
    for item in select.sort_clause:
        key = item.sort_by.node
        if key.WhichOneof("node") != "column_ref":
            continue
        fields = key.column_ref.fields
        if len(fields) == 1 and fields[0].WhichOneof("node") == "string":
            expression = outputs.get(fields[0].string.sval)
            if expression is not None:
                _replace(key, expression)


def _plain_relation(relation: pb.RangeVar) -> None:
    """A relation in a query without its schema, and without the alias pg_get_viewdef invents
    for a table named twice (`FROM projects projects_1`): column references keep only their
    last name in the canonical form, so neither tells anything."""
    relation.schemaname = ""
    alias = relation.alias
    if alias.aliasname and not alias.colnames:
        head, _, number = alias.aliasname.rpartition("_")
        if head == relation.relname and number.isdigit():
            relation.ClearField("alias")


def _walk_message(message: Any, query: bool) -> None:
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        if descriptor.is_repeated:
            for item in value:
                _visit(item, query)
        else:
            _visit(value, query)


def _visit(value: Any, query: bool) -> None:
    if isinstance(value, pb.Node):
        _normalise(value, query)
    elif isinstance(value, pb.RangeVar):
        if query:
            _plain_relation(value)
    else:
        _walk_message(value, query)


def _flatten_bool(expr: pb.BoolExpr) -> None:
    if expr.boolop == pb.BoolExprType.NOT_EXPR:
        return
    flat: list[pb.Node] = []
    for arg in expr.args:
        if arg.WhichOneof("node") == "bool_expr" and arg.bool_expr.boolop == expr.boolop:
            _flatten_bool(arg.bool_expr)
            flat.extend(arg.bool_expr.args)
        else:
            flat.append(arg)
    if len(flat) != len(expr.args):
        copies = []
        for item in flat:
            copy = pb.Node()
            copy.CopyFrom(item)
            copies.append(copy)
        del expr.args[:]
        expr.args.extend(copies)


def _op_node(name: str, left: pb.Node, right: pb.Node) -> pb.Node:
    node = pb.Node()
    node.a_expr.kind = pb.AEXPR_OP
    node.a_expr.name.add().string.sval = name
    node.a_expr.lexpr.CopyFrom(left)
    node.a_expr.rexpr.CopyFrom(right)
    return node


def _normalise_a_expr(node: pb.Node, query: bool) -> None:
    expr = node.a_expr
    kind = expr.kind
    op = expr.name[-1].string.sval if expr.name else ""
    if kind == pb.A_Expr_Kind.AEXPR_IN and expr.rexpr.WhichOneof("node") == "list":
        items = list(expr.rexpr.list.items)
        array = pb.Node()
        for item in items:
            array.a_array_expr.elements.add().CopyFrom(item)
        expr.kind = pb.AEXPR_OP_ANY if op == "=" else pb.AEXPR_OP_ALL
        expr.rexpr.CopyFrom(array)
        expr.rexpr_list_start = 0
        expr.rexpr_list_end = 0
    elif kind in (pb.A_Expr_Kind.AEXPR_BETWEEN, pb.A_Expr_Kind.AEXPR_NOT_BETWEEN) and (
        expr.rexpr.WhichOneof("node") == "list" and len(expr.rexpr.list.items) == 2
    ):
        low, high = expr.rexpr.list.items
        between = kind == pb.A_Expr_Kind.AEXPR_BETWEEN
        left = _op_node(">=" if between else "<", expr.lexpr, low)
        right = _op_node("<=" if between else ">", expr.lexpr, high)
        result = pb.Node()
        result.bool_expr.boolop = pb.BoolExprType.AND_EXPR if between else pb.BoolExprType.OR_EXPR
        result.bool_expr.args.add().CopyFrom(left)
        result.bool_expr.args.add().CopyFrom(right)
        node.CopyFrom(result)
    elif op in ("#>", "#>>", "#-") and expr.rexpr.WhichOneof("node") == "a_const":
        const = expr.rexpr.a_const
        if const.WhichOneof("val") == "sval" and const.sval.sval.startswith("{"):
            const.sval.sval = _text_array_literal(const.sval.sval)
    elif kind in _LIKE_OPERATORS:
        expr.kind = pb.AEXPR_OP
    elif len(expr.name) > 1:
        last = pb.Node()
        last.CopyFrom(expr.name[-1])
        del expr.name[:]
        expr.name.append(last)


def _text_array_literal(text: str) -> str:
    """'{a, b}' → '{a,b}': a text[] literal as array_out prints it (simple unquoted elements only)."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")) or '"' in inner or "{" in inner[1:-1]:
        return text
    items = [item.strip() for item in inner[1:-1].split(",")] if inner[1:-1].strip() else []
    if any(not item or any(ch in item for ch in " \\") for item in items):
        return text
    return "{" + ",".join(items) + "}"


def _deparse_target(node: pb.Node) -> str:
    result = pb.ParseResult()
    raw = result.stmts.add()
    raw.stmt.select_stmt.target_list.add().res_target.val.CopyFrom(node)
    text: str = postgast.deparse(result)
    return text[len("SELECT ") :] if text.startswith("SELECT ") else text


def _const_text(const: Any) -> str | None:
    """A constant as libpg_query's deparser prints it, or None when only the deparser knows."""
    if const.isnull:
        return "NULL"
    kind = const.WhichOneof("val")
    if kind == "ival":
        return str(const.ival.ival)
    if kind == "sval":
        text = const.sval.sval
        return None if "\\" in text else "'" + text.replace("'", "''") + "'"
    if kind == "boolval":
        return "true" if const.boolval.boolval else "false"
    return None


def _fast(node: Any) -> str | None:
    """The canonical text of the commonest expressions without a deparse round trip, or None.

    Column defaults (constants, now(), nextval) and the shapes that make up most CHECK
    constraints and index predicates (comparisons and IS [NOT] NULL of columns, constants
    and plain function calls, one level of AND/OR): printed here as libpg_query's deparser
    prints them, which tests/test_exprnorm_fast.py checks on every expression of the corpus.
    """
    which = node.WhichOneof("node")
    if which == "a_const":
        return _const_text(node.a_const)
    if which == "type_cast":
        cast = node.type_cast
        if cast.arg.WhichOneof("node") == "a_const" and _const_from_cast(cast) is None:
            return _const_text(cast.arg.a_const)
        return None
    if which == "func_call" and _is_sequence_call(node.func_call):
        return _sequence_call(node.func_call)
    if which == "bool_expr":
        expr = node.bool_expr
        joiner = _BOOL_JOINERS.get(expr.boolop)
        if joiner is None:
            return None
        parts = _each(expr.args, _comparison)
        return None if parts is None else joiner.join(parts)
    return _comparison(node)


def _each(nodes: Any, printer: Callable[[Any], str | None]) -> list[str] | None:
    """Every node printed, or None when one of them cannot be."""
    out = []
    for node in nodes:
        text = printer(node)
        if text is None:
            return None
        out.append(text)
    return out


_BOOL_JOINERS = {pb.AND_EXPR: " AND ", pb.OR_EXPR: " OR "}
_FAST_OPERATORS = frozenset({"=", "<>", "<", ">", "<=", ">="})


def _comparison(node: Any) -> str | None:
    """`a op b` or `a IS [NOT] NULL` over operands, or an operand alone."""
    which = node.WhichOneof("node")
    if which == "a_expr":
        expr = node.a_expr
        if expr.kind != pb.AEXPR_OP or len(expr.name) != 1 or not expr.HasField("lexpr"):
            return None
        op = expr.name[0].string.sval
        if op not in _FAST_OPERATORS:
            return None
        left, right = _operand(expr.lexpr), _operand(expr.rexpr)
        return None if left is None or right is None else f"{left} {op} {right}"
    if which == "null_test":
        test = node.null_test
        arg = _operand(test.arg)
        if arg is None:
            return None
        return f"{arg} IS NULL" if test.nulltesttype == pb.IS_NULL else f"{arg} IS NOT NULL"
    return _operand(node)


def _operand(node: Any) -> str | None:
    """A column, a constant, or a plain call of a function on operands, as the deparser prints it."""
    which = node.WhichOneof("node")
    if which == "column_ref":
        fields = node.column_ref.fields
        last = fields[-1]
        if last.WhichOneof("node") != "string":
            return None  # a star
        if len(fields) > 1:
            first = fields[0].string.sval.lower() if fields[0].WhichOneof("node") == "string" else ""
            if first in ("old", "new", "excluded"):
                return None
        return quote_ident(last.string.sval)
    if which == "a_const":
        const = node.a_const
        if const.WhichOneof("val") == "ival" and const.ival.ival < 0:
            return None  # the deparser may parenthesise a negative number
        return _const_text(const)
    if which == "func_call":
        call = node.func_call
        if (
            call.funcformat != pb.COERCE_EXPLICIT_CALL
            or call.agg_order
            or call.agg_star
            or call.agg_distinct
            or call.agg_within_group
            or call.func_variadic
            or call.HasField("agg_filter")
            or call.HasField("over")
            or not call.funcname
            or call.funcname[-1].string.sval in _SEQUENCE_FUNCTIONS
        ):
            return None
        args = _each(call.args, _operand)
        return None if args is None else f"{quote_ident(call.funcname[-1].string.sval)}({', '.join(args)})"
    return None


def _is_sequence_call(call: Any) -> bool:
    name = call.funcname[-1].string.sval if call.funcname else ""
    return name in ("nextval", "now") and not (
        call.agg_order or call.HasField("agg_filter") or call.over.ByteSize()
    )


def _sequence_call(call: Any) -> str | None:
    """now() and nextval('seq'), the commonest defaults."""
    name = call.funcname[-1].string.sval
    if name == "now" and not call.args:
        return "now()"
    if name == "nextval" and len(call.args) == 1:
        arg = call.args[0]
        if arg.WhichOneof("node") == "type_cast":
            arg = arg.type_cast.arg
        if arg.WhichOneof("node") == "a_const" and arg.a_const.WhichOneof("val") == "sval":
            text = _const_text(arg.a_const)
            if text is not None:
                return f"nextval('{_strip_schema(text[1:-1])}')"
    return None


def canonical_expr(node: Any) -> str:
    """The canonical text of a parsed expression node (a postgast Node)."""
    fast = _fast(node)
    if fast is not None:
        return fast
    return deparsed_expr(node)


def deparsed_expr(node: Any) -> str:
    """canonical_expr the long way, always: normalise the tree, deparse it with libpg_query."""
    copy = pb.Node()
    copy.CopyFrom(node)
    _normalise(copy, query=False)
    return _deparse_target(copy)


@lru_cache(maxsize=65536)
def canonical_expr_text(text: str) -> str:
    """The canonical text of an expression written as SQL (e.g. from pg_get_expr)."""
    try:
        tree = postgast.parse(f"SELECT {text}")
    except Exception:
        return " ".join(text.split())
    return canonical_expr(tree.stmts[0].stmt.select_stmt.target_list[0].res_target.val)


def canonical_query(node: Any) -> str:
    """The canonical text of a query node (a postgast Node holding a select_stmt)."""
    copy = pb.Node()
    copy.CopyFrom(node)
    _normalise(copy, query=True)
    result = pb.ParseResult()
    result.stmts.add().stmt.CopyFrom(copy)
    text: str = postgast.deparse(result)
    return text


@lru_cache(maxsize=4096)
def canonical_query_text(text: str) -> str:
    """The canonical text of a query written as SQL (e.g. from pg_get_viewdef)."""
    try:
        tree = postgast.parse(text)
    except Exception:
        return " ".join(text.split())
    if len(tree.stmts) != 1:
        return " ".join(text.split())
    return canonical_query(tree.stmts[0].stmt)


def column_refs(message: Any, *, into_subqueries: bool = True) -> Iterator[pb.ColumnRef]:
    """Every column reference in a parse tree, in order; with into_subqueries=False not those inside
    a sub-select (a SubLink: another scope). A reference may be changed when it is yielded."""
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        for item in value if descriptor.is_repeated else [value]:
            if isinstance(item, pb.ColumnRef):
                yield item
            elif into_subqueries or not isinstance(item, pb.SubLink):
                yield from column_refs(item, into_subqueries=into_subqueries)


def rename_column(text: str, old: str, new: str) -> str:
    """A canonical expression with column ``old`` renamed to ``new`` (as ALTER … RENAME COLUMN does)."""
    try:
        tree = postgast.parse(f"SELECT {text}")
    except Exception:
        return text
    node = tree.stmts[0].stmt.select_stmt.target_list[0].res_target.val
    for ref in column_refs(node):
        last = ref.fields[-1]
        if last.WhichOneof("node") == "string" and last.string.sval == old:
            last.string.sval = new
    return canonical_expr(node)


_SQL_VALUE_FUNCTIONS = {
    "SVFOP_CURRENT_DATE": "current_date",
    "SVFOP_CURRENT_TIME": "current_time",
    "SVFOP_CURRENT_TIME_N": "current_time",
    "SVFOP_CURRENT_TIMESTAMP": "current_timestamp",
    "SVFOP_CURRENT_TIMESTAMP_N": "current_timestamp",
    "SVFOP_LOCALTIME": "localtime",
    "SVFOP_LOCALTIME_N": "localtime",
    "SVFOP_LOCALTIMESTAMP": "localtimestamp",
    "SVFOP_LOCALTIMESTAMP_N": "localtimestamp",
    "SVFOP_CURRENT_ROLE": "current_role",
    "SVFOP_CURRENT_USER": "current_user",
    "SVFOP_USER": "user",
    "SVFOP_SESSION_USER": "session_user",
    "SVFOP_CURRENT_CATALOG": "current_catalog",
    "SVFOP_CURRENT_SCHEMA": "current_schema",
}


def figure_colname(node: Any) -> str | None:
    which = node.WhichOneof("node")
    if which == "column_ref":
        last = node.column_ref.fields[-1]
        return str(last.string.sval) if last.WhichOneof("node") == "string" else None
    if which == "a_indirection":
        for item in reversed(node.a_indirection.indirection):
            if item.WhichOneof("node") == "string":
                return str(item.string.sval)
        return figure_colname(node.a_indirection.arg)
    if which == "func_call":
        return str(node.func_call.funcname[-1].string.sval)
    if which == "a_expr" and node.a_expr.kind == 5:  # AEXPR_NULLIF
        return "nullif"
    if which == "type_cast":
        inner = figure_colname(node.type_cast.arg)
        if inner:
            return inner
        names = node.type_cast.type_name.names
        return str(names[-1].string.sval) if names else None
    if which == "collate_clause":
        return figure_colname(node.collate_clause.arg)
    if which == "case_expr":
        name = figure_colname(node.case_expr.defresult) if node.case_expr.HasField("defresult") else None
        return name or "case"
    if which == "a_array_expr":
        return "array"
    if which == "row_expr":
        return "row"
    if which == "coalesce_expr":
        return "coalesce"
    if which == "min_max_expr":
        return "greatest" if node.min_max_expr.op == 1 else "least"
    if which == "sql_value_function":
        return _SQL_VALUE_FUNCTIONS.get(pb.SQLValueFunctionOp.Name(node.sql_value_function.op))
    if which == "sub_link":
        link = node.sub_link
        kind = link.sub_link_type
        if kind == 0:  # EXISTS_SUBLINK
            return "exists"
        if kind == 6:  # ARRAY_SUBLINK
            return "array"
        if kind == 4:  # EXPR_SUBLINK
            targets = link.subselect.select_stmt.target_list
            if targets:
                res = targets[0].res_target
                return res.name or figure_colname(res.val)
        return None
    if which == "grouping_func":
        return "grouping"
    return None


_INTEGER_TYPES = ("smallint", "integer", "bigint")
_NUMBER_TYPES = (*_INTEGER_TYPES, "numeric", "real", "double precision")
_TRUE = ("t", "true", "y", "yes", "on", "1")
_FALSE = ("f", "false", "n", "no", "off", "0")


def fold_default(text: str | None, column_type: str, time_zone: str | None = "UTC") -> str | None:
    """A constant default as the catalog stores it: the literal coerced to the column's type.

    ``DEFAULT NULL`` is no default; ``'0'`` for an integer is ``0``; ``'false'`` for a
    boolean is ``false``; a timestamp without time zone drops a written offset; jsonb
    text is re-spelled as jsonb prints it. Anything else is returned unchanged.
    """
    if text is None:
        return None
    value = _literal_value(text)
    if value is None:
        return text
    base = type_without_modifiers(column_type)
    if base in _NUMBER_TYPES:
        stripped = value.strip()
        if base in _INTEGER_TYPES:
            return str(int(stripped)) if _INTEGER_LITERAL.fullmatch(stripped) else text
        return stripped if _NUMBER_LITERAL.fullmatch(stripped) else text
    if base == "boolean":
        lowered = value.strip().lower()
        return "true" if lowered in _TRUE else "false" if lowered in _FALSE else text
    if base == "timestamp without time zone":
        match = _TIMESTAMP.fullmatch(value)
        return f"'{match.group(1)} {match.group(2)}'" if match else text
    if base == "timestamp with time zone":
        return utc_timestamp(text, time_zone) or text
    if base == "jsonb":
        return _jsonb_text(value, text)
    if base == "bytea" and value == "":
        return canonical_expr_text("'\\x'")
    if base == "tsvector":
        vector = tsvector_text(value)
        return text if vector is None else canonical_expr_text("'" + vector.replace("'", "''") + "'")
    return text


def quoted_value(text: str) -> str | None:
    """The value of a '…' string literal (quotes doubled inside); None for anything else."""
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'" and "'" not in text[1:-1].replace("''", ""):
        return text[1:-1].replace("''", "'")
    return None


def _literal_value(text: str) -> str | None:
    """The value of a string literal as canonical_expr_text spells it: '…', or E'…' when the value
    holds a backslash (doubled); None for anything else."""
    escaped = text.startswith("E'")
    value = quoted_value(text[1:] if escaped else text)
    if value is None or not escaped:
        return value
    parts = value.split("\\\\")
    return None if any("\\" in part for part in parts) else "\\".join(parts)


_TSVECTOR_POSITION = re.compile(r"(\d+)([A-Da-d*]?)")


def tsvector_text(value: str) -> str | None:
    """The text of a tsvector as tsvector_out prints it: lexemes unique and in byte order, each
    quoted (quotes and backslashes doubled), positions in order with their weight (D unprinted).
    None for what this reading does not follow (an input tsvector_in rejects, repeated positions)."""
    lexemes: dict[str, dict[int, str]] = {}
    i, n = 0, len(value)
    while i < n:
        if value[i].isspace():
            i += 1
            continue
        word: list[str] = []
        quoted = value[i] == "'"
        i += quoted
        while i < n:
            ch = value[i]
            if ch == "\\":
                if i + 1 == n:
                    return None
                word.append(value[i + 1])
                i += 2
            elif quoted and ch == "'" and value.startswith("''", i):
                word.append("'")
                i += 2
            elif quoted and ch == "'":
                quoted = False
                i += 1
                break
            elif not quoted and (ch.isspace() or ch == ":"):
                break
            else:
                word.append(ch)
                i += 1
        if quoted or not word:
            return None
        positions = lexemes.setdefault("".join(word), {})
        if i < n and value[i] == ":":
            while True:
                match = _TSVECTOR_POSITION.match(value, i + 1)
                if match is None or match.group(2) == "*":
                    return None
                position = min(int(match.group(1)), 16383)
                if position in positions or position == 0:
                    return None
                positions[position] = match.group(2).upper() or "D"
                i = match.end()
                if not value.startswith(",", i):
                    break
            if i < n and not value[i].isspace():
                return None
    out = []
    for lexeme in sorted(lexemes, key=lambda word: word.encode("utf-8")):
        text = "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
        positions = lexemes[lexeme]
        if positions:
            text += ":" + ",".join(f"{p}{'' if w == 'D' else w}" for p, w in sorted(positions.items()))
        out.append(text)
    return " ".join(out)


_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}(?::?\d{2})?)?")


def utc_timestamp(literal: str, time_zone: str | None) -> str | None:
    """A quoted timestamp literal as the catalog prints a timestamptz in UTC:
    '2022-04-01 01:00:00+01' → '2022-04-01 00:00:00+00'. A literal without an offset is in the
    session's time zone (a name such as 'Europe/Berlin', or an offset '+05:00'), or left alone
    (None) when the zone is None or unknown; None too for anything that is not such a literal."""
    quoted = len(literal) > 2 and literal[0] == literal[-1] == "'"
    match = _TIMESTAMP.fullmatch(literal[1:-1]) if quoted else None
    if match is None:
        return None
    moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    offset = match.group(3)
    if offset is not None:
        zone: tzinfo | None = UTC if offset == "Z" else _fixed_offset(offset)
    else:
        zone = _zone(time_zone) if time_zone is not None else None
    if zone is None:
        return None
    moment = moment.replace(tzinfo=zone).astimezone(UTC)
    fraction = f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""
    return f"'{moment.strftime('%Y-%m-%d %H:%M:%S')}{fraction}+00'"


def _fixed_offset(offset: str) -> tzinfo:
    """'+05', '-0230', '+05:30' as a time zone."""
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _zone(name: str) -> tzinfo | None:
    """A TimeZone setting as PostgreSQL reads it: a zone name, or a POSIX offset ('+05:30',
    'UTC-3'), whose sign is the other way round: positive is west of Greenwich."""
    posix = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", name, re.IGNORECASE)
    if posix is not None:
        west = posix[1] == "+"
        return _fixed_offset(f"{'-' if west else '+'}{int(posix[2]):02d}{posix[3] or '00'}")
    if name.upper() in ("UTC", "GMT", "Z", "ETC/UTC", "UCT"):
        return UTC
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


def _jsonb_text(value: str, original: str) -> str:
    """JSON as jsonb prints it: keys ordered by length then bytes, ", " and ": " separators."""
    import json
    from decimal import Decimal

    def order(obj: Any) -> Any:
        if isinstance(obj, dict):
            keys = sorted(obj, key=lambda k: (len(k.encode()), k.encode()))
            return {k: order(obj[k]) for k in keys}
        if isinstance(obj, list):
            return [order(v) for v in obj]
        return obj

    try:
        parsed = json.loads(value, parse_float=Decimal, object_pairs_hook=lambda pairs: dict(pairs))
    except ValueError:
        return original

    def dump(obj: Any) -> str:
        if isinstance(obj, dict):
            return (
                "{"
                + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {dump(v)}" for k, v in obj.items())
                + "}"
            )
        if isinstance(obj, list):
            return "[" + ", ".join(dump(v) for v in obj) + "]"
        if isinstance(obj, Decimal):
            return str(obj)
        return json.dumps(obj, ensure_ascii=False)

    return "'" + dump(order(parsed)).replace("'", "''") + "'"


_INTERVAL_UNITS = {
    "year": ("y", 1),
    "years": ("y", 1),
    "yr": ("y", 1),
    "yrs": ("y", 1),
    "y": ("y", 1),
    "month": ("m", 1),
    "months": ("m", 1),
    "mon": ("m", 1),
    "mons": ("m", 1),
    "week": ("d", 7),
    "weeks": ("d", 7),
    "w": ("d", 7),
    "day": ("d", 1),
    "days": ("d", 1),
    "d": ("d", 1),
    "hour": ("s", 3600),
    "hours": ("s", 3600),
    "h": ("s", 3600),
    "hr": ("s", 3600),
    "hrs": ("s", 3600),
    "minute": ("s", 60),
    "minutes": ("s", 60),
    "min": ("s", 60),
    "mins": ("s", 60),
    "m": ("s", 60),
    "second": ("s", 1),
    "seconds": ("s", 1),
    "sec": ("s", 1),
    "secs": ("s", 1),
    "s": ("s", 1),
}


def interval_text(text: str) -> str | None:
    """'3 minutes' → '00:03:00', '1 day 2 hours' → '1 day 02:00:00': interval_out's spelling.

    Only whole-number quantities with plain units; anything else returns None (left as written).
    """
    import re

    parts = re.findall(r"([+-]?\d+)\s*([a-z]+)", text.strip().lower())
    if not parts or re.sub(r"[+-]?\d+\s*[a-z]+", "", text.strip().lower()).strip():
        return None
    totals = {"y": 0, "m": 0, "d": 0, "s": 0}
    for number, unit in parts:
        if unit not in _INTERVAL_UNITS:
            return None
        field, factor = _INTERVAL_UNITS[unit]
        totals[field] += int(number) * factor
    out: list[str] = []
    for field, singular, plural in (("y", "year", "years"), ("m", "mon", "mons"), ("d", "day", "days")):
        if totals[field]:
            out.append(f"{totals[field]} {singular if abs(totals[field]) == 1 else plural}")
    seconds = totals["s"]
    if seconds or not out:
        sign = "-" if seconds < 0 else ""
        seconds = abs(seconds)
        out.append(f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}")
    return " ".join(out)
