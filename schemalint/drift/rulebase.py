"""The base of the drift rules: which rule a difference belongs to, and its finding.

A DriftRule judges one Difference and yields at most one finding; ``code_of``
says which rule a difference belongs to. Objects the codes do not name are
folded in: schemas into D015 (database-level objects, like extensions),
domains into D011 (user-defined types, like enums). Every comment is D017.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from schemalint.drift.diff import POSITION, Difference, format_value
from schemalint.findings import Finding
from schemalint.rules.base import Rule

# the code of a kind of difference; missing/extra tables and columns have their own
_CODES: dict[str, str] = {
    "schema": "D015",
    "extension": "D015",
    "collation": "D020",
    "enum": "D011",
    "domain": "D011",
    "sequence": "D014",
    "function": "D013",
    "column": "D005",
    "constraint": "D006",
    "index": "D007",
    "trigger": "D010",
    "policy": "D009",
    "rls": "D008",
    "view": "D012",
    "privilege": "D018",
    "table": "D016",
    "comment": "D017",
}


def code_of(difference: Difference) -> str:
    """The code of the drift rule a difference belongs to."""
    if difference.kind == "table" and difference.change != "changed":
        return "D001" if difference.change == "missing" else "D002"
    if difference.kind == "column" and difference.change != "changed":
        return "D003" if difference.change == "missing" else "D004"
    if difference.kind == "column" and difference.attribute == POSITION:
        return "D019"
    return _CODES[difference.kind]


def fact_of(difference: Difference, live_label: str) -> str:
    """What tells this difference from another of its rule on its object, for the fingerprint:
    the target, what changed and both values; never a line or a location."""
    values = (format_value(difference.declared), format_value(difference.live))
    return "|".join((live_label, difference.kind, difference.change, difference.attribute or "", *values))


class DriftRule(Rule):
    """A rule on one difference between the declared and the live model."""

    help: ClassVar[str]

    def check(self, difference: Difference, *, declared_label: str, live_label: str) -> Iterator[Finding]:
        if code_of(difference) != self.code:
            return
        yield Finding(
            code=self.code,
            slug=self.slug,
            severity=self.severity,
            message=self.message(difference, declared_label, live_label),
            help=self.help,
            location=difference.location,
            object=difference.object,
            source=live_label,
            fact=fact_of(difference, live_label),
        )

    def message(self, difference: Difference, declared_label: str, live_label: str) -> str:
        """The finding's message: the object, what differs, both sides' values."""
        return _message(difference, declared_label, live_label)


_ATTRIBUTE_WORDS = {"not_null": "nullability", "identity": "identity", "ref_table": "referenced table"}
_KIND_WORDS = {"rls": "Row level security of table"}


def _value(attribute: str, value: object) -> str:
    if attribute == "not_null" and isinstance(value, bool):
        return "NOT NULL" if value else "NULL allowed"
    if value is None:
        return "none"
    if isinstance(value, str) and not value:
        return "''"
    return format_value(value)


def _message(difference: Difference, declared_label: str, live_label: str) -> str:
    if difference.kind == "comment":
        what = f"Comment on {difference.attribute} {difference.object}"
    else:
        what = f"{_KIND_WORDS.get(difference.kind, difference.kind.capitalize())} {difference.object}"
    if difference.change == "missing":
        return f"{what} is declared in {declared_label} but missing from {live_label}."
    if difference.change == "extra":
        return f"{what} exists in {live_label} but is not declared in {declared_label}."
    attribute = difference.attribute or ""
    declared, live = _value(attribute, difference.declared), _value(attribute, difference.live)
    if attribute == POSITION:
        return f"{what} is at position {live} in {live_label}, {declared} in {declared_label}."
    if difference.kind == "comment":
        return f"{what} differs: {declared_label} declares {declared}, {live_label} has {live}."
    word = _ATTRIBUTE_WORDS.get(attribute, attribute.replace("_", " "))
    return f"{what} differs in {word}: {declared_label} declares {declared}, {live_label} has {live}."
