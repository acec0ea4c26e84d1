"""Migration safety, part three: compatibility, data and files (M004, M005, M009, M012–M014, M024).

Renames and drops break running code; seed inserts must be re-runnable;
migration files must follow one naming scheme and, for up/down migrations,
come in pairs. Only M013 and M014 look at file names (M014 checks whether a
sibling file exists); everything else is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from schemalint.rules.astutil import (
    alter_cmds,
    alter_subtypes,
    deparse_node,
    existing_table,
    find_nodes,
    is_first_statement,
    pb,
    quote_ident,
    sql_name,
    statement_file,
    strings,
    unwrap,
)
from schemalint.rules.base import Finding, Model, Option, Rule, Statement, StatementContext, StatementRule


class ColumnDropped(StatementRule):
    """A column of an existing table is dropped.

    ## Why
    Application servers still running the previous release select, insert
    and update the column by name: they fail the moment it is gone. The data
    is gone too.

    ## Bad
    ```sql
    ALTER TABLE orders DROP COLUMN legacy_code;
    ```

    ## Good
    ```sql
    -- release 1 stops reading and writing orders.legacy_code; release 2 drops it:
    -- schemalint: ignore[M004] unused since release 41
    ALTER TABLE orders DROP COLUMN legacy_code;
    ```

    ## Notes
    Dropping a column of a table created earlier in the same file is not
    reported. Make sure no deployed code uses the column, then suppress the
    finding with the reason.
    """

    code = "M004"
    kinds = frozenset({"alter_table_stmt"})
    slug = "column-dropped"
    severity = "warning"
    tags = ("migration", "destructive", "compatibility")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        if statement.node.objtype != pb.OBJECT_TABLE:
            return
        target = existing_table(statement, state, ctx)
        if target is None:
            return
        for cmd in alter_cmds(statement.node):
            if cmd.subtype == pb.AT_DropColumn:
                column = f"{target[0]}.{cmd.name}"
                yield self.finding(
                    f"Column {column} is dropped from existing table {target[0]}; running code that still "
                    "reads or writes it fails, and its data is lost.",
                    object=column,
                    location=statement.location,
                    help=f"Remove every use of {cmd.name} from the application and deploy first; then "
                    f"drop it with `-- schemalint: ignore[M004] <reason>` before the statement.",
                )


class ColumnOrTableRenamed(StatementRule):
    """A column or an existing table is renamed.

    ## Why
    A rename is instant for PostgreSQL and breaks every running application
    server that still uses the old name, until all of them are redeployed.

    ## Bad
    ```sql
    ALTER TABLE orders RENAME COLUMN amount TO total;
    ```

    ## Good
    ```sql
    ALTER TABLE orders ADD COLUMN total numeric(19,4);
    -- write both columns, backfill total, switch reads, then drop amount in a later release
    ```

    ## Notes
    Renames of tables created earlier in the same file (or of their columns)
    are not reported.
    """

    code = "M005"
    kinds = frozenset({"rename_stmt"})
    slug = "column-or-table-renamed"
    severity = "warning"
    tags = ("migration", "compatibility")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        if node.rename_type not in (pb.OBJECT_TABLE, pb.OBJECT_COLUMN):
            return
        fs = statement_file(ctx)
        table = fs.table_name(node.relation, state)
        if fs.is_new(table):
            return
        sql_table = sql_name(table)
        if node.rename_type == pb.OBJECT_TABLE:
            yield self.finding(
                f"Table {table} is renamed to {node.newname}; running code that uses {table} fails.",
                object=table,
                location=statement.location,
                help=f"ALTER TABLE {sql_table} RENAME TO {quote_ident(node.newname)}; "
                f"CREATE VIEW {sql_table} AS SELECT * FROM {quote_ident(node.newname)}; "
                "(drop the view once no deployed code uses the old name)",
            )
            return
        old, new = quote_ident(node.subname), quote_ident(node.newname)
        yield self.finding(
            f"Column {table}.{node.subname} is renamed to {node.newname}; running code that uses "
            f"{node.subname} fails.",
            object=f"{table}.{node.subname}",
            location=statement.location,
            help=f"ALTER TABLE {sql_table} ADD COLUMN {new} <type>; then write both {old} and {new}, "
            f"backfill {new}, switch reads to {new}, and drop {old} in a later release.",
        )


class TableDropped(StatementRule):
    """An existing table is dropped.

    ## Why
    Running code that still uses the table fails, and its data is gone
    unless a backup is restored.

    ## Bad
    ```sql
    DROP TABLE legacy_invoices;
    ```

    ## Good
    ```sql
    -- after the application stopped using it, with a backup taken:
    -- schemalint: ignore[M009] unused since release 41, dumped to s3://backups/legacy_invoices.sql
    DROP TABLE legacy_invoices;
    ```

    ## Notes
    A table created earlier in the same file and dropped again is not
    reported, nor `DROP TABLE IF EXISTS` of a table no migration declared.
    One finding per dropped table.
    """

    code = "M009"
    kinds = frozenset({"drop_stmt"})
    slug = "table-dropped"
    severity = "warning"
    tags = ("migration", "destructive")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        if node.remove_type != pb.OBJECT_TABLE:
            return
        fs = statement_file(ctx)
        for obj in node.objects:
            names = strings(unwrap(obj).items)
            relation = pb.RangeVar(schemaname=names[-2] if len(names) > 1 else "", relname=names[-1])
            table = fs.table_name(relation, state)
            if fs.is_new(table) or (node.missing_ok and table not in state.tables):
                continue
            yield self.finding(
                f"Table {table} is dropped; running code that uses it fails and its data is lost.",
                object=table,
                location=statement.location,
                help=f"Stop using {table} in the application and deploy, keep a backup "
                f"(pg_dump -t {sql_name(table)}), then drop it with `-- schemalint: ignore[M009] <reason>`.",
            )


def _guarded_select(node: pb.InsertStmt) -> bool:
    """True for INSERT … SELECT … WHERE NOT EXISTS (…): re-running inserts nothing twice."""
    select = unwrap(node.select_stmt)
    if not isinstance(select, pb.SelectStmt) or not select.HasField("where_clause"):
        return False
    for expr in find_nodes(select.where_clause, pb.BoolExpr):
        if expr.boolop == pb.NOT_EXPR and any(
            isinstance(unwrap(arg), pb.SubLink) and unwrap(arg).sub_link_type == pb.EXISTS_SUBLINK
            for arg in expr.args
        ):
            return True
    return False


class NonIdempotentSeedInsert(StatementRule):
    """An INSERT in a migration has no ON CONFLICT clause, so running it twice fails or duplicates rows.

    ## Why
    Seed and reference data inserted by migrations gets re-applied: a
    migration half-applied and retried, a repeatable migration, a
    re-seeded test database. Without `ON CONFLICT` the second run fails on
    a unique key or silently inserts the rows again.

    ## Bad
    ```sql
    INSERT INTO currencies (code, name) VALUES ('EUR', 'Euro');
    ```

    ## Good
    ```sql
    INSERT INTO currencies (code, name) VALUES ('EUR', 'Euro') ON CONFLICT (code) DO NOTHING;
    ```

    ## Notes
    Not reported for `INSERT … SELECT … WHERE NOT EXISTS (…)`, nor for
    inserts into a table created earlier in the same file by a plain CREATE
    TABLE (re-running that file fails at the CREATE TABLE first). A table
    created with `CREATE TABLE IF NOT EXISTS` does not exempt its inserts.
    """

    code = "M012"
    kinds = frozenset({"insert_stmt"})
    slug = "non-idempotent-seed-insert"
    severity = "warning"
    tags = ("migration", "data")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node = statement.node
        if node.HasField("on_conflict_clause") or _guarded_select(node):
            return
        fs = statement_file(ctx)
        table = fs.table_name(node.relation, state)
        if fs.created.get(table) is False:
            return
        fixed = pb.InsertStmt()
        fixed.CopyFrom(node)
        fixed.on_conflict_clause.CopyFrom(pb.OnConflictClause(action=pb.ONCONFLICT_NOTHING))
        yield self.finding(
            f"INSERT INTO {table} has no ON CONFLICT clause; running the migration again fails or "
            "duplicates the rows.",
            object=table,
            location=statement.location,
            help=deparse_node(fixed, "insert_stmt")
            + ";  -- name the unique key: ON CONFLICT (key) DO NOTHING",
        )


# the layouts schemalint orders (sources/sql/order.py), matched against "directory/file name"
_WORD = "[A-Za-z0-9_]+"
DEFAULT_FILE_PATTERN = (
    rf"(^|/)([VU]\d+(?:[._]\d+)*__{_WORD}\.sql"  # Flyway versioned (and undo)
    rf"|R__{_WORD}\.sql"  # Flyway repeatable
    rf"|\d+_{_WORD}(?:\.(?:postgres|postgresql|pg))?\.(?:up|down)\.sql"  # golang-migrate, sqlx, popx
    rf"|\d+_{_WORD}\.sql"  # goose, dbmate, sqlx, numbered files
    rf"|(?:\d{{4}}-\d\d-\d\d-\d{{6}}|\d{{14}})_{_WORD}/(?:up|down)\.sql"  # diesel
    rf"|\d+_{_WORD}/migration\.sql"  # Prisma
    r")$"
)
_UP_FILE = re.compile(r"^(\d+_[A-Za-z0-9_]+)\.up\.sql$")


class MigrationFileNameNonstandard(StatementRule):
    """A migration file is named in none of the layouts migration tools apply in order.

    ## Why
    Migration tools order files by the version in their name and skip files
    they do not recognise: a misnamed file is silently never applied, or
    applied out of order.

    ## Bad
    ```sql
    -- file: add-orders.sql
    CREATE TABLE orders (id uuid PRIMARY KEY);
    ```

    ## Good
    ```sql
    -- file: V42__add_orders.sql
    CREATE TABLE orders (id uuid PRIMARY KEY);
    ```

    ## Options
    - `pattern`: a regular expression searched in the file name, then in
      `directory/file name` (for layouts with a directory per migration).
      The default accepts the layouts schemalint orders: Flyway
      `V{version}__{description}.sql` (and `U…`, `R__…`), golang-migrate,
      sqlx and popx `{NNN}_{description}[.postgres].up.sql` / `.down.sql`,
      goose and dbmate `{NNN}_{description}.sql`, diesel
      `{YYYY-MM-DD-HHMMSS}_{description}/up.sql` and Prisma
      `{stamp}_{description}/migration.sql`.

    ## Notes
    Reported once per file, on its first statement. Looks at the file name
    (and its directory) only. A Markdown schema document (`.md`) is no
    migration and is never reported.
    """

    code = "M013"
    slug = "migration-file-name-nonstandard"
    severity = "warning"
    tags = ("migration", "files")
    options = (Option("pattern", str, DEFAULT_FILE_PATTERN, "Regular expression for migration file names."),)

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        if not is_first_statement(ctx):
            return
        path = Path(ctx.path)
        if path.suffix.lower() in (".md", ".markdown"):
            return
        name = path.name
        if any(re.search(self.opts["pattern"], text) for text in (name, f"{path.parent.name}/{name}")):
            return
        yield self.finding(
            f"Migration file name {name} is in no migration tool's layout; expected "
            "V{version}__{description}.sql or {NNN}_{description}.up.sql (or the pattern configured).",
            object=ctx.path,
            location=statement.location,
            help=f"git mv {ctx.path} {Path(ctx.path).with_name(_suggest(name))}",
        )


def _suggest(name: str) -> str:
    digits = re.match(r"^\D*(\d+)", name)
    version = digits.group(1) if digits else "1"
    words = re.sub(r"^\D*\d+", "", Path(name).stem) if digits else Path(name).stem
    description = re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").lower() or "migration"
    return f"V{int(version)}__{description}.sql"


class MigrationWithoutDown(StatementRule):
    """An up migration (`{NNN}_{description}.up.sql`) has no matching `.down.sql` file.

    ## Why
    With the up/down naming style, the tool (golang-migrate, dbmate-style
    runners) rolls back by running the down file. Without one, a failed
    deploy cannot be rolled back the way the team expects.

    ## Bad
    ```sql
    -- file: 000042_add_orders.up.sql (and no 000042_add_orders.down.sql)
    CREATE TABLE orders (id uuid PRIMARY KEY);
    ```

    ## Good
    ```sql
    -- file: 000042_add_orders.up.sql, next to 000042_add_orders.down.sql
    CREATE TABLE orders (id uuid PRIMARY KEY);
    ```

    ## Notes
    Only files named in the up/down style are checked, once per file on the
    first statement. The rule checks whether the sibling down file exists in
    the up file's directory (one stat call; the only I/O of any rule besides
    M013's look at the name). Not checked when the file is not on disk
    (standard input).
    """

    code = "M014"
    slug = "migration-without-down"
    severity = "warning"
    tags = ("migration", "files")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        if not is_first_statement(ctx):
            return
        path = Path(ctx.path)
        match = _UP_FILE.match(path.name)
        if match is None or not path.is_file():
            return
        down = path.with_name(f"{match.group(1)}.down.sql")
        if down.exists():
            return
        yield self.finding(
            f"Up migration {path.name} has no down migration; expected {down.name} next to it.",
            object=ctx.path,
            location=statement.location,
            help=f"Create {down} with the statements that undo {path.name} "
            "(DROP … IF EXISTS, in reverse order).",
        )


_DROPPED_KINDS = {
    pb.OBJECT_VIEW: ("view", "views"),
    pb.OBJECT_MATVIEW: ("materialized view", "views"),
    pb.OBJECT_FUNCTION: ("function", "functions"),
    pb.OBJECT_PROCEDURE: ("procedure", "functions"),
    pb.OBJECT_ROUTINE: ("routine", "functions"),
    pb.OBJECT_SEQUENCE: ("sequence", "sequences"),
    pb.OBJECT_TYPE: ("type", "enums"),
    pb.OBJECT_DOMAIN: ("domain", "domains"),
    pb.OBJECT_EXTENSION: ("extension", "extensions"),
}
_LOOSENED = {
    pb.AT_DropNotNull: "NOT NULL of column",
    pb.AT_ColumnDefault: "default of column",
    pb.AT_DropExpression: "generated expression of column",
    pb.AT_DropConstraint: "constraint",
}
_LOOSENING = frozenset(_LOOSENED)


def _dropped_name(obj: Any) -> str:
    node = unwrap(obj)
    if isinstance(node, pb.String):
        return str(node.sval)
    if isinstance(node, pb.TypeName):
        return ".".join(strings(node.names))
    if isinstance(node, pb.ObjectWithArgs):
        return ".".join(strings(node.objname))
    return ".".join(strings(node.items))


class ObjectDroppedOrMoved(StatementRule):
    """An object running code relies on (a view, function, type, constraint, NOT NULL…) is dropped or moved.

    ## Why
    Running code depends on more than tables and columns: it selects from
    views, calls functions, reads sequences, casts to types, relies on a
    default to fill a column it does not write, on NOT NULL to never read a
    NULL, on a constraint to keep bad rows out, and names tables with their
    schema. Dropping or moving any of those breaks the release still running.

    ## Bad
    ```sql
    DROP VIEW active_orders;
    ```

    ## Good
    ```sql
    -- after the application stopped using it:
    -- schemalint: ignore[M024] unused since release 41
    DROP VIEW active_orders;
    ```

    ## Notes
    Reported for `DROP VIEW`, `MATERIALIZED VIEW`, `FUNCTION`, `PROCEDURE`,
    `SEQUENCE`, `TYPE`, `DOMAIN`, `EXTENSION` (not `IF EXISTS` of one no
    migration declared), for `ALTER TABLE … DROP CONSTRAINT`, `ALTER COLUMN …
    DROP NOT NULL`, `DROP DEFAULT` and `DROP EXPRESSION` on an existing table,
    and for `ALTER TABLE … SET SCHEMA`. Dropped tables and columns are M009
    and M004.
    """

    code = "M024"
    kinds = frozenset({"drop_stmt", "alter_table_stmt", "alter_object_schema_stmt"})
    slug = "object-dropped-or-moved"
    severity = "warning"
    tags = ("migration", "compatibility", "destructive")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        node, kind = statement.node, statement.kind
        if kind == "drop_stmt":
            yield from self._drops(statement, state)
        elif kind == "alter_object_schema_stmt":
            if node.object_type != pb.OBJECT_TABLE:
                return
            table = statement_file(ctx).table_name(node.relation, state)
            if statement_file(ctx).is_new(table) or (node.missing_ok and table not in state.tables):
                return
            yield self.finding(
                f"Table {table} is moved to schema {node.newschema}; running code that names {table} fails.",
                object=table,
                fact=f"set schema {node.newschema}",
                location=statement.location,
                help="Move it once no deployed code names the old schema, or leave a view behind: "
                f"CREATE VIEW {sql_name(table)} AS SELECT * FROM "
                f"{quote_ident(node.newschema)}.{quote_ident(node.relation.relname)};",
            )
        elif node.objtype == pb.OBJECT_TABLE and not _LOOSENING.isdisjoint(alter_subtypes(node)):
            target = existing_table(statement, state, ctx)
            if target is None:
                return
            for cmd in alter_cmds(node):
                what = _LOOSENED.get(cmd.subtype)
                if what is None or (cmd.subtype == pb.AT_ColumnDefault and cmd.HasField("def")):
                    continue  # SET DEFAULT is AT_ColumnDefault with an expression
                if cmd.subtype == pb.AT_DropConstraint and cmd.missing_ok and target[1] is None:
                    continue
                name = f"{target[0]}.{cmd.name}"
                yield self.finding(
                    f"The {what} {name} is dropped; running code that relies on it breaks.",
                    object=name,
                    fact=what.split()[0].lower(),
                    location=statement.location,
                    help="Drop it once no deployed code relies on it, with "
                    "`-- schemalint: ignore[M024] <reason>` before the statement.",
                )

    def _drops(self, statement: Statement, state: Model) -> Iterator[Finding]:
        node = statement.node
        kind = _DROPPED_KINDS.get(node.remove_type)
        if kind is None:
            return
        noun, field = kind
        known = {qualname.rpartition(".")[2].partition("(")[0] for qualname in getattr(state, field)}
        for obj in node.objects:
            name = _dropped_name(obj)
            if node.missing_ok and name.rpartition(".")[2] not in known:
                continue
            yield self.finding(
                f"The {noun} {name} is dropped; running code that uses it fails.",
                object=name,
                fact=noun,
                location=statement.location,
                help=f"Stop using {name} in the application and deploy first; then drop it with "
                "`-- schemalint: ignore[M024] <reason>` before the statement.",
            )


COMPAT_RULES: tuple[type[Rule], ...] = (
    ColumnDropped,
    ColumnOrTableRenamed,
    TableDropped,
    NonIdempotentSeedInsert,
    MigrationFileNameNonstandard,
    MigrationWithoutDown,
    ObjectDroppedOrMoved,
)
