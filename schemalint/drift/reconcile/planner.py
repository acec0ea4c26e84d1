"""One difference → the statements that remove it (a handler per kind of difference).

Objects are written through script.Script; a difference whose object the script drops and
re-creates anyway (a dependant of a change, see rebuild) or that PostgreSQL removes with
another statement (a partition's copy of its parent's change, see partitions) is passed over.
"""

from __future__ import annotations

from schemalint import sqlgen
from schemalint.drift.diff import POSITION, Difference
from schemalint.drift.reconcile import changes, privileges, steps
from schemalint.drift.reconcile.script import DROP_WHY, Script
from schemalint.sqlgen import literal, qname
from schemalint.typenorm import quote_ident

# the attributes of a function that only DROP + CREATE change (with what depends on it; rebuild)
SIGNATURE = ("returns", "kind", "arguments")


class Planner(Script):
    def plan(self, d: Difference) -> None:
        handler = getattr(self, f"_{d.kind}")
        handler(d)

    def _schema(self, d: Difference) -> None:
        if d.change == "missing":
            schema = self.declared.schemas[d.object]
            self.add(30, d.object, f"CREATE SCHEMA {quote_ident(d.object)}")
            self.comment_created("schema", d.object, schema.comment)
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
            self.comment_created("collation", d.object, collation.comment)

    def _enum(self, d: Difference) -> None:
        if d.change == "missing":
            enum = self.declared.enums[d.object]
            values = ", ".join(literal(v) for v in enum.values)
            self.add(32, d.object, f"CREATE TYPE {qname(enum.schema, enum.name)} AS ENUM ({values})")
            self.comment_created("type", d.object, enum.comment)
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
            self.comment_created("domain", d.object, domain.comment)
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
            self.comment_created("sequence", d.object, sequence.comment)
        elif d.change == "extra":
            sequence = self.live.sequences[d.object]
            text = f"DROP SEQUENCE IF EXISTS {qname(sequence.schema, sequence.name)}"
            self.add(18, d.object, text, "drops the sequence and its current value")
        else:
            sequence = self.declared.sequences[d.object]
            phase, change, why = changes.alter_sequence(sequence, d.attribute or "")
            self.add(phase, d.object, change, why)

    def _function(self, d: Difference) -> None:
        if d.change == "extra":
            function = self.live.functions[d.object]
            self.add(19, d.object, sqlgen.drop_function_sql(function), DROP_WHY["function"])
            return
        function = self.declared.functions[d.object]
        if d.change == "changed" and d.attribute in SIGNATURE:
            why = f"the {d.attribute} changes: drops the function and what depends on it"
            self.add(19, d.object, sqlgen.drop_function_sql(self.live.functions[d.object]), why)
        self.add(35, d.object, sqlgen.create_function_sql(function))
        if d.change == "missing":
            self.comment_created("function", d.object, function.comment)

    def _table(self, d: Difference) -> None:
        if d.change == "missing":
            self.create_table(self.declared.tables[d.object])
            return
        if d.change == "extra":
            table = self.live.tables[d.object]
            first = "drops a table: its foreign keys and sequence defaults go first"
            for constraint in table.foreign_keys:  # other dropped tables may be referenced
                self.drop_constraint(table, constraint, first)
            for column in table.columns:  # the sequence may be owned by another dropped table
                if column.default is not None and "nextval(" in column.default:
                    name = f"{qname(table.schema, table.name)} ALTER COLUMN {quote_ident(column.name)}"
                    self.add(14, f"{d.object}.{column.name}", f"ALTER TABLE {name} DROP DEFAULT", first)
            text = f"DROP TABLE IF EXISTS {qname(table.schema, table.name)}"
            self.add(17, d.object, text, "deletes the table and all its rows")
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
            why = "the owner bypasses RLS"
            self.add(47, d.object, f"ALTER TABLE {name} NO FORCE ROW LEVEL SECURITY", why)

    def copied(self, d: Difference) -> None:
        """A child's copy of its parent's change: the parent's statement makes it, but a column
        the child gains that way comes after the child's own columns, where it may not be declared."""
        if d.kind != "column" or d.change != "missing":
            return
        table, name = self.member(d.object)
        column, live = table.column(name), self.live.tables.get(table.qualname)
        if column is not None and live is not None:
            appended = changes.appended_out_of_order(table, live, column)
            if appended is not None:
                self.add(37, f"{table.qualname} {table.columns.index(column):04d}~", None, appended)

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
            self.comment_created("column", d.object, column.comment)
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
            live = self.live.tables[table.qualname].column(name)
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
            self.drop_constraint(table, live, DROP_WHY["constraint"])
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
            self.drop_index(*live, "drops a unique index: duplicates become possible" if unique else None)
        if declared is not None and d.change != "extra" and declared[0].constraint is None:
            self.create_index(*declared)
        if declared is not None and d.change == "missing":
            self.comment_created("index", d.object, declared[0].comment)

    def _trigger(self, d: Difference) -> None:
        table, name = self.owner(d.object)
        if d.attribute == "enabled":
            trigger = next(t for t in table.triggers if t.name == name)
            self.add(45, d.object + "~", sqlgen.trigger_enabled_sql(table, trigger))
            return
        if d.change != "missing":
            self.drop_trigger(table, name)
        if d.change != "extra":
            self.create_trigger(table, next(t for t in table.triggers if t.name == name))

    def _policy(self, d: Difference) -> None:
        table, name = self.member(d.object)
        if d.change != "missing":
            self.drop_policy(table, name)
        if d.change != "extra":
            self.create_policy(table, next(p for p in table.policies if p.name == name))

    def _view(self, d: Difference) -> None:
        declared, live = self.declared.views.get(d.object), self.live.views.get(d.object)
        if live is not None and declared is not None and steps.replaceable_view(declared, live):
            self.add(43, d.object, self.view_sql(declared, replace_it=True))
            return
        if live is not None:
            self.drop_view(live)
        if declared is not None:
            self.create_view(declared)

    def _privilege(self, d: Difference) -> None:
        for phase, key, text, why in privileges.privilege_steps(d, self.declared, self.live):
            self.add(phase, key, text, why)

    def _comment(self, d: Difference) -> None:
        self.add(48, d.object, self.comment_on(d.attribute or "", d.object, d.declared))
