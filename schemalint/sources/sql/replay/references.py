"""RENAME and SET SCHEMA through the dependency index, once for every object kind.

``follow_rename(r, ref, rewrite)`` finds, in the model replayed so far, every object that
depends on ``ref`` directly (``dependencies.direct_dependents``) and passes the texts through
which it names ``ref`` (a column's type and default, a domain's base type, default and CHECKs,
a constraint's expression, an index's keys and predicate, a view's query, a function's
signature, a policy's expressions, a trigger's WHEN) through ``rewrite``, which spells the old
name as the new. Call it before the object itself is renamed: the index finds dependants by the
old name. The ``*_spelling`` helpers make the rewrite for a type, a sequence or an enum value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from schemalint.dependencies import Ref, direct_dependents
from schemalint.model import evolve
from schemalint.sources.sql.replay.state import Replay
from schemalint.sources.sql.replay.triggers import set_triggers, trigger_owner
from schemalint.typenorm import quote_ident, quote_qualified

Rewrite = Callable[[str], str]


def follow_rename(r: Replay, ref: Ref, rewrite: Rewrite) -> None:
    """Rewrite the texts of every direct dependant of ``ref`` (see the module docstring)."""
    for dependent, _ in direct_dependents(r.model(), ref):
        _REWRITERS[dependent.kind](r, dependent.name, rewrite)


def type_spelling(old: tuple[str, str], new: tuple[str, str]) -> Rewrite:
    """A type's canonical spelling, ``schema.name`` quoted as needed, wherever it is a whole
    name (arrays and type modifiers kept); a cast to the unqualified name follows a rename."""
    qualified = _whole(quote_qualified(*old))
    cast = re.compile(rf"::{re.escape(quote_ident(old[1]))}(?![\w$\"])")
    new_qualified, new_cast = quote_qualified(*new), f"::{quote_ident(new[1])}"

    def rewrite(text: str) -> str:
        text = qualified.sub(lambda _: new_qualified, text)
        return cast.sub(lambda _: new_cast, text) if old[0] == new[0] else text

    return rewrite


def sequence_spelling(old: str, new: str) -> Rewrite:
    """A sequence's name inside a regclass literal (``nextval('s')``, ``'app.s'::regclass``)."""
    literal = re.compile(rf"'((?:[^'.]*\.)?){re.escape(_in_literal(quote_ident(old)))}'")
    return lambda text: literal.sub(lambda m: f"'{m.group(1)}{_in_literal(quote_ident(new))}'", text)


def value_spelling(old: str, new: str) -> Rewrite:
    """An enum value as a string constant."""
    literal = f"'{_in_literal(old)}'"
    return lambda text: text.replace(literal, f"'{_in_literal(new)}'")


def _in_literal(text: str) -> str:
    return text.replace("'", "''")


def _whole(spelling: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w$.\"]){re.escape(spelling)}(?![\w$\"])")


def _maybe(rewrite: Rewrite, text: str | None) -> str | None:
    return None if text is None else rewrite(text)


def _owner_and_name(qualname: str) -> tuple[str, str]:
    schema, rest = qualname.split(".", 1)
    relation, _, name = rest.rpartition(".")
    return f"{schema}.{relation}", name


def _column(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    owner, name = _owner_and_name(qualname)
    table = r.state.tables.get(owner)
    if table is None:
        return  # a view's columns are names only
    columns = tuple(
        evolve(
            c,
            type=rewrite(c.type),
            default=_maybe(rewrite, c.default),
            generated=_maybe(rewrite, c.generated),
        )
        if c.name == name
        else c
        for c in table.columns
    )
    r.state.tables[owner] = evolve(table, columns=columns)
    r.touch(owner)


def _constraint(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    owner, name = _owner_and_name(qualname)
    table = r.state.tables.get(owner)
    if table is not None:
        constraints = tuple(
            evolve(c, expression=_maybe(rewrite, c.expression)) if c.name == name else c
            for c in table.constraints
        )
        r.state.tables[owner] = evolve(table, constraints=constraints)
        r.touch(owner)
        return
    domain = r.state.domains.get(owner)
    if domain is not None:
        checks = tuple((n, rewrite(check) if n == name else check) for n, check in domain.checks)
        r.state.domains[owner] = evolve(domain, checks=checks)


def _index(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    owner = r.state.index_owner.get(qualname)
    table = r.state.tables.get(owner or "")
    if table is None:
        return
    name = qualname.split(".", 1)[1]
    indexes = tuple(
        evolve(i, keys=tuple(rewrite(k) for k in i.keys), predicate=_maybe(rewrite, i.predicate))
        if i.name == name
        else i
        for i in table.indexes
    )
    r.state.tables[table.qualname] = evolve(table, indexes=indexes)


def _view(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    view = r.state.views.get(qualname)
    if view is not None:
        r.state.views[qualname] = evolve(view, definition=rewrite(view.definition))
        r.touch(qualname)


def _function(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    function = r.state.functions.pop(qualname, None)
    if function is not None:
        changed = evolve(
            function,
            identity_args=rewrite(function.identity_args),
            arguments=rewrite(function.arguments),
            returns=rewrite(function.returns),
        )
        r.state.functions[changed.qualname] = changed


def _type(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    domain = r.state.domains.get(qualname)
    if domain is not None:
        r.state.domains[qualname] = evolve(
            domain,
            type=rewrite(domain.type),
            default=_maybe(rewrite, domain.default),
            checks=tuple((name, rewrite(check)) for name, check in domain.checks),
        )


def _policy(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    owner, name = _owner_and_name(qualname)
    table = r.state.tables.get(owner)
    if table is not None:
        policies = tuple(
            evolve(p, using=_maybe(rewrite, p.using), with_check=_maybe(rewrite, p.with_check))
            if p.name == name
            else p
            for p in table.policies
        )
        r.state.tables[owner] = evolve(table, policies=policies)


def _trigger(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    owner_name, name = _owner_and_name(qualname)
    if owner_name in r.state.tables or owner_name in r.state.views:
        owner = trigger_owner(r, owner_name)
        triggers = tuple(
            evolve(t, when=_maybe(rewrite, t.when)) if t.name == name else t for t in owner.triggers
        )
        set_triggers(r, owner, triggers)


def _nothing(r: Replay, qualname: str, rewrite: Rewrite) -> None:
    """Tables, sequences and enum values do not spell what they depend on."""


_REWRITERS: dict[str, Callable[[Replay, str, Rewrite], None]] = {
    "column": _column,
    "default": _column,
    "constraint": _constraint,
    "index": _index,
    "view": _view,
    "function": _function,
    "type": _type,
    "policy": _policy,
    "trigger": _trigger,
    "table": _nothing,
    "sequence": _nothing,
    "enum_value": _nothing,
}
