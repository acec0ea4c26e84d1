"""Replay of DROP, RENAME, SET SCHEMA and COMMENT ON for every object kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from postgast import pg_query_pb2 as pb

from schemalint.model import evolve
from schemalint.sources.sql import refusals, replay_alter, replay_tables
from schemalint.sources.sql.replay import NotReplayed, enum_constants
from schemalint.sources.sql.replay_objects import (
    _function_qualname,
    _names,
    _split,
    _type_qualname,
    set_triggers,
    trigger_owner,
)

if TYPE_CHECKING:
    from schemalint.sources.sql.replay import Replayer

OT = enum_constants(pb.ObjectType)


def drop(r: Replayer, stmt: pb.DropStmt) -> None:
    s = r.state
    cascade = stmt.behavior == pb.DropBehavior.DROP_CASCADE
    if stmt.remove_type in (OT.OBJECT_TABLE, OT.OBJECT_FOREIGN_TABLE) and not cascade:
        dropping = {_split(r, _names(obj), lambda q: q in s.tables) for obj in stmt.objects}
        refusals.table_dependents(r, dropping)
    for obj in stmt.objects:
        kind = stmt.remove_type
        if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE, OT.OBJECT_ROUTINE, OT.OBJECT_AGGREGATE):
            qualname = _function_qualname(r, obj.object_with_args)
            if (
                s.functions.pop(qualname, None) is None
                and not stmt.missing_ok
                and kind != OT.OBJECT_AGGREGATE
            ):
                raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
            continue
        names = _names(obj)
        if kind == OT.OBJECT_TABLE or kind == OT.OBJECT_FOREIGN_TABLE:
            qualname = _split(r, names, lambda q: q in s.tables)
            _drop_table(r, qualname, missing_ok=stmt.missing_ok, cascade=cascade)
        elif kind in (OT.OBJECT_VIEW, OT.OBJECT_MATVIEW):
            qualname = _split(r, names, lambda q: q in s.views)
            view = s.views.pop(qualname, None)
            if view is None:
                if not stmt.missing_ok:
                    raise NotReplayed(f"view {qualname} does not exist in the model replayed so far")
                continue
            r.drop_relname(view.schema, view.name)
        elif kind == OT.OBJECT_INDEX:
            qualname = _split(r, names, lambda q: q in s.index_owner)
            replay_tables.drop_index(r, qualname, missing_ok=stmt.missing_ok)
        elif kind == OT.OBJECT_SEQUENCE:
            qualname = _split(r, names, lambda q: q in s.sequences)
            seq = s.sequences.pop(qualname, None)
            if seq is None and not stmt.missing_ok:
                raise NotReplayed(f"sequence {qualname} does not exist in the model replayed so far")
            if seq is not None:
                r.drop_relname(seq.schema, seq.name)
        elif kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
            qualname = _type_qualname(r, names)
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
        elif kind == OT.OBJECT_TRIGGER:
            _drop_trigger(r, names, missing_ok=stmt.missing_ok)
        elif kind == OT.OBJECT_POLICY:
            table_qualname = _split(r, names[:-1], lambda q: q in s.tables)
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
            OT.OBJECT_COLLATION,
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


def _drop_table(r: Replayer, qualname: str, *, missing_ok: bool, cascade: bool) -> None:
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
                    replay_alter.drop_constraint(r, other.qualname, fk.name, missing_ok=True)


def _drop_trigger(r: Replayer, names: list[str], *, missing_ok: bool) -> None:
    s = r.state
    qualname = _split(r, names[:-1], lambda q: q in s.tables or q in s.views)
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


def _drop_schema(r: Replayer, name: str, *, missing_ok: bool) -> None:
    s = r.state
    if s.schemas.pop(name, None) is None:
        if missing_ok:
            return
        raise NotReplayed(f"schema {name} does not exist in the model replayed so far")
    for mapping in (s.tables, s.enums, s.domains, s.views, s.sequences):
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


def rename(r: Replayer, stmt: pb.RenameStmt) -> None:
    s = r.state
    kind = stmt.rename_type
    new = stmt.newname
    if kind in (
        OT.OBJECT_TABLE,
        OT.OBJECT_FOREIGN_TABLE,
        OT.OBJECT_VIEW,
        OT.OBJECT_MATVIEW,
        OT.OBJECT_SEQUENCE,
        OT.OBJECT_INDEX,
    ):
        if kind == OT.OBJECT_INDEX:
            qualname = r.resolve(
                stmt.relation.schemaname, stmt.relation.relname, lambda q: q in s.index_owner
            )
        else:
            qualname = r.relation(stmt.relation)
        schema, old = qualname.split(".", 1)
        new_qualname = f"{schema}.{new}"
        if kind == OT.OBJECT_INDEX:
            _rename_index(r, qualname, new, missing_ok=stmt.missing_ok)
        elif qualname in s.tables:
            _rename_table(r, qualname, new_qualname)
        elif qualname in s.views:
            s.views[new_qualname] = evolve(s.views.pop(qualname), name=new)
        elif qualname in s.sequences:
            s.sequences[new_qualname] = evolve(s.sequences.pop(qualname), name=new)
        elif qualname in s.index_owner:
            _rename_index(r, qualname, new, missing_ok=False)
            return
        elif stmt.missing_ok:
            return
        else:
            raise NotReplayed(f"relation {qualname} does not exist in the model replayed so far")
        r.drop_relname(schema, old)
        r.add_relname(schema, new)
        r.touch(new_qualname)
        return
    if kind == OT.OBJECT_COLUMN:
        qualname = r.relation(stmt.relation)
        if qualname in s.views:
            return  # view column names are not in the model
        _rename_column(r, qualname, stmt.subname, new)
        return
    if kind == OT.OBJECT_TABCONSTRAINT:
        qualname = r.relation(stmt.relation)
        table = r.table(qualname)
        if not any(c.name == stmt.subname for c in table.constraints):
            raise NotReplayed(f"constraint {stmt.subname} on {qualname} does not exist")
        s.tables[qualname] = evolve(
            table,
            constraints=tuple(
                evolve(c, name=new) if c.name == stmt.subname else c for c in table.constraints
            ),
            indexes=tuple(
                evolve(i, name=new, constraint=new) if i.constraint == stmt.subname else i
                for i in table.indexes
            ),
        )
        r.drop_conname(table.schema, stmt.subname)
        r.add_conname(table.schema, new)
        if any(i.constraint == new for i in s.tables[qualname].indexes):
            r.drop_relname(table.schema, stmt.subname)
            r.add_relname(table.schema, new)
            s.index_owner[f"{table.schema}.{new}"] = s.index_owner.pop(
                f"{table.schema}.{stmt.subname}", qualname
            )
        return
    if kind == OT.OBJECT_TRIGGER:
        owner = trigger_owner(r, r.relation(stmt.relation))
        set_triggers(
            r, owner, tuple(evolve(t, name=new) if t.name == stmt.subname else t for t in owner.triggers)
        )
        return
    if kind == OT.OBJECT_POLICY:
        qualname = r.relation(stmt.relation)
        table = r.table(qualname)
        policies = tuple(evolve(p, name=new) if p.name == stmt.subname else p for p in table.policies)
        s.tables[qualname] = evolve(table, policies=policies)
        return
    if kind == OT.OBJECT_SCHEMA:
        raise NotReplayed("ALTER SCHEMA … RENAME is not replayed")
    if kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
        qualname = _type_qualname(r, _names(stmt.object))
        schema = qualname.split(".", 1)[0]
        if qualname in s.enums:
            s.enums[f"{schema}.{new}"] = evolve(s.enums.pop(qualname), name=new)
        elif qualname in s.domains:
            s.domains[f"{schema}.{new}"] = evolve(s.domains.pop(qualname), name=new)
        else:
            raise NotReplayed(f"type {qualname} does not exist in the model replayed so far")
        raise NotReplayed("renamed type: columns of that type keep the old spelling in the model")
    if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE):
        _change_function(r, stmt.object.object_with_args, name=new)
        return
    raise NotReplayed(f"RENAME of {pb.ObjectType.Name(kind)[7:]} is not replayed")


def _change_function(r: Replayer, object_with_args: Any, **changes: str) -> None:
    """Rename a function or move it to another schema: it is stored under its new qualname."""
    qualname = _function_qualname(r, object_with_args)
    function = r.state.functions.pop(qualname, None)
    if function is None:
        raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
    changed = evolve(function, **changes)
    r.state.functions[changed.qualname] = changed


def _rename_index(r: Replayer, qualname: str, new: str, *, missing_ok: bool) -> None:
    s = r.state
    owner = s.index_owner.get(qualname)
    if owner is None:
        if missing_ok:
            return
        raise NotReplayed(f"index {qualname} does not exist in the model replayed so far")
    schema, old = qualname.split(".", 1)
    if owner in s.tables:
        table = s.tables[owner]
        index = next(i for i in table.indexes if i.name == old)
        constraint = index.constraint
        s.tables[owner] = evolve(
            table,
            indexes=tuple(
                evolve(i, name=new, constraint=new if constraint else None) if i.name == old else i
                for i in table.indexes
            ),
            constraints=tuple(
                evolve(c, name=new) if constraint and c.name == constraint else c for c in table.constraints
            ),
        )
        if constraint:
            r.drop_conname(schema, constraint)
            r.add_conname(schema, new)
    else:
        view = s.views[owner]
        s.views[owner] = evolve(
            view, indexes=tuple(evolve(i, name=new) if i.name == old else i for i in view.indexes)
        )
    del s.index_owner[qualname]
    s.index_owner[f"{schema}.{new}"] = owner
    r.drop_relname(schema, old)
    r.add_relname(schema, new)


def _rename_table(r: Replayer, qualname: str, new_qualname: str) -> None:
    s = r.state
    new_name = new_qualname.split(".", 1)[1]
    table = s.tables.pop(qualname)
    s.tables[new_qualname] = evolve(
        table, name=new_name, indexes=tuple(evolve(i, table=new_name) for i in table.indexes)
    )
    for index in table.indexes:
        s.index_owner[index.qualname] = new_qualname
    for other in list(s.tables.values()):
        changed = evolve(
            other,
            constraints=tuple(
                evolve(c, ref_table=new_qualname) if c.ref_table == qualname else c for c in other.constraints
            ),
            partition_of=new_qualname if other.partition_of == qualname else other.partition_of,
            inherits=tuple(new_qualname if p == qualname else p for p in other.inherits),
        )
        if changed != other:
            s.tables[other.qualname] = changed
    for name, seq in list(s.sequences.items()):
        if seq.owned_by and seq.owned_by.rsplit(".", 1)[0] == qualname:
            s.sequences[name] = evolve(seq, owned_by=f"{new_qualname}.{seq.owned_by.rsplit('.', 1)[1]}")


def _rename_column(r: Replayer, qualname: str, old: str, new: str) -> None:
    from schemalint.exprnorm import rename_column

    s = r.state
    table = r.table(qualname)
    if table.column(old) is None:
        raise NotReplayed(f"column {qualname}.{old} does not exist in the model replayed so far")

    def keys(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if k == old else rename_column(k, old, new) if old in k else k for k in items)

    s.tables[qualname] = evolve(
        table,
        columns=tuple(evolve(c, name=new) if c.name == old else c for c in table.columns),
        constraints=tuple(
            evolve(
                c,
                columns=tuple(new if x == old else x for x in c.columns),
                expression=rename_column(c.expression, old, new)
                if c.expression and c.kind == "check"
                else c.expression,
            )
            for c in table.constraints
        ),
        indexes=tuple(
            evolve(
                i,
                keys=keys(i.keys),
                include=tuple(new if x == old else x for x in i.include),
                predicate=rename_column(i.predicate, old, new) if i.predicate else None,
            )
            for i in table.indexes
        ),
    )
    for other in list(s.tables.values()):
        if any(fk.ref_table == qualname and old in fk.ref_columns for fk in other.foreign_keys):
            s.tables[other.qualname] = evolve(
                other,
                constraints=tuple(
                    evolve(c, ref_columns=tuple(new if x == old else x for x in c.ref_columns))
                    if c.ref_table == qualname
                    else c
                    for c in other.constraints
                ),
            )
    for name, seq in list(s.sequences.items()):
        if seq.owned_by == f"{qualname}.{old}":
            s.sequences[name] = evolve(seq, owned_by=f"{qualname}.{new}")
    r.touch(f"{qualname}.{new}", qualname)


def set_schema(r: Replayer, stmt: pb.AlterObjectSchemaStmt) -> None:
    s = r.state
    kind = stmt.object_type
    target = stmt.newschema
    if target not in s.schemas:
        raise NotReplayed(f"schema {target} does not exist in the model replayed so far")
    if kind in (OT.OBJECT_TABLE, OT.OBJECT_VIEW, OT.OBJECT_MATVIEW, OT.OBJECT_SEQUENCE):
        qualname = r.relation(stmt.relation)
        name = qualname.split(".", 1)[1]
        if qualname in s.tables:
            moved_name = f"{target}.{name}"
            _rename_table(r, qualname, moved_name)
            table = s.tables[moved_name]
            s.tables[moved_name] = evolve(
                table, schema=target, indexes=tuple(evolve(i, schema=target) for i in table.indexes)
            )
            for index in table.indexes:
                s.index_owner.pop(index.qualname, None)
                s.index_owner[f"{target}.{index.name}"] = moved_name
        elif qualname in s.views:
            s.views[f"{target}.{name}"] = evolve(s.views.pop(qualname), schema=target)
        elif qualname in s.sequences:
            s.sequences[f"{target}.{name}"] = evolve(s.sequences.pop(qualname), schema=target)
        elif not stmt.missing_ok:
            raise NotReplayed(f"relation {qualname} does not exist in the model replayed so far")
        return
    if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE):
        _change_function(r, stmt.object.object_with_args, schema=target)
        return
    if kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
        qualname = _type_qualname(r, _names(stmt.object))
        name = qualname.split(".", 1)[1]
        if qualname in s.enums:
            s.enums[f"{target}.{name}"] = evolve(s.enums.pop(qualname), schema=target)
        elif qualname in s.domains:
            s.domains[f"{target}.{name}"] = evolve(s.domains.pop(qualname), schema=target)
        raise NotReplayed("moved type: columns of that type keep the old spelling in the model")
    if kind == OT.OBJECT_EXTENSION:
        name = _names(stmt.object)[-1]
        if name in s.extensions:
            s.extensions[name] = evolve(s.extensions[name], schema=target)
        return
    raise NotReplayed(f"SET SCHEMA of {pb.ObjectType.Name(kind)[7:]} is not replayed")


def comment(r: Replayer, stmt: pb.CommentStmt) -> None:
    s = r.state
    kind = stmt.objtype
    text = stmt.comment or None
    if kind in (
        OT.OBJECT_TABLE,
        OT.OBJECT_VIEW,
        OT.OBJECT_MATVIEW,
        OT.OBJECT_SEQUENCE,
        OT.OBJECT_FOREIGN_TABLE,
        OT.OBJECT_INDEX,
    ):
        names = _names(stmt.object)
        if kind == OT.OBJECT_INDEX:
            qualname = _split(r, names, lambda q: q in s.index_owner)
            owner = s.index_owner.get(qualname)
            if owner is None or owner not in s.tables:
                raise NotReplayed(f"index {qualname} does not exist in the model replayed so far")
            table = s.tables[owner]
            index_name = qualname.split(".", 1)[1]
            s.tables[owner] = evolve(
                table,
                indexes=tuple(evolve(i, comment=text) if i.name == index_name else i for i in table.indexes),
            )
            return
        qualname = _split(r, names, r.relation_exists)
        if qualname in s.tables:
            s.tables[qualname] = evolve(s.tables[qualname], comment=text)
        elif qualname in s.views:
            s.views[qualname] = evolve(s.views[qualname], comment=text)
        elif qualname in s.sequences:
            s.sequences[qualname] = evolve(s.sequences[qualname], comment=text)
        if qualname in s.tables or qualname in s.views or qualname in s.sequences:
            r.touch(qualname)
            return
        raise NotReplayed(f"relation {qualname} does not exist in the model replayed so far")
    if kind == OT.OBJECT_COLUMN:
        names = _names(stmt.object)
        qualname = _split(r, names[:-1], r.relation_exists)
        if qualname in s.views:
            return  # view column comments are not in the model
        replay_tables.set_column(r, qualname, names[-1], comment=text)
        return
    if kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
        qualname = _type_qualname(r, _names(stmt.object))
        if qualname in s.enums:
            s.enums[qualname] = evolve(s.enums[qualname], comment=text)
        elif qualname in s.domains:
            s.domains[qualname] = evolve(s.domains[qualname], comment=text)
        return
    if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE):
        qualname = _function_qualname(r, stmt.object.object_with_args)
        if qualname not in s.functions:
            raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
        s.functions[qualname] = evolve(s.functions[qualname], comment=text)
        return
    if kind == OT.OBJECT_SCHEMA:
        name = _names(stmt.object)[-1]
        if name in s.schemas:
            s.schemas[name] = evolve(s.schemas[name], comment=text)
        return
    if kind == OT.OBJECT_TABCONSTRAINT:
        names = _names(stmt.object)
        qualname = _split(r, names[:-1], lambda q: q in s.tables)
        table = r.table(qualname)
        s.tables[qualname] = evolve(
            table,
            constraints=tuple(
                evolve(c, comment=text) if c.name == names[-1] else c for c in table.constraints
            ),
        )
        return
    # comments on extensions, triggers, policies, roles, … are not part of the model
    return


HANDLERS: dict[str, Callable[[Replayer, Any], None]] = {
    "drop_stmt": drop,
    "rename_stmt": rename,
    "alter_object_schema_stmt": set_schema,
    "comment_stmt": comment,
}
