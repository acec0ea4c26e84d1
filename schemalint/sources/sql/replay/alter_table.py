"""Replay of ALTER TABLE (and ALTER INDEX / ALTER VIEW / ALTER SEQUENCE … forms of it)."""

from __future__ import annotations

import re
from typing import Any

from schemalint.dependencies import Ref
from schemalint.model import evolve
from schemalint.sources.sql.replay import refusals
from schemalint.sources.sql.replay.cascade import drop_dependents
from schemalint.sources.sql.replay.columns import add_column, column_default, domain_type, set_column
from schemalint.sources.sql.replay.constraints import add_constraint, drop_constraint, set_constraint
from schemalint.sources.sql.replay.indexes import clone_index_to_partition
from schemalint.sources.sql.replay.inheritance import (
    children_losing,
    descendants_with,
    inherit,
    no_inherit,
    propagate_column,
)
from schemalint.sources.sql.replay.nodes import A, pb
from schemalint.sources.sql.replay.state import NotReplayed, Refused, Replay, partitions_of
from schemalint.sources.sql.replay.tables import bound_text

# subcommands with no effect on the model
_IGNORED = {
    A.AT_ChangeOwner,
    A.AT_SetRelOptions,
    A.AT_ResetRelOptions,
    A.AT_ReplaceRelOptions,
    A.AT_SetStatistics,
    A.AT_SetStorage,
    A.AT_SetCompression,
    A.AT_ClusterOn,
    A.AT_DropCluster,
    A.AT_ReplicaIdentity,
    A.AT_SetTableSpace,
    A.AT_SetAccessMethod,
    A.AT_SetOptions,
    A.AT_ResetOptions,
    A.AT_AlterColumnGenericOptions,
    A.AT_GenericOptions,
    A.AT_EnableRule,
    A.AT_EnableAlwaysRule,
    A.AT_EnableReplicaRule,
    A.AT_DisableRule,
    A.AT_SetLogged,
    A.AT_SetUnLogged,
    A.AT_DropOids,
    A.AT_DetachPartitionFinalize,
}


# column changes that PostgreSQL makes on the partitions and inheritance children too, unless ONLY
_RECURSING = {A.AT_ColumnDefault, A.AT_SetNotNull, A.AT_DropNotNull, A.AT_AlterColumnType}

_TRIGGER_STATES = {
    A.AT_EnableTrig: "origin",
    A.AT_EnableAlwaysTrig: "always",
    A.AT_EnableReplicaTrig: "replica",
    A.AT_DisableTrig: "disabled",
}


def alter_table(r: Replay, stmt: pb.AlterTableStmt) -> None:
    if stmt.objtype == pb.OBJECT_INDEX:
        for cmd_node in stmt.cmds:
            cmd = cmd_node.alter_table_cmd
            if cmd.subtype not in _IGNORED and cmd.subtype != A.AT_AttachPartition:
                raise NotReplayed(f"ALTER INDEX {pb.AlterTableType.Name(cmd.subtype)} is not replayed")
        return
    if stmt.objtype in (
        pb.OBJECT_SEQUENCE,
        pb.OBJECT_VIEW,
        pb.OBJECT_MATVIEW,
    ):
        for cmd_node in stmt.cmds:
            cmd = cmd_node.alter_table_cmd
            if cmd.subtype not in _IGNORED and cmd.subtype != A.AT_ColumnDefault:
                raise NotReplayed(
                    f"ALTER {pb.ObjectType.Name(stmt.objtype)[7:]} "
                    f"{pb.AlterTableType.Name(cmd.subtype)[3:]} is not replayed"
                )
        return
    if all(cmd.alter_table_cmd.subtype in _IGNORED for cmd in stmt.cmds):
        return  # OWNER TO, storage options, …: nothing the model holds (and valid on any relation kind)
    qualname = r.relation(stmt.relation)
    if qualname not in r.state.tables:
        if stmt.missing_ok:
            return
        refusals.relation(r, stmt.relation)
        r.table(qualname)
    recurse = stmt.relation.inh
    for cmd_node in stmt.cmds:
        cmd = cmd_node.alter_table_cmd
        _apply_cmd(r, qualname, cmd, recurse=recurse)
        if recurse and cmd.subtype in _RECURSING:  # the same change on every partition and child
            for child in descendants_with(r, qualname, cmd.name):
                _apply_cmd(r, child, cmd, recurse=False)
    r.touch(qualname)


def _apply_cmd(r: Replay, qualname: str, cmd: pb.AlterTableCmd, *, recurse: bool) -> None:
    subtype = cmd.subtype
    if subtype in _IGNORED:
        return
    if subtype == A.AT_AddColumn:
        coldef = getattr(cmd, "def").column_def
        if r.table(qualname).column(coldef.colname) is not None and cmd.missing_ok:
            return
        later = add_column(r, qualname, coldef)
        for constraint in later:
            add_constraint(r, qualname, constraint, recurse=recurse)
        column = r.table(qualname).column(coldef.colname)
        if recurse and column is not None:
            propagate_column(r, qualname, column)
        return
    if subtype == A.AT_ColumnDefault:
        column = r.table(qualname).column(cmd.name)
        if column is None:
            raise NotReplayed(f"column {qualname}.{cmd.name} does not exist in the model replayed so far")
        default = (
            column_default(
                getattr(cmd, "def"),
                column.type,
                r.canonical_type,
                domain_type=domain_type(r, column.type),
                time_zone=r.time_zone,
            )
            if cmd.HasField("def")
            else None
        )
        set_column(r, qualname, cmd.name, default=default)
        return
    if subtype in (A.AT_DropNotNull, A.AT_SetNotNull):
        set_column(r, qualname, cmd.name, not_null=subtype == A.AT_SetNotNull)
        return
    if subtype == A.AT_DropColumn:
        _drop_column(
            r,
            qualname,
            cmd.name,
            missing_ok=cmd.missing_ok,
            cascade=cmd.behavior == pb.DROP_CASCADE,
            only=not recurse,
        )
        return
    if subtype == A.AT_AlterColumnType:
        coldef = getattr(cmd, "def").column_def
        changes: dict[str, Any] = {"type": r.canonical_type(coldef.type_name)}
        if coldef.coll_clause.collname:
            changes["collation"] = r.collation([n.string.sval for n in coldef.coll_clause.collname])
        set_column(r, qualname, cmd.name, **changes)
        return
    if subtype == A.AT_AddConstraint:
        add_constraint(r, qualname, getattr(cmd, "def").constraint, recurse=recurse)
        return
    if subtype == A.AT_DropConstraint:
        drop_constraint(r, qualname, cmd.name, missing_ok=cmd.missing_ok)
        return
    if subtype == A.AT_ValidateConstraint:
        set_constraint(r, qualname, cmd.name, validated=True)
        return
    if subtype == A.AT_AlterConstraint:
        # libpg_query 18 parses it to an ATAlterConstraint, not a Constraint
        c = getattr(cmd, "def").atalter_constraint
        if c.alter_deferrability:
            changes = {"deferrable": bool(c.deferrable), "initially_deferred": bool(c.initdeferred)}
            set_constraint(r, qualname, c.conname, **changes)
        return
    if subtype in (A.AT_EnableRowSecurity, A.AT_DisableRowSecurity):
        r.state.tables[qualname] = evolve(r.table(qualname), rls_enabled=subtype == A.AT_EnableRowSecurity)
        r.touch(qualname, aspects=("rls_enabled",))
        return
    if subtype in (A.AT_ForceRowSecurity, A.AT_NoForceRowSecurity):
        r.state.tables[qualname] = evolve(r.table(qualname), rls_forced=subtype == A.AT_ForceRowSecurity)
        r.touch(qualname, aspects=("rls_forced",))
        return
    if subtype == A.AT_AttachPartition:
        _attach(r, qualname, getattr(cmd, "def").partition_cmd)
        return
    if subtype == A.AT_DetachPartition:
        child = r.relation(getattr(cmd, "def").partition_cmd.name)
        r.state.tables[child] = evolve(r.table(child), partition_of=None, partition_bound=None)
        r.touch(child)
        return
    if subtype == A.AT_AddIdentity:
        c = getattr(cmd, "def").constraint
        set_column(
            r,
            qualname,
            cmd.name,
            identity="always" if c.generated_when == "a" else "by default",
            not_null=True,
        )
        return
    if subtype == A.AT_SetIdentity:
        for option in getattr(cmd, "def").list.items:
            if option.def_elem.defname == "generated":
                value = option.def_elem.arg.integer.ival
                set_column(r, qualname, cmd.name, identity="always" if value == ord("a") else "by default")
        return
    if subtype == A.AT_DropIdentity:
        set_column(r, qualname, cmd.name, identity=None)
        return
    if subtype == A.AT_DropExpression:
        set_column(r, qualname, cmd.name, generated=None)
        return
    if subtype == A.AT_AddInherit:
        inherit(r, qualname, r.relation(getattr(cmd, "def").range_var))
        return
    if subtype == A.AT_DropInherit:
        no_inherit(r, qualname, r.relation(getattr(cmd, "def").range_var))
        return
    if subtype in _TRIGGER_STATES:
        _set_trigger_state(r, qualname, cmd.name, _TRIGGER_STATES[subtype])
        return
    if subtype in (A.AT_EnableTrigAll, A.AT_DisableTrigAll, A.AT_EnableTrigUser, A.AT_DisableTrigUser):
        state = "origin" if subtype in (A.AT_EnableTrigAll, A.AT_EnableTrigUser) else "disabled"
        table = r.table(qualname)
        r.state.tables[qualname] = evolve(
            table,
            triggers=tuple(evolve(t, enabled=state) for t in table.triggers),
        )
        return
    raise NotReplayed(f"ALTER TABLE {pb.AlterTableType.Name(subtype)[3:]} is not replayed")


def _set_trigger_state(r: Replay, qualname: str, name: str, state: str) -> None:
    """ENABLE/DISABLE TRIGGER; on a partitioned table it recurses to the partitions' clones."""
    for child in partitions_of(r, qualname):
        if any(t.name == name for t in r.table(child).triggers):
            _set_trigger_state(r, child, name, state)
    table = r.table(qualname)
    if not any(t.name == name for t in table.triggers):
        raise NotReplayed(f"trigger {name} on {qualname} does not exist in the model replayed so far")
    r.state.tables[qualname] = evolve(
        table,
        triggers=tuple(evolve(t, enabled=state) if t.name == name else t for t in table.triggers),
    )


def _drop_column(
    r: Replay,
    qualname: str,
    name: str,
    *,
    missing_ok: bool,
    cascade: bool,
    only: bool = False,
    with_parent: bool = False,
) -> None:
    """DROP COLUMN; ``with_parent``: dropped because the parent's column is (see children_losing)."""
    table = r.table(qualname)
    column = table.column(name)
    if column is None:
        if missing_ok:
            return
        raise NotReplayed(f"column {qualname}.{name} does not exist in the model replayed so far")
    if column.inherited and not with_parent:
        raise Refused(f'cannot drop inherited column "{name}"')
    for child in children_losing(r, qualname, name, only=only):
        _drop_column(r, child, name, missing_ok=True, cascade=cascade, with_parent=True)
    table = r.table(qualname)
    if not cascade:
        refusals.column_dependents(r, table, name)
    else:
        drop_dependents(r, Ref("column", f"{qualname}.{name}"))
        table = r.table(qualname)
    dropped_constraints = {
        c.name
        for c in table.constraints
        if name in c.columns or (c.expression is not None and _mentions(c.expression, name))
    }
    dropped_indexes = {
        i.name
        for i in table.indexes
        if any(_mentions(k, name) for k in i.keys + i.include)
        or (i.predicate is not None and _mentions(i.predicate, name))
    }
    r.state.tables[qualname] = evolve(
        table,
        columns=tuple(c for c in table.columns if c.name != name),
        constraints=tuple(c for c in table.constraints if c.name not in dropped_constraints),
        indexes=tuple(
            i
            for i in table.indexes
            if i.name not in dropped_indexes and i.constraint not in dropped_constraints
        ),
    )
    r.touch(f"{qualname}.{name}", aspects=("dropped",))
    for cname in dropped_constraints:
        r.drop_conname(table.schema, cname)
    for iname in dropped_indexes | dropped_constraints:
        r.drop_relname(table.schema, iname)
        r.state.index_owner.pop(f"{table.schema}.{iname}", None)
    for seq_name, seq in list(r.state.sequences.items()):
        if seq.owned_by == f"{qualname}.{name}":
            del r.state.sequences[seq_name]
            r.drop_relname(seq.schema, seq.name)
    if cascade:
        for other in list(r.state.tables.values()):
            for fk in other.foreign_keys:
                if fk.ref_table == qualname and name in fk.ref_columns:
                    drop_constraint(r, other.qualname, fk.name, missing_ok=True)


def _mentions(text: str, column: str) -> bool:
    return re.search(rf'(?<![\w$."]){re.escape(column)}(?![\w$"])|"{re.escape(column)}"', text) is not None


def _attach(r: Replay, qualname: str, cmd: pb.PartitionCmd) -> None:
    child = r.relation(cmd.name)
    parent = r.table(qualname)
    child_table = r.table(child)
    r.state.parents.add(qualname)
    r.state.tables[child] = evolve(child_table, partition_of=qualname, partition_bound=bound_text(cmd.bound))
    for constraint in parent.constraints:
        current = r.table(child)
        if constraint.kind == "foreign key" and not any(
            c.name == constraint.name for c in current.constraints
        ):
            r.state.tables[child] = evolve(
                current, constraints=(*current.constraints, evolve(constraint, location=r.location))
            )
    for index in parent.indexes:
        clone_index_to_partition(r, child, parent, index)
    r.touch(child)
