"""The canonical spelling of SQL expressions and view queries.

Defaults, CHECK constraints, index predicates and expressions, policy
USING/WITH CHECK, trigger WHEN clauses and generated columns are compared
between a model replayed from SQL and one read from the catalog. The catalog
prints them through pg_get_expr(), which adds casts, parentheses and
rewrites (``IN`` → ``= ANY (ARRAY[…])``, ``BETWEEN`` → two comparisons,
``LIKE`` → ``~~``). Both sides go through the same steps here: parse with
PostgreSQL's own grammar (libpg_query), rewrite the tree into one form, and
deparse with libpg_query's deparser. This is the only place where expression
spelling is normalised; the constants in it are folded by literals.py, and
the type names of casts spelled by typenorm.py.

The canonical form is for comparison, and stays valid SQL: casts of
constants are dropped ('x'::text and 'x' are the same literal), and so are
casts to the types the analyser adds implicitly (text, varchar, name,
numeric, …); explicit casts such as ``current_setting('app.tenant')::uuid``
stay. Schema qualification of functions is dropped (pg_get_expr qualifies
what is not on the search path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import postgast
from postgast import pg_query_pb2 as pb

from schemalint.literals import const_from_cast, const_text, text_array_literal
from schemalint.typenorm import quote_ident, spell_cast_type

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
            _replace(node, const_from_cast(cast) or cast.arg)
            return
        spell_cast_type(cast.type_name)
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
    elif which == "case_expr":
        # CASE … END is CASE … ELSE NULL END, which is how the catalog prints it (a NULL of any type)
        _walk_message(node.case_expr, query)
        default = node.case_expr.defresult
        if default.WhichOneof("node") == "a_const" and default.a_const.isnull:
            node.case_expr.ClearField("defresult")
        return
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
            const.sval.sval = text_array_literal(const.sval.sval)
    elif kind in _LIKE_OPERATORS:
        expr.kind = pb.AEXPR_OP
    elif len(expr.name) > 1:
        last = pb.Node()
        last.CopyFrom(expr.name[-1])
        del expr.name[:]
        expr.name.append(last)


def _deparse_target(node: pb.Node) -> str:
    result = pb.ParseResult()
    raw = result.stmts.add()
    raw.stmt.select_stmt.target_list.add().res_target.val.CopyFrom(node)
    text: str = postgast.deparse(result)
    return text[len("SELECT ") :] if text.startswith("SELECT ") else text


def _fast(node: Any) -> str | None:
    """The canonical text of the commonest expressions without a deparse round trip, or None.

    Column defaults (constants, now(), nextval) and the shapes that make up most CHECK
    constraints and index predicates (comparisons and IS [NOT] NULL of columns, constants
    and plain function calls, one level of AND/OR): printed here as libpg_query's deparser
    prints them, which tests/test_exprnorm_fast.py checks on every expression of the corpus.
    """
    which = node.WhichOneof("node")
    if which == "a_const":
        return const_text(node.a_const)
    if which == "type_cast":
        cast = node.type_cast
        if cast.arg.WhichOneof("node") == "a_const" and const_from_cast(cast) is None:
            return const_text(cast.arg.a_const)
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
        return const_text(const)
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
            text = const_text(arg.a_const)
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


Resolver = Callable[[str, str, int], str | None]


def _walk_messages(message: Any) -> Iterator[Any]:
    """Every message of a parse tree, the root first."""
    yield message
    for descriptor, value in message.ListFields():
        if descriptor.message_type is not None:
            for item in value if descriptor.is_repeated else [value]:
                yield from _walk_messages(item)


def qualified_query(text: str, resolve: Resolver) -> str:
    """A query with its unqualified relations, functions and cast types schema-qualified, as
    pg_get_viewdef prints it under an empty search_path: ``resolve(kind, name, nargs)`` (kind
    "relation", "function" or "type") gives the schema of a user object, None for the others
    (built-ins, a WITH query's name). The text as it was when it does not parse."""
    try:
        tree = postgast.parse(text)
    except Exception:
        return text
    messages = list(_walk_messages(tree))
    ctes = {m.ctename for m in messages if isinstance(m, pb.CommonTableExpr)}
    for message in messages:
        if isinstance(message, pb.RangeVar) and not message.schemaname and message.relname not in ctes:
            message.schemaname = resolve("relation", message.relname, 0) or ""
        elif isinstance(message, (pb.FuncCall, pb.TypeName)):
            names = message.funcname if isinstance(message, pb.FuncCall) else message.names
            if len(names) != 1 or names[0].WhichOneof("node") != "string":
                continue
            kind = "function" if isinstance(message, pb.FuncCall) else "type"
            schema = resolve(kind, names[0].string.sval, len(getattr(message, "args", ())))
            if schema is not None:
                names.insert(0, pb.Node(string=pb.String(sval=schema)))
    deparsed: str = postgast.deparse(tree)
    return deparsed
