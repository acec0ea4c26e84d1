"""Read a live database's schema from pg_catalog into a Model.

One connection, one read-only REPEATABLE READ transaction (one snapshot), with
statement_timeout, lock_timeout and search_path = '' set locally, so that
format_type() and pg_get_expr() schema-qualify every user object. One
set-based query per object kind (queries/*.sql), filtered to the selected
schemas in SQL. Only the catalog is read: a role without any privilege on the
tables can introspect.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, cast

import psycopg
from psycopg import IsolationLevel

from schemalint import model as m
from schemalint.depscan import split_top_level
from schemalint.errors import SourceError
from schemalint.model import Model
from schemalint.sources.acl import with_privileges
from schemalint.sources.catalog_rows import collation_of, function_arguments
from schemalint.sources.dsn import display_dsn, scrub

if TYPE_CHECKING:
    import networkx as nx

MIN_SERVER_VERSION = 130000
_FK_ACTIONS: dict[str, m.FkAction] = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
}
_POLICY_COMMANDS: dict[str, m.PolicyCommand] = {
    "*": "all",
    "r": "select",
    "a": "insert",
    "w": "update",
    "d": "delete",
}
_VOLATILITY: dict[str, m.Volatility] = {"i": "immutable", "s": "stable", "v": "volatile"}
_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_PARTITION_STRATEGY = {"r": "RANGE", "l": "LIST", "h": "HASH"}
_RELKIND: dict[str, m.TableKind] = {"r": "table", "p": "partitioned table", "f": "foreign table"}
_PERSISTENCE: dict[str, m.Persistence] = {"p": "permanent", "u": "unlogged", "t": "temporary"}
_TRIGGER_ENABLED = {"O": "origin", "D": "disabled", "R": "replica", "A": "always"}
_CONSTRAINT_KINDS: dict[str, m.ConstraintKind] = {
    "p": "primary key",
    "u": "unique",
    "f": "foreign key",
    "c": "check",
    "x": "exclusion",
}
# Catalog columns that older servers lack, and what to read instead.
_BEFORE_VERSION: dict[int, tuple[tuple[str, str], ...]] = {
    170000: (("co.colllocale", "co.colliculocale"),),
    150000: (
        ("i.indnullsnotdistinct", "false"),
        ("ix.indnullsnotdistinct", "false"),
        ("co.colliculocale", "NULL::text"),
    ),
    140000: (
        (
            "CASE WHEN p.prosqlbody IS NOT NULL THEN NULL\n            ELSE p.prosrc END",
            "p.prosrc",
        ),
    ),
}

Row = tuple[Any, ...]


@cache
def _query_text(kind: str) -> str:
    return resources.files("schemalint.sources.queries").joinpath(f"{kind}.sql").read_text(encoding="utf-8")


def query(kind: str, version_num: int) -> str:
    """The catalog query for one object kind, adapted to the server version."""
    text = _query_text(kind)
    for version, replacements in _BEFORE_VERSION.items():
        if version_num < version:
            for old, new in replacements:
                text = text.replace(old, new)
    return text


def _normalizers() -> tuple[Callable[[str], str], Callable[[str], str]]:
    from schemalint import exprnorm

    return exprnorm.canonical_expr_text, exprnorm.canonical_query_text


def introspect(
    dsn: str,
    *,
    schemas: Sequence[str] = (),
    exclude_schemas: Sequence[str] = (),
    application_name: str = "schemalint",
    statement_timeout: str = "30s",
    lock_timeout: str = "5s",
    connect_timeout: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> Model:
    """Read the schema of the database at ``dsn``; raise SourceError (password masked) on failure.
    ``progress`` is told how many of the catalog's queries have been read (done, total)."""
    target = display_dsn(dsn)
    try:
        with _read_only(
            dsn,
            application_name=application_name,
            connect_timeout=connect_timeout,
            settings={
                "statement_timeout": statement_timeout,
                "lock_timeout": lock_timeout,
                "search_path": "",
            },
            snapshot=True,
        ) as cursor:
            return _read(cursor, list(schemas), list(exclude_schemas), target, progress)
    except psycopg.Error as error:
        raise SourceError(f"Cannot read the schema of {target}: {error_text(error, dsn)}") from None


@contextmanager
def _read_only(
    dsn: str, *, application_name: str, connect_timeout: int, settings: dict[str, str], snapshot: bool
) -> Iterator[psycopg.Cursor[Row]]:
    """A cursor in a read-only transaction (one REPEATABLE READ snapshot when asked) whose
    session settings (timeouts, search_path) are set for that transaction only."""
    with psycopg.connect(
        dsn, application_name=application_name, connect_timeout=connect_timeout, autocommit=False
    ) as connection:
        connection.read_only = True
        if snapshot:
            connection.isolation_level = IsolationLevel.REPEATABLE_READ
        with connection.transaction(), connection.cursor() as cursor:
            for name, value in settings.items():
                cursor.execute("SELECT pg_catalog.set_config(%s, %s, true)", (name, value))
            yield cursor


def error_text(error: psycopg.Error, dsn: str) -> str:
    """The server's or the driver's one-line reason, with the DSN's secrets and text masked."""
    primary = error.diag.message_primary if isinstance(error, psycopg.DatabaseError) else None
    return scrub(" ".join((primary or str(error)).split()) or type(error).__name__, dsn)


_READS = 17  # the queries _read runs after the first, for progress


def _read(
    cursor: psycopg.Cursor[Row],
    include: list[str],
    exclude: list[str],
    target: str,
    progress: Callable[[int, int], None] | None = None,
) -> Model:
    version_num, version, encoding, timezone, database, _ = cursor.execute(
        _query_text("database")
    ).fetchall()[0]
    if version_num < MIN_SERVER_VERSION:
        raise SourceError(f"{target} runs PostgreSQL {version}; schemalint reads PostgreSQL 13 or later")
    # timestamptz constants (defaults, partition bounds) print in the session's time zone:
    # read them in UTC, whatever the server's setting (DatabaseInfo keeps the server's)
    cursor.execute("SELECT pg_catalog.set_config('TimeZone', 'UTC', true)")

    done = 0

    def rows(kind: str, **params: Any) -> list[Row]:
        nonlocal done
        cursor.execute(query(kind, version_num).encode(), params)
        found = cursor.fetchall()
        done += 1
        if progress is not None:
            progress(min(done, _READS), _READS)
        return found

    schema_rows = rows("schemas", include=include, exclude=exclude)
    missing = sorted(set(include) - {row[1] for row in schema_rows})
    if missing:
        present = [row[1] for row in rows("schemas", include=[], exclude=[])]
        raise SourceError(
            f"Schema {', '.join(missing)} was requested, but {target} has no such schema "
            f"(it has: {', '.join(present) or 'none'})"
        )
    nsp = [row[0] for row in schema_rows]
    expr, query_text = _normalizers()

    def canon(text: str | None) -> str | None:
        return None if text is None else expr(text)

    columns: dict[int, list[m.Column]] = defaultdict(list)
    for row in rows("columns", nsp=nsp):
        relid, name, type_, not_null, default, identity, generated, collation, local, inherited = row[:10]
        columns[relid].append(
            m.Column(
                name=name,
                type=type_,
                not_null=not_null,
                default=canon(default),
                identity={"a": "always", "d": "by default"}.get(identity),  # type: ignore[arg-type]
                generated=canon(generated),
                collation=collation,
                local=local,
                inherited=inherited,
                comment=row[10],
            )
        )
    indexes = _indexes(rows("indexes", nsp=nsp), canon)
    parts: dict[str, dict[int, list[Any]]] = {
        "constraints": _constraints(rows("constraints", nsp=nsp), canon, indexes),
        "indexes": indexes,
        "triggers": _triggers(rows("triggers", nsp=nsp), canon),
        "policies": _policies(rows("policies", nsp=nsp), canon),
    }
    views = [
        m.View(
            schema=schema,
            name=name,
            definition=query_text(definition),
            materialized=materialized,
            columns=tuple(column.name for column in columns.get(oid, ())),
            indexes=tuple(parts["indexes"].get(oid, ())),
            triggers=tuple(parts["triggers"].get(oid, ())),
            comment=comment,
        )
        for oid, schema, name, materialized, definition, comment in rows("views", nsp=nsp)
    ]
    model = Model(
        schemas={row[1]: m.Schema(name=row[1], comment=row[2]) for row in schema_rows},
        tables=_keyed(_table(row, columns, parts, canon) for row in rows("tables", nsp=nsp)),
        enums=_keyed(
            m.Enum(schema=s, name=n, values=tuple(labels or ()), comment=c)
            for s, n, labels, c in rows("enums", nsp=nsp)
        ),
        domains=_keyed(_domain(row, canon) for row in rows("domains", nsp=nsp)),
        views=_keyed(views),
        functions=_keyed(_function(row, canon) for row in rows("functions", nsp=nsp)),
        sequences=_keyed(_sequence(row) for row in rows("sequences", nsp=nsp)),
        extensions=_keyed(
            m.Extension(name=n, schema=s, version=v, comment=c) for n, s, v, c in rows("extensions", nsp=nsp)
        ),
        collations=_keyed(collation_of(row) for row in rows("collations", nsp=nsp)),
        database=m.DatabaseInfo(
            server_version=version,
            encoding=encoding,
            timezone=timezone,
            database=database,
            owners={str(name): str(owner) for name, owner in rows("owners", nsp=nsp)},
        ),
    )
    return with_privileges(model, rows("privileges", nsp=nsp), rows("default_privileges", nsp=nsp))


def _table(
    row: Row, columns: dict[int, list[m.Column]], parts: dict[str, dict[int, list[Any]]], canon: Canon
) -> m.Table:
    oid, schema, name, relkind, persistence, rls, rls_forced = row[:7]
    strategy, key_columns, key_expressions, is_partition, bound, parents, comment = row[7:]
    parents = tuple(parents or ())
    return m.Table(
        schema=schema,
        name=name,
        columns=tuple(columns.get(oid, ())),
        constraints=tuple(parts["constraints"].get(oid, ())),
        indexes=tuple(parts["indexes"].get(oid, ())),
        triggers=tuple(parts["triggers"].get(oid, ())),
        policies=tuple(parts["policies"].get(oid, ())),
        kind=_RELKIND[relkind],
        persistence=_PERSISTENCE[persistence],
        rls_enabled=rls,
        rls_forced=rls_forced,
        partition_key=_partition_key(strategy, key_columns, key_expressions, canon),
        partition_of=parents[0] if is_partition and parents else None,
        partition_bound=bound,
        inherits=() if is_partition else parents,
        comment=comment,
    )


def _partition_key(
    strategy: str | None, columns: list[str | None], expressions: str | None, canon: Canon
) -> str | None:
    """RANGE (created_at), LIST ((lower(region))): column names unquoted, expressions canonical."""
    if strategy is None:
        return None
    pending = split_top_level(expressions or "")
    keys = [column if column is not None else f"({canon(pending.pop(0))})" for column in columns]
    return f"{_PARTITION_STRATEGY[strategy]} ({', '.join(keys)})"


def _policies(rows: list[Row], canon: Canon) -> dict[int, list[m.Policy]]:
    result: dict[int, list[m.Policy]] = defaultdict(list)
    for relid, name, cmd, permissive, roles, using, with_check in rows:
        result[relid].append(
            m.Policy(
                name=name,
                command=_POLICY_COMMANDS[cmd],
                permissive=permissive,
                roles=tuple(sorted(roles or ["public"])),
                using=canon(using),
                with_check=canon(with_check),
            )
        )
    return result


def _keyed(objects: Any) -> dict[str, Any]:
    return {obj.qualname: obj for obj in objects}


Canon = Callable[[str | None], str | None]


def _constraints(
    rows: list[Row], canon: Canon, indexes: dict[int, list[m.Index]]
) -> dict[int, list[m.Constraint]]:
    result: dict[int, list[m.Constraint]] = defaultdict(list)
    for row in rows:
        relid, name, kind, cols, ref_table, ref_cols, on_delete, on_update, match = row[:9]
        check, exclusion_ops, deferrable, deferred, validated, no_inherit, nnd, comment = row[9:]
        expression = canon(check)
        if kind == "x":  # spelled from its index: the keys as Index.keys spells them, WITH the operators
            index = next(i for i in indexes[relid] if i.constraint == name)
            cols = index.keys
            elements = ", ".join(
                f"{key} WITH {op}" for key, op in zip(index.keys, exclusion_ops, strict=True)
            )
            expression = f"EXCLUDE USING {index.method} ({elements})"
            if index.predicate is not None:
                expression += f" WHERE ({index.predicate})"
        result[relid].append(
            m.Constraint(
                name=name,
                kind=_CONSTRAINT_KINDS[kind],
                columns=() if kind == "c" else tuple(cols or ()),
                ref_table=ref_table,
                ref_columns=tuple(ref_cols or ()),
                on_delete=_FK_ACTIONS.get(on_delete, "no action"),
                on_update=_FK_ACTIONS.get(on_update, "no action"),
                match_full=match == "f",
                expression=expression,
                deferrable=deferrable,
                initially_deferred=deferred,
                validated=validated,
                no_inherit=no_inherit,
                nulls_not_distinct=nnd,
                comment=comment,
            )
        )
    return result


def _index_key(key: list[str], can_order: bool, canon: Canon) -> str:
    text, opclass, option, is_expression, collation = key
    if is_expression == "true":
        text = cast(str, canon(text))
    if collation:
        text += f' COLLATE "{collation}"'
    if opclass:
        text += f" {opclass}"
    if can_order:
        descending, nulls_first = bool(int(option) & 1), bool(int(option) & 2)
        if descending:
            text += " DESC"
        if nulls_first and not descending:
            text += " NULLS FIRST"
        elif descending and not nulls_first:
            text += " NULLS LAST"
    return text


def _indexes(rows: list[Row], canon: Canon) -> dict[int, list[m.Index]]:
    result: dict[int, list[m.Index]] = defaultdict(list)
    for row in rows:
        relid, schema, table, name, unique, method, can_order, keys, nkeys = row[:9]
        predicate, nulls_not_distinct, constraint, comment = row[9:]
        result[relid].append(
            m.Index(
                schema=schema,
                name=name,
                table=table,
                keys=tuple(_index_key(key, can_order, canon) for key in keys[:nkeys]),
                unique=unique,
                method=method,
                include=tuple(key[0] for key in keys[nkeys:]),
                predicate=canon(predicate),
                nulls_not_distinct=nulls_not_distinct,
                constraint=constraint,
                comment=comment,
            )
        )
    for table_indexes in result.values():
        table_indexes.sort(key=lambda index: index.name)
    return result


_TRIGGER_EVENTS = ((4, "insert"), (8, "delete"), (16, "update"), (32, "truncate"))


def _trigger_when(definition: str | None) -> str | None:
    """The WHEN condition of pg_get_triggerdef() output (pg_get_expr cannot print OLD/NEW)."""
    if definition is None:
        return None
    for marker in (" FOR EACH ROW WHEN (", " FOR EACH STATEMENT WHEN ("):
        start = definition.find(marker)
        if start != -1:
            start += len(marker)
            end = definition.rfind(") EXECUTE ")
            return definition[start:end]
    return None


def _triggers(rows: list[Row], canon: Canon) -> dict[int, list[m.Trigger]]:
    result: dict[int, list[m.Trigger]] = defaultdict(list)
    for relid, name, tgtype, function, nargs, args, update_columns, definition, constraint, enabled in rows:
        timing: Literal["before", "after", "instead of"] = (
            "instead of" if tgtype & 64 else "before" if tgtype & 2 else "after"
        )
        arguments = bytes(args).split(b"\0")[:nargs] if nargs else []
        result[relid].append(
            m.Trigger(
                name=name,
                timing=timing,
                events=tuple(sorted(event for bit, event in _TRIGGER_EVENTS if tgtype & bit)),
                level="row" if tgtype & 1 else "statement",
                function=function,
                arguments=tuple(arg.decode() for arg in arguments),
                update_columns=tuple(update_columns or ()),
                when=canon(_trigger_when(definition)),
                constraint=constraint,
                enabled=_TRIGGER_ENABLED[enabled],  # type: ignore[arg-type]
            )
        )
    return result


def _domain(row: Row, canon: Canon) -> m.Domain:
    schema, name, base_type, not_null, default, checks, collation, comment = row
    return m.Domain(
        schema=schema,
        name=name,
        type=base_type,
        not_null=not_null,
        default=canon(default),
        checks=tuple(sorted((check_name, cast(str, canon(text))) for check_name, text in checks or ())),
        collation=collation,
        comment=comment,
    )


def _function(row: Row, canon: Canon) -> m.Function:
    schema, name, identity_args, returns, language, kind, volatility, definer, strict, config = row[:10]
    types, modes, names, defaults = row[12:]
    return m.Function(
        schema=schema,
        name=name,
        identity_args=identity_args,
        returns=returns or "",
        language=language,
        kind=_PROKIND[kind],  # type: ignore[arg-type]
        volatility=_VOLATILITY[volatility],
        security_definer=definer,
        strict=strict,
        config=tuple(sorted(config or ())),
        body=row[10],
        arguments=function_arguments(types, modes or ["i"] * len(types), names, defaults, canon),
        comment=row[11],
    )


# The implicit bounds of a sequence of each type, ascending and descending.
_TYPE_RANGE = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}


def _sequence(row: Row) -> m.Sequence:
    schema, name, type_, start, increment, min_value, max_value, cache_size, cycle, owned_by, comment = row
    top = _TYPE_RANGE.get(type_, 2**63)
    default_min, default_max = (1, top - 1) if increment > 0 else (-top, -1)
    return m.Sequence(
        schema=schema,
        name=name,
        type=type_,
        start=start,
        increment=increment,
        min_value=None if min_value == default_min else min_value,
        max_value=None if max_value == default_max else max_value,
        cache=cache_size,
        cycle=cycle,
        owned_by=owned_by,
        comment=comment,
    )


def read_rows(
    dsn: str,
    sql: str,
    params: Sequence[Any] = (),
    *,
    application_name: str = "schemalint",
    statement_timeout: str = "30s",
    lock_timeout: str = "5s",
    connect_timeout: int = 10,
) -> list[Row]:
    """Run one query in a read-only transaction (for schema lists and migration history tables)."""
    target = display_dsn(dsn)
    try:
        with _read_only(
            dsn,
            application_name=application_name,
            connect_timeout=connect_timeout,
            settings={"statement_timeout": statement_timeout, "lock_timeout": lock_timeout},
            snapshot=False,
        ) as cursor:
            return list(cursor.execute(sql, params).fetchall())
    except psycopg.Error as error:
        raise SourceError(f"Cannot read {target}: {error_text(error, dsn)}") from None


def list_schemas(dsn: str, pattern: str, *, application_name: str = "schemalint") -> list[str]:
    """User schemas whose name matches a LIKE pattern (a glob's * and ? are accepted too)."""
    like = pattern.replace("*", "%").replace("?", "_")
    rows = read_rows(
        dsn,
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE %s "
        "AND nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema' ORDER BY 1",
        (like,),
        application_name=application_name,
    )
    return [str(row[0]) for row in rows]


def read_dependencies(
    source: str | psycopg.Cursor[Row],
    *,
    schemas: Sequence[str] = (),
    exclude_schemas: Sequence[str] = (),
    application_name: str = "schemalint",
    statement_timeout: str = "30s",
    lock_timeout: str = "5s",
    connect_timeout: int = 10,
) -> nx.DiGraph:
    """The dependency graph (schemalint.dependencies) of a live database, from pg_depend.

    ``source`` is a DSN (read in a read-only transaction of its own) or an open cursor, whose
    transaction gets search_path = '' for the rest of it. Only dependencies between objects of
    the selected schemas (all user schemas when none) are read; every column of a table or view
    also depends (auto) on its relation, as in the graph dependency_graph() builds from a model.
    """
    if not isinstance(source, str):
        return _dependencies(source, list(schemas), list(exclude_schemas))
    target = display_dsn(source)
    try:
        with _read_only(
            source,
            application_name=application_name,
            connect_timeout=connect_timeout,
            settings={"statement_timeout": statement_timeout, "lock_timeout": lock_timeout},
            snapshot=True,
        ) as cursor:
            return _dependencies(cursor, list(schemas), list(exclude_schemas))
    except psycopg.Error as error:
        raise SourceError(f"Cannot read the dependencies of {target}: {error_text(error, source)}") from None


def _dependencies(cursor: psycopg.Cursor[Row], include: list[str], exclude: list[str]) -> nx.DiGraph:
    from schemalint.dependencies import Edge, Ref, graph_from_edges

    cursor.execute("SELECT pg_catalog.set_config('search_path', '', true)")
    version_num = cursor.execute("SHOW server_version_num").fetchall()[0][0]
    cursor.execute(query("schemas", int(version_num)).encode(), {"include": include, "exclude": exclude})
    nsp = [row[0] for row in cursor.fetchall()]
    cursor.execute(query("dependencies", int(version_num)).encode(), {"nsp": nsp})
    edges: list[Edge] = [
        (Ref(kind, name), Ref(ref_kind, ref_name), deptype)
        for kind, name, ref_kind, ref_name, deptype in cursor.fetchall()
    ]
    return graph_from_edges(edges)
