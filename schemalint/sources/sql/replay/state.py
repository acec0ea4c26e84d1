"""The state of a replay and how names resolve in it; it knows no handlers.

``State`` holds the model being built, as dictionaries of frozen objects keyed by
qualname, each recording its changes in a journal so that a refused statement is
undone. ``Replay`` is what handlers are given: the state, the session's settings
(search_path, TimeZone), name resolution, the relation and constraint names taken
per schema, where each object was last changed and where each fact of it was established, and
``handler(kind)`` for a
statement nested in another (a CREATE SCHEMA element, a statement of a DO block).
Handlers raise ``NotReplayed`` (not applied; the message says why) or ``Refused``
(PostgreSQL refuses it, and nothing of it stays).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from schemalint.model import (
    OBJECT_MAPPINGS,
    Collation,
    DefaultPrivileges,
    Domain,
    Enum,
    Extension,
    Function,
    Grant,
    Location,
    Model,
    Packed,
    Schema,
    Table,
    View,
    table_parts,
)
from schemalint.model import Sequence as SequenceObject
from schemalint.sources.sql.replay.journal import Journal, JournalDict, JournalSet, PackedDict
from schemalint.statements import Statement
from schemalint.typenorm import canonical_type

# statements that cannot change any object kind of the model
NO_SCHEMA_EFFECT = frozenset(
    """insert_stmt update_stmt delete_stmt merge_stmt grant_role_stmt alter_owner_stmt
    transaction_stmt variable_show_stmt copy_stmt lock_stmt
    vacuum_stmt explain_stmt notify_stmt listen_stmt unlisten_stmt truncate_stmt call_stmt check_point_stmt
    discard_stmt create_role_stmt alter_role_stmt alter_role_set_stmt drop_role_stmt reassign_owned_stmt
    refresh_mat_view_stmt cluster_stmt reindex_stmt sec_label_stmt load_stmt prepare_stmt execute_stmt
    deallocate_stmt declare_cursor_stmt fetch_stmt close_portal_stmt alter_system_stmt create_publication_stmt
    alter_publication_stmt create_subscription_stmt alter_subscription_stmt drop_subscription_stmt
    create_cast_stmt create_conversion_stmt create_op_class_stmt create_op_family_stmt alter_op_family_stmt
    create_fdw_stmt alter_fdw_stmt create_foreign_server_stmt alter_foreign_server_stmt
    create_user_mapping_stmt alter_user_mapping_stmt drop_user_mapping_stmt create_event_trig_stmt
    alter_event_trig_stmt rule_stmt create_plang_stmt create_transform_stmt create_am_stmt create_stats_stmt
    alter_stats_stmt alter_table_space_options_stmt create_table_space_stmt drop_table_space_stmt
    createdb_stmt alter_database_stmt alter_database_set_stmt alter_database_refresh_coll_stmt dropdb_stmt
    alter_collation_stmt alter_ts_dictionary_stmt alter_ts_configuration_stmt constraints_set_stmt
    alter_extension_contents_stmt alter_type_stmt alter_operator_stmt
    drop_owned_stmt import_foreign_schema_stmt""".split()
)


# types that extensions create, so that a column of such a type is qualified with the extension's schema
EXTENSION_TYPES = {
    "citext": "citext",
    "hstore": "hstore",
    "ltree": "ltree",
    "lquery": "ltree",
    "ltxtquery": "ltree",
    "cube": "cube",
    "earth": "earthdistance",
    "seg": "seg",
    "isbn": "isn",
    "isbn13": "isn",
    "issn": "isn",
    "issn13": "isn",
    "ean13": "isn",
    "upc": "isn",
    "ismn": "isn",
    "ismn13": "isn",
    "geometry": "postgis",
    "geography": "postgis",
    "box2d": "postgis",
    "box3d": "postgis",
    "raster": "postgis_raster",
    "vector": "vector",
    "halfvec": "vector",
    "sparsevec": "vector",
    "gtrgm": "pg_trgm",
}


class NotReplayed(Exception):
    """Raised by a handler: the statement is not (fully) applied; the message says why."""


class Refused(NotReplayed):
    """Raised by a handler: PostgreSQL refuses the statement, with this error (its own words), and
    the statement has no effect: what the handler changed before it found out is undone."""


@dataclass
class State:
    """The mutable state of a replay: frozen objects in dictionaries keyed by qualname. Every
    dictionary and set records its changes in ``journal``, so that a refused statement is undone."""

    journal: Journal = field(default_factory=Journal)

    # a new database has the schema public, with the comment initdb gives it and, since
    # PostgreSQL 15, USAGE (not CREATE) for PUBLIC
    schemas: dict[str, Schema] = field(
        default_factory=lambda: {
            "public": Schema("public", comment="standard public schema", acl=(Grant("public", "USAGE"),))
        }
    )
    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    domains: dict[str, Domain] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    sequences: dict[str, SequenceObject] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    default_privileges: dict[str, DefaultPrivileges] = field(default_factory=dict)
    # ALTER DEFAULT PRIVILEGES per (role, schema, kind): role "" is the role running the migrations
    # (no FOR ROLE), whose defaults replay applies to the objects created after them
    role_defaults: dict[tuple[str, str, str], tuple[Grant, ...]] = field(default_factory=dict)
    # pg_class names (tables, views, sequences, indexes, composite types) and constraint names per schema
    relnames: dict[str, set[str]] = field(default_factory=dict)
    connames: dict[str, set[str]] = field(default_factory=dict)
    # index qualname -> owning table or materialized view qualname
    index_owner: dict[str, str] = field(default_factory=dict)
    # other user types (composite, range, base) by qualname, so type names resolve
    other_types: set[str] = field(default_factory=set)
    collations: dict[str, Collation] = field(default_factory=dict)
    # tables that have partitions or inheritance children
    parents: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dict):
                setattr(self, f.name, JournalDict(self.journal, value.items()))
            elif isinstance(value, set):
                setattr(self, f.name, JournalSet(self.journal, value))

    def names(self, per_schema: dict[str, set[str]], schema: str) -> set[str]:
        """The relation or constraint names of a schema (``relnames`` or ``connames``)."""
        names = per_schema.get(schema)
        if names is None:
            names = per_schema[schema] = JournalSet(self.journal)
        return names


# a statement kind's handler: applies the statement to the replay's state, or raises NotReplayed
Handler = Callable[["Replay", Any], None]


class Replay:
    """A replay in progress, as handlers see it: the state, the session's settings, name
    resolution, and the handlers of nested statements (``handlers``: kind -> handler)."""

    def __init__(self, handlers: Mapping[str, Handler], search_path: Sequence[str] = ("public",)) -> None:
        self._handlers = handlers
        self.state = State()
        self.search_path: list[str] = list(search_path)
        # the session's TimeZone, for timestamptz literals without an offset (None: set to
        # something replay cannot read); a server's default is taken to be UTC
        self.time_zone: str | None = "UTC"
        self.statement: Statement | None = None
        self.refused = False  # whether PostgreSQL refuses the last statement applied
        self._origin: dict[str, Location] = JournalDict(self.state.journal)
        # the origins of a state restored from the cache, under those set since (``_origin``):
        # loaded when an object not changed since is looked up (a pre-commit rarely does)
        self._origin_base: dict[str, Location] | Packed | None = None
        # (qualname, aspect) -> where a fact of an object other than its existence was established
        # (its type, nullability, default, name, RLS flags) or where it ceased to exist ("dropped")
        self._facts: dict[tuple[str, str], Location] = JournalDict(self.state.journal)
        self._view: Model | None = None

    def handler(self, kind: str) -> Handler | None:
        """The handler of a statement kind, for a statement nested in the current one (a CREATE
        SCHEMA element, a statement of a DO block); None when replay has none."""
        return self._handlers.get(kind)

    def atomically(self, handler: Handler, node: Any) -> None:
        """Run a statement's handler; when PostgreSQL would refuse the statement (Refused), undo
        what the handler changed, as PostgreSQL does, and raise it on."""
        mark = self.state.journal.mark()
        try:
            handler(self, node)
        except Refused:
            self.state.journal.undo(mark)
            raise

    def new_session(self, search_path: Sequence[str] = ("public",)) -> None:
        """The settings of a new session: each migration file runs in one of its own."""
        self.search_path = list(search_path)
        self.time_zone = "UTC"

    def model(self) -> Model:
        """The current state as a Model: a read-only view that follows later statements (the lint
        engine asks for it before every statement; snapshot() is the copy that stays)."""
        if self._view is None:
            views: dict[str, Any] = {
                name: MappingProxyType(getattr(self.state, name)) for name in OBJECT_MAPPINGS
            }
            self._view = Model(**views)
        return self._view

    def object_count(self) -> int:
        """model().object_count(), without loading what the cache kept packed (PackedDict)."""
        per_table = sum(
            t.parts if isinstance(t, Packed) else table_parts(t) for t in dict.values(self.state.tables)
        )
        return per_table + sum(len(getattr(self.state, name)) for name in OBJECT_MAPPINGS)

    def snapshot(self) -> Model:
        """A copy of the current state that later statements do not change."""
        copies: dict[str, Any] = {
            name: dict(sorted(getattr(self.state, name).items())) for name in OBJECT_MAPPINGS
        }
        return Model(**copies)

    def export(self) -> tuple[dict[str, Any], dict[str, Location] | Packed, dict[tuple[str, str], Location]]:
        """The state, origins and facts as plain dictionaries and sets, between statements (the
        cache keeps them, so that a later run replays on them instead of on the files that made them).
        Origins restored and not read since stay packed."""
        state = {f.name: _plain(getattr(self.state, f.name)) for f in fields(State) if f.name != "journal"}
        base = self._origin_base
        origins = base if isinstance(base, Packed) and not self._origin else {**self._base(), **self._origin}
        return state, origins, dict(self._facts)

    def restore(
        self, exported: tuple[dict[str, Any], dict[str, Location] | Packed, dict[tuple[str, str], Location]]
    ) -> None:
        """Go on from what export() gave (before the first statement: the journal is empty)."""
        state, origins, facts = exported
        self.state = State(**state)
        for name in OBJECT_MAPPINGS:  # what the cache packed is loaded when it is read
            setattr(self.state, name, PackedDict(self.state.journal, dict.items(getattr(self.state, name))))
        for per_schema in (self.state.relnames, self.state.connames):
            for schema, names in per_schema.items():
                dict.__setitem__(per_schema, schema, JournalSet(self.state.journal, names))
        self._origin = JournalDict(self.state.journal)
        self._origin_base = origins or None
        self._facts = JournalDict(self.state.journal, facts.items())
        self._view = None

    def _base(self) -> dict[str, Location]:
        if isinstance(self._origin_base, Packed):
            self._origin_base = self._origin_base.load()
        return self._origin_base or {}  # type: ignore[return-value]

    def origin(self, qualname: str) -> Location | None:
        """Where the object was created or last changed."""
        found = self._origin.get(qualname)
        base = self._origin_base
        if found is None and base is not None:
            if isinstance(base, Packed) and not base.may_hold(qualname):
                return None  # never had an origin: nothing to load
            return self._base().get(qualname)
        return found

    @property
    def origins(self) -> Mapping[str, Location]:
        if self._origin_base is None:
            return MappingProxyType(self._origin)
        return MappingProxyType(ChainMap(self._origin, self._base()))

    def changed_origins(self) -> list[str]:
        """The objects whose origin the last statement applied set (created or changed by it, at
        it or at a part of it): its changes are in the journal until the next statement."""
        origin = self._origin
        return [key for container, key, _ in self.state.journal.entries if container is origin]

    def fact(self, qualname: str, aspect: str) -> Location | None:
        """Where an aspect of an object (``type``, ``not_null``, ``default``, ``name``,
        ``rls_enabled``, ``dropped`` …) was last established; None when it was established with the
        object itself (its model object's location says where) or never."""
        return self._facts.get((qualname, aspect))

    @property
    def facts(self) -> Mapping[tuple[str, str], Location]:
        return MappingProxyType(self._facts)

    # -- for handlers ----------------------------------------------------------------------------

    @property
    def location(self) -> Location | None:
        return self.statement.location if self.statement is not None else None

    def location_at(self, byte_location: int, length: int = 1) -> Location | None:
        """The position of a node of the current statement (a column, a constraint)."""
        return self.statement.location_of(byte_location, length) if self.statement is not None else None

    def touch(
        self,
        *qualnames: str,
        at: Location | None = None,
        aspects: Sequence[str] = (),
        renamed_from: str | None = None,
    ) -> None:
        """Record the current statement (or ``at``, a position inside it) as where these objects
        were created or last changed (an object, and the table an index or constraint is added to).

        ``aspects`` are the facts of the first object that the statement establishes (see
        ``fact``); ``renamed_from`` is the first object's former name, whose facts, and those of
        its parts (``table.column``), follow it to the new one, and which is "dropped" here."""
        location = at or self.location
        if location is None:
            return
        for qualname in qualnames:
            self._origin[qualname] = location
        if not qualnames:
            return
        if renamed_from is not None:
            self._carry_facts(renamed_from, qualnames[0])
            self._facts[(renamed_from, "dropped")] = location  # gone under its old name
        for aspect in aspects:
            self._facts[(qualnames[0], aspect)] = location

    def _carry_facts(self, old: str, new: str) -> None:
        prefix = f"{old}."
        moved = [key for key in self._facts if key[0] == old or key[0].startswith(prefix)]
        for key in moved:
            location = self._facts.pop(key)
            self._facts[(new + key[0][len(old) :], key[1])] = location

    def creation_schema(self, schema: str) -> str:
        if schema:
            return schema
        for name in self.search_path:
            if name in self.state.schemas:
                return name
        if self.search_path:
            raise NotReplayed("no schema on the search_path exists to create the object in")
        return "public"

    def resolve(self, schema: str, name: str, exists: Callable[[str], bool]) -> str:
        """The qualname of an existing object, searching the search_path when unqualified."""
        if schema:
            return f"{schema}.{name}"
        for candidate in self.search_path:
            qualname = f"{candidate}.{name}"
            if exists(qualname):
                return qualname
        return f"{self.missing_schema()}.{name}"

    def missing_schema(self) -> str:
        """The schema of an unqualified name that is no object: where it would be created, or, when
        no schema of the search_path exists, the first (the object is in none of them: DROP … IF
        EXISTS passes over it, as PostgreSQL does)."""
        schema = next((s for s in self.search_path if s in self.state.schemas), None)
        return schema or (self.search_path[0] if self.search_path else "public")

    def relation(self, rangevar: Any) -> str:
        """Qualname of the relation a RangeVar names (resolved among existing relations)."""
        return self.resolve(rangevar.schemaname, rangevar.relname, self.relation_exists)

    def relation_exists(self, qualname: str) -> bool:
        s = self.state
        return qualname in s.tables or qualname in s.views or qualname in s.sequences

    def table(self, qualname: str) -> Table:
        table = self.state.tables.get(qualname)
        if table is None:
            raise NotReplayed(f"table {qualname} does not exist in the model replayed so far")
        return table

    def type_schema(self, name: str) -> str | None:
        """The schema of a user type visible on the search_path, for typenorm."""
        s = self.state
        extension = EXTENSION_TYPES.get(name)
        if extension is not None and extension in s.extensions:
            return s.extensions[extension].schema
        for schema in self.search_path:
            qualname = f"{schema}.{name}"
            if (
                qualname in s.enums
                or qualname in s.domains
                or qualname in s.other_types
                or qualname in s.tables
            ):
                return schema
            if qualname in s.views:
                return schema
        return None

    def collation(self, names: list[str]) -> str:
        """A COLLATE name as the catalog reports it: schema-qualified unless in pg_catalog."""
        if len(names) > 1:
            return names[-1] if names[-2] == "pg_catalog" else f"{names[-2]}.{names[-1]}"
        for schema in self.search_path:
            if f"{schema}.{names[0]}" in self.state.collations:
                return f"{schema}.{names[0]}"
        return names[0]

    def canonical_type(self, type_name: Any) -> str:
        return canonical_type(type_name, self.type_schema, self._default_type_schema())

    def _default_type_schema(self) -> str:
        for name in self.search_path:
            if name in self.state.schemas:
                return name
        return "public"

    def relname_taken(self, schema: str) -> Callable[[str], bool]:
        relnames = self.state.names(self.state.relnames, schema)
        connames = self.state.names(self.state.connames, schema)
        return lambda name: name in relnames or name in connames

    def conname_taken(self, schema: str) -> Callable[[str], bool]:
        connames = self.state.names(self.state.connames, schema)
        return lambda name: name in connames

    def add_relname(self, schema: str, name: str) -> None:
        self.state.names(self.state.relnames, schema).add(name)

    def drop_relname(self, schema: str, name: str) -> None:
        self.state.relnames.get(schema, set()).discard(name)

    def add_conname(self, schema: str, name: str) -> None:
        self.state.names(self.state.connames, schema).add(name)

    def drop_conname(self, schema: str, name: str) -> None:
        self.state.connames.get(schema, set()).discard(name)


def _plain(value: Any) -> Any:
    """A state's journalled dictionary or set as a plain one (its sets of names too)."""
    if isinstance(value, dict):
        # what a restored state has not read yet stays packed (PackedDict)
        return {key: set(item) if isinstance(item, set) else item for key, item in dict.items(value)}
    return set(value)


def object_names(node: Any) -> list[str]:
    """A qualified name from a List of String nodes (or a bare String)."""
    which = node.WhichOneof("node")
    if which == "list":
        return [item.string.sval for item in node.list.items]
    if which == "string":
        return [node.string.sval]
    if which == "type_name":
        return [n.string.sval for n in node.type_name.names]
    raise NotReplayed(f"unexpected object name node {which}")


def resolve_names(r: Replay, names: list[str], exists: Callable[[str], bool]) -> str:
    if len(names) >= 2:
        return f"{names[-2]}.{names[-1]}"
    return r.resolve("", names[0], exists)


def type_qualname(r: Replay, names: list[str]) -> str:
    s = r.state
    return resolve_names(r, names, lambda q: q in s.enums or q in s.domains or q in s.other_types)


def partitions_of(r: Replay, qualname: str) -> list[str]:
    if qualname not in r.state.parents:
        return []
    return [t.qualname for t in r.state.tables.values() if t.partition_of == qualname]


def children_of(r: Replay, qualname: str) -> list[str]:
    if qualname not in r.state.parents:
        return []
    return [
        t.qualname for t in r.state.tables.values() if t.partition_of == qualname or qualname in t.inherits
    ]
