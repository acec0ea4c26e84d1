"""Differences → an SQL script that would bring the live database to the declared schema.

schemalint never runs it. Statements come in dependency order: drops first,
dependants before what they depend on (policies, triggers, views, indexes,
foreign keys, … schemas), then creates and changes, containers before their
contents (schemas, extensions, types, sequences, functions, tables, columns,
constraints, foreign keys, indexes, views, triggers, policies, RLS, comments).
Each statement is labelled with the lock it takes and what it does to the
table (steps.lock_of): ``-- safe``, ``-- BLOCKS WRITES`` (a write-blocking
lock on an existing table is never "safe") or ``-- UNSAFE: <why>``; unsafe
statements are commented out unless ``unsafe=True``. Indexes on existing
tables are built and dropped CONCURRENTLY, foreign keys and checks added NOT
VALID and validated after, and the script sets lock_timeout. Statements are
meant to be run one at a time (psql's default), not as a single transaction:
CONCURRENTLY cannot run inside one, and a value added to an enum cannot be
used in the transaction that adds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from collections.abc import Sequence as Seq
from dataclasses import replace
from typing import cast

from schemalint import sqlgen
from schemalint.drift.diff import POSITION, Difference
from schemalint.drift.reconcile import changes, steps
from schemalint.drift.reconcile.steps import Step
from schemalint.model import (
    Collation,
    Constraint,
    Domain,
    Enum,
    Function,
    Index,
    Model,
    Policy,
    Sequence,
    Table,
    Trigger,
    View,
)
from schemalint.sqlgen import literal, qname
from schemalint.typenorm import quote_ident

LOCK_TIMEOUT = "5s"
_HEADER = (
    "-- schemalint reconcile: statements that would bring the live database to the declared schema.\n"
    "-- Review every statement; run them one at a time, not in one transaction.\n"
    "-- schemalint never runs them.\n"
)


# phases whose statements are ordered by dependency depth: (which objects, deepest first)
_BY_DEPTH: dict[int, tuple[str, bool]] = {
    35: ("functions", False),
    19: ("functions", True),
    43: ("views", False),
    12: ("views", True),
}


class _Planner:
    def __init__(self, declared: Model, live: Model) -> None:
        self.declared = declared
        self.live = live
        self.steps: list[Step] = []
        self.depths: dict[tuple[int, str], dict[str, int]] = {}
        self.creating = False  # True while the statements of a relation the script creates are added

    def add(self, phase: int, key: str, sql: str | None, unsafe: str | None = None) -> None:
        if phase in _BY_DEPTH:
            kind, reverse = _BY_DEPTH[phase]
            depth = self.depth(self.live if reverse else self.declared, kind, key)
            key = f"{(9999 - depth) if reverse else depth:04d} {key}"
        if sql is None and unsafe is None:
            unsafe = f"{key}: cannot be written from the model; write this statement by hand"
        self.steps.append(Step(phase, key, sql, unsafe, len(self.steps), new=self.creating))

    def depth(self, model: Model, kind: str, qualname: str) -> int:
        """How many functions (views) the function (view) depends on, transitively, read from its text."""
        cache_key = (id(model), kind)
        if cache_key not in self.depths:
            items: dict[str, tuple[str, str]] = {}
            if kind == "functions":
                items = {q: (f.name, f.body or "") for q, f in model.functions.items()}
            else:
                items = {q: (v.name, v.definition) for q, v in model.views.items()}
            self.depths[cache_key] = steps.dependency_depths(items)
        return self.depths[cache_key].get(qualname, 0)

    def comment_on(self, kind: str, qualname: str, text: str | None) -> str:
        """COMMENT ON the declared object of that kind and qualified name."""
        value = literal(text) if text is not None else "NULL"
        model = self.declared
        if kind in ("column", "constraint"):
            table, member = self.member(qualname)
            on = qname(table.schema, table.name)
            if kind == "constraint":
                return f"COMMENT ON CONSTRAINT {quote_ident(member)} ON {on} IS {value}"
            return f"COMMENT ON COLUMN {on}.{quote_ident(member)} IS {value}"
        if kind == "schema":
            return f"COMMENT ON SCHEMA {quote_ident(qualname)} IS {value}"
        if kind == "function":
            function = model.functions[qualname]
            word = "PROCEDURE" if function.kind == "procedure" else "FUNCTION"
            target = f"{qname(function.schema, function.name)}({function.identity_args})"
            return f"COMMENT ON {word} {target} IS {value}"
        if kind == "index":
            found = self.index(model, qualname)
            assert found is not None
            return f"COMMENT ON INDEX {qname(found[0].schema, found[0].name)} IS {value}"
        mappings: dict[str, Mapping[str, Table | Enum | Domain | Sequence | View | Collation]] = {
            "collation": model.collations,
            "table": model.tables,
            "type": model.enums,
            "domain": model.domains,
            "sequence": model.sequences,
            "view": model.views,
            "materialized view": model.views,
        }
        obj = mappings[kind][qualname]
        return f"COMMENT ON {kind.upper()} {qname(obj.schema, obj.name)} IS {value}"

    # looking objects up ------------------------------------------------------------------
    def member(self, qualname: str) -> tuple[Table, str]:
        """The table and member name of schema.table.member, from the declared model first."""
        table, name = self.owner(qualname, views=False)
        return cast(Table, table), name

    def owner(self, qualname: str, *, views: bool = True) -> tuple[Table | View, str]:
        """The table (or view: triggers) and member name of schema.relation.member, from the declared
        model first; the longest relation name that prefixes it."""
        best: Table | View | None = None
        for model in (self.declared, self.live):
            owners: list[Table | View] = [*model.tables.values(), *(model.views.values() if views else ())]
            for owner in owners:
                prefix = owner.qualname + "."
                if qualname.startswith(prefix) and (best is None or len(prefix) > len(best.qualname) + 1):
                    best = owner
            if best is not None:
                return best, qualname[len(best.qualname) + 1 :]
        raise KeyError(qualname)

    def index(self, model: Model, qualname: str) -> tuple[Index, Table | View] | None:
        owners: list[Table | View] = [*model.tables.values(), *model.views.values()]
        for owner in owners:
            for index in owner.indexes:
                if index.qualname == qualname:
                    return index, owner
        return None

    # whole objects -----------------------------------------------------------------------
    def create_table(self, table: Table) -> None:
        self.creating = True
        try:
            self._create_table(table)
        finally:
            self.creating = False

    def _create_table(self, table: Table) -> None:
        key = table.qualname
        text = _create_table(table)
        if text is None:
            self.add(36, key, None, f"create {table.kind} {key} by hand")
            return
        self.add(36, f"{_parent_depth(self.declared, table)}{key}", text)  # parents first
        parent = self.declared.tables.get(table.partition_of or "")
        for constraint in table.constraints:
            if parent is None or not sqlgen.inherited_constraint(constraint, parent):
                self.add_constraint(table, constraint)
        for index in table.indexes:
            if index.constraint is None:
                if_not_exists = parent is not None and sqlgen.inherited_index(index, parent)
                self.add(
                    42, index.qualname, sqlgen.create_index_sql(index, table, if_not_exists=if_not_exists)
                )
        for trigger in table.triggers:
            self.create_trigger(table, trigger)
        for policy in table.policies:
            self.add(46, f"{key}.{policy.name}", sqlgen.create_policy_sql(table, policy))
        if table.rls_enabled:
            self.add(47, key, f"ALTER TABLE {qname(table.schema, table.name)} ENABLE ROW LEVEL SECURITY")
        if table.rls_forced:
            self.add(47, key, f"ALTER TABLE {qname(table.schema, table.name)} FORCE ROW LEVEL SECURITY")
        for text in sqlgen.table_comments_sql(table):
            self.add(48, key, text)

    def create_trigger(self, table: Table | View, trigger: Trigger) -> None:
        key = f"{table.qualname}.{trigger.name}"
        self.add(45, key, sqlgen.create_trigger_sql(table, trigger))
        if trigger.enabled != "origin":
            self.add(45, key + "~", sqlgen.trigger_enabled_sql(table, trigger))

    def add_constraint(self, table: Table, constraint: Constraint) -> None:
        """ADD CONSTRAINT; on a table that has rows (one the script does not create), a foreign key
        or CHECK is added NOT VALID and validated after, so that no write waits on the scan."""
        phase = 41 if constraint.kind == "foreign key" else 40
        key = f"{table.qualname}.{constraint.name}"
        if not self.creating and constraint.kind in ("unique", "primary key") and not _partitioned(table):
            self.add_keyed(table, constraint)
            return
        two_steps = not self.creating and constraint.kind in ("foreign key", "check") and constraint.validated
        added = replace(constraint, validated=False) if two_steps else constraint
        self.add(phase, key, sqlgen.add_constraint_sql(table, added))
        if two_steps:
            name = quote_ident(constraint.name)
            self.add(
                phase, key + "~", f"ALTER TABLE {qname(table.schema, table.name)} VALIDATE CONSTRAINT {name}"
            )
        if constraint.comment is not None:
            self.add(48, table.qualname, sqlgen.comment_on_constraint_sql(table, constraint))

    def add_keyed(self, table: Table, constraint: Constraint) -> None:
        """A unique or primary key constraint on a table with rows: its index built CONCURRENTLY
        first, then the constraint takes it over (USING INDEX), so no write waits on the build."""
        key = f"{table.qualname}.{constraint.name}"
        index = Index(
            table.schema,
            constraint.name,
            table.name,
            constraint.columns,
            unique=True,
            nulls_not_distinct=constraint.nulls_not_distinct,
        )
        self.add(42, key, sqlgen.create_index_sql(index, table, concurrently=True))
        kind = "PRIMARY KEY" if constraint.kind == "primary key" else "UNIQUE"
        text = f"ALTER TABLE {qname(table.schema, table.name)} ADD CONSTRAINT {quote_ident(constraint.name)} "
        text += f"{kind} USING INDEX {quote_ident(constraint.name)}"
        if constraint.deferrable:
            text += " DEFERRABLE INITIALLY DEFERRED" if constraint.initially_deferred else " DEFERRABLE"
        self.add(42, key + "~", text)
        if constraint.comment is not None:
            self.add(48, table.qualname, sqlgen.comment_on_constraint_sql(table, constraint))

    def drop_constraint(self, table: Table, constraint: Constraint, why: str) -> None:
        phase = 14 if constraint.kind == "foreign key" else 15
        text = f"ALTER TABLE {qname(table.schema, table.name)} DROP CONSTRAINT {quote_ident(constraint.name)}"
        self.add(phase, f"{table.qualname}.{constraint.name}", text, why)

    def create_view(self, view: View) -> None:
        self.creating = True
        try:
            self._create_view(view)
        finally:
            self.creating = False

    def _create_view(self, view: View) -> None:
        self.add(43, view.qualname, sqlgen.create_view_sql(view))
        for index in view.indexes:
            self.add(44, index.qualname, sqlgen.create_index_sql(index, view))
        for trigger in view.triggers:
            self.create_trigger(view, trigger)
        if view.comment is not None:
            self.add(48, view.qualname, self.comment_on("view", view.qualname, view.comment))

    # one difference ----------------------------------------------------------------------
    def plan(self, d: Difference) -> None:
        handler = getattr(self, f"_{d.kind}")
        handler(d)

    def _schema(self, d: Difference) -> None:
        if d.change == "missing":
            schema = self.declared.schemas[d.object]
            self.add(30, d.object, f"CREATE SCHEMA {quote_ident(d.object)}")
            if schema.comment is not None:
                self.add(48, d.object, self.comment_on("schema", d.object, schema.comment))
        elif d.change == "extra":
            self.add(
                23, d.object, f"DROP SCHEMA {quote_ident(d.object)}", "drops the schema (fails if not empty)"
            )

    def _extension(self, d: Difference) -> None:
        name = quote_ident(d.object)
        if d.change == "missing":
            self.add(31, d.object, sqlgen.create_extension_sql(self.declared.extensions[d.object]))
        elif d.change == "extra":
            self.add(22, d.object, f"DROP EXTENSION {name}", "drops the extension's types and functions")
        elif d.attribute == "schema":
            self.add(31, d.object, f"ALTER EXTENSION {name} SET SCHEMA {quote_ident(d.declared)}")
        elif d.attribute == "version":
            self.add(31, d.object + "~", f"ALTER EXTENSION {name} UPDATE TO {literal(d.declared)}")

    def _collation(self, d: Difference) -> None:
        """A collation cannot be altered: a changed one is dropped and created again."""
        if d.change != "missing":
            live = self.live.collations[d.object]
            why = "drops the collation: fails while a column, domain or index uses it"
            self.add(21, d.object, f"DROP COLLATION {qname(live.schema, live.name)}", why)
        if d.change != "extra":
            collation = self.declared.collations[d.object]
            self.add(31, d.object, sqlgen.create_collation_sql(collation))
            if collation.comment is not None:
                self.add(48, d.object, self.comment_on("collation", d.object, collation.comment))

    def _enum(self, d: Difference) -> None:
        if d.change == "missing":
            enum = self.declared.enums[d.object]
            values = ", ".join(literal(v) for v in enum.values)
            self.add(32, d.object, f"CREATE TYPE {qname(enum.schema, enum.name)} AS ENUM ({values})")
            if enum.comment is not None:
                self.add(48, d.object, self.comment_on("type", d.object, enum.comment))
        elif d.change == "extra":
            enum = self.live.enums[d.object]
            self.add(21, d.object, f"DROP TYPE {qname(enum.schema, enum.name)}", "drops the type")
        else:
            for phase, text, why in changes.enum_changes(self.declared.enums[d.object], self.live):
                self.add(phase, d.object, text, why)

    def _domain(self, d: Difference) -> None:
        if d.change == "missing":
            domain = self.declared.domains[d.object]
            self.add(33, d.object, sqlgen.create_domain_sql(domain))
            if domain.comment is not None:
                self.add(48, d.object, self.comment_on("domain", d.object, domain.comment))
        elif d.change == "extra":
            domain = self.live.domains[d.object]
            self.add(20, d.object, f"DROP DOMAIN {qname(domain.schema, domain.name)}", "drops the domain")
        else:
            domain, live = self.declared.domains[d.object], self.live.domains[d.object]
            for phase, text, why in changes.domain_changes(domain, live, d.attribute or ""):
                self.add(phase, d.object, text, why)

    def _sequence(self, d: Difference) -> None:
        if d.change == "missing":
            sequence = self.declared.sequences[d.object]
            self.add(34, d.object, sqlgen.create_sequence_sql(sequence))
            if sequence.owned_by:
                self.add(49, d.object, sqlgen.sequence_owned_by_sql(sequence))
            if sequence.comment is not None:
                self.add(48, d.object, self.comment_on("sequence", d.object, sequence.comment))
        elif d.change == "extra":
            sequence = self.live.sequences[d.object]
            text = f"DROP SEQUENCE IF EXISTS {qname(sequence.schema, sequence.name)}"
            self.add(18, d.object, text, "drops the sequence and its current value")
        else:
            sequence = self.declared.sequences[d.object]
            phase, change, why = changes.alter_sequence(sequence, d.attribute or "")
            self.add(phase, d.object, change, why)

    def _function(self, d: Difference) -> None:
        if d.change == "missing":
            function = self.declared.functions[d.object]
            self.add(35, d.object, sqlgen.create_function_sql(function))
            if function.comment is not None:
                self.add(48, d.object, self.comment_on("function", d.object, function.comment))
        elif d.change == "extra":
            self.add(
                19, d.object, sqlgen.drop_function_sql(self.live.functions[d.object]), "callers of it fail"
            )
        else:
            function = self.declared.functions[d.object]
            if d.attribute in ("returns", "kind", "arguments"):
                # PostgreSQL replaces no function whose result, kind, argument names or defaults change
                self.recreate_function(function, self.live.functions[d.object], d.attribute)
            else:
                self.add(35, d.object, sqlgen.create_function_sql(function))

    def recreate_function(self, declared: Function, live: Function, what: str) -> None:
        """DROP the live function and CREATE the declared one: the pair for a change that CREATE OR
        REPLACE refuses (its result type, kind, or argument names and defaults)."""
        why = f"the {what} changes: drops the function and what depends on it"
        self.add(19, declared.qualname, sqlgen.drop_function_sql(live), why)
        self.add(35, declared.qualname, sqlgen.create_function_sql(declared))

    def _table(self, d: Difference) -> None:
        if d.change == "missing":
            self.create_table(self.declared.tables[d.object])
            return
        if d.change == "extra":
            table = self.live.tables[d.object]
            key = f"{9 - _parent_depth(self.live, table)}{d.object}"  # partitions and children first
            first = "drops a table: its foreign keys and sequence defaults go first"
            for constraint in table.foreign_keys:  # other dropped tables may be referenced
                self.drop_constraint(table, constraint, first)
            for column in table.columns:  # the sequence may be owned by another dropped table
                if column.default is not None and "nextval(" in column.default:
                    name = f"{qname(table.schema, table.name)} ALTER COLUMN {quote_ident(column.name)}"
                    drop_default = f"ALTER TABLE {name} DROP DEFAULT"
                    self.add(14, d.object, drop_default, first)
            self.add(
                17,
                key,
                f"DROP TABLE IF EXISTS {qname(table.schema, table.name)}",
                "deletes the table and all its rows",
            )
            return
        declared, live = self.declared.tables[d.object], self.live.tables[d.object]
        for phase, change, why in changes.table_changes(declared, live, d.attribute or ""):
            self.add(phase, d.object, change, why)

    def _rls(self, d: Difference) -> None:
        table = self.declared.tables[d.object]
        name = qname(table.schema, table.name)
        if d.attribute == "enabled":
            if d.declared:
                self.add(47, d.object, f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
            else:
                why = "turns row level security off: every policy stops applying"
                self.add(47, d.object, f"ALTER TABLE {name} DISABLE ROW LEVEL SECURITY", why)
        elif d.declared:
            self.add(47, d.object, f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
        else:
            self.add(
                47, d.object, f"ALTER TABLE {name} NO FORCE ROW LEVEL SECURITY", "the owner bypasses RLS"
            )

    def _column(self, d: Difference) -> None:
        table, name = self.member(d.object)
        if d.change == "missing":
            column = table.column(name)
            assert column is not None
            phase, text, why = changes.add_column(table, column)
            key = f"{table.qualname} {table.columns.index(column):04d}"  # added in the declared order
            self.add(phase, key, text, why)
            appended = changes.appended_out_of_order(table, self.live.tables[table.qualname], column)
            if appended is not None:
                self.add(phase, key + "~", None, appended)
            if column.comment is not None:
                self.add(48, d.object, self.comment_on("column", d.object, column.comment))
        elif d.change == "extra":
            text = f"ALTER TABLE {qname(table.schema, table.name)} DROP COLUMN {quote_ident(name)}"
            self.add(16, d.object, text, "deletes the column and its data")
        elif d.attribute == POSITION:
            why = (
                f"column {d.object} is at position {d.live} in live, {d.declared} declared: {changes.REORDER}"
            )
            self.add(37, d.object, None, why)
        else:
            declared = table.column(name)
            live_table = self.live.tables[table.qualname]
            live = live_table.column(name)
            assert declared is not None and live is not None
            for phase, text, why in changes.column_changes(table, declared, live, d.attribute or ""):
                self.add(phase, d.object, text, why)

    def _constraint(self, d: Difference) -> None:
        table, name = self.member(d.object)
        if d.change == "missing":
            constraint = next(c for c in table.constraints if c.name == name)
            self.add_constraint(table, constraint)
            return
        live = next(c for c in self.live.tables[table.qualname].constraints if c.name == name)
        if d.change == "extra":
            self.drop_constraint(table, live, "removes a guarantee the data relies on")
            return
        declared = next(c for c in table.constraints if c.name == name)
        differing = {f for f in steps.changed_fields(declared, live) if f != "comment"}
        if differing == {"validated"} and declared.validated:
            text = f"ALTER TABLE {qname(table.schema, table.name)} VALIDATE CONSTRAINT {quote_ident(name)}"
            self.add(40, d.object, text)
            return
        what = ", ".join(sorted(differing))
        self.drop_constraint(table, live, f"re-creates the constraint to change its {what}")
        self.add_constraint(table, declared)

    def _index(self, d: Difference) -> None:
        declared = self.index(self.declared, d.object)
        live = self.index(self.live, d.object)
        if live is not None and d.change != "missing" and live[0].constraint is None:
            unique = live[0].unique and d.change == "extra"
            why = "drops a unique index: duplicates become possible" if unique else None
            # CONCURRENTLY: writes go on (not on a partitioned table, where PostgreSQL has no such form)
            concurrently = "" if _partitioned(live[1]) else "CONCURRENTLY "
            text = f"DROP INDEX {concurrently}IF EXISTS {qname(live[0].schema, live[0].name)}"
            self.add(13, d.object, text, why)
        if declared is not None and d.change != "extra" and declared[0].constraint is None:
            owner = declared[1]
            existing = self.live.tables.get(owner.qualname) or self.live.views.get(owner.qualname)
            why = None
            if existing is not None and _partitioned(owner):
                why = (
                    "a partitioned table has no CREATE INDEX CONCURRENTLY: this blocks writes on every "
                    "partition; or build it ON ONLY the parent, CONCURRENTLY on each partition, and ATTACH"
                )
            text = sqlgen.create_index_sql(*declared, concurrently=existing is not None and why is None)
            self.add(44 if isinstance(owner, View) else 42, d.object, text, why)
        if declared is not None and d.change == "missing" and declared[0].comment is not None:
            self.add(48, d.object, self.comment_on("index", d.object, declared[0].comment))

    def _trigger(self, d: Difference) -> None:
        table, name = self.owner(d.object)
        if d.change != "missing":
            text = f"DROP TRIGGER IF EXISTS {quote_ident(name)} ON {qname(table.schema, table.name)}"
            if d.attribute == "enabled":
                trigger = next(t for t in table.triggers if t.name == name)
                self.add(45, d.object + "~", sqlgen.trigger_enabled_sql(table, trigger))
                return
            self.add(11, d.object, text)
        if d.change != "extra":
            self.create_trigger(table, next(t for t in table.triggers if t.name == name))

    def _policy(self, d: Difference) -> None:
        table, name = self.member(d.object)
        if d.change != "missing":
            self.add(
                10,
                d.object,
                f"DROP POLICY IF EXISTS {quote_ident(name)} ON {qname(table.schema, table.name)}",
            )
        if d.change != "extra":
            policy: Policy = next(p for p in table.policies if p.name == name)
            self.add(46, d.object, sqlgen.create_policy_sql(table, policy))

    def _view(self, d: Difference) -> None:
        declared, live = self.declared.views.get(d.object), self.live.views.get(d.object)
        if live is not None and declared is not None and steps.replaceable_view(declared, live):
            self.add(43, d.object, sqlgen.create_view_sql(declared, replace=True))
            return
        if live is not None:
            kind = "MATERIALIZED VIEW" if live.materialized else "VIEW"
            self.add(12, d.object, f"DROP {kind} IF EXISTS {qname(live.schema, live.name)}")
        if declared is not None:
            self.create_view(declared)

    def _comment(self, d: Difference) -> None:
        self.add(48, d.object, self.comment_on(d.attribute or "", d.object, d.declared))


def _parent_depth(model: Model, table: Table, seen: frozenset[str] = frozenset()) -> int:
    """How many generations of parents (partitioned or inherited from) the table has, at most 9."""
    parents = [model.tables.get(p) for p in (table.partition_of, *table.inherits) if p and p not in seen]
    depths = [_parent_depth(model, p, seen | {table.qualname}) for p in parents if p is not None]
    return min(9, 1 + max(depths, default=-1))


def _partitioned(owner: Table | View) -> bool:
    return isinstance(owner, Table) and owner.kind == "partitioned table"


def _create_table(table: Table) -> str | None:
    """CREATE TABLE without constraints (they are added after every table exists); None for a
    foreign or temporary table, which the script cannot create."""
    if table.kind == "foreign table" or table.persistence == "temporary":
        return None
    return sqlgen.create_table_sql(table, constraints=False)


def _steps(differences: Seq[Difference], declared: Model, live: Model) -> Iterator[Step]:
    planner = _Planner(declared, live)
    for difference in differences:
        planner.plan(difference)
    # one statement once: an index of a relation the script re-creates comes with it, not also
    # CONCURRENTLY on its own (the same statement but for that word)
    chosen: dict[tuple[str | None, str | None], Step] = {}
    for step in planner.steps:
        same = ((step.sql or "").replace(" CONCURRENTLY", "") or None, step.unsafe)
        if same not in chosen or (step.new and not chosen[same].new):
            chosen[same] = step
    yield from sorted(chosen.values(), key=lambda s: (s.phase, s.key, s.order))


def reconcile_sql(differences: Seq[Difference], declared: Model, live: Model, *, unsafe: bool = False) -> str:
    """The script that would bring LIVE to DECLARED; unsafe statements commented out unless unsafe=True."""
    parts = [_HEADER]
    steps = list(_steps(differences, declared, live))
    if not steps:
        parts.append("-- no differences: nothing to do\n")
        return "".join(parts)
    parts.append("\n-- safe\nSET check_function_bodies = off;\n")
    parts.append(
        f"\n-- safe: a statement that waits {LOCK_TIMEOUT} for a lock gives up, not queueing every query\n"
    )
    parts.append(f"SET lock_timeout = '{LOCK_TIMEOUT}';\n")
    for step in steps:
        parts.append("\n" + step.render(enabled=unsafe))
    return "".join(parts)
