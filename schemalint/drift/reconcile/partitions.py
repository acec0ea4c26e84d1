"""Partitions and inheritance children: what their parent's statement already changes, and a
table that becomes partitioned (or stops being), which only a person can do.

PostgreSQL applies ADD/DROP COLUMN, ALTER COLUMN … TYPE, SET/DROP NOT NULL and SET/DROP
DEFAULT on a parent to its partitions and inheritance children, CHECK constraints too; on a
partitioned table also its indexes, keys, foreign keys and row triggers. The same difference
on a child is a copy of the parent's, and altering the child again fails ("cannot alter
inherited column") or does it twice: it is passed over.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Sequence as Seq
from dataclasses import replace

from schemalint import sqlgen
from schemalint.drift.diff import Difference
from schemalint.model import Index, Model, Table

_KINDS = frozenset({"table", "partitioned table"})


def _parents(table: Table | None, *, partitions_only: bool) -> list[str]:
    if table is None:
        return []
    found = [table.partition_of] if table.partition_of else []
    return found if partitions_only else [*found, *table.inherits]


def _index_of(model: Model, qualname: str) -> tuple[Index, Table] | None:
    for table in model.tables.values():
        for index in table.indexes:
            if index.qualname == qualname:
                return index, table
    return None


class _Copies:
    def __init__(self, differences: Seq[Difference], declared: Model, live: Model) -> None:
        self.declared, self.live = declared, live
        self.by_key = {(d.kind, d.object, d.change, d.attribute): d for d in differences}
        self.indexes = [d for d in differences if d.kind == "index"]

    def ancestors(self, qualname: str, *, partitions_only: bool) -> list[str]:
        """The parents of a table on either side, and theirs."""
        found: list[str] = []
        todo = [qualname]
        while todo:
            name = todo.pop()
            for model in (self.declared, self.live):
                for parent in _parents(model.tables.get(name), partitions_only=partitions_only):
                    if parent not in found:
                        found.append(parent)
                        todo.append(parent)
        return found

    def member_copy(self, d: Difference, table: str, member: str) -> bool:
        """A column, constraint or trigger difference its parent has too (the same name, change
        and declared value; a partition's key by its columns): PostgreSQL's statement on the
        parent makes it on the child."""
        partitions_only = d.kind == "trigger" or (d.kind == "constraint" and not self._check(table, member))
        for parent in self.ancestors(table, partitions_only=partitions_only):
            same = self.by_key.get((d.kind, f"{parent}.{member}", d.change, d.attribute))
            if same is not None and same.declared == d.declared:
                return True
            if d.kind == "constraint" and self._key_copy(d, table, member, parent):
                return True
        return False

    def _key_copy(self, d: Difference, table: str, name: str, parent: str) -> bool:
        """A partition's primary key or unique constraint that its parent's, added or dropped here
        too, brings (named after the partition, found by its columns)."""
        model = self.live if d.change == "extra" else self.declared
        child, owner = model.tables.get(table), model.tables.get(parent)
        if child is None or owner is None or d.change == "changed":
            return False
        constraint = next((c for c in child.constraints if c.name == name), None)
        if constraint is None or constraint.kind not in ("primary key", "unique"):
            return False
        return any(
            (d.kind, f"{parent}.{c.name}", d.change, None) in self.by_key
            and sqlgen.inherited_constraint(constraint, replace(owner, constraints=(c,)))
            for c in owner.constraints
        )

    def _check(self, table: str, name: str) -> bool:
        for model in (self.declared, self.live):
            owner = model.tables.get(table)
            for constraint in owner.constraints if owner is not None else ():
                if constraint.name == name:
                    return constraint.kind == "check" and not constraint.no_inherit
        return False

    def index_copy(self, d: Difference) -> bool:
        """A partition's index that its parent's index, created or dropped here too, brings."""
        model = self.live if d.change == "extra" else self.declared
        found = _index_of(model, d.object)
        if found is None:
            return False
        index, table = found
        parents = self.ancestors(table.qualname, partitions_only=True)
        for other in self.indexes:
            parent = _index_of(model, other.object)
            if (
                other.change == d.change
                and parent is not None
                and parent[1].qualname in parents
                and sqlgen.inherited_index(index, replace(parent[1], indexes=(parent[0],)))
            ):
                return True
        return False


def _table_of(model: Model, qualname: str) -> str | None:
    best = None
    for table in model.tables:
        if qualname.startswith(table + ".") and (best is None or len(table) > len(best)):
            best = table
    return best


def copies(differences: Seq[Difference], declared: Model, live: Model) -> list[Difference]:
    """The differences of partitions and inheritance children that the statement removing their
    parent's difference removes too."""
    found = _Copies(differences, declared, live)
    out = []
    for d in differences:
        if d.kind == "index":
            if found.index_copy(d):
                out.append(d)
            continue
        if d.kind not in ("column", "constraint", "trigger"):
            continue
        table = _table_of(declared, d.object) or _table_of(live, d.object)
        if table is not None and found.member_copy(d, table, d.object[len(table) + 1 :]):
            out.append(d)
    return out


def repartitioned(declared: Model, live: Model) -> dict[str, str]:
    """The tables that become partitioned or stop being, each with the manual step's text: the
    script writes nothing else for them or their partitions."""
    found = {}
    for name in sorted(declared.tables.keys() & live.tables.keys()):
        wanted, current = declared.tables[name], live.tables[name]
        if wanted.kind == current.kind or "partitioned table" not in (wanted.kind, current.kind):
            continue
        change = (
            f"becomes partitioned (PARTITION BY {wanted.partition_key})"
            if wanted.kind == "partitioned table"
            else "stops being partitioned"
        )
        found[name] = (
            f"table {name} {change}.\n"
            "PostgreSQL cannot change this in place: create the new table beside it (with its\n"
            "partitions, indexes, constraints, triggers and policies), copy the rows, swap the\n"
            "names in one transaction, re-create what depends on it, then drop the old table.\n"
            f"This script changes nothing of {name} or its partitions; drift reports them until then."
        )
    return found


def _relation_of(d: Difference, declared: Model, live: Model) -> str | None:
    """The table a difference is about (a table's own, or one of its members' or indexes')."""
    if d.kind == "table" or d.kind == "rls" or (d.kind == "comment" and d.attribute == "table"):
        return d.object
    if d.kind == "index":
        found = _index_of(declared, d.object) or _index_of(live, d.object)
        return None if found is None else found[1].qualname
    return _table_of(declared, d.object) or _table_of(live, d.object)


def left_alone(d: Difference, tables: Collection[str], declared: Model, live: Model) -> bool:
    """True for a difference of a repartitioned table or of one of its partitions."""
    if not tables:
        return False
    relation = _relation_of(d, declared, live)
    if relation is None:
        return False
    if relation in tables:
        return True
    return any(
        model.tables[relation].partition_of in tables
        for model in (declared, live)
        if relation in model.tables
    )
