"""The Database Schema Document: the schema as Markdown, kept true by regeneration.

Every generated part sits between ``<!-- schemalint:begin NAME -->`` and
``<!-- schemalint:end NAME -->`` (its heading included), so that
``update_document`` can replace exactly those parts and keep everything a
person wrote around them. Sections: ``overview``, ``erd``, ``conventions``,
one ``tables:DOMAIN`` per domain, ``enums``, ``domains``, ``views``,
``functions``, ``triggers``, ``policies``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

import networkx as nx

from schemalint.docsections import check_document, section, update_document
from schemalint.erd import mermaid_size_warning, render_mermaid
from schemalint.graph import fk_graph, split_graph
from schemalint.model import Model, Table
from schemalint.sqlgen import (
    create_index_sql,
    create_policy_sql,
    create_trigger_sql,
    quote_qualified,
    sorted_constraints,
    table_sql,
)

__all__ = ["check_document", "render_document", "table_domain", "update_document"]


def _cell(text: str | None) -> str:
    if text is None or text == "":
        return ""
    return text.replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def _code(text: str | None) -> str:
    return "" if text is None else f"`{_cell(text)}`"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _none(lines: list[str]) -> list[str]:
    return lines if lines else ["_None._"]


def _overview(model: Model, server_version: str | None) -> list[str]:
    version = server_version or model.database.server_version
    technology = f"PostgreSQL {version}" if version else "PostgreSQL (from migrations)"
    counts = [
        (len(model.tables), "table", "tables"),
        (sum(1 for v in model.views.values() if not v.materialized), "view", "views"),
        (sum(1 for v in model.views.values() if v.materialized), "materialized view", "materialized views"),
        (len(model.enums), "enum", "enums"),
        (len(model.domains), "domain", "domains"),
        (len(model.functions), "function", "functions"),
        (sum(len(t.triggers) for t in model.tables.values()), "trigger", "triggers"),
        (sum(len(t.policies) for t in model.tables.values()), "policy", "policies"),
    ]
    schemas = sorted(set(model.schemas) | {t.schema for t in model.tables.values()})
    extensions = sorted(model.extensions)
    rows = [
        ["Technology", technology],
        ["Schemas", ", ".join(f"`{s}`" for s in schemas) or "none"],
        ["Objects", ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n) or "none"],
    ]
    if extensions:
        rows.append(["Extensions", ", ".join(f"`{e}`" for e in extensions)])
    return ["## Overview", "", *_table(["", ""], rows)]


def _mermaid_block(graph: nx.MultiDiGraph) -> list[str] | None:
    """The diagram with key columns, else with table names only, else None when even that is too large."""
    for columns in ("keys", "none"):
        diagram = render_mermaid(graph, columns=columns)
        if mermaid_size_warning(diagram) is None:
            return ["```mermaid", diagram.rstrip("\n"), "```"]
    return None


def _erd(model: Model) -> list[str]:
    lines = ["## Entity-relationship diagram", ""]
    if not model.tables:
        return [*lines, "_No tables._"]
    graph = fk_graph(model)
    block = _mermaid_block(graph)
    if block is not None:
        return lines + block
    lines.append("The schema is too large for one diagram: one diagram per group of related tables.")
    for name, part in split_graph(graph, "component").items():
        lines += ["", f"### {name}", ""]
        block = _mermaid_block(part)
        if block is None:
            count = part.number_of_nodes()
            block = [
                f"_{count} tables, too many for one mermaid diagram; draw a neighbourhood with "
                f"`schemalint erd SOURCE --table {name} --depth 1`._"
            ]
        lines += block
    return lines


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value) if value else "none"
    return f"`{value}`"


def _nested_lines(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, Mapping):
        lines = [f"{indent}- {key}:"]
        for inner in sorted(value, key=str):
            lines += _nested_lines(f"`{inner}`", value[inner], indent + "  ")
        return lines
    if isinstance(value, (list, tuple)) and any(isinstance(v, Mapping) for v in value):
        lines = [f"{indent}- {key}:"]
        for item in value:
            if isinstance(item, Mapping):
                lines.append(f"{indent}  - " + ", ".join(f"{k} {_value(v)}" for k, v in item.items()))
            else:
                lines.append(f"{indent}  - {_value(item)}")
        return lines
    return [f"{indent}- {key}: {_value(value)}"]


def _option_lines(name: str, value: Any, indent: str) -> list[str]:
    """An option as a list item: its name in words, mappings (standard columns) as nested items."""
    return _nested_lines(name.replace("_", " "), value, indent)


def _conventions(pack: Mapping[str, Any] | None) -> list[str]:
    lines = ["## Conventions", ""]
    if not pack:
        return [*lines, "_No rule pack given._"]
    active = {code: entry for code, entry in pack.items() if (entry or {}).get("severity", "error") != "off"}
    lines.append("The rules this schema is checked against, with their options:")
    lines.append("")
    for code in sorted(active):
        entry = active[code] or {}
        slug = f" `{entry['slug']}`" if entry.get("slug") else ""
        summary = f": {entry['summary']}" if entry.get("summary") else ""
        lines.append(f"- **{code}**{slug} ({entry.get('severity', 'error')}){summary}")
        options = entry.get("options") or {}
        for name in sorted(options):
            lines += _option_lines(name, options[name], "  ")
    return lines


def table_domain(table: Table, domains: Mapping[str, str] | None) -> str:
    """The domain of a table: the first glob of ``domains`` matching its qualname or name, else its schema."""
    for pattern, domain in (domains or {}).items():
        if fnmatch.fnmatchcase(table.qualname, pattern) or fnmatch.fnmatchcase(table.name, pattern):
            return domain
    return table.schema


def _column_constraints(table: Table) -> dict[str, list[str]]:
    # a constraint may name a column the table lacks (a hand-edited model dump): not shown on one
    found: dict[str, list[str]] = {c.name: [] for c in table.columns}
    for constraint in sorted_constraints(table):
        if constraint.kind == "primary key":
            for name in constraint.columns:
                found.get(name, []).append("PK")
        elif constraint.kind == "unique" and len(constraint.columns) == 1:
            found.get(constraint.columns[0], []).append("UNIQUE")
        elif constraint.kind == "foreign key" and constraint.ref_table is not None:
            target = f"{constraint.ref_table}({', '.join(constraint.ref_columns)})"
            action = (
                f" ON DELETE {constraint.on_delete.upper()}" if constraint.on_delete != "no action" else ""
            )
            for name in constraint.columns:
                found.get(name, []).append(f"FK → {target}{action}")
    for index in sorted(table.indexes, key=lambda i: i.name):
        if index.unique and index.constraint is None and len(index.keys) == 1 and index.keys[0] in found:
            partial = " (partial)" if index.predicate is not None else ""
            found[index.keys[0]].append(f"UNIQUE{partial}")
    for column in table.columns:
        if column.identity:
            found[column.name].append(f"IDENTITY {column.identity.upper()}")
        if column.generated is not None:
            found[column.name].append("GENERATED")
    return {name: [item for item in dict.fromkeys(items)] for name, items in found.items()}


def _table_lines(table: Table) -> list[str]:
    lines = [f"### {table.qualname}", ""]
    if table.comment:
        lines += [table.comment.strip(), ""]
    constraints = _column_constraints(table)
    rows = [
        [
            f"`{_cell(c.name)}`",
            _code(c.type),
            "no" if c.not_null else "yes",
            _code(c.default if c.generated is None else c.generated),
            _cell(", ".join(constraints[c.name])),
            _cell(c.comment),
        ]
        for c in table.columns
    ]
    lines += _table(["Column", "Type", "Nullable", "Default", "Constraints", "Description"], rows)
    return [*lines, "", "```sql", table_sql(table), "```"]


def _tables(model: Model, domains: Mapping[str, str] | None) -> list[str]:
    grouped: dict[str, list[Table]] = {}
    for qualname in sorted(model.tables):
        table = model.tables[qualname]
        grouped.setdefault(table_domain(table, domains), []).append(table)
    order = list(dict.fromkeys([d for d in (domains or {}).values() if d in grouped] + sorted(grouped)))
    sections = []
    for domain in order:
        lines = [f"## Tables: {domain}"]
        for table in grouped[domain]:
            lines += ["", *_table_lines(table)]
        sections.append(section(f"tables:{domain}", lines))
    return sections


def _enums(model: Model) -> list[str]:
    rows = [
        [f"`{e.qualname}`", ", ".join(f"`{_cell(v)}`" for v in e.values), _cell(e.comment)]
        for _, e in sorted(model.enums.items())
    ]
    return ["## Enums", "", *_none(_table(["Enum", "Values", "Description"], rows) if rows else [])]


def _domains(model: Model) -> list[str]:
    rows = [
        [
            f"`{d.qualname}`",
            _code(d.type),
            "no" if d.not_null else "yes",
            _code(d.default),
            "<br>".join(f"`{_cell(name)}`: `{_cell(expr)}`" for name, expr in d.checks),
            _cell(d.comment),
        ]
        for _, d in sorted(model.domains.items())
    ]
    header = ["Domain", "Type", "Nullable", "Default", "Checks", "Description"]
    return ["## Domains", "", *_none(_table(header, rows) if rows else [])]


def _views(model: Model) -> list[str]:
    lines = ["## Views"]
    for _, view in sorted(model.views.items()):
        kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
        lines += ["", f"### {view.qualname}{' (materialized)' if view.materialized else ''}", ""]
        if view.comment:
            lines += [view.comment.strip(), ""]
        statements = [f"CREATE {kind} {quote_qualified(view.qualname)} AS\n{view.definition.rstrip(';')};"]
        statements += [create_index_sql(i) for i in sorted(view.indexes, key=lambda i: i.name)]
        statements += [create_trigger_sql(view, t) for t in sorted(view.triggers, key=lambda t: t.name)]
        lines += ["```sql", *statements, "```"]
    return lines if len(lines) > 1 else [*lines, "", "_None._"]


def _functions(model: Model) -> list[str]:
    rows = [
        [
            f"`{_cell(f.qualname)}`",
            f.kind,
            _code(f.returns),
            f.language,
            f.volatility,
            "definer" if f.security_definer else "invoker",
            _cell(f.comment),
        ]
        for _, f in sorted(model.functions.items())
    ]
    header = ["Function", "Kind", "Returns", "Language", "Volatility", "Security", "Description"]
    return ["## Functions", "", *_none(_table(header, rows) if rows else [])]


def _triggers(model: Model) -> list[str]:
    rows = [
        [
            f"`{table.qualname}`",
            f"`{_cell(t.name)}`",
            t.timing,
            ", ".join(t.events),
            t.level,
            f"`{t.function}`",
            _code(t.when),
        ]
        for _, table in sorted(model.tables.items())
        for t in sorted(table.triggers, key=lambda t: t.name)
    ]
    header = ["Table", "Trigger", "Timing", "Events", "Level", "Function", "When"]
    return ["## Triggers", "", *_none(_table(header, rows) if rows else [])]


def _policies(model: Model) -> list[str]:
    lines = ["## Row-level security", ""]
    tables = [t for _, t in sorted(model.tables.items()) if t.rls_enabled or t.policies]
    if not tables:
        return [*lines, "_No table has row-level security._"]
    rows = [
        [
            f"`{t.qualname}`",
            "yes" if t.rls_enabled else "**no**",
            "yes" if t.rls_forced else "no",
            ", ".join(f"`{_cell(p.name)}`" for p in sorted(t.policies, key=lambda p: p.name)) or "**none**",
        ]
        for t in tables
    ]
    lines += _table(["Table", "RLS enabled", "Forced", "Policies"], rows)
    statements = [create_policy_sql(t, p) for t in tables for p in sorted(t.policies, key=lambda p: p.name)]
    return [*lines, "", "```sql", *statements, "```"] if statements else lines


def render_document(
    model: Model,
    *,
    title: str,
    pack: Mapping[str, Any] | None = None,
    domains: Mapping[str, str] | None = None,
    server_version: str | None = None,
) -> str:
    """The whole document. ``pack``: rule code → {severity, options[, slug, summary]};
    ``domains``: table glob → domain name (unmatched tables group by schema)."""
    parts = [
        f"# {title}",
        section("overview", _overview(model, server_version)),
        section("erd", _erd(model)),
        section("conventions", _conventions(pack)),
        *_tables(model, domains),
        section("enums", _enums(model)),
        section("domains", _domains(model)),
        section("views", _views(model)),
        section("functions", _functions(model)),
        section("triggers", _triggers(model)),
        section("policies", _policies(model)),
    ]
    return "\n\n".join(parts) + "\n"
