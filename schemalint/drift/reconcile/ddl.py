"""Model objects → PostgreSQL DDL text, for the reconciliation script.

Identifiers are quoted only when needed (as PostgreSQL's quote_ident does);
types, defaults and expressions are the model's canonical spellings, which are
valid SQL. A Step is one statement of the script with the phase it sorts in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from schemalint.model import (
    Constraint,
    Domain,
    Function,
    Index,
    Policy,
    Sequence,
    Table,
    Trigger,
    View,
)
from schemalint.sqlgen import collation_sql, column_sql, create_trigger_sql, quote_qualified
from schemalint.typenorm import quote_ident

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*\Z")
_QUOTED = re.compile(r'"(?:[^"]|"")+"\Z')


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of the script, with where it sorts and why it is unsafe (None: safe)."""

    phase: int
    key: str
    sql: str | None
    unsafe: str | None
    order: int

    def render(self, *, enabled: bool) -> str:
        if self.sql is None:
            return f"-- MANUAL: {self.unsafe}\n"
        if self.unsafe is None:
            return f"-- safe\n{self.sql};\n"
        body = self.sql + ";"
        if not enabled:
            body = "\n".join("-- " + line for line in body.splitlines())
        return f"-- UNSAFE: {self.unsafe}\n{body}\n"


def changed_fields(declared: object, live: object) -> list[str]:
    """The names of the compared fields of two model objects of one class that differ."""
    return [
        f.name
        for f in fields(declared)  # type: ignore[arg-type]
        if f.compare and getattr(declared, f.name) != getattr(live, f.name)
    ]


def dependency_depths(items: dict[str, tuple[str, str]]) -> dict[str, int]:
    """For qualname → (name, text): 0 for an item whose text names no other item, else 1 + theirs.

    Functions whose bodies call other functions and views that read other
    views must be created after those (and dropped before them); the model
    does not record these dependencies, so they are read from the text.
    """
    patterns = {q: re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])") for q, (name, _) in items.items()}
    depths: dict[str, int] = {}

    def depth(qualname: str, seen: frozenset[str]) -> int:
        if qualname not in depths:
            text = items[qualname][1]
            used = [o for o, p in patterns.items() if o != qualname and o not in seen and p.search(text)]
            depths[qualname] = 1 + max((depth(o, seen | {qualname}) for o in used), default=-1)
        return depths[qualname]

    for qualname in items:
        depth(qualname, frozenset())
    return depths


def qname(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_table(table: Table) -> str | None:
    """CREATE TABLE without constraints or indexes; None for foreign and temporary tables."""
    if table.kind == "foreign table" or table.persistence == "temporary":
        return None
    head = "CREATE UNLOGGED TABLE" if table.persistence == "unlogged" else "CREATE TABLE"
    name = qname(table.schema, table.name)
    if table.partition_of:
        bound = table.partition_bound or "DEFAULT"
        text = f"{head} {name} PARTITION OF {quote_qualified(table.partition_of)} {bound}"
    else:
        columns = ",\n    ".join(column_sql(c) for c in table.columns)
        text = f"{head} {name} (\n    {columns}\n)" if columns else f"{head} {name} ()"
        if table.inherits:
            text += f" INHERITS ({', '.join(quote_qualified(p) for p in table.inherits)})"
    if table.partition_key:
        text += f" PARTITION BY {table.partition_key}"
    return text


def inherited_constraint(constraint: Constraint, parent: Table) -> bool:
    """True when a partition gets this constraint from its parent (so it must not be added again)."""
    for candidate in parent.constraints:
        if constraint.kind in ("primary key", "unique"):
            if candidate.kind == constraint.kind and candidate.columns == constraint.columns:
                return True
        elif candidate.kind == constraint.kind and candidate.name == constraint.name:
            return True
    return False


def inherited_index(index: Index, parent: Table) -> bool:
    return any(
        (i.keys, i.unique, i.method, i.predicate, i.include)
        == (index.keys, index.unique, index.method, index.predicate, index.include)
        for i in parent.indexes
    )


def constraint_definition(constraint: Constraint) -> str:
    columns = ", ".join(quote_ident(c) for c in constraint.columns)
    if constraint.kind == "primary key":
        text = f"PRIMARY KEY ({columns})"
    elif constraint.kind == "unique":
        nulls = " NULLS NOT DISTINCT" if constraint.nulls_not_distinct else ""
        text = f"UNIQUE{nulls} ({columns})"
    elif constraint.kind == "foreign key":
        refs = ", ".join(quote_ident(c) for c in constraint.ref_columns)
        text = f"FOREIGN KEY ({columns}) REFERENCES {quote_qualified(constraint.ref_table or '')}"
        text += f" ({refs})" if refs else ""
        text += " MATCH FULL" if constraint.match_full else ""
        if constraint.on_update != "no action":
            text += f" ON UPDATE {constraint.on_update.upper()}"
        if constraint.on_delete != "no action":
            text += f" ON DELETE {constraint.on_delete.upper()}"
    elif constraint.kind == "check":
        text = f"CHECK ({constraint.expression})"
        text += " NO INHERIT" if constraint.no_inherit else ""
    else:
        expression = constraint.expression or ""
        text = expression if expression.upper().startswith("EXCLUDE") else f"EXCLUDE {expression}"
    if constraint.deferrable:
        text += " DEFERRABLE INITIALLY DEFERRED" if constraint.initially_deferred else " DEFERRABLE"
    if not constraint.validated:
        text += " NOT VALID"
    return text


def add_constraint(table: Table, constraint: Constraint) -> str:
    name = qname(table.schema, table.name)
    definition = constraint_definition(constraint)
    return f"ALTER TABLE {name} ADD CONSTRAINT {quote_ident(constraint.name)} {definition}"


def comment_on_constraint(table: Table, constraint: Constraint) -> str:
    text = literal(constraint.comment) if constraint.comment is not None else "NULL"
    return (
        f"COMMENT ON CONSTRAINT {quote_ident(constraint.name)} ON {qname(table.schema, table.name)} IS {text}"
    )


def _index_key(key: str, columns: set[str]) -> str:
    rest, suffix = key, ""
    for ending in (" NULLS FIRST", " NULLS LAST", " DESC", " ASC"):
        if rest.endswith(ending):
            rest, suffix = rest[: -len(ending)], ending + suffix
    opclass = re.match(r"(.*\S) (\S+_ops)\Z", rest)
    if opclass:
        rest, suffix = opclass.group(1), f" {opclass.group(2)}{suffix}"
    if rest in columns:
        return quote_ident(rest) + suffix
    if _QUOTED.match(rest) or _PLAIN.match(rest):
        return rest + suffix
    return f"({rest}){suffix}"


def create_index(index: Index, owner: Table | View, *, if_not_exists: bool = False) -> str:
    columns = {c.name for c in owner.columns} if isinstance(owner, Table) else set(owner.columns)
    unique = "UNIQUE " if index.unique else ""
    exists = "IF NOT EXISTS " if if_not_exists else ""
    text = f"CREATE {unique}INDEX {exists}{quote_ident(index.name)} ON {qname(owner.schema, owner.name)}"
    if index.method != "btree":
        text += f" USING {index.method}"
    text += f" ({', '.join(_index_key(k, columns) for k in index.keys)})"
    if index.include:
        text += f" INCLUDE ({', '.join(quote_ident(c) for c in index.include)})"
    if index.nulls_not_distinct:
        text += " NULLS NOT DISTINCT"
    if index.predicate:
        text += f" WHERE {index.predicate}"
    return text


def create_trigger(table: Table | View, trigger: Trigger) -> str:
    return create_trigger_sql(table, trigger).removesuffix(";")


_ENABLED = {"origin": "ENABLE", "disabled": "DISABLE", "replica": "ENABLE REPLICA", "always": "ENABLE ALWAYS"}


def trigger_enabled(table: Table | View, trigger: Trigger) -> str:
    name = qname(table.schema, table.name)
    return f"ALTER TABLE {name} {_ENABLED[trigger.enabled]} TRIGGER {quote_ident(trigger.name)}"


def create_policy(table: Table, policy: Policy) -> str:
    roles = ", ".join("PUBLIC" if r == "public" else quote_ident(r) for r in policy.roles)
    kind = "PERMISSIVE" if policy.permissive else "RESTRICTIVE"
    text = f"CREATE POLICY {quote_ident(policy.name)} ON {qname(table.schema, table.name)} AS {kind}"
    text += f" FOR {policy.command.upper()} TO {roles}"
    if policy.using is not None:
        text += f" USING ({policy.using})"
    if policy.with_check is not None:
        text += f" WITH CHECK ({policy.with_check})"
    return text


def create_view(view: View, *, replace: bool = False) -> str:
    head = "CREATE OR REPLACE" if replace else "CREATE"
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"{head} {kind} {qname(view.schema, view.name)} AS\n{view.definition.strip().rstrip(';')}"


def replaceable_view(declared: View, live: View) -> bool:
    """True when CREATE OR REPLACE VIEW can turn the live view into the declared one."""
    if declared.materialized or live.materialized:
        return False
    return declared.columns[: len(live.columns)] == live.columns


def create_sequence(sequence: Sequence) -> str:
    text = f"CREATE SEQUENCE {qname(sequence.schema, sequence.name)} AS {sequence.type}"
    text += f" INCREMENT BY {sequence.increment}"
    text += f" MINVALUE {sequence.min_value}" if sequence.min_value is not None else " NO MINVALUE"
    text += f" MAXVALUE {sequence.max_value}" if sequence.max_value is not None else " NO MAXVALUE"
    text += f" START WITH {sequence.start} CACHE {sequence.cache}"
    return text + (" CYCLE" if sequence.cycle else " NO CYCLE")


def sequence_owned_by(sequence: Sequence) -> str:
    owner = "NONE"
    if sequence.owned_by:
        parts = sequence.owned_by.split(".")
        owner = f"{qname(parts[0], '.'.join(parts[1:-1]))}.{quote_ident(parts[-1])}"
    return f"ALTER SEQUENCE {qname(sequence.schema, sequence.name)} OWNED BY {owner}"


def _dollar_quote(body: str) -> str:
    tag, n = "$function$", 0
    while tag in body:
        n += 1
        tag = f"$function{n}$"
    return f"{tag}{body}{tag}"


def _setting(config: str) -> str:
    name, _, value = config.partition("=")
    if name != "search_path" and not re.fullmatch(r"[A-Za-z0-9_.]+", value):
        value = literal(value)
    return f"SET {quote_ident(name)} = {value}"


_SQL_STANDARD_BODY = re.compile(r"\s*(RETURN\b|BEGIN\s+ATOMIC\b)", re.IGNORECASE)


def create_function(function: Function) -> str | None:
    """CREATE OR REPLACE FUNCTION/PROCEDURE; None when it cannot be written from the model."""
    if function.kind in ("aggregate", "window") or function.body is None:
        return None
    procedure = function.kind == "procedure"
    text = f"CREATE OR REPLACE {'PROCEDURE' if procedure else 'FUNCTION'} "
    text += f"{qname(function.schema, function.name)}({function.identity_args})"
    if not procedure:
        text += f" RETURNS {function.returns}"
    text += f"\n    LANGUAGE {quote_ident(function.language)}"
    if not procedure:
        text += f" {function.volatility.upper()}" + (" STRICT" if function.strict else "")
    text += " SECURITY DEFINER" if function.security_definer else ""
    for config in function.config:
        text += f"\n    {_setting(config)}"
    if function.language == "sql" and _SQL_STANDARD_BODY.match(function.body):
        return text + f"\n{function.body.strip()}"
    return text + f"\nAS {_dollar_quote(function.body)}"


def drop_function(function: Function) -> str:
    kind = "PROCEDURE" if function.kind == "procedure" else "FUNCTION"
    return f"DROP {kind} IF EXISTS {qname(function.schema, function.name)}({function.identity_args})"


def create_domain(domain: Domain) -> str:
    text = f"CREATE DOMAIN {qname(domain.schema, domain.name)} AS {domain.type}"
    text += f" COLLATE {collation_sql(domain.collation)}" if domain.collation else ""
    text += f" DEFAULT {domain.default}" if domain.default is not None else ""
    text += " NOT NULL" if domain.not_null else ""
    for name, expression in domain.checks:
        check = expression if expression.upper().startswith("CHECK") else f"CHECK ({expression})"
        text += f" CONSTRAINT {quote_ident(name)} {check}"
    return text


def table_comments(table: Table) -> list[str]:
    name = qname(table.schema, table.name)
    texts = []
    if table.comment is not None:
        texts.append(f"COMMENT ON TABLE {name} IS {literal(table.comment)}")
    for column in table.columns:
        if column.comment is not None:
            texts.append(f"COMMENT ON COLUMN {name}.{quote_ident(column.name)} IS {literal(column.comment)}")
    for index in table.indexes:
        if index.comment is not None:
            texts.append(f"COMMENT ON INDEX {qname(index.schema, index.name)} IS {literal(index.comment)}")
    return texts
