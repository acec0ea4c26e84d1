"""Migration safety, part one: index builds, lock waits and transactions (M001, M002, M010, M011).

The rules of the other parts (migration_rewrite, migration_compat,
migration_ops, migration_tx) are registered through this module's RULES.

Every rule here knows what is new: a table created earlier in the same file
is empty and unshared, so indexes, constraints, defaults and type changes on
it lock nobody. Those statements are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemalint.rules.astutil import (
    alter_cmds,
    cmd_def,
    deparse_node,
    existing_table,
    locking_target,
    pb,
    quote_ident,
    sql_name,
    statement_file,
    strings,
    unwrap,
)
from schemalint.rules.base import Finding, Model, Option, Rule, Statement, StatementContext, StatementRule
from schemalint.rules.migration_compat import COMPAT_RULES
from schemalint.rules.migration_ops import OPS_RULES
from schemalint.rules.migration_rewrite import REWRITE_RULES
from schemalint.rules.migration_tx import TRANSACTION_RULES


class IndexCreatedWithoutConcurrently(StatementRule):
    """An index is built on an existing table without CONCURRENTLY.

    ## Why
    `CREATE INDEX` holds a SHARE lock on the table until the index is built:
    every INSERT, UPDATE and DELETE waits, for minutes on a big table.
    `CREATE INDEX CONCURRENTLY` builds it without blocking writes. Adding a
    PRIMARY KEY, UNIQUE or EXCLUDE constraint builds its index under an
    ACCESS EXCLUSIVE lock (blocking reads too).

    ## Bad
    ```sql
    CREATE INDEX idx_orders_tenant_id ON orders (tenant_id);
    ```

    ## Good
    ```sql
    CREATE INDEX CONCURRENTLY idx_orders_tenant_id ON orders (tenant_id);
    ```

    ## Notes
    Indexes on tables created earlier in the same file are not reported. A
    table schemalint has not seen (the file is linted without the migrations
    before it) counts as existing. CONCURRENTLY cannot run inside a
    transaction block (see M011).
    """

    code = "M001"
    kinds = frozenset({"index_stmt", "alter_table_stmt"})
    slug = "index-created-without-concurrently"
    severity = "error"
    tags = ("migration", "locking", "indexes")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        if statement.kind == "index_stmt" and not node.concurrent:
            target = existing_table(statement, state, ctx)
            if target is None:
                return
            fixed = pb.IndexStmt()
            fixed.CopyFrom(node)
            fixed.concurrent = True
            index = node.idxname or "an index"
            elems = [unwrap(param) for param in node.index_params]
            keys = ", ".join(elem.name or deparse_node(elem.expr) for elem in elems)
            yield self.finding(
                f"CREATE INDEX {index} on existing table {target[0]} without CONCURRENTLY holds a SHARE "
                "lock (blocking writes) while the index builds; expected CREATE INDEX CONCURRENTLY.",
                object=target[0],
                location=statement.location,
                help=deparse_node(fixed, "index_stmt") + ";",
                fact=node.idxname or f"({keys})",
            )
        elif statement.kind == "alter_table_stmt":
            target = existing_table(statement, state, ctx)
            if target is None:
                return
            for cmd in alter_cmds(node):
                constraint = cmd_def(cmd)
                if cmd.subtype != pb.AT_AddConstraint or constraint.contype not in (
                    pb.CONSTR_PRIMARY,
                    pb.CONSTR_UNIQUE,
                    pb.CONSTR_EXCLUSION,
                ):
                    continue
                if constraint.indexname:
                    continue
                if constraint.contype == pb.CONSTR_EXCLUSION:
                    yield self._exclusion_finding(target[0], constraint, statement)
                    continue
                yield self._constraint_finding(target[0], constraint, statement)

    def _exclusion_finding(self, table: str, constraint: Any, statement: Statement) -> Finding:
        name = constraint.conname or "EXCLUDE"
        return self.finding(
            f"ADD CONSTRAINT {name} EXCLUDE on existing table {table} builds its index under an ACCESS "
            "EXCLUSIVE lock (blocking reads and writes); an exclusion constraint cannot use an index built "
            "CONCURRENTLY.",
            object=table,
            location=statement.location,
            fact=f"EXCLUDE {name}",
            help="Add it in a maintenance window, or build a new table with the constraint and switch over.",
        )

    def _constraint_finding(self, table: str, constraint: Any, statement: Statement) -> Finding:
        kind = "PRIMARY KEY" if constraint.contype == pb.CONSTR_PRIMARY else "UNIQUE"
        columns = strings(constraint.keys)
        short = table.split(".")[-1]
        index = quote_ident(f"{short}_{'_'.join(columns)}_{'pkey' if kind == 'PRIMARY KEY' else 'key'}"[:63])
        name = quote_ident(constraint.conname) if constraint.conname else index
        cols = ", ".join(quote_ident(c) for c in columns)
        return self.finding(
            f"ADD {kind} ({', '.join(columns)}) on existing table {table} builds its index under an ACCESS "
            "EXCLUSIVE lock (blocking reads and writes); expected a unique index built CONCURRENTLY first.",
            object=table,
            location=statement.location,
            fact=f"{kind} ({', '.join(columns)})",
            help=f"CREATE UNIQUE INDEX CONCURRENTLY {index} ON {sql_name(table)} ({cols}); "
            f"ALTER TABLE {sql_name(table)} ADD CONSTRAINT {name} {kind} USING INDEX {index};",
        )


class IndexDroppedWithoutConcurrently(StatementRule):
    """An index of an existing table is dropped without CONCURRENTLY.

    ## Why
    `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table: it
    waits behind every running query and blocks every new one, reads
    included, until it gets the lock. `DROP INDEX CONCURRENTLY` does not.

    ## Bad
    ```sql
    DROP INDEX idx_orders_status;
    ```

    ## Good
    ```sql
    DROP INDEX CONCURRENTLY idx_orders_status;
    ```

    ## Notes
    Indexes of tables created earlier in the same file are not reported, nor
    `DROP INDEX IF EXISTS` of an index no migration before created.
    """

    code = "M002"
    kinds = frozenset({"drop_stmt"})
    slug = "index-dropped-without-concurrently"
    severity = "warning"
    tags = ("migration", "locking", "indexes")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        if node.remove_type != pb.OBJECT_INDEX or node.concurrent:
            return
        fs = statement_file(ctx)
        for obj in node.objects:
            index, table = fs.index_table(strings(unwrap(obj).items), state)
            if (table is not None and fs.is_new(table.qualname)) or (table is None and node.missing_ok):
                continue  # a new table's index, or IF EXISTS of an index no migration created
            on = f" on {table.qualname}" if table else ""
            yield self.finding(
                f"DROP INDEX {index}{on} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock (blocking reads "
                "and writes); expected DROP INDEX CONCURRENTLY.",
                object=index,
                location=statement.location,
                help=f"DROP INDEX CONCURRENTLY{' IF EXISTS' if node.missing_ok else ''} {sql_name(index)};",
            )


class MissingLockTimeout(StatementRule):
    """A statement that locks an existing table runs without a lock_timeout.

    ## Why
    A DDL statement waiting for its lock (behind one long query) makes every
    later query on the table wait behind it: a short migration becomes an
    outage. `SET lock_timeout` makes it give up instead, so it can be retried.

    ## Bad
    ```sql
    ALTER TABLE orders ADD COLUMN note text;
    ```

    ## Good
    ```sql
    SET lock_timeout = '5s';
    ALTER TABLE orders ADD COLUMN note text;
    ```

    ## Notes
    Reported once per file, on the first statement that takes a blocking
    lock on an existing table (ALTER TABLE, CREATE INDEX without
    CONCURRENTLY, DROP, RENAME, TRUNCATE, LOCK, CREATE TRIGGER, CREATE/ALTER
    POLICY) with no `SET lock_timeout` (or `set_config('lock_timeout', …)`)
    before it: one SET at the top fixes the file. `SET lock_timeout = 0`
    (wait forever) and `RESET lock_timeout` do not count. VALIDATE CONSTRAINT and
    CONCURRENTLY statements do not block reads or writes and do not count.
    """

    code = "M010"
    slug = "missing-lock-timeout"
    severity = "warning"
    tags = ("migration", "locking")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        fs = statement_file(ctx)
        if fs.lock_timeout or fs.unguarded_lock:
            return
        table = locking_target(statement, fs, state)
        if table is None:
            return
        yield self.finding(
            f"This statement locks existing table {table} with no lock_timeout set earlier in the file; "
            "waiting for the lock blocks every query on the table.",
            object=table,
            location=statement.location,
            help="SET lock_timeout = '5s';  -- at the top of the file, before the first ALTER",
        )


def _concurrent(statement: Statement) -> bool:
    node, kind = statement.node, statement.kind
    if kind in ("index_stmt", "drop_stmt"):
        return bool(node.concurrent)
    if kind == "reindex_stmt":
        return any(unwrap(param).defname == "concurrently" for param in node.params)
    if kind == "alter_table_stmt":
        return any(
            cmd.subtype == pb.AT_DetachPartition and cmd_def(cmd).concurrent for cmd in alter_cmds(node)
        )
    return False


def _concurrent_fact(statement: Statement) -> str:
    """What a CONCURRENTLY statement builds, drops or detaches (the fingerprint's fact)."""
    node, kind = statement.node, statement.kind
    if kind == "index_stmt":
        return f"create index {node.idxname or node.relation.relname}"
    if kind == "drop_stmt":
        return "drop index " + ", ".join(".".join(strings(unwrap(obj).items)) for obj in node.objects)
    if kind == "reindex_stmt":
        return f"reindex {node.name or node.relation.relname}"
    names = [cmd_def(cmd).name.relname for cmd in alter_cmds(node) if cmd.subtype == pb.AT_DetachPartition]
    return "detach partition " + ", ".join(names)


class ConcurrentlyInTransaction(StatementRule):
    """A CONCURRENTLY statement runs inside a transaction block, where PostgreSQL refuses it.

    ## Why
    `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX …
    CONCURRENTLY` and `DETACH PARTITION … CONCURRENTLY` cannot run inside
    BEGIN … COMMIT: the migration fails.

    ## Bad
    ```sql
    BEGIN;
    CREATE INDEX CONCURRENTLY idx_orders_status ON orders (status);
    COMMIT;
    ```

    ## Good
    ```sql
    CREATE INDEX CONCURRENTLY idx_orders_status ON orders (status);
    ```

    ## Options
    - `assume_in_transaction` (default false): the migration tool wraps each
      file in a transaction (so every CONCURRENTLY statement is reported).

    ## Notes
    Tell your migration tool to run such a file outside a transaction (for
    example Flyway's `executeInTransaction=false`, golang-migrate runs files
    as written).
    """

    code = "M011"
    kinds = frozenset({"index_stmt", "drop_stmt", "reindex_stmt", "alter_table_stmt"})
    slug = "concurrently-in-transaction"
    severity = "error"
    tags = ("migration", "transactions")
    options = (
        Option("assume_in_transaction", bool, False, "The migration tool wraps each file in a transaction."),
    )

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        inside = (
            ctx.in_transaction or statement_file(ctx).in_transaction or self.opts["assume_in_transaction"]
        )
        if not inside or not _concurrent(statement):
            return
        text = " ".join(statement.text.split())
        yield self.finding(
            f"{text[:80]} runs inside a transaction block; PostgreSQL refuses CONCURRENTLY there.",
            object=None,
            fact=_concurrent_fact(statement),
            location=statement.location,
            help="Move the statement out of BEGIN … COMMIT (into its own migration file, run without a "
            "transaction).",
        )


RULES: tuple[type[Rule], ...] = (
    IndexCreatedWithoutConcurrently,
    IndexDroppedWithoutConcurrently,
    *REWRITE_RULES,
    MissingLockTimeout,
    ConcurrentlyInTransaction,
    *COMPAT_RULES,
    *OPS_RULES,
    *TRANSACTION_RULES,
)
