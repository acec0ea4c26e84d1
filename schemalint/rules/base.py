"""The rule base: what a rule is, what it is given, what it yields.

Two kinds of rule, one finding type:

- ModelRule.check(model, ctx) looks at the objects of a whole model (naming,
  standard columns, types, keys, RLS). It runs the same on a model replayed
  from migrations and on a model introspected from a live database.
- StatementRule.check(statement, state, ctx) looks at one parsed statement
  and the model state just before it (migration safety).

A rule's code, slug, severity, tags and options are class attributes; its
docstring (## Why, ## Bad, ## Good, optional ## Options and ## Notes) is its
documentation, printed by `schemalint explain` and executed by the tests.
Rules are pure: no I/O, no printing, no psycopg, no rich.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from schemalint.findings import Finding, RuleInfo, Severity
from schemalint.model import Location, Model
from schemalint.statements import Statement

__all__ = [
    "Finding",
    "Location",
    "Model",
    "ModelRule",
    "Option",
    "Rule",
    "RuleContext",
    "Statement",
    "StatementContext",
    "StatementRule",
]


@dataclass(frozen=True, slots=True)
class Option:
    """A rule option: its name, type and default, checked when packs load."""

    name: str
    type: type  # str, int, bool, list (of str), dict (str -> Any)
    default: Any
    description: str


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a model rule may know beyond the model.

    ``origin(qualname)`` is where the object was created or last changed
    (None for live databases); the engine uses it for locations, rules may too.
    """

    origin: Callable[[str], Location | None] = lambda _qualname: None
    live: bool = False  # True when the model was introspected from a database
    now: datetime | None = None  # the moment a live check is made (the engine's clock; None: the rule's)


@dataclass(frozen=True, slots=True)
class StatementContext:
    """What a statement rule may know about the file around the statement.

    Rules read the file's state through ``astutil.statement_file(ctx)``, which works for this
    context built by hand (from ``previous``) and for the engine's FileContext (kept up to date
    as the file is read, these fields left at their defaults)."""

    path: str
    # qualnames (schema.table) of tables created earlier in the same file
    created_in_file: frozenset[str] = frozenset()
    lock_timeout_set: bool = False  # a SET lock_timeout came earlier in the file
    in_transaction: bool = False  # inside an explicit BEGIN … COMMIT
    target_postgres: int = 15
    previous: tuple[Statement, ...] = field(default=(), repr=False)  # earlier statements of the file


class Rule:
    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]
    tags: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        values = {option.name: option.default for option in self.options}
        values.update(options or {})
        self.opts: Mapping[str, Any] = values

    @classmethod
    def info(cls) -> RuleInfo:
        doc = inspect.cleandoc(cls.__doc__ or "")
        summary = doc.splitlines()[0] if doc else cls.slug
        return RuleInfo(cls.code, cls.slug, cls.severity, summary, doc, cls.tags)

    def finding(
        self,
        message: str,
        *,
        object: str | None = None,
        location: Location | None = None,
        help: str | None = None,
        fact: str = "",
        aspect: str = "",
    ) -> Finding:
        return Finding(
            code=self.code,
            slug=self.slug,
            severity=self.severity,
            message=message,
            help=help,
            location=location,
            object=object,
            fact=fact,
            aspect=aspect,
        )


class ModelRule(Rule):
    """A rule on the whole model. When some files of a directory are linted (pre-commit),
    ``model.tables`` iterates only the tables those files created or changed, the only ones whose
    findings are shown; any table can still be looked up by qualname. A rule judges each table on
    its own and what it references, so this changes none of the findings shown."""

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError


class StatementRule(Rule):
    # the statement kinds (libpg_query node names) the rule reads; None: every statement. The engine
    # calls check only with statements of these kinds, so check need not test the kind again.
    kinds: ClassVar[frozenset[str] | None] = None
    # True when the rule also judges the file as a whole once its last statement was read
    # (end_of_file); the engine calls end_of_file only for those rules
    at_end: ClassVar[bool] = False

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        raise NotImplementedError

    def end_of_file(self, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        """Findings about the whole file (a transaction left open), located by the rule."""
        return iter(())
