"""Row level security: tenant tables must be isolated by enabled, forced policies on the tenant column."""

from __future__ import annotations

from collections.abc import Iterator

from schemalint.model import Policy, Table
from schemalint.rules.astutil import (
    column_refs,
    parse_expression,
    quote_ident,
    sql_name,
    text_is_constant_true,
)
from schemalint.rules.base import Finding, Model, ModelRule, Option, Rule, RuleContext

_TENANT_OPTION = Option("tenant_column", str, "tenant_id", "The column that makes a table a tenant table.")


def _tables(model: Model) -> Iterator[Table]:
    """Tables whose rows RLS can protect; partitions are protected through their parent."""
    for name in sorted(model.tables):
        table = model.tables[name]
        if table.kind != "foreign table" and table.partition_of is None:
            yield table


def _is_tenant(table: Table, column: str) -> bool:
    return table.column(column) is not None


def _policy_sql(table: Table, column: str) -> str:
    name = quote_ident(f"{table.name}_tenant_isolation"[:63])
    col = quote_ident(column)
    return (
        f"CREATE POLICY {name} ON {sql_name(table.qualname)} "
        f"USING ({col} = current_setting('app.tenant_id')::uuid) "
        f"WITH CHECK ({col} = current_setting('app.tenant_id')::uuid);"
    )


class TenantTableWithoutRls(ModelRule):
    """A tenant table does not have row level security enabled.

    ## Why
    With one database for many tenants, a missing `WHERE tenant_id = …` in
    one query leaks another tenant's rows. Row level security makes the
    database add that condition to every query, whatever the application does.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
    CREATE POLICY invoices_tenant_isolation ON invoices
        USING (tenant_id = current_setting('app.tenant_id')::uuid);
    ```

    ## Options
    - `tenant_column` (default `tenant_id`): the column that makes a table a tenant table.

    ## Notes
    Partitions and foreign tables are skipped: a partitioned table is checked
    on the parent (revoke direct access to the partitions).
    """

    code = "R001"
    slug = "tenant-table-without-rls"
    severity = "error"
    tags = ("rls", "security", "tenancy")
    options = (_TENANT_OPTION,)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        column: str = self.opts["tenant_column"]
        for table in _tables(model):
            if _is_tenant(table, column) and not table.rls_enabled:
                name = sql_name(table.qualname)
                yield self.finding(
                    f"Tenant table {table.qualname} (has {column}) has row level security disabled; "
                    "expected it enabled and forced, with a tenant policy.",
                    object=table.qualname,
                    location=table.location or ctx.origin(table.qualname),
                    help=f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY; "
                    f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY; {_policy_sql(table, column)}",
                )


class RlsNotForced(ModelRule):
    """Row level security is enabled but not forced, so the table owner bypasses it.

    ## Why
    Policies do not apply to the table's owner unless row level security is
    forced. Applications often connect as the role that ran the migrations,
    which owns the tables: then every policy is silently ignored.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
    ```

    ## Notes
    Applies to every table with row level security enabled, tenant table or
    not. Superusers and roles with BYPASSRLS bypass policies even when forced.
    """

    code = "R002"
    slug = "rls-not-forced"
    severity = "warning"
    tags = ("rls", "security")

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in _tables(model):
            if table.rls_enabled and not table.rls_forced:
                yield self.finding(
                    f"Table {table.qualname} has row level security enabled but not forced; "
                    "its owner bypasses every policy.",
                    object=table.qualname,
                    aspect="rls_enabled",
                    help=f"ALTER TABLE {sql_name(table.qualname)} FORCE ROW LEVEL SECURITY;",
                )


class RlsWithoutPolicy(ModelRule):
    """Row level security is enabled on a table that has no policy.

    ## Why
    With row level security on and no policy, every query of a role other
    than the owner sees no rows and every write fails: default deny. That is
    almost always a half-finished migration, not the intent.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    CREATE POLICY invoices_tenant_isolation ON invoices
        USING (tenant_id = current_setting('app.tenant_id')::uuid);
    ```

    ## Options
    - `tenant_column` (default `tenant_id`): the column the suggested policy filters by (in the help).
    """

    code = "R003"
    slug = "rls-without-policy"
    severity = "warning"
    tags = ("rls", "security")
    options = (_TENANT_OPTION,)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        column: str = self.opts["tenant_column"]
        for table in _tables(model):
            if table.rls_enabled and not table.policies:
                yield self.finding(
                    f"Table {table.qualname} has row level security enabled and 0 policies; "
                    "every role but the owner is denied every row.",
                    object=table.qualname,
                    aspect="rls_enabled",
                    help=_policy_sql(table, column),
                )


class PolicyWithoutTenantPredicate(ModelRule):
    """A permissive policy on a tenant table does not filter by the tenant column.

    ## Why
    Permissive policies are OR-ed together: one policy whose USING or WITH
    CHECK clause does not mention `tenant_id` opens the rows of every tenant,
    whatever the other policies say.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, owner text NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    CREATE POLICY invoices_owner ON invoices USING (owner = current_user);
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, owner text NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    CREATE POLICY invoices_owner ON invoices
        USING (tenant_id = current_setting('app.tenant_id')::uuid AND owner = current_user);
    ```

    ## Options
    - `tenant_column` (default `tenant_id`): the column that makes a table a tenant table.

    ## Notes
    Restrictive policies are not checked: they are AND-ed with the others and
    can only narrow what a permissive policy allows.
    """

    code = "R004"
    slug = "policy-without-tenant-predicate"
    severity = "error"
    tags = ("rls", "security", "tenancy")
    options = (_TENANT_OPTION,)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        column: str = self.opts["tenant_column"]
        for table in _tables(model):
            if not _is_tenant(table, column):
                continue
            for policy in table.policies:
                if not policy.permissive:
                    continue
                missing = [
                    clause
                    for clause, text in (("USING", policy.using), ("WITH CHECK", policy.with_check))
                    if text is not None and column not in column_refs(parse_expression(text))
                ]
                if not missing:
                    continue
                name = f"{table.qualname}.{policy.name}"
                found = "; ".join(
                    f"{clause} ({policy.using if clause == 'USING' else policy.with_check})"
                    for clause in missing
                )
                yield self.finding(
                    f"Policy {name} on tenant table {table.qualname} does not reference {column} in "
                    f"{' and '.join(missing)}: found {found}.",
                    object=name,
                    location=policy.location or ctx.origin(name),
                    help=f"ALTER POLICY {quote_ident(policy.name)} ON {sql_name(table.qualname)} "
                    f"USING ({quote_ident(column)} = current_setting('app.tenant_id')::uuid AND …);",
                )


class PolicyOnTableWithoutRls(ModelRule):
    """A policy exists on a table whose row level security is disabled.

    ## Why
    Policies do nothing until row level security is enabled on their table.
    A policy on such a table looks like protection and is none.

    ## Bad
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    CREATE POLICY invoices_tenant_isolation ON invoices
        USING (tenant_id = current_setting('app.tenant_id')::uuid);
    ```

    ## Good
    ```sql
    CREATE TABLE invoices (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
    ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
    CREATE POLICY invoices_tenant_isolation ON invoices
        USING (tenant_id = current_setting('app.tenant_id')::uuid);
    ```
    """

    code = "R005"
    slug = "policy-on-table-without-rls"
    severity = "error"
    tags = ("rls", "security")

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        for table in _tables(model):
            if table.rls_enabled:
                continue
            for policy in table.policies:
                name = f"{table.qualname}.{policy.name}"
                yield self.finding(
                    f"Policy {name} is defined on {table.qualname}, which has row level security "
                    "disabled; the policy has no effect.",
                    object=name,
                    location=policy.location or ctx.origin(name),
                    help=f"ALTER TABLE {sql_name(table.qualname)} ENABLE ROW LEVEL SECURITY;",
                )


class PolicyAlwaysTrue(ModelRule):
    """A permissive policy allows every row: USING (true) or WITH CHECK (true).

    ## Why
    Permissive policies are OR-ed: a policy that is always true makes every
    other policy on the table irrelevant for the commands it covers.

    ## Bad
    ```sql
    CREATE TABLE notes (id uuid PRIMARY KEY, body text);
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY notes_write ON notes FOR UPDATE USING (true);
    ```

    ## Good
    ```sql
    CREATE TABLE notes (id uuid PRIMARY KEY, body text, author text NOT NULL);
    ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY notes_write ON notes FOR UPDATE USING (author = current_user);
    CREATE POLICY notes_read ON notes FOR SELECT USING (true);
    ```

    ## Options
    - `tenant_column` (default `tenant_id`): the column that makes a table a tenant table.

    ## Notes
    `FOR SELECT … USING (true)` is the usual way to make a table publicly
    readable and is allowed, except on tenant tables. Restrictive policies are
    not checked (an always-true restrictive policy restricts nothing, but
    opens nothing either).
    """

    code = "R006"
    slug = "policy-always-true"
    severity = "error"
    tags = ("rls", "security")
    options = (_TENANT_OPTION,)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        column: str = self.opts["tenant_column"]
        for table in _tables(model):
            tenant = _is_tenant(table, column)
            for policy in table.policies:
                if not policy.permissive or (policy.command == "select" and not tenant):
                    continue
                clauses = _true_clauses(policy)
                if not clauses:
                    continue
                name = f"{table.qualname}.{policy.name}"
                yield self.finding(
                    f"Policy {name} (FOR {policy.command.upper()}) on {table.qualname} is always true in "
                    f"{' and '.join(clauses)}; it allows every row.",
                    object=name,
                    location=policy.location or ctx.origin(name),
                    help=f"ALTER POLICY {quote_ident(policy.name)} ON {sql_name(table.qualname)} USING "
                    + (
                        f"({quote_ident(column)} = current_setting('app.tenant_id')::uuid);"
                        if tenant
                        else "(<a condition on the row, e.g. author = current_user>);"
                    ),
                )


def _true_clauses(policy: Policy) -> list[str]:
    return [
        clause
        for clause, text in (("USING", policy.using), ("WITH CHECK", policy.with_check))
        if text_is_constant_true(text)
    ]


RULES: tuple[type[Rule], ...] = (
    TenantTableWithoutRls,
    RlsNotForced,
    RlsWithoutPolicy,
    PolicyWithoutTenantPredicate,
    PolicyOnTableWithoutRls,
    PolicyAlwaysTrue,
)
