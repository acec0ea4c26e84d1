"""A view's query rewritten as PostgreSQL stores it, and its output column names (FigureColname).

What the catalog knows and prints that the written query leaves implicit, from the model:
``*`` expanded, functions in FROM aliased with their result columns, whole-row references
(``t`` → ``t.*``), ``(f(x)).*`` expanded, GROUP BY output names, set-operation branches named
after the view's columns and their ORDER BY by position. Where the relations a query reads are
not known, its columns are unknown and an empty tuple is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemalint.exprnorm import column_refs, figure_colname
from schemalint.sources.sql.replay.nodes import parse, pb
from schemalint.typenorm import builtin_spelling


class Unknown(Exception):
    pass


@dataclass(frozen=True)
class Lookup:
    """What the model knows of the objects a query reads: a relation's columns by (schema, name),
    and the columns of a function's result by (schema, name, number of arguments); None when
    unknown. An empty schema means: as the search_path finds it."""

    relation: Callable[[str, str], tuple[str, ...] | None]
    function: Callable[[str, str, int], tuple[str, ...] | None]
    # the base type of a table's column whose type is a domain, by (schema, table, column)
    domain_base: Callable[[str, str, str], str | None] = lambda schema, name, column: None
    # the type of a table's column, by (schema, table, column)
    column_type: Callable[[str, str, str], str | None] = lambda schema, name, column: None


def prepare_view_query(query: Any, aliases: list[str], lookup: Lookup) -> tuple[str, ...]:
    """Rewrite ``query`` in place as PostgreSQL stores a view (see the module docstring) with the
    view's column aliases; return the view's column names (empty when they cannot be known)."""
    select = query if isinstance(query, pb.SelectStmt) else query.select_stmt
    _alias_functions(select.from_clause, lookup)
    _type_set_operation_nulls(select, lookup)
    _cast_operands(select, lookup)
    try:
        if not select.larg.ByteSize() and not select.values_lists:
            _expand_stars(select, lookup)
            _whole_rows(select, lookup)
            _expand_composites(select, lookup)
            _group_by_outputs(select, lookup)
        names = _select_columns(query, lookup)
    except Unknown:
        return ()
    columns = tuple(aliases + names[len(aliases) :])
    if select.larg.ByteSize():
        # the catalog prints every branch of a set operation under the view's column names, and
        # its ORDER BY (which names the first branch's columns) by column position
        _name_branches(select, columns)
        _order_by_position(select, tuple(names))
    elif aliases and not select.values_lists:
        for target, alias in zip(select.target_list, aliases, strict=False):
            target.res_target.name = alias
    return columns


def _type_set_operation_nulls(select: Any, lookup: Lookup) -> None:
    """A bare NULL in a later branch of a set operation (here or in a subquery in FROM) takes the
    operation's column type, which the catalog prints, and is named after it when it has no name
    of its own (UNION ALL SELECT a, NULL → NULL::integer AS int4). The type is known when the
    branches' other entries at that position are columns of one table each, all of one type."""
    for item in select.from_clause:
        if item.WhichOneof("node") == "range_subselect":
            _type_set_operation_nulls(item.range_subselect.subquery.select_stmt, lookup)
    if not select.larg.ByteSize():
        return
    leaves: list[Any] = []

    def collect(node: Any) -> None:
        if node.larg.ByteSize():
            collect(node.larg)
            collect(node.rarg)
        else:
            leaves.append(node)

    collect(select)
    if any(len(leaf.target_list) != len(leaves[0].target_list) for leaf in leaves):
        return
    for position in range(len(leaves[0].target_list)):
        targets = [leaf.target_list[position].res_target for leaf in leaves]
        nulls = [t for t in targets[1:] if _is_null(t.val)]
        if not nulls or _is_null(targets[0].val):
            continue
        others = [(leaf, t.val) for leaf, t in zip(leaves, targets, strict=True) if not _is_null(t.val)]
        types = {_column_type(leaf, val, lookup) for leaf, val in others}
        found = types.pop() if len(types) == 1 else None
        if found is None:
            continue
        type_name = _type_name(found)
        for target in nulls:
            cast = pb.TypeCast(type_name=type_name)
            cast.arg.CopyFrom(target.val)
            target.val.type_cast.CopyFrom(cast)
            target.name = target.name or figure_colname(target.val) or ""


def _is_null(val: Any) -> bool:
    return bool(val.WhichOneof("node") == "a_const" and val.a_const.isnull)


def _column_type(leaf: Any, val: Any, lookup: Lookup) -> str | None:
    """The type of a column reference to the one table a branch reads; None otherwise."""
    found = _table_column(leaf, val.column_ref) if val.WhichOneof("node") == "column_ref" else None
    return lookup.column_type(*found) if found is not None else None


def _cast_operands(select: Any, lookup: Lookup) -> None:
    """The implicit casts of operands that PostgreSQL prints (in the select list, WHERE, GROUP BY,
    HAVING and ORDER BY), for a query of one table (other columns: unknown types), its WITH queries
    and its subqueries in FROM: columns of a domain type
    that are operands or function arguments, cast to the base type; the narrower integer operand of
    an operator that only takes two of one type (smallint % 2 → (smallint)::integer % 2)."""

    def base_of(ref: Any) -> str | None:
        found = _table_column(select, ref)
        return lookup.domain_base(*found) if found is not None else None

    def type_of(operand: Any) -> str | None:
        which = operand.WhichOneof("node")
        if which == "column_ref":
            return _column_type(select, operand, lookup)
        if which == "a_const" and operand.a_const.WhichOneof("val") == "ival":
            return "integer"
        if which == "type_cast" and len(operand.type_cast.type_name.names) == 2:
            names = [n.string.sval for n in operand.type_cast.type_name.names]
            return builtin_spelling(names[1], ()) if names[0] == "pg_catalog" else None
        return None

    for cte in select.with_clause.ctes:
        query = cte.common_table_expr.ctequery
        if query.WhichOneof("node") == "select_stmt":
            _cast_operands(query.select_stmt, lookup)
    for item in select.from_clause:
        if item.WhichOneof("node") == "range_subselect":
            _cast_operands(item.range_subselect.subquery.select_stmt, lookup)
    if select.larg.ByteSize() or select.values_lists:
        return
    for target in select.target_list:
        cast_domain_operands(target.res_target.val, base_of, type_of)
    for clause in ("where_clause", "having_clause"):
        if select.HasField(clause):
            cast_domain_operands(getattr(select, clause), base_of, type_of)
    for item in select.group_clause:
        cast_domain_operands(item, base_of, type_of)
    for item in select.sort_clause:
        cast_domain_operands(item.sort_by.node, base_of, type_of)


def _table_column(select: Any, ref: Any) -> tuple[str, str, str] | None:
    """(schema, table, column) of a column reference to the one table a SELECT reads; None when it
    reads anything else, or the reference is to something else."""
    if len(select.from_clause) != 1 or select.from_clause[0].WhichOneof("node") != "range_var":
        return None
    table = select.from_clause[0].range_var
    fields = ref.fields
    if len(fields) > 2 or any(f.WhichOneof("node") != "string" for f in fields):
        return None
    if len(fields) == 2 and fields[0].string.sval != (table.alias.aliasname or table.relname):
        return None
    return table.schemaname, table.relname, fields[-1].string.sval


# operators PostgreSQL has only for two operands of one integer type (int2mod, int4and, …; +, -, *,
# / and comparisons have cross-type variants such as int24pl): the narrower operand is cast
_ONE_TYPE_OPERATORS = frozenset({"%", "&", "|", "#"})
_INTEGER_WIDTHS = {"smallint": 2, "integer": 4, "bigint": 8}


def cast_domain_operands(
    node: Any,
    base_of: Callable[[Any], str | None],
    type_of: Callable[[Any], str | None] = lambda operand: None,
) -> None:
    """Cast operands as PostgreSQL coerces them and prints the coercion.

    Column references of a domain type (base_of(ColumnRef): the domain's base type, or None) to
    the base type, as operands of an operator and arguments of a function (not under IS [NOT]
    NULL, not one already cast); and of an operator in _ONE_TYPE_OPERATORS whose operands are
    integers of two widths (type_of(operand): its type, or None when unknown), the narrower one to
    the wider type."""
    which = node.WhichOneof("node")
    if which == "a_expr":
        operands = [o for o in (node.a_expr.lexpr, node.a_expr.rexpr) if o.WhichOneof("node")]
        if len(operands) == 2 and _one_type_operator(node.a_expr):
            _widen(operands, type_of)
    elif which == "func_call":
        operands = list(node.func_call.args)
    elif which in ("bool_expr", "list"):
        for item in node.bool_expr.args if which == "bool_expr" else node.list.items:
            cast_domain_operands(item, base_of, type_of)
        return
    elif which == "type_cast" and node.type_cast.arg.WhichOneof("node") != "column_ref":
        cast_domain_operands(node.type_cast.arg, base_of, type_of)
        return
    else:
        return
    for operand in operands:
        base = base_of(operand.column_ref) if operand.WhichOneof("node") == "column_ref" else None
        if base is None:
            cast_domain_operands(operand, base_of, type_of)
            continue
        _cast(operand, base)


def _one_type_operator(expr: Any) -> bool:
    return bool(
        expr.kind == pb.AEXPR_OP and len(expr.name) == 1 and expr.name[0].string.sval in _ONE_TYPE_OPERATORS
    )


def _widen(operands: list[Any], type_of: Callable[[Any], str | None]) -> None:
    """Cast the narrower of two integer operands of different widths to the wider type."""
    types = [type_of(operand) for operand in operands]
    if not all(t in _INTEGER_WIDTHS for t in types) or types[0] == types[1]:
        return
    wider = max(types, key=lambda t: _INTEGER_WIDTHS[t or ""])
    for operand, found in zip(operands, types, strict=True):
        if found != wider:
            _cast(operand, wider or "")


def _cast(operand: Any, type_spelling: str) -> None:
    """Wrap the operand node (in place) in a cast to the type."""
    cast = pb.TypeCast(type_name=_type_name(type_spelling))
    cast.arg.CopyFrom(operand)
    operand.type_cast.CopyFrom(cast)


def _type_name(spelling: str) -> Any:
    """The parsed TypeName of a type's canonical spelling."""
    select = parse(f"SELECT NULL::{spelling}").stmts[0].stmt.select_stmt
    return select.target_list[0].res_target.val.type_cast.type_name


def _name_branches(select: Any, columns: tuple[str, ...]) -> None:
    if select.larg.ByteSize():
        _name_branches(select.larg, columns)
        _name_branches(select.rarg, columns)
        return
    if select.values_lists or any(_is_star(t.res_target.val) for t in select.target_list):
        return
    for target, column in zip(select.target_list, columns, strict=False):
        res = target.res_target
        if res.name:
            own = res.name
        elif res.val.WhichOneof("node") == "column_ref":
            last = res.val.column_ref.fields[-1]
            own = last.string.sval if last.WhichOneof("node") == "string" else ""
        else:
            own = figure_colname(res.val) or "?column?"
        if own != column:
            res.name = column


def _order_by_position(select: Any, names: tuple[str, ...]) -> None:
    for item in select.sort_clause:
        key = item.sort_by.node
        if key.WhichOneof("node") != "column_ref":
            continue
        fields = key.column_ref.fields
        if len(fields) == 1 and fields[0].WhichOneof("node") == "string" and fields[0].string.sval in names:
            position = names.index(fields[0].string.sval) + 1
            key.Clear()
            key.a_const.ival.ival = position


def _expand_stars(select: Any, lookup: Lookup) -> None:
    if not any(_is_star(t.res_target.val) for t in select.target_list):
        return
    relations = _from_relations(select.from_clause, lookup)
    expanded: list[Any] = []
    for target in select.target_list:
        val = target.res_target.val
        if not _is_star(val):
            expanded.append(target)
            continue
        fields = val.column_ref.fields
        if len(fields) == 1:
            chosen = relations
        else:
            chosen = [(alias, cols) for alias, cols in relations if alias == fields[-2].string.sval]
            if not chosen:
                raise Unknown
        for alias, columns in chosen:
            for column in columns:
                node = pb.Node()
                ref = node.res_target.val.column_ref
                ref.fields.add().string.sval = alias
                ref.fields.add().string.sval = column
                expanded.append(node)
    del select.target_list[:]
    select.target_list.extend(expanded)


def _whole_rows(select: Any, lookup: Lookup) -> None:
    """A FROM item's name used as a value (row_to_json(t), f(editor)) is a whole-row reference,
    which the catalog prints as t.*; subqueries (another scope) are left alone."""
    try:
        relations = _from_relations(select.from_clause, lookup)
    except Unknown:
        return
    columns = {c for _, cols in relations for c in cols}
    rows = {alias for alias, _ in relations} - columns
    for target in select.target_list:
        for ref in column_refs(target.res_target, into_subqueries=False):
            if len(ref.fields) == 1 and ref.fields[0].string.sval in rows:
                ref.fields.add().a_star.SetInParent()


def _group_by_outputs(select: Any, lookup: Lookup) -> None:
    """GROUP BY a name that is no input column but an output column's name groups by that
    column's expression, which the catalog prints (GROUP BY day → GROUP BY date_trunc(…))."""
    if not select.group_clause:
        return
    try:
        relations = _from_relations(select.from_clause, lookup)
    except Unknown:
        return
    inputs = {c for _, columns in relations for c in columns}
    outputs: dict[str, Any] = {}
    for target in select.target_list:
        if target.res_target.name:
            outputs.setdefault(target.res_target.name, target.res_target.val)
    for item in select.group_clause:
        if item.WhichOneof("node") != "column_ref":
            continue
        fields = item.column_ref.fields
        if len(fields) == 1 and fields[0].WhichOneof("node") == "string":
            name = fields[0].string.sval
            if name not in inputs and name in outputs:
                expression = pb.Node()
                expression.CopyFrom(outputs[name])
                item.CopyFrom(expression)


def _expand_composites(select: Any, lookup: Lookup) -> None:
    """(f(x)).* of a function whose result columns are known becomes one column per field,
    (f(x)).a AS a, … as the catalog stores it."""
    if not any(_composite_call(t.res_target.val) is not None for t in select.target_list):
        return
    expanded: list[Any] = []
    for target in select.target_list:
        call = _composite_call(target.res_target.val)
        columns = None
        if call is not None:
            columns = _call_columns(call.func_call, lookup)
        if columns is None:
            expanded.append(target)
            continue
        for column in columns:
            node = pb.Node()
            node.res_target.name = column
            indirection = node.res_target.val.a_indirection
            indirection.arg.CopyFrom(call)
            indirection.indirection.add().string.sval = column
            expanded.append(node)
    del select.target_list[:]
    select.target_list.extend(expanded)


def _call_columns(call: Any, lookup: Lookup) -> tuple[str, ...] | None:
    """The result columns of a call of a function of the model, when known."""
    names = [n.string.sval for n in call.funcname]
    return lookup.function(names[-2] if len(names) > 1 else "", names[-1], len(call.args))


def _composite_call(val: Any) -> Any:
    """The function call of (f(…)).*, else None."""
    if val.WhichOneof("node") != "a_indirection":
        return None
    indirection = val.a_indirection
    if (
        len(indirection.indirection) == 1
        and indirection.indirection[0].WhichOneof("node") == "a_star"
        and indirection.arg.WhichOneof("node") == "func_call"
    ):
        return indirection.arg
    return None


def _is_star(val: Any) -> bool:
    return bool(
        val.WhichOneof("node") == "column_ref" and val.column_ref.fields[-1].WhichOneof("node") == "a_star"
    )


def _select_columns(node: Any, lookup: Lookup) -> list[str]:
    select = node if isinstance(node, pb.SelectStmt) else node.select_stmt
    if select.larg.ByteSize():
        return _select_columns_from(select.larg, lookup)
    if select.values_lists:
        first = select.values_lists[0].list.items
        return [f"column{i + 1}" for i in range(len(first))]
    relations: list[tuple[str, tuple[str, ...]]] | None = None
    names: list[str] = []
    for target in select.target_list:
        res = target.res_target
        if res.name:
            names.append(res.name)
            continue
        val = res.val
        if (
            val.WhichOneof("node") == "column_ref"
            and val.column_ref.fields[-1].WhichOneof("node") == "a_star"
        ):
            if relations is None:
                relations = _from_relations(select.from_clause, lookup)
            fields = val.column_ref.fields
            if len(fields) == 1:
                for _, columns in relations:
                    names.extend(columns)
            else:
                qualifier = fields[-2].string.sval
                match = [cols for alias, cols in relations if alias == qualifier]
                if not match:
                    raise Unknown
                names.extend(match[0])
            continue
        names.append(figure_colname(val) or "?column?")
    return names


def _select_columns_from(select: Any, lookup: Lookup) -> list[str]:
    return _select_columns(select, lookup)


def _from_relations(items: Any, lookup: Lookup) -> list[tuple[str, tuple[str, ...]]]:
    """(alias, columns) of each relation in FROM, in order; Unknown when one cannot be known."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for item in items:
        which = item.WhichOneof("node")
        if which == "range_var":
            rv = item.range_var
            columns = lookup.relation(rv.schemaname, rv.relname)
            alias = rv.alias.aliasname or rv.relname
            if rv.alias.colnames and columns is not None:
                renamed = [c.string.sval for c in rv.alias.colnames]
                columns = tuple(renamed + list(columns[len(renamed) :]))
            out.append((alias, columns if columns is not None else _unknown()))
        elif which == "join_expr":
            join = item.join_expr
            if join.using_clause or join.is_natural:
                raise Unknown
            out.extend(_from_relations([join.larg, join.rarg], lookup))
        elif which == "range_subselect":
            sub = item.range_subselect
            columns = tuple(_select_columns(sub.subquery, lookup))
            if sub.alias.colnames:
                renamed = [c.string.sval for c in sub.alias.colnames]
                columns = tuple(renamed + list(columns[len(renamed) :]))
            out.append((sub.alias.aliasname, columns))
        elif which == "range_function":
            out.append(_function_relation(item.range_function, lookup))
        elif which == "range_table_func" and not item.range_table_func.alias.colnames:
            table = item.range_table_func  # XMLTABLE: its COLUMNS are its columns
            columns = tuple(c.range_table_func_col.colname for c in table.columns)
            out.append((table.alias.aliasname or "xmltable", columns))
        else:
            raise Unknown
    return out


def _alias_functions(items: Any, lookup: Lookup) -> None:
    """Give every function in FROM whose result columns are known the alias the catalog prints; an
    XMLTABLE that reads columns of the FROM list is LATERAL (PostgreSQL makes it so, and prints it)."""
    for item in items:
        which = item.WhichOneof("node")
        if which == "range_function":
            try:
                _function_relation(item.range_function, lookup)
            except Unknown:
                continue
        elif which == "range_table_func" and next(column_refs(item.range_table_func), None) is not None:
            item.range_table_func.lateral = True
        elif which == "join_expr":
            _alias_functions([item.join_expr.larg, item.join_expr.rarg], lookup)


def _function_relation(function: Any, lookup: Lookup) -> tuple[str, tuple[str, ...]]:
    """(alias, columns) of a function in FROM whose result columns the model knows; the alias
    is set as the catalog prints it: the function's name with every column (getall() getall(id, name))."""
    if function.lateral or function.ordinality or function.is_rowsfrom or len(function.functions) != 1:
        raise Unknown
    call_node, definitions = function.functions[0].list.items
    if call_node.WhichOneof("node") != "func_call" or definitions.ByteSize():
        raise Unknown
    call = call_node.func_call
    name = call.funcname[-1].string.sval
    if function.coldeflist:  # AS ct(a int, b text): the query names the columns itself
        return function.alias.aliasname or name, tuple(d.column_def.colname for d in function.coldeflist)
    columns = _call_columns(call, lookup)
    if columns is None:
        raise Unknown
    alias = function.alias
    renamed = [c.string.sval for c in alias.colnames]
    columns = tuple(renamed + list(columns[len(renamed) :]))
    if not alias.aliasname:
        alias.aliasname = name
    if len(renamed) < len(columns):
        del alias.colnames[:]
        for column in columns:
            alias.colnames.add().string.sval = column
    return alias.aliasname, columns


def _unknown() -> tuple[str, ...]:
    raise Unknown
