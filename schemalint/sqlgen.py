"""SQL text from model objects: CREATE TABLE, CREATE INDEX and friends.

Deterministic: columns in table order, constraints by kind (primary key,
unique, foreign key, check, exclusion) then name, indexes by name.
Identifiers are quoted only when needed. Types, defaults and expressions are
the model's canonical spellings, written as they are.
"""

from __future__ import annotations

import re

from schemalint.model import Column, Constraint, Index, Policy, Table, Trigger, View
from schemalint.typenorm import quote_ident

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")

_KIND_ORDER = {"primary key": 0, "unique": 1, "foreign key": 2, "check": 3, "exclusion": 4}


def quote_qualified(qualname: str) -> str:
    """``schema.name`` with each part quoted as needed (the model's qualnames are unquoted)."""
    schema, _, name = qualname.partition(".")
    return f"{quote_ident(schema)}.{quote_ident(name)}" if name else quote_ident(schema)


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(quote_ident(c) for c in columns)


def collation_sql(name: str) -> str:
    """A collation as the model spells it (schema-qualified unless in pg_catalog) as SQL."""
    return name if "." in name or name.startswith('"') else quote_ident(name)


def column_sql(column: Column) -> str:
    """A column definition: name, type, collation, one of generated / identity / default, NOT NULL."""
    parts = [quote_ident(column.name), column.type]
    if column.collation:
        parts.append(f"COLLATE {collation_sql(column.collation)}")
    if column.generated is not None:
        parts.append(f"GENERATED ALWAYS AS ({column.generated}) STORED")
    elif column.identity is not None:
        parts.append(f"GENERATED {column.identity.upper()} AS IDENTITY")
    elif column.default is not None:
        parts.append(f"DEFAULT {column.default}")
    if column.not_null:
        parts.append("NOT NULL")
    return " ".join(parts)


def constraint_sql(constraint: Constraint) -> str:
    """The table-constraint clause, ``CONSTRAINT name …``."""
    head = f"CONSTRAINT {quote_ident(constraint.name)} "
    if constraint.kind == "primary key":
        body = f"PRIMARY KEY ({_names(constraint.columns)})"
    elif constraint.kind == "unique":
        nulls = " NULLS NOT DISTINCT" if constraint.nulls_not_distinct else ""
        body = f"UNIQUE{nulls} ({_names(constraint.columns)})"
    elif constraint.kind == "foreign key":
        assert constraint.ref_table is not None, f"foreign key {constraint.name} has no referenced table"
        body = (
            f"FOREIGN KEY ({_names(constraint.columns)}) REFERENCES {quote_qualified(constraint.ref_table)}"
        )
        if constraint.ref_columns:
            body += f" ({_names(constraint.ref_columns)})"
        if constraint.match_full:
            body += " MATCH FULL"
        if constraint.on_update != "no action":
            body += f" ON UPDATE {constraint.on_update.upper()}"
        if constraint.on_delete != "no action":
            body += f" ON DELETE {constraint.on_delete.upper()}"
    elif constraint.kind == "check":
        body = f"CHECK ({constraint.expression})"
        if constraint.no_inherit:
            body += " NO INHERIT"
    else:
        expression = constraint.expression or ""
        body = expression if expression.upper().startswith("EXCLUDE") else f"EXCLUDE {expression}"
    if constraint.deferrable:
        body += " DEFERRABLE"
        if constraint.initially_deferred:
            body += " INITIALLY DEFERRED"
    return head + body


def sorted_constraints(table: Table) -> list[Constraint]:
    return sorted(table.constraints, key=lambda c: (_KIND_ORDER[c.kind], c.name))


def create_table_sql(table: Table) -> str:
    """``CREATE TABLE`` with columns and table constraints, ending in ``;``."""
    kind = {"table": "TABLE", "partitioned table": "TABLE", "foreign table": "FOREIGN TABLE"}[table.kind]
    prefix = {"permanent": "", "unlogged": "UNLOGGED ", "temporary": "TEMPORARY "}[table.persistence]
    head = f"CREATE {prefix}{kind} {quote_qualified(table.qualname)}"
    elements = [column_sql(c) for c in table.columns] + [constraint_sql(c) for c in sorted_constraints(table)]
    if table.partition_of is not None:
        head += f" PARTITION OF {quote_qualified(table.partition_of)}"
        body = " (\n" + ",\n".join(f"    {e}" for e in elements) + "\n)" if elements else ""
        text = head + body + f" {table.partition_bound or 'DEFAULT'}"
    else:
        text = head + " (\n" + ",\n".join(f"    {e}" for e in elements) + "\n)"
        if not elements:
            text = head + " ()"
        if table.inherits:
            text += f" INHERITS ({', '.join(quote_qualified(p) for p in table.inherits)})"
    if table.partition_key is not None:
        text += f" PARTITION BY {table.partition_key}"
    return text + ";"


def _index_key(key: str, columns: set[str]) -> str:
    """A key as written in CREATE INDEX: a column name quoted as needed, an expression in parentheses."""
    rest = key
    suffix = ""
    for tail in (" NULLS FIRST", " NULLS LAST"):
        if rest.endswith(tail):
            rest, suffix = rest[: -len(tail)], tail + suffix
    for tail in (" DESC", " ASC"):
        if rest.endswith(tail):
            rest, suffix = rest[: -len(tail)], tail + suffix
    opclass = re.search(r" ([a-z_][a-z0-9_.]*_ops)$", rest)
    if opclass:
        rest, suffix = rest[: opclass.start()], f" {opclass.group(1)}{suffix}"
    if rest in columns or (not columns and _PLAIN.fullmatch(rest)):
        return quote_ident(rest) + suffix
    if rest.startswith("(") and rest.endswith(")"):
        return rest + suffix
    return f"({rest}){suffix}"


def create_index_sql(index: Index, table: Table | None = None) -> str:
    """``CREATE [UNIQUE] INDEX``; pass the table so keys that are column names are told from expressions."""
    columns = {c.name for c in table.columns} if table is not None else set()
    unique = "UNIQUE " if index.unique else ""
    method = f" USING {index.method}" if index.method != "btree" else ""
    keys = ", ".join(_index_key(k, columns) for k in index.keys)
    text = (
        f"CREATE {unique}INDEX {quote_ident(index.name)} ON "
        f"{quote_qualified(f'{index.schema}.{index.table}')}{method} ({keys})"
    )
    if index.include:
        text += f" INCLUDE ({_names(index.include)})"
    if index.nulls_not_distinct:
        text += " NULLS NOT DISTINCT"
    if index.predicate is not None:
        text += f" WHERE {index.predicate}"
    return text + ";"


def table_sql(table: Table) -> str:
    """CREATE TABLE, its non-constraint indexes (by name) and its RLS flags: the table as SQL."""
    statements = [create_table_sql(table)]
    for index in sorted(table.indexes, key=lambda i: i.name):
        if index.constraint is None:
            statements.append(create_index_sql(index, table))
    name = quote_qualified(table.qualname)
    if table.rls_enabled:
        statements.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;")
    if table.rls_forced:
        statements.append(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;")
    return "\n".join(statements)


def create_policy_sql(table: Table, policy: Policy) -> str:
    text = f"CREATE POLICY {quote_ident(policy.name)} ON {quote_qualified(table.qualname)}"
    if not policy.permissive:
        text += " AS RESTRICTIVE"
    if policy.command != "all":
        text += f" FOR {policy.command.upper()}"
    if policy.roles != ("public",):
        text += f" TO {', '.join(r if r == 'public' else quote_ident(r) for r in policy.roles)}"
    if policy.using is not None:
        text += f" USING ({policy.using})"
    if policy.with_check is not None:
        text += f" WITH CHECK ({policy.with_check})"
    return text + ";"


def create_trigger_sql(table: Table | View, trigger: Trigger) -> str:
    events = []
    for event in trigger.events:
        if event == "update" and trigger.update_columns:
            events.append(f"UPDATE OF {_names(trigger.update_columns)}")
        else:
            events.append(event.upper())
    constraint = "CONSTRAINT " if trigger.constraint else ""
    text = (
        f"CREATE {constraint}TRIGGER {quote_ident(trigger.name)} {trigger.timing.upper()} "
        f"{' OR '.join(events)} ON {quote_qualified(table.qualname)} FOR EACH {trigger.level.upper()}"
    )
    if trigger.when is not None:
        text += f" WHEN ({trigger.when})"
    arguments = ", ".join("'" + a.replace("'", "''") + "'" for a in trigger.arguments)
    return text + f" EXECUTE FUNCTION {quote_qualified(trigger.function)}({arguments});"
