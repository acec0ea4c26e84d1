"""The output column names of a view's query, as PostgreSQL names them (FigureColname).

``*`` is expanded from the model when the relations in FROM are known;
otherwise the columns are unknown and an empty tuple is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from postgast import pg_query_pb2 as pb

from schemalint.exprnorm import figure_colname


class Unknown(Exception):
    pass


def prepare_view_query(
    query: Any, aliases: list[str], relation_columns: Callable[[str, str], tuple[str, ...] | None]
) -> tuple[str, ...]:
    """Expand ``*`` and apply the view's column aliases in ``query`` (changed in place), as
    PostgreSQL stores a view; return the view's column names (empty when they cannot be known)."""
    select = query if isinstance(query, pb.SelectStmt) else query.select_stmt
    try:
        if not select.larg.ByteSize() and not select.values_lists:
            _expand_stars(select, relation_columns)
        names = _select_columns(query, relation_columns)
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


def _expand_stars(select: Any, relation_columns: Callable[[str, str], tuple[str, ...] | None]) -> None:
    if not any(_is_star(t.res_target.val) for t in select.target_list):
        return
    relations = _from_relations(select.from_clause, relation_columns)
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


def _is_star(val: Any) -> bool:
    return bool(
        val.WhichOneof("node") == "column_ref" and val.column_ref.fields[-1].WhichOneof("node") == "a_star"
    )


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
