"""The output column names of a view's query, as PostgreSQL names them (FigureColname).

``*`` is expanded from the model when the relations in FROM are known;
otherwise the columns are unknown and an empty tuple is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from postgast import pg_query_pb2 as pb

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


class Unknown(Exception):
    pass


def view_columns(
    query: Any, aliases: list[str], relation_columns: Callable[[str, str], tuple[str, ...] | None]
) -> tuple[str, ...]:
    """Column names of a SELECT node; relation_columns(schema, name) gives a known relation's columns."""
    try:
        names = _select_columns(query, relation_columns)
    except Unknown:
        return ()
    return tuple(aliases + names[len(aliases) :])


def _select_columns(node: Any, relation_columns: Callable[[str, str], tuple[str, ...] | None]) -> list[str]:
    select = node if isinstance(node, pb.SelectStmt) else node.select_stmt
    if select.larg.ByteSize():
        return _select_columns_from(select.larg, relation_columns)
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
                relations = _from_relations(select.from_clause, relation_columns)
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


def _select_columns_from(
    select: Any, relation_columns: Callable[[str, str], tuple[str, ...] | None]
) -> list[str]:
    return _select_columns(select, relation_columns)


def _from_relations(
    items: Any, relation_columns: Callable[[str, str], tuple[str, ...] | None]
) -> list[tuple[str, tuple[str, ...]]]:
    """(alias, columns) of each relation in FROM, in order; Unknown when one cannot be known."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for item in items:
        which = item.WhichOneof("node")
        if which == "range_var":
            rv = item.range_var
            columns = relation_columns(rv.schemaname, rv.relname)
            alias = rv.alias.aliasname or rv.relname
            if rv.alias.colnames and columns is not None:
                renamed = [c.string.sval for c in rv.alias.colnames]
                columns = tuple(renamed + list(columns[len(renamed) :]))
            out.append((alias, columns if columns is not None else _unknown()))
        elif which == "join_expr":
            join = item.join_expr
            if join.using_clause or join.is_natural:
                raise Unknown
            out.extend(_from_relations([join.larg, join.rarg], relation_columns))
        elif which == "range_subselect":
            sub = item.range_subselect
            columns = tuple(_select_columns(sub.subquery, relation_columns))
            if sub.alias.colnames:
                renamed = [c.string.sval for c in sub.alias.colnames]
                columns = tuple(renamed + list(columns[len(renamed) :]))
            out.append((sub.alias.aliasname, columns))
        else:
            raise Unknown
    return out


def _unknown() -> tuple[str, ...]:
    raise Unknown


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
