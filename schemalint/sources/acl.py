"""Privileges read from the catalog (queries/privileges.sql, default_privileges.sql) put on a Model.

What is held (see model.Grant): the grants to roles other than the owner, without the grantor;
an ACL equal to the built-in default is None, as for a NULL ACL. MAINTAIN (PostgreSQL 17) is
left out: a replayed GRANT ALL cannot know whether the server has it. Default privileges of
every role are merged (model.DefaultPrivileges), and kept with the roles they belong to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from schemalint.model import (
    DefaultPrivileges,
    DefaultsOn,
    Grant,
    Model,
    ObjectAcl,
    canonical_acl,
    defaults_base,
    evolve,
)

Row = tuple[Any, ...]

# pg_default_acl.defaclobjtype -> ALTER DEFAULT PRIVILEGES … ON <word>
_DEFAULTS_ON: dict[str, DefaultsOn] = {
    "r": "tables",
    "S": "sequences",
    "f": "functions",
    "T": "types",
    "n": "schemas",
}


def with_privileges(model: Model, rows: Iterable[Row], default_rows: Iterable[Row]) -> Model:
    """The model with the ACLs of privileges.sql's rows and the defaults of default_privileges.sql's."""
    grants: dict[tuple[str, str, str | None], list[Grant]] = defaultdict(list)
    for kind, name, column, grantee, privilege, grantable in rows:
        found = grants[(kind, name, column)]
        if grantee is not None:
            found.append(Grant(grantee, privilege, grantable))
    if not grants and not default_rows:
        return model
    changes: dict[str, Any] = {
        "tables": _relations(model.tables, grants, with_columns=True),
        "views": _relations(model.views, grants, with_columns=False),
        "sequences": _simple(model.sequences, grants, "sequence"),
        "functions": _simple(model.functions, grants, "function"),
        "schemas": _simple(model.schemas, grants, "schema"),
        "enums": _simple(model.enums, grants, "type"),
        "domains": _simple(model.domains, grants, "type"),
        "default_privileges": _defaults(default_rows),
    }
    return evolve(model, **changes)


def _simple(objects: Any, grants: dict[tuple[str, str, str | None], list[Grant]], kind: ObjectAcl) -> Any:
    out = dict(objects)
    for qualname, obj in objects.items():
        found = grants.get((kind, qualname, None))
        if found is not None:
            out[qualname] = evolve(obj, acl=canonical_acl(kind, found))
    return out


def _relations(
    objects: Any, grants: dict[tuple[str, str, str | None], list[Grant]], *, with_columns: bool
) -> Any:
    out = dict(objects)
    for qualname, obj in objects.items():
        found = grants.get(("table", qualname, None))
        changed = obj if found is None else evolve(obj, acl=canonical_acl("table", found))
        if with_columns:
            columns = tuple(
                column
                if (on_column := grants.get(("column", qualname, column.name))) is None
                else evolve(column, acl=canonical_acl("column", on_column))
                for column in obj.columns
            )
            if columns != obj.columns:
                changed = evolve(changed, columns=columns)
        out[qualname] = changed
    return out


def _defaults(rows: Iterable[Row]) -> dict[str, DefaultPrivileges]:
    merged: dict[tuple[str, str], dict[tuple[str, str], Grant]] = defaultdict(dict)
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for schema, objtype, role, grantee, privilege, grantable in rows:
        if objtype not in _DEFAULTS_ON:
            continue  # large objects (PostgreSQL 18): not in the model
        key = (schema, objtype)
        roles[key].add(role)
        held = merged[key]
        if grantee is not None and ((grantee, privilege) not in held or grantable):
            held[(grantee, privilege)] = Grant(grantee, privilege, grantable)
    out: dict[str, DefaultPrivileges] = {}
    for (schema, objtype), held in merged.items():
        on = _DEFAULTS_ON[objtype]
        grants = tuple(sorted(held.values()))
        if grants == defaults_base(schema, on):
            continue  # what an object gets without these defaults
        entry = DefaultPrivileges(schema, on, grants, roles=tuple(sorted(roles[(schema, objtype)])))
        out[entry.qualname] = entry
    return dict(sorted(out.items()))
