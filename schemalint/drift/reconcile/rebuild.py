"""Dependants dropped before, and re-created after, a change PostgreSQL refuses while they exist.

A change has a root in the live dependency index (dependencies.py) and a way it changes it:

- ``drop``: the root goes (a column, function, sequence, view dropped; a function whose signature
  changes, a view that cannot be replaced). What goes with it (its auto and internal parts:
  a column's indexes and constraints, a view's columns, indexes and triggers) goes by itself; what
  depends on it or on them normally (views, defaults, checks, policies, triggers, foreign keys,
  functions) makes PostgreSQL refuse without CASCADE;
- ``retype``: a column changes type: PostgreSQL rebuilds its indexes and constraints but refuses
  while a view, policy or trigger uses it;
- ``replace``: an enum re-created under its name: as ``drop``, but its columns are converted
  (``retype``) rather than dropped.

The objects refused, and everything that depends on them (views on views, …), are dropped in
dependency order (dependants first) and, when declared, re-created from the declared model after
the change, through script.Script: a view with its indexes, triggers and comment; a default,
constraint, index, trigger, policy or function on its own. Grants on a re-created view will come
with it the same way once the model holds them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from collections.abc import Sequence as Seq
from typing import TYPE_CHECKING, Literal

from schemalint import sqlgen
from schemalint.dependencies import Ref, drop_order
from schemalint.drift.diff import Difference
from schemalint.drift.reconcile import changes, privileges, steps
from schemalint.drift.reconcile.planner import SIGNATURE
from schemalint.drift.reconcile.script import CREATE_PHASE, DROP_PHASE, DROP_WHY, Script, owner_in
from schemalint.model import Constraint, Model, Policy, Table, Trigger, View
from schemalint.sqlgen import qname
from schemalint.typenorm import quote_ident

if TYPE_CHECKING:
    import networkx as nx

Mode = Literal["drop", "retype", "replace"]
_REFUSED_BY_RETYPE = ("view", "policy", "trigger")
_UNITS = ("view", "trigger", "policy", "constraint", "index", "default", "function")
# the kind of object in the index that a difference of each kind is about
_DIFF_REFS = {"view": "view", "trigger": "trigger", "policy": "policy", "constraint": "constraint"}
_DIFF_REFS |= {"index": "index", "function": "function"}
_COMMENT_REFS = {"view": "view", "materialized view": "view", "index": "index"}
_COMMENT_REFS |= {"constraint": "constraint", "function": "function"}


def roots(d: Difference, declared: Model, live: Model) -> list[tuple[Ref, Mode]]:
    """The live objects a difference's statements change in a way their dependants block."""
    if d.kind == "column" and d.change == "extra":
        return [(Ref("column", d.object), "drop")]
    if d.kind == "column" and d.change == "changed" and d.attribute in ("type", "collation"):
        return [(Ref("column", d.object), "retype")]
    if d.kind in ("function", "sequence") and d.change == "extra":
        return [(Ref(d.kind, d.object), "drop")]
    if d.kind == "function" and d.change == "changed" and d.attribute in SIGNATURE:
        return [(Ref("function", d.object), "drop")]
    if d.kind == "view" and d.change != "missing":
        view = declared.views.get(d.object)
        if view is None or not steps.replaceable_view(view, live.views[d.object]):
            return [(Ref("view", d.object), "drop")]
    replaced = d.kind == "enum" and d.change == "changed"
    if replaced and not changes.enum_in_place(declared.enums[d.object], live.enums[d.object]):
        return [(Ref("type", d.object), "replace")]
    return []


def _goes_with(graph: nx.DiGraph, ref: Ref) -> set[Ref]:
    """The object and its parts (what depends on it automatically or internally), transitively."""
    found, todo = {ref}, [ref]
    while todo:
        for dependent, edge in graph.pred[todo.pop()].items():
            if edge["deptype"] != "n" and dependent not in found:
                found.add(dependent)
                todo.append(dependent)
    return found


def refused(graph: nx.DiGraph, changed: Iterable[tuple[Ref, Mode]]) -> list[Ref]:
    """The objects to drop before the changes and re-create after, dependants first."""
    import networkx as nx

    ring: set[Ref] = set()
    todo = [(ref, mode) for ref, mode in changed if ref in graph]
    seen = set(todo)
    while todo:
        ref, mode = todo.pop()
        if mode == "retype":
            ring |= {d for d in graph.pred[ref] if d.kind in _REFUSED_BY_RETYPE}
            continue
        gone = _goes_with(graph, ref)
        for part in gone:
            for dependent, edge in graph.pred[part].items():
                if edge["deptype"] != "n" or dependent in gone:
                    continue
                if mode == "replace" and dependent.kind == "column":
                    if (dependent, "retype") not in seen:
                        seen.add((dependent, "retype"))
                        todo.append((dependent, "retype"))
                else:
                    ring.add(dependent)
    closure = set(ring)
    for ref in ring:
        closure |= nx.ancestors(graph, ref)
    units = [
        ref
        for ref in closure
        if ref.kind in _UNITS
        and not any(edge["deptype"] != "n" and on in closure for on, edge in graph.succ[ref].items())
    ]
    return drop_order(graph, units)


def _diff_ref(d: Difference) -> Ref | None:
    if d.kind == "comment":
        kind = _COMMENT_REFS.get(d.attribute or "")
    elif d.kind == "column" and d.attribute == "default":
        kind = "default"
    else:
        kind = _DIFF_REFS.get(d.kind)
    return None if kind is None else Ref(kind, d.object)  # type: ignore[arg-type]


class Rebuild:
    """The objects re-created around the script's changes, and the differences that covers."""

    def __init__(self, script: Script, differences: Seq[Difference], graph: nx.DiGraph) -> None:
        self.script = script
        self.needed_by: dict[Ref, list[Difference]] = {}  # each object, and the differences it blocks
        for d in differences:
            for root in roots(d, script.declared, script.live):
                for ref in refused(graph, [root]):
                    self.needed_by.setdefault(ref, []).append(d)
        for d in differences:  # an object's own change is written by its re-creation
            own = _diff_ref(d)
            if own is not None and own in self.needed_by:
                self.needed_by[own].append(d)
        self.units = drop_order(graph, self.needed_by) if self.needed_by else []

    def covers(self, d: Difference) -> bool:
        """True when the re-created object is the declared one, so the difference needs nothing more."""
        return _diff_ref(d) in self.needed_by

    def write(self, unsafe: Collection[int]) -> None:
        """Drop and re-create each object; commented out with the changes it is for when they are
        all unsafe (``unsafe``: the ids of the differences whose statements are)."""
        for ref in self.units:
            blocked = self.needed_by[ref]
            if all(id(d) in unsafe for d in blocked):
                self.script.because = f"goes with an unsafe change of {blocked[0].kind} {blocked[0].object}"
            self.drop(ref)
            self.create(ref)
            self.script.because = None

    def drop(self, ref: Ref) -> None:
        script, live = self.script, self.script.live
        why = None if self.declared(ref) else DROP_WHY.get(ref.kind)
        if ref.kind == "view":
            script.drop_view(live.views[ref.name], why)
        elif ref.kind == "function":
            text = sqlgen.drop_function_sql(live.functions[ref.name])
            script.add(DROP_PHASE["function"], ref.name, text, why)
        elif ref.kind == "index":
            found = script.index(live, ref.name)
            assert found is not None
            script.drop_index(*found, why)
        else:
            owned = owner_in(live, ref.name)
            assert owned is not None
            owner, name = owned
            if ref.kind == "trigger":
                script.drop_trigger(owner, name, why)
            elif ref.kind == "policy":
                script.drop_policy(owner, name, why)
            elif ref.kind == "default":
                script.add(DROP_PHASE["default"], ref.name, f"{_alter(owner, name)} DROP DEFAULT", why)
            elif isinstance(owner, Table):  # a domain's CHECK goes with its domain
                constraint = next(c for c in owner.constraints if c.name == name)
                script.drop_constraint(owner, constraint, why)

    def declared(self, ref: Ref) -> bool:
        """True when the declared model has the object (a default: its column has one)."""
        model = self.script.declared
        if ref.kind in ("view", "function"):
            return ref.name in (model.views if ref.kind == "view" else model.functions)
        if ref.kind == "index":
            return self.script.index(model, ref.name) is not None
        owned = owner_in(model, ref.name)
        if owned is None:
            return False
        owner, name = owned
        if ref.kind == "default":
            column = owner.column(name) if isinstance(owner, Table) else None
            return column is not None and column.default is not None
        members: dict[str, tuple[Trigger | Policy | Constraint, ...]] = {"trigger": owner.triggers}
        if isinstance(owner, Table):
            members |= {"policy": owner.policies, "constraint": owner.constraints}
        return any(m.name == name for m in members.get(ref.kind, ()))

    def create(self, ref: Ref) -> None:
        script, declared = self.script, self.script.declared
        if not self.declared(ref):
            return
        if ref.kind == "view":
            script.create_view(declared.views[ref.name])
        elif ref.kind == "function":
            function = declared.functions[ref.name]
            script.add(CREATE_PHASE["function"], ref.name, sqlgen.create_function_sql(function))
            script.comment_created("function", ref.name, function.comment)
            for phase, key, text, why in privileges.grants_of("function", ref.name, declared):
                script.add(phase, key, text, why)
        elif ref.kind == "index":
            found = script.index(declared, ref.name)
            assert found is not None
            script.create_index(*found)
            script.comment_created("index", ref.name, found[0].comment)
        else:
            owned = owner_in(declared, ref.name)
            assert owned is not None
            owner, name = owned
            if ref.kind == "trigger":
                script.create_trigger(owner, next(t for t in owner.triggers if t.name == name))
                return
            assert isinstance(owner, Table)
            if ref.kind == "policy":
                script.create_policy(owner, next(p for p in owner.policies if p.name == name))
            elif ref.kind == "default":
                column = owner.column(name)
                assert column is not None
                script.add(
                    CREATE_PHASE["default"], ref.name, f"{_alter(owner, name)} SET DEFAULT {column.default}"
                )
            else:
                script.add_constraint(owner, next(c for c in owner.constraints if c.name == name))


def _alter(table: Table | View, column: str) -> str:
    return f"ALTER TABLE {qname(table.schema, table.name)} ALTER COLUMN {quote_ident(column)}"
