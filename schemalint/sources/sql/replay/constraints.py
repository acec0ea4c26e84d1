"""Replay of table constraints: adding (with the names PostgreSQL chooses and the
indexes of keys), changing and dropping them, on a table and its partitions."""

from __future__ import annotations

from typing import Any

from schemalint.exprnorm import canonical_expr, column_refs
from schemalint.model import Constraint, ConstraintKind, Index, Table, evolve
from schemalint.sources.sql.replay import refusals
from schemalint.sources.sql.replay.columns import PRIMARY, UNIQUE, set_column
from schemalint.sources.sql.replay.indexes import (
    clone_index_to_partition,
    drop_index_entry,
    index_key,
    key_names,
    store_index,
)
from schemalint.sources.sql.replay.naming import choose_name, name_addition
from schemalint.sources.sql.replay.nodes import C, pb, strings
from schemalint.sources.sql.replay.state import NotReplayed, Replay, children_of, partitions_of

FK_ACTIONS = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
    "": "no action",
}


def without_duplicate_keys(constraints: list[pb.Constraint]) -> list[pb.Constraint]:
    """CREATE TABLE's PRIMARY KEY and UNIQUE constraints as PostgreSQL keeps them: the primary key
    first, and a key that repeats an earlier one (same columns, INCLUDE, predicate, method and
    flags: `id int UNIQUE, PRIMARY KEY (id)`) dropped, its name passed on to an unnamed earlier one."""
    keys = [c for c in constraints if c.contype in (PRIMARY, UNIQUE)]
    if len(keys) < 2:
        return constraints
    kept: list[pb.Constraint] = [c for c in keys if c.contype == PRIMARY][:1]
    for constraint in keys:
        if kept and constraint is kept[0]:
            continue
        earlier = next((k for k in kept if _same_key(k, constraint)), None)
        if earlier is None:
            kept.append(constraint)
        elif not earlier.conname and constraint.conname:
            named = pb.Constraint()  # a copy: the statement's own tree stays as written
            named.CopyFrom(earlier)
            named.conname = constraint.conname
            kept[kept.index(earlier)] = named
    first = constraints.index(keys[0])
    others = [c for c in constraints if c.contype not in (PRIMARY, UNIQUE)]
    return others[:first] + kept + others[first:]


def _same_key(a: pb.Constraint, b: pb.Constraint) -> bool:
    def where(c: pb.Constraint) -> str | None:
        return canonical_expr(c.where_clause) if c.HasField("where_clause") else None

    return (
        strings(a.keys) == strings(b.keys)
        and strings(a.including) == strings(b.including)
        and a.access_method == b.access_method
        and a.nulls_not_distinct == b.nulls_not_distinct
        and a.deferrable == b.deferrable
        and a.initdeferred == b.initdeferred
        and where(a) == where(b)
    )


def constraint_order(constraint: pb.Constraint) -> int:
    # PostgreSQL names CHECK constraints at creation, then index-backed ones, then foreign keys
    return {C.CONSTR_CHECK: 0, C.CONSTR_PRIMARY: 1, C.CONSTR_UNIQUE: 1, C.CONSTR_EXCLUSION: 1}.get(
        constraint.contype, 2
    )


def add_constraint(r: Replay, qualname: str, c: pb.Constraint, *, recurse: bool) -> None:
    table = r.table(qualname)
    schema = table.schema
    deferrable, deferred = bool(c.deferrable), bool(c.initdeferred)
    validated = not c.skip_validation
    if c.contype == C.CONSTR_CHECK:
        refusals.check_columns(table, c)
        expression = canonical_expr(c.raw_expr)
        name = c.conname or choose_name(table.name, _check_column(c, table), "check", r.conname_taken(schema))
        constraint = Constraint(
            name=name,
            kind="check",
            expression=expression,
            validated=validated,
            no_inherit=c.is_no_inherit,
            location=r.location_at(c.location),
        )
        _store_constraint(r, qualname, constraint)
        if recurse and not c.is_no_inherit:
            for child in children_of(r, qualname):
                if not any(x.name == name for x in r.table(child).constraints):
                    _store_constraint(r, child, evolve(constraint, location=r.location))
        return
    if c.contype == C.CONSTR_FOREIGN:
        columns = strings(c.fk_attrs)
        ref_qualname, ref_columns = refusals.foreign_key_target(r, table, c)
        name = c.conname or choose_name(table.name, name_addition(columns), "fkey", r.conname_taken(schema))
        constraint = Constraint(
            name=name,
            kind="foreign key",
            columns=columns,
            ref_table=ref_qualname,
            ref_columns=ref_columns,
            on_delete=FK_ACTIONS.get(c.fk_del_action, "no action"),  # type: ignore[arg-type]
            on_update=FK_ACTIONS.get(c.fk_upd_action, "no action"),  # type: ignore[arg-type]
            match_full=c.fk_matchtype == "f",
            deferrable=deferrable,
            initially_deferred=deferred,
            validated=validated,
            location=r.location_at(c.location),
        )
        _store_constraint(r, qualname, constraint)
        if recurse:
            for child in partitions_of(r, qualname):
                if not any(x.name == name for x in r.table(child).constraints):
                    _store_constraint(r, child, evolve(constraint, location=r.location))
        return
    if c.contype in (C.CONSTR_PRIMARY, C.CONSTR_UNIQUE, C.CONSTR_EXCLUSION):
        _add_index_constraint(r, qualname, c, recurse=recurse)
        return
    if c.contype == C.CONSTR_NOTNULL:
        for key in strings(c.keys):
            set_column(r, qualname, key, not_null=True)
        return
    raise NotReplayed(f"constraint type {pb.ConstrType.Name(c.contype)} is not replayed")


def _check_column(c: pb.Constraint, table: Table) -> str | None:
    """PostgreSQL names a CHECK after its column when the expression uses exactly one column."""
    names = {
        ref.fields[-1].string.sval
        for ref in column_refs(c.raw_expr, into_subqueries=False)
        if ref.fields[-1].WhichOneof("node") == "string"
    }
    known = [n for n in names if table.column(n) is not None]
    return known[0] if len(known) == 1 and len(names) == 1 else None


def _store_constraint(r: Replay, qualname: str, constraint: Constraint) -> None:
    table = r.table(qualname)
    if any(c.name == constraint.name for c in table.constraints):
        raise NotReplayed(f"constraint {constraint.name} on {qualname} already exists")
    r.state.tables[qualname] = evolve(table, constraints=(*table.constraints, constraint))
    r.add_conname(table.schema, constraint.name)
    r.touch(f"{qualname}.{constraint.name}", qualname, at=constraint.location)


def _add_index_constraint(r: Replay, qualname: str, c: pb.Constraint, *, recurse: bool) -> None:
    table = r.table(qualname)
    schema = table.schema
    kinds: dict[int, ConstraintKind] = {
        C.CONSTR_PRIMARY: "primary key",
        C.CONSTR_UNIQUE: "unique",
        C.CONSTR_EXCLUSION: "exclusion",
    }
    kind = kinds[c.contype]
    if not c.indexname:
        refusals.key_columns(r, table, c)
    if c.indexname:  # ADD CONSTRAINT … USING INDEX
        index_qualname = f"{schema}.{c.indexname}"
        index = next((i for i in table.indexes if i.name == c.indexname), None)
        if index is None:
            raise NotReplayed(f"index {index_qualname} does not exist on {qualname}")
        name = c.conname or c.indexname
        columns = tuple(k.split(" ")[0] for k in index.keys)
        constraint = Constraint(
            name=name,
            kind=kind,
            columns=columns,
            deferrable=bool(c.deferrable),
            initially_deferred=bool(c.initdeferred),
            nulls_not_distinct=index.nulls_not_distinct,
            location=r.location,
        )
        drop_index_entry(r, qualname, c.indexname)
        store_index(r, qualname, evolve(index, name=name, constraint=name, location=r.location))
        _store_constraint(r, qualname, constraint)
        if kind == "primary key":
            for column in columns:
                set_column(r, qualname, column, not_null=True)
        return
    if kind == "exclusion":
        elements = []
        keys = []
        for pair in c.exclusions:
            elem, ops = pair.list.items
            key = index_key(elem.index_elem, table, c.access_method or "gist")
            keys.append(key)
            elements.append(f"{key} WITH {ops.list.items[-1].string.sval}")
        columns = tuple(k for k in keys)
        expression = f"EXCLUDE USING {c.access_method or 'gist'} ({', '.join(elements)})"
        if c.HasField("where_clause"):
            expression += f" WHERE ({canonical_expr(c.where_clause)})"
    else:
        columns = strings(c.keys)
        keys = list(columns)
        expression = None
    label = {"primary key": "pkey", "unique": "key", "exclusion": "excl"}[kind]
    addition = (
        None
        if kind == "primary key"
        else name_addition([*columns, *strings(c.including)] if kind == "unique" else key_names(keys))
    )
    name = c.conname or choose_name(table.name, addition, label, r.relname_taken(schema))
    if kind == "primary key" and table.primary_key is not None:
        raise NotReplayed(f"table {qualname} already has a primary key")
    constraint = Constraint(
        name=name,
        kind=kind,
        columns=columns,
        expression=expression,
        deferrable=bool(c.deferrable),
        initially_deferred=bool(c.initdeferred),
        nulls_not_distinct=c.nulls_not_distinct,
        location=r.location_at(c.location),
    )
    index = Index(
        schema=schema,
        name=name,
        table=table.name,
        keys=tuple(keys),
        unique=kind != "exclusion",
        method=c.access_method or ("gist" if kind == "exclusion" else "btree"),
        include=strings(c.including),
        predicate=canonical_expr(c.where_clause) if c.HasField("where_clause") else None,
        nulls_not_distinct=c.nulls_not_distinct,
        constraint=name,
        location=constraint.location,  # the index a key makes is named where the key is declared
    )
    _store_constraint(r, qualname, constraint)
    store_index(r, qualname, index)
    if kind == "primary key":
        for column in columns:
            set_column(r, qualname, column, not_null=True)
    if recurse:
        for child in partitions_of(r, qualname):
            clone_index_to_partition(r, child, r.table(qualname), index)


def set_constraint(r: Replay, qualname: str, name: str, **changes: Any) -> None:
    table = r.table(qualname)
    if not any(c.name == name for c in table.constraints):
        raise NotReplayed(f"constraint {name} on {qualname} does not exist in the model replayed so far")
    r.state.tables[qualname] = evolve(
        table, constraints=tuple(evolve(c, **changes) if c.name == name else c for c in table.constraints)
    )
    r.touch(f"{qualname}.{name}")


def drop_constraint(r: Replay, qualname: str, name: str, *, missing_ok: bool) -> None:
    table = r.table(qualname)
    if not any(c.name == name for c in table.constraints):
        if missing_ok:
            return
        raise NotReplayed(f"constraint {name} on {qualname} does not exist in the model replayed so far")
    r.state.tables[qualname] = evolve(
        table,
        constraints=tuple(c for c in table.constraints if c.name != name),
        indexes=tuple(i for i in table.indexes if i.constraint != name),
    )
    r.drop_conname(table.schema, name)
    if any(i.constraint == name for i in table.indexes):
        r.drop_relname(table.schema, name)
        r.state.index_owner.pop(f"{table.schema}.{name}", None)
    for child in children_of(r, qualname):
        child_table = r.table(child)
        if any(c.name == name and c.kind in ("check", "foreign key") for c in child_table.constraints):
            drop_constraint(r, child, name, missing_ok=True)
