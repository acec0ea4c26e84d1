"""The one finding type that rules, replay and drift produce and reporters print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from schemalint.errors import SourceError, UserError
from schemalint.model import Location, evolve

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 1, "warning": 2, "error": 3}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a rule (or replay, or drift) says about one object or statement.

    ``object`` is the qualified name of what the finding is about
    (``public.orders.amount``); ``location`` is where it was written, None for
    findings on a live database. ``fact`` is what tells two findings of one rule
    on one object apart (the index of a table, a column's new type), '' when the
    object alone does. ``fingerprint`` hashes rule, object and fact, never the
    statement text or a line (the engine fills it; see engine.fingerprint). ``aspect`` is
    the fact of the object the finding is about (``type``, ``not_null``, ``default``, ``name``,
    ``rls_enabled``), '' for its existence or absence: the engine locates a finding that has no
    location where that fact was established (the ALTER COLUMN … TYPE, the RENAME), else where
    the object was declared (the column line), else where its parent was (the CREATE TABLE).
    """

    code: str
    slug: str
    severity: Severity
    message: str
    help: str | None = None
    location: Location | None = None
    object: str | None = None
    fingerprint: str = ""
    suppressed: bool = False
    source: str | None = None  # the source the finding came from: a path or a masked DSN
    fact: str = ""
    aspect: str = ""

    def with_(self, **changes: Any) -> Finding:
        return evolve(self, **changes)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (
            loc.path if loc else (self.source or ""),
            loc.line if loc else 0,
            loc.col if loc else 0,
            self.code,
            self.object or "",
        )


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reporters need to know of a rule (SARIF rules, docs links)."""

    code: str
    slug: str
    severity: Severity
    summary: str  # one line
    description: str = ""  # the docstring's full text (markdown)
    tags: tuple[str, ...] = ()

    @property
    def help_uri(self) -> str:
        return f"https://github.com/schemalint/schemalint/blob/main/docs/rules.md#{self.code.lower()}"


@dataclass(frozen=True, slots=True)
class RunError:
    """Something a run could not do: a file it could not read, a target it could not reach.

    A run with errors failed, whatever its findings say; every report format states it.
    ``path`` (and ``line``) place the error in a file; otherwise ``target`` names what
    could not be read (a label such as a masked DSN, never a raw DSN). ``message`` is one
    line and does not repeat the path.
    """

    message: str
    path: str | None = None
    line: int | None = None
    target: str | None = None

    @classmethod
    def of(cls, error: UserError, *, target: str | None = None) -> RunError:
        """The error a UserError stands for; ``target`` names the source when the error has no path."""
        if isinstance(error, SourceError) and error.path is not None:
            return cls(error.detail, path=error.path, line=error.line)
        return cls(str(error), target=target)

    @property
    def where(self) -> str | None:
        """``path:line``, ``path`` or the target label; None for an error of the whole run."""
        if self.path is not None:
            return self.path if self.line is None else f"{self.path}:{self.line}"
        return self.target

    def __str__(self) -> str:
        """The line a person reads on stderr: ``path:line: message``, else the message (which,
        as every SourceError about a DSN does, names its target already)."""
        return f"{self.where}: {self.message}" if self.path is not None else self.message
