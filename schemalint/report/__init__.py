"""Reporters: one module per output format, and the exit-code policy.

``render(fmt, report)`` returns the whole output as a string; the CLI writes
it to stdout or ``-o FILE``. Format modules are imported only when used, so
that the pre-commit path (text) never imports the machine formats and the
machine formats never import rich.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from schemalint.findings import SEVERITY_RANK, Finding, RuleInfo, RunError

if TYPE_CHECKING:  # a baseline is read only when one is given
    from schemalint.baseline import BaselineEntry

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit", "github", "gitlab", "markdown")
FAIL_ON: tuple[str, ...] = ("error", "warning", "info", "never")

# format name -> module under schemalint.report (module names never shadow the standard library)
_MODULES: dict[str, str] = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "gitlab": "gitlab",
    "markdown": "markdown",
}

SourceText = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a reporter prints: the findings and what was looked at.

    ``findings`` include suppressed ones (SARIF shows them as suppressed, the
    other formats count them); ``fixed`` are baseline entries that no longer
    occur; ``sources`` are the labels of what was read (paths, masked DSNs).
    ``errors`` are what the run could not do (an unreadable file, an
    unreachable target): a report with errors is a failed run, and every
    format says so in its own way, whatever the findings are.
    """

    findings: Sequence[Finding]
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    tool_version: str = ""
    files: int = 0
    statements: int = 0
    objects: int = 0
    sources: Sequence[str] = ()
    fixed: Sequence[BaselineEntry] = ()
    command: Literal["lint", "drift"] = "lint"
    errors: Sequence[RunError] = ()
    fail_on: str | None = None  # the severity the run fails at, when known (json reports it)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


def render(
    fmt: str,
    report: Report,
    *,
    color: bool = False,
    source_text: SourceText | None = None,
) -> str:
    """The report in format ``fmt`` (one of FORMATS); ValueError for an unknown format.

    ``color`` applies to ``text`` only; ``source_text(path)`` returns a file's
    text for the source snippets of ``text`` (None when unreadable).
    """
    module_name = _MODULES.get(fmt)
    if module_name is None:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"schemalint.report.{module_name}")
    if fmt == "text":
        rendered: str = module.render(report, color=color, source_text=source_text)
    else:
        rendered = module.render(report)
    return rendered


def github_step_summary(report: Report) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY`` (the CLI appends it when the variable is set)."""
    from schemalint.report.github import step_summary

    return step_summary(report)


def render_rules(rules: Mapping[str, RuleInfo] | Iterable[RuleInfo]) -> str:
    """The table ``schemalint rules`` prints: code, slug, severity, summary."""
    from schemalint.report.rules_doc import rules_table

    return rules_table(rules.values() if isinstance(rules, Mapping) else rules)


def render_explain(info: RuleInfo) -> str:
    """What ``schemalint explain CODE`` prints: the rule's heading and its documentation."""
    from schemalint.report.rules_doc import explain

    return explain(info)


def exit_code(findings: Iterable[Finding], fail_on: str) -> int:
    """0 when no unsuppressed finding is at or above ``fail_on``, else 1 (2 is the app's, for run errors)."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"unknown --fail-on level {fail_on!r}; expected one of {', '.join(FAIL_ON)}")
    if fail_on == "never":
        return 0
    threshold = SEVERITY_RANK[fail_on]
    failing = any(not f.suppressed and SEVERITY_RANK[f.severity] >= threshold for f in findings)
    return 1 if failing else 0
