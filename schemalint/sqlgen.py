"""The one generator of CREATE/ALTER text from model objects.

The schema document and drift's reconciliation script both write their SQL
here, so that they agree on constraints, index keys, policies and
partitions. Each function returns one statement without its ``;`` (table_sql,
several statements, ends each with one). Deterministic: columns in table
order, constraints by kind (primary key, unique, foreign key, check,
exclusion) then name, indexes by name. Identifiers are quoted only when
needed (as PostgreSQL's quote_ident does). Types, defaults and expressions are
the model's canonical spellings, written as they are.
"""

from __future__ import annotations

import re

from schemalint.model import (
    Collation,
    Column,
    Constraint,
    DefaultPrivileges,
    Domain,
    Extension,
    Function,
    Grant,
    Index,
    Policy,
    Sequence,
    Table,
    Trigger,
    View,
)
from schemalint.typenorm import quote_ident

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
_QUOTED = re.compile(r'"(?:[^"]|"")+"')

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


def qname(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def constraint_definition(constraint: Constraint, *, not_valid: bool = True) -> str:
    """The constraint as ALTER TABLE … ADD CONSTRAINT name writes it (NOT VALID when it is not
    validated, unless ``not_valid`` is False: CREATE TABLE has no rows to skip)."""
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
    if not_valid and not constraint.validated:
        body += " NOT VALID"
    return body


def constraint_sql(constraint: Constraint) -> str:
    """The table-constraint clause of CREATE TABLE, ``CONSTRAINT name …``."""
    return f"CONSTRAINT {quote_ident(constraint.name)} {constraint_definition(constraint, not_valid=False)}"


def add_constraint_sql(table: Table, constraint: Constraint) -> str:
    definition = constraint_definition(constraint)
    name = quote_ident(constraint.name)
    return f"ALTER TABLE {qname(table.schema, table.name)} ADD CONSTRAINT {name} {definition}"


def comment_on_constraint_sql(table: Table, constraint: Constraint) -> str:
    text = literal(constraint.comment) if constraint.comment is not None else "NULL"
    return (
        f"COMMENT ON CONSTRAINT {quote_ident(constraint.name)} ON {qname(table.schema, table.name)} IS {text}"
    )


def sorted_constraints(table: Table) -> list[Constraint]:
    return sorted(table.constraints, key=lambda c: (_KIND_ORDER[c.kind], c.name))


def create_table_sql(table: Table, *, constraints: bool = True) -> str:
    """``CREATE TABLE`` with its columns and (``constraints``) its table constraints.

    A partition is ``PARTITION OF parent bound``: its columns are the parent's (PostgreSQL takes
    no column types there), and what it does not inherit is added after it."""
    kind = {"table": "TABLE", "partitioned table": "TABLE", "foreign table": "FOREIGN TABLE"}[table.kind]
    prefix = {"permanent": "", "unlogged": "UNLOGGED ", "temporary": "TEMPORARY "}[table.persistence]
    head = f"CREATE {prefix}{kind} {quote_qualified(table.qualname)}"
    if table.partition_of is not None:
        text = (
            f"{head} PARTITION OF {quote_qualified(table.partition_of)} {table.partition_bound or 'DEFAULT'}"
        )
    else:
        # a child declares only its own columns: the others come from its parents (INHERITS)
        elements = [column_sql(c) for c in table.columns if c.local or not table.inherits]
        if constraints:
            elements += [constraint_sql(c) for c in sorted_constraints(table)]
        text = head + " (\n" + ",\n".join(f"    {e}" for e in elements) + "\n)" if elements else head + " ()"
        if table.inherits:
            text += f" INHERITS ({', '.join(quote_qualified(p) for p in table.inherits)})"
    if table.partition_key is not None:
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


def _wrapped(text: str) -> bool:
    """True when the whole text is one parenthesised group: ``(a + b)``, not ``(a) + (b)``."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and i < len(text) - 1:
            return False
    return True


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
    if _QUOTED.fullmatch(rest) or _wrapped(rest):
        return rest + suffix
    return f"({rest}){suffix}"


def create_index_sql(
    index: Index,
    owner: Table | View | None = None,
    *,
    if_not_exists: bool = False,
    concurrently: bool = False,
) -> str:
    """``CREATE [UNIQUE] INDEX``; pass the table (view) so keys that are column names are told from
    expressions."""
    if owner is None:
        columns: set[str] = set()
    else:
        columns = {c.name for c in owner.columns} if isinstance(owner, Table) else set(owner.columns)
    unique = "UNIQUE " if index.unique else ""
    options = ("CONCURRENTLY " if concurrently else "") + ("IF NOT EXISTS " if if_not_exists else "")
    method = f" USING {index.method}" if index.method != "btree" else ""
    keys = ", ".join(_index_key(k, columns) for k in index.keys)
    on = qname(index.schema, index.table)
    text = f"CREATE {unique}INDEX {options}{quote_ident(index.name)} ON {on}{method} ({keys})"
    if index.include:
        text += f" INCLUDE ({_names(index.include)})"
    if index.nulls_not_distinct:
        text += " NULLS NOT DISTINCT"
    if index.predicate is not None:
        text += f" WHERE {index.predicate}"
    return text


def table_sql(table: Table) -> str:
    """CREATE TABLE, its non-constraint indexes (by name) and its RLS flags: the table as SQL, each
    statement ending in ``;``."""
    statements = [create_table_sql(table)]
    for index in sorted(table.indexes, key=lambda i: i.name):
        if index.constraint is None:
            statements.append(create_index_sql(index, table))
    name = quote_qualified(table.qualname)
    if table.rls_enabled:
        statements.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
    if table.rls_forced:
        statements.append(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY")
    return "\n".join(s + ";" for s in statements)


def create_policy_sql(table: Table, policy: Policy) -> str:
    text = f"CREATE POLICY {quote_ident(policy.name)} ON {quote_qualified(table.qualname)}"
    if not policy.permissive:
        text += " AS RESTRICTIVE"
    if policy.command != "all":
        text += f" FOR {policy.command.upper()}"
    if policy.roles != ("public",):
        text += f" TO {', '.join('PUBLIC' if r == 'public' else quote_ident(r) for r in policy.roles)}"
    if policy.using is not None:
        text += f" USING ({policy.using})"
    if policy.with_check is not None:
        text += f" WITH CHECK ({policy.with_check})"
    return text


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
    arguments = ", ".join(literal(a) for a in trigger.arguments)
    return text + f" EXECUTE FUNCTION {quote_qualified(trigger.function)}({arguments})"


_ENABLED = {"origin": "ENABLE", "disabled": "DISABLE", "replica": "ENABLE REPLICA", "always": "ENABLE ALWAYS"}


def trigger_enabled_sql(table: Table | View, trigger: Trigger) -> str:
    name = qname(table.schema, table.name)
    return f"ALTER TABLE {name} {_ENABLED[trigger.enabled]} TRIGGER {quote_ident(trigger.name)}"


def create_view_sql(view: View, *, replace: bool = False) -> str:
    head = "CREATE OR REPLACE" if replace else "CREATE"
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"{head} {kind} {qname(view.schema, view.name)} AS\n{view.definition.strip().rstrip(';')}"


def create_sequence_sql(sequence: Sequence) -> str:
    text = f"CREATE SEQUENCE {qname(sequence.schema, sequence.name)} AS {sequence.type}"
    text += f" INCREMENT BY {sequence.increment}"
    text += f" MINVALUE {sequence.min_value}" if sequence.min_value is not None else " NO MINVALUE"
    text += f" MAXVALUE {sequence.max_value}" if sequence.max_value is not None else " NO MAXVALUE"
    text += f" START WITH {sequence.start} CACHE {sequence.cache}"
    return text + (" CYCLE" if sequence.cycle else " NO CYCLE")


def sequence_owned_by_sql(sequence: Sequence) -> str:
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


def create_function_sql(function: Function) -> str | None:
    """CREATE OR REPLACE FUNCTION/PROCEDURE; None when it cannot be written from the model."""
    if function.kind in ("aggregate", "window") or function.body is None:
        return None
    procedure = function.kind == "procedure"
    text = f"CREATE OR REPLACE {'PROCEDURE' if procedure else 'FUNCTION'} "
    text += f"{qname(function.schema, function.name)}({function.arguments or function.identity_args})"
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


def drop_function_sql(function: Function) -> str:
    kind = "PROCEDURE" if function.kind == "procedure" else "FUNCTION"
    return f"DROP {kind} IF EXISTS {qname(function.schema, function.name)}({function.identity_args})"


def create_collation_sql(collation: Collation) -> str:
    """CREATE COLLATION with the provider, locale(s) and determinism of the model."""
    options = [f"provider = {collation.provider}"]
    if collation.provider == "libc":
        options += [f"lc_collate = {literal(collation.lc_collate or '')}"]
        options += [f"lc_ctype = {literal(collation.lc_ctype or '')}"]
    else:
        options.append(f"locale = {literal(collation.locale or '')}")
    if not collation.deterministic:
        options.append("deterministic = false")
    return f"CREATE COLLATION {qname(collation.schema, collation.name)} ({', '.join(options)})"


def create_extension_sql(extension: Extension) -> str:
    """CREATE EXTENSION in its schema, at its version when the model knows it."""
    text = (
        f"CREATE EXTENSION IF NOT EXISTS {quote_ident(extension.name)} SCHEMA {quote_ident(extension.schema)}"
    )
    return text + (f" VERSION {literal(extension.version)}" if extension.version is not None else "")


def create_domain_sql(domain: Domain) -> str:
    text = f"CREATE DOMAIN {qname(domain.schema, domain.name)} AS {domain.type}"
    text += f" COLLATE {collation_sql(domain.collation)}" if domain.collation else ""
    text += f" DEFAULT {domain.default}" if domain.default is not None else ""
    text += " NOT NULL" if domain.not_null else ""
    for name, expression in domain.checks:
        check = expression if expression.upper().startswith("CHECK") else f"CHECK ({expression})"
        text += f" CONSTRAINT {quote_ident(name)} {check}"
    return text


def table_comments_sql(table: Table) -> list[str]:
    """COMMENT ON the table, its columns and its indexes, as declared."""
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


def _grantee(role: str) -> str:
    return "PUBLIC" if role == "public" else quote_ident(role)


def grant_sql(on: str, grant: Grant, *, columns: tuple[str, ...] = ()) -> str:
    """GRANT one privilege ``on`` an object ("TABLE s.t", "FUNCTION s.f(integer)", …), on some
    of its columns when given."""
    option = " WITH GRANT OPTION" if grant.grantable else ""
    privilege = f"{grant.privilege} ({_names(columns)})" if columns else grant.privilege
    return f"GRANT {privilege} ON {on} TO {_grantee(grant.grantee)}{option}"


def revoke_sql(on: str, grant: Grant, *, columns: tuple[str, ...] = (), option_only: bool = False) -> str:
    """REVOKE one privilege (or only its grant option) ``on`` an object, as grant_sql names it."""
    what = f"{grant.privilege} ({_names(columns)})" if columns else grant.privilege
    if option_only:
        what = f"GRANT OPTION FOR {what}"
    return f"REVOKE {what} ON {on} FROM {_grantee(grant.grantee)}"


def default_privileges_sql(defaults: DefaultPrivileges, grant: Grant, *, revoke: bool, role: str = "") -> str:
    """ALTER DEFAULT PRIVILEGES [FOR ROLE role] [IN SCHEMA s] GRANT/REVOKE one privilege."""
    head = "ALTER DEFAULT PRIVILEGES"
    if role:
        head += f" FOR ROLE {quote_ident(role)}"
    if defaults.schema:
        head += f" IN SCHEMA {quote_ident(defaults.schema)}"
    on = defaults.on.upper()
    if revoke:
        return f"{head} REVOKE {grant.privilege} ON {on} FROM {_grantee(grant.grantee)}"
    option = " WITH GRANT OPTION" if grant.grantable else ""
    return f"{head} GRANT {grant.privilege} ON {on} TO {_grantee(grant.grantee)}{option}"
