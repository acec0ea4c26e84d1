"""Mermaid diagrams that always render: a graph too large for one diagram, split into parts.

mermaid, and so GitHub, refuses a diagram over 50,000 characters or 500
relationships (its default ``maxTextSize`` and ``maxEdges``). A graph that
does not fit in one diagram is drawn as:

- **hubs**: the tables that many tables reference (``users``, ``namespaces``,
  ``projects``): referenced by at least ``HUB_SHARE`` of the tables and at
  least ``HUB_MIN`` of them. They are drawn in full in a part of their own,
  and as a compact reference (their primary key only) in every part that
  uses them, so that no part carries hundreds of lines to the same table;
- **parts**: groups of related tables, found by community detection
  (Louvain modularity, networkx, seeded so the result is deterministic) on
  the foreign-key graph without the hubs. A community too large for one
  diagram is split again; small communities are packed together, next to
  the ones they reference where they can, up to the limits and
  ``MAX_PART_TABLES`` tables;
- **unrelated**: the tables without any foreign key, in as many parts as needed;
- an **overview**: one entity per part, one relationship per pair of parts
  that foreign keys join, labelled with how many.

Every diagram is checked against the limits with its exact text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import networkx as nx

from schemalint.erd import (
    MERMAID_MAX_EDGES,
    MERMAID_MAX_TEXT,
    Columns,
    entity_lines,
    mermaid_entity,
    relationship_line,
    render_mermaid,
)
from schemalint.graph import ForeignKey, graph_foreign_keys, hub, schema_names

HUB_SHARE = 0.05  # a hub is referenced by at least this share of the tables…
HUB_MIN = 10  # …and by at least this many
MAX_PART_TABLES = 60  # beyond this a diagram is too dense to read, whatever mermaid accepts
# parts are packed to a little less than mermaid's text limit: JavaScript counts UTF-16 units
# and a page may turn newlines into CRLF, both of which make the text mermaid sees longer
_PACK_TEXT = MERMAID_MAX_TEXT - 2_000
_HEADER = len("erDiagram\n")


@dataclass(frozen=True, slots=True)
class Diagram:
    """One mermaid diagram: a whole graph, a part, the hubs, or the overview of the parts."""

    name: str  # file stem: "overview", "hubs", "unrelated", or a part's most connected table
    text: str
    tables: tuple[str, ...]  # tables drawn in full (for the overview: the parts)
    references: tuple[str, ...] = ()  # hub tables drawn as a reference
    edges: int = 0
    replaces: tuple[int, int] | None = None  # an overview: (characters, relationships) of the whole

    @property
    def size(self) -> str:
        references = f" (+{len(self.references)} referenced)" if self.references else ""
        noun = "parts" if self.name.endswith("overview") else "tables"
        return (
            f"{len(self.tables)} {noun}{references}, {self.edges} relationships, "
            f"{len(self.text):,} characters"
        )


def fits(text: str, edges: int) -> bool:
    return len(text) <= MERMAID_MAX_TEXT and edges <= MERMAID_MAX_EDGES


class _Sizer:
    """Exact sizes of entity blocks and relationship lines, so packing needs no rendering."""

    def __init__(
        self, graph: nx.MultiDiGraph, columns: Columns, qualify: bool, labels: Mapping[str, str] | None
    ) -> None:
        self.graph = graph
        self.edges = graph_foreign_keys(graph)
        self.full = {
            n: len("\n".join(entity_lines(d["table"], columns=columns, qualify=qualify))) + 1
            for n, d in graph.nodes(data=True)
        }
        self.reference = {
            n: len("\n".join(entity_lines(d["table"], columns=columns, qualify=qualify, reference=True))) + 1
            for n, d in graph.nodes(data=True)
        }
        self.line = {id(e): len(relationship_line(e, qualify=qualify, labels=labels)) + 1 for e in self.edges}
        self.touching: dict[str, list[ForeignKey]] = {n: [] for n in graph}
        for edge in self.edges:
            self.touching[edge.child].append(edge)
            if edge.parent != edge.child:
                self.touching[edge.parent].append(edge)

    def measure(self, tables: set[str]) -> tuple[int, int, int]:
        """(characters, relationships, tables) of the part that draws ``tables``: their foreign
        keys, with parents outside the part drawn as references."""
        edges = [e for t in tables for e in self.touching[t] if e.child == t]
        references = {e.parent for e in edges} - tables
        size = _HEADER + sum(self.full[t] for t in tables)
        size += sum(self.reference[r] for r in references)
        size += sum(self.line[id(e)] for e in edges)
        return size, len(edges), len(tables)


def _fits_measure(measure: tuple[int, int, int]) -> bool:
    size, edges, tables = measure
    return size <= _PACK_TEXT and edges <= MERMAID_MAX_EDGES and tables <= MAX_PART_TABLES


def find_hubs(graph: nx.MultiDiGraph) -> set[str]:
    """Tables referenced by at least HUB_SHARE of the tables and at least HUB_MIN of them."""
    threshold = max(HUB_MIN, HUB_SHARE * graph.number_of_nodes())
    return {n for n in graph if len(set(graph.predecessors(n)) - {n}) >= threshold}


def _communities(graph: nx.MultiDiGraph, nodes: Iterable[str], resolution: float) -> list[set[str]]:
    simple = nx.Graph()
    simple.add_nodes_from(sorted(nodes))
    for child, parent in graph.subgraph(simple.nodes).edges():
        if child != parent:
            weight = simple.get_edge_data(child, parent, {"weight": 0})["weight"]
            simple.add_edge(child, parent, weight=weight + 1)
    found = nx.community.louvain_communities(simple, weight="weight", resolution=resolution, seed=0)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def _split(graph: nx.MultiDiGraph, nodes: set[str], sizer: _Sizer) -> list[set[str]]:
    """Communities of ``nodes`` that each fit, splitting again where one does not."""
    if len(nodes) == 1 or _fits_measure(sizer.measure(nodes)):
        return [nodes]
    pending = [(nodes, 1.0)]
    done: list[set[str]] = []
    while pending:
        group, resolution = pending.pop()
        if len(group) == 1 or _fits_measure(sizer.measure(group)):
            done.append(group)
            continue
        parts = _communities(graph, group, resolution)
        if len(parts) == 1:
            undirected = nx.Graph(graph.subgraph(group).to_undirected())
            halves = nx.community.kernighan_lin_bisection(undirected, seed=0)
            parts = [set(half) for half in halves]
        pending += [(part, resolution * 1.5) for part in parts]
    return done


def _pack(groups: list[set[str]], sizer: _Sizer, *, join: bool) -> list[set[str]]:
    """Groups put together where the result still fits: into the bin they share most foreign
    keys with, else (``join``, or for small groups) the first bin they fit in, else a new bin."""
    bins: list[set[str]] = []
    for group in sorted(groups, key=lambda g: (-len(g), min(g))):
        best: tuple[int, int] | None = None  # (-shared foreign keys, bin index)
        for index, candidate in enumerate(bins):
            if not _fits_measure(sizer.measure(candidate | group)):
                continue
            shared = sum(
                1 for t in group for e in sizer.touching[t] if e.child in candidate or e.parent in candidate
            )
            if shared == 0 and not (join or len(group) < 5):
                continue
            key = (-shared, index)
            if best is None or key < best:
                best = key
        if best is None:
            bins.append(set(group))
        else:
            bins[best[1]] |= group
    return bins


def _part(
    graph: nx.MultiDiGraph,
    name: str,
    tables: set[str],
    *,
    columns: Columns,
    qualify: bool,
    labels: Mapping[str, str] | None,
) -> Diagram:
    """The diagram of a part: its tables in full, each of their foreign keys, and the parents
    outside the part as references. Every foreign key is drawn once: in its child's part."""
    edges = [(c, p, k) for t in sorted(tables) for c, p, k in graph.out_edges(t, keys=True)]
    subgraph = graph.edge_subgraph(edges).copy() if edges else nx.MultiDiGraph()
    for table in tables:
        subgraph.add_node(table, **graph.nodes[table])
    references = tuple(sorted(set(subgraph) - tables))
    text = render_mermaid(subgraph, columns=columns, references=references, qualify=qualify, labels=labels)
    if not fits(text, subgraph.number_of_edges()) and columns != "none":
        # one table whose columns alone exceed the limits: draw it with fewer
        smaller: Columns = "keys" if columns == "all" else "none"
        return _part(graph, name, tables, columns=smaller, qualify=qualify, labels=labels)
    return Diagram(name, text, tuple(sorted(tables)), references, subgraph.number_of_edges())


def _overview(graph: nx.MultiDiGraph, parts: list[Diagram], name: str) -> Diagram:
    home = {table: part for part in parts for table in part.tables}
    label = {p.name: mermaid_entity(f"{p.name} ({len(p.tables)} tables)") for p in parts}
    counts: dict[tuple[str, str], int] = {}
    for child, parent in graph.edges():
        a, b = home[parent].name, home[child].name
        if a != b:
            counts[(a, b)] = counts.get((a, b), 0) + 1
    pairs = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MERMAID_MAX_EDGES]
    lines = ["erDiagram", *(f"    {label[p.name]}" for p in parts)]
    for (parent, child), count in sorted(pairs):
        what = "foreign key" if count == 1 else "foreign keys"
        lines.append(f'    {label[parent]} ||--o{{ {label[child]} : "{count} {what}"')
    text = "\n".join(lines) + "\n"
    return Diagram(name, text, tuple(p.name for p in parts), (), len(pairs))


def fit_mermaid(
    graph: nx.MultiDiGraph,
    *,
    columns: Columns = "keys",
    labels: Mapping[str, str] | None = None,
    name: str = "",
    qualify: bool | None = None,
) -> list[Diagram]:
    """One diagram when the graph fits in one, else the overview, the hubs and the parts.

    ``name`` names the single diagram and prefixes ``overview``/``hubs``/``unrelated``
    (a part of ``--split``); parts are named after their most connected table.
    """
    if qualify is None:
        qualify = len(schema_names(graph)) > 1
    whole = render_mermaid(graph, columns=columns, qualify=qualify, labels=labels)
    if fits(whole, graph.number_of_edges()):
        return [Diagram(name or "diagram", whole, tuple(sorted(graph)), (), graph.number_of_edges())]
    prefix = f"{name}." if name else ""
    sizer = _Sizer(graph, columns, qualify, labels)
    hubs = find_hubs(graph)
    unrelated = {n for n in graph if graph.degree(n) == 0}
    rest = set(graph) - hubs - unrelated
    groups = _split(graph, rest, sizer) if rest else []
    parts: list[Diagram] = []
    options = {"columns": columns, "qualify": qualify, "labels": labels}
    for index, tables in enumerate(_pack([{h} for h in sorted(hubs)], sizer, join=True)):
        part_name = f"{prefix}hubs" + (f"-{index + 1}" if index else "")
        parts.append(_part(graph, part_name, tables, **options))  # type: ignore[arg-type]
    for tables in _pack(groups, sizer, join=False):
        part_name = hub(graph.subgraph(tables), sorted(tables))
        parts.append(_part(graph, part_name, tables, **options))  # type: ignore[arg-type]
    for index, tables in enumerate(_pack([{u} for u in sorted(unrelated)], sizer, join=True)):
        part_name = f"{prefix}unrelated" + (f"-{index + 1}" if index else "")
        parts.append(_part(graph, part_name, tables, **options))  # type: ignore[arg-type]
    overview = _overview(graph, parts, f"{prefix}overview")
    overview = replace(overview, replaces=(len(whole), graph.number_of_edges()))
    return [overview, *parts]


def split_mermaid(
    parts: Mapping[str, nx.MultiDiGraph],
    *,
    columns: Columns = "keys",
    labels: Mapping[str, str] | None = None,
    qualify: bool | None = None,
) -> tuple[list[Diagram], list[str]]:
    """The diagrams of a ``--split`` (one per part), a part too large split further;
    and the names of the parts that had to be split."""
    diagrams: list[Diagram] = []
    too_large: list[str] = []
    for name, part in parts.items():
        fitted = fit_mermaid(part, columns=columns, labels=labels, name=name, qualify=qualify)
        if len(fitted) > 1:
            too_large.append(name)
        diagrams += fitted
    return diagrams, too_large


def too_large_warning(what: str, overview: Diagram) -> str:
    """The warning for a diagram the user asked for that mermaid would refuse."""
    characters, edges = overview.replaces or (0, 0)
    return (
        f"{what} has {characters:,} characters and {edges} relationships; mermaid (and GitHub) "
        f"render at most {MERMAID_MAX_TEXT:,} characters and {MERMAID_MAX_EDGES} relationships. "
        f"Drawn instead as an overview and {len(overview.tables)} parts of related tables (the "
        "tables most tables reference in full once, as their key elsewhere); narrow it with "
        "--schema or --table/--depth for one diagram."
    )
