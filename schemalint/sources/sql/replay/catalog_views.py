"""Catalog views emulated from the model for DO blocks: the rows pg_indexes,
information_schema.columns, pg_namespace and friends would return, so that IF EXISTS
(SELECT … FROM pg_…) guards and SELECT … INTO are decided against the model replayed so far."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from schemalint.sources.sql.replay.do_values import NULL, Value, node_value, parse_select
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import Replay


def view_rows(
    select: Any, env: Mapping[str, Value], catalog: Callable[[str], list[dict[str, str]] | None]
) -> tuple[list[dict[str, str]], bool]:
    """The rows of SELECT … FROM <one catalog view> [WHERE col = value AND col IN (…) …] that the
    model holds, and whether they are all the rows the catalog would give: the model holds no
    system or extension objects, so the answer is whole only when the WHERE clause pins the
    schema to schemas of the model (pg_indexes WHERE schemaname = 'auth' AND …); ([], False)
    when the query reads anything else."""
    unknown: tuple[list[dict[str, str]], bool] = ([], False)
    if len(select.from_clause) != 1 or select.from_clause[0].WhichOneof("node") != "range_var":
        return unknown
    if select.group_clause or select.HasField("having_clause") or select.limit_count.ByteSize():
        return unknown
    source = select.from_clause[0].range_var
    if source.schemaname not in ("", "pg_catalog", "information_schema"):
        return unknown
    view = f"{source.schemaname or 'pg_catalog'}.{source.relname}"
    if source.schemaname == "" and source.relname in _INFORMATION_SCHEMA_ONLY:
        return unknown  # information_schema's views are not on the search_path
    rows = catalog(view)
    if rows is None:
        return unknown
    tests: list[Any] = []
    if select.HasField("where_clause"):
        where = select.where_clause
        is_and = where.WhichOneof("node") == "bool_expr" and where.bool_expr.boolop == pb.AND_EXPR
        tests = list(where.bool_expr.args) if is_and else [where]
    alias = source.alias.aliasname or source.relname
    schema_column = _SCHEMA_COLUMNS.get(view)
    user_schemas = {row["nspname"] for row in catalog("pg_catalog.pg_namespace") or []}
    complete = False
    for test in tests:
        filtered = _filter(rows, test, alias, env)
        if filtered is None:
            return unknown
        rows, column, wanted = filtered
        # the rows are all there are when the schemas asked about are all the model's (a schema's
        # objects) or can only be the model's (the schemas themselves)
        in_model = column == schema_column and wanted <= user_schemas - _SYSTEM_SCHEMAS
        schemas = column == _SCHEMA_NAME_COLUMNS.get(view) and _only_user_schemas(wanted, catalog)
        complete = complete or in_model or schemas
    return rows, complete


def _only_user_schemas(names: set[str], catalog: Callable[[str], list[dict[str, str]] | None]) -> bool:
    """Whether schemas of these names exist only if the model holds them: no name is a system
    schema's (pg_*, information_schema), and every extension of the model is one that makes no
    schema (an extension such as pg_cron or postgis_topology makes one, which the model leaves out)."""
    extensions = {row["extname"] for row in catalog("pg_catalog.pg_extension") or []}
    return extensions <= _SCHEMALESS_EXTENSIONS and not any(
        name.startswith("pg_") or name == "information_schema" for name in names
    )


def selected(
    query: str, env: Mapping[str, Value], catalog: Callable[[str], list[dict[str, str]] | None]
) -> list[Value | None] | None:
    """What SELECT <expressions> FROM <one catalog view> WHERE … puts INTO its variables: NULLs
    when the model shows there is no row, the expressions' values over the row when there is one;
    None when replay cannot know (another query, rows in an order it does not know)."""
    select = parse_select(query)
    if select is None or not select.from_clause or select.sort_clause:
        return None
    rows, complete = view_rows(select, env, catalog)
    targets = [t.res_target.val for t in select.target_list]
    if not rows:
        return [NULL for _ in targets] if complete else None
    if len(rows) > 1 or any(
        t.WhichOneof("node") == "column_ref" and t.column_ref.fields[-1].WhichOneof("node") == "a_star"
        for t in targets
    ):
        return None
    scope = {**env, **rows[0]}
    return [node_value(t, scope) for t in targets]


def _filter(
    rows: list[dict[str, str]], test: Any, alias: str, env: Mapping[str, Value]
) -> tuple[list[dict[str, str]], str, set[str]] | None:
    """(the rows that pass `column = value` or `column IN (values)`, the column, the values)."""
    if (
        test.WhichOneof("node") != "a_expr"
        or len(test.a_expr.name) != 1
        or test.a_expr.name[0].string.sval != "="
    ):
        return None
    expr = test.a_expr
    if expr.lexpr.WhichOneof("node") != "column_ref":
        return None
    names = [f.string.sval for f in expr.lexpr.column_ref.fields]
    if (len(names) == 2 and names[0] != alias) or len(names) not in (1, 2):
        return None
    column = names[-1]
    if expr.kind == pb.AEXPR_OP:
        wanted = [node_value(_uncast(expr.rexpr), env)]
    elif expr.kind == pb.AEXPR_IN:
        wanted = [node_value(_uncast(item), env) for item in expr.rexpr.list.items]
    else:
        return None
    values = {w for w in wanted if isinstance(w, str)}
    if len(values) != len(set(map(str, wanted))) or None in wanted or column not in _CATALOG_COLUMNS:
        return None
    return [row for row in rows if row.get(column) in values], column, values


def _uncast(node: Any) -> Any:
    """'x'::name or 'x'::text: the constant (a comparison with a catalog name column)."""
    if node.WhichOneof("node") == "type_cast":
        names = [n.string.sval for n in node.type_cast.type_name.names]
        if names[-1] in ("name", "text", "varchar"):
            return node.type_cast.arg
    return node


_INFORMATION_SCHEMA_ONLY = frozenset({"tables", "columns", "schemata", "table_constraints"})


def catalog_rows(r: Replay, view: str) -> list[dict[str, str]] | None:
    """The rows of a catalog view as the replayed model has them, with the columns a guard reads
    (pg_indexes, pg_tables, pg_views, pg_class, pg_type, pg_namespace, pg_constraint, pg_proc,
    pg_trigger, pg_policies, pg_sequences, pg_extension, information_schema.tables, .columns,
    .schemata, .table_constraints); None for any other relation."""
    s = r.state
    tables = list(s.tables.values())
    match view:
        case "pg_catalog.pg_indexes":
            return [
                {"schemaname": t.schema, "tablename": t.name, "indexname": i.name}
                for t in tables
                for i in t.indexes
            ] + [
                {"schemaname": v.schema, "tablename": v.name, "indexname": i.name}
                for v in s.views.values()
                for i in v.indexes
            ]
        case "pg_catalog.pg_tables":
            return [
                {"schemaname": t.schema, "tablename": t.name} for t in tables if t.kind != "foreign table"
            ]
        case "pg_catalog.pg_views":
            return [
                {"schemaname": v.schema, "viewname": v.name} for v in s.views.values() if not v.materialized
            ]
        case "pg_catalog.pg_sequences":
            return [{"schemaname": q.schema, "sequencename": q.name} for q in s.sequences.values()]
        case "pg_catalog.pg_class":
            names = [t.name for t in tables] + [v.name for v in s.views.values()]
            names += [q.name for q in s.sequences.values()] + [i.name for t in tables for i in t.indexes]
            return [{"relname": name} for name in names]
        case "pg_catalog.pg_type":
            names = [e.name for e in s.enums.values()] + [d.name for d in s.domains.values()]
            names += [q.rpartition(".")[2] for q in s.other_types] + [t.name for t in tables]
            names += [v.name for v in s.views.values()]
            return [{"typname": name} for name in names]
        case "pg_catalog.pg_namespace":
            return [{"nspname": name} for name in s.schemas]
        case "information_schema.schemata":
            return [{"schema_name": name} for name in s.schemas]
        case "pg_catalog.pg_constraint":
            return [{"conname": c.name} for t in tables for c in t.constraints]
        case "information_schema.table_constraints":
            # the view leaves out exclusion constraints and foreign tables, and lists each NOT NULL
            # column as a CHECK constraint with a name made of OIDs (no literal names it)
            relations = [t for t in tables if t.kind != "foreign table"]
            return [
                {
                    "constraint_schema": t.schema,
                    "constraint_name": c.name,
                    "constraint_type": c.kind.upper(),
                    "table_schema": t.schema,
                    "table_name": t.name,
                }
                for t in relations
                for c in t.constraints
                if c.kind != "exclusion"
            ] + [
                {
                    "constraint_schema": t.schema,
                    "constraint_name": "",
                    "constraint_type": "CHECK",
                    "table_schema": t.schema,
                    "table_name": t.name,
                }
                for t in relations
                for c in t.columns
                if c.not_null
            ]
        case "pg_catalog.pg_proc":
            return [{"proname": f.name} for f in s.functions.values()]
        case "pg_catalog.pg_trigger":
            return [{"tgname": g.name} for t in tables for g in t.triggers] + [
                {"tgname": g.name} for v in s.views.values() for g in v.triggers
            ]
        case "pg_catalog.pg_policies":
            return [
                {"schemaname": t.schema, "tablename": t.name, "policyname": p.name}
                for t in tables
                for p in t.policies
            ]
        case "pg_catalog.pg_extension":
            return [{"extname": name} for name in s.extensions]
        case "information_schema.tables":
            return [{"table_schema": t.schema, "table_name": t.name} for t in tables] + [
                {"table_schema": v.schema, "table_name": v.name}
                for v in s.views.values()
                if not v.materialized
            ]
        case "information_schema.columns":
            return [
                {"table_schema": t.schema, "table_name": t.name, "column_name": c.name}
                for t in tables
                for c in t.columns
            ]
    return None


# the schema column of the views that have one
_SCHEMA_COLUMNS = {
    "pg_catalog.pg_indexes": "schemaname",
    "pg_catalog.pg_tables": "schemaname",
    "pg_catalog.pg_views": "schemaname",
    "pg_catalog.pg_sequences": "schemaname",
    "pg_catalog.pg_policies": "schemaname",
    "information_schema.tables": "table_schema",
    "information_schema.columns": "table_schema",
    "information_schema.table_constraints": "table_schema",
}


_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})


# the views that list schemas, and their name column
_SCHEMA_NAME_COLUMNS = {"pg_catalog.pg_namespace": "nspname", "information_schema.schemata": "schema_name"}


# extensions that create no schema of their own (PostgreSQL's contrib modules and a few common
# others): with only these installed, every schema of the database is one the model holds
_SCHEMALESS_EXTENSIONS = frozenset(
    {
        "plpgsql", "pgcrypto", "uuid-ossp", "citext", "hstore", "pg_trgm", "btree_gin", "btree_gist",
        "ltree", "unaccent", "fuzzystrmatch", "intarray", "cube", "earthdistance", "tablefunc",
        "pg_stat_statements", "isn", "lo", "dblink", "postgres_fdw", "file_fdw", "moddatetime",
        "pg_buffercache", "pgstattuple", "pgrowlocks", "pg_prewarm", "pg_visibility", "amcheck",
        "bloom", "seg", "intagg", "tsm_system_rows", "tsm_system_time", "autoinc", "insert_username",
        "refint", "tcn", "dict_int", "dict_xsyn", "sslinfo", "xml2", "pageinspect", "postgis",
        "postgis_raster", "vector", "pg_partman", "pgtap", "address_standardizer",
    }
)  # fmt: skip


# every column catalog_rows gives
_CATALOG_COLUMNS = frozenset(
    {
        "schemaname",
        "tablename",
        "indexname",
        "viewname",
        "sequencename",
        "relname",
        "typname",
        "nspname",
        "schema_name",
        "conname",
        "constraint_schema",
        "constraint_name",
        "constraint_type",
        "table_schema",
        "table_name",
        "proname",
        "tgname",
        "policyname",
        "extname",
        "column_name",
    }
)
