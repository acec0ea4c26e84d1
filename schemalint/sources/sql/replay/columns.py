"""Replay of columns: a column definition's type, default, identity, generated
expression and inline constraints, and the serial sequences PostgreSQL makes for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemalint.exprnorm import canonical_expr
from schemalint.literals import fold_default
from schemalint.model import Column, Sequence, evolve
from schemalint.sources.sql.replay.naming import choose_name
from schemalint.sources.sql.replay.nodes import C, pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay
from schemalint.typenorm import SERIAL_TYPES, quote_ident, quote_qualified

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


SEQUENCE_LIMITS = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}


def add_column(
    r: Replay, qualname: str, coldef: pb.ColumnDef, *, partition: bool = False
) -> list[pb.Constraint]:
    """Add (or, for partitions, refine) a column; return its table-level constraints for later."""
    table = r.table(qualname)
    existing = table.column(coldef.colname)
    if existing is not None and not partition:
        raise NotReplayed(f"column {qualname}.{coldef.colname} already exists")
    column, later, serial = column_from_def(r, coldef, existing)
    if existing is not None:
        columns = tuple(column if c.name == column.name else c for c in table.columns)
    else:
        columns = (*table.columns, column)
    r.state.tables[qualname] = evolve(table, columns=columns)
    r.touch(f"{qualname}.{column.name}", at=column.location)
    if serial:
        serial_sequence(r, qualname, column.name, serial)
    return later


def column_from_def(
    r: Replay, coldef: pb.ColumnDef, existing: Column | None
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


def domain_type(r: Replay, column_type: str) -> str | None:
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


def serial_sequence(r: Replay, qualname: str, column: str, seq_type: str) -> None:
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
    return quote_ident(name).replace("'", "''")


def set_column(r: Replay, qualname: str, name: str, **changes: Any) -> None:
    table = r.table(qualname)
    column = table.column(name)
    if column is None:
        raise NotReplayed(f"column {qualname}.{name} does not exist in the model replayed so far")
    changed = [field for field, value in changes.items() if getattr(column, field) != value]
    if changed:
        new = evolve(column, **changes)
        r.state.tables[qualname] = evolve(
            table, columns=tuple(new if c.name == name else c for c in table.columns)
        )
    # a CREATE TABLE's own refinements (a key's NOT NULL) are part of the column's definition
    aspects = changed if table.location != r.location else ()
    r.touch(f"{qualname}.{name}", qualname, aspects=aspects)
