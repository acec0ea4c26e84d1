"""The model as a plain-text listing (`schemalint inspect --format text`).

Per schema, in name order: tables (columns with type, nullability and
default; constraints; indexes; triggers; policies; RLS flags), then views,
enums, domains, functions and sequences; extensions last. Plain text, no
colour, stable order, so that it reads in a terminal and diffs in review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from schemalint.model import Constraint, Index, Model, Policy, Table, Trigger, View

_INDENT = "  "


def _table_lines(table: Table) -> list[str]:
    flags: list[str] = [table.kind] if table.kind != "table" else []
    if table.persistence != "permanent":
        flags.append(table.persistence)
    if table.partition_key:
        flags.append(f"partition by {table.partition_key}")
    if table.partition_of:
        flags.append(f"partition of {table.partition_of} {table.partition_bound or 'DEFAULT'}")
    if table.inherits:
        flags.append(f"inherits {', '.join(table.inherits)}")
    if table.rls_enabled:
        flags.append("RLS enabled" + (", forced" if table.rls_forced else ""))
    elif table.rls_forced:
        flags.append("RLS forced (not enabled)")
    head = f"table {table.qualname}" + (f" [{'; '.join(flags)}]" if flags else "")
    lines = [head]
    if table.comment:
        lines.append(f"{_INDENT}-- {table.comment}")
    width_name = max((len(c.name) for c in table.columns), default=0)
    width_type = max((len(c.type) for c in table.columns), default=0)
    for column in table.columns:
        extras = ["not null" if column.not_null else "null"]
        if column.identity:
            extras.append(f"identity {column.identity}")
        if column.generated:
            extras.append(f"generated as ({column.generated})")
        if column.default is not None:
            extras.append(f"default {column.default}")
        if column.collation:
            extras.append(f"collate {column.collation}")
        line = (
            f"{_INDENT}{column.name.ljust(width_name)}  {column.type.ljust(width_type)}  {'  '.join(extras)}"
        )
        if column.comment:
            line += f"  -- {column.comment}"
        lines.append(line.rstrip())
    lines.extend(_section("constraints", (_constraint(c) for c in table.constraints)))
    lines.extend(_section("indexes", (_index(i) for i in sorted(table.indexes, key=lambda i: i.name))))
    lines.extend(_section("triggers", (_trigger(t) for t in sorted(table.triggers, key=lambda t: t.name))))
    lines.extend(_section("policies", (_policy(p) for p in sorted(table.policies, key=lambda p: p.name))))
    return lines


def _section(title: str, items: Iterable[str]) -> list[str]:
    rows = [f"{_INDENT * 2}{item}" for item in items]
    return [f"{_INDENT}{title}:", *rows] if rows else []


def _constraint(constraint: Constraint) -> str:
    columns = ", ".join(constraint.columns)
    if constraint.kind == "foreign key":
        refs = ", ".join(constraint.ref_columns)
        text = f"{constraint.name}: foreign key ({columns}) → {constraint.ref_table} ({refs})"
        actions = [f"on delete {constraint.on_delete}"] if constraint.on_delete != "no action" else []
        if constraint.on_update != "no action":
            actions.append(f"on update {constraint.on_update}")
        text += "".join(f" {a}" for a in actions)
    elif constraint.kind in ("check", "exclusion"):
        text = f"{constraint.name}: {constraint.kind} ({constraint.expression})"
    else:
        text = f"{constraint.name}: {constraint.kind} ({columns})"
    if constraint.deferrable:
        text += " deferrable" + (" initially deferred" if constraint.initially_deferred else "")
    if not constraint.validated:
        text += " NOT VALID"
    return text


def _index(index: Index) -> str:
    text = f"{index.name}: {'unique ' if index.unique else ''}{index.method} ({', '.join(index.keys)})"
    if index.include:
        text += f" include ({', '.join(index.include)})"
    if index.predicate:
        text += f" where {index.predicate}"
    if index.constraint:
        text += f" [constraint {index.constraint}]"
    return text


def _trigger(trigger: Trigger) -> str:
    events = " or ".join(trigger.events)
    text = f"{trigger.name}: {trigger.timing} {events} for each {trigger.level} → {trigger.function}()"
    if trigger.when:
        text += f" when ({trigger.when})"
    if trigger.enabled != "origin":
        text += f" [{trigger.enabled}]"
    return text


def _policy(policy: Policy) -> str:
    kind = "permissive" if policy.permissive else "restrictive"
    text = f"{policy.name}: {kind} for {policy.command} to {', '.join(policy.roles)}"
    if policy.using is not None:
        text += f" using ({policy.using})"
    if policy.with_check is not None:
        text += f" with check ({policy.with_check})"
    return text


def _view_lines(view: View) -> list[str]:
    kind = "materialized view" if view.materialized else "view"
    lines = [f"{kind} {view.qualname}" + (f" ({', '.join(view.columns)})" if view.columns else "")]
    lines.append(f"{_INDENT}{' '.join(view.definition.split())}")
    lines.extend(_section("indexes", (_index(i) for i in sorted(view.indexes, key=lambda i: i.name))))
    lines.extend(_section("triggers", (_trigger(t) for t in sorted(view.triggers, key=lambda t: t.name))))
    return lines


def model_to_text(model: Model) -> str:
    """A readable listing of the whole model, grouped by schema."""
    blocks: dict[str, list[list[str]]] = defaultdict(list)
    for table in sorted(model.tables.values(), key=lambda t: t.qualname):
        blocks[table.schema].append(_table_lines(table))
    for view in sorted(model.views.values(), key=lambda v: v.qualname):
        blocks[view.schema].append(_view_lines(view))
    for enum in sorted(model.enums.values(), key=lambda e: e.qualname):
        blocks[enum.schema].append([f"enum {enum.qualname}: {', '.join(enum.values)}"])
    for domain in sorted(model.domains.values(), key=lambda d: d.qualname):
        text = f"domain {domain.qualname}: {domain.type}" + (" not null" if domain.not_null else "")
        text += f" default {domain.default}" if domain.default is not None else ""
        text += "".join(f" check {name} ({expression})" for name, expression in domain.checks)
        blocks[domain.schema].append([text])
    for function in sorted(model.functions.values(), key=lambda f: f.qualname):
        text = f"{function.kind} {function.qualname} returns {function.returns} language {function.language}"
        text += f" {function.volatility}" + (" security definer" if function.security_definer else "")
        blocks[function.schema].append([text])
    for collation in sorted(model.collations.values(), key=lambda c: c.qualname):
        locale = collation.locale or ""
        if collation.provider == "libc":
            same = collation.lc_collate == collation.lc_ctype
            locale = f"{collation.lc_collate}" if same else f"{collation.lc_collate}/{collation.lc_ctype}"
        text = f"collation {collation.qualname}: {collation.provider} {locale}"
        blocks[collation.schema].append([text + ("" if collation.deterministic else " nondeterministic")])
    for sequence in sorted(model.sequences.values(), key=lambda s: s.qualname):
        text = f"sequence {sequence.qualname}: {sequence.type} start {sequence.start}"
        text += f" increment {sequence.increment}"
        text += f" owned by {sequence.owned_by}" if sequence.owned_by else ""
        blocks[sequence.schema].append([text])

    out: list[str] = []
    for name in sorted(set(model.schemas) | set(blocks)):
        schema = model.schemas.get(name)
        out.append(f"schema {name}" + (f"  -- {schema.comment}" if schema and schema.comment else ""))
        for block in blocks.get(name, []):
            out.append("")
            out.extend(f"{_INDENT}{line}" for line in block)
        out.append("")
    if model.extensions:
        out.append("extensions")
        for extension in sorted(model.extensions.values(), key=lambda e: e.name):
            version = f" {extension.version}" if extension.version is not None else ""
            out.append(f"{_INDENT}{extension.name}{version} (schema {extension.schema})")
        out.append("")
    if not out:
        return "(empty model)\n"
    return "\n".join(out).rstrip("\n") + "\n"
