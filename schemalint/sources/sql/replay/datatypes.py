"""Replay of user types: enums, domains, and composite, range and base types."""

from __future__ import annotations

from typing import Any

from schemalint.dependencies import Ref
from schemalint.exprnorm import canonical_expr
from schemalint.literals import fold_default
from schemalint.model import Domain, Enum, evolve
from schemalint.sources.sql.replay.collations import create_collation
from schemalint.sources.sql.replay.columns import domain_type
from schemalint.sources.sql.replay.functions import create_aggregate
from schemalint.sources.sql.replay.naming import choose_name
from schemalint.sources.sql.replay.nodes import OT, pb
from schemalint.sources.sql.replay.references import follow_rename, value_spelling
from schemalint.sources.sql.replay.state import NotReplayed, Replay, type_qualname
from schemalint.sources.sql.replay.viewcols import cast_domain_operands


def create_enum(r: Replay, stmt: pb.CreateEnumStmt) -> None:
    names = [n.string.sval for n in stmt.type_name]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    qualname = f"{schema}.{names[-1]}"
    r.state.enums[qualname] = Enum(
        schema, names[-1], tuple(v.string.sval for v in stmt.vals), location=r.location
    )
    r.touch(qualname)


def alter_enum(r: Replay, stmt: pb.AlterEnumStmt) -> None:
    qualname = type_qualname(r, [n.string.sval for n in stmt.type_name])
    enum = r.state.enums.get(qualname)
    if enum is None:
        raise NotReplayed(f"enum {qualname} does not exist in the model replayed so far")
    values = list(enum.values)
    if stmt.old_val:
        if stmt.old_val not in values:
            raise NotReplayed(f"enum {qualname} has no value {stmt.old_val!r}")
        follow_rename(
            r, Ref("enum_value", f"{qualname}:'{stmt.old_val}'"), value_spelling(stmt.old_val, stmt.new_val)
        )
        values[values.index(stmt.old_val)] = stmt.new_val
    elif stmt.new_val in values:
        if not stmt.skip_if_new_val_exists:
            raise NotReplayed(f"enum {qualname} already has value {stmt.new_val!r}")
        return
    elif stmt.new_val_neighbor:
        if stmt.new_val_neighbor not in values:
            raise NotReplayed(f"enum {qualname} has no value {stmt.new_val_neighbor!r}")
        position = values.index(stmt.new_val_neighbor) + (1 if stmt.new_val_is_after else 0)
        values.insert(position, stmt.new_val)
    else:
        values.append(stmt.new_val)
    r.state.enums[qualname] = evolve(enum, values=tuple(values))
    r.touch(qualname)


def create_domain(r: Replay, stmt: pb.CreateDomainStmt) -> None:
    names = [n.string.sval for n in stmt.domainname]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    name = names[-1]
    domain = Domain(schema, name, r.canonical_type(stmt.type_name), location=r.location)
    if stmt.coll_clause.collname:
        domain = evolve(domain, collation=r.collation([n.string.sval for n in stmt.coll_clause.collname]))
    for node in stmt.constraints:
        domain = _domain_constraint(r, domain, node.constraint)
    r.state.domains[domain.qualname] = domain
    r.touch(domain.qualname)


def _domain_constraint(r: Replay, domain: Domain, c: pb.Constraint) -> Domain:
    C = pb.ConstrType
    if c.contype == C.CONSTR_NOTNULL:
        return evolve(domain, not_null=True)
    if c.contype == C.CONSTR_NULL:
        return evolve(domain, not_null=False)
    if c.contype == C.CONSTR_DEFAULT:
        return evolve(domain, default=fold_default(canonical_expr(c.raw_expr), domain.type, r.time_zone))
    if c.contype == C.CONSTR_CHECK:
        taken = {n for n, _ in domain.checks}
        name = c.conname or choose_name(domain.name, None, "check", lambda n: n in taken)
        check = c.raw_expr
        base = domain_type(r, domain.type)
        if base is not None:  # a domain over a domain: VALUE is of that domain's type
            check = pb.Node()
            check.CopyFrom(c.raw_expr)
            cast_domain_operands(check, lambda ref: base if _is_value(ref) else None)
        return evolve(domain, checks=tuple(sorted((*domain.checks, (name, canonical_expr(check))))))
    raise NotReplayed(f"domain constraint {C.Name(c.contype)} is not replayed")


def _is_value(ref: pb.ColumnRef) -> bool:
    return [f.string.sval for f in ref.fields] == ["value"]


def alter_domain(r: Replay, stmt: pb.AlterDomainStmt) -> None:
    qualname = type_qualname(r, [n.string.sval for n in stmt.type_name])
    domain = r.state.domains.get(qualname)
    if domain is None:
        raise NotReplayed(f"domain {qualname} does not exist in the model replayed so far")
    kind = stmt.subtype
    if kind == "T":
        default = canonical_expr(getattr(stmt, "def")) if stmt.HasField("def") else None
        domain = evolve(domain, default=fold_default(default, domain.type, r.time_zone))
    elif kind in ("N", "O"):
        domain = evolve(domain, not_null=kind == "O")
    elif kind == "C":
        domain = _domain_constraint(r, domain, getattr(stmt, "def").constraint)
    elif kind == "X":
        domain = evolve(domain, checks=tuple(c for c in domain.checks if c[0] != stmt.name))
    elif kind != "V":
        raise NotReplayed(f"ALTER DOMAIN {kind} is not replayed")
    r.state.domains[qualname] = domain
    r.touch(qualname)


def other_type(r: Replay, stmt: Any) -> None:
    """Composite, range and base types: not model objects, but their names must resolve."""
    if isinstance(stmt, pb.CompositeTypeStmt):
        names = (
            [stmt.typevar.schemaname, stmt.typevar.relname]
            if stmt.typevar.schemaname
            else [stmt.typevar.relname]
        )
    elif isinstance(stmt, pb.CreateRangeStmt):
        names = [n.string.sval for n in stmt.type_name]
    else:  # DefineStmt
        if stmt.kind == OT.OBJECT_AGGREGATE:
            create_aggregate(r, stmt)
            return
        if stmt.kind == OT.OBJECT_COLLATION:
            create_collation(r, stmt)
            return
        if stmt.kind not in (OT.OBJECT_TYPE,):
            return
        names = [n.string.sval for n in stmt.defnames]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    r.state.other_types.add(f"{schema}.{names[-1]}")
    r.add_relname(schema, names[-1])
