"""The foreign-key graph of a model: tables as nodes, foreign keys as edges.

Nodes are table qualnames and carry the Table (attribute ``table``); each
foreign key is one edge child → parent keyed by the constraint name, so two
foreign keys between the same pair of tables stay two edges. Everything that
iterates the graph here returns a stable order, so diagrams drawn from it are
deterministic.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from schemalint.errors import UserError
from schemalint.model import Constraint, Model, Table


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """One edge of the graph, as the renderers read it."""

    child: str  # qualname of the referencing table
    parent: str  # qualname of the referenced table
    name: str
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]
    nullable: bool  # some FK column may be NULL: the parent is optional
    unique: bool  # the FK columns are covered by a PK/unique constraint/unique index: one-to-one


def _unique_column_sets(table: Table) -> list[frozenset[str]]:
    sets = [
        frozenset(c.columns) for c in table.constraints if c.kind in ("primary key", "unique") and c.columns
    ]
    for index in table.indexes:
        # a partial unique index does not make the relationship one-to-one for every row
        if index.unique and index.predicate is None:
            names = {column.name for column in table.columns}
            if all(key in names for key in index.keys):
                sets.append(frozenset(index.keys))
    return sets


def foreign_key_edge(table: Table, constraint: Constraint) -> ForeignKey:
    """The edge attributes of one foreign key of a table."""
    assert constraint.ref_table is not None, f"foreign key {table.qualname}.{constraint.name} has no target"
    nullable = any(
        (column := table.column(name)) is None or not column.not_null for name in constraint.columns
    )
    covered = set(constraint.columns)
    # one-to-one when some unique key is a subset of the FK columns: no two rows share the FK value
    unique = any(key <= covered for key in _unique_column_sets(table))
    return ForeignKey(
        child=table.qualname,
        parent=constraint.ref_table,
        name=constraint.name,
        columns=constraint.columns,
        ref_columns=constraint.ref_columns,
        nullable=nullable,
        unique=unique,
    )


def _full_graph(model: Model) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for qualname in sorted(model.tables):
        table = model.tables[qualname]
        graph.add_node(qualname, table=table)
    for qualname in sorted(model.tables):
        table = model.tables[qualname]
        for constraint in sorted(table.foreign_keys, key=lambda c: c.name):
            parent = model.tables.get(constraint.ref_table or "")
            if parent is None or not _can_exist(table, parent, constraint):
                # a reference to a table outside the model (filtered schema): no dangling node; nor
                # an edge for a foreign key between columns that are not there (an inconsistent dump)
                continue
            edge = foreign_key_edge(table, constraint)
            graph.add_edge(edge.child, edge.parent, key=edge.name, fk=edge)
    return graph


def _can_exist(table: Table, parent: Table, constraint: Constraint) -> bool:
    """Whether the columns of a foreign key are columns of its tables."""
    return all(table.column(c) is not None for c in constraint.columns) and all(
        parent.column(c) is not None for c in constraint.ref_columns
    )


def _matching(nodes: Iterable[str], patterns: Sequence[str]) -> set[str]:
    selected: set[str] = set()
    for node in nodes:
        bare = node.split(".", 1)[1]
        if any(fnmatch.fnmatchcase(node, p) or fnmatch.fnmatchcase(bare, p) for p in patterns):
            selected.add(node)
    return selected


def fk_graph(
    model: Model,
    *,
    schemas: Sequence[str] = (),
    tables: Sequence[str] = (),
    depth: int | None = None,
) -> nx.MultiDiGraph:
    """The foreign-key graph of a model, optionally narrowed.

    ``schemas`` keeps the tables of those schemas. ``tables`` are globs
    matched against the qualified name and the bare table name
    (``orders``, ``billing.*``, ``*_items``); with ``depth`` N the tables
    within N foreign keys of a match (in either direction) are kept too.
    The result is the subgraph induced by the kept tables.
    """
    if depth is not None and depth < 0:
        raise UserError(f"--depth must be 0 or more, got {depth}.")
    graph = _full_graph(model)
    if schemas:
        unknown = sorted(set(schemas) - {node.split(".", 1)[0] for node in graph})
        if unknown and len(unknown) == len(set(schemas)):
            raise UserError(
                f"no table in schema {', '.join(unknown)}; schemas with tables: "
                f"{', '.join(schema_names(graph)) or 'none'}."
            )
        graph = graph.subgraph([n for n in graph if n.split(".", 1)[0] in schemas]).copy()
    if tables:
        seeds = _matching(graph.nodes, tables)
        if not seeds:
            raise UserError(
                f"no table matches --table {' '.join(tables)} among {graph.number_of_nodes()} tables; "
                "globs match the qualified name (public.orders) or the bare name (orders)."
            )
        keep = set(seeds)
        if depth:
            undirected = graph.to_undirected(as_view=True)
            for seed in sorted(seeds):
                keep.update(nx.single_source_shortest_path_length(undirected, seed, cutoff=depth))
        graph = graph.subgraph(keep).copy()
    return graph


def as_graph(graph_or_model: nx.MultiDiGraph | Model) -> nx.MultiDiGraph:
    """The whole foreign-key graph of a model; a graph is returned as it is."""
    return fk_graph(graph_or_model) if isinstance(graph_or_model, Model) else graph_or_model


def graph_tables(graph: nx.MultiDiGraph) -> list[Table]:
    """The tables of the graph, by qualname."""
    return [graph.nodes[node]["table"] for node in sorted(graph.nodes)]


def graph_foreign_keys(graph: nx.MultiDiGraph) -> list[ForeignKey]:
    """The foreign keys of the graph, by (parent, child, constraint name)."""
    edges: list[ForeignKey] = [data["fk"] for _, _, data in graph.edges(data=True)]
    return sorted(edges, key=lambda e: (e.parent, e.child, e.name))


def schema_names(graph: nx.MultiDiGraph) -> list[str]:
    return sorted({node.split(".", 1)[0] for node in graph.nodes})


def components(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Weakly connected components, largest first, each sorted; ties by first name."""
    parts = [sorted(part) for part in nx.weakly_connected_components(graph)]
    return sorted(parts, key=lambda part: (-len(part), part[0]))


def hub(graph: nx.MultiDiGraph, nodes: Sequence[str]) -> str:
    """The most connected table of a set of nodes (ties: the first by name): names a component."""
    return min(nodes, key=lambda node: (-graph.degree(node), node))


def split_graph(graph_or_model: nx.MultiDiGraph | Model, by: str) -> dict[str, nx.MultiDiGraph]:
    """Subgraphs per schema (``by="schema"``) or per connected component (``by="component"``).

    A component is named after its hub table (``public.orders``); tables
    without any foreign key are gathered in one part named ``unrelated``.
    Foreign keys that cross schemas are left out of a per-schema split.
    """
    graph = as_graph(graph_or_model)
    parts: dict[str, nx.MultiDiGraph] = {}
    if by == "schema":
        for schema in schema_names(graph):
            parts[schema] = graph.subgraph([n for n in graph if n.split(".", 1)[0] == schema]).copy()
        return parts
    if by != "component":
        raise UserError(f"--split must be component or schema, got {by!r}.")
    unrelated: list[str] = []
    for part in components(graph):
        if len(part) == 1 and graph.degree(part[0]) == 0:
            unrelated.append(part[0])
        else:
            parts[hub(graph, part)] = graph.subgraph(part).copy()
    if unrelated:
        parts["unrelated"] = graph.subgraph(unrelated).copy()
    return parts
