"""Replay of CREATE TABLE (and CREATE FOREIGN TABLE): columns, constraints,
LIKE, inheritance and partitioning."""

from __future__ import annotations

from typing import Any

from schemalint.exprnorm import canonical_expr
from schemalint.literals import utc_timestamp
from schemalint.model import Column, Table, evolve
from schemalint.sources.sql.replay import refusals
from schemalint.sources.sql.replay.columns import column_from_def, serial_sequence
from schemalint.sources.sql.replay.constraints import add_constraint, constraint_order, without_duplicate_keys
from schemalint.sources.sql.replay.indexes import clone_index_to_partition
from schemalint.sources.sql.replay.inheritance import columns_of_parents, merged
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay

PERSISTENCE = {"p": "permanent", "u": "unlogged", "t": "temporary"}


def create_table(r: Replay, stmt: pb.CreateStmt) -> None:
    rv = stmt.relation
    schema = r.creation_schema(rv.schemaname)
    qualname = f"{schema}.{rv.relname}"
    if r.relation_exists(qualname):
        if stmt.if_not_exists:
            return
        raise NotReplayed(f"relation {qualname} already exists")
    if stmt.of_typename.names:
        raise NotReplayed("CREATE TABLE … OF type is not replayed")
    shape: dict[str, Any] = {}
    if stmt.HasField("partbound"):
        parents = [r.table(r.relation(stmt.inh_relations[0].range_var))]
        shape.update(partition_of=parents[0].qualname, partition_bound=bound_text(stmt.partbound))
    else:
        parents = [r.table(r.relation(p.range_var)) for p in stmt.inh_relations]
        shape.update(inherits=tuple(p.qualname for p in parents))
    if stmt.HasField("partspec"):
        shape.update(kind="partitioned table", partition_key=_partkey_text(stmt.partspec))
    table = Table(
        schema=schema,
        name=rv.relname,
        persistence=PERSISTENCE.get(rv.relpersistence, "permanent"),  # type: ignore[arg-type]
        location=r.location,
        **shape,
    )
    r.state.parents.update(p.qualname for p in parents)
    columns = columns_of_parents(r, parents, partition=stmt.HasField("partbound"))
    position_of = {c.name: i for i, c in enumerate(columns)}
    r.touch(qualname)
    deferred: list[pb.Constraint] = []
    serials: list[tuple[str, str]] = []
    for element in stmt.table_elts:
        which = element.WhichOneof("node")
        if which == "column_def":
            coldef = element.column_def
            position = position_of.get(coldef.colname)
            if position is not None and not parents:
                raise NotReplayed(f"column {qualname}.{coldef.colname} specified more than once")
            existing = columns[position] if position is not None else None
            column, later, serial = column_from_def(r, coldef, existing)
            column = merged(column, existing) if not stmt.HasField("partbound") else column
            if position is not None:
                columns[position] = column
            else:
                position_of[column.name] = len(columns)
                columns.append(column)
            deferred.extend(later)
            if serial:
                serials.append((column.name, serial))
        elif which == "constraint":
            deferred.append(element.constraint)
        elif which == "table_like_clause":
            r.state.tables[qualname] = evolve(table, columns=tuple(columns))
            r.add_relname(schema, rv.relname)
            _like(r, qualname, element.table_like_clause)
            columns = list(r.state.tables[qualname].columns)
            position_of = {c.name: i for i, c in enumerate(columns)}
        else:
            raise NotReplayed(f"table element {which} is not replayed")
    r.state.tables[qualname] = evolve(table, columns=tuple(columns))
    r.add_relname(schema, rv.relname)
    for column in columns:
        r.touch(f"{qualname}.{column.name}", at=column.location)
    for name, serial in serials:
        serial_sequence(r, qualname, name, serial)
    for parent in parents:
        _inherit_constraints(r, qualname, parent, partition=stmt.HasField("partbound"))
    refusals.keys_before_checks(r, r.table(qualname), deferred)
    for constraint in without_duplicate_keys(sorted(deferred, key=constraint_order)):
        add_constraint(r, qualname, constraint, recurse=True)
    if stmt.HasField("partbound"):
        _clone_partition_objects(r, qualname, parents[0])


def bound_text(bound: pb.PartitionBoundSpec) -> str:
    if bound.is_default:
        return "DEFAULT"

    def datum(node: Any) -> str:
        if node.WhichOneof("node") == "column_ref":
            return str(node.column_ref.fields[-1].string.sval).upper()
        return _utc_literal(canonical_expr(node))

    if bound.strategy == "l":
        return f"FOR VALUES IN ({', '.join(datum(d) for d in bound.listdatums)})"
    if bound.strategy == "h":
        return f"FOR VALUES WITH (modulus {bound.modulus}, remainder {bound.remainder})"
    low = ", ".join(datum(d) for d in bound.lowerdatums)
    high = ", ".join(datum(d) for d in bound.upperdatums)
    return f"FOR VALUES FROM ({low}) TO ({high})"


def _utc_literal(text: str) -> str:
    """'2022-04-01 01:00:00+01' → '2022-04-01 00:00:00+00', as the catalog prints it in UTC; a
    literal without an offset is left alone (the partition key may be a timestamp without one)."""
    return utc_timestamp(text, None) or text


def _partkey_text(spec: pb.PartitionSpec) -> str:
    strategy = {
        pb.PARTITION_STRATEGY_RANGE: "RANGE",
        pb.PARTITION_STRATEGY_LIST: "LIST",
        pb.PARTITION_STRATEGY_HASH: "HASH",
    }.get(spec.strategy, "RANGE")
    parts = []
    for param in spec.part_params:
        elem = param.partition_elem
        parts.append(elem.name if elem.name else f"({canonical_expr(elem.expr)})")
    return f"{strategy} ({', '.join(parts)})"


def _like(r: Replay, qualname: str, clause: pb.TableLikeClause) -> None:
    source = r.table(r.relation(clause.relation))
    options = clause.options
    with_defaults = bool(options & (1 << 1)) or options == 0x7FFFFFFF
    table = r.table(qualname)
    columns = list(table.columns)
    for column in source.columns:
        columns.append(
            Column(
                name=column.name,
                type=column.type,
                not_null=column.not_null,
                default=column.default if with_defaults else None,
                collation=column.collation,
                location=r.location,
            )
        )
    r.state.tables[qualname] = evolve(table, columns=tuple(columns))


def _inherit_constraints(r: Replay, qualname: str, parent: Any, *, partition: bool) -> None:
    table = r.table(qualname)
    inherited = [c for c in parent.constraints if c.kind == "check" and not c.no_inherit]
    if inherited:
        names = {c.name for c in table.constraints}
        new = [evolve(c, location=r.location) for c in inherited if c.name not in names]
        r.state.tables[qualname] = evolve(table, constraints=table.constraints + tuple(new))
        for c in new:
            r.add_conname(table.schema, c.name)


def _clone_partition_objects(r: Replay, qualname: str, parent: Table) -> None:
    """A new partition gets its parent's foreign keys, indexes, key constraints and row triggers."""
    child = r.table(qualname)
    for constraint in parent.constraints:
        if constraint.kind == "foreign key" and not any(c.name == constraint.name for c in child.constraints):
            child = evolve(child, constraints=(*child.constraints, evolve(constraint, location=r.location)))
    triggers = tuple(evolve(t, location=r.location) for t in parent.triggers if t.level == "row")
    child = evolve(child, triggers=child.triggers + triggers)
    r.state.tables[qualname] = child
    for index in parent.indexes:
        clone_index_to_partition(r, qualname, parent, index)


def create_foreign_table(r: Replay, stmt: pb.CreateForeignTableStmt) -> None:
    """A foreign table: its columns and constraints are written out as a table's are."""
    rv = stmt.base_stmt.relation
    qualname = f"{r.creation_schema(rv.schemaname)}.{rv.relname}"
    existed = r.relation_exists(qualname)
    create_table(r, stmt.base_stmt)
    if not existed:
        r.state.tables[qualname] = evolve(r.table(qualname), kind="foreign table")
