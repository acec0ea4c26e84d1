"""Replay of indexes: CREATE INDEX, the indexes of partitions, DROP INDEX."""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemalint.exprnorm import canonical_expr
from schemalint.model import Index, Table, evolve
from schemalint.sources.sql.replay import refusals
from schemalint.sources.sql.replay.naming import choose_name, index_column_names, name_addition
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay, partitions_of

# default operator classes per access method: naming one is the same as naming none
_BTREE_DEFAULTS = frozenset(
    """int2_ops int4_ops int8_ops text_ops varchar_ops bpchar_ops numeric_ops float4_ops float8_ops bool_ops
    uuid_ops date_ops timestamp_ops timestamptz_ops jsonb_ops array_ops bytea_ops inet_ops oid_ops time_ops
    interval_ops char_ops name_ops money_ops enum_ops range_ops multirange_ops macaddr_ops
    tsvector_ops""".split()
)


_DEFAULT_OPCLASSES = {
    "btree": _BTREE_DEFAULTS,
    "hash": _BTREE_DEFAULTS,
    "gin": frozenset({"jsonb_ops", "array_ops", "tsvector_ops"}),
    "gist": frozenset(
        {
            "tsvector_ops",
            "range_ops",
            "multirange_ops",
            "box_ops",
            "point_ops",
            "poly_ops",
            "circle_ops",
            "tsquery_ops",
        }
    ),
    "brin": frozenset(),
    "spgist": frozenset({"range_ops", "text_ops", "quad_point_ops", "box_ops", "poly_ops", "inet_ops"}),
}


def index_key(elem: pb.IndexElem, table: Table | None = None, method: str = "btree") -> str:
    """A key as the catalog spells it; COLLATE only on a column key whose collation is not its column's."""
    name, collation, expr = elem.name, elem.collation, elem.expr
    while not name and expr.WhichOneof("node") == "collate_clause":
        # the catalog prints an expression key's collation apart from it; "(column COLLATE x)" is
        # a column key with that collation, as PostgreSQL makes it
        collation, expr = collation or expr.collate_clause.collname, expr.collate_clause.arg
        fields = list(expr.column_ref.fields) if expr.WhichOneof("node") == "column_ref" else []
        if len(fields) == 1 and fields[0].WhichOneof("node") == "string":
            name = fields[0].string.sval
    key = name if name else canonical_expr(expr)
    if collation and table is not None and name:
        column = table.column(name)
        if column is not None and column.collation != collation[-1].string.sval:
            key += f' COLLATE "{collation[-1].string.sval}"'
    if elem.opclass:
        opclass = elem.opclass[-1].string.sval
        if opclass not in _DEFAULT_OPCLASSES.get(method, frozenset()):
            key += f" {opclass}"
    if elem.ordering == pb.SORTBY_DESC:
        key += " DESC"
        if elem.nulls_ordering == pb.SORTBY_NULLS_LAST:
            key += " NULLS LAST"
    elif elem.nulls_ordering == pb.SORTBY_NULLS_FIRST:
        key += " NULLS FIRST"
    return key


def create_index(r: Replay, stmt: pb.IndexStmt) -> None:
    owner = refusals.relation(r, stmt.relation)
    refusals.index_columns(r, owner, stmt)
    is_view = owner in r.state.views
    if not is_view:
        table = r.table(owner)
        schema, table_name = table.schema, table.name
    else:
        view = r.state.views[owner]
        schema, table_name = view.schema, view.name
    elements = [p.index_elem for p in stmt.index_params]
    method = stmt.access_method or "btree"
    keys = tuple(index_key(e, None if is_view else r.state.tables[owner], method) for e in elements)
    if stmt.idxname:
        name = stmt.idxname
        if name in r.state.relnames.get(schema, set()):
            if stmt.if_not_exists:
                return
            raise NotReplayed(f"relation {schema}.{name} already exists")
    else:
        label = "idx"  # CREATE UNIQUE INDEX too: PostgreSQL says _key only for constraints
        included = [p.index_elem for p in stmt.index_including_params]  # INCLUDE columns name it too
        name = choose_name(
            table_name,
            name_addition(index_column_names([*elements, *included])),
            label,
            r.relname_taken(schema),
        )
    index = Index(
        schema=schema,
        name=name,
        table=table_name,
        keys=keys,
        unique=stmt.unique,
        method=stmt.access_method or "btree",
        include=tuple(p.index_elem.name for p in stmt.index_including_params),
        predicate=canonical_expr(stmt.where_clause) if stmt.HasField("where_clause") else None,
        nulls_not_distinct=stmt.nulls_not_distinct,
        location=r.location,
    )
    if is_view:
        view = r.state.views[owner]
        r.state.views[owner] = evolve(view, indexes=(*view.indexes, index))
        r.add_relname(schema, name)
        r.state.index_owner[f"{schema}.{name}"] = owner
        r.touch(f"{schema}.{name}", owner)
        return
    store_index(r, owner, index)
    if stmt.relation.inh and r.table(owner).kind == "partitioned table":
        for child in partitions_of(r, owner):
            clone_index_to_partition(r, child, r.table(owner), index)


def store_index(r: Replay, qualname: str, index: Index) -> None:
    table = r.table(qualname)
    r.state.tables[qualname] = evolve(table, indexes=(*table.indexes, index))
    r.add_relname(index.schema, index.name)
    r.state.index_owner[index.qualname] = qualname
    r.touch(index.qualname, qualname)


def drop_index_entry(r: Replay, qualname: str, name: str) -> None:
    table = r.table(qualname)
    r.state.tables[qualname] = evolve(table, indexes=tuple(i for i in table.indexes if i.name != name))
    r.drop_relname(table.schema, name)
    r.state.index_owner.pop(f"{table.schema}.{name}", None)


def drop_index(r: Replay, qualname: str, *, missing_ok: bool) -> None:
    owner = r.state.index_owner.get(qualname)
    if owner is None:
        if missing_ok:
            return
        raise NotReplayed(f"index {qualname} does not exist in the model replayed so far")
    schema, name = qualname.split(".", 1)
    if owner in r.state.views:
        view = r.state.views[owner]
        r.state.views[owner] = evolve(view, indexes=tuple(i for i in view.indexes if i.name != name))
        r.drop_relname(schema, name)
        r.state.index_owner.pop(qualname, None)
        return
    table = r.table(owner)
    index = next(i for i in table.indexes if i.name == name)
    if index.constraint:
        raise NotReplayed(f"index {qualname} belongs to constraint {index.constraint}; drop the constraint")
    drop_index_entry(r, owner, name)
    r.touch(owner)


def clone_index_to_partition(r: Replay, qualname: str, parent: Table, index: Index) -> None:
    child = r.table(qualname)
    if any(_same_index(i, index) for i in child.indexes):
        return
    constraint = parent_constraint = None
    if index.constraint:
        parent_constraint = next((c for c in parent.constraints if c.name == index.constraint), None)
    if parent_constraint is not None and parent_constraint.kind == "primary key":
        name = choose_name(child.name, None, "pkey", r.relname_taken(child.schema))
    elif parent_constraint is not None:
        label = "key" if parent_constraint.kind == "unique" else "excl"
        name = choose_name(
            child.name, name_addition(parent_constraint.columns), label, r.relname_taken(child.schema)
        )
    else:
        # CREATE [UNIQUE] INDEX names are _idx; _key is for constraints only
        name = choose_name(
            child.name, name_addition(key_names(index.keys)), "idx", r.relname_taken(child.schema)
        )
    if parent_constraint is not None:
        constraint = evolve(parent_constraint, name=name, location=r.location)
    new_index = evolve(
        index,
        schema=child.schema,
        name=name,
        table=child.name,
        constraint=name if constraint else None,
        location=r.location,
    )
    store_index(r, qualname, new_index)
    if constraint is not None:
        child = r.table(qualname)
        r.state.tables[qualname] = evolve(child, constraints=(*child.constraints, constraint))
        r.add_conname(child.schema, name)
    if r.table(qualname).kind == "partitioned table":
        for sub in partitions_of(r, qualname):
            clone_index_to_partition(r, sub, r.table(qualname), new_index)


_KEY_SUFFIX = re.compile(r'\s+(?:DESC|NULLS FIRST|NULLS LAST|COLLATE "[^"]*"|[a-z_][a-z0-9_]*_ops)$')


def key_names(keys: Iterable[str]) -> list[str]:
    """The names PostgreSQL uses for keys in an index name: the column, a function's name, or expr."""
    names = []
    for key in keys:
        base = key
        while True:
            stripped = _KEY_SUFFIX.sub("", base)
            if stripped == base:
                break
            base = stripped
        if "(" not in base:
            names.append(base)  # a column name, as written (spaces and quotes included)
        else:
            head = base.split("(")[0].strip('"')
            names.append(head if head and head.replace("_", "").isalnum() else "expr")
    return names


def _same_index(a: Index, b: Index) -> bool:
    return (a.keys, a.unique, a.method, a.predicate, a.include) == (
        b.keys,
        b.unique,
        b.method,
        b.predicate,
        b.include,
    )
