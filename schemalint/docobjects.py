"""The schema document's sections on objects other than tables, and the SQL that makes the
document a lossless source.

Sections 5 (Enums & Lookup Tables), 6 (Views & Materialized Views), 7 (Stored
Procedures & Functions) and 10.1 (Partitioning). Every ```sql block is written
so that reading the document back (``lint``/``drift``/``inspect schema.md``)
gives the model it was written from: enums, domains, sequences, functions,
triggers, policies and comments included.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq

from schemalint.model import Function, Model, Sequence, Table, View
from schemalint.sqlgen import (
    add_constraint_sql,
    comment_on_constraint_sql,
    create_domain_sql,
    create_function_sql,
    create_index_sql,
    create_policy_sql,
    create_sequence_sql,
    create_table_sql,
    create_trigger_sql,
    inherited_constraint,
    inherited_index,
    literal,
    qname,
    quote_qualified,
    sequence_owned_by_sql,
    sorted_constraints,
    table_comments_sql,
    table_sql,
)

_TEXTUAL = ("text", "character varying", "character", "citext")
_LABELS = {"label", "name", "title", "description", "display_name"}
_CODES = {"code", "key", "slug", "name", "value"}


def sql_block(statements: Seq[str]) -> list[str]:
    return ["```sql", *statements, "```"] if statements else []


def _statement(text: str) -> str:
    return text if text.rstrip().endswith(";") else text + ";"


def owned_sequences(model: Model, table: Table) -> list[Sequence]:
    prefix = f"{table.qualname}."
    return [s for _, s in sorted(model.sequences.items()) if s.owned_by and s.owned_by.startswith(prefix)]


def table_statements(model: Model, table: Table) -> list[str]:
    """The table as SQL: owned sequences, CREATE TABLE, indexes, RLS, policies, triggers, comments."""
    sequences = owned_sequences(model, table)
    statements = [_statement(create_sequence_sql(s)) for s in sequences]
    parent = model.tables.get(table.partition_of) if table.partition_of else None
    statements += _partition_statements(table, parent) if parent else [table_sql(table)]
    statements += [_statement(sequence_owned_by_sql(s)) for s in sequences]
    statements += [
        _statement(create_policy_sql(table, p)) for p in sorted(table.policies, key=lambda p: p.name)
    ]
    statements += [
        _statement(create_trigger_sql(table, t)) for t in sorted(table.triggers, key=lambda t: t.name)
    ]
    statements += [_statement(c) for c in table_comments_sql(table)]
    statements += [
        _statement(comment_on_constraint_sql(table, c))
        for c in sorted(table.constraints, key=lambda c: c.name)
        if c.comment is not None
    ]
    return statements


def _partition_statements(table: Table, parent: Table) -> list[str]:
    """A partition: PARTITION OF its parent, with what it does not inherit from it."""
    statements = [_statement(create_table_sql(table, constraints=False))]
    statements += [
        _statement(add_constraint_sql(table, c))
        for c in sorted_constraints(table)
        if not inherited_constraint(c, parent)
    ]
    statements += [
        _statement(create_index_sql(i, table))
        for i in sorted(table.indexes, key=lambda i: i.name)
        if i.constraint is None and not inherited_index(i, parent)
    ]
    name = quote_qualified(table.qualname)
    statements += [f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;"] if table.rls_enabled else []
    statements += [f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;"] if table.rls_forced else []
    return statements


def _comment(kind: str, name: str, comment: str | None) -> list[str]:
    return [] if comment is None else [f"COMMENT ON {kind} {name} IS {literal(comment)};"]


def is_lookup_table(table: Table) -> bool:
    """A small reference table: no foreign keys of its own, at most six columns, a textual
    code key (``code``, ``key``, ``slug``…) and a label column (``label``, ``name``…)."""
    if table.foreign_keys or len(table.columns) > 6 or table.partition_of:
        return False
    names = {c.name for c in table.columns}
    keyed = set()
    for constraint in table.constraints:
        if constraint.kind in ("primary key", "unique") and len(constraint.columns) == 1:
            keyed.add(constraint.columns[0])
    textual = {c.name for c in table.columns if c.type.startswith(_TEXTUAL)}
    code = keyed & textual & _CODES
    return bool(code) and bool((names - code) & _LABELS or (code & _LABELS and len(names) > 1))


def enums_lines(model: Model, lookups: list[Table], name_of: dict[str, str]) -> list[str]:
    lines = ["## 5. Enums & Lookup Tables", "", "### 5.1 Enum Types", ""]
    enums = [e for _, e in sorted(model.enums.items())]
    if enums:
        statements = []
        for enum in enums:
            values = ", ".join(literal(v) for v in enum.values)
            statements.append(f"CREATE TYPE {qname(enum.schema, enum.name)} AS ENUM ({values});")
            statements += _comment("TYPE", qname(enum.schema, enum.name), enum.comment)
        lines += sql_block(statements)
    else:
        lines.append("_None._")
    domains = [d for _, d in sorted(model.domains.items())]
    if domains:
        statements = []
        for domain in domains:
            statements.append(_statement(create_domain_sql(domain)))
            statements += _comment("DOMAIN", qname(domain.schema, domain.name), domain.comment)
        lines += ["", "### Domains", "", *sql_block(statements)]
    lines += ["", "### 5.2 Lookup Tables", ""]
    if not lookups:
        lines.append(
            "_None recognised (a lookup table has a textual `code` key and a label, no foreign keys)._"
        )
    for table in lookups:
        lines += [
            f"#### Table: `{name_of[table.qualname]}`",
            "",
            "| Column | Type | Description |",
            "|---|---|---|",
        ]
        keys = {n for c in table.constraints if c.kind == "primary key" for n in c.columns}
        for column in table.columns:
            pk = " PK" if column.name in keys else ""
            description = (column.comment or "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{column.name}` | `{column.type}`{pk} | {description} |")
        lines.append("")
    standalone = [s for _, s in sorted(model.sequences.items()) if not _owned_by_a_table(model, s)]
    if standalone:
        statements = []
        for sequence in standalone:
            statements.append(_statement(create_sequence_sql(sequence)))
            if sequence.owned_by:
                statements.append(_statement(sequence_owned_by_sql(sequence)))
            statements += _comment("SEQUENCE", qname(sequence.schema, sequence.name), sequence.comment)
        lines += ["", "### Sequences", "", *sql_block(statements)]
    return [line for line in lines] if lines[-1] != "" else lines[:-1]


def _owned_by_a_table(model: Model, sequence: Sequence) -> bool:
    if not sequence.owned_by:
        return False
    table = sequence.owned_by.rsplit(".", 1)[0]
    return table in model.tables


def views_lines(model: Model) -> list[str]:
    lines = ["## 6. Views & Materialized Views"]
    for materialized, heading in ((False, "### 6.1 Views"), (True, "### 6.2 Materialized Views")):
        views = [v for _, v in sorted(model.views.items()) if v.materialized == materialized]
        lines += ["", heading]
        if not views:
            lines += ["", "_None._"]
        for view in views:
            lines += ["", *_view_lines(view)]
    return lines


def _view_lines(view: View) -> list[str]:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    title = "Materialized View" if view.materialized else "View"
    lines = [f"#### {title}: `{view.qualname}`", ""]
    if view.comment:
        lines += [f"**Purpose:** {view.comment.strip()}  "]
    if view.materialized:
        unique = [i for i in view.indexes if i.unique]
        how = (
            f"`REFRESH MATERIALIZED VIEW CONCURRENTLY {view.qualname}` (unique index `{unique[0].name}`)"
            if unique
            else f"`REFRESH MATERIALIZED VIEW {view.qualname}` (no unique index, so not CONCURRENTLY)"
        )
        lines += [f"**Refreshed:** {how}"]
    else:
        lines += ["**Refreshed:** N/A (standard view)"]
    name = quote_qualified(view.qualname)
    statements = [f"CREATE {kind} {name} AS\n{view.definition.strip().rstrip(';')};"]
    statements += [_statement(create_index_sql(i, view)) for i in sorted(view.indexes, key=lambda i: i.name)]
    statements += [
        _statement(create_trigger_sql(view, t)) for t in sorted(view.triggers, key=lambda t: t.name)
    ]
    statements += _comment(kind, name, view.comment)
    return [*lines, "", *sql_block(statements)]


def functions_lines(model: Model) -> list[str]:
    lines = ["## 7. Stored Procedures & Functions"]
    functions = [f for _, f in sorted(model.functions.items())]
    if not functions:
        return [*lines, "", "_None._"]
    used_by: dict[str, list[str]] = {}
    for qualname, table in sorted(model.tables.items()):
        for trigger in table.triggers:
            used_by.setdefault(trigger.function, []).append(f"`{trigger.name}` on `{qualname}`")
    for function in functions:
        lines += ["", *_function_lines(function, used_by.get(f"{function.schema}.{function.name}", []))]
    return lines


def _function_lines(function: Function, triggers: list[str]) -> list[str]:
    lines = [f"### `{function.qualname}`", ""]
    facts = f"{function.kind}, returns `{function.returns}`, {function.language}, {function.volatility}"
    facts += ", security definer" if function.security_definer else ""
    if function.comment:
        lines.append(f"**Purpose:** {function.comment.strip()}")
    lines.append(f"**Kind:** {facts}")
    if triggers:
        lines.append(f"**Used by triggers:** {', '.join(triggers)}")
    lines = [f"{line}  " if line.startswith("**") else line for line in lines]
    lines[-1] = lines[-1].rstrip()
    created = create_function_sql(function)
    kind = "PROCEDURE" if function.kind == "procedure" else "FUNCTION"
    signature = f"{qname(function.schema, function.name)}({function.identity_args})"
    if created is None:
        return [*lines, "", f"_The {function.kind}'s definition is not known from this source._"]
    return [*lines, "", *sql_block([_statement(created), *_comment(kind, signature, function.comment)])]


def partitioning_lines(model: Model, name_of: dict[str, str]) -> list[str]:
    lines = ["## 10. Performance Considerations", "", "### 10.1 Partitioning", ""]
    parents = [t for _, t in sorted(model.tables.items()) if t.partition_key]
    if not parents:
        return [*lines, "_No partitioned tables._"]
    rows = []
    for parent in parents:
        strategy, _, key = parent.partition_key.partition(" ") if parent.partition_key else ("", "", "")
        partitions = sorted(t.name for t in model.tables.values() if t.partition_of == parent.qualname)
        shown = ", ".join(f"`{p}`" for p in partitions[:4]) + (
            f" and {len(partitions) - 4} more" if len(partitions) > 4 else ""
        )
        rows.append(
            f"| `{name_of[parent.qualname]}` | {strategy.capitalize()} | `{key.strip().strip('()')}` | "
            f"{len(partitions)}{': ' + shown if partitions else ''} |"
        )
    header = ["| Table | Partition Strategy | Partition Key | Partitions |", "|---|---|---|---|"]
    return lines + header + rows
