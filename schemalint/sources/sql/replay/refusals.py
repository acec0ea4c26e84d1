"""What PostgreSQL refuses: references to relations, columns and functions that do not exist.

A statement that names a column, table or trigger function the model does not
have is refused by PostgreSQL, which then leaves everything as it was. These
checks raise Refused with PostgreSQL's own error text (the primary message, as
PostgreSQL 15 words it), so that the E001 finding says what the server would
say, and the Replayer undoes whatever the statement's handler changed already.
Each check refuses only what the model can know: a trigger function in a schema
where an extension may have put it is not refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from schemalint.exprnorm import column_refs
from schemalint.model import Table
from schemalint.sources.sql.replay.nodes import pb, strings
from schemalint.sources.sql.replay.state import Refused, Replay

# columns every table has besides its own (PostgreSQL 15)
SYSTEM_COLUMNS = frozenset({"tableoid", "ctid", "xmin", "xmax", "cmin", "cmax"})
# trigger functions PostgreSQL ships in pg_catalog
BUILTIN_TRIGGER_FUNCTIONS = frozenset(
    {"tsvector_update_trigger", "tsvector_update_trigger_column", "suppress_redundant_updates_trigger"}
)
# what follows a column name in an index key without making it an expression
_ORDERING = (" DESC", " NULLS FIRST", " NULLS LAST")


def written(rangevar: pb.RangeVar) -> str:
    """A relation's name as the statement wrote it, as PostgreSQL's errors print it."""
    return f"{rangevar.schemaname}.{rangevar.relname}" if rangevar.schemaname else rangevar.relname


def relation(r: Replay, rangevar: pb.RangeVar) -> str:
    """The qualname of the relation a RangeVar names; refused when there is none."""
    qualname = r.relation(rangevar)
    if not r.relation_exists(qualname):
        raise Refused(f'relation "{written(rangevar)}" does not exist')
    return qualname


def _referenced(expression: Any, table_name: str) -> Iterator[str]:
    """The column names an expression uses, in order (not those of sub-selects, not system
    columns, not a whole-row reference to the table itself)."""
    for ref in column_refs(expression, into_subqueries=False):
        if len(ref.fields) == 1 and ref.fields[0].WhichOneof("node") == "string":
            name = str(ref.fields[0].string.sval)
            if name not in SYSTEM_COLUMNS and name != table_name:
                yield name


def _columns_exist(expression: Any, table: Table) -> None:
    for name in _referenced(expression, table.name):
        if table.column(name) is None:
            raise Refused(f'column "{name}" does not exist')


# -- constraints ------------------------------------------------------------------------------------


def check_columns(table: Table, c: pb.Constraint) -> None:
    """A CHECK constraint's expression uses only the table's columns."""
    _columns_exist(c.raw_expr, table)


def key_columns(r: Replay, table: Table, c: pb.Constraint) -> None:
    """The columns of a PRIMARY KEY, UNIQUE or EXCLUDE constraint (and its INCLUDE list) exist.
    ALTER TABLE … ADD PRIMARY KEY sets its columns NOT NULL first, which words the error so."""
    elements = [pair.list.items[0].index_elem for pair in c.exclusions]
    for element in elements:
        if not element.name:
            _columns_exist(element.expr, table)
    keys = strings(c.keys) + tuple(e.name for e in elements if e.name)
    altering = r.statement is not None and r.statement.kind != "create_stmt"
    for name in keys + strings(c.including):
        if table.column(name) is None:
            if altering and c.contype == pb.CONSTR_PRIMARY and name in keys:
                raise Refused(f'column "{name}" of relation "{table.name}" does not exist')
            raise Refused(f'column "{name}" named in key does not exist')


def keys_before_checks(r: Replay, table: Table, constraints: Iterable[pb.Constraint]) -> None:
    """CREATE TABLE's keys, checked before its CHECK constraints (which replay adds first, to name
    them as PostgreSQL does), as PostgreSQL checks them."""
    for c in constraints:
        if c.contype in (pb.CONSTR_PRIMARY, pb.CONSTR_UNIQUE, pb.CONSTR_EXCLUSION) and not c.indexname:
            key_columns(r, table, c)


def foreign_key_target(r: Replay, table: Table, c: pb.Constraint) -> tuple[str, tuple[str, ...]]:
    """The referenced table and columns of a foreign key, checked as PostgreSQL checks them, in
    its order: the referenced table, the referencing columns, the referenced columns (or the
    primary key), a unique constraint on them, the number of columns."""
    ref_qualname = relation(r, c.pktable)
    ref = r.state.tables.get(ref_qualname)
    if ref is None or ref.kind == "foreign table":
        raise Refused(f'referenced relation "{c.pktable.relname}" is not a table')
    columns = strings(c.fk_attrs)
    ref_columns = strings(c.pk_attrs)
    for name, owner in [*((n, table) for n in columns), *((n, ref) for n in ref_columns)]:
        if owner.column(name) is None:
            raise Refused(f'column "{name}" referenced in foreign key constraint does not exist')
    if not ref_columns:
        pk = ref.primary_key
        if pk is None:
            raise Refused(f'there is no primary key for referenced table "{ref.name}"')
        ref_columns = pk.columns
    else:
        _unique_key(ref, ref_columns)
    if len(columns) != len(ref_columns):
        raise Refused("number of referencing and referenced columns for foreign key disagree")
    return ref_qualname, ref_columns


def _unique_key(ref: Table, columns: tuple[str, ...]) -> None:
    """Refused when no unique index of the referenced table (not partial, of plain columns) has
    exactly these columns; passes when the model cannot tell (a key that is an expression)."""
    wanted = set(columns)
    if len(wanted) != len(columns):
        return  # PostgreSQL says something else about a repeated column
    deferrable = {c.name for c in ref.constraints if c.deferrable}
    matches: list[bool] = []  # deferrable or not, per matching index
    for index in ref.indexes:
        if not index.unique or index.predicate is not None or index.method != "btree":
            continue
        keys = [_plain_column(ref, key) for key in index.keys]
        if None in keys:
            return
        if set(keys) == wanted and len(keys) == len(wanted):
            matches.append(index.constraint in deferrable)
    if not matches:
        raise Refused(f'there is no unique constraint matching given keys for referenced table "{ref.name}"')
    if all(matches):
        raise Refused(f'cannot use a deferrable unique constraint for referenced table "{ref.name}"')


def _plain_column(table: Table, key: str) -> str | None:
    """The column an index key is, when it is one (ordering aside), else None."""
    while table.column(key) is None:
        suffix = next((s for s in _ORDERING if key.endswith(s)), None)
        if suffix is None:
            return None
        key = key.removesuffix(suffix)
    return key


# -- indexes, triggers ------------------------------------------------------------------------------


def index_columns(r: Replay, owner: str, stmt: pb.IndexStmt) -> None:
    """CREATE INDEX uses only columns of its table (or of its materialized view, when the model
    knows the view's columns), checked in PostgreSQL's order: expressions, the predicate, then
    the plain keys and the INCLUDE columns."""
    table = r.state.tables.get(owner)
    if table is not None:
        name, known = table.name, {c.name for c in table.columns}
    else:
        view = r.state.views.get(owner)
        if view is None or not view.columns:
            return
        name, known = view.name, set(view.columns)
    elements = [p.index_elem for p in stmt.index_params]
    expressions = [e.expr for e in elements if not e.name]
    if stmt.HasField("where_clause"):
        expressions.append(stmt.where_clause)
    for expression in expressions:
        for column in _referenced(expression, name):
            if column not in known:
                raise Refused(f'column "{column}" does not exist')
    for element in [*elements, *(p.index_elem for p in stmt.index_including_params)]:
        if element.name and element.name not in known:
            raise Refused(f'column "{element.name}" does not exist')


def trigger_target(r: Replay, stmt: pb.CreateTrigStmt) -> str:
    """The qualname of a trigger's table or view, after PostgreSQL's checks: the relation exists,
    its function exists (where the model can know), the UPDATE OF columns exist."""
    qualname = relation(r, stmt.relation)
    names = strings(stmt.funcname)
    schemas = [names[-2]] if len(names) > 1 else [*r.search_path, "pg_catalog"]
    s = r.state
    known = (
        ("pg_catalog" in schemas and (names[-1] in BUILTIN_TRIGGER_FUNCTIONS or len(schemas) == 1))
        or any(f"{schema}.{names[-1]}()" in s.functions for schema in schemas)
        or any(e.schema in schemas for e in s.extensions.values())
    )
    if not known:
        raise Refused(f"function {'.'.join(names)}() does not exist")
    table = s.tables.get(qualname)
    if table is not None:
        for name in strings(stmt.columns):
            if table.column(name) is None:
                raise Refused(f'column "{name}" of relation "{table.name}" does not exist')
    return qualname


# -- drops ------------------------------------------------------------------------------------------


def _described(r: Replay, table: Table) -> str:
    """A table as PostgreSQL's object descriptions name it: qualified when not visible."""
    visible = r.resolve("", table.name, r.relation_exists) == table.qualname
    return table.name if visible else table.qualname


def table_dependents(r: Replay, dropping: set[str]) -> None:
    """DROP TABLE without CASCADE: no foreign key of a table that stays references one of them
    (a table's partitions go with it; its own foreign keys to itself do not hold it)."""
    going = set(dropping)
    while True:
        more = {t.qualname for t in r.state.tables.values() if t.partition_of in going} - going
        if not more:
            break
        going |= more
    for other in r.state.tables.values():
        if other.qualname in going:
            continue
        for fk in other.foreign_keys:
            table = r.state.tables.get(fk.ref_table or "")
            if table is not None and table.qualname in dropping:
                raise Refused(f"cannot drop table {_described(r, table)} because other objects depend on it")


def column_dependents(r: Replay, table: Table, column: str) -> None:
    """ALTER TABLE … DROP COLUMN without CASCADE: no foreign key references the column (one of the
    table's own that is also on the column goes with it)."""
    for other in r.state.tables.values():
        for fk in other.foreign_keys:
            if fk.ref_table != table.qualname or column not in fk.ref_columns:
                continue
            if other.qualname == table.qualname and column in fk.columns:
                continue
            described = f"column {column} of table {_described(r, table)}"
            raise Refused(f"cannot drop {described} because other objects depend on it")
