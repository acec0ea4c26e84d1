"""Migration safety, part two: table rewrites and full-table scans under lock (M003, M006–M008).

A table created earlier in the same file is empty: rewriting or scanning it
costs nothing, so statements on it are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemalint.model import Table
from schemalint.rules.astutil import (
    alter_cmds,
    cmd_def,
    column_refs,
    conjuncts,
    deparse_node,
    existing_table,
    function_names,
    is_not_null_test,
    parse_expression,
    pb,
    quote_ident,
    sql_name,
    strings,
    unwrap,
)
from schemalint.rules.base import Finding, Model, Rule, Statement, StatementContext, StatementRule

# built-in functions PostgreSQL marks STABLE or IMMUTABLE (every overload), as used in defaults; any other
# function no migration declares counts as VOLATILE, PostgreSQL's default for CREATE FUNCTION
NON_VOLATILE_BUILTINS = frozenset(
    """
    now transaction_timestamp statement_timestamp current_setting current_database current_schema
    current_schemas version timezone date_trunc date_part date_bin extract make_date make_time
    make_timestamp make_timestamptz make_interval to_char to_date to_timestamp to_number justify_days
    justify_hours justify_interval isfinite lower upper initcap length char_length octet_length
    bit_length btrim trim ltrim rtrim lpad rpad left right substr substring replace translate
    reverse repeat split_part strpos position concat concat_ws format quote_ident quote_literal
    quote_nullable md5 sha224 sha256 sha384 sha512 encode decode convert_to convert_from to_hex
    ascii chr regexp_replace regexp_substr regexp_match regexp_count abs ceil ceiling floor round
    trunc sign mod power sqrt exp ln log div width_bucket gcd lcm int2 int4 int8 float4 float8
    numeric text bool jsonb_build_object jsonb_build_array json_build_object json_build_array
    to_jsonb to_json jsonb_object json_object jsonb_typeof jsonb_strip_nulls jsonb_set
    array_to_string string_to_array array_length array_append array_prepend array_cat array_remove
    array_fill cardinality to_tsvector to_tsquery setweight host family netmask broadcast
    inet_client_addr age date
    """.split()
)
SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


class ColumnAddedWithVolatileDefault(StatementRule):
    """A column is added to an existing table with a volatile default, which rewrites the table.

    ## Why
    Since PostgreSQL 11 a column added with a constant (or stable, like
    `now()`) default is instant. A volatile default — `gen_random_uuid()`,
    `random()`, `clock_timestamp()`, a serial or identity column (`nextval`)
    — and a `GENERATED ALWAYS AS (…) STORED` column must be computed for
    every row: the whole table is rewritten under an ACCESS EXCLUSIVE lock.
    Before PostgreSQL 11 every default did that.

    ## Bad
    ```sql
    ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
    ```

    ## Good
    ```sql
    ALTER TABLE orders ADD COLUMN public_id uuid;
    ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();
    ```

    ## Notes
    Then backfill existing rows in batches. `now()` and `CURRENT_TIMESTAMP`
    are stable, not volatile: evaluated once, stored in the catalog, no
    rewrite (measured on PostgreSQL 15: the relfilenode does not change).
    A function defined in the migrations counts by its declared volatility;
    any other function is volatile (PostgreSQL's default) unless it is a
    built-in known to be stable or immutable (`lower`, `to_char`,
    `jsonb_build_object`, …). Columns added to tables created earlier in the
    same file are not reported.
    """

    code = "M003"
    kinds = frozenset({"alter_table_stmt"})
    slug = "column-added-with-volatile-default"
    severity = "error"
    tags = ("migration", "locking", "rewrite")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        target = existing_table(statement, state, ctx)
        if target is None:
            return
        added = [cmd_def(cmd) for cmd in alter_cmds(statement.node) if cmd.subtype == pb.AT_AddColumn]
        if not added:
            return
        declared: dict[str, bool] = {}  # function name → some overload the migrations declare is volatile
        for function in state.functions.values():
            name = function.name.lower()
            declared[name] = declared.get(name, False) or function.volatility == "volatile"
        for column in added:
            reason, default = self._rewrite_reason(column, declared, ctx.target_postgres)
            if reason is None:
                continue
            relation = statement.node.relation
            if default is not None:
                help = _add_column_help(relation, column, default)
            elif reason.startswith("GENERATED ALWAYS"):
                help = _generated_help(relation, column)
            else:
                help = _serial_help(relation, column)
            yield self.finding(
                f"Column {target[0]}.{column.colname} is added with {reason}; every row of the existing "
                "table is rewritten under an ACCESS EXCLUSIVE lock. Expected no default (or a constant one).",
                object=f"{target[0]}.{column.colname}",
                location=statement.location,
                help=help,
            )

    @staticmethod
    def _rewrite_reason(column: Any, declared: dict[str, bool], target: int) -> tuple[str | None, Any]:
        type_name = strings(column.type_name.names)[-1:] if column.HasField("type_name") else []
        if type_name and type_name[0].lower() in SERIAL_TYPES:
            return f"type {type_name[0]} (a nextval() default)", None
        for raw in column.constraints:
            constraint = unwrap(raw)
            if constraint.contype == pb.CONSTR_IDENTITY:
                return "GENERATED AS IDENTITY (a nextval() default)", None
            if constraint.contype == pb.CONSTR_GENERATED:
                return f"GENERATED ALWAYS AS ({deparse_node(constraint.raw_expr)}) STORED", None
            if constraint.contype != pb.CONSTR_DEFAULT:
                continue
            expr = unwrap(constraint.raw_expr)
            calls = sorted(
                name for name in function_names(expr) if declared.get(name, name not in NON_VOLATILE_BUILTINS)
            )
            if calls:
                return f"the volatile default {deparse_node(expr)}", constraint.raw_expr
            if target < 11:
                return f"a default ({deparse_node(expr)}) on PostgreSQL {target}", constraint.raw_expr
        return None, None


def _add_column_help(relation: Any, column: Any, default: Any) -> str:
    bare = pb.ColumnDef()
    bare.CopyFrom(column)
    del bare.constraints[:]
    kept = [
        c
        for c in column.constraints
        if unwrap(c).contype not in (pb.CONSTR_DEFAULT, pb.CONSTR_IDENTITY, pb.CONSTR_NOTNULL)
    ]
    bare.constraints.extend(kept)
    if bare.type_name.names and strings(bare.type_name.names)[-1].lower() in SERIAL_TYPES:
        big = strings(bare.type_name.names)[-1].lower() in ("bigserial", "serial8")
        bare.type_name.CopyFrom(
            pb.TypeName(names=[pb.Node(string=pb.String(sval="bigint" if big else "integer"))])
        )
    add = pb.AlterTableStmt(
        relation=relation,
        objtype=pb.OBJECT_TABLE,
        cmds=[
            pb.Node(
                alter_table_cmd=pb.AlterTableCmd(subtype=pb.AT_AddColumn, **{"def": pb.Node(column_def=bare)})
            )
        ],
    )
    text = deparse_node(add, "alter_table_stmt") + ";"
    if default is not None:
        set_default = pb.AlterTableStmt(
            relation=relation,
            objtype=pb.OBJECT_TABLE,
            cmds=[
                pb.Node(
                    alter_table_cmd=pb.AlterTableCmd(
                        subtype=pb.AT_ColumnDefault, name=column.colname, **{"def": default}
                    )
                )
            ],
        )
        text += " " + deparse_node(set_default, "alter_table_stmt") + ";"
    return text + " Then backfill existing rows in batches."


def _generated_help(relation: Any, column: Any) -> str:
    table = sql_name(
        relation.schemaname + "." + relation.relname if relation.schemaname else relation.relname
    )
    return (
        f"ALTER TABLE {table} ADD COLUMN {quote_ident(column.colname)} {_type_text(column)}; keep it current "
        "with a trigger (or the application), then backfill existing rows in batches."
    )


def _serial_help(relation: Any, column: Any) -> str:
    table = sql_name(
        relation.schemaname + "." + relation.relname if relation.schemaname else relation.relname
    )
    col = quote_ident(column.colname)
    seq = quote_ident(f"{relation.relname}_{column.colname}_seq"[:63])
    return (
        f"ALTER TABLE {table} ADD COLUMN {col} bigint; CREATE SEQUENCE {seq} OWNED BY {table}.{col}; "
        f"ALTER TABLE {table} ALTER COLUMN {col} SET DEFAULT nextval('{seq}'); "
        "Then backfill existing rows in batches."
    )


_SAFE_TEXT = ("character varying", "text")


def _new_type(column_def: Any) -> tuple[str, tuple[int, ...]]:
    """(base name as format_type spells it, integer type modifiers) of a type in ALTER COLUMN TYPE."""
    names = strings(column_def.type_name.names)
    base = names[-1].lower() if names else ""
    base = {"varchar": "character varying", "decimal": "numeric"}.get(base, base)
    mods = []
    for mod in column_def.type_name.typmods:
        const = unwrap(mod)
        if isinstance(const, pb.A_Const) and const.WhichOneof("val") == "ival":
            mods.append(const.ival.ival)
    return base, tuple(mods)


def _old_type(text: str) -> tuple[str, tuple[int, ...]]:
    base, _, rest = text.partition("(")
    mods = tuple(int(part) for part in rest.rstrip(")").split(",") if part.strip().isdigit()) if rest else ()
    return base.strip(), mods


def _binary_compatible(old_text: str, column_def: Any) -> bool:
    """True for type changes PostgreSQL makes without a rewrite (varchar/text widening, numeric precision)."""
    if column_def.HasField("raw_default"):
        return False  # a USING expression
    (old, old_mods), (new, new_mods) = _old_type(old_text), _new_type(column_def)
    if old in _SAFE_TEXT and new in _SAFE_TEXT:
        return not new_mods or (bool(old_mods) and new_mods[0] >= old_mods[0])
    if old == new == "numeric":
        if not new_mods:
            return True
        if not old_mods:
            return False
        old_scale = old_mods[1] if len(old_mods) > 1 else 0
        new_scale = new_mods[1] if len(new_mods) > 1 else 0
        return new_scale == old_scale and new_mods[0] >= old_mods[0]
    return False


class ColumnTypeChanged(StatementRule):
    """The type of a column of an existing table is changed.

    ## Why
    Most type changes rewrite the whole table and every index on it under an
    ACCESS EXCLUSIVE lock: no reads, no writes, for as long as the rewrite
    takes. Running code may also not expect the new type.

    ## Bad
    ```sql
    ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;
    ```

    ## Good
    ```sql
    ALTER TABLE orders ADD COLUMN quantity_big bigint;
    -- backfill quantity_big in batches, switch the application, then drop quantity
    ```

    ## Notes
    Changes PostgreSQL makes without a rewrite are not reported: varchar(n)
    to a longer varchar, to varchar or to text, and numeric(p,s) to a larger
    precision with the same scale (when the old type is known from the
    migrations before). Columns of tables created earlier in the same file
    are not reported.
    """

    code = "M006"
    kinds = frozenset({"alter_table_stmt"})
    slug = "column-type-changed"
    severity = "error"
    tags = ("migration", "locking", "rewrite")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        target = existing_table(statement, state, ctx)
        if target is None:
            return
        name, table = target
        for cmd in alter_cmds(statement.node):
            if cmd.subtype != pb.AT_AlterColumnType:
                continue
            column_def = cmd_def(cmd)
            column = table.column(cmd.name) if table else None
            if column is not None and _binary_compatible(column.type, column_def):
                continue
            new = _type_text(column_def)
            old = column.type if column else "its current type"
            col = quote_ident(cmd.name)
            shadow = quote_ident(f"{cmd.name}_new"[:63])
            yield self.finding(
                f"Column {name}.{cmd.name} changes type from {old} to {new}; the table and its indexes are "
                "rewritten under an ACCESS EXCLUSIVE lock.",
                object=f"{name}.{cmd.name}",
                location=statement.location,
                fact=new,
                help=f"ALTER TABLE {sql_name(name)} ADD COLUMN {shadow} {new}; then backfill {shadow} from "
                f"{col} in batches, switch the application to it, and drop {col} in a later release.",
            )


def _type_text(column_def: Any) -> str:
    """The new type as written (deparsed from an ALTER COLUMN … TYPE)."""
    probe = pb.AlterTableStmt(
        relation=pb.RangeVar(relname="t", inh=True),
        objtype=pb.OBJECT_TABLE,
        cmds=[
            pb.Node(
                alter_table_cmd=pb.AlterTableCmd(
                    subtype=pb.AT_AddColumn,
                    **{"def": pb.Node(column_def=pb.ColumnDef(colname="c", type_name=column_def.type_name))},
                )
            )
        ],
    )
    return deparse_node(probe, "alter_table_stmt").removeprefix("ALTER TABLE t ADD COLUMN c ")


def _constraint_name(table: str, constraint: Any) -> str:
    """The constraint's name, or the one PostgreSQL would choose for it."""
    if constraint.conname:
        return str(constraint.conname)
    short = table.split(".")[-1]
    if constraint.contype == pb.CONSTR_FOREIGN:
        return f"{short}_{'_'.join(strings(constraint.fk_attrs))}_fkey"[:63]
    columns = sorted(column_refs(constraint.raw_expr))
    return f"{short}_{columns[0] if columns else 'check'}_check"[:63]


class ConstraintAddedWithoutNotValid(StatementRule):
    """A foreign key or CHECK constraint is added to an existing table without NOT VALID.

    ## Why
    Adding a validated constraint scans the whole table while holding a lock
    that blocks writes (and for a foreign key, writes to the referenced table
    too). `ADD CONSTRAINT … NOT VALID` is instant and enforces the constraint
    for new rows; `VALIDATE CONSTRAINT` then checks old rows under a lock
    that blocks neither reads nor writes.

    ## Bad
    ```sql
    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey
        FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT;
    ```

    ## Good
    ```sql
    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey
        FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;
    ```

    ## Notes
    Also reported: a column added to an existing table with an inline
    REFERENCES or CHECK. Constraints on tables created earlier in the same
    file are not reported.
    """

    code = "M007"
    kinds = frozenset({"alter_table_stmt"})
    slug = "constraint-added-without-not-valid"
    severity = "error"
    tags = ("migration", "locking", "constraints")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        target = existing_table(statement, state, ctx)
        if target is None:
            return
        name = target[0]
        for cmd in alter_cmds(statement.node):
            if cmd.subtype == pb.AT_AddConstraint:
                constraint = cmd_def(cmd)
                if (
                    constraint.contype in (pb.CONSTR_FOREIGN, pb.CONSTR_CHECK)
                    and not constraint.skip_validation
                ):
                    yield self._finding(statement, name, constraint)
            elif cmd.subtype == pb.AT_AddColumn:
                for raw in cmd_def(cmd).constraints:
                    constraint = unwrap(raw)
                    if constraint.contype in (pb.CONSTR_FOREIGN, pb.CONSTR_CHECK):
                        yield self._inline_finding(statement, name, cmd_def(cmd), constraint)

    def _finding(self, statement: Statement, table: str, constraint: Any) -> Finding:
        kind = "FOREIGN KEY" if constraint.contype == pb.CONSTR_FOREIGN else "CHECK"
        conname = _constraint_name(table, constraint)
        fixed = pb.Constraint()
        fixed.CopyFrom(constraint)
        fixed.skip_validation = True
        fixed.initially_valid = False
        fixed.conname = conname
        add = pb.AlterTableStmt(
            relation=statement.node.relation,
            objtype=pb.OBJECT_TABLE,
            cmds=[
                pb.Node(
                    alter_table_cmd=pb.AlterTableCmd(
                        subtype=pb.AT_AddConstraint, **{"def": pb.Node(constraint=fixed)}
                    )
                )
            ],
        )
        return self.finding(
            f"{kind} constraint {table}.{conname} is added to existing table {table} without NOT VALID; "
            "validating it scans the table while writes are blocked.",
            object=f"{table}.{conname}",
            location=statement.location,
            help=f"{deparse_node(add, 'alter_table_stmt')}; "
            f"ALTER TABLE {sql_name(table)} VALIDATE CONSTRAINT {quote_ident(conname)};",
        )

    def _inline_finding(self, statement: Statement, table: str, column: Any, constraint: Any) -> Finding:
        kind = "REFERENCES" if constraint.contype == pb.CONSTR_FOREIGN else "CHECK"
        if constraint.contype == pb.CONSTR_FOREIGN and not constraint.fk_attrs:
            constraint = _with_fk_column(constraint, column.colname)
        conname = _constraint_name(table, constraint)
        return self.finding(
            f"Column {table}.{column.colname} is added to existing table {table} with an inline {kind} "
            "constraint, validated while writes are blocked.",
            object=f"{table}.{conname}",
            location=statement.location,
            help=f"Add the column without the constraint, then ALTER TABLE {sql_name(table)} ADD CONSTRAINT "
            f"{quote_ident(conname)} … NOT VALID; ALTER TABLE {sql_name(table)} VALIDATE CONSTRAINT "
            f"{quote_ident(conname)};",
        )


def _with_fk_column(constraint: Any, column: str) -> Any:
    named = pb.Constraint()
    named.CopyFrom(constraint)
    named.fk_attrs.append(pb.Node(string=pb.String(sval=column)))
    return named


class NotNullSetOnExistingColumn(StatementRule):
    """SET NOT NULL on a column of an existing table, without a validated IS NOT NULL check.

    ## Why
    `ALTER COLUMN … SET NOT NULL` scans the whole table under an ACCESS
    EXCLUSIVE lock to prove there is no NULL. Since PostgreSQL 12 the scan
    is skipped when a validated `CHECK (column IS NOT NULL)` exists, and that
    check can be added NOT VALID and validated without blocking anyone.

    ## Bad
    ```sql
    ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
    ```

    ## Good
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid);  -- an earlier migration
    ```
    ```sql
    ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null
        CHECK (customer_id IS NOT NULL) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;
    ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
    ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;
    ```

    ## Notes
    Not reported when the table was created earlier in the same file, or when
    the migrations before it validated such a check.
    """

    code = "M008"
    kinds = frozenset({"alter_table_stmt"})
    slug = "not-null-set-on-existing-column"
    severity = "error"
    tags = ("migration", "locking")

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        target = existing_table(statement, state, ctx)
        if target is None:
            return
        name, table = target
        for cmd in alter_cmds(statement.node):
            if cmd.subtype != pb.AT_SetNotNull or (table and _has_not_null_check(table, cmd.name)):
                continue
            t, col = sql_name(name), quote_ident(cmd.name)
            check = quote_ident(f"{name.split('.')[-1]}_{cmd.name}_not_null"[:63])
            yield self.finding(
                f"SET NOT NULL on {name}.{cmd.name} scans existing table {name} under an ACCESS EXCLUSIVE "
                f"lock; expected a validated CHECK ({cmd.name} IS NOT NULL) first.",
                object=f"{name}.{cmd.name}",
                location=statement.location,
                help=f"ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID; "
                f"ALTER TABLE {t} VALIDATE CONSTRAINT {check}; "
                f"ALTER TABLE {t} ALTER COLUMN {col} SET NOT NULL; ALTER TABLE {t} DROP CONSTRAINT {check};",
            )


def _has_not_null_check(table: Table, column: str) -> bool:
    for constraint in table.constraints:
        if constraint.kind != "check" or not constraint.validated or constraint.expression is None:
            continue
        if any(is_not_null_test(term, column) for term in conjuncts(parse_expression(constraint.expression))):
            return True
    return False


REWRITE_RULES: tuple[type[Rule], ...] = (
    ColumnAddedWithVolatileDefault,
    ColumnTypeChanged,
    ConstraintAddedWithoutNotValid,
    NotNullSetOnExistingColumn,
)
