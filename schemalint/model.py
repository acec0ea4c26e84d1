"""The schema model: every source of schema becomes one of these.

Frozen, slotted dataclasses. Types, defaults and expressions hold one
canonical spelling (see typenorm and exprnorm), so that a model replayed from
SQL and a model read from the catalog compare equal when the schemas are
equal. Objects read from files carry a Location; objects read from a database
carry none. This module imports nothing of ours.
"""

from __future__ import annotations

import pickle
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

ConstraintKind = Literal["primary key", "unique", "foreign key", "check", "exclusion"]
FkAction = Literal["no action", "restrict", "cascade", "set null", "set default"]
Persistence = Literal["permanent", "unlogged", "temporary"]
TableKind = Literal["table", "partitioned table", "foreign table"]
Volatility = Literal["immutable", "stable", "volatile"]
PolicyCommand = Literal["all", "select", "insert", "update", "delete"]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where an object or statement was written; all positions 1-based."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


_T = TypeVar("_T")
_EVOLVERS: dict[type, Any] = {}


def _evolver(cls: type) -> Any:
    """A copy function written out for one class: no loop, no per-field lookups by name."""
    names = [f.name for f in fields(cls)]
    lines = ["def evolve(obj, changes):", "    new = new_object(cls)"]
    for name in names:
        value = f"changes.pop({name!r}) if {name!r} in changes else obj.{name}"
        lines.append(f"    set_attr(new, {name!r}, {value})")
    lines += [
        "    if changes:",
        "        raise TypeError(f'{cls.__name__} has no field(s) {sorted(changes)}')",
        "    return new",
    ]
    namespace: dict[str, Any] = {"new_object": object.__new__, "set_attr": object.__setattr__, "cls": cls}
    exec("\n".join(lines), namespace)
    return namespace["evolve"]


def evolve(obj: _T, **changes: Any) -> _T:
    """A copy of a frozen model object with some fields changed.

    The same as dataclasses.replace without re-running __init__: replay changes
    objects tens of thousands of times and this is several times faster.
    """
    cls = type(obj)
    function = _EVOLVERS.get(cls)
    if function is None:
        function = _EVOLVERS[cls] = _evolver(cls)
    result: _T = function(obj, changes)
    return result


def qualify(schema: str, name: str) -> str:
    """The qualified name used as a key everywhere: schema.name, unquoted."""
    return f"{schema}.{name}"


ObjectAcl = Literal["table", "sequence", "function", "type", "schema", "column"]
DefaultsOn = Literal["tables", "sequences", "functions", "types", "schemas"]


@dataclass(frozen=True, slots=True, order=True)
class Grant:
    """One privilege granted to one role on an object: what ``aclexplode`` shows, less the grantor.

    ``grantee`` is a role name, ``public`` for PUBLIC; ``privilege`` is upper case (SELECT,
    EXECUTE, …). An object's ``acl`` is None when it has PostgreSQL's built-in default
    (``BUILTIN_ACL``); otherwise the sorted tuple of its grants. Grants to the object's owner are
    never held: owners differ between environments (migrations run as a deploy role)."""

    grantee: str
    privilege: str
    grantable: bool = False
    location: Location | None = field(default=None, compare=False)

    def __str__(self) -> str:
        grantee = "PUBLIC" if self.grantee == "public" else self.grantee
        option = " WITH GRANT OPTION" if self.grantable else ""
        return f"{self.privilege} to {grantee}{option}"


Acl = tuple[Grant, ...]

# the privileges PostgreSQL gives to roles other than the owner when an object's acl is NULL
BUILTIN_ACL: dict[str, Acl] = {
    "table": (),
    "sequence": (),
    "column": (),
    "schema": (),
    "function": (Grant("public", "EXECUTE"),),
    "type": (Grant("public", "USAGE"),),
}


def canonical_acl(kind: ObjectAcl, grants: Collection[Grant]) -> Acl | None:
    """The acl both sides store: sorted, one grant per (grantee, privilege), None when it is the
    built-in default of the kind (so a NULL acl and its explicit spelling compare equal)."""
    best: dict[tuple[str, str], Grant] = {}
    for grant in grants:
        key = (grant.grantee, grant.privilege)
        if key not in best or (grant.grantable and not best[key].grantable):
            best[key] = grant
    acl = tuple(sorted(best.values()))
    return None if acl == BUILTIN_ACL[kind] else acl


def effective_acl(kind: ObjectAcl, acl: Acl | None) -> Acl:
    """The grants an object has: its acl, or the built-in default when that is None."""
    return BUILTIN_ACL[kind] if acl is None else acl


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    not_null: bool = False
    default: str | None = None
    identity: Literal["always", "by default"] | None = None
    generated: str | None = None
    collation: str | None = None
    # inheritance children only (not partitions, whose columns are always the parent's): whether the
    # table declares the column itself (attislocal), and from how many parents it has it (attinhcount)
    local: bool = True
    inherited: int = 0
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A table constraint. Fields that do not apply to the kind stay empty."""

    name: str
    kind: ConstraintKind
    columns: tuple[str, ...] = ()
    # foreign keys
    ref_table: str | None = None  # qualified name of the referenced table
    ref_columns: tuple[str, ...] = ()
    on_delete: FkAction = "no action"
    on_update: FkAction = "no action"
    match_full: bool = False
    # check constraints: the canonical expression; exclusion: the canonical definition
    expression: str | None = None
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True
    no_inherit: bool = False
    nulls_not_distinct: bool = False
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Index:
    schema: str
    name: str
    table: str  # unqualified; the index lives in the table's schema
    keys: tuple[str, ...]  # column names, or canonical expressions, with opclass/order suffixes
    unique: bool = False
    method: str = "btree"
    include: tuple[str, ...] = ()
    predicate: str | None = None
    nulls_not_distinct: bool = False
    constraint: str | None = None  # the constraint this index backs, if any
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    timing: Literal["before", "after", "instead of"]
    events: tuple[str, ...]  # insert, update, delete, truncate (sorted)
    level: Literal["row", "statement"]
    function: str  # qualified function name
    arguments: tuple[str, ...] = ()
    update_columns: tuple[str, ...] = ()
    when: str | None = None
    constraint: bool = False
    enabled: Literal["origin", "disabled", "replica", "always"] = "origin"
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    command: PolicyCommand = "all"
    permissive: bool = True
    roles: tuple[str, ...] = ("public",)  # sorted
    using: str | None = None
    with_check: str | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    policies: tuple[Policy, ...] = ()
    kind: TableKind = "table"
    persistence: Persistence = "permanent"
    rls_enabled: bool = False
    rls_forced: bool = False
    partition_key: str | None = None  # e.g. "RANGE (created_at)"
    partition_of: str | None = None  # qualified parent name
    partition_bound: str | None = None  # e.g. "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    inherits: tuple[str, ...] = ()  # qualified parent names, in order
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)

    @property
    def qualname(self) -> str:
        return qualify(self.schema, self.name)

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None

    @property
    def primary_key(self) -> Constraint | None:
        for constraint in self.constraints:
            if constraint.kind == "primary key":
                return constraint
        return None

    @property
    def foreign_keys(self) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.kind == "foreign key")


@dataclass(frozen=True, slots=True)
class Enum:
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)

    @property
    def qualname(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Domain:
    schema: str
    name: str
    type: str
    not_null: bool = False
    default: str | None = None
    checks: tuple[tuple[str, str], ...] = ()  # (constraint name, canonical expression), sorted
    collation: str | None = None
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)

    @property
    def qualname(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class View:
    schema: str
    name: str
    definition: str  # canonical query text
    materialized: bool = False
    columns: tuple[str, ...] = ()  # output column names when known
    indexes: tuple[Index, ...] = ()  # materialized views only
    triggers: tuple[Trigger, ...] = ()  # views only: INSTEAD OF triggers (and statement triggers)
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)

    @property
    def qualname(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Function:
    schema: str
    name: str
    identity_args: str  # canonical argument types, e.g. "integer, text"
    returns: str
    language: str
    kind: Literal["function", "procedure", "aggregate", "window"] = "function"
    volatility: Volatility = "volatile"
    security_definer: bool = False
    strict: bool = False
    config: tuple[str, ...] = ()  # "search_path=public", sorted
    body: str | None = None
    # every argument as pg_get_function_arguments prints it, defaults canonical:
    # "a integer, OUT b text, c text DEFAULT 'x'::text"
    arguments: str = ""
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)

    @property
    def qualname(self) -> str:
        return f"{qualify(self.schema, self.name)}({self.identity_args})"


@dataclass(frozen=True, slots=True)
class Sequence:
    schema: str
    name: str
    type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int | None = None  # None = the type's default
    max_value: int | None = None
    cache: int = 1
    cycle: bool = False
    owned_by: str | None = None  # "schema.table.column"
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)

    @property
    def qualname(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Extension:
    name: str
    schema: str
    # None: not declared (CREATE EXTENSION without VERSION installs the default version, which
    # files cannot know): a version is compared only when both sides have one
    version: str | None = None
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Collation:
    """CREATE COLLATION: libc has lc_collate and lc_ctype, icu and builtin a locale."""

    schema: str
    name: str
    provider: Literal["libc", "icu", "builtin"] = "libc"
    lc_collate: str | None = None
    lc_ctype: str | None = None
    locale: str | None = None
    deterministic: bool = True
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return qualify(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    comment: str | None = None
    location: Location | None = field(default=None, compare=False)
    acl: Acl | None = None  # None: the built-in default (see Grant)

    @property
    def qualname(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class DefaultPrivileges:
    """ALTER DEFAULT PRIVILEGES: what objects of a kind get when they are created, in one schema
    (``schema``) or in every schema (``schema`` empty: then ``grants`` replace the built-in
    default, as in pg_default_acl). The defaults of every role are merged: which role runs
    migrations differs between environments. ``roles`` (not compared) are the roles whose
    defaults these are, when read from a live database: a reconciliation revokes FOR ROLE them."""

    schema: str
    on: DefaultsOn
    grants: Acl = ()
    roles: tuple[str, ...] = field(default=(), compare=False)
    location: Location | None = field(default=None, compare=False)

    @property
    def qualname(self) -> str:
        return default_privileges_key(self.schema, self.on)


# the kind of object defaults ON tables, sequences, … apply to
DEFAULTS_KIND: dict[str, ObjectAcl] = {
    "tables": "table",
    "sequences": "sequence",
    "functions": "function",
    "types": "type",
    "schemas": "schema",
}


def defaults_base(schema: str, on: str) -> Acl:
    """What objects get without default privileges: the built-in default for the defaults of every
    schema (which replace it), nothing for one schema's (which add to it)."""
    return BUILTIN_ACL[DEFAULTS_KIND[on]] if not schema else ()


def default_privileges_key(schema: str, on: str) -> str:
    """``tables in schema public``, or ``tables`` for the defaults of every schema."""
    return f"{on} in schema {schema}" if schema else on


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """Facts only a live server knows; empty for models read from files."""

    server_version: str | None = None
    encoding: str | None = None
    timezone: str | None = None
    database: str | None = None
    # the owner of each object that holds privileges (qualname -> role): no grant to an object's
    # owner is compared, a declared one included (see Grant)
    owners: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Model:
    """A whole schema. Every mapping is keyed by the object's qualname."""

    schemas: Mapping[str, Schema] = field(default_factory=dict)
    tables: Mapping[str, Table] = field(default_factory=dict)
    enums: Mapping[str, Enum] = field(default_factory=dict)
    domains: Mapping[str, Domain] = field(default_factory=dict)
    views: Mapping[str, View] = field(default_factory=dict)
    functions: Mapping[str, Function] = field(default_factory=dict)
    sequences: Mapping[str, Sequence] = field(default_factory=dict)
    extensions: Mapping[str, Extension] = field(default_factory=dict)
    default_privileges: Mapping[str, DefaultPrivileges] = field(default_factory=dict)
    collations: Mapping[str, Collation] = field(default_factory=dict)
    database: DatabaseInfo = field(default_factory=DatabaseInfo)

    def table(self, qualname: str) -> Table | None:
        return self.tables.get(qualname)

    def restricted(self, schemas: Collection[str] = (), exclude: Collection[str] = ()) -> Model:
        """The model with only the objects of ``schemas`` (all when empty), less ``exclude``."""
        if not schemas and not exclude:
            return self

        def keep(value: Any) -> bool:
            schema = _schema_of(value)
            return schema is None or ((not schemas or schema in schemas) and schema not in exclude)

        kept: dict[str, Any] = {
            name: {k: v for k, v in getattr(self, name).items() if keep(v)} for name in OBJECT_MAPPINGS
        }
        return Model(**kept, database=self.database)

    def per_schema(self, schemas: Collection[str]) -> dict[str, Model]:
        """``restricted((schema,))`` for each of ``schemas``, in one pass over the objects (1,000
        tenant schemas: one pass, not 1,000)."""
        parts: dict[str, dict[str, dict[str, Any]]] = {s: {n: {} for n in OBJECT_MAPPINGS} for s in schemas}
        for name in OBJECT_MAPPINGS:
            for qualname, value in getattr(self, name).items():
                schema = _schema_of(value)
                if schema is None:
                    for part in parts.values():
                        part[name][qualname] = value
                elif schema in parts:
                    parts[schema][name][qualname] = value
        return {s: Model(**part, database=self.database) for s, part in parts.items()}

    def object_count(self) -> int:
        per_table = sum(table_parts(t) for t in self.tables.values())
        return per_table + sum(len(getattr(self, name)) for name in OBJECT_MAPPINGS)


def table_parts(table: Table) -> int:
    """A table's columns, constraints, indexes, triggers and policies: what object_count counts
    of it besides itself."""
    return (
        len(table.columns)
        + len(table.constraints)
        + len(table.indexes)
        + len(table.triggers)
        + len(table.policies)
    )


def _schema_of(value: Any) -> str | None:
    """The schema an object is in (a schema's own name); None for default privileges of every
    schema, which go with any schema."""
    if isinstance(value, Schema):
        return value.name
    if isinstance(value, DefaultPrivileges) and not value.schema:
        return None
    return str(value.schema)


# the Model fields that map qualnames to objects (schemas, tables, …, extensions), in their order
OBJECT_MAPPINGS: tuple[str, ...] = tuple(f.name for f in fields(Model) if f.name != "database")


def object_locations(model: Model) -> dict[str, Location]:
    """Where each object of a model read whole (a dump) was declared, keyed as replay keys its
    origins: qualnames, and ``table.part`` for a table's columns, constraints, triggers and
    policies (an index by its own qualname)."""
    found: dict[str, Location] = {}
    for name in OBJECT_MAPPINGS:
        for qualname, value in getattr(model, name).items():
            if getattr(value, "location", None) is not None:
                found[qualname] = value.location
    for qualname, table in model.tables.items():
        parts: tuple[Column | Constraint | Trigger | Policy, ...] = (
            *table.columns,
            *table.constraints,
            *table.triggers,
            *table.policies,
        )
        for part in parts:
            if part.location is not None:
                found[f"{qualname}.{part.name}"] = part.location
        for index in table.indexes:
            if index.location is not None:
                found[index.qualname] = index.location
    return found


class Packed:
    """An object kept as the bytes of its pickle until it is first read (a state the cache kept:
    a pre-commit reads back thousands of tables and looks at a few)."""

    __slots__ = ("data", "keys", "parts")

    def __init__(self, data: bytes, parts: int = 0, keys: Collection[str] | None = None) -> None:
        self.data = data
        self.parts = parts  # a table's table_parts(), for object counts that load nothing
        # a mapping's keys, each between newlines (one string loads at once; 20,000 strings do not)
        self.keys = None if keys is None else "\n" + "\n".join(keys) + "\n"

    def may_hold(self, key: str) -> bool:
        """Whether a packed mapping may hold the key (surely not when False), without loading it."""
        return self.keys is None or f"\n{key}\n" in self.keys

    def load(self) -> Any:
        return pickle.loads(self.data)
