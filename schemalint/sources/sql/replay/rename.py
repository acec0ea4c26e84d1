"""Replay of RENAME and SET SCHEMA for every object kind."""

from __future__ import annotations

from typing import Any

from schemalint.dependencies import Ref
from schemalint.exprnorm import rename_column
from schemalint.model import evolve
from schemalint.sources.sql.replay.collations import move_collation
from schemalint.sources.sql.replay.functions import function_qualname
from schemalint.sources.sql.replay.inheritance import descendants_with
from schemalint.sources.sql.replay.nodes import OT, pb
from schemalint.sources.sql.replay.references import follow_rename, sequence_spelling, type_spelling
from schemalint.sources.sql.replay.state import NotReplayed, Replay, object_names, type_qualname
from schemalint.sources.sql.replay.triggers import set_triggers, trigger_owner


def rename(r: Replay, stmt: pb.RenameStmt) -> None:
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
            follow_rename(r, Ref("sequence", qualname), sequence_spelling(old, new))
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
        r.touch(new_qualname, aspects=("name",), renamed_from=qualname)
        return
    if kind == OT.OBJECT_COLUMN:
        qualname = r.relation(stmt.relation)
        if qualname in s.views:
            return  # view column names are not in the model
        _rename_column(r, qualname, stmt.subname, new)
        if stmt.relation.inh:  # not ONLY: the children's column is renamed too
            for child in descendants_with(r, qualname, stmt.subname):
                _rename_column(r, child, stmt.subname, new)
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
        r.touch(f"{qualname}.{new}", aspects=("name",), renamed_from=f"{qualname}.{stmt.subname}")
        if any(i.constraint == new for i in s.tables[qualname].indexes):
            r.drop_relname(table.schema, stmt.subname)
            r.add_relname(table.schema, new)
            s.index_owner[f"{table.schema}.{new}"] = s.index_owner.pop(
                f"{table.schema}.{stmt.subname}", qualname
            )
            r.touch(f"{table.schema}.{new}", aspects=("name",), renamed_from=f"{table.schema}.{stmt.subname}")
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
        qualname = type_qualname(r, object_names(stmt.object))
        schema, name = qualname.split(".", 1)
        if qualname not in s.enums and qualname not in s.domains:
            raise NotReplayed(f"type {qualname} does not exist in the model replayed so far")
        follow_rename(r, Ref("type", qualname), type_spelling((schema, name), (schema, new)))
        if qualname in s.enums:
            s.enums[f"{schema}.{new}"] = evolve(s.enums.pop(qualname), name=new)
        else:
            s.domains[f"{schema}.{new}"] = evolve(s.domains.pop(qualname), name=new)
        r.touch(f"{schema}.{new}")
        return
    if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE):
        _change_function(r, stmt.object.object_with_args, name=new)
        return
    if kind == OT.OBJECT_COLLATION:
        move_collation(r, object_names(stmt.object), name=new)
        return
    raise NotReplayed(f"RENAME of {pb.ObjectType.Name(kind)[7:]} is not replayed")


def _change_function(r: Replay, object_with_args: Any, **changes: str) -> None:
    """Rename a function or move it to another schema: it is stored under its new qualname."""
    qualname = function_qualname(r, object_with_args)
    function = r.state.functions.pop(qualname, None)
    if function is None:
        raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
    changed = evolve(function, **changes)
    r.state.functions[changed.qualname] = changed


def _rename_index(r: Replay, qualname: str, new: str, *, missing_ok: bool) -> None:
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
    r.touch(f"{schema}.{new}", owner, aspects=("name",), renamed_from=qualname)


def _rename_table(r: Replay, qualname: str, new_qualname: str) -> None:
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


def _rename_column(r: Replay, qualname: str, old: str, new: str) -> None:
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
    r.touch(f"{qualname}.{new}", qualname, aspects=("name",), renamed_from=f"{qualname}.{old}")


def set_schema(r: Replay, stmt: pb.AlterObjectSchemaStmt) -> None:
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
            for seq_name, seq in list(s.sequences.items()):  # its owned sequences move with it
                if seq.owned_by and seq.owned_by.rsplit(".", 1)[0] == moved_name:
                    del s.sequences[seq_name]
                    s.sequences[f"{target}.{seq.name}"] = evolve(seq, schema=target)
                    r.drop_relname(seq.schema, seq.name)
                    r.add_relname(target, seq.name)
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
        qualname = type_qualname(r, object_names(stmt.object))
        schema, name = qualname.split(".", 1)
        if qualname not in s.enums and qualname not in s.domains:
            if stmt.missing_ok:
                return
            raise NotReplayed(f"type {qualname} does not exist in the model replayed so far")
        follow_rename(r, Ref("type", qualname), type_spelling((schema, name), (target, name)))
        if qualname in s.enums:
            s.enums[f"{target}.{name}"] = evolve(s.enums.pop(qualname), schema=target)
        else:
            s.domains[f"{target}.{name}"] = evolve(s.domains.pop(qualname), schema=target)
        r.touch(f"{target}.{name}")
        return
    if kind == OT.OBJECT_COLLATION:
        move_collation(r, object_names(stmt.object), schema=target)
        return
    if kind == OT.OBJECT_EXTENSION:
        name = object_names(stmt.object)[-1]
        if name in s.extensions:
            s.extensions[name] = evolve(s.extensions[name], schema=target)
        return
    raise NotReplayed(f"SET SCHEMA of {pb.ObjectType.Name(kind)[7:]} is not replayed")
