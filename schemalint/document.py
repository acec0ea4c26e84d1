"""The Database Schema Document, in the shape of the template it comes from, kept true by
regeneration.

Every generated part sits between ``<!-- schemalint:begin NAME -->`` and
``<!-- schemalint:end NAME -->`` (its heading included), so that
``update_document`` can replace exactly those parts and keep everything a
person wrote around them. The template's sections, in its order:

- header block, Related Standards, Document History: written once (prose,
  placeholders from ``[tool.schemalint.doc]``), then kept by hand;
- ``technology`` (1), then a hand-kept table of hosting facts;
- ``erd`` (2): every table with every column, split to fit mermaid's limits;
- ``conventions`` (3, see docconventions);
- ``tables`` and one ``tables:DOMAIN`` per domain (4);
- ``enums`` (5), ``views`` (6), ``functions`` (7), ``migrations`` (8),
  ``seed`` (9), ``partitioning`` (10.1); the rest of 8-10, 11 and Approval
  by hand (see docmanual).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from schemalint import docmanual
from schemalint.docconventions import conventions_lines
from schemalint.docobjects import (
    enums_lines,
    functions_lines,
    is_lookup_table,
    partitioning_lines,
    sql_block,
    table_statements,
    views_lines,
)
from schemalint.docsections import check_document, section, update_document
from schemalint.erd import Columns, display_type
from schemalint.erdfit import fit_mermaid
from schemalint.graph import fk_graph
from schemalint.model import Model, Table
from schemalint.sources.migrationinfo import MigrationFacts
from schemalint.sqlgen import sorted_constraints
from schemalint.typenorm import quote_ident

__all__ = ["DocOptions", "check_document", "render_document", "table_domain", "update_document"]


@dataclass(frozen=True)
class DocOptions:
    """What the document needs besides the model."""

    pack: Mapping[str, Any] | None = None  # rule code → {severity, options[, slug, summary]}
    domains: Mapping[str, str] | None = None  # table glob → domain name
    server_version: str | None = None
    target_postgres: int | None = None
    header: Mapping[str, str] = field(default_factory=dict)  # [tool.schemalint.doc]
    labels: Mapping[str, str] = field(default_factory=dict)  # FK → relationship label
    migrations: MigrationFacts | None = None
    columns: Columns = "all"
    today: date | None = None


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


def _technology(model: Model, options: DocOptions) -> list[str]:
    version = options.server_version or model.database.server_version
    if version:
        shown = version
    elif options.target_postgres:
        shown = f"{options.target_postgres} (target-postgres; read from migrations)"
    else:
        shown = "(read from migrations)"
    counts = [
        (len(model.tables), "table", "tables"),
        (sum(1 for v in model.views.values() if not v.materialized), "view", "views"),
        (sum(1 for v in model.views.values() if v.materialized), "materialized view", "materialized views"),
        (len(model.enums), "enum", "enums"),
        (len(model.domains), "domain", "domains"),
        (len(model.sequences), "sequence", "sequences"),
        (len(model.functions), "function", "functions"),
        (sum(len(t.triggers) for t in model.tables.values()), "trigger", "triggers"),
        (sum(len(t.policies) for t in model.tables.values()), "policy", "policies"),
    ]
    schemas = sorted(set(model.schemas) | {t.schema for t in model.tables.values()})
    tool = options.migrations.tool if options.migrations else None
    rows = [
        ["**Technology**", "PostgreSQL"],
        ["**Version**", shown],
        ["**Encoding**", model.database.encoding or "{{ENCODING}} (read from a live database)"],
        ["**Timezone**", model.database.timezone or "{{TIMEZONE}} (read from a live database)"],
        ["**Extensions**", ", ".join(f"`{e}`" for e in sorted(model.extensions)) or "none"],
        ["**Schemas**", ", ".join(f"`{s}`" for s in schemas) or "none"],
        [
            "**Objects**",
            ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n) or "none",
        ],
        ["**Migration tool**", tool or "{{MIGRATION_TOOL}}"],
    ]
    lines = ["## 1. Database Technology & Version", "", *_table(["Property", "Value"], rows)]
    statements = [
        f"CREATE SCHEMA IF NOT EXISTS {quote_ident(s)};" for s in sorted(model.schemas) if s != "public"
    ]
    statements += [
        f"CREATE EXTENSION IF NOT EXISTS {quote_ident(e.name)} SCHEMA {quote_ident(e.schema)};"
        for _, e in sorted(model.extensions.items())
    ]
    return [*lines, "", *sql_block(statements)] if statements else lines


def _erd(model: Model, options: DocOptions) -> list[str]:
    lines = ["## 2. ER Diagram", ""]
    if not model.tables:
        return [*lines, "_No tables._"]
    graph = fk_graph(model)
    # a partition repeats its parent's columns and keys: the diagram draws the parent (see 10.1)
    graph.remove_nodes_from([q for q, t in model.tables.items() if t.partition_of in model.tables])
    diagrams = fit_mermaid(graph, columns=options.columns, labels=options.labels)
    if len(diagrams) == 1:
        return [*lines, "```mermaid", diagrams[0].text.rstrip("\n"), "```"]
    overview = diagrams[0]
    hubs = [t for d in diagrams if d.name.startswith("hubs") for t in d.tables]
    lines += [
        f"The schema ({graph.number_of_nodes()} tables, {graph.number_of_edges()} foreign keys) is too large "
        "for one mermaid diagram: an overview of its parts, then one diagram per part. Each foreign key is "
        "drawn in its child's part; a parent in another part is drawn with its key only"
        + (
            f"; the tables most tables reference ({', '.join(f'`{h}`' for h in hubs)}) are under Hubs."
            if hubs
            else "."
        ),
        "",
        f"### Overview ({overview.size})",
        "",
        "```mermaid",
        overview.text.rstrip("\n"),
        "```",
    ]
    for diagram in diagrams[1:]:
        lines += [
            "",
            f"### {diagram.name} ({diagram.size})",
            "",
            "```mermaid",
            diagram.text.rstrip("\n"),
            "```",
        ]
    return lines


def table_domain(table: Table, domains: Mapping[str, str] | None) -> str:
    """The domain of a table: the first glob of ``domains`` matching its qualname or name, else its schema."""
    for pattern, domain in (domains or {}).items():
        if fnmatch.fnmatchcase(table.qualname, pattern) or fnmatch.fnmatchcase(table.name, pattern):
            return domain
    return table.schema


def _column_constraints(table: Table, name_of: Mapping[str, str]) -> dict[str, list[str]]:
    # a constraint may name a column the table lacks (a hand-edited model dump): not shown on one
    found: dict[str, list[str]] = {c.name: [] for c in table.columns}
    for constraint in sorted_constraints(table):
        if constraint.kind == "primary key":
            for name in constraint.columns:
                found.get(name, []).append("PK")
        elif constraint.kind == "unique" and len(constraint.columns) == 1:
            found.get(constraint.columns[0], []).append("UNIQUE")
        elif constraint.kind == "foreign key" and constraint.ref_table is not None:
            parent = name_of.get(constraint.ref_table, constraint.ref_table)
            target = f"`{parent}({', '.join(constraint.ref_columns)})`"
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
    return {name: list(dict.fromkeys(items)) for name, items in found.items()}


def _table_lines(model: Model, table: Table, name_of: Mapping[str, str]) -> list[str]:
    lines = [f"#### Table: `{name_of[table.qualname]}`", ""]
    purpose = table.comment.strip() if table.comment else "_No description: add one with `COMMENT ON TABLE`._"
    lines += [f"**Purpose:** {_cell(purpose)}", ""]
    if table.partition_of:
        parent = name_of.get(table.partition_of, table.partition_of)
        lines += [f"**Partition of:** `{parent}` {table.partition_bound or ''}", ""]
    constraints = _column_constraints(table, name_of)
    rows = [
        [
            f"`{_cell(c.name)}`",
            _code(display_type(c.type)),
            "NO" if c.not_null else "YES",
            _code(c.default if c.generated is None else c.generated),
            _cell(", ".join(constraints[c.name])),
            _cell(c.comment),
        ]
        for c in table.columns
    ]
    lines += _table(["Column", "Type", "Nullable", "Default", "Constraints", "Description"], rows)
    indexes = [i for i in sorted(table.indexes, key=lambda i: i.name)]
    if indexes:
        lines += [
            "",
            "**Indexes:** " + ", ".join(f"`{i.name}`" + (" (unique)" if i.unique else "") for i in indexes),
        ]
    return [*lines, "", *sql_block(table_statements(model, table))]


def _domain_groups(model: Model, domains: Mapping[str, str] | None) -> list[tuple[str, list[Table]]]:
    grouped: dict[str, list[Table]] = {}
    for qualname in sorted(model.tables):
        table = model.tables[qualname]
        grouped.setdefault(table_domain(table, domains), []).append(table)
    order = list(dict.fromkeys([d for d in (domains or {}).values() if d in grouped] + sorted(grouped)))
    return [(domain, grouped[domain]) for domain in order]


def _tables(model: Model, domains: Mapping[str, str] | None, name_of: Mapping[str, str]) -> list[str]:
    groups = _domain_groups(model, domains)
    intro = ["## 4. Tables by Domain", ""]
    if not groups:
        intro.append("_No tables._")
    elif not domains:
        intro.append("Tables by schema; map tables to domains with `domains` in the configuration.")
    else:
        intro.append("Tables by domain (`domains` in the configuration; other tables by schema).")
    sections = [section("tables", intro)]
    for number, (domain, tables) in enumerate(groups, start=1):
        lines = [f"### 4.{number} {domain.replace('_', ' ').title() if domain.islower() else domain} Domain"]
        for table in tables:
            lines += ["", *_table_lines(model, table, name_of), "", "---"]
        sections.append(section(f"tables:{domain}", lines[:-2] if lines[-1] == "---" else lines))
    return sections


def _migrations(facts: MigrationFacts | None) -> list[str]:
    lines = ["## 8. Migration Strategy & Tooling", ""]
    tool = (facts.tool if facts else None) or "{{MIGRATION_TOOL}} (not recognised from the file names)"
    convention = f"`{facts.convention}`" if facts and facts.convention else "{{NAMING_CONVENTION}}"
    location = f"`{facts.location}`" if facts and facts.location else "{{LOCATION}}"
    count = f" ({facts.files} files)" if facts and facts.files > 1 else ""
    return [
        *lines,
        f"**Tool:** {tool}  ",
        f"**Convention:** {convention}  ",
        f"**Location:** {location}{count}",
    ]


def _seed(facts: MigrationFacts | None) -> list[str]:
    lines = ["## 9. Seed Data Requirements", "", "### 9.1 Required Seed Data (production)", ""]
    if not facts or not facts.seeds:
        return [*lines, "_The migrations insert no rows idempotently (`INSERT … ON CONFLICT`)._"]
    return [*lines, "The idempotent inserts the migrations run, in order:", "", *sql_block(list(facts.seeds))]


def entity_names(model: Model) -> dict[str, str]:
    """How the document names tables: bare with one schema, else qualified."""
    schemas = {t.schema for t in model.tables.values()}
    return {q: (t.name if len(schemas) == 1 else q) for q, t in model.tables.items()}


def render_document(model: Model, *, title: str, options: DocOptions | None = None) -> str:
    """The whole document: generated sections and, once, the parts kept by hand."""
    options = options or DocOptions()
    name_of = entity_names(model)
    lookups = [t for _, t in sorted(model.tables.items()) if is_lookup_table(t)]
    parts = [
        f"# {title}",
        docmanual.header(options.header, model.database.database, options.today),
        section("technology", _technology(model, options)),
        docmanual.TECHNOLOGY_BY_HAND + "\n\n---",
        section("erd", _erd(model, options)),
        "---",
        section("conventions", conventions_lines(options.pack)),
        "---",
        *_tables(model, options.domains, name_of),
        "---",
        section("enums", enums_lines(model, lookups, name_of)),
        "---",
        section("views", views_lines(model)),
        "---",
        section("functions", functions_lines(model)),
        "---",
        section("migrations", _migrations(options.migrations)),
        docmanual.MIGRATIONS_BY_HAND + "\n\n---",
        section("seed", _seed(options.migrations)),
        docmanual.SEED_BY_HAND + "\n\n---",
        section("partitioning", partitioning_lines(model, name_of)),
        docmanual.PERFORMANCE_BY_HAND,
        docmanual.BACKUP_AND_APPROVAL,
    ]
    return "\n\n".join(parts) + "\n"
