"""Replay of table inheritance: which columns a child has from its parents, and whether it
declares them itself (Column.local, Column.inherited: attislocal and attinhcount).

A partition's columns are always its parent's: they keep the defaults (local, from no parent),
as the catalog reports them. Only inheritance children (INHERITS, INHERIT) count parents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from schemalint.model import Column, Table, evolve
from schemalint.sources.sql.replay.state import NotReplayed, Replay, children_of


def columns_of_parents(r: Replay, parents: Sequence[Table], *, partition: bool) -> list[Column]:
    """The columns a new child table starts with: each parent's in order, merged by name."""
    columns: list[Column] = []
    for parent in parents:
        for column in parent.columns:
            position = next((i for i, c in enumerate(columns) if c.name == column.name), None)
            if position is not None:
                columns[position] = evolve(columns[position], inherited=columns[position].inherited + 1)
                continue
            copy = evolve(column, identity=None, comment=None, location=r.location)
            columns.append(_as_child(copy, partition=partition))
    return columns


def _as_child(column: Column, *, partition: bool) -> Column:
    """A parent's column as a new child has it: from this one parent, or a partition's own."""
    return evolve(column, local=partition, inherited=0 if partition else 1)


def merged(column: Column, inherited_from: Column | None) -> Column:
    """A column a child declares that it also has from its parents: local, and still inherited."""
    return column if inherited_from is None else evolve(column, inherited=inherited_from.inherited)


def _set_columns(r: Replay, qualname: str, change: Callable[[Column], Column], names: set[str]) -> None:
    table = r.table(qualname)
    columns = tuple(change(c) if c.name in names else c for c in table.columns)
    r.state.tables[qualname] = evolve(table, columns=columns)


def inherit(r: Replay, qualname: str, parent_qualname: str) -> None:
    """ALTER TABLE … INHERIT parent: the child must have every column of the parent already."""
    table, parent = r.table(qualname), r.table(parent_qualname)
    missing = [c.name for c in parent.columns if table.column(c.name) is None]
    if missing:
        raise NotReplayed(f"child table {qualname} is missing column {missing[0]} of {parent_qualname}")
    names = {c.name for c in parent.columns}
    _set_columns(r, qualname, lambda c: evolve(c, inherited=c.inherited + 1), names)
    r.state.tables[qualname] = evolve(r.table(qualname), inherits=(*table.inherits, parent_qualname))
    r.state.parents.add(parent_qualname)


def no_inherit(r: Replay, qualname: str, parent_qualname: str) -> None:
    """ALTER TABLE … NO INHERIT parent: a column no parent gives any more becomes the child's own."""
    table, parent = r.table(qualname), r.table(parent_qualname)
    if parent_qualname not in table.inherits:
        raise NotReplayed(f"relation {parent_qualname} is not a parent of relation {qualname}")

    def release(column: Column) -> Column:
        count = max(column.inherited - 1, 0)
        return evolve(column, inherited=count, local=column.local or count == 0)

    _set_columns(r, qualname, release, {c.name for c in parent.columns})
    inherits = tuple(p for p in table.inherits if p != parent_qualname)
    r.state.tables[qualname] = evolve(r.table(qualname), inherits=inherits)


def propagate_column(r: Replay, qualname: str, column: Column) -> None:
    """ALTER TABLE parent ADD COLUMN: every descendant gets it, or merges it with its own."""
    for child in children_of(r, qualname):
        table = r.table(child)
        partition = table.partition_of == qualname
        own = table.column(column.name)
        if own is not None:
            if not partition:
                _set_columns(r, child, lambda c: evolve(c, inherited=c.inherited + 1), {column.name})
            continue
        new = _as_child(column, partition=partition)
        r.state.tables[child] = evolve(table, columns=(*table.columns, new))
        propagate_column(r, child, new)


def descendants_with(r: Replay, qualname: str, column: str) -> list[str]:
    """The partitions and inheritance children, at any depth, that have the column (for ALTER
    TABLE … ALTER COLUMN and RENAME COLUMN, which recurse unless ONLY), parents before children."""
    found: list[str] = []
    for child in children_of(r, qualname):
        if r.table(child).column(column) is not None and child not in found:
            found.append(child)
            found += [c for c in descendants_with(r, child, column) if c not in found]
    return found


def children_losing(r: Replay, qualname: str, name: str, *, only: bool) -> list[str]:
    """ALTER TABLE parent DROP COLUMN name: the children whose column goes too (it is theirs only
    through this parent); the others keep it, from one parent fewer (their own with ONLY)."""
    dropping = []
    for child in children_of(r, qualname):
        table = r.table(child)
        column = table.column(name)
        if column is None:
            continue
        partition = table.partition_of == qualname
        if partition or (not only and column.inherited == 1 and not column.local):
            dropping.append(child)
            continue

        def keep(c: Column) -> Column:
            return evolve(c, inherited=max(c.inherited - 1, 0), local=c.local or only)

        _set_columns(r, child, keep, {name})
    return dropping
