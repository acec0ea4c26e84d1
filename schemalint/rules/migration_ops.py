"""Migration safety, part four: required columns, maintenance commands and drops (M015, M017–M021).

Statements squawk and eugene report that parts one to three did not: a NOT NULL
column added without a default, REINDEX and DETACH PARTITION without
CONCURRENTLY, TRUNCATE, DROP DATABASE and DROP SCHEMA … CASCADE, ALTER DOMAIN …
ADD CONSTRAINT without NOT VALID, and the commands that rewrite a table (VACUUM
FULL, CLUSTER, SET TABLESPACE). A table created earlier in the same file is
empty and unshared: statements on it are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemalint.model import qualify
from schemalint.rules.astutil import (
    alter_cmds,
    alter_subtypes,
    cmd_def,
    existing_table,
    pb,
    quote_ident,
    sql_name,
    statement_file,
    strings,
    unwrap,
)
from schemalint.rules.base import Finding, Model, Rule, Statement, StatementContext, StatementRule

_DEFAULTS = (pb.CONSTR_DEFAULT, pb.CONSTR_IDENTITY, pb.CONSTR_GENERATED)
_SERIALS = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


class ColumnAddedNotNullWithoutDefault(StatementRule):
    """A NOT NULL column without a default is added to an existing table.

    ## Why
    Every existing row would hold NULL in the new column, so PostgreSQL
    refuses the statement as soon as the table has one row: the migration
    that passed on an empty development database fails in production.

    ## Bad
    ```sql
    ALTER TABLE orders ADD COLUMN channel text NOT NULL;
    ```

    ## Good
    ```sql
    ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT 'web';
    ```

    ## Notes
    A default, an identity, a serial type or a generated expression fill the
    existing rows. Columns added to tables created earlier in the same file
    are not reported.
    """

    code = "M015"
    kinds = frozenset({"alter_table_stmt"})
    slug = "column-added-not-null-without-default"
    severity = "error"
    tags = ("migration", "compatibility")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        if pb.AT_AddColumn not in alter_subtypes(statement.node):
            return
        target = existing_table(statement, state, ctx)
        if target is None:
            return
        for cmd in alter_cmds(statement.node):
            if cmd.subtype != pb.AT_AddColumn:
                continue
            column = cmd_def(cmd)
            contypes = {unwrap(c).contype for c in column.constraints}
            type_name = strings(column.type_name.names)[-1:] if column.HasField("type_name") else []
            serial = bool(type_name) and type_name[0].lower() in _SERIALS
            if pb.CONSTR_NOTNULL not in contypes and pb.CONSTR_PRIMARY not in contypes:
                continue
            if serial or contypes & set(_DEFAULTS):
                continue
            table, col = sql_name(target[0]), quote_ident(column.colname)
            yield self.finding(
                f"Column {target[0]}.{column.colname} is added NOT NULL without a default to existing table "
                f"{target[0]}; PostgreSQL refuses it as soon as the table has a row.",
                object=f"{target[0]}.{column.colname}",
                location=statement.location,
                help=f"Add it with a DEFAULT, or add it nullable, backfill it in batches and then "
                f"ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL (see M008).",
            )


def _reindex_concurrent(node: Any) -> bool:
    return any(unwrap(param).defname == "concurrently" for param in node.params)


class ReindexOrDetachWithoutConcurrently(StatementRule):
    """REINDEX or DETACH PARTITION runs on an existing table without CONCURRENTLY.

    ## Why
    `REINDEX` blocks writes to the table (and reads that use the index) until
    the index is rebuilt; `DETACH PARTITION` takes an ACCESS EXCLUSIVE lock
    on the parent table. `REINDEX … CONCURRENTLY` (PostgreSQL 12) and
    `DETACH PARTITION … CONCURRENTLY` (PostgreSQL 14) block neither.

    ## Bad
    ```sql
    REINDEX INDEX idx_orders_status;
    ```

    ## Good
    ```sql
    REINDEX INDEX CONCURRENTLY idx_orders_status;
    ```

    ## Notes
    `REINDEX SCHEMA`, `DATABASE` and `SYSTEM` are reported too. Neither
    CONCURRENTLY variant runs inside a transaction block (see M011). Not
    reported before the PostgreSQL version that has the CONCURRENTLY variant
    (`target-postgres`), nor on tables created earlier in the same file.
    """

    code = "M017"
    kinds = frozenset({"reindex_stmt", "alter_table_stmt"})
    slug = "reindex-or-detach-without-concurrently"
    severity = "warning"
    tags = ("migration", "locking", "indexes")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        if statement.kind == "alter_table_stmt":
            if pb.AT_DetachPartition not in alter_subtypes(node) or ctx.target_postgres < 14:
                return
            if existing_table(statement, state, ctx) is None:
                return
            parent = statement_file(ctx).table_name(node.relation, state)
            for cmd in alter_cmds(node):
                if cmd.subtype != pb.AT_DetachPartition or cmd_def(cmd).concurrent:
                    continue
                partition = cmd_def(cmd).name.relname
                yield self.finding(
                    f"DETACH PARTITION {partition} of existing table {parent} without CONCURRENTLY takes an "
                    "ACCESS EXCLUSIVE lock on the parent (blocking reads and writes).",
                    object=parent,
                    fact=partition,
                    location=statement.location,
                    help=f"ALTER TABLE {sql_name(parent)} DETACH PARTITION {quote_ident(partition)} "
                    "CONCURRENTLY; (outside a transaction block)",
                )
            return
        if ctx.target_postgres < 12 or _reindex_concurrent(node):
            return
        kind, name = self._target(node, state, ctx)
        if name is None:
            return
        yield self.finding(
            f"REINDEX {kind} {name} without CONCURRENTLY blocks writes to the table while the index is "
            "rebuilt; expected REINDEX … CONCURRENTLY.",
            object=name,
            location=statement.location,
            help=f"REINDEX {kind} CONCURRENTLY {sql_name(name) if '.' in name else quote_ident(name)};",
        )

    @staticmethod
    def _target(node: Any, state: Model, ctx: StatementContext) -> tuple[str, str | None]:
        fs = statement_file(ctx)
        if node.kind == pb.REINDEX_OBJECT_INDEX:
            rel = node.relation
            index, table = fs.index_table([*([rel.schemaname] if rel.schemaname else []), rel.relname], state)
            return "INDEX", None if table is not None and fs.is_new(table.qualname) else index
        if node.kind == pb.REINDEX_OBJECT_TABLE:
            table_name = fs.table_name(node.relation, state)
            return "TABLE", None if fs.is_new(table_name) else table_name
        kind = {pb.REINDEX_OBJECT_SCHEMA: "SCHEMA", pb.REINDEX_OBJECT_DATABASE: "DATABASE"}.get(
            node.kind, "SYSTEM"
        )
        return kind, node.name or "the current database"


class TableTruncated(StatementRule):
    """An existing table is truncated.

    ## Why
    `TRUNCATE` empties the table at once under an ACCESS EXCLUSIVE lock; its
    rows are not coming back without a backup. `TRUNCATE … CASCADE` also
    empties every table with a foreign key to it, which the statement does
    not name.

    ## Bad
    ```sql
    TRUNCATE import_batches CASCADE;
    ```

    ## Good
    ```sql
    -- the staging table is refilled by the next import:
    -- schemalint: ignore[M018] staging data, reloaded nightly
    TRUNCATE import_batches;
    ```

    ## Notes
    One finding per existing table; tables created earlier in the same file
    are not reported.
    """

    code = "M018"
    kinds = frozenset({"truncate_stmt"})
    slug = "table-truncated"
    severity = "warning"
    tags = ("migration", "destructive", "data")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        fs = statement_file(ctx)
        cascade = node.behavior == pb.DROP_CASCADE
        for relation in node.relations:
            table = fs.table_name(unwrap(relation), state)
            if fs.is_new(table):
                continue
            also = " and, with CASCADE, every table that references it" if cascade else ""
            yield self.finding(
                f"TRUNCATE empties existing table {table}{also}; its rows are lost.",
                object=table,
                location=statement.location,
                help=f"Delete the rows the migration means to remove (DELETE FROM {sql_name(table)} "
                "WHERE …), or keep a backup and add `-- schemalint: ignore[M018] <reason>` before the "
                "statement.",
            )


class DatabaseOrSchemaDropped(StatementRule):
    """A migration drops a database, or a schema with CASCADE.

    ## Why
    `DROP DATABASE` and `DROP SCHEMA … CASCADE` delete every table, view and
    function in them, with their data, in one statement that names none of
    them. A migration that does this by mistake (a copied cleanup script, a
    wrong search path) cannot be rolled back.

    ## Bad
    ```sql
    DROP SCHEMA reporting CASCADE;
    ```

    ## Good
    ```sql
    DROP VIEW reporting.daily_orders;
    DROP SCHEMA reporting;
    ```

    ## Notes
    `DROP SCHEMA` without CASCADE fails when the schema still holds
    anything, and is not reported; nor is `DROP SCHEMA IF EXISTS … CASCADE`
    of a schema no migration declared.
    """

    code = "M019"
    kinds = frozenset({"dropdb_stmt", "drop_stmt"})
    slug = "database-or-schema-dropped"
    severity = "error"
    tags = ("migration", "destructive")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        if statement.kind == "dropdb_stmt":
            yield self.finding(
                f"DROP DATABASE {node.dbname} in a migration deletes the whole database.",
                object=node.dbname,
                location=statement.location,
                help="Drop databases by hand, never from a migration.",
            )
            return
        if node.remove_type != pb.OBJECT_SCHEMA or node.behavior != pb.DROP_CASCADE:
            return
        for obj in node.objects:
            schema = unwrap(obj).sval
            if node.missing_ok and schema not in state.schemas:
                continue
            held = sum(1 for table in state.tables.values() if table.schema == schema)
            yield self.finding(
                f"DROP SCHEMA {schema} CASCADE deletes everything in it ({held} tables known to the "
                "migrations) without naming any of it.",
                object=schema,
                location=statement.location,
                help=f"Drop the schema's objects one by one, then DROP SCHEMA {quote_ident(schema)}; "
                "(without CASCADE it fails if anything was forgotten).",
            )


class DomainConstraintWithoutNotValid(StatementRule):
    """A CHECK constraint is added to a domain in use without NOT VALID.

    ## Why
    `ALTER DOMAIN … ADD CONSTRAINT` checks every column of every table that
    uses the domain, holding a lock that blocks writes to those tables for
    the whole scan. Added `NOT VALID`, it applies to new values at once;
    `ALTER DOMAIN … VALIDATE CONSTRAINT` then checks old ones without
    blocking writes.

    ## Bad
    ```sql
    CREATE DOMAIN amount AS numeric(19,4);
    CREATE TABLE payments (id uuid PRIMARY KEY, paid amount);
    ```
    ```sql
    ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);
    ```

    ## Good
    ```sql
    CREATE DOMAIN amount AS numeric(19,4);
    CREATE TABLE payments (id uuid PRIMARY KEY, paid amount);
    ```
    ```sql
    ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;
    ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive;
    ```

    ## Notes
    Not reported for a domain the migrations declare and no column uses
    yet. A domain schemalint has not seen counts as in use.
    """

    code = "M020"
    kinds = frozenset({"alter_domain_stmt"})
    slug = "domain-constraint-without-not-valid"
    severity = "error"
    tags = ("migration", "locking", "constraints")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        constraint = unwrap(getattr(node, "def"))
        if node.subtype != "C" or not isinstance(constraint, pb.Constraint) or constraint.skip_validation:
            return
        if constraint.contype != pb.CONSTR_CHECK:
            return
        names = strings(node.type_name)
        domain = qualify(names[-2], names[-1]) if len(names) > 1 else None
        if domain is None:
            path = statement_file(ctx).path
            domain = next((q for q in (qualify(s, names[-1]) for s in path) if q in state.domains), None)
            domain = domain or qualify(path[0] if path else "public", names[-1])
        if domain in state.domains and not _domain_in_use(state, domain):
            return
        name = constraint.conname or f"{names[-1]}_check"
        yield self.finding(
            f"Constraint {name} is added to domain {domain} without NOT VALID; every column of that domain "
            "is checked while writes to its tables are blocked.",
            object=f"{domain}.{name}",
            location=statement.location,
            help=f"ALTER DOMAIN {sql_name(domain)} ADD CONSTRAINT {quote_ident(name)} CHECK (…) NOT VALID; "
            f"ALTER DOMAIN {sql_name(domain)} VALIDATE CONSTRAINT {quote_ident(name)};",
        )


def _domain_in_use(state: Model, domain: str) -> bool:
    schema, _, name = domain.partition(".")
    spellings = {domain, name} if schema == "public" else {domain}
    return any(
        column.type.removesuffix("[]") in spellings
        for table in state.tables.values()
        for column in table.columns
    )


class TableRewrittenUnderLock(StatementRule):
    """VACUUM FULL, CLUSTER or SET TABLESPACE rewrites an existing table under an ACCESS EXCLUSIVE lock.

    ## Why
    These commands copy the whole table (and rebuild its indexes) while
    holding an ACCESS EXCLUSIVE lock: no reads, no writes, for as long as the
    copy takes — minutes to hours on a big table.

    ## Bad
    ```sql
    VACUUM FULL orders;
    ```

    ## Good
    ```sql
    VACUUM orders;
    -- to give space back without the lock, use pg_repack or pg_squeeze outside the migration
    ```

    ## Notes
    A bare `VACUUM FULL` or `CLUSTER` (every table of the database) is
    reported too. Tables created earlier in the same file are not reported.
    """

    code = "M021"
    kinds = frozenset({"vacuum_stmt", "cluster_stmt", "alter_table_stmt"})
    slug = "table-rewritten-under-lock"
    severity = "error"
    tags = ("migration", "locking", "rewrite")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node, kind = statement.node, statement.kind
        fs = statement_file(ctx)
        if kind == "alter_table_stmt":
            if pb.AT_SetTableSpace not in alter_subtypes(node):
                return
            moved = [cmd.name for cmd in alter_cmds(node) if cmd.subtype == pb.AT_SetTableSpace]
            if existing_table(statement, state, ctx) is None:
                return
            yield self._finding(statement, f"SET TABLESPACE {moved[0]}", fs.table_name(node.relation, state))
            return
        if kind == "vacuum_stmt":
            if not any(unwrap(option).defname == "full" for option in node.options):
                return
            command = "VACUUM FULL"
            relations = [unwrap(rel).relation for rel in node.rels]
        else:
            command = "CLUSTER"
            relations = [node.relation] if node.HasField("relation") else []
        if not relations:
            yield self._finding(statement, command, None)
        for relation in relations:
            table = fs.table_name(relation, state)
            if not fs.is_new(table):
                yield self._finding(statement, command, table)

    def _finding(self, statement: Statement, command: str, table: str | None) -> Finding:
        what = f"existing table {table}" if table else "every table of the database"
        return self.finding(
            f"{command} rewrites {what} under an ACCESS EXCLUSIVE lock (blocking reads and writes).",
            object=table or statement.location.path,
            fact=command.split()[0].lower(),
            location=statement.location,
            help="Run a plain VACUUM, or pg_repack / pg_squeeze, outside the migration; move tablespaces "
            "in a maintenance window.",
        )


OPS_RULES: tuple[type[Rule], ...] = (
    ColumnAddedNotNullWithoutDefault,
    ReindexOrDetachWithoutConcurrently,
    TableTruncated,
    DatabaseOrSchemaDropped,
    DomainConstraintWithoutNotValid,
    TableRewrittenUnderLock,
)
