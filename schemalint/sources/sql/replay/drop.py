"""Replay of DROP for every object kind."""

from __future__ import annotations

from schemalint.dependencies import Ref
from schemalint.model import evolve
from schemalint.sources.sql.replay import refusals
from schemalint.sources.sql.replay.cascade import drop_dependents, refuse_dependents
from schemalint.sources.sql.replay.collations import drop_collation
from schemalint.sources.sql.replay.constraints import drop_constraint
from schemalint.sources.sql.replay.functions import function_qualname
from schemalint.sources.sql.replay.indexes import drop_index
from schemalint.sources.sql.replay.nodes import OT, pb
from schemalint.sources.sql.replay.state import (
    NotReplayed,
    Replay,
    object_names,
    resolve_names,
    type_qualname,
)
from schemalint.sources.sql.replay.triggers import set_triggers, trigger_owner


def drop(r: Replay, stmt: pb.DropStmt) -> None:
    s = r.state
    cascade = stmt.behavior == pb.DropBehavior.DROP_CASCADE
    if stmt.remove_type in (OT.OBJECT_TABLE, OT.OBJECT_FOREIGN_TABLE) and not cascade:
        dropping = {resolve_names(r, object_names(obj), lambda q: q in s.tables) for obj in stmt.objects}
        refusals.table_dependents(r, dropping)
    if not cascade:
        refused = _dropped_refs(r, stmt)
        if refused:
            refuse_dependents(r, refused)
    for obj in stmt.objects:
        kind = stmt.remove_type
        if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE, OT.OBJECT_AGGREGATE):
            qualname = function_qualname(r, obj.object_with_args)
            if cascade and qualname in s.functions:
                drop_dependents(r, Ref("function", qualname))
            if (
                s.functions.pop(qualname, None) is None
                and not stmt.missing_ok
                and kind != OT.OBJECT_AGGREGATE
            ):
                raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
            continue
        names = object_names(obj)
        if kind == OT.OBJECT_TABLE or kind == OT.OBJECT_FOREIGN_TABLE:
            qualname = resolve_names(r, names, lambda q: q in s.tables)
            if cascade and qualname in s.tables:
                drop_dependents(r, Ref("table", qualname))
            _drop_table(r, qualname, missing_ok=stmt.missing_ok, cascade=cascade)
        elif kind in (OT.OBJECT_VIEW, OT.OBJECT_MATVIEW):
            qualname = resolve_names(r, names, lambda q: q in s.views)
            if cascade and qualname in s.views:
                drop_dependents(r, Ref("view", qualname))
            view = s.views.pop(qualname, None)
            if view is None:
                if not stmt.missing_ok:
                    raise NotReplayed(f"view {qualname} does not exist in the model replayed so far")
                continue
            r.drop_relname(view.schema, view.name)
        elif kind == OT.OBJECT_INDEX:
            qualname = resolve_names(r, names, lambda q: q in s.index_owner)
            if cascade and qualname in s.index_owner:
                drop_dependents(r, Ref("index", qualname))
            drop_index(r, qualname, missing_ok=stmt.missing_ok)
        elif kind == OT.OBJECT_SEQUENCE:
            qualname = resolve_names(r, names, lambda q: q in s.sequences)
            seq = s.sequences.pop(qualname, None)
            if seq is None and not stmt.missing_ok:
                raise NotReplayed(f"sequence {qualname} does not exist in the model replayed so far")
            if seq is not None:
                r.drop_relname(seq.schema, seq.name)
        elif kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
            qualname = type_qualname(r, names)
            if cascade and (qualname in s.enums or qualname in s.domains):
                drop_dependents(r, Ref("type", qualname))
            found = s.enums.pop(qualname, None) or s.domains.pop(qualname, None)
            if found is None and qualname in s.other_types:
                s.other_types.discard(qualname)
            elif found is None and not stmt.missing_ok:
                raise NotReplayed(f"type {qualname} does not exist in the model replayed so far")
        elif kind == OT.OBJECT_SCHEMA:
            _drop_schema(r, names[-1], missing_ok=stmt.missing_ok)
        elif kind == OT.OBJECT_EXTENSION:
            if s.extensions.pop(names[-1], None) is None and not stmt.missing_ok and names[-1] != "plpgsql":
                raise NotReplayed(f"extension {names[-1]} does not exist in the model replayed so far")
        elif kind == OT.OBJECT_COLLATION:
            drop_collation(r, names, missing_ok=stmt.missing_ok)
        elif kind == OT.OBJECT_TRIGGER:
            _drop_trigger(r, names, missing_ok=stmt.missing_ok)
        elif kind == OT.OBJECT_POLICY:
            table_qualname = resolve_names(r, names[:-1], lambda q: q in s.tables)
            table = s.tables.get(table_qualname)
            if table is None:
                if stmt.missing_ok:
                    continue
                raise NotReplayed(f"table {table_qualname} does not exist in the model replayed so far")
            kept = tuple(p for p in table.policies if p.name != names[-1])
            if len(kept) == len(table.policies) and not stmt.missing_ok:
                raise NotReplayed(f"policy {names[-1]} on {table_qualname} does not exist")
            s.tables[table_qualname] = evolve(table, policies=kept)
            r.touch(table_qualname)
        elif kind in (
            OT.OBJECT_RULE,
            OT.OBJECT_CAST,
            OT.OBJECT_OPERATOR,
            OT.OBJECT_OPCLASS,
            OT.OBJECT_OPFAMILY,
            OT.OBJECT_EVENT_TRIGGER,
            OT.OBJECT_PUBLICATION,
            OT.OBJECT_FDW,
            OT.OBJECT_FOREIGN_SERVER,
            OT.OBJECT_STATISTIC_EXT,
            OT.OBJECT_TSCONFIGURATION,
            OT.OBJECT_TSDICTIONARY,
            OT.OBJECT_ACCESS_METHOD,
            OT.OBJECT_LANGUAGE,
            OT.OBJECT_CONVERSION,
            OT.OBJECT_TRANSFORM,
        ):
            continue
        else:
            raise NotReplayed(f"DROP {pb.ObjectType.Name(kind)[7:]} is not replayed")


def _drop_table(r: Replay, qualname: str, *, missing_ok: bool, cascade: bool) -> None:
    s = r.state
    table = s.tables.pop(qualname, None)
    if table is None:
        if missing_ok:
            return
        raise NotReplayed(f"table {qualname} does not exist in the model replayed so far")
    r.drop_relname(table.schema, table.name)
    for index in table.indexes:
        r.drop_relname(index.schema, index.name)
        s.index_owner.pop(index.qualname, None)
    for constraint in table.constraints:
        r.drop_conname(table.schema, constraint.name)
    for name, seq in list(s.sequences.items()):
        if seq.owned_by and seq.owned_by.rsplit(".", 1)[0] == qualname:
            del s.sequences[name]
            r.drop_relname(seq.schema, seq.name)
    for other in list(s.tables.values()):
        if other.partition_of == qualname:
            _drop_table(r, other.qualname, missing_ok=True, cascade=cascade)
            continue
        if cascade:
            for fk in other.foreign_keys:
                if fk.ref_table == qualname:
                    drop_constraint(r, other.qualname, fk.name, missing_ok=True)


def _drop_trigger(r: Replay, names: list[str], *, missing_ok: bool) -> None:
    s = r.state
    qualname = resolve_names(r, names[:-1], lambda q: q in s.tables or q in s.views)
    if qualname not in s.tables and qualname not in s.views:
        if missing_ok:
            return
        raise NotReplayed(f"table {qualname} does not exist in the model replayed so far")
    owner = trigger_owner(r, qualname)
    kept = tuple(t for t in owner.triggers if t.name != names[-1])
    if len(kept) == len(owner.triggers) and not missing_ok:
        raise NotReplayed(f"trigger {names[-1]} on {qualname} does not exist")
    set_triggers(r, owner, kept)
    r.touch(qualname)


def _drop_schema(r: Replay, name: str, *, missing_ok: bool) -> None:
    s = r.state
    if s.schemas.pop(name, None) is None:
        if missing_ok:
            return
        raise NotReplayed(f"schema {name} does not exist in the model replayed so far")
    for mapping in (s.tables, s.enums, s.domains, s.views, s.sequences, s.collations):
        for key in [k for k, v in mapping.items() if v.schema == name]:
            del mapping[key]
    for key in [k for k, f in s.functions.items() if f.schema == name]:
        del s.functions[key]
    for key in [k for k, e in s.extensions.items() if e.schema == name]:
        del s.extensions[key]
    s.relnames.pop(name, None)
    s.connames.pop(name, None)
    for key in [k for k in s.index_owner if k.startswith(name + ".")]:
        del s.index_owner[key]


def _dropped_refs(r: Replay, stmt: pb.DropStmt) -> dict[Ref, str]:
    """The functions, views, types and indexes a DROP names that the model has, each with the
    words PostgreSQL's errors describe it with (its schema when not on the search path)."""
    s = r.state
    kind = stmt.remove_type
    found: dict[Ref, str] = {}
    for obj in stmt.objects:
        if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE):
            qualname = function_qualname(r, obj.object_with_args)
            function = s.functions.get(qualname)
            if function is not None:
                word = "procedure" if kind == OT.OBJECT_PROCEDURE else "function"
                found[Ref("function", qualname)] = (
                    f"{word} {_visible(r, qualname.split('(', 1)[0])}({_args(r, function.identity_args)})"
                )
        elif kind in (OT.OBJECT_VIEW, OT.OBJECT_MATVIEW):
            qualname = resolve_names(r, object_names(obj), lambda q: q in s.views)
            if qualname in s.views:
                word = "materialized view" if s.views[qualname].materialized else "view"
                found[Ref("view", qualname)] = f"{word} {_visible(r, qualname)}"
        elif kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
            qualname = type_qualname(r, object_names(obj))
            if qualname in s.enums or qualname in s.domains:
                found[Ref("type", qualname)] = f"type {_visible(r, qualname)}"
        elif kind == OT.OBJECT_INDEX:
            qualname = resolve_names(r, object_names(obj), lambda q: q in s.index_owner)
            if qualname in s.index_owner:
                found[Ref("index", qualname)] = f"index {_visible(r, qualname)}"
    return found


def _visible(r: Replay, qualname: str) -> str:
    schema, name = qualname.split(".", 1)
    return name if schema in r.search_path else qualname


def _args(r: Replay, identity_args: str) -> str:
    """Argument types as PostgreSQL's object descriptions print them: schemas on the path dropped."""
    for schema in r.search_path:
        identity_args = identity_args.replace(f"{schema}.", "")
    return identity_args
