"""Replay of collations: CREATE COLLATION, DROP, RENAME and SET SCHEMA of one.

A column or domain names its collation as the catalog reports it (schema-qualified,
see Replay.collation), so a collation renamed or moved is renamed in them too.
"""

from __future__ import annotations

from typing import Any

from schemalint.model import Collation, evolve
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay, object_names, resolve_names

# CREATE COLLATION … FROM these: the only system collations whose locale replay knows
_KNOWN_SYSTEM = {"C": "C", "POSIX": "POSIX"}


def create_collation(r: Replay, stmt: pb.DefineStmt) -> None:
    names = [n.string.sval for n in stmt.defnames]
    schema = r.creation_schema(names[-2] if len(names) > 1 else "")
    qualname = f"{schema}.{names[-1]}"
    if qualname in r.state.collations:
        if stmt.if_not_exists:
            return
        raise NotReplayed(f"collation {qualname} already exists")
    options = {d.def_elem.defname.lower(): d.def_elem.arg for d in stmt.definition}
    if "from" in options:
        collation = _copy_of(r, schema, names[-1], object_names(options["from"]))
    else:
        collation = _defined(schema, names[-1], options)
    r.state.collations[qualname] = evolve(collation, location=r.location)
    r.touch(qualname)


def _text(arg: Any) -> str:
    which = arg.WhichOneof("node")
    if which == "type_name":
        return ".".join(n.string.sval for n in arg.type_name.names)
    if which == "boolean":
        return "true" if arg.boolean.boolval else "false"
    return str(arg.string.sval)


def _defined(schema: str, name: str, options: dict[str, Any]) -> Collation:
    values = {key: _text(arg) for key, arg in options.items()}
    provider = values.get("provider", "libc").lower()
    if provider not in ("libc", "icu", "builtin"):
        raise NotReplayed(f"collation provider {provider} is not replayed")
    locale = values.get("locale")
    deterministic = values.get("deterministic", "true").lower() in ("true", "on", "yes", "1")
    if provider == "libc":
        lc_collate, lc_ctype = values.get("lc_collate", locale), values.get("lc_ctype", locale)
        if lc_collate is None or lc_ctype is None:
            raise NotReplayed("parameter lc_collate (or locale) must be specified")
        return Collation(schema, name, "libc", lc_collate, lc_ctype, deterministic=deterministic)
    if locale is None:
        raise NotReplayed(f'parameter "locale" must be specified for provider {provider}')
    return Collation(schema, name, provider, locale=locale, deterministic=deterministic)  # type: ignore[arg-type]


def _copy_of(r: Replay, schema: str, name: str, source: list[str]) -> Collation:
    """CREATE COLLATION … FROM: a copy of a user collation, or of C / POSIX."""
    qualname = resolve_names(r, source, lambda q: q in r.state.collations)
    found = r.state.collations.get(qualname)
    if found is not None:
        return evolve(found, schema=schema, name=name, comment=None)
    system = _KNOWN_SYSTEM.get(source[-1]) if len(source) == 1 or source[-2] == "pg_catalog" else None
    if system is None:
        raise NotReplayed(f"collation {'.'.join(source)} is not known to replay: its locale cannot be copied")
    return Collation(schema, name, "libc", system, system)


def drop_collation(r: Replay, names: list[str], *, missing_ok: bool) -> None:
    qualname = resolve_names(r, names, lambda q: q in r.state.collations)
    if r.state.collations.pop(qualname, None) is None and not missing_ok:
        raise NotReplayed(f"collation {qualname} does not exist in the model replayed so far")


def move_collation(
    r: Replay, names: list[str], *, schema: str | None = None, name: str | None = None
) -> None:
    """RENAME TO name or SET SCHEMA schema: the collation and every column and domain that uses it."""
    s = r.state
    qualname = resolve_names(r, names, lambda q: q in s.collations)
    collation = s.collations.pop(qualname, None)
    if collation is None:
        raise NotReplayed(f"collation {qualname} does not exist in the model replayed so far")
    moved = evolve(collation, schema=schema or collation.schema, name=name or collation.name)
    s.collations[moved.qualname] = moved
    r.touch(moved.qualname)
    for table in list(s.tables.values()):
        if any(c.collation == qualname for c in table.columns):
            columns = tuple(
                evolve(c, collation=moved.qualname) if c.collation == qualname else c for c in table.columns
            )
            s.tables[table.qualname] = evolve(table, columns=columns)
    for domain in list(s.domains.values()):
        if domain.collation == qualname:
            s.domains[domain.qualname] = evolve(domain, collation=moved.qualname)
