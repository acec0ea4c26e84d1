"""The steps of a reconciliation script: one statement each, with the phase it sorts in.

The statements' text comes from schemalint.sqlgen, the one generator of
CREATE/ALTER text; here is only what the script needs beyond it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from schemalint.model import View

# the lock a statement takes, read from its first words: (pattern, lock, what it does to rows)
_LOCKS: tuple[tuple[str, str, str], ...] = (
    (r"CREATE (UNIQUE )?INDEX CONCURRENTLY", "SHARE UPDATE EXCLUSIVE", "scans the table; writes go on"),
    (r"DROP INDEX CONCURRENTLY", "SHARE UPDATE EXCLUSIVE", "writes go on"),
    (r"CREATE (UNIQUE )?INDEX", "SHARE", "scans the table; blocks writes while it builds"),
    (r"DROP INDEX", "ACCESS EXCLUSIVE", "blocks reads and writes until it commits"),
    (r"ALTER TABLE \S+ VALIDATE CONSTRAINT", "SHARE UPDATE EXCLUSIVE", "scans the table; writes go on"),
    (r"ALTER TABLE .* ADD CONSTRAINT .* FOREIGN KEY .* NOT VALID", "SHARE ROW EXCLUSIVE", "brief, no scan"),
    (r"ALTER TABLE .* ADD CONSTRAINT .* FOREIGN KEY", "SHARE ROW EXCLUSIVE", "scans the table"),
    (r"ALTER TABLE .* ADD CONSTRAINT .* NOT VALID", "ACCESS EXCLUSIVE", "brief, no scan"),
    (r"ALTER TABLE .* ADD CONSTRAINT .* (PRIMARY KEY|UNIQUE|EXCLUDE)", "ACCESS EXCLUSIVE", "builds an index"),
    (r"ALTER TABLE .* ADD CONSTRAINT", "ACCESS EXCLUSIVE", "scans the table"),
    (r"ALTER TABLE .* SET NOT NULL", "ACCESS EXCLUSIVE", "scans the table"),
    (r"ALTER TABLE .* TYPE ", "ACCESS EXCLUSIVE", "may rewrite the table and its indexes"),
    (r"ALTER TABLE .* SET (UN)?LOGGED", "ACCESS EXCLUSIVE", "rewrites the table"),
    (r"ALTER TABLE .* (ATTACH|DETACH) PARTITION", "SHARE UPDATE EXCLUSIVE", "ATTACH scans the partition"),
    (r"ALTER TABLE .* (ENABLE|DISABLE)( REPLICA| ALWAYS)? TRIGGER", "SHARE ROW EXCLUSIVE", "brief"),
    (r"ALTER TABLE", "ACCESS EXCLUSIVE", "brief, no rewrite or scan"),
    (r"(CREATE|DROP) TRIGGER", "SHARE ROW EXCLUSIVE", "brief"),
    (r"(CREATE|DROP) POLICY", "ACCESS EXCLUSIVE", "brief"),
    (r"DROP (TABLE|MATERIALIZED VIEW|VIEW)", "ACCESS EXCLUSIVE", "blocks reads and writes until it commits"),
    (r"COMMENT ON", "SHARE UPDATE EXCLUSIVE", "writes go on"),
    (r"(CREATE|ALTER|DROP) (TYPE|DOMAIN|SEQUENCE|FUNCTION|PROCEDURE|SCHEMA|EXTENSION|COLLATION)", "", ""),
    (r"CREATE (OR REPLACE )?(VIEW|MATERIALIZED VIEW|TABLE|UNLOGGED TABLE)", "", ""),
)
_WRITE_BLOCKING = ("SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE")


def lock_of(sql: str) -> tuple[str, str]:
    """(the table lock the statement takes, what it does to the table's rows); ("", "") for a
    statement on no existing table's rows (a new object, a type, a function)."""
    head = " ".join(sql.split())
    for pattern, lock, effect in _LOCKS:
        if re.match(pattern, head, re.IGNORECASE):
            return lock, effect
    return "", ""


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of the script, with where it sorts and why it is unsafe (None: safe).

    ``new`` is True when the statement's table is created earlier in the script (its lock
    blocks nobody). A statement that blocks writes on an existing table is never "safe": it
    is labelled with its lock, and commented out only when it is also unsafe."""

    phase: int
    key: str
    sql: str | None
    unsafe: str | None
    order: int
    new: bool = False

    def label(self) -> str:
        """``lock: … (effect)`` for the statement, ``no lock on table rows`` when it takes none."""
        lock, effect = lock_of(self.sql or "")
        if not lock:
            return "no lock on existing rows"
        if self.new:
            return f"lock: {lock} on a table this script creates"
        return f"lock: {lock} ({effect})"

    def blocks_writes(self) -> bool:
        lock, _ = lock_of(self.sql or "")
        return not self.new and lock in _WRITE_BLOCKING

    def render(self, *, enabled: bool) -> str:
        if self.sql is None:
            return "-- MANUAL: " + "\n-- ".join((self.unsafe or "").splitlines()) + "\n"  # a comment block
        if self.unsafe is None:
            verdict = "BLOCKS WRITES" if self.blocks_writes() else "safe"
            return f"-- {verdict}; {self.label()}\n{self.sql};\n"
        body = self.sql + ";"
        if not enabled:
            body = "\n".join("-- " + line for line in body.splitlines())
        return f"-- UNSAFE: {self.unsafe}; {self.label()}\n{body}\n"


def changed_fields(declared: object, live: object) -> list[str]:
    """The names of the compared fields of two model objects of one class that differ."""
    return [
        f.name
        for f in fields(declared)  # type: ignore[arg-type]
        if f.compare and getattr(declared, f.name) != getattr(live, f.name)
    ]


def replaceable_view(declared: View, live: View) -> bool:
    """True when CREATE OR REPLACE VIEW can turn the live view into the declared one."""
    if declared.materialized or live.materialized:
        return False
    return declared.columns[: len(live.columns)] == live.columns
