"""The steps of a reconciliation script: one statement each, with the phase it sorts in.

The statements' text comes from schemalint.sqlgen, the one generator of
CREATE/ALTER text; here is only what the script needs beyond it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from schemalint.model import View


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of the script, with where it sorts and why it is unsafe (None: safe)."""

    phase: int
    key: str
    sql: str | None
    unsafe: str | None
    order: int

    def render(self, *, enabled: bool) -> str:
        if self.sql is None:
            return f"-- MANUAL: {self.unsafe}\n"
        if self.unsafe is None:
            return f"-- safe\n{self.sql};\n"
        body = self.sql + ";"
        if not enabled:
            body = "\n".join("-- " + line for line in body.splitlines())
        return f"-- UNSAFE: {self.unsafe}\n{body}\n"


def changed_fields(declared: object, live: object) -> list[str]:
    """The names of the compared fields of two model objects of one class that differ."""
    return [
        f.name
        for f in fields(declared)  # type: ignore[arg-type]
        if f.compare and getattr(declared, f.name) != getattr(live, f.name)
    ]


def dependency_depths(items: dict[str, tuple[str, str]]) -> dict[str, int]:
    """For qualname → (name, text): 0 for an item whose text names no other item, else 1 + theirs.

    Functions whose bodies call other functions and views that read other
    views must be created after those (and dropped before them); the model
    does not record these dependencies, so they are read from the text.
    """
    patterns = {q: re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])") for q, (name, _) in items.items()}
    depths: dict[str, int] = {}

    def depth(qualname: str, seen: frozenset[str]) -> int:
        if qualname not in depths:
            text = items[qualname][1]
            used = [o for o, p in patterns.items() if o != qualname and o not in seen and p.search(text)]
            depths[qualname] = 1 + max((depth(o, seen | {qualname}) for o in used), default=-1)
        return depths[qualname]

    for qualname in items:
        depth(qualname, frozenset())
    return depths


def replaceable_view(declared: View, live: View) -> bool:
    """True when CREATE OR REPLACE VIEW can turn the live view into the declared one."""
    if declared.materialized or live.materialized:
        return False
    return declared.columns[: len(live.columns)] == live.columns
