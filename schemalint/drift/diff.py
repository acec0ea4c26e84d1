"""Model × Model → differences, field by field.

``diff_models(declared, live)`` matches objects by qualified name and compares
every field the model has (locations excepted). A table, view, enum … that
exists on one side only is one difference; its columns, constraints and
indexes are not listed again. The result is in a deterministic order: by kind
of object (schemas first, then the objects that live in them, in dependency
order), then qualified name, then attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, Literal, get_args

from schemalint.drift.acl_diff import acl_differences
from schemalint.model import (
    Column,
    Constraint,
    Extension,
    Function,
    Index,
    Location,
    Model,
    Policy,
    Schema,
    Table,
    Trigger,
    View,
)

# in listing order: containers before their contents
DiffKind = Literal[
    "schema",
    "extension",
    "collation",
    "enum",
    "domain",
    "sequence",
    "function",
    "table",
    "column",
    "constraint",
    "index",
    "trigger",
    "policy",
    "rls",
    "view",
    "privilege",
    "comment",
]
Change = Literal["missing", "extra", "changed"]

# the order differences are listed in
KIND_ORDER: tuple[str, ...] = get_args(DiffKind)
_CHANGE_ORDER = {"missing": 0, "extra": 1, "changed": 2}
# the attribute of a column's difference in order among the columns both sides have
POSITION = "position"
_MAX_VALUE_TEXT = 120


def format_value(value: object) -> str:
    """One line for a model value: none, true/false, (a, b), or the text with whitespace collapsed."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(item) for item in value) + ")"
    text = re.sub(r"\s+", " ", str(value)).strip()
    if len(text) > _MAX_VALUE_TEXT:
        text = text[: _MAX_VALUE_TEXT - 1] + "…"
    return text


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the live schema differs from the declared one.

    ``change`` is "missing" (declared, not live), "extra" (live, not declared)
    or "changed" (``attribute`` differs: ``declared`` vs ``live``). For
    comments, ``attribute`` names the kind of the commented object. The
    declared object's location, when known, is kept for findings.
    """

    kind: DiffKind
    object: str
    change: Change
    attribute: str | None = None
    declared: Any = None
    live: Any = None
    location: Location | None = field(default=None, compare=False)

    def __str__(self) -> str:
        if self.kind == "comment":
            head = f"comment on {self.attribute} {self.object}"
            return f"{head}: {format_value(self.declared)} ≠ {format_value(self.live)}"
        if self.kind == "privilege":
            head = f"{self.attribute} {self.object}: privilege"
            if self.change == "missing":
                return f"{head} {self.declared} declared, not granted in live"
            if self.change == "extra":
                return f"{head} {self.live} granted in live, not declared"
            return f"{head} {self.declared} declared, {self.live} in live"
        head = f"{self.kind} {self.object}"
        if self.change == "missing":
            return f"{head}: missing (declared, not live)"
        if self.change == "extra":
            return f"{head}: extra (live, not declared)"
        if self.attribute == POSITION:
            return f"{head} is at position {self.live} in live, {self.declared} declared"
        return f"{head}: {self.attribute} {format_value(self.declared)} ≠ {format_value(self.live)}"

    @property
    def sort_key(self) -> tuple[int, str, int, str]:
        return (KIND_ORDER.index(self.kind), self.object, _CHANGE_ORDER[self.change], self.attribute or "")


@cache
def _compared(cls: type) -> tuple[str, ...]:
    """The fields of a model class that drift compares (privileges are acl_diff's)."""
    return tuple(f.name for f in fields(cls) if f.compare and f.name != "acl")


def _attributes(declared: Any, live: Any, skip: tuple[str, ...] = ()) -> Iterator[tuple[str, Any, Any]]:
    """(field name, declared value, live value) for every compared field that differs."""
    for name in _compared(declared.__class__):
        if name in skip:
            continue
        a, b = getattr(declared, name), getattr(live, name)
        if a != b:
            yield name, a, b


class _Differ:
    def __init__(self) -> None:
        self.out: list[Difference] = []

    def add(
        self,
        kind: DiffKind,
        qualname: str,
        change: Change,
        attribute: str | None = None,
        declared: Any = None,
        live: Any = None,
        location: Location | None = None,
    ) -> None:
        self.out.append(Difference(kind, qualname, change, attribute, declared, live, location))

    def comment(self, on: str, qualname: str, declared: Any, live: Any, location: Location | None) -> None:
        if declared.comment != live.comment:
            self.add("comment", qualname, "changed", on, declared.comment, live.comment, location)

    def fields_of(
        self,
        kind: DiffKind,
        qualname: str,
        declared: Any,
        live: Any,
        skip: tuple[str, ...] = (),
    ) -> None:
        for name, a, b in _attributes(declared, live, ("comment", *skip)):
            self.add(kind, qualname, "changed", name, a, b, declared.location)

    def mapping(self, kind: DiffKind, declared: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
        """Missing/extra objects of one kind; the qualnames present on both sides."""
        for name in sorted(declared.keys() - live.keys()):
            self.add(kind, name, "missing", location=declared[name].location)
        for name in sorted(live.keys() - declared.keys()):
            self.add(kind, name, "extra")
        return sorted(declared.keys() & live.keys())


def _by_name(items: tuple[Any, ...]) -> dict[str, Any]:
    return {item.name: item for item in items}


def _diff_members(
    d: _Differ,
    kind: Literal["column", "constraint"],
    table: str,
    declared: tuple[Column, ...] | tuple[Constraint, ...],
    live: tuple[Column, ...] | tuple[Constraint, ...],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A table's columns or constraints matched by name: missing, extra, and each pair field by
    field; the two name maps, for the caller."""
    on_d, on_l = _by_name(declared), _by_name(live)
    for name in sorted(on_d.keys() - on_l.keys()):
        d.add(kind, f"{table}.{name}", "missing", location=on_d[name].location)
    for name in sorted(on_l.keys() - on_d.keys()):
        d.add(kind, f"{table}.{name}", "extra")
    for name in sorted(on_d.keys() & on_l.keys()):
        mine, theirs = on_d[name], on_l[name]
        d.fields_of(kind, f"{table}.{name}", mine, theirs, skip=("name",))
        d.comment(kind, f"{table}.{name}", mine, theirs, mine.location)
    return on_d, on_l


def _diff_table(d: _Differ, declared: Table, live: Table) -> None:
    qualname = declared.qualname
    d.fields_of(
        "table",
        qualname,
        declared,
        live,
        skip=(
            "schema",
            "name",
            "columns",
            "constraints",
            "indexes",
            "triggers",
            "policies",
            "rls_enabled",
            "rls_forced",
        ),
    )
    d.comment("table", qualname, declared, live, declared.location)
    for flag in ("rls_enabled", "rls_forced"):
        if getattr(declared, flag) != getattr(live, flag):
            attribute = flag.removeprefix("rls_")
            d.add(
                "rls",
                qualname,
                "changed",
                attribute,
                getattr(declared, flag),
                getattr(live, flag),
                declared.location,
            )

    _diff_members(d, "column", qualname, declared.columns, live.columns)
    _diff_column_order(d, qualname, declared.columns, live.columns)
    cons_d, cons_l = _diff_members(d, "constraint", qualname, declared.constraints, live.constraints)

    # an index that backs a constraint present on one side only comes and goes with it
    one_sided = cons_d.keys() ^ cons_l.keys()
    _diff_indexes(d, declared.indexes, live.indexes, one_sided)

    _diff_named(d, "trigger", qualname, declared.triggers, live.triggers)
    _diff_named(d, "policy", qualname, declared.policies, live.policies)


def _diff_column_order(
    d: _Differ, table: str, declared: tuple[Column, ...], live: tuple[Column, ...]
) -> None:
    """The columns both sides have, in another order: those outside a longest run the two orders
    share (the fewest that moved), each with its position (1-based) on both sides. A column that
    is missing or extra does not move the others."""
    names_l = {c.name for c in live}
    order_d = [c.name for c in declared if c.name in names_l]
    names_d = set(order_d)
    order_l = [c.name for c in live if c.name in names_d]
    if order_d == order_l:
        return
    position_d = {c.name: i for i, c in enumerate(declared, 1)}
    position_l = {c.name: i for i, c in enumerate(live, 1)}
    kept = _longest_common(order_d, order_l)
    for name in order_d:
        if name not in kept:
            column = declared[position_d[name] - 1]
            d.add(
                "column",
                f"{table}.{name}",
                "changed",
                POSITION,
                position_d[name],
                position_l[name],
                column.location,
            )


def _longest_common(a: list[str], b: list[str]) -> set[str]:
    """The names of a longest common subsequence of two orders of the same names."""
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = (
                lengths[i + 1][j + 1] + 1 if a[i] == b[j] else max(lengths[i + 1][j], lengths[i][j + 1])
            )
    kept: set[str] = set()
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def _diff_named(
    d: _Differ,
    kind: str,
    qualname: str,
    declared: tuple[Trigger, ...] | tuple[Policy, ...],
    live: tuple[Trigger, ...] | tuple[Policy, ...],
) -> None:
    """The triggers or policies of a table (or the triggers of a view), matched by name."""
    items_d, items_l = _by_name(declared), _by_name(live)
    for name in sorted(items_d.keys() - items_l.keys()):
        d.add(kind, f"{qualname}.{name}", "missing", location=items_d[name].location)  # type: ignore[arg-type]
    for name in sorted(items_l.keys() - items_d.keys()):
        d.add(kind, f"{qualname}.{name}", "extra")  # type: ignore[arg-type]
    for name in sorted(items_d.keys() & items_l.keys()):
        item: Trigger | Policy = items_d[name]
        for attribute, a, b in _attributes(item, items_l[name], ("name",)):
            d.add(kind, f"{qualname}.{name}", "changed", attribute, a, b, item.location)  # type: ignore[arg-type]


def _diff_indexes(
    d: _Differ, declared: tuple[Index, ...], live: tuple[Index, ...], one_sided: AbstractSet[str]
) -> None:
    indexes_d = {i.qualname: i for i in declared if i.constraint not in one_sided}
    indexes_l = {i.qualname: i for i in live if i.constraint not in one_sided}
    for name in d.mapping("index", indexes_d, indexes_l):
        d.fields_of("index", name, indexes_d[name], indexes_l[name], skip=("schema", "name"))
        d.comment("index", name, indexes_d[name], indexes_l[name], indexes_d[name].location)


def diff_models(declared: Model, live: Model) -> list[Difference]:
    """Every difference between the declared and the live model, in a deterministic order."""
    d = _Differ()
    for name in d.mapping("schema", declared.schemas, live.schemas):
        schema: Schema = declared.schemas[name]
        d.comment("schema", name, schema, live.schemas[name], schema.location)
    for name in d.mapping("extension", declared.extensions, live.extensions):
        extension: Extension = declared.extensions[name]
        live_extension = live.extensions[name]
        # a version is compared only when both sides know it (CREATE EXTENSION without VERSION does not)
        known = extension.version is not None and live_extension.version is not None
        d.fields_of(
            "extension", name, extension, live_extension, skip=("name",) if known else ("name", "version")
        )
    # objects compared field by field and by comment: (kind, COMMENT ON word, declared, live)
    plain: tuple[tuple[DiffKind, str, Mapping[str, Any], Mapping[str, Any]], ...] = (
        ("collation", "collation", declared.collations, live.collations),
        ("enum", "type", declared.enums, live.enums),
        ("domain", "domain", declared.domains, live.domains),
        ("sequence", "sequence", declared.sequences, live.sequences),
    )
    for kind, comment_on, declared_objects, live_objects in plain:
        for name in d.mapping(kind, declared_objects, live_objects):
            obj, live_obj = declared_objects[name], live_objects[name]
            d.fields_of(kind, name, obj, live_obj, skip=("schema", "name"))
            d.comment(comment_on, name, obj, live_obj, obj.location)
    for name in d.mapping("function", declared.functions, live.functions):
        function: Function = declared.functions[name]
        # arguments are compared when both sides know them (a dump of an earlier schemalint has none)
        unknown = () if function.arguments and live.functions[name].arguments else ("arguments",)
        d.fields_of(
            "function",
            name,
            function,
            live.functions[name],
            skip=("schema", "name", "identity_args", *unknown),
        )
        d.comment("function", name, function, live.functions[name], function.location)
    for name in d.mapping("table", declared.tables, live.tables):
        _diff_table(d, declared.tables[name], live.tables[name])
    for name in d.mapping("view", declared.views, live.views):
        view: View = declared.views[name]
        live_view = live.views[name]
        d.fields_of("view", name, view, live_view, skip=("schema", "name", "indexes", "triggers"))
        d.comment("materialized view" if view.materialized else "view", name, view, live_view, view.location)
        _diff_indexes(d, view.indexes, live_view.indexes, set())
        _diff_named(d, "trigger", name, view.triggers, live_view.triggers)
    for qualname, change, attribute, declared_grant, live_grant, location in acl_differences(declared, live):
        d.add("privilege", qualname, change, attribute, declared_grant, live_grant, location)  # type: ignore[arg-type]
    return sorted(d.out, key=lambda difference: difference.sort_key)
