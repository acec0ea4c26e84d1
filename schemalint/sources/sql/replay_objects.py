"""Replay of every object kind but tables: schemas, types, views, functions,
triggers, policies, sequences, extensions, comments, drops, renames, search_path."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from postgast import pg_query_pb2 as pb

from schemalint.exprnorm import canonical_expr, canonical_query
from schemalint.literals import fold_default
from schemalint.model import (
    Column,
    Domain,
    Enum,
    Extension,
    Function,
    Policy,
    Schema,
    Sequence,
    Table,
    Trigger,
    View,
    evolve,
)
from schemalint.sources.sql import refusals, replay_alter, replay_tables
from schemalint.sources.sql.replay import NotReplayed, enum_constants
from schemalint.sources.sql.replay_tables import SEQUENCE_LIMITS
from schemalint.sources.sql.viewcols import Lookup, cast_domain_operands, prepare_view_query
from schemalint.typenorm import quote_ident, type_without_modifiers

if TYPE_CHECKING:
    from schemalint.sources.sql.replay import Replayer

OT = enum_constants(pb.ObjectType)


def _names(node: Any) -> list[str]:
    """A qualified name from a List of String nodes (or a bare String)."""
    which = node.WhichOneof("node")
    if which == "list":
        return [item.string.sval for item in node.list.items]
    if which == "string":
        return [node.string.sval]
    if which == "type_name":
        return [n.string.sval for n in node.type_name.names]
    raise NotReplayed(f"unexpected object name node {which}")


def _split(r: Replayer, names: list[str], exists: Callable[[str], bool]) -> str:
    if len(names) >= 2:
        return f"{names[-2]}.{names[-1]}"
    return r.resolve("", names[0], exists)


def _type_qualname(r: Replayer, names: list[str]) -> str:
    s = r.state
    return _split(r, names, lambda q: q in s.enums or q in s.domains or q in s.other_types)


# -- schemas, search_path ---------------------------------------------------------------------------


def create_schema(r: Replayer, stmt: pb.CreateSchemaStmt) -> None:
    name = stmt.schemaname or stmt.authrole.rolename
    if name in r.state.schemas:
        if stmt.if_not_exists:
            return
        raise NotReplayed(f"schema {name} already exists")
    r.state.schemas[name] = Schema(name=name, location=r.location)
    r.touch(name)
    saved = r.search_path
    r.search_path = [name, *saved]  # the new schema goes first, as PostgreSQL does for schema elements
    try:
        for element in stmt.schema_elts:
            kind = element.WhichOneof("node")
            handler = (
                HANDLERS.get(kind) or replay_tables.HANDLERS.get(kind) or replay_alter.HANDLERS.get(kind)
            )
            if handler is None:
                raise NotReplayed(f"{kind} inside CREATE SCHEMA is not replayed")
            handler(r, getattr(element, kind))
    finally:
        r.search_path = saved


def _path_from_values(values: list[str]) -> list[str]:
    path = []
    for value in values:
        for part in value.split(","):
            part = part.strip().strip('"')
            if part and part != "$user" and part != "pg_catalog":
                path.append(part)
    return path


def variable_set(r: Replayer, stmt: pb.VariableSetStmt) -> None:
    if stmt.name.lower() == "timezone":
        r.time_zone = _time_zone(stmt)
        return
    if stmt.name.lower() != "search_path":
        return
    if stmt.kind in (
        pb.VariableSetKind.VAR_SET_DEFAULT,
        pb.VariableSetKind.VAR_RESET,
        pb.VariableSetKind.VAR_RESET_ALL,
    ):
        r.search_path = ["public"]
        return
    r.search_path = _path_from_values(
        [a.a_const.sval.sval for a in stmt.args if a.WhichOneof("node") == "a_const"]
    )


def _time_zone(stmt: pb.VariableSetStmt) -> str | None:
    """SET TIME ZONE 'Europe/Berlin' | -7 | LOCAL | DEFAULT, RESET timezone: the setting as
    PostgreSQL keeps it (a numeric offset in hours east becomes a POSIX offset); the server's
    default is taken to be UTC; None for what replay cannot read."""
    if stmt.kind != pb.VAR_SET_VALUE or not stmt.args:
        return "UTC"
    value = stmt.args[0]
    if value.WhichOneof("node") != "a_const":
        return None  # an INTERVAL offset
    const = value.a_const
    kind = const.WhichOneof("val")
    if kind == "sval":
        return str(const.sval.sval)
    hours = const.ival.ival if kind == "ival" else float(const.fval.fval) if kind == "fval" else None
    if hours is None:
        return None
    minutes = round(abs(hours) * 60)  # hours east of Greenwich, as a POSIX offset (west positive)
    return f"{'+' if hours < 0 else '-'}{minutes // 60:02d}:{minutes % 60:02d}"


def select(r: Replayer, stmt: pb.SelectStmt) -> None:
    """pg_dump's SELECT pg_catalog.set_config('search_path', '', false)."""
    for target in stmt.target_list:
        val = target.res_target.val
        if val.WhichOneof("node") != "func_call":
            continue
        call = val.func_call
        if call.funcname[-1].string.sval == "set_config" and len(call.args) >= 2:
            first, second = call.args[0], call.args[1]
            is_path = first.WhichOneof("node") == "a_const" and first.a_const.sval.sval == "search_path"
            if is_path and second.WhichOneof("node") == "a_const":
                r.search_path = _path_from_values([second.a_const.sval.sval])


# -- types ------------------------------------------------------------------------------------------


def create_enum(r: Replayer, stmt: pb.CreateEnumStmt) -> None:
    names = [n.string.sval for n in stmt.type_name]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    qualname = f"{schema}.{names[-1]}"
    r.state.enums[qualname] = Enum(
        schema, names[-1], tuple(v.string.sval for v in stmt.vals), location=r.location
    )
    r.touch(qualname)


def alter_enum(r: Replayer, stmt: pb.AlterEnumStmt) -> None:
    qualname = _type_qualname(r, [n.string.sval for n in stmt.type_name])
    enum = r.state.enums.get(qualname)
    if enum is None:
        raise NotReplayed(f"enum {qualname} does not exist in the model replayed so far")
    values = list(enum.values)
    if stmt.old_val:
        if stmt.old_val not in values:
            raise NotReplayed(f"enum {qualname} has no value {stmt.old_val!r}")
        values[values.index(stmt.old_val)] = stmt.new_val
    elif stmt.new_val in values:
        if not stmt.skip_if_new_val_exists:
            raise NotReplayed(f"enum {qualname} already has value {stmt.new_val!r}")
        return
    elif stmt.new_val_neighbor:
        if stmt.new_val_neighbor not in values:
            raise NotReplayed(f"enum {qualname} has no value {stmt.new_val_neighbor!r}")
        position = values.index(stmt.new_val_neighbor) + (1 if stmt.new_val_is_after else 0)
        values.insert(position, stmt.new_val)
    else:
        values.append(stmt.new_val)
    r.state.enums[qualname] = evolve(enum, values=tuple(values))
    r.touch(qualname)


def create_domain(r: Replayer, stmt: pb.CreateDomainStmt) -> None:
    names = [n.string.sval for n in stmt.domainname]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    name = names[-1]
    domain = Domain(schema, name, r.canonical_type(stmt.type_name), location=r.location)
    if stmt.coll_clause.collname:
        domain = evolve(domain, collation=r.collation([n.string.sval for n in stmt.coll_clause.collname]))
    for node in stmt.constraints:
        domain = _domain_constraint(r, domain, node.constraint)
    r.state.domains[domain.qualname] = domain
    r.touch(domain.qualname)


def _domain_constraint(r: Replayer, domain: Domain, c: pb.Constraint) -> Domain:
    from schemalint.sources.sql.naming import choose_name

    C = pb.ConstrType
    if c.contype == C.CONSTR_NOTNULL:
        return evolve(domain, not_null=True)
    if c.contype == C.CONSTR_NULL:
        return evolve(domain, not_null=False)
    if c.contype == C.CONSTR_DEFAULT:
        return evolve(domain, default=fold_default(canonical_expr(c.raw_expr), domain.type, r.time_zone))
    if c.contype == C.CONSTR_CHECK:
        taken = {n for n, _ in domain.checks}
        name = c.conname or choose_name(domain.name, None, "check", lambda n: n in taken)
        check = c.raw_expr
        base = replay_tables.domain_type(r, domain.type)
        if base is not None:  # a domain over a domain: VALUE is of that domain's type
            check = pb.Node()
            check.CopyFrom(c.raw_expr)
            cast_domain_operands(check, lambda ref: base if _is_value(ref) else None)
        return evolve(domain, checks=tuple(sorted((*domain.checks, (name, canonical_expr(check))))))
    raise NotReplayed(f"domain constraint {C.Name(c.contype)} is not replayed")


def _is_value(ref: pb.ColumnRef) -> bool:
    return [f.string.sval for f in ref.fields] == ["value"]


def alter_domain(r: Replayer, stmt: pb.AlterDomainStmt) -> None:
    qualname = _type_qualname(r, [n.string.sval for n in stmt.type_name])
    domain = r.state.domains.get(qualname)
    if domain is None:
        raise NotReplayed(f"domain {qualname} does not exist in the model replayed so far")
    kind = stmt.subtype
    if kind == "T":
        default = canonical_expr(getattr(stmt, "def")) if stmt.HasField("def") else None
        domain = evolve(domain, default=fold_default(default, domain.type, r.time_zone))
    elif kind in ("N", "O"):
        domain = evolve(domain, not_null=kind == "O")
    elif kind == "C":
        domain = _domain_constraint(r, domain, getattr(stmt, "def").constraint)
    elif kind == "X":
        domain = evolve(domain, checks=tuple(c for c in domain.checks if c[0] != stmt.name))
    elif kind != "V":
        raise NotReplayed(f"ALTER DOMAIN {kind} is not replayed")
    r.state.domains[qualname] = domain
    r.touch(qualname)


def other_type(r: Replayer, stmt: Any) -> None:
    """Composite, range and base types: not model objects, but their names must resolve."""
    if isinstance(stmt, pb.CompositeTypeStmt):
        names = (
            [stmt.typevar.schemaname, stmt.typevar.relname]
            if stmt.typevar.schemaname
            else [stmt.typevar.relname]
        )
    elif isinstance(stmt, pb.CreateRangeStmt):
        names = [n.string.sval for n in stmt.type_name]
    else:  # DefineStmt
        if stmt.kind == OT.OBJECT_AGGREGATE:
            create_aggregate(r, stmt)
            return
        if stmt.kind == OT.OBJECT_COLLATION:
            names = [n.string.sval for n in stmt.defnames]
            r.state.collations.add(f"{r.creation_schema(names[-2] if len(names) > 1 else '')}.{names[-1]}")
            return
        if stmt.kind not in (OT.OBJECT_TYPE,):
            return
        names = [n.string.sval for n in stmt.defnames]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    r.state.other_types.add(f"{schema}.{names[-1]}")
    r.add_relname(schema, names[-1])


def create_aggregate(r: Replayer, stmt: pb.DefineStmt) -> None:
    """An aggregate is a function of kind aggregate: internal, returning its final or state type."""
    names = [n.string.sval for n in stmt.defnames]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    options = {d.def_elem.defname.lower(): d.def_elem.arg for d in stmt.definition}
    args = ""
    if stmt.args and stmt.args[0].WhichOneof("node") == "list":
        args = ", ".join(_ftype(r, p.function_parameter.arg_type) for p in stmt.args[0].list.items)
    elif "basetype" in options and options["basetype"].WhichOneof("node") == "type_name":
        args = _ftype(r, options["basetype"].type_name)
    returns = ""
    stype = options.get("stype")
    if stype is not None and stype.WhichOneof("node") == "type_name":
        returns = _ftype(r, stype.type_name)
    final = options.get("finalfunc")
    if final is not None:
        final_names = _names(final) if final.WhichOneof("node") in ("list", "string") else []
        if final.WhichOneof("node") == "type_name":
            final_names = [n.string.sval for n in final.type_name.names]
        matches = [f for f in r.state.functions.values() if final_names and f.name == final_names[-1]]
        if len(matches) == 1:
            returns = matches[0].returns
    function = Function(
        schema=schema,
        name=names[-1],
        identity_args=args,
        returns=returns,
        language="internal",
        kind="aggregate",
        volatility="immutable",
        body="aggregate_dummy",
        location=r.location,
    )
    r.state.functions[function.qualname] = function
    r.touch(function.qualname)


# -- views ------------------------------------------------------------------------------------------


def _lookup(r: Replayer) -> Lookup:
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
        return replay_tables.domain_type(r, found) if found is not None else None

    return Lookup(relation, function, domain_base, column_type)


def _arity(identity_args: str) -> int:
    return 0 if not identity_args else len(_split_top_level(identity_args))


def _table_columns(text: str) -> tuple[str, ...] | None:
    """The column names of RETURNS TABLE(a integer, "b c" text) as pg_get_function_result spells it."""
    names = []
    for item in _split_top_level(text):
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


def _split_top_level(text: str) -> list[str]:
    """`a, "b, c", d(1, 2)` → ['a', '"b, c"', 'd(1, 2)']: commas outside quotes and parentheses."""
    items, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return items


def create_view(r: Replayer, stmt: pb.ViewStmt) -> None:
    schema = r.creation_schema(stmt.view.schemaname)
    qualname = f"{schema}.{stmt.view.relname}"
    if qualname in r.state.views and not stmt.replace:
        raise NotReplayed(f"view {qualname} already exists")
    query = pb.Node()
    query.CopyFrom(stmt.query)
    columns = prepare_view_query(query, [a.string.sval for a in stmt.aliases], _lookup(r))
    replaced = r.state.views.get(qualname)  # OR REPLACE: the same view, its triggers and comment kept
    r.state.views[qualname] = View(
        schema,
        stmt.view.relname,
        canonical_query(query),
        columns=columns,
        triggers=replaced.triggers if replaced is not None else (),
        comment=replaced.comment if replaced is not None else None,
        location=r.location,
    )
    r.add_relname(schema, stmt.view.relname)
    r.touch(qualname)


def create_table_as(r: Replayer, stmt: pb.CreateTableAsStmt) -> None:
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


def _table_from_query(
    r: Replayer, schema: str, name: str, persistence: str, select: pb.SelectStmt, names: tuple[str, ...]
) -> None:
    """CREATE TABLE … AS SELECT: a table with the query's column names and types, where every type
    is known (a cast, a constant, a column of a table of the model); nothing else of the query
    (no NOT NULL, no default, no constraint) reaches the table."""
    if not names or select.larg.ByteSize() or select.values_lists:
        raise NotReplayed("CREATE TABLE … AS: the columns of this query are not known to schemalint")
    tables: dict[str, Table] = {}
    for item in select.from_clause:
        if item.WhichOneof("node") == "range_var":
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
        persistence=replay_tables.PERSISTENCE.get(persistence, "permanent"),  # type: ignore[arg-type]
        location=r.location,
    )
    r.add_relname(schema, name)
    r.touch(qualname)
    for made in columns:
        r.touch(f"{qualname}.{made.name}")


def _expression_type(r: Replayer, node: Any, tables: dict[str, Table]) -> str | None:
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


# -- functions and triggers -------------------------------------------------------------------------


def _ftype(r: Replayer, type_name: Any) -> str:
    """A function argument or result type: PostgreSQL keeps no type modifiers there."""
    return type_without_modifiers(r.canonical_type(type_name))


def _arg_types(r: Replayer, parameters: Any) -> str:
    modes_in = (
        pb.FunctionParameterMode.FUNC_PARAM_IN,
        pb.FunctionParameterMode.FUNC_PARAM_INOUT,
        pb.FunctionParameterMode.FUNC_PARAM_VARIADIC,
        pb.FunctionParameterMode.FUNC_PARAM_DEFAULT,
    )
    types = [
        _ftype(r, p.function_parameter.arg_type) for p in parameters if p.function_parameter.mode in modes_in
    ]
    return ", ".join(types)


def create_function(r: Replayer, stmt: pb.CreateFunctionStmt) -> None:
    names = [n.string.sval for n in stmt.funcname]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    args = _arg_types(r, stmt.parameters)
    table_columns = [
        p.function_parameter
        for p in stmt.parameters
        if p.function_parameter.mode == pb.FunctionParameterMode.FUNC_PARAM_TABLE
    ]
    if stmt.is_procedure:
        returns = ""
    elif table_columns:
        cols = ", ".join(f"{quote_ident(p.name)} {_ftype(r, p.arg_type)}" for p in table_columns)
        returns = f"TABLE({cols})"
    elif stmt.HasField("return_type"):
        returns = _ftype(r, stmt.return_type)
        if stmt.return_type.setof:
            returns = f"SETOF {returns}"
    else:
        outs = [
            p
            for p in stmt.parameters
            if p.function_parameter.mode
            in (pb.FunctionParameterMode.FUNC_PARAM_OUT, pb.FunctionParameterMode.FUNC_PARAM_INOUT)
        ]
        returns = _ftype(r, outs[0].function_parameter.arg_type) if len(outs) == 1 else "record"
    function = Function(
        schema=schema,
        name=names[-1],
        identity_args=args,
        returns=returns,
        language="sql",
        kind="procedure" if stmt.is_procedure else "function",
        location=r.location,
    )
    function = _function_options(function, stmt.options)
    if stmt.HasField("sql_body"):
        function = evolve(function, body=None, language="sql")
    qualname = function.qualname
    if qualname in r.state.functions and not stmt.replace:
        raise NotReplayed(f"function {qualname} already exists")
    r.state.functions[qualname] = function
    r.touch(qualname)


def _function_options(function: Function, options: Any) -> Function:
    for option in options:
        elem = option.def_elem
        name, arg = elem.defname, elem.arg
        if name == "as":
            items = [i.string.sval for i in arg.list.items]
            function = evolve(function, body=items[-1] if items else None)
        elif name == "language":
            function = evolve(function, language=arg.string.sval.lower())
        elif name == "volatility":
            function = evolve(function, volatility=arg.string.sval)
        elif name == "security":
            function = evolve(function, security_definer=bool(arg.boolean.boolval))
        elif name == "strict":
            function = evolve(function, strict=bool(arg.boolean.boolval))
        elif name == "set":
            setting = arg.variable_set_stmt
            if setting.kind == pb.VariableSetKind.VAR_SET_VALUE:
                values = []
                for a in setting.args:
                    const = a.a_const
                    kind = const.WhichOneof("val")
                    values.append(
                        str(
                            getattr(const, kind).__getattribute__(
                                {"sval": "sval", "ival": "ival", "fval": "fval", "boolval": "boolval"}[kind]
                            )
                        )
                    )
                config = f"{setting.name}={', '.join(values)}"
                function = evolve(function, config=tuple(sorted((*function.config, config))))
        elif name == "window":
            function = evolve(function, kind="window")
    return function


def alter_function(r: Replayer, stmt: pb.AlterFunctionStmt) -> None:
    qualname = _function_qualname(r, stmt.func)
    function = r.state.functions.get(qualname)
    if function is None:
        raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
    r.state.functions[qualname] = _function_options(function, stmt.actions)
    r.touch(qualname)


def _function_qualname(r: Replayer, func: pb.ObjectWithArgs) -> str:
    names = [n.string.sval for n in func.objname]
    if func.args_unspecified:
        candidates = [
            q
            for q, f in r.state.functions.items()
            if f.name == names[-1] and (len(names) == 1 or f.schema == names[-2])
        ]
        if len(candidates) == 1:
            return candidates[0]
        raise NotReplayed(f"function {'.'.join(names)} is ambiguous or unknown without argument types")
    args = ", ".join(_ftype(r, a.type_name) for a in func.objargs)
    if len(names) > 1:
        return f"{names[-2]}.{names[-1]}({args})"
    for schema in r.search_path:
        if f"{schema}.{names[0]}({args})" in r.state.functions:
            return f"{schema}.{names[0]}({args})"
    return f"{r.missing_schema()}.{names[0]}({args})"


_TIMING = {2: "before", 64: "instead of", 0: "after"}
_EVENTS = ((4, "insert"), (8, "delete"), (16, "update"), (32, "truncate"))


def trigger_owner(r: Replayer, qualname: str) -> Table | View:
    """The table or view a trigger is on (INSTEAD OF triggers are on views)."""
    view = r.state.views.get(qualname)
    return view if view is not None and not view.materialized else r.table(qualname)


def set_triggers(r: Replayer, owner: Table | View, triggers: tuple[Trigger, ...]) -> None:
    if isinstance(owner, View):
        r.state.views[owner.qualname] = evolve(owner, triggers=triggers)
    else:
        r.state.tables[owner.qualname] = evolve(owner, triggers=triggers)


def create_trigger(r: Replayer, stmt: pb.CreateTrigStmt) -> None:
    qualname = refusals.trigger_target(r, stmt)
    table = trigger_owner(r, qualname)
    names = [n.string.sval for n in stmt.funcname]
    if len(names) > 1:
        function = f"{names[-2]}.{names[-1]}"
    elif names[0] in refusals.BUILTIN_TRIGGER_FUNCTIONS:
        function = f"pg_catalog.{names[0]}"
    else:
        function = next(
            (
                f"{s}.{names[0]}"
                for s in r.search_path
                if any(fn.schema == s and fn.name == names[0] for fn in r.state.functions.values())
            ),
            f"{r.creation_schema('')}.{names[0]}",
        )
    trigger = Trigger(
        name=stmt.trigname,
        timing=_TIMING.get(stmt.timing, "after"),  # type: ignore[arg-type]
        events=tuple(sorted(name for bit, name in _EVENTS if stmt.events & bit)),
        level="row" if stmt.row else "statement",
        function=function,
        arguments=tuple(a.string.sval for a in stmt.args),
        update_columns=tuple(c.string.sval for c in stmt.columns),
        when=canonical_expr(stmt.when_clause) if stmt.HasField("when_clause") else None,
        constraint=stmt.isconstraint,
        location=r.location,
    )
    existing = [t for t in table.triggers if t.name != stmt.trigname]
    if len(existing) != len(table.triggers) and not stmt.replace:
        raise NotReplayed(f"trigger {stmt.trigname} on {qualname} already exists")
    set_triggers(r, table, (*existing, trigger))
    r.touch(f"{qualname}.{stmt.trigname}", qualname)
    if trigger.level == "row" and isinstance(table, Table) and table.kind == "partitioned table":
        for child in replay_tables._partitions_of(r, qualname):
            child_table = r.table(child)
            r.state.tables[child] = evolve(child_table, triggers=(*child_table.triggers, trigger))


# -- policies ---------------------------------------------------------------------------------------


def _roles(roles: Any) -> tuple[str, ...]:
    names = []
    for role in roles:
        spec = role.role_spec
        if spec.roletype == pb.RoleSpecType.ROLESPEC_PUBLIC:
            names.append("public")
        elif spec.roletype == pb.RoleSpecType.ROLESPEC_CSTRING:
            names.append(spec.rolename)
        else:
            names.append(pb.RoleSpecType.Name(spec.roletype).removeprefix("ROLESPEC_").lower())
    return tuple(sorted(names)) or ("public",)


def create_policy(r: Replayer, stmt: pb.CreatePolicyStmt) -> None:
    qualname = refusals.relation(r, stmt.table)
    table = r.table(qualname)
    if any(p.name == stmt.policy_name for p in table.policies):
        raise NotReplayed(f"policy {stmt.policy_name} on {qualname} already exists")
    policy = Policy(
        name=stmt.policy_name,
        command=stmt.cmd_name or "all",
        permissive=stmt.permissive,
        roles=_roles(stmt.roles),
        using=canonical_expr(stmt.qual) if stmt.HasField("qual") else None,
        with_check=canonical_expr(stmt.with_check) if stmt.HasField("with_check") else None,
        location=r.location,
    )
    r.state.tables[qualname] = evolve(table, policies=(*table.policies, policy))
    r.touch(f"{qualname}.{stmt.policy_name}", qualname)


def alter_policy(r: Replayer, stmt: pb.AlterPolicyStmt) -> None:
    qualname = r.relation(stmt.table)
    table = r.table(qualname)
    policy = next((p for p in table.policies if p.name == stmt.policy_name), None)
    if policy is None:
        raise NotReplayed(
            f"policy {stmt.policy_name} on {qualname} does not exist in the model replayed so far"
        )
    if stmt.roles:
        policy = evolve(policy, roles=_roles(stmt.roles))
    if stmt.HasField("qual"):
        policy = evolve(policy, using=canonical_expr(stmt.qual))
    if stmt.HasField("with_check"):
        policy = evolve(policy, with_check=canonical_expr(stmt.with_check))
    r.state.tables[qualname] = evolve(
        table, policies=tuple(policy if p.name == policy.name else p for p in table.policies)
    )
    r.touch(f"{qualname}.{policy.name}", qualname)


# -- sequences and extensions -----------------------------------------------------------------------


def _sequence_options(r: Replayer, seq: Sequence, options: Any, *, creating: bool = False) -> Sequence:
    values: dict[str, Any] = {}
    for option in options:
        elem = option.def_elem
        arg = elem.arg
        name = elem.defname
        if name == "as":
            values["type"] = r.canonical_type(arg.type_name)
        elif name in ("increment", "start", "cache", "minvalue", "maxvalue", "restart"):
            which = arg.WhichOneof("node")
            number = (
                int(arg.integer.ival)
                if which == "integer"
                else int(arg.float.fval)
                if which == "float"
                else None
            )
            values[name] = number
        elif name == "cycle":
            values["cycle"] = bool(arg.boolean.boolval)
        elif name == "owned_by":
            parts = [i.string.sval for i in arg.list.items]
            if parts == ["none"]:
                values["owned_by"] = None
            else:
                table = r.resolve(parts[-3] if len(parts) > 2 else "", parts[-2], r.relation_exists)
                values["owned_by"] = f"{table}.{parts[-1]}"
    seq_type = values.get("type", seq.type)
    increment = values.get("increment") or seq.increment
    low, high = default_limits(seq_type, increment)
    keep_limits = "type" not in values and "increment" not in values
    min_value = (
        values["minvalue"] if values.get("minvalue") is not None else (seq.min_value if keep_limits else None)
    )
    max_value = (
        values["maxvalue"] if values.get("maxvalue") is not None else (seq.max_value if keep_limits else None)
    )
    if values.get("start") is not None:
        start = values["start"]
    elif creating:
        start = (
            (min_value if min_value is not None else low)
            if increment > 0
            else (max_value if max_value is not None else high)
        )
    else:
        start = seq.start  # ALTER SEQUENCE changes the start only with START WITH
    return evolve(
        seq,
        type=seq_type,
        increment=increment,
        min_value=None if min_value == low else min_value,
        max_value=None if max_value == high else max_value,
        start=start,
        cache=values.get("cache") or seq.cache,
        cycle=values.get("cycle", seq.cycle),
        owned_by=values.get("owned_by", seq.owned_by),
    )


def default_limits(seq_type: str, increment: int) -> tuple[int, int]:
    """A sequence's implicit MINVALUE and MAXVALUE for its type and direction."""
    top = SEQUENCE_LIMITS.get(seq_type, SEQUENCE_LIMITS["bigint"])
    return (1, top) if increment > 0 else (-top - 1, -1)


def create_sequence(r: Replayer, stmt: pb.CreateSeqStmt) -> None:
    schema = r.creation_schema(stmt.sequence.schemaname)
    name = stmt.sequence.relname
    qualname = f"{schema}.{name}"
    if qualname in r.state.sequences:
        if stmt.if_not_exists:
            return
        raise NotReplayed(f"sequence {qualname} already exists")
    seq = Sequence(schema, name, type="bigint")
    seq = evolve(_sequence_options(r, seq, _typed_first(stmt.options), creating=True), location=r.location)
    r.state.sequences[qualname] = seq
    r.add_relname(schema, name)
    r.touch(qualname)


def _typed_first(options: Any) -> list[Any]:
    """Apply AS type before the limits that depend on it."""
    return sorted(options, key=lambda o: 0 if o.def_elem.defname == "as" else 1)


def alter_sequence(r: Replayer, stmt: pb.AlterSeqStmt) -> None:
    qualname = r.resolve(stmt.sequence.schemaname, stmt.sequence.relname, lambda q: q in r.state.sequences)
    seq = r.state.sequences.get(qualname)
    if seq is None:
        if stmt.missing_ok:
            return
        raise NotReplayed(f"sequence {qualname} does not exist in the model replayed so far")
    r.state.sequences[qualname] = _sequence_options(r, seq, _typed_first(stmt.options))
    r.touch(qualname)


def create_extension(r: Replayer, stmt: pb.CreateExtensionStmt) -> None:
    if stmt.extname in r.state.extensions or stmt.extname == "plpgsql":
        if stmt.if_not_exists or stmt.extname == "plpgsql":
            return
        raise NotReplayed(f"extension {stmt.extname} already exists")
    schema = ""
    for option in stmt.options:
        if option.def_elem.defname == "schema":
            schema = option.def_elem.arg.string.sval
    schema = r.creation_schema(schema)
    r.state.extensions[stmt.extname] = Extension(stmt.extname, schema, location=r.location)
    r.touch(stmt.extname)


HANDLERS: dict[str, Callable[[Replayer, Any], None]] = {
    "create_schema_stmt": create_schema,
    "variable_set_stmt": variable_set,
    "select_stmt": select,
    "create_enum_stmt": create_enum,
    "alter_enum_stmt": alter_enum,
    "create_domain_stmt": create_domain,
    "alter_domain_stmt": alter_domain,
    "composite_type_stmt": other_type,
    "create_range_stmt": other_type,
    "define_stmt": other_type,
    "view_stmt": create_view,
    "create_table_as_stmt": create_table_as,
    "create_function_stmt": create_function,
    "alter_function_stmt": alter_function,
    "create_trig_stmt": create_trigger,
    "create_policy_stmt": create_policy,
    "alter_policy_stmt": alter_policy,
    "create_seq_stmt": create_sequence,
    "alter_seq_stmt": alter_sequence,
    "create_extension_stmt": create_extension,
}
