"""Replay of GRANT and REVOKE on objects and of ALTER DEFAULT PRIVILEGES.

An object's ``acl`` holds the grants to roles other than its owner (see model.Grant): a grant
to CURRENT_USER, CURRENT_ROLE or SESSION_USER is one to the role running the migrations, which
owns what it creates, and is not held. The grantor is not held either, so REVOKE … CASCADE
cannot follow grants a grantee made in turn. MAINTAIN (PostgreSQL 17) is not held: ALL means
another set of privileges on each server version. GRANT on roles, databases, languages,
tablespaces, foreign servers and large objects changes nothing the model holds.

Default privileges are kept per role; the model merges them (DefaultPrivileges). Replay
applies, to each object created after them, the defaults declared without FOR ROLE (those of
the role running the migrations), as PostgreSQL applies the creating role's; those declared
FOR ROLE another role are held and compared but applied to nothing: replay cannot know which
statements that role runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from schemalint.model import (
    BUILTIN_ACL,
    Acl,
    DefaultPrivileges,
    Grant,
    ObjectAcl,
    View,
    canonical_acl,
    default_privileges_key,
    defaults_base,
    effective_acl,
    evolve,
)
from schemalint.sources.sql.replay.functions import function_qualname
from schemalint.sources.sql.replay.nodes import ACL, OT, ROLE, pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay, object_names, type_qualname

# every privilege of a kind: what ALL grants (MAINTAIN left out, see above)
ALL_PRIVILEGES: dict[str, tuple[str, ...]] = {
    "table": ("DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"),
    "sequence": ("SELECT", "UPDATE", "USAGE"),
    "column": ("INSERT", "REFERENCES", "SELECT", "UPDATE"),
    "function": ("EXECUTE",),
    "schema": ("CREATE", "USAGE"),
    "type": ("USAGE",),
}
# ALTER DEFAULT PRIVILEGES … ON <objtype>: the word pg_default_acl keeps, and the object kind
DEFAULTS_ON: dict[int, tuple[str, ObjectAcl]] = {
    OT.OBJECT_TABLE: ("tables", "table"),
    OT.OBJECT_SEQUENCE: ("sequences", "sequence"),
    OT.OBJECT_FUNCTION: ("functions", "function"),
    OT.OBJECT_PROCEDURE: ("functions", "function"),
    OT.OBJECT_ROUTINE: ("functions", "function"),
    OT.OBJECT_TYPE: ("types", "type"),
    OT.OBJECT_SCHEMA: ("schemas", "schema"),
}
# state dictionaries whose new objects get default privileges: (dictionary, kind, ON word)
_CREATED: tuple[tuple[str, ObjectAcl, str], ...] = (
    ("tables", "table", "tables"),
    ("views", "table", "tables"),
    ("sequences", "sequence", "sequences"),
    ("functions", "function", "functions"),
    ("enums", "type", "types"),
    ("domains", "type", "types"),
    ("schemas", "schema", "schemas"),
)
_FUNCTION_KINDS = {
    OT.OBJECT_FUNCTION: ("function", "aggregate", "window"),
    OT.OBJECT_PROCEDURE: ("procedure",),
    OT.OBJECT_ROUTINE: ("function", "aggregate", "window", "procedure"),
}


class _Change:
    """One GRANT or REVOKE: which privileges (None: ALL) to or from which roles, and how."""

    def __init__(self, r: Replay, stmt: pb.GrantStmt) -> None:
        self.grant = stmt.is_grant
        self.option = stmt.grant_option  # WITH GRANT OPTION, or REVOKE GRANT OPTION FOR
        self.grantees = [name for name in (_grantee(g.role_spec) for g in stmt.grantees) if name]
        self.location = r.location
        self.privileges: list[str] | None = None
        self.columns: dict[str, list[str]] = {}  # column -> privileges
        for node in stmt.privileges:
            priv = node.access_priv
            name = priv.priv_name.upper() or "ALL"
            if priv.cols:
                for column in priv.cols:
                    self.columns.setdefault(column.string.sval, []).extend(
                        ALL_PRIVILEGES["column"] if name == "ALL" else [name]
                    )
            elif name != "ALL":
                self.privileges = [*(self.privileges or []), name]
            else:
                self.privileges = None
        if stmt.privileges and all(n.access_priv.cols for n in stmt.privileges):
            self.privileges = []  # column privileges only

    def on(self, kind: ObjectAcl) -> list[str]:
        every = ALL_PRIVILEGES[kind]
        return list(every) if self.privileges is None else [p for p in self.privileges if p in every]

    def apply(self, kind: ObjectAcl, acl: Acl | None, privileges: Iterable[str]) -> Acl | None:
        return canonical_acl(kind, self.grants(effective_acl(kind, acl), privileges))

    def grants(self, current: Iterable[Grant], privileges: Iterable[str]) -> list[Grant]:
        held = {(g.grantee, g.privilege): g for g in current}
        wanted = list(privileges)
        for grantee in self.grantees:
            for privilege in wanted:
                key = (grantee, privilege)
                old = held.get(key)
                if self.grant:
                    grantable = self.option or (old is not None and old.grantable)
                    held[key] = Grant(grantee, privilege, grantable, self.location)
                elif old is not None and self.option:
                    held[key] = evolve(old, grantable=False)
                elif old is not None:
                    del held[key]
        return list(held.values())


def _grantee(role: pb.RoleSpec) -> str | None:
    """The role name a grant is held under; None for the role running the migrations."""
    if role.roletype == ROLE.ROLESPEC_PUBLIC:
        return "public"
    if role.roletype == ROLE.ROLESPEC_CSTRING:
        return str(role.rolename)
    return None


def grant(r: Replay, stmt: pb.GrantStmt) -> None:
    """GRANT or REVOKE privileges on tables, views, sequences, columns, functions, schemas, types."""
    change = _Change(r, stmt)
    for mapping, qualname, kind in _targets(r, stmt):
        objects: Any = getattr(r.state, mapping)
        obj = objects[qualname]
        changed = evolve(obj, acl=change.apply(kind, obj.acl, change.on(kind)))
        if mapping in ("tables", "views"):
            changed = _columns(change, changed)
        objects[qualname] = changed


def _columns(change: _Change, relation: Any) -> Any:
    """Column privileges of a GRANT/REVOKE on a table or view; a REVOKE of a table privilege
    revokes it on every column too, as PostgreSQL does."""
    if isinstance(relation, View):
        if change.columns:
            raise NotReplayed(f"column privileges on view {relation.qualname} are not held by the model")
        return relation
    known = {column.name for column in relation.columns}
    unknown = sorted(set(change.columns) - known)
    if unknown:
        missing = f"{relation.qualname}.{unknown[0]}"
        raise NotReplayed(f"column {missing} does not exist in the model replayed so far")
    revoked = [] if change.grant else change.on("column")
    columns = []
    for column in relation.columns:
        privileges = [*change.columns.get(column.name, []), *revoked]
        if privileges:
            column = evolve(column, acl=change.apply("column", column.acl, privileges))
        columns.append(column)
    return evolve(relation, columns=tuple(columns))


def _targets(r: Replay, stmt: pb.GrantStmt) -> Iterator[tuple[str, str, ObjectAcl]]:
    """(state dictionary, qualname, kind) of each object a GRANT or REVOKE names."""
    s = r.state
    kind = stmt.objtype
    every = stmt.targtype == ACL.ACL_TARGET_ALL_IN_SCHEMA
    schemas = [node.string.sval for node in stmt.objects] if every else []
    for schema in schemas:
        if schema not in s.schemas:
            raise NotReplayed(f"schema {schema} does not exist in the model replayed so far")
    if kind == OT.OBJECT_TABLE and every:
        for mapping in ("tables", "views"):
            for qualname, obj in getattr(s, mapping).items():
                if obj.schema in schemas:
                    yield mapping, qualname, "table"
    elif kind == OT.OBJECT_SEQUENCE and every:
        yield from (("sequences", q, "sequence") for q, o in s.sequences.items() if o.schema in schemas)
    elif kind in (OT.OBJECT_TABLE, OT.OBJECT_SEQUENCE):
        for node in stmt.objects:
            qualname = r.relation(node.range_var)
            if qualname in s.sequences:
                yield "sequences", qualname, "sequence"
            elif qualname in s.tables and kind == OT.OBJECT_TABLE:
                yield "tables", qualname, "table"
            elif qualname in s.views and kind == OT.OBJECT_TABLE:
                yield "views", qualname, "table"
            else:  # a relation the model does not hold (a composite type) passes
                schema, _, name = qualname.partition(".")
                if name not in s.relnames.get(schema, ()):
                    raise NotReplayed(f"relation {qualname} does not exist in the model replayed so far")
    elif kind in _FUNCTION_KINDS and every:
        wanted = _FUNCTION_KINDS[kind]
        for qualname, function in s.functions.items():
            if function.schema in schemas and function.kind in wanted:
                yield "functions", qualname, "function"
    elif kind in _FUNCTION_KINDS:
        for node in stmt.objects:
            qualname = function_qualname(r, node.object_with_args)
            if qualname not in s.functions:
                raise NotReplayed(f"function {qualname} does not exist in the model replayed so far")
            yield "functions", qualname, "function"
    elif kind == OT.OBJECT_SCHEMA:
        for node in stmt.objects:
            name = node.string.sval
            if name not in s.schemas:
                raise NotReplayed(f"schema {name} does not exist in the model replayed so far")
            yield "schemas", name, "schema"
    elif kind in (OT.OBJECT_TYPE, OT.OBJECT_DOMAIN):
        for node in stmt.objects:
            qualname = type_qualname(r, object_names(node))
            if qualname in s.enums:
                yield "enums", qualname, "type"
            elif qualname in s.domains:
                yield "domains", qualname, "type"
            elif qualname not in s.other_types:  # composite, range, base types: not modelled
                raise NotReplayed(f"type {qualname} does not exist in the model replayed so far")
    # databases, languages, tablespaces, foreign data wrappers and servers, large objects,
    # parameters: nothing the model holds


def alter_default_privileges(r: Replay, stmt: pb.AlterDefaultPrivilegesStmt) -> None:
    roles, schemas = [""], [""]
    for option in stmt.options:
        items = option.def_elem.arg.list.items
        if option.def_elem.defname == "roles":
            roles = [_grantee(item.role_spec) or "" for item in items]
        elif option.def_elem.defname == "schemas":
            schemas = [item.string.sval for item in items]
    action = stmt.action
    if action.objtype not in DEFAULTS_ON:
        raise NotReplayed("ALTER DEFAULT PRIVILEGES on this kind of object is not replayed")
    on, kind = DEFAULTS_ON[action.objtype]
    change = _Change(r, action)
    s = r.state
    for schema in schemas:
        if schema and schema not in s.schemas:
            raise NotReplayed(f"schema {schema} does not exist in the model replayed so far")
        for role in roles:
            key = (role, schema, on)
            base = defaults_base(schema, on)
            grants = tuple(sorted(change.grants(s.role_defaults.get(key, base), change.on(kind))))
            if grants == base:
                s.role_defaults.pop(key, None)
            else:
                s.role_defaults[key] = grants
        _merge_defaults(r, schema, on)


def _merge_defaults(r: Replay, schema: str, on: str) -> None:
    """The model's DefaultPrivileges of a schema and kind: every role's, merged."""
    s = r.state
    qualname = default_privileges_key(schema, on)
    entries = [grants for (_, sch, what), grants in s.role_defaults.items() if (sch, what) == (schema, on)]
    if not entries:
        s.default_privileges.pop(qualname, None)
        return
    merged = {(g.grantee, g.privilege, g.grantable): g for grants in entries for g in grants}
    s.default_privileges[qualname] = DefaultPrivileges(
        schema,
        on,  # type: ignore[arg-type]
        tuple(sorted(merged.values())),
        location=r.location,
    )


def apply_default_privileges(r: Replay) -> None:
    """Give the objects the last statement created the default privileges of the role running
    the migrations (those declared without FOR ROLE), as PostgreSQL does at creation."""
    s = r.state
    if not any(role == "" for role, _, _ in s.role_defaults):
        return
    for mapping, kind, on in _CREATED:
        objects: Any = getattr(s, mapping)
        created, renamed = s.journal.created(objects)
        if renamed:
            continue
        for qualname in created:
            obj = objects[qualname]
            schema = obj.name if mapping == "schemas" else obj.schema
            everywhere = s.role_defaults.get(("", "", on), BUILTIN_ACL[kind])
            here = s.role_defaults.get(("", schema, on), ()) if mapping != "schemas" else ()
            acl = canonical_acl(kind, (*everywhere, *here))
            if acl != obj.acl:
                objects[qualname] = evolve(obj, acl=acl)
