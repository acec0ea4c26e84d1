"""Replay of CREATE TRIGGER, on tables, their partitions and views."""

from __future__ import annotations

from schemalint.exprnorm import canonical_expr
from schemalint.model import Table, Trigger, View, evolve
from schemalint.sources.sql.replay import refusals
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay, partitions_of

_TIMING = {2: "before", 64: "instead of", 0: "after"}


_EVENTS = ((4, "insert"), (8, "delete"), (16, "update"), (32, "truncate"))


def trigger_owner(r: Replay, qualname: str) -> Table | View:
    """The table or view a trigger is on (INSTEAD OF triggers are on views)."""
    view = r.state.views.get(qualname)
    return view if view is not None and not view.materialized else r.table(qualname)


def set_triggers(r: Replay, owner: Table | View, triggers: tuple[Trigger, ...]) -> None:
    if isinstance(owner, View):
        r.state.views[owner.qualname] = evolve(owner, triggers=triggers)
    else:
        r.state.tables[owner.qualname] = evolve(owner, triggers=triggers)


def create_trigger(r: Replay, stmt: pb.CreateTrigStmt) -> None:
    qualname = refusals.trigger_target(r, stmt)
    table = trigger_owner(r, qualname)
    names = [n.string.sval for n in stmt.funcname]
    if len(names) > 1:
        function = f"{names[-2]}.{names[-1]}"
    elif names[0] in refusals.BUILTIN_TRIGGER_FUNCTIONS:
        function = f"pg_catalog.{names[0]}"
    else:
        function = next(
            (
                f"{s}.{names[0]}"
                for s in r.search_path
                if any(fn.schema == s and fn.name == names[0] for fn in r.state.functions.values())
            ),
            f"{r.creation_schema('')}.{names[0]}",
        )
    trigger = Trigger(
        name=stmt.trigname,
        timing=_TIMING.get(stmt.timing, "after"),  # type: ignore[arg-type]
        events=tuple(sorted(name for bit, name in _EVENTS if stmt.events & bit)),
        level="row" if stmt.row else "statement",
        function=function,
        arguments=tuple(a.string.sval for a in stmt.args),
        update_columns=tuple(c.string.sval for c in stmt.columns),
        when=canonical_expr(stmt.when_clause) if stmt.HasField("when_clause") else None,
        constraint=stmt.isconstraint,
        location=r.location,
    )
    existing = [t for t in table.triggers if t.name != stmt.trigname]
    if len(existing) != len(table.triggers) and not stmt.replace:
        raise NotReplayed(f"trigger {stmt.trigname} on {qualname} already exists")
    set_triggers(r, table, (*existing, trigger))
    r.touch(f"{qualname}.{stmt.trigname}", qualname)
    if trigger.level == "row" and isinstance(table, Table) and table.kind == "partitioned table":
        for child in partitions_of(r, qualname):
            child_table = r.table(child)
            r.state.tables[child] = evolve(child_table, triggers=(*child_table.triggers, trigger))
