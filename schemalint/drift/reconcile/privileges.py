"""The privilege statements of a reconciliation script: GRANT and REVOKE that make live's
privileges the declared ones, and the grants of the objects the script creates.

GRANTs are safe; a REVOKE takes access a role has in live and is labelled unsafe. Default
privileges come last, so that they change nothing the script itself creates; a default granted
is granted for the role running the script, one revoked is revoked FOR ROLE each role live has
it for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from schemalint.drift.acl_diff import DEFAULTS_WORD
from schemalint.drift.diff import Difference
from schemalint.model import BUILTIN_ACL, Acl, Model, ObjectAcl, effective_acl
from schemalint.sqlgen import default_privileges_sql, grant_sql, qname, quote_qualified, revoke_sql
from schemalint.typenorm import quote_ident

GRANTS_PHASE = 50
DEFAULTS_PHASE = 51
REVOKE_WHY = "revokes a privilege live grants: whatever uses it fails"

# (phase, key, statement, why it is unsafe or None)
Planned = tuple[int, str, str, str | None]

_TABLE_WORDS = ("table", "foreign table", "view", "materialized view")
_ON: dict[str, str] = {"sequence": "SEQUENCE", "type": "TYPE", "domain": "DOMAIN"}


def privilege_steps(d: Difference, declared: Model, live: Model) -> list[Planned]:
    """The statements of one privilege difference."""
    mine, theirs = d.declared, d.live
    if d.attribute == DEFAULTS_WORD:
        return list(_default_steps(d, declared, live))
    on, columns = _target(d.attribute or "", d.object, declared, live)
    if d.change == "missing" or (d.change == "changed" and mine.grantable):
        return [(GRANTS_PHASE, d.object, grant_sql(on, mine, columns=columns), None)]
    if d.change == "extra":
        return [(GRANTS_PHASE, d.object, revoke_sql(on, theirs, columns=columns), REVOKE_WHY)]
    why = "the grantee can no longer grant it on"
    return [(GRANTS_PHASE, d.object, revoke_sql(on, theirs, columns=columns, option_only=True), why)]


def _default_steps(d: Difference, declared: Model, live: Model) -> Iterator[Planned]:
    defaults = declared.default_privileges.get(d.object) or live.default_privileges[d.object]
    if d.change != "missing":
        in_live = live.default_privileges.get(d.object)
        for role in (in_live.roles if in_live is not None else ()) or ("",):
            text = default_privileges_sql(defaults, d.live, revoke=True, role=role)
            yield DEFAULTS_PHASE, d.object, text, REVOKE_WHY
    if d.change != "extra":
        yield DEFAULTS_PHASE, d.object, default_privileges_sql(defaults, d.declared, revoke=False), None


def _target(word: str, qualname: str, declared: Model, live: Model) -> tuple[str, tuple[str, ...]]:
    """What GRANT names the object by ("TABLE s.t", …), and the column when it is one."""
    if word == "column":
        table, _, column = qualname.rpartition(".")
        return f"TABLE {quote_qualified(table)}", (column,)
    if word in _TABLE_WORDS:
        return f"TABLE {quote_qualified(qualname)}", ()
    if word == "schema":
        return f"SCHEMA {quote_ident(qualname)}", ()
    if word in _ON:
        return f"{_ON[word]} {quote_qualified(qualname)}", ()
    function = declared.functions.get(qualname) or live.functions[qualname]
    kind = "PROCEDURE" if function.kind == "procedure" else "FUNCTION"
    return f"{kind} {qname(function.schema, function.name)}({function.identity_args})", ()


def created_steps(differences: Sequence[Difference], declared: Model) -> Iterator[Planned]:
    """The grants of the objects the script creates (missing ones, and views and functions it may
    drop and create again): what differs from the built-in default of their kind."""
    for d in differences:
        recreated = d.change == "changed" and d.kind in ("view", "function")
        if d.change == "missing" or recreated:
            yield from grants_of(d.kind, d.object, declared)


def grants_of(kind: str, qualname: str, declared: Model) -> Iterator[Planned]:
    """The grants of one declared object the script creates (a view or function re-created around
    a change too): revokes of the built-in privileges it lacks, grants of the others."""
    for on, acl_kind, acl, columns in _created(kind, qualname, declared):
        yield from _full(qualname, on, acl_kind, acl, columns)


# what a created object of a kind of difference holds: (GRANT's name of it, kind, acl, columns)
Created = tuple[str, ObjectAcl, Acl | None, tuple[str, ...]]


def _created(kind: str, qualname: str, declared: Model) -> Iterator[Created]:
    quoted = quote_qualified(qualname)
    if kind == "schema":
        yield f"SCHEMA {quote_ident(qualname)}", "schema", declared.schemas[qualname].acl, ()
    elif kind == "enum":
        yield f"TYPE {quoted}", "type", declared.enums[qualname].acl, ()
    elif kind == "domain":
        yield f"DOMAIN {quoted}", "type", declared.domains[qualname].acl, ()
    elif kind == "sequence":
        yield f"SEQUENCE {quoted}", "sequence", declared.sequences[qualname].acl, ()
    elif kind == "function":
        on, _ = _target("function", qualname, declared, declared)
        yield on, "function", declared.functions[qualname].acl, ()
    elif kind == "view":
        yield f"TABLE {quoted}", "table", declared.views[qualname].acl, ()
    elif kind == "table":
        table = declared.tables[qualname]
        yield f"TABLE {quoted}", "table", table.acl, ()
        for column in table.columns:
            yield f"TABLE {quoted}", "column", column.acl, (column.name,)
    elif kind == "column":
        name, _, column_name = qualname.rpartition(".")
        found = declared.tables[name].column(column_name) if name in declared.tables else None
        if found is not None:
            yield f"TABLE {quote_qualified(name)}", "column", found.acl, (column_name,)


def _full(key: str, on: str, kind: ObjectAcl, acl: Acl | None, columns: tuple[str, ...]) -> Iterator[Planned]:
    held = effective_acl(kind, acl)
    keys = {(g.grantee, g.privilege) for g in held}
    for grant in BUILTIN_ACL[kind]:
        if (grant.grantee, grant.privilege) not in keys:
            yield GRANTS_PHASE, key, revoke_sql(on, grant, columns=columns), None
    for grant in held:
        if grant not in BUILTIN_ACL[kind]:
            yield GRANTS_PHASE, key, grant_sql(on, grant, columns=columns), None
