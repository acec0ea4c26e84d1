"""Replay of tables: CREATE TABLE, ALTER TABLE, CREATE INDEX and their parts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from postgast import pg_query_pb2 as pb

from schemalint.exprnorm import canonical_expr, column_refs
from schemalint.literals import fold_default, utc_timestamp
from schemalint.model import Column, Constraint, ConstraintKind, Index, Sequence, Table, evolve
from schemalint.sources.sql import refusals
from schemalint.sources.sql.naming import choose_name, index_column_names, name_addition
from schemalint.sources.sql.replay import NotReplayed, enum_constants
from schemalint.typenorm import SERIAL_TYPES, quote_qualified

if TYPE_CHECKING:
    from schemalint.sources.sql.replay import Replayer

C = enum_constants(pb.ConstrType)
A = enum_constants(pb.AlterTableType)
NOTNULL, NULL, DEFAULT, IDENTITY, GENERATED, CHECK, PRIMARY, UNIQUE, FOREIGN, EXCLUSION = (
    C.CONSTR_NOTNULL,
    C.CONSTR_NULL,
    C.CONSTR_DEFAULT,
    C.CONSTR_IDENTITY,
    C.CONSTR_GENERATED,
    C.CONSTR_CHECK,
    C.CONSTR_PRIMARY,
    C.CONSTR_UNIQUE,
    C.CONSTR_FOREIGN,
    C.CONSTR_EXCLUSION,
)
ATTRIBUTES = (
    C.CONSTR_ATTR_DEFERRABLE,
    C.CONSTR_ATTR_NOT_DEFERRABLE,
    C.CONSTR_ATTR_DEFERRED,
    C.CONSTR_ATTR_IMMEDIATE,
)

FK_ACTIONS = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
    "": "no action",
}
SEQUENCE_LIMITS = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
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
PERSISTENCE = {"p": "permanent", "u": "unlogged", "t": "temporary"}


def _strings(nodes: Iterable[Any]) -> tuple[str, ...]:
    return tuple(n.string.sval for n in nodes)


# -- CREATE TABLE -----------------------------------------------------------------------------------


def create_table(r: Replayer, stmt: pb.CreateStmt) -> None:
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
        shape.update(partition_of=parents[0].qualname, partition_bound=_bound_text(stmt.partbound))
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
    columns: list[Column] = []
    r.state.parents.update(p.qualname for p in parents)
    for parent in parents:
        for column in parent.columns:
            if not any(c.name == column.name for c in columns):
                columns.append(evolve(column, identity=None, comment=None, location=r.location))
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
            column, later, serial = _column_from_def(r, coldef, existing)
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
        _serial_sequence(r, qualname, name, serial)
    for parent in parents:
        _inherit_constraints(r, qualname, parent, partition=stmt.HasField("partbound"))
    refusals.keys_before_checks(r, r.table(qualname), deferred)
    for constraint in _without_duplicate_keys(sorted(deferred, key=_constraint_order)):
        add_constraint(r, qualname, constraint, recurse=True)
    if stmt.HasField("partbound"):
        _clone_partition_objects(r, qualname, parents[0])


def _without_duplicate_keys(constraints: list[pb.Constraint]) -> list[pb.Constraint]:
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
        _strings(a.keys) == _strings(b.keys)
        and _strings(a.including) == _strings(b.including)
        and a.access_method == b.access_method
        and a.nulls_not_distinct == b.nulls_not_distinct
        and a.deferrable == b.deferrable
        and a.initdeferred == b.initdeferred
        and where(a) == where(b)
    )


def _constraint_order(constraint: pb.Constraint) -> int:
    # PostgreSQL names CHECK constraints at creation, then index-backed ones, then foreign keys
    return {C.CONSTR_CHECK: 0, C.CONSTR_PRIMARY: 1, C.CONSTR_UNIQUE: 1, C.CONSTR_EXCLUSION: 1}.get(
        constraint.contype, 2
    )


def _bound_text(bound: pb.PartitionBoundSpec) -> str:
    from schemalint.exprnorm import canonical_expr

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


def _add_column(
    r: Replayer, qualname: str, coldef: pb.ColumnDef, *, partition: bool = False
) -> list[pb.Constraint]:
    """Add (or, for partitions, refine) a column; return its table-level constraints for later."""
    table = r.table(qualname)
    existing = table.column(coldef.colname)
    if existing is not None and not partition:
        raise NotReplayed(f"column {qualname}.{coldef.colname} already exists")
    column, later, serial = _column_from_def(r, coldef, existing)
    if existing is not None:
        columns = tuple(column if c.name == column.name else c for c in table.columns)
    else:
        columns = (*table.columns, column)
    r.state.tables[qualname] = evolve(table, columns=columns)
    r.touch(f"{qualname}.{column.name}", at=column.location)
    if serial:
        _serial_sequence(r, qualname, column.name, serial)
    return later


def _column_from_def(
    r: Replayer, coldef: pb.ColumnDef, existing: Column | None
) -> tuple[Column, list[pb.Constraint], str | None]:
    type_name = coldef.type_name
    names = type_name.names
    serial = (
        SERIAL_TYPES.get(names[0].string.sval) if len(names) == 1 and not type_name.array_bounds else None
    )
    if serial:
        col_type = serial
    elif names:
        col_type = r.canonical_type(type_name)
    elif existing is not None:
        col_type = existing.type
    else:
        raise NotReplayed(f"column {coldef.colname} has no type")
    fields: dict[str, Any] = {}
    if existing is not None:
        fields = {
            "not_null": existing.not_null,
            "default": existing.default,
            "identity": existing.identity,
            "generated": existing.generated,
            "collation": existing.collation,
        }
    if coldef.coll_clause.collname:
        fields["collation"] = r.collation([n.string.sval for n in coldef.coll_clause.collname])
    if coldef.is_not_null:
        fields["not_null"] = True
    later: list[pb.Constraint] = []
    for node in coldef.constraints:
        c = node.constraint
        contype = c.contype
        if contype == NOTNULL:
            fields["not_null"] = True
        elif contype == NULL:
            fields["not_null"] = False
        elif contype == DEFAULT:
            fields["default"] = column_default(
                c.raw_expr,
                col_type,
                r.canonical_type,
                domain_type=domain_type(r, col_type),
                time_zone=r.time_zone,
            )
        elif contype == IDENTITY:
            fields["identity"] = "always" if c.generated_when == "a" else "by default"
            fields["not_null"] = True
        elif contype == GENERATED:
            fields["generated"] = canonical_expr(c.raw_expr)
        elif contype in ATTRIBUTES:
            if later:
                later[-1] = _apply_attr(later[-1], contype)
        else:
            copy = pb.Constraint()
            copy.CopyFrom(c)
            if not copy.keys and contype in (PRIMARY, UNIQUE):
                copy.keys.add().string.sval = coldef.colname
            if contype == FOREIGN and not copy.fk_attrs:
                copy.fk_attrs.add().string.sval = coldef.colname
            later.append(copy)
    column = Column(
        name=coldef.colname,
        type=col_type,
        location=r.location_at(coldef.location, len(coldef.colname)),
        **fields,
    )
    return column, later, serial


def column_default(
    node: Any,
    column_type: str,
    spell: Callable[[Any], str],
    *,
    domain_type: str | None = None,
    time_zone: str | None = "UTC",
) -> str | None:
    """The default as the catalog keeps it: none for a plain NULL, literals coerced to the type.

    A NULL (or a NULL cast to the column's own type) is no default, unless coercing it to the
    column's type leaves more than a constant: a domain check (`domain_type` is the domain's
    base type when the column's type is a domain), or the length coercion of a type with a
    modifier (varchar(64), numeric(19,4), timestamp(3), bit(8), …), which PostgreSQL stores
    and prints as NULL::type. A NULL cast to another type (NULL::varchar on a text column) is
    stored as that coercion. Literals are folded as the (base) type stores them; a timestamptz
    literal without an offset is in `time_zone`, the session's (None: unknown, left as written).
    """
    target = node
    if target.WhichOneof("node") == "type_cast" and spell(target.type_cast.type_name) == column_type:
        target = target.type_cast.arg
    if target.WhichOneof("node") == "a_const" and target.a_const.isnull:
        return "NULL" if domain_type is not None or _length_coerced(column_type) else None
    return fold_default(canonical_expr(node), domain_type or column_type, time_zone)


# format_type spellings of the types whose modifier is applied by a length coercion function
_LENGTH_COERCED = (
    "character varying(",
    "character(",
    "numeric(",
    "bit(",
    "bit varying(",
    "timestamp(",
    "time(",
)


def _length_coerced(column_type: str) -> bool:
    return column_type.startswith(_LENGTH_COERCED)


def domain_type(r: Replayer, column_type: str) -> str | None:
    """The base type of a column type that is a domain of the model (through domains of domains)."""
    base = None
    seen: set[str] = set()
    while column_type not in seen:
        seen.add(column_type)
        domain = next(
            (d for d in r.state.domains.values() if quote_qualified(d.schema, d.name) == column_type), None
        )
        if domain is None:
            break
        base = column_type = domain.type
    return base


def _apply_attr(constraint: pb.Constraint, attr: int) -> pb.Constraint:
    copy = pb.Constraint()
    copy.CopyFrom(constraint)
    if attr == C.CONSTR_ATTR_DEFERRABLE:
        copy.deferrable = True
    elif attr == C.CONSTR_ATTR_NOT_DEFERRABLE:
        copy.deferrable = False
    elif attr == C.CONSTR_ATTR_DEFERRED:
        copy.initdeferred = True
    elif attr == C.CONSTR_ATTR_IMMEDIATE:
        copy.initdeferred = False
    return copy


def _serial_sequence(r: Replayer, qualname: str, column: str, seq_type: str) -> None:
    table = r.table(qualname)
    name = choose_name(table.name, column, "seq", r.relname_taken(table.schema))
    seq_qualname = f"{table.schema}.{name}"
    r.state.sequences[seq_qualname] = Sequence(
        schema=table.schema,
        name=name,
        type=seq_type,
        start=1,
        increment=1,
        min_value=None,
        max_value=None,
        cache=1,
        cycle=False,
        owned_by=f"{qualname}.{column}",
        location=r.location,
    )
    r.add_relname(table.schema, name)
    r.touch(seq_qualname)
    set_column(r, qualname, column, default=f"nextval('{_quote_literal_name(name)}')", not_null=True)


def _quote_literal_name(name: str) -> str:
    from schemalint.typenorm import quote_ident

    return quote_ident(name).replace("'", "''")


def set_column(r: Replayer, qualname: str, name: str, **changes: Any) -> None:
    table = r.table(qualname)
    column = table.column(name)
    if column is None:
        raise NotReplayed(f"column {qualname}.{name} does not exist in the model replayed so far")
    if any(getattr(column, field) != value for field, value in changes.items()):
        new = evolve(column, **changes)
        r.state.tables[qualname] = evolve(
            table, columns=tuple(new if c.name == name else c for c in table.columns)
        )
    r.touch(f"{qualname}.{name}", qualname)


def _like(r: Replayer, qualname: str, clause: pb.TableLikeClause) -> None:
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


def _inherit_constraints(r: Replayer, qualname: str, parent: Any, *, partition: bool) -> None:
    table = r.table(qualname)
    inherited = [c for c in parent.constraints if c.kind == "check" and not c.no_inherit]
    if inherited:
        names = {c.name for c in table.constraints}
        new = [evolve(c, location=r.location) for c in inherited if c.name not in names]
        r.state.tables[qualname] = evolve(table, constraints=table.constraints + tuple(new))
        for c in new:
            r.add_conname(table.schema, c.name)


def _clone_partition_objects(r: Replayer, qualname: str, parent: Table) -> None:
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


def clone_index_to_partition(r: Replayer, qualname: str, parent: Table, index: Index) -> None:
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
            child.name, name_addition(_key_names(index.keys)), "idx", r.relname_taken(child.schema)
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
    _store_index(r, qualname, new_index)
    if constraint is not None:
        child = r.table(qualname)
        r.state.tables[qualname] = evolve(child, constraints=(*child.constraints, constraint))
        r.add_conname(child.schema, name)
    if r.table(qualname).kind == "partitioned table":
        for sub in _partitions_of(r, qualname):
            clone_index_to_partition(r, sub, r.table(qualname), new_index)


_KEY_SUFFIX = re.compile(r'\s+(?:DESC|NULLS FIRST|NULLS LAST|COLLATE "[^"]*"|[a-z_][a-z0-9_]*_ops)$')


def _key_names(keys: Iterable[str]) -> list[str]:
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


def _partitions_of(r: Replayer, qualname: str) -> list[str]:
    if qualname not in r.state.parents:
        return []
    return [t.qualname for t in r.state.tables.values() if t.partition_of == qualname]


# -- constraints ------------------------------------------------------------------------------------


def add_constraint(r: Replayer, qualname: str, c: pb.Constraint, *, recurse: bool) -> None:
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
            for child in _children_of(r, qualname):
                if not any(x.name == name for x in r.table(child).constraints):
                    _store_constraint(r, child, evolve(constraint, location=r.location))
        return
    if c.contype == C.CONSTR_FOREIGN:
        columns = _strings(c.fk_attrs)
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
            for child in _partitions_of(r, qualname):
                if not any(x.name == name for x in r.table(child).constraints):
                    _store_constraint(r, child, evolve(constraint, location=r.location))
        return
    if c.contype in (C.CONSTR_PRIMARY, C.CONSTR_UNIQUE, C.CONSTR_EXCLUSION):
        _add_index_constraint(r, qualname, c, recurse=recurse)
        return
    if c.contype == C.CONSTR_NOTNULL:
        for key in _strings(c.keys):
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


def _store_constraint(r: Replayer, qualname: str, constraint: Constraint) -> None:
    table = r.table(qualname)
    if any(c.name == constraint.name for c in table.constraints):
        raise NotReplayed(f"constraint {constraint.name} on {qualname} already exists")
    r.state.tables[qualname] = evolve(table, constraints=(*table.constraints, constraint))
    r.add_conname(table.schema, constraint.name)
    r.touch(f"{qualname}.{constraint.name}", qualname, at=constraint.location)


def _children_of(r: Replayer, qualname: str) -> list[str]:
    if qualname not in r.state.parents:
        return []
    return [
        t.qualname for t in r.state.tables.values() if t.partition_of == qualname or qualname in t.inherits
    ]


def _add_index_constraint(r: Replayer, qualname: str, c: pb.Constraint, *, recurse: bool) -> None:
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
        _drop_index_entry(r, qualname, c.indexname)
        _store_index(r, qualname, evolve(index, name=name, constraint=name, location=r.location))
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
            key = _index_key(elem.index_elem, table, c.access_method or "gist")
            keys.append(key)
            elements.append(f"{key} WITH {ops.list.items[-1].string.sval}")
        columns = tuple(k for k in keys)
        expression = f"EXCLUDE USING {c.access_method or 'gist'} ({', '.join(elements)})"
        if c.HasField("where_clause"):
            expression += f" WHERE ({canonical_expr(c.where_clause)})"
    else:
        columns = _strings(c.keys)
        keys = list(columns)
        expression = None
    label = {"primary key": "pkey", "unique": "key", "exclusion": "excl"}[kind]
    addition = (
        None
        if kind == "primary key"
        else name_addition([*columns, *_strings(c.including)] if kind == "unique" else _key_names(keys))
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
        include=_strings(c.including),
        predicate=canonical_expr(c.where_clause) if c.HasField("where_clause") else None,
        nulls_not_distinct=c.nulls_not_distinct,
        constraint=name,
        location=r.location,
    )
    _store_constraint(r, qualname, constraint)
    _store_index(r, qualname, index)
    if kind == "primary key":
        for column in columns:
            set_column(r, qualname, column, not_null=True)
    if recurse:
        for child in _partitions_of(r, qualname):
            clone_index_to_partition(r, child, r.table(qualname), index)


# -- indexes ----------------------------------------------------------------------------------------


def _index_key(elem: pb.IndexElem, table: Table | None = None, method: str = "btree") -> str:
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


def create_index(r: Replayer, stmt: pb.IndexStmt) -> None:
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
    keys = tuple(_index_key(e, None if is_view else r.state.tables[owner], method) for e in elements)
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
    _store_index(r, owner, index)
    if stmt.relation.inh and r.table(owner).kind == "partitioned table":
        for child in _partitions_of(r, owner):
            clone_index_to_partition(r, child, r.table(owner), index)


def _store_index(r: Replayer, qualname: str, index: Index) -> None:
    table = r.table(qualname)
    r.state.tables[qualname] = evolve(table, indexes=(*table.indexes, index))
    r.add_relname(index.schema, index.name)
    r.state.index_owner[index.qualname] = qualname
    r.touch(index.qualname, qualname)


def _drop_index_entry(r: Replayer, qualname: str, name: str) -> None:
    table = r.table(qualname)
    r.state.tables[qualname] = evolve(table, indexes=tuple(i for i in table.indexes if i.name != name))
    r.drop_relname(table.schema, name)
    r.state.index_owner.pop(f"{table.schema}.{name}", None)


def drop_index(r: Replayer, qualname: str, *, missing_ok: bool) -> None:
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
    _drop_index_entry(r, owner, name)
    r.touch(owner)


def create_foreign_table(r: Replayer, stmt: pb.CreateForeignTableStmt) -> None:
    """A foreign table: its columns and constraints are written out as a table's are."""
    rv = stmt.base_stmt.relation
    qualname = f"{r.creation_schema(rv.schemaname)}.{rv.relname}"
    existed = r.relation_exists(qualname)
    create_table(r, stmt.base_stmt)
    if not existed:
        r.state.tables[qualname] = evolve(r.table(qualname), kind="foreign table")


HANDLERS: dict[str, Callable[[Replayer, Any], None]] = {
    "create_stmt": create_table,
    "create_foreign_table_stmt": create_foreign_table,
    "index_stmt": create_index,
}
