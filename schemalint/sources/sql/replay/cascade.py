"""DROP … CASCADE through the dependency index, once for every object kind; DROP without it.

``drop_dependents(r, ref)`` drops what depends on ``ref`` (recursively, in the order PostgreSQL
drops it: every object before the objects it depends on), as ``DROP … CASCADE`` does before it
drops ``ref`` itself, which stays the caller's. The dependants come from
``schemalint.dependencies.dependent_edges`` over the model replayed so far: only what can
depend on the dropped objects is looked at, never the whole graph; ``drop_refs`` removes any list of
refs from the replay's state, whatever their kind. ``refuse_dependents(r, refs)`` is DROP
without CASCADE: refused, as PostgreSQL refuses it, when an object that is not dropped too (nor a
part of one) depends on one of them; it needs no graph, so no networkx either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from schemalint.dependencies import Ref, dependent_edges, dependents, graph_from_edges
from schemalint.model import Index, evolve
from schemalint.sources.sql.replay.constraints import drop_constraint
from schemalint.sources.sql.replay.indexes import drop_index_entry
from schemalint.sources.sql.replay.state import Refused, Replay
from schemalint.sources.sql.replay.triggers import set_triggers, trigger_owner


def drop_dependents(r: Replay, ref: Ref) -> None:
    """Drop everything that depends on ``ref``, not ``ref`` itself nor its own parts (the
    columns, indexes, constraints and triggers of a relation go with it)."""
    found = dependents(graph_from_edges(dependent_edges(r.model(), [ref])), ref)
    own = f"{ref.name}." if ref.kind in ("table", "view") else None
    drop_refs(r, [d for d in found if own is None or not d.name.startswith(own)])


def refuse_dependents(r: Replay, refs: dict[Ref, str]) -> None:
    """DROP without CASCADE of ``refs`` (ref -> how PostgreSQL describes it): refused when an
    object outside them and their parts depends on one of them or on a part of one."""
    edges = dependent_edges(r.model(), refs)
    dropping = [(ref, f"{ref.name}." if ref.kind in ("table", "view") else None) for ref in refs]

    def going(other: Ref) -> bool:
        return any(other == ref or (own is not None and other.name.startswith(own)) for ref, own in dropping)

    # what holds a dropped object: a normal dependency of an object that is not dropped too
    holding = {d for d, target, deptype in edges if deptype == "n" and going(target) and not going(d)}
    if not holding:
        return
    into: dict[Ref, list[Ref]] = defaultdict(list)
    for dependent, target, _ in edges:
        into[target].append(dependent)
    for ref in refs:
        if holding & _depending(into, ref):
            raise Refused(f"cannot drop {refs[ref]} because other objects depend on it")


def _depending(into: dict[Ref, list[Ref]], ref: Ref) -> set[Ref]:
    """What depends on ``ref``, directly or through others, by the edges ``into`` each object."""
    found: set[Ref] = set()
    todo = [ref]
    while todo:
        for dependent in into.get(todo.pop(), ()):
            if dependent not in found:
                found.add(dependent)
                todo.append(dependent)
    return found


def drop_refs(r: Replay, refs: Iterable[Ref]) -> None:
    """Remove each ref from the state, in the order given; one already gone is passed over."""
    for ref in refs:
        _DROPPERS[ref.kind](r, ref.name)


def _owner_and_name(qualname: str) -> tuple[str, str]:
    """``schema.relation.name`` -> (``schema.relation``, ``name``) for objects of a relation."""
    schema, rest = qualname.split(".", 1)
    relation, _, name = rest.rpartition(".")
    return f"{schema}.{relation}", name


def _drop_table(r: Replay, qualname: str) -> None:
    table = r.state.tables.pop(qualname, None)
    if table is None:
        return
    r.drop_relname(table.schema, table.name)
    _drop_indexes(r, table.indexes)
    for constraint in table.constraints:
        r.drop_conname(table.schema, constraint.name)


def _drop_view(r: Replay, qualname: str) -> None:
    view = r.state.views.pop(qualname, None)
    if view is None:
        return
    r.drop_relname(view.schema, view.name)
    _drop_indexes(r, view.indexes)


def _drop_indexes(r: Replay, indexes: Iterable[Index]) -> None:
    """Free the names of a dropped relation's indexes, and forget whose they were."""
    for index in indexes:
        r.drop_relname(index.schema, index.name)
        r.state.index_owner.pop(index.qualname, None)


def _drop_column(r: Replay, qualname: str) -> None:
    owner, name = _owner_and_name(qualname)
    table = r.state.tables.get(owner)
    if table is None or table.column(name) is None:
        return  # a view's column goes with its view
    for constraint in table.constraints:
        if name in constraint.columns:
            drop_constraint(r, owner, constraint.name, missing_ok=True)
    table = r.table(owner)
    r.state.tables[owner] = evolve(table, columns=tuple(c for c in table.columns if c.name != name))
    r.touch(owner)


def _drop_default(r: Replay, qualname: str) -> None:
    owner, name = _owner_and_name(qualname)
    table = r.state.tables.get(owner)
    if table is None or table.column(name) is None:
        return
    columns = tuple(evolve(c, default=None) if c.name == name else c for c in table.columns)
    r.state.tables[owner] = evolve(table, columns=columns)


def _drop_constraint(r: Replay, qualname: str) -> None:
    owner, name = _owner_and_name(qualname)
    if owner in r.state.tables:
        drop_constraint(r, owner, name, missing_ok=True)
        r.touch(owner)
        return
    domain = r.state.domains.get(owner)
    if domain is not None:
        r.state.domains[owner] = evolve(domain, checks=tuple(c for c in domain.checks if c[0] != name))


def _drop_index(r: Replay, qualname: str) -> None:
    owner = r.state.index_owner.get(qualname)
    if owner is None:
        return
    name = qualname.split(".", 1)[1]
    view = r.state.views.get(owner)
    if view is not None:
        r.state.views[owner] = evolve(view, indexes=tuple(i for i in view.indexes if i.name != name))
        r.drop_relname(view.schema, name)
        r.state.index_owner.pop(qualname, None)
        return
    table = r.table(owner)
    index = next((i for i in table.indexes if i.name == name), None)
    if index is not None and not index.constraint:  # a constraint's index goes with it
        drop_index_entry(r, owner, name)
        r.touch(owner)


def _drop_trigger(r: Replay, qualname: str) -> None:
    owner_name, name = _owner_and_name(qualname)
    if owner_name not in r.state.tables and owner_name not in r.state.views:
        return
    owner = trigger_owner(r, owner_name)
    set_triggers(r, owner, tuple(t for t in owner.triggers if t.name != name))
    r.touch(owner_name)


def _drop_policy(r: Replay, qualname: str) -> None:
    owner, name = _owner_and_name(qualname)
    table = r.state.tables.get(owner)
    if table is not None:
        r.state.tables[owner] = evolve(table, policies=tuple(p for p in table.policies if p.name != name))
        r.touch(owner)


def _drop_function(r: Replay, qualname: str) -> None:
    r.state.functions.pop(qualname, None)


def _drop_sequence(r: Replay, qualname: str) -> None:
    sequence = r.state.sequences.pop(qualname, None)
    if sequence is not None:
        r.drop_relname(sequence.schema, sequence.name)


def _drop_type(r: Replay, qualname: str) -> None:
    if r.state.enums.pop(qualname, None) is None:
        r.state.domains.pop(qualname, None)


def _nothing(r: Replay, qualname: str) -> None:
    """An enum value is not an object of its own (PostgreSQL does not track it)."""


_DROPPERS = {
    "table": _drop_table,
    "view": _drop_view,
    "column": _drop_column,
    "default": _drop_default,
    "constraint": _drop_constraint,
    "index": _drop_index,
    "trigger": _drop_trigger,
    "policy": _drop_policy,
    "function": _drop_function,
    "sequence": _drop_sequence,
    "type": _drop_type,
    "enum_value": _nothing,
}
