"""Replay of schemas, extensions and session settings (search_path, TimeZone)."""

from __future__ import annotations

from schemalint.model import Extension, Schema, evolve
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay


def create_schema(r: Replay, stmt: pb.CreateSchemaStmt) -> None:
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
            handler = r.handler(kind)
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


def variable_set(r: Replay, stmt: pb.VariableSetStmt) -> None:
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


def select(r: Replay, stmt: pb.SelectStmt) -> None:
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


def create_extension(r: Replay, stmt: pb.CreateExtensionStmt) -> None:
    if stmt.extname in r.state.extensions or stmt.extname == "plpgsql":
        if stmt.if_not_exists or stmt.extname == "plpgsql":
            return
        raise NotReplayed(f"extension {stmt.extname} already exists")
    options = {
        option.def_elem.defname: option.def_elem.arg.string.sval
        for option in stmt.options
        if option.def_elem.arg.WhichOneof("node") == "string"
    }
    schema = r.creation_schema(options.get("schema", ""))
    version = options.get("new_version")  # none written: the default version, unknown from files
    r.state.extensions[stmt.extname] = Extension(stmt.extname, schema, version, location=r.location)
    r.touch(stmt.extname)


def alter_extension(r: Replay, stmt: pb.AlterExtensionStmt) -> None:
    """ALTER EXTENSION … UPDATE [TO version]: without TO, the default version (unknown: None)."""
    extension = r.state.extensions.get(stmt.extname)
    if extension is None:
        if stmt.extname == "plpgsql":
            return
        raise NotReplayed(f"extension {stmt.extname} does not exist in the model replayed so far")
    version = None
    for option in stmt.options:
        if option.def_elem.defname == "new_version":
            version = option.def_elem.arg.string.sval
    r.state.extensions[stmt.extname] = evolve(extension, version=version)
    r.touch(stmt.extname, aspects=("version",))
