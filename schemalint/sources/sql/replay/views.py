"""Replay of views, materialized views and CREATE TABLE AS: the query as PostgreSQL
stores it, and the output columns with their types (viewcols.py)."""

from __future__ import annotations

from typing import Any

from schemalint.depscan import split_top_level
from schemalint.exprnorm import canonical_query
from schemalint.model import Column, Table, View
from schemalint.sources.sql.replay.columns import domain_type
from schemalint.sources.sql.replay.nodes import OT, pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay
from schemalint.sources.sql.replay.tables import PERSISTENCE
from schemalint.sources.sql.replay.viewcols import Lookup, prepare_view_query


def _lookup(r: Replay) -> Lookup:
    def relation(schema: str, name: str) -> tuple[str, ...] | None:
        qualname = r.resolve(schema, name, r.relation_exists)
        table = r.state.tables.get(qualname)
        if table is not None:
            return tuple(c.name for c in table.columns)
        view = r.state.views.get(qualname)
        if view is not None and view.columns:
            return view.columns
        return None

    def function(schema: str, name: str, arguments: int) -> tuple[str, ...] | None:
        schemas = [schema] if schema else r.search_path
        found = [
            f
            for f in r.state.functions.values()
            if f.name == name and f.schema in schemas and _arity(f.identity_args) == arguments
        ]
        if len(found) != 1:
            return None
        returns = found[0].returns
        if returns.startswith("TABLE(") and returns.endswith(")"):
            return _table_columns(returns[len("TABLE(") : -1])
        result = returns.removeprefix("SETOF ")
        if '"' in result or "." not in result:
            return None  # a base type's single column, or a name this does not take apart
        result_schema, _, result_name = result.rpartition(".")
        return relation(result_schema, result_name)

    def column_type(schema: str, name: str, column: str) -> str | None:
        table = r.state.tables.get(r.resolve(schema, name, r.relation_exists))
        found = table.column(column) if table is not None else None
        return found.type if found is not None else None

    def domain_base(schema: str, name: str, column: str) -> str | None:
        found = column_type(schema, name, column)
        return domain_type(r, found) if found is not None else None

    return Lookup(relation, function, domain_base, column_type)


def _arity(identity_args: str) -> int:
    return 0 if not identity_args else len(split_top_level(identity_args))


def _table_columns(text: str) -> tuple[str, ...] | None:
    """The column names of RETURNS TABLE(a integer, "b c" text) as pg_get_function_result spells it."""
    names = []
    for item in split_top_level(text):
        if item.startswith('"'):
            end = item.find('"', 1)
            while end >= 0 and item.startswith('""', end):
                end = item.find('"', end + 2)
            if end < 0:
                return None
            names.append(item[1:end].replace('""', '"'))
        else:
            names.append(item.split(" ", 1)[0])
    return tuple(names)


def create_view(r: Replay, stmt: pb.ViewStmt) -> None:
    schema = r.creation_schema(stmt.view.schemaname)
    qualname = f"{schema}.{stmt.view.relname}"
    if qualname in r.state.views and not stmt.replace:
        raise NotReplayed(f"view {qualname} already exists")
    query = pb.Node()
    query.CopyFrom(stmt.query)
    columns = prepare_view_query(query, [a.string.sval for a in stmt.aliases], _lookup(r))
    replaced = r.state.views.get(qualname)  # OR REPLACE: the same view, its triggers, comment, acl kept
    r.state.views[qualname] = View(
        schema,
        stmt.view.relname,
        canonical_query(query),
        columns=columns,
        triggers=replaced.triggers if replaced is not None else (),
        comment=replaced.comment if replaced is not None else None,
        acl=replaced.acl if replaced is not None else None,
        location=r.location,
    )
    r.add_relname(schema, stmt.view.relname)
    r.touch(qualname)


def create_table_as(r: Replay, stmt: pb.CreateTableAsStmt) -> None:
    rel = stmt.into.rel
    schema = r.creation_schema(rel.schemaname)
    qualname = f"{schema}.{rel.relname}"
    matview = stmt.objtype == OT.OBJECT_MATVIEW
    if qualname in r.state.views if matview else r.relation_exists(qualname):
        if stmt.if_not_exists:
            return
        raise NotReplayed(f"{'materialized view' if matview else 'relation'} {qualname} already exists")
    query = pb.Node()
    query.CopyFrom(stmt.query)
    columns = prepare_view_query(query, [a.string.sval for a in stmt.into.col_names], _lookup(r))
    if not matview:
        _table_from_query(r, schema, rel.relname, rel.relpersistence, query.select_stmt, columns)
        return
    r.state.views[qualname] = View(
        schema,
        rel.relname,
        canonical_query(query),
        materialized=True,
        columns=columns,
        location=r.location,
    )
    r.add_relname(schema, rel.relname)
    r.touch(qualname)


def select_into(r: Replay, stmt: pb.SelectStmt) -> None:
    """SELECT … INTO t …: PostgreSQL reads it as CREATE TABLE t AS SELECT … (the same query
    without INTO)."""
    ctas = pb.CreateTableAsStmt(objtype=OT.OBJECT_TABLE)
    ctas.into.CopyFrom(stmt.into_clause)
    ctas.query.select_stmt.CopyFrom(stmt)
    ctas.query.select_stmt.ClearField("into_clause")
    create_table_as(r, ctas)


def _table_from_query(
    r: Replay, schema: str, name: str, persistence: str, select: pb.SelectStmt, names: tuple[str, ...]
) -> None:
    """CREATE TABLE … AS SELECT: a table with the query's column names and types, where every type
    is known (a cast, a constant, a column of a table of the model); nothing else of the query
    (no NOT NULL, no default, no constraint) reaches the table."""
    if not names or select.larg.ByteSize() or select.values_lists:
        raise NotReplayed("CREATE TABLE … AS: the columns of this query are not known to schemalint")
    tables: dict[str, Table] = {}
    items = list(select.from_clause)
    while items:  # the tables of the FROM list and of its joins, by the name the query uses
        item = items.pop()
        if item.WhichOneof("node") == "join_expr":
            items += [item.join_expr.larg, item.join_expr.rarg]
        elif item.WhichOneof("node") == "range_var":
            table = r.state.tables.get(r.relation(item.range_var))
            if table is not None:
                tables[item.range_var.alias.aliasname or item.range_var.relname] = table
    columns = []
    for column, target in zip(names, select.target_list, strict=False):
        column_type = _expression_type(r, target.res_target.val, tables)
        if column_type is None:
            raise NotReplayed(
                f"CREATE TABLE … AS: column {column} has the type of an expression schemalint does not type"
            )
        columns.append(Column(name=column, type=column_type, location=r.location))
    qualname = f"{schema}.{name}"
    r.state.tables[qualname] = Table(
        schema=schema,
        name=name,
        columns=tuple(columns),
        persistence=PERSISTENCE.get(persistence, "permanent"),  # type: ignore[arg-type]
        location=r.location,
    )
    r.add_relname(schema, name)
    r.touch(qualname)
    for made in columns:
        r.touch(f"{qualname}.{made.name}")


def _expression_type(r: Replay, node: Any, tables: dict[str, Table]) -> str | None:
    """The type PostgreSQL gives a query column: a cast's type, a constant's, a column's; else None."""
    which = node.WhichOneof("node")
    if which == "type_cast":
        return r.canonical_type(node.type_cast.type_name)
    if which == "a_const":
        const = node.a_const
        kind = const.WhichOneof("val")
        if const.isnull or kind == "sval":
            return "text"  # an untyped literal becomes text in a table
        if kind == "boolval":
            return "boolean"
        if kind == "ival":
            return "integer"
        if kind == "fval":
            text = const.fval.fval
            if text.lstrip("-").isdigit():
                return "bigint" if -(2**63) <= int(text) < 2**63 else "numeric"
            return "numeric"
        return None
    if which == "column_ref":
        fields = [f.string.sval for f in node.column_ref.fields if f.WhichOneof("node") == "string"]
        if len(fields) != len(node.column_ref.fields) or not fields:
            return None
        if len(fields) >= 2:
            table = tables.get(fields[-2])
            column = table.column(fields[-1]) if table is not None else None
            return column.type if column is not None else None
        found = [c for t in tables.values() if (c := t.column(fields[0])) is not None]
        return found[0].type if len(found) == 1 else None
    return None
