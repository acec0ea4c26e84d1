"""Replay of functions, procedures and aggregates."""

from __future__ import annotations

from typing import Any

from schemalint.exprnorm import canonical_expr
from schemalint.literals import fold_default
from schemalint.model import Function, evolve
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay, object_names
from schemalint.typenorm import argument_text, quote_ident, type_without_modifiers

_MODES = {
    pb.FunctionParameterMode.FUNC_PARAM_IN: "",
    pb.FunctionParameterMode.FUNC_PARAM_DEFAULT: "",
    pb.FunctionParameterMode.FUNC_PARAM_OUT: "OUT ",
    pb.FunctionParameterMode.FUNC_PARAM_INOUT: "INOUT ",
    pb.FunctionParameterMode.FUNC_PARAM_VARIADIC: "VARIADIC ",
}


def create_aggregate(r: Replay, stmt: pb.DefineStmt) -> None:
    """An aggregate is a function of kind aggregate: internal, returning its final or state type."""
    names = [n.string.sval for n in stmt.defnames]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    options = {d.def_elem.defname.lower(): d.def_elem.arg for d in stmt.definition}
    args = arguments = ""
    if stmt.args and stmt.args[0].WhichOneof("node") == "list":
        args = ", ".join(function_type(r, p.function_parameter.arg_type) for p in stmt.args[0].list.items)
        arguments = _arguments(r, stmt.args[0].list.items)
    elif "basetype" in options and options["basetype"].WhichOneof("node") == "type_name":
        args = arguments = function_type(r, options["basetype"].type_name)
    returns = ""
    stype = options.get("stype")
    if stype is not None and stype.WhichOneof("node") == "type_name":
        returns = function_type(r, stype.type_name)
    final = options.get("finalfunc")
    if final is not None:
        final_names = object_names(final) if final.WhichOneof("node") in ("list", "string") else []
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
        arguments=arguments,
        location=r.location,
    )
    r.state.functions[function.qualname] = function
    r.touch(function.qualname)


def function_type(r: Replay, type_name: Any) -> str:
    """A function argument or result type: PostgreSQL keeps no type modifiers there."""
    return type_without_modifiers(r.canonical_type(type_name))


def _arg_types(r: Replay, parameters: Any) -> str:
    modes_in = (
        pb.FunctionParameterMode.FUNC_PARAM_IN,
        pb.FunctionParameterMode.FUNC_PARAM_INOUT,
        pb.FunctionParameterMode.FUNC_PARAM_VARIADIC,
        pb.FunctionParameterMode.FUNC_PARAM_DEFAULT,
    )
    types = [
        function_type(r, p.function_parameter.arg_type)
        for p in parameters
        if p.function_parameter.mode in modes_in
    ]
    return ", ".join(types)


def _arguments(r: Replay, parameters: Any) -> str:
    """Every argument but TABLE columns as pg_get_function_arguments prints it, defaults folded as
    the catalog stores them."""
    parts = []
    for node in parameters:
        p = node.function_parameter
        if p.mode not in _MODES:
            continue
        type_ = function_type(r, p.arg_type)
        default = None
        if p.HasField("defexpr"):
            default = fold_default(canonical_expr(p.defexpr), type_, r.time_zone)
        parts.append(argument_text(_MODES[p.mode], p.name, type_, default))
    return ", ".join(parts)


def create_function(r: Replay, stmt: pb.CreateFunctionStmt) -> None:
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
        cols = ", ".join(f"{quote_ident(p.name)} {function_type(r, p.arg_type)}" for p in table_columns)
        returns = f"TABLE({cols})"
    elif stmt.HasField("return_type"):
        returns = function_type(r, stmt.return_type)
        if stmt.return_type.setof:
            returns = f"SETOF {returns}"
    else:
        outs = [
            p
            for p in stmt.parameters
            if p.function_parameter.mode
            in (pb.FunctionParameterMode.FUNC_PARAM_OUT, pb.FunctionParameterMode.FUNC_PARAM_INOUT)
        ]
        returns = function_type(r, outs[0].function_parameter.arg_type) if len(outs) == 1 else "record"
    function = Function(
        schema=schema,
        name=names[-1],
        identity_args=args,
        returns=returns,
        language="sql",
        kind="procedure" if stmt.is_procedure else "function",
        arguments=_arguments(r, stmt.parameters),
        location=r.location,
    )
    function = _function_options(function, stmt.options)
    if stmt.HasField("sql_body"):
        function = evolve(function, body=None, language="sql")
    qualname = function.qualname
    if qualname in r.state.functions and not stmt.replace:
        raise NotReplayed(f"function {qualname} already exists")
    replaced = r.state.functions.get(qualname)  # OR REPLACE keeps the function's privileges
    if replaced is not None:
        function = evolve(function, acl=replaced.acl)
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


def alter_function(r: Replay, stmt: pb.AlterFunctionStmt) -> None:
    qualname = function_qualname(r, stmt.func)
    function = r.state.functions.get(qualname)
    if function is None:
        raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
    r.state.functions[qualname] = _function_options(function, stmt.actions)
    r.touch(qualname)


def function_qualname(r: Replay, func: pb.ObjectWithArgs) -> str:
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
    args = ", ".join(function_type(r, a.type_name) for a in func.objargs)
    if len(names) > 1:
        return f"{names[-2]}.{names[-1]}({args})"
    for schema in r.search_path:
        if f"{schema}.{names[0]}({args})" in r.state.functions:
            return f"{schema}.{names[0]}({args})"
    return f"{r.missing_schema()}.{names[0]}({args})"
