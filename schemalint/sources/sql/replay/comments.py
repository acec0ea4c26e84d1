"""Replay of COMMENT ON for every object kind."""

from __future__ import annotations

from schemalint.model import evolve
from schemalint.sources.sql.replay.columns import set_column
from schemalint.sources.sql.replay.functions import function_qualname
from schemalint.sources.sql.replay.nodes import OT, pb
from schemalint.sources.sql.replay.state import (
    NotReplayed,
    Replay,
    object_names,
    resolve_names,
    type_qualname,
)


def comment(r: Replay, stmt: pb.CommentStmt) -> None:
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
        names = object_names(stmt.object)
        if kind == OT.OBJECT_INDEX:
            qualname = resolve_names(r, names, lambda q: q in s.index_owner)
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
        qualname = resolve_names(r, names, r.relation_exists)
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
        names = object_names(stmt.object)
        qualname = resolve_names(r, names[:-1], r.relation_exists)
        if qualname in s.views:
            return  # view column comments are not in the model
        set_column(r, qualname, names[-1], comment=text)
        return
    if kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
        qualname = type_qualname(r, object_names(stmt.object))
        if qualname in s.enums:
            s.enums[qualname] = evolve(s.enums[qualname], comment=text)
        elif qualname in s.domains:
            s.domains[qualname] = evolve(s.domains[qualname], comment=text)
        return
    if kind in (OT.OBJECT_FUNCTION, OT.OBJECT_PROCEDURE):
        qualname = function_qualname(r, stmt.object.object_with_args)
        if qualname not in s.functions:
            raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
        s.functions[qualname] = evolve(s.functions[qualname], comment=text)
        return
    if kind == OT.OBJECT_COLLATION:
        qualname = resolve_names(r, object_names(stmt.object), lambda q: q in s.collations)
        if qualname not in s.collations:
            raise NotReplayed(f"collation {qualname} does not exist in the model replayed so far")
        s.collations[qualname] = evolve(s.collations[qualname], comment=text)
        return
    if kind == OT.OBJECT_SCHEMA:
        name = object_names(stmt.object)[-1]
        if name in s.schemas:
            s.schemas[name] = evolve(s.schemas[name], comment=text)
        return
    if kind == OT.OBJECT_TABCONSTRAINT:
        names = object_names(stmt.object)
        qualname = resolve_names(r, names[:-1], lambda q: q in s.tables)
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
