"""ER diagrams of the foreign-key graph: mermaid ``erDiagram`` and Graphviz dot.

Mermaid spelling is kept to what older mermaid versions (the ones GitHub and
IDE previews have shipped since 2022) parse as well as the current grammar:

- entity names are bare when they are plain words (``[A-Za-z][A-Za-z0-9_]*``
  and not a mermaid keyword), else double-quoted (quoted entity names exist
  since mermaid 9.2); with more than one schema they are ``"schema.table"``;
- attribute types and names only use ``[A-Za-z0-9_[]()]``: long type names get
  PostgreSQL's short aliases (``timestamp with time zone`` → ``timestamptz``,
  ``character varying(255)`` → ``varchar(255)``), a comma becomes ``_``
  (``numeric(19,4)`` → ``numeric(19_4)``; commas in types only parse since
  mermaid 10.7), the table's own schema is dropped from user types;
- relationships are ``parent <card>--<card> child : "fk columns"``.

Size limits are mermaid's defaults (maxTextSize 50,000 characters, maxEdges
500; mermaid.js.org config schema), which GitHub does not raise.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Literal

import networkx as nx

from schemalint.graph import ForeignKey, as_graph, graph_foreign_keys, graph_tables, schema_names, split_graph
from schemalint.model import Model, Table

Columns = Literal["keys", "all", "none"]

MERMAID_MAX_TEXT = 50_000
MERMAID_MAX_EDGES = 500

# words the mermaid ER lexer reads as keywords (case-insensitive) before an entity name
_MERMAID_KEYWORDS = frozenset(
    {
        "erdiagram",
        "one",
        "many",
        "only",
        "zero",
        "to",
        "optionally",
        "style",
        "classdef",
        "class",
        "subgraph",
        "end",
        "title",
        "acctitle",
        "accdescr",
        "direction",
        "u",
    }
)
_BARE_ENTITY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_TYPE_ALIASES = (
    (re.compile(r"^timestamp(\(\d+\))? with time zone"), r"timestamptz\1"),
    (re.compile(r"^timestamp(\(\d+\))? without time zone"), r"timestamp\1"),
    (re.compile(r"^time(\(\d+\))? with time zone"), r"timetz\1"),
    (re.compile(r"^time(\(\d+\))? without time zone"), r"time\1"),
    (re.compile(r"^character varying"), "varchar"),
    (re.compile(r"^bit varying"), "varbit"),
    (re.compile(r"^character\b"), "char"),
    (re.compile(r"^double precision"), "float8"),
)


def display_type(type_: str) -> str:
    """A type with PostgreSQL's short aliases (``timestamptz``, ``varchar(255)``)."""
    text = type_
    for pattern, replacement in _TYPE_ALIASES:
        text = pattern.sub(replacement, text)
    return text


def short_type(type_: str, schema: str) -> str:
    """A column type as a mermaid attribute word (see the module docstring)."""
    text = display_type(type_)
    if text.startswith(f"{schema}."):
        text = text[len(schema) + 1 :]
    text = text.replace('"', "").replace(",", "_")
    text = re.sub(r"[^A-Za-z0-9_\[\]()]+", "_", text)
    return text if re.match(r"[A-Za-z_]", text) else f"_{text}"


def attribute_name(name: str) -> str:
    """A column name as a mermaid attribute word; ``pk``/``fk``/``uk`` would read as key markers."""
    text = re.sub(r"[^A-Za-z0-9_]+", "_", name)
    if not re.match(r"[A-Za-z_]", text):
        text = f"_{text}"
    return f"{text}_" if text.lower() in ("pk", "fk", "uk") else text


def mermaid_entity(name: str) -> str:
    """An entity name as mermaid reads it: a bare word, else quoted (``%``, ``"``, ``\\`` replaced)."""
    if _BARE_ENTITY.fullmatch(name) and name.lower() not in _MERMAID_KEYWORDS:
        return name
    return '"' + re.sub(r'["%\\\x00-\x1f]', "_", name) + '"'


def entity_name(qualname: str, *, qualify: bool) -> str:
    """The mermaid spelling of a table (see mermaid_entity)."""
    return mermaid_entity(qualname if qualify else qualname.split(".", 1)[1])


def _quoted_label(text: str) -> str:
    return '"' + re.sub(r'["\x00-\x1f]', "'", text) + '"'


def column_keys(table: Table) -> dict[str, list[str]]:
    """Per column its markers, in mermaid's order PK, FK, UK.

    ``UK`` marks a column that is unique on its own: a one-column unique
    constraint or a one-column unique index without a predicate. A column of
    a composite or partial unique index is not unique by itself.
    """
    markers: dict[str, list[str]] = {column.name: [] for column in table.columns}
    unique: set[str] = set()
    for constraint in table.constraints:
        if constraint.kind == "unique" and len(constraint.columns) == 1:
            unique.add(constraint.columns[0])
    for index in table.indexes:
        # an index that backs a constraint (the primary key's) says nothing more than the constraint
        single = len(index.keys) == 1 and index.keys[0] in markers
        if index.unique and index.constraint is None and index.predicate is None and single:
            unique.add(index.keys[0])
    primary = table.primary_key
    foreign = {name for fk in table.foreign_keys for name in fk.columns}
    for name, found in markers.items():
        if primary is not None and name in primary.columns:
            found.append("PK")
        if name in foreign:
            found.append("FK")
        if name in unique:
            found.append("UK")
    return markers


def cardinality(edge: ForeignKey) -> str:
    """Crow's foot between parent (left) and child (right).

    The parent end is exactly one (``||``), or zero or one (``|o``) when a FK
    column is nullable; the child end is zero or more (``o{``), or one
    (``||``) when the FK columns are unique: a one-to-one relationship, drawn
    as the Database Schema Document template draws it.
    """
    parent = "|o" if edge.nullable else "||"
    child = "||" if edge.unique else "o{"
    return f"{parent}--{child}"


def _shown_columns(table: Table, columns: Columns) -> list[tuple[str, str, list[str]]]:
    if columns == "none":
        return []
    keys = column_keys(table)
    return [
        (short_type(column.type, table.schema), attribute_name(column.name), keys[column.name])
        for column in table.columns
        if columns == "all" or keys[column.name]
    ]


def entity_lines(table: Table, *, columns: Columns, qualify: bool, reference: bool = False) -> list[str]:
    """The lines that declare one table. A reference (a hub table drawn in full elsewhere)
    shows its primary key only."""
    name = entity_name(table.qualname, qualify=qualify)
    shown = _shown_columns(table, "keys" if reference else columns)
    if reference:
        shown = [item for item in shown if "PK" in item[2]]
    if not shown:
        return [f"    {name}"]
    lines = [f"    {name} {{"]
    for type_, column, markers in shown:
        suffix = f" {', '.join(markers)}" if markers else ""
        lines.append(f"        {type_} {column}{suffix}")
    lines.append("    }")
    return lines


def fk_label(edge: ForeignKey, labels: Mapping[str, str] | None = None) -> str:
    """A relationship's label: from ``labels`` (keyed by constraint name, ``table.column`` or
    ``schema.table.column``; several columns joined by ``,``), else the FK column(s)."""
    if labels:
        columns = ",".join(edge.columns)
        bare = edge.child.split(".", 1)[1]
        for key in (edge.name, f"{edge.child}.{columns}", f"{bare}.{columns}"):
            if key in labels:
                return labels[key]
    return ", ".join(edge.columns)


def relationship_line(edge: ForeignKey, *, qualify: bool, labels: Mapping[str, str] | None = None) -> str:
    parent = entity_name(edge.parent, qualify=qualify)
    child = entity_name(edge.child, qualify=qualify)
    return f"    {parent} {cardinality(edge)} {child} : {_quoted_label(fk_label(edge, labels))}"


def render_mermaid(
    graph_or_model: nx.MultiDiGraph | Model,
    *,
    columns: Columns = "keys",
    references: Collection[str] = (),
    qualify: bool | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """A mermaid ``erDiagram``: one entity block per table, one line per foreign key.

    Tables in ``references`` are drawn with their primary key only (see
    ``entity_lines``); ``qualify`` (default: more than one schema in the
    graph) names entities ``"schema.table"``.
    """
    graph = as_graph(graph_or_model)
    if qualify is None:
        qualify = len(schema_names(graph)) > 1
    lines = ["erDiagram"]
    for table in graph_tables(graph):
        reference = table.qualname in references
        lines += entity_lines(table, columns=columns, qualify=qualify, reference=reference)
    for edge in graph_foreign_keys(graph):
        lines.append(relationship_line(edge, qualify=qualify, labels=labels))
    return "\n".join(lines) + "\n"


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_DOT_PARENT = {False: "teetee", True: "teeodot"}  # keyed by nullable
_DOT_CHILD = {False: "crowodot", True: "teeodot"}  # keyed by unique


def render_dot(graph_or_model: nx.MultiDiGraph | Model, *, columns: Columns = "keys") -> str:
    """A Graphviz digraph: HTML-table nodes, crow's-foot edges from child column to parent column."""
    graph = as_graph(graph_or_model)
    lines = [
        "digraph schema {",
        '    graph [rankdir=LR, fontname="Helvetica"];',
        '    node [shape=plaintext, fontname="Helvetica", fontsize=10];',
        '    edge [fontname="Helvetica", fontsize=9, dir=both];',
    ]
    ports: dict[tuple[str, str], str] = {}
    for table in graph_tables(graph):
        rows = [f'<tr><td bgcolor="#dddddd"><b>{_html(table.qualname)}</b></td></tr>']
        keys = column_keys(table)
        for position, column in enumerate(table.columns):
            if columns == "none" or (columns == "keys" and not keys[column.name]):
                continue
            port = f"c{position}"
            ports[(table.qualname, column.name)] = port
            markers = f" {','.join(keys[column.name])}" if keys[column.name] else ""
            rows.append(
                f'<tr><td port="{port}" align="left">{_html(column.name)} '
                f'<font color="#666666">{_html(column.type)}</font>{markers}</td></tr>'
            )
        label = '<table border="0" cellborder="1" cellspacing="0">' + "".join(rows) + "</table>"
        lines.append(f"    {_dot_id(table.qualname)} [label=<{label}>];")
    for edge in graph_foreign_keys(graph):
        child = _dot_id(edge.child)
        parent = _dot_id(edge.parent)
        child_port = ports.get((edge.child, edge.columns[0])) if edge.columns else None
        parent_port = ports.get((edge.parent, edge.ref_columns[0])) if edge.ref_columns else None
        tail = f"{child}:{child_port}" if child_port else child
        head = f"{parent}:{parent_port}" if parent_port else parent
        attributes = (
            f"label={_dot_id(', '.join(edge.columns))}, tooltip={_dot_id(edge.name)}, "
            f"arrowtail={_DOT_CHILD[edge.unique]}, arrowhead={_DOT_PARENT[edge.nullable]}"
        )
        lines.append(f"    {tail} -> {head} [{attributes}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_split(
    graph_or_model: nx.MultiDiGraph | Model,
    *,
    by: Literal["component", "schema"],
    columns: Columns = "keys",
    format: Literal["mermaid", "dot"] = "mermaid",
) -> dict[str, str]:
    """One diagram per connected component or per schema, keyed by a file stem.

    Keys: the schema name, or the hub table's qualname of a component
    (``public.orders``), or ``unrelated`` for tables without foreign keys.
    """
    render = render_mermaid if format == "mermaid" else render_dot
    return {name: render(part, columns=columns) for name, part in split_graph(graph_or_model, by).items()}
