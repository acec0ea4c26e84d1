"""The order of a script's statements: by phase (drops, then creates and changes), and within a
phase by a topological order of the dependency index (dependencies.py), the one ordering of
objects of every kind: what is created comes after what it depends on in the declared model,
what is dropped comes before what it depends on in the live model.

The index holds what PostgreSQL records in pg_depend; a function's body, which PostgreSQL does
not track, is read here for the functions it names, so that callers are created after (and
dropped before) the functions they call.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from schemalint.dependencies import Ref, add_edge, creation_order, dependency_graph, drop_order
from schemalint.drift.reconcile.steps import Step
from schemalint.model import Model

if TYPE_CHECKING:
    import networkx as nx

# the kind of object a phase's statements are keyed by (the key is its qualified name)
_PHASE_KINDS: dict[int, str] = {
    10: "policy",
    11: "trigger",
    12: "view",
    13: "index",
    14: "constraint",
    15: "constraint",
    17: "table",
    18: "sequence",
    19: "function",
    20: "type",
    21: "type",
    32: "type",
    33: "type",
    34: "sequence",
    35: "function",
    36: "table",
    40: "constraint",
    41: "constraint",
    42: "index",
    43: "view",
    44: "index",
    45: "trigger",
    46: "policy",
}
CREATES = 30  # phases from here on create and change; before it, they drop


def with_calls(graph: nx.DiGraph, model: Model) -> nx.DiGraph:
    """A copy of MODEL's dependency index with the calls its function bodies make."""
    graph = graph.copy()
    names = {q: re.compile(rf"(?<![\w$]){re.escape(f.name)}(?![\w$])") for q, f in model.functions.items()}
    for qualname, function in model.functions.items():
        for other, pattern in names.items():
            if other != qualname and pattern.search(function.body or ""):
                add_edge(graph, Ref("function", qualname), Ref("function", other), "n")
    return graph


class Ranks:
    """The position of each object in the order its statements run: for creates, after what it
    depends on in DECLARED; for drops, before what it depends on in LIVE. Graphs built once."""

    def __init__(self, declared: Model, live: Model) -> None:
        self.models = {True: declared, False: live}
        self.graphs: dict[bool, nx.DiGraph] = {}
        self.ranks: dict[bool, dict[Ref, int]] = {}

    def graph(self, creates: bool) -> nx.DiGraph:
        """The dependency index of the declared model (creates) or of the live one."""
        if creates not in self.graphs:
            self.graphs[creates] = dependency_graph(self.models[creates])
        return self.graphs[creates]

    def rank(self, creates: bool, ref: Ref) -> int:
        if creates not in self.ranks:
            graph = with_calls(self.graph(creates), self.models[creates])
            order = creation_order(graph) if creates else drop_order(graph)
            self.ranks[creates] = {node: position for position, node in enumerate(order)}
        return self.ranks[creates].get(ref, -1)

    def key(self, step: Step) -> tuple[int, int, str, int]:
        kind = _PHASE_KINDS.get(step.phase)
        rank = -1
        if kind is not None:
            rank = self.rank(step.phase >= CREATES, Ref(kind, step.key.rstrip("~")))  # type: ignore[arg-type]
        return step.phase, rank, step.key, step.order
