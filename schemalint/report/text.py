"""The text format: what a person reads in a terminal or a pre-commit hook.

File findings, sorted by file and position::

    db/migrations/V2__orders.sql:3:1 M003 column-added-with-volatile-default Adding column … rewrites …
       |
     3 | ALTER TABLE orders ADD COLUMN id uuid DEFAULT gen_random_uuid();
       | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
       = help: Add the column without a default, then backfill in batches.
       = error; see `schemalint explain M003`

Findings on a live database (no location) follow, grouped under their source
and named by object. What the run could not do (a file it could not read, a
target it could not reach) follows as ``where: error: message`` lines. A
summary line closes the report; after a run with errors, the last line says
the run failed. Colour (rich styles,
rendered to ANSI escapes once per style) only when asked for; the output is
built as plain strings, because one rich renderable per finding is too slow
for reports of tens of thousands of findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemalint.findings import Finding
from schemalint.model import Location
from schemalint.report import Report, SourceText
from schemalint.report.common import (
    counts,
    failure_phrase,
    grouped,
    plural,
    scope_phrase,
    severity_phrase,
)

MAX_SNIPPET_LINES = 4  # lines of a statement shown; longer statements end with a "…" line
MAX_LINE_CHARS = 160  # longer source lines are cut around the marked span

Paint = Callable[[str], str]


def _plain(text: str) -> str:
    return text


def _style(definition: str) -> Paint:
    from rich.color import ColorSystem  # colored output only: not on every start-up
    from rich.style import Style

    prefix, _, suffix = (
        Style.parse(definition).render("\0", color_system=ColorSystem.STANDARD).partition("\0")
    )

    def paint(text: str) -> str:
        return f"{prefix}{text}{suffix}" if text else text

    return paint


@dataclass(frozen=True, slots=True)
class Palette:
    location: Paint = _plain
    error: Paint = _plain
    warning: Paint = _plain
    info: Paint = _plain
    gutter: Paint = _plain
    marker: Paint = _plain
    help: Paint = _plain
    dim: Paint = _plain
    heading: Paint = _plain

    @classmethod
    def colored(cls) -> Palette:
        return cls(
            location=_style("bold"),
            error=_style("bold red"),
            warning=_style("bold yellow"),
            info=_style("bold cyan"),
            gutter=_style("blue"),
            marker=_style("bold red"),
            help=_style("green"),
            dim=_style("dim"),
            heading=_style("bold underline"),
        )

    def severity(self, severity: str) -> Paint:
        paint: Paint = getattr(self, severity)
        return paint


class _Sources:
    """Source lines by path, read once per file through ``source_text``."""

    def __init__(self, source_text: SourceText | None) -> None:
        self._read = source_text
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            text = self._read(path) if self._read is not None else None
            self._lines[path] = text.splitlines() if text is not None else None
        return self._lines[path]


def _clip(line: str, start: int, end: int) -> tuple[str, int, int]:
    """Cut a long line to a window around [start, end) (0-based); return it and the shifted span."""
    if len(line) <= MAX_LINE_CHARS:
        return line, start, end
    left = max(0, min(start - 20, len(line) - MAX_LINE_CHARS))
    right = left + MAX_LINE_CHARS
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(line) else ""
    shift = left - len(prefix)
    return prefix + line[left:right] + suffix, start - shift, min(end, right) - shift


def _snippet(loc: Location, lines: list[str], p: Palette, width: int) -> list[str]:
    last = min(loc.end_line, len(lines))
    shown = range(loc.line, min(last, loc.line + MAX_SNIPPET_LINES - 1) + 1)
    blank = p.gutter(" " * width + " |")
    out = [blank]
    for number in shown:
        line = lines[number - 1].replace("\t", " ")
        start = loc.col - 1 if number == loc.line else len(line) - len(line.lstrip())
        end = loc.end_col if number == loc.end_line else len(line)
        line, start, end = _clip(line, start, max(end, start + 1))
        out.append(p.gutter(f"{number:>{width}} |") + " " + line.rstrip())
        if len(shown) == 1:
            out.append(blank + " " + " " * start + p.marker("^" * max(1, end - start)))
    if last > shown[-1]:
        more = last - shown[-1]
        out.append(blank + " " + p.dim(f"… {more} more {'line' if more == 1 else 'lines'}"))
    return out


def _indented(text: str, indent: str) -> str:
    """Continuation lines of a multi-line message or help, indented under its first line."""
    return text.replace("\n", "\n" + indent)


def _finding(f: Finding, p: Palette, sources: _Sources, live: bool) -> list[str]:
    paint = p.severity(f.severity)
    where = f"{f.object or f.source or 'schema'}" if live else str(f.location)
    out = [f"{p.location(where)} {paint(f.code)} {f.slug} {_indented(f.message, '  ')}"]
    width = 1
    loc = f.location
    lines = sources.lines(loc.path) if loc is not None else None
    if loc is not None and lines is not None and loc.line <= len(lines):
        width = len(str(min(loc.end_line, len(lines), loc.line + MAX_SNIPPET_LINES - 1)))
        out.extend(_snippet(loc, lines, p, width))
    pad = " " * (width + 1)
    if f.help:
        out.append(f"{pad}{p.gutter('=')} {p.help('help:')} {_indented(f.help, pad + '        ')}")
    out.append(f"{pad}{p.gutter('=')} {paint(f.severity)}; see `schemalint explain {f.code}`")
    return out


def _summary(report: Report, p: Palette) -> list[str]:
    c = counts(report.findings)
    scope = scope_phrase(report)
    if c.total == 0 and report.failed:  # "No findings" would read as a pass
        out = [p.help(f"Nothing found in what could be read ({scope}).")]
    elif c.total == 0:
        out = [p.help(f"No findings in {scope}.")]
    else:
        worst = "error" if c.errors else "warning" if c.warnings else "info"
        total = plural(c.total, "finding")
        out = [p.severity(worst)(f"Found {total} ({severity_phrase(c)}) in {scope}.")]
    if c.suppressed:
        out.append(
            p.dim(f"{plural(c.suppressed, 'finding')} suppressed (ignore comments, config, baseline).")
        )
    if report.fixed:
        n = len(report.fixed)
        what = "entry no longer occurs" if n == 1 else "entries no longer occur"
        out.append(f"{n} baseline {what}; update the baseline with `schemalint baseline`.")
    if report.failed:
        out.append(p.error(f"{failure_phrase(report)} (listed above); the findings are incomplete."))
    return out


def _errors(report: Report, p: Palette) -> list[str]:
    out = []
    for error in report.errors:
        where = f"{p.location(error.where)}: " if error.where else ""
        out.append(f"{where}{p.error('error')}: {error.message}")
    if out:
        out.append("")
    return out


def render(report: Report, *, color: bool = False, source_text: SourceText | None = None) -> str:
    p = Palette.colored() if color else Palette()
    sources = _Sources(source_text)
    out: list[str] = []
    for label, items in grouped(f for f in report.findings if not f.suppressed):
        live = items[0].location is None
        if live:
            out.append(p.heading(label))
        for f in items:
            out.extend(_finding(f, p, sources, live))
            out.append("")
    out.extend(_errors(report, p))
    out.extend(_summary(report, p))
    return "\n".join(out) + "\n"
