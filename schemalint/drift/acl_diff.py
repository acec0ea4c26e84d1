"""The privileges of two models compared: one difference per grant (grantee, privilege) that one
side has and the other lacks, or holds with another grant option.

Only objects on both sides are compared (an object on one side only is one difference of its
own kind, and a reconciliation that creates it grants what is declared). Both sides hold what
model.Grant says: no grant to an owner, a built-in default as None. Default privileges
(ALTER DEFAULT PRIVILEGES) are compared per schema and kind of object.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from schemalint.model import Acl, Grant, Location, Model, ObjectAcl, defaults_base, effective_acl

# (object, change, attribute: what the object is, declared grant, live grant, location)
AclDifference = tuple[str, str, str, Grant | None, Grant | None, Location | None]

DEFAULTS_WORD = "default privileges on"


def acl_differences(declared: Model, live: Model) -> Iterator[AclDifference]:
    """Every privilege that differs between objects present in both models, object by object. A
    declared grant to the role that owns the object in live is not compared: the owner holds every
    privilege, and the catalog's grants to it are not held either."""
    owners = live.database.owners
    for qualname, schema in _both(declared.schemas, live.schemas):
        yield from _grants(qualname, "schema", "schema", schema, live.schemas[qualname], owners)
    for qualname, enum in _both(declared.enums, live.enums):
        yield from _grants(qualname, "type", "type", enum, live.enums[qualname], owners)
    for qualname, domain in _both(declared.domains, live.domains):
        yield from _grants(qualname, "domain", "type", domain, live.domains[qualname], owners)
    for qualname, sequence in _both(declared.sequences, live.sequences):
        yield from _grants(qualname, "sequence", "sequence", sequence, live.sequences[qualname], owners)
    for qualname, function in _both(declared.functions, live.functions):
        yield from _grants(qualname, function.kind, "function", function, live.functions[qualname], owners)
    for qualname, table in _both(declared.tables, live.tables):
        other = live.tables[qualname]
        word = "foreign table" if table.kind == "foreign table" else "table"
        yield from _grants(qualname, word, "table", table, other, owners)
        theirs = {column.name: column for column in other.columns}
        for column in table.columns:
            if column.name in theirs:
                where = column.location or table.location
                on_column = _compare(column.acl, theirs[column.name].acl, "column", owners.get(qualname))
                for change, mine, their in on_column:
                    at = mine.location if mine is not None and mine.location else where
                    yield f"{qualname}.{column.name}", change, "column", mine, their, at
    for qualname, view in _both(declared.views, live.views):
        word = "materialized view" if view.materialized else "view"
        yield from _grants(qualname, word, "table", view, live.views[qualname], owners)
    for qualname in sorted(declared.default_privileges.keys() | live.default_privileges.keys()):
        d_entry, l_entry = declared.default_privileges.get(qualname), live.default_privileges.get(qualname)
        some = d_entry or l_entry
        assert some is not None
        base = defaults_base(some.schema, some.on)
        location = d_entry.location if d_entry is not None else None
        for change, a, b in _pairs(d_entry.grants if d_entry else base, l_entry.grants if l_entry else base):
            yield qualname, change, DEFAULTS_WORD, a, b, (a.location if a else None) or location


def _both(declared: Mapping[str, Any], live: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(qualname, obj) for qualname, obj in sorted(declared.items()) if qualname in live]


def _grants(
    qualname: str, word: str, kind: ObjectAcl, mine: Any, theirs: Any, owners: Mapping[str, str]
) -> Iterator[AclDifference]:
    for change, declared, live in _compare(mine.acl, theirs.acl, kind, owners.get(qualname)):
        location = declared.location if declared is not None and declared.location else mine.location
        yield qualname, change, word, declared, live, location


Pair = tuple[str, Grant | None, Grant | None]


def _compare(declared: Acl | None, live: Acl | None, kind: ObjectAcl, owner: str | None) -> list[Pair]:
    if declared == live:
        return []
    mine = tuple(g for g in effective_acl(kind, declared) if g.grantee != owner)
    return list(_pairs(mine, effective_acl(kind, live)))


def _pairs(declared: Acl, live: Acl) -> Iterator[Pair]:
    """("missing" | "extra" | "changed", declared grant, live grant) per (grantee, privilege)."""
    mine = {(g.grantee, g.privilege): g for g in declared}
    theirs = {(g.grantee, g.privilege): g for g in live}
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key), theirs.get(key)
        if b is None:
            yield "missing", a, None
        elif a is None:
            yield "extra", None, b
        elif a.grantable != b.grantable:
            yield "changed", a, b
