"""Migration safety, part five: transactions (M016, M022, M023).

A VALIDATE in the transaction that added its constraint NOT VALID, a BEGIN
inside an open transaction, and a file that ends with its transaction open.
The file's transactions are read by astutil.FileState.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemalint.rules.astutil import alter_cmds, alter_subtypes, pb, quote_ident, sql_name, statement_file
from schemalint.rules.base import Finding, Model, Option, Rule, Statement, StatementContext, StatementRule


class ValidateInSameTransaction(StatementRule):
    """A constraint is validated in the same transaction that added it NOT VALID.

    ## Why
    `ADD CONSTRAINT … NOT VALID` takes a short ACCESS EXCLUSIVE (or SHARE
    ROW EXCLUSIVE) lock; `VALIDATE CONSTRAINT` then scans the table under a
    lock that lets reads and writes go on. In one transaction the first lock
    is held until COMMIT, through the whole scan: nothing was gained.

    ## Bad
    ```sql
    BEGIN;
    ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
    COMMIT;
    ```

    ## Good
    ```sql
    BEGIN;
    ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
    COMMIT;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
    ```

    ## Options
    - `assume_in_transaction` (default false): the migration tool wraps each
      file in a transaction (Flyway, Rails, Django do), so a VALIDATE in the
      file that added the constraint is always in its transaction.

    ## Notes
    Put the VALIDATE in the next migration file when the tool runs each
    file in one transaction.
    """

    code = "M016"
    kinds = frozenset({"alter_table_stmt"})
    slug = "validate-in-same-transaction"
    severity = "error"
    tags = ("migration", "locking", "transactions", "constraints")
    options = (
        Option("assume_in_transaction", bool, False, "The migration tool wraps each file in a transaction."),
    )

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        fs = statement_file(ctx)
        if not fs.not_valid or pb.AT_ValidateConstraint not in alter_subtypes(statement.node):
            return
        for cmd in alter_cmds(statement.node):
            if cmd.subtype != pb.AT_ValidateConstraint:
                continue
            key = (fs.constraint_table(statement.node.relation), cmd.name)
            if key not in fs.not_valid or not (fs.not_valid[key] or self.opts["assume_in_transaction"]):
                continue
            yield self.finding(
                f"Constraint {key[0]}.{cmd.name} is validated in the transaction that added it NOT VALID; "
                "the lock ADD CONSTRAINT took is held through the whole scan.",
                object=f"{key[0]}.{cmd.name}",
                location=statement.location,
                help="COMMIT after the ADD CONSTRAINT … NOT VALID, and validate in a transaction (or "
                f"migration file) of its own: ALTER TABLE {sql_name(key[0])} VALIDATE CONSTRAINT "
                f"{quote_ident(cmd.name)};",
            )


def _begins(node: Any) -> bool:
    return node.kind in (pb.TRANS_STMT_BEGIN, pb.TRANS_STMT_START)


class TransactionNesting(StatementRule):
    """BEGIN inside a transaction that is already open.

    ## Why
    PostgreSQL has no nested transactions: the second BEGIN only warns, and
    the first COMMIT commits everything since the first BEGIN. A migration
    written as if the inner block could be rolled back on its own is not.
    Tools that wrap each file in a transaction make every BEGIN in the file
    such a nested one.

    ## Bad
    ```sql
    BEGIN;
    CREATE TABLE coupons (id uuid PRIMARY KEY);
    BEGIN;
    CREATE TABLE coupon_uses (id uuid PRIMARY KEY);
    COMMIT;
    COMMIT;
    ```

    ## Good
    ```sql
    BEGIN;
    CREATE TABLE coupons (id uuid PRIMARY KEY);
    SAVEPOINT uses;
    CREATE TABLE coupon_uses (id uuid PRIMARY KEY);
    RELEASE SAVEPOINT uses;
    COMMIT;
    ```

    ## Options
    - `assume_in_transaction` (default false): the migration tool wraps each
      file in a transaction, so every BEGIN of the file is nested.
    """

    code = "M022"
    kinds = frozenset({"transaction_stmt"})
    slug = "transaction-nesting"
    severity = "warning"
    tags = ("migration", "transactions")
    options = (
        Option("assume_in_transaction", bool, False, "The migration tool wraps each file in a transaction."),
    )

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        if not _begins(statement.node):
            return
        fs = statement_file(ctx)
        if not (fs.in_transaction or self.opts["assume_in_transaction"]):
            return
        outer = "an earlier BEGIN" if fs.in_transaction else "the transaction the migration tool opens"
        yield self.finding(
            f"BEGIN inside {outer}: PostgreSQL does not nest transactions, the first COMMIT commits both.",
            object=ctx.path,
            fact="nested begin",
            location=statement.location,
            help="Remove the inner BEGIN (and its COMMIT), or use SAVEPOINT … / RELEASE SAVEPOINT … for a "
            "part that may be rolled back on its own.",
        )


class TransactionLeftOpen(StatementRule):
    """A migration file ends inside a transaction it began.

    ## Why
    A BEGIN with no COMMIT or ROLLBACK after it leaves the file's changes
    uncommitted: depending on the tool they are rolled back when the
    connection closes, or committed together with whatever the next file
    does, and the locks taken are held until then.

    ## Bad
    ```sql
    BEGIN;
    CREATE TABLE coupons (id uuid PRIMARY KEY);
    ```

    ## Good
    ```sql
    BEGIN;
    CREATE TABLE coupons (id uuid PRIMARY KEY);
    COMMIT;
    ```

    ## Notes
    Reported at the BEGIN that was never closed, once per file.
    """

    code = "M023"
    kinds = frozenset()
    at_end = True
    slug = "transaction-left-open"
    severity = "error"
    tags = ("migration", "transactions")

    def end_of_file(self, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        fs = statement_file(ctx)
        if not fs.in_transaction or fs.transaction_begin is None:
            return
        yield self.finding(
            f"The transaction begun at line {fs.transaction_begin.line} is still open at the end of "
            f"{ctx.path}; its changes are never committed by the file.",
            object=ctx.path,
            fact="open transaction",
            location=fs.transaction_begin,
            help="End the file with COMMIT; (or drop the BEGIN when the migration tool opens the "
            "transaction).",
        )


TRANSACTION_RULES: tuple[type[Rule], ...] = (
    ValidateInSameTransaction,
    TransactionNesting,
    TransactionLeftOpen,
)
