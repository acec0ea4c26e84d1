"""The statements of a reconciliation script being written: one ``add`` per statement, and the
statements that create, drop or re-create one whole object (a table with its parts, a view with
its indexes, triggers and comment, a constraint, an index, a trigger, a policy).

Both the handlers of differences (planner) and the re-creation of dependants (rebuild) write
through these, so that an object is written one way whatever asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from schemalint import sqlgen
from schemalint.dependencies import qualified_definition
from schemalint.drift.reconcile import privileges
from schemalint.drift.reconcile.steps import Step
from schemalint.model import (
    Collation,
    Constraint,
    Domain,
    Enum,
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

# the phase of the statements that drop each kind of object, and that create it
DROP_PHASE = {"policy": 10, "trigger": 11, "view": 12, "index": 13, "default": 14, "function": 19}
# why dropping an object of each kind for good (one the declared schema lacks) is unsafe
DROP_WHY = {"constraint": "removes a guarantee the data relies on", "function": "callers of it fail"}
CREATE_PHASE = {"function": 35, "default": 38, "index": 42, "view": 43, "trigger": 45, "policy": 46}
_PARTITIONED_INDEX = (
    "a partitioned table has no CREATE INDEX CONCURRENTLY: this blocks writes on every "
    "partition; or build it ON ONLY the parent, CONCURRENTLY on each partition, and ATTACH"
)
_PARTITIONED_FOREIGN_KEY = (
    "a partitioned table has no NOT VALID foreign key: this scans every partition while writes wait"
)
_PARTITIONED_KEY = (
    "a partitioned table has no CREATE INDEX CONCURRENTLY: the key's index is built on every "
    "partition under ACCESS EXCLUSIVE"
)
_PARTITIONED_DROP = "a partitioned table has no DROP INDEX CONCURRENTLY: this blocks every partition"


def owner_in(model: Model, qualname: str, *, views: bool = True) -> tuple[Table | View, str] | None:
    """The table (or view) and member name of schema.relation.member in MODEL: the longest relation
    name that prefixes it."""
    best: Table | View | None = None
    owners: list[Table | View] = [*model.tables.values(), *(model.views.values() if views else ())]
    for owner in owners:
        prefix = owner.qualname + "."
        if qualname.startswith(prefix) and (best is None or len(prefix) > len(best.qualname) + 1):
            best = owner
    return None if best is None else (best, qualname[len(best.qualname) + 1 :])


def partitioned(owner: Table | View) -> bool:
    return isinstance(owner, Table) and owner.kind == "partitioned table"


class Script:
    def __init__(self, declared: Model, live: Model) -> None:
        self.declared = declared
        self.live = live
        self.steps: list[Step] = []
        self.creating = False  # True while the statements of a relation the script creates are added
        self.because: str | None = None  # why the statements being added are unsafe, when they all are

    def add(self, phase: int, key: str, sql: str | None, unsafe: str | None = None) -> None:
        unsafe = unsafe or self.because
        if sql is None and unsafe is None:
            unsafe = f"{key}: cannot be written from the model; write this statement by hand"
        self.steps.append(Step(phase, key, sql, unsafe, len(self.steps), new=self.creating))

    def comment_created(self, kind: str, qualname: str, text: str | None) -> None:
        """COMMENT ON an object the script creates, when it has a comment (a new one has none)."""
        if text is not None:
            self.add(48, qualname, self.comment_on(kind, qualname, text))

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
        model first."""
        found = owner_in(self.declared, qualname, views=views) or owner_in(self.live, qualname, views=views)
        if found is None:
            raise KeyError(qualname)
        return found

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
        if table.kind == "foreign table" or table.persistence == "temporary":
            self.add(36, key, None, f"create {table.kind} {key} by hand")
            return
        self.add(36, key, sqlgen.create_table_sql(table, constraints=False))
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
            self.create_policy(table, policy)
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

    def drop_trigger(self, table: Table | View, name: str, why: str | None = None) -> None:
        text = f"DROP TRIGGER IF EXISTS {quote_ident(name)} ON {qname(table.schema, table.name)}"
        self.add(11, f"{table.qualname}.{name}", text, why)

    def create_policy(self, table: Table, policy: Policy) -> None:
        self.add(46, f"{table.qualname}.{policy.name}", sqlgen.create_policy_sql(table, policy))

    def drop_policy(self, table: Table | View, name: str, why: str | None = None) -> None:
        text = f"DROP POLICY IF EXISTS {quote_ident(name)} ON {qname(table.schema, table.name)}"
        self.add(10, f"{table.qualname}.{name}", text, why)

    def add_constraint(self, table: Table, constraint: Constraint) -> None:
        """ADD CONSTRAINT; on a table that has rows (one the script does not create), a foreign key
        or CHECK is added NOT VALID and validated after, so that no write waits on the scan."""
        phase = 41 if constraint.kind == "foreign key" else 40
        key = f"{table.qualname}.{constraint.name}"
        if not self.creating and constraint.kind in ("unique", "primary key") and not partitioned(table):
            self.add_keyed(table, constraint)
            return
        two_steps = not self.creating and constraint.kind in ("foreign key", "check") and constraint.validated
        why = None
        if two_steps and constraint.kind == "foreign key" and partitioned(table):
            two_steps, why = False, _PARTITIONED_FOREIGN_KEY
        elif not self.creating and constraint.kind in ("unique", "primary key") and partitioned(table):
            why = _PARTITIONED_KEY
        added = replace(constraint, validated=False) if two_steps else constraint
        self.add(phase, key, sqlgen.add_constraint_sql(table, added), why)
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

    def drop_constraint(self, table: Table, constraint: Constraint, why: str | None) -> None:
        phase = 14 if constraint.kind == "foreign key" else 15
        text = f"ALTER TABLE {qname(table.schema, table.name)} DROP CONSTRAINT {quote_ident(constraint.name)}"
        self.add(phase, f"{table.qualname}.{constraint.name}", text, why)

    def create_index(self, index: Index, owner: Table | View) -> None:
        """CREATE INDEX, CONCURRENTLY on a relation that exists (but a partitioned table)."""
        existing = self.live.tables.get(owner.qualname) or self.live.views.get(owner.qualname)
        why = _PARTITIONED_INDEX if existing is not None and partitioned(owner) else None
        text = sqlgen.create_index_sql(index, owner, concurrently=existing is not None and why is None)
        self.add(44 if isinstance(owner, View) else 42, index.qualname, text, why)

    def drop_index(self, index: Index, owner: Table | View, why: str | None = None) -> None:
        # CONCURRENTLY: writes go on (not on a partitioned table, where PostgreSQL has no such form)
        concurrently = "" if partitioned(owner) else "CONCURRENTLY "
        if partitioned(owner):
            why = "; ".join(filter(None, (why, _PARTITIONED_DROP)))
        text = f"DROP INDEX {concurrently}IF EXISTS {qname(index.schema, index.name)}"
        self.add(13, index.qualname, text, why)

    def create_view(self, view: View) -> None:
        """CREATE the declared view with its indexes, triggers and comment; its query written with
        the names it reads schema-qualified, as the catalog prints it."""
        self.creating = True
        try:
            self.add(43, view.qualname, self.view_sql(view))
            for index in view.indexes:
                self.add(44, index.qualname, sqlgen.create_index_sql(index, view))
            for trigger in view.triggers:
                self.create_trigger(view, trigger)
            kind = "materialized view" if view.materialized else "view"
            self.comment_created(kind, view.qualname, view.comment)
            for phase, key, text, why in privileges.grants_of("view", view.qualname, self.declared):
                self.add(phase, key, text, why)
        finally:
            self.creating = False

    def view_sql(self, view: View, *, replace_it: bool = False) -> str:
        qualified = replace(view, definition=qualified_definition(self.declared, view))
        return sqlgen.create_view_sql(qualified, replace=replace_it)

    def drop_view(self, view: View, why: str | None = None) -> None:
        kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
        self.add(12, view.qualname, f"DROP {kind} IF EXISTS {qname(view.schema, view.name)}", why)
