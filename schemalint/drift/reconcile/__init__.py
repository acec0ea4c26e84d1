"""Differences → an SQL script that would bring the live database to the declared schema.

schemalint never runs it. Statements come in dependency order (order.py): drops
first, dependants before what they depend on (policies, triggers, views, indexes,
foreign keys, … schemas), then creates and changes, containers before their
contents (schemas, extensions, types, sequences, functions, tables, columns,
constraints, foreign keys, indexes, views, triggers, policies, RLS, comments);
within each, objects of one kind in a topological order of the dependency index.
Each statement is labelled with the lock it takes and what it does to the
table (steps.lock_of): ``-- safe``, ``-- BLOCKS WRITES`` (a write-blocking
lock on an existing table is never "safe") or ``-- UNSAFE: <why>``; unsafe
statements are commented out unless ``unsafe=True``. Indexes on existing
tables are built and dropped CONCURRENTLY, foreign keys and checks added NOT
VALID and validated after, and the script sets lock_timeout. Statements are
meant to be run one at a time (psql's default), not as a single transaction:
CONCURRENTLY cannot run inside one, and a value added to an enum cannot be
used in the transaction that adds it.

What a change cannot run past (a view reading a retyped column, a default using
a dropped sequence, whatever calls a function whose signature changes) is
dropped before it and re-created after (rebuild.py), commented out with it when
the change is unsafe. A partition's or inheritance child's copy of its parent's
change is left to the parent's statement, and a table that becomes partitioned
is a MANUAL step (partitions.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence as Seq

from schemalint.drift.diff import Difference
from schemalint.drift.reconcile import partitions, privileges
from schemalint.drift.reconcile.order import Ranks
from schemalint.drift.reconcile.planner import Planner
from schemalint.drift.reconcile.rebuild import Rebuild
from schemalint.drift.reconcile.steps import Step
from schemalint.model import Model

LOCK_TIMEOUT = "5s"
_HEADER = (
    "-- schemalint reconcile: statements that would bring the live database to the declared schema.\n"
    "-- Review every statement; run them one at a time, not in one transaction.\n"
    "-- schemalint never runs them.\n"
)


def _steps(differences: Seq[Difference], declared: Model, live: Model) -> Iterator[Step]:
    planner = Planner(declared, live)
    ranks = Ranks(declared, live)
    manual = partitions.repartitioned(declared, live)
    for table, text in manual.items():
        planner.add(36, table, None, text)
    kept = [d for d in differences if not partitions.left_alone(d, manual, declared, live)]
    rebuild = Rebuild(planner, kept, ranks.graph(creates=False))
    copies = {id(d) for d in partitions.copies(kept, declared, live)}
    unsafe = set()
    for difference in kept:
        if id(difference) in copies:
            planner.copied(difference)
        elif not rebuild.covers(difference):
            first = len(planner.steps)
            planner.plan(difference)
            if any(step.unsafe for step in planner.steps[first:]):
                unsafe.add(id(difference))
    rebuild.write(unsafe)
    for phase, key, text, why in privileges.created_steps(kept, declared):
        planner.add(phase, key, text, why)
    # one statement once: an index of a relation the script re-creates comes with it, not also
    # CONCURRENTLY on its own (the same statement but for that word)
    chosen: dict[tuple[str | None, str | None], Step] = {}
    for step in planner.steps:
        same = ((step.sql or "").replace(" CONCURRENTLY", "") or None, step.unsafe)
        if same not in chosen or (step.new and not chosen[same].new):
            chosen[same] = step
    yield from sorted(chosen.values(), key=ranks.key)


def reconcile_sql(differences: Seq[Difference], declared: Model, live: Model, *, unsafe: bool = False) -> str:
    """The script that would bring LIVE to DECLARED; unsafe statements commented out unless unsafe=True."""
    parts = [_HEADER]
    steps = list(_steps(differences, declared, live))
    if not steps:
        parts.append("-- no differences: nothing to do\n")
        return "".join(parts)
    parts.append("\n-- safe\nSET check_function_bodies = off;\n")
    parts.append(
        f"\n-- safe: a statement that waits {LOCK_TIMEOUT} for a lock gives up, not queueing every query\n"
    )
    parts.append(f"SET lock_timeout = '{LOCK_TIMEOUT}';\n")
    for step in steps:
        parts.append("\n" + step.render(enabled=unsafe))
    return "".join(parts)
