"""drift --sql --verify: prove on a scratch server that the script reconciles.

The live model is built on a scratch database (--shadow DSN|embedded, never a
live one: sources.shadow checks) by reconciling an empty database to it, read
back and compared with the live model (a copy that differs proves nothing, and
says so). Then the script is applied there statement by statement, as psql
runs it, the database is read again and compared with the declared model: no
difference is the proof; otherwise the report names the statements that failed,
the differences left and the script's manual steps (a table that becomes
partitioned), which leave theirs by design. A column order difference is always left so: reordering
needs the table re-created, and the script marks it as a manual step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from schemalint.drift.diff import POSITION, Difference, diff_models
from schemalint.model import Model

MANUAL = "-- MANUAL: "  # how the script marks a step left to a person (reconcile.steps)


@dataclass(frozen=True, slots=True)
class Verified:
    """What applying the script to a copy of LIVE left: failed statements and differences."""

    label: str
    copy_differs: tuple[Difference, ...] = ()  # the scratch copy of LIVE is not LIVE
    failed: tuple[str, ...] = ()  # "script:LINE: error" per statement that failed
    left: tuple[Difference, ...] = field(default=())  # declared vs the copy after the script
    manual: tuple[str, ...] = ()  # the script's MANUAL steps: what it leaves to a person

    @property
    def ok(self) -> bool:
        return not (self.copy_differs or self.failed or self.left)

    def lines(self) -> list[str]:
        if self.ok:
            head = f"verify {self.label}: the script reconciles a copy of it (no difference left"
            if not self.manual:
                return [head + ")"]
            return [f"{head} but what its manual steps change)"] + [f"  manual: {m}" for m in self.manual]
        out = [f"verify {self.label}: the script does not reconcile a copy of it"]
        out += [f"  the copy already differs from live: {d}" for d in self.copy_differs]
        out += [f"  failed: {message}" for message in self.failed]
        out += [f"  left: {d}" for d in self.left]
        out += [f"  manual: {step}" for step in self.manual]
        if self.left and not self.failed and not self.manual:
            out.append("  (UNSAFE statements are commented out: --unsafe writes them)")
        return out


def _schemas(*models: Model) -> list[str]:
    return sorted({name for model in models for name in model.schemas})


def verify_script(
    script: str, declared: Model, live: Model, *, shadow: str, live_dsns: Sequence[str], label: str
) -> Verified:
    from schemalint.drift.reconcile import reconcile_sql
    from schemalint.sources.catalog import introspect
    from schemalint.sources.shadow import apply_files, scratch_database
    from schemalint.sources.sql.parse import parse_sql

    empty = Model()
    build = reconcile_sql(diff_models(live, empty), live, empty, unsafe=True)
    schemas = _schemas(declared, live)
    with scratch_database(shadow, live=live_dsns) as dsn:
        # read whole (a schema of one side only is missing on the other), compared on both sides' schemas
        apply_files(dsn, [parse_sql(build, "(copy of live)")])
        copy = introspect(dsn).restricted(schemas)
        copy_differs = tuple(diff_models(live, copy))
        failed = apply_files(dsn, [parse_sql(script, "(script)")])
        after = introspect(dsn).restricted(schemas)
    manual = tuple(line.removeprefix(MANUAL) for line in script.splitlines() if line.startswith(MANUAL))
    left, _ = split_manual(diff_models(declared, after))
    return Verified(label, copy_differs, tuple(failed), left, manual)


def split_manual(differences: Sequence[Difference]) -> tuple[tuple[Difference, ...], tuple[Difference, ...]]:
    """(the differences a reconciliation script should have removed, the column order differences
    it leaves to manual steps)."""
    left = tuple(d for d in differences if d.attribute != POSITION)
    return left, tuple(d for d in differences if d.attribute == POSITION)
