"""The markdown format: a pull/merge request comment body, and GitHub's job summary.

A summary table by severity, then the findings grouped by file (live
findings by source, named by object). GitHub refuses comments of 65,536
characters or more, so the body is capped below that: findings that do not
fit are counted in an explicit "N more findings not shown" line.

A run with errors (a file it could not read, a target it could not reach)
is titled as failed and opens with a CAUTION banner that lists them (the
first MAX_ERRORS_SHOWN, then a count): the findings below it are incomplete.
"""

from __future__ import annotations

from schemalint.findings import Finding
from schemalint.report import Report
from schemalint.report.common import (
    PLURAL,
    counts,
    failure_phrase,
    grouped,
    plural,
    scope_phrase,
    severity_phrase,
)

MAX_CHARS = 65_536
MAX_ERRORS_SHOWN = 50
_RESERVE = 600  # room kept for the closing lines


def _cell(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _row(f: Finding) -> str:
    where = f"{f.location.line}:{f.location.col}" if f.location else _cell(f.object or "")
    message = _cell(f.message)
    if f.help:
        message += f"<br>**help:** {_cell(f.help)}"
    return f"| {where} | {f.severity} | `{f.code}` {f.slug} | {message} |\n"


def _header(label: str, live: bool) -> str:
    first = "object" if live else "line"
    return f"\n### `{_cell(label)}`\n\n| {first} | severity | rule | message |\n|---|---|---|---|\n"


def _banner(report: Report) -> str:
    """A GitHub alert (a plain quote elsewhere) that says the run failed and lists why."""
    lines = [
        "> [!CAUTION]",
        "> **The run failed.** These could not be checked, so the findings below are incomplete:",
        ">",
    ]
    for error in report.errors[:MAX_ERRORS_SHOWN]:
        where = f"`{_cell(error.where)}`: " if error.where else ""
        lines.append(f"> - {where}{_cell(error.message)}")
    hidden = len(report.errors) - MAX_ERRORS_SHOWN
    if hidden > 0:
        lines.append(f"> - … and {plural(hidden, 'more run error')} (see the full report)")
    return "\n".join(lines) + "\n\n"


def render(report: Report, *, limit: int = MAX_CHARS) -> str:
    c = counts(report.findings)
    title = "no findings" if c.total == 0 else severity_phrase(c)
    if report.failed:
        parts = [f"## {failure_phrase(report)}\n\n", _banner(report)]
    else:
        parts = [f"## schemalint {report.command}: {title}\n\n"]
    notes = [f"Checked {scope_phrase(report)}."]
    if c.suppressed:
        notes.append(f"{plural(c.suppressed, 'finding')} suppressed (ignore comments, config, baseline).")
    if report.fixed:
        n = len(report.fixed)
        notes.append(
            f"{n} baseline {'entry no longer occurs' if n == 1 else 'entries no longer occur'}: "
            "update the baseline with `schemalint baseline`."
        )
    parts.append(" ".join(notes) + "\n")
    if c.total:
        parts.append("\n| severity | findings |\n|---|---:|\n")
        for severity, n in (("error", c.errors), ("warning", c.warnings), ("info", c.infos)):
            parts.append(f"| {PLURAL[severity]} | {n} |\n")
    size = sum(len(p) for p in parts)
    budget = limit - _RESERVE
    shown = 0
    for label, items in grouped(f for f in report.findings if not f.suppressed):
        header = _header(label, items[0].location is None)
        if size + len(header) > budget:
            break
        rows = []
        for f in items:
            row = _row(f)
            if size + len(header) + len(row) > budget:
                break
            rows.append(row)
            size += len(row)
        if not rows:
            break
        parts.append(header)
        parts.extend(rows)
        size += len(header)
        shown += len(rows)
        if len(rows) < len(items):
            break
    hidden = c.total - shown
    if hidden:
        parts.append(
            f"\n**{hidden} more {'finding' if hidden == 1 else 'findings'} not shown** "
            "(this comment is kept under 65,536 characters); see the full report in the CI artifacts "
            "or run `schemalint lint` locally.\n"
        )
    return "".join(parts)
