"""The github format: workflow commands that GitHub Actions shows as annotations.

``::error file=F,line=L,col=C,endLine=…,endColumn=…,title=CODE slug::message``
(``warning`` and ``notice`` by severity). Escaping follows GitHub's runner:
in the message ``%``, CR and LF are percent-encoded; in properties ``:`` and
``,`` are too. Live-database findings have no file; their title names the
object. Suppressed findings are not annotated. What the run could not do
(a file it could not read, a target it could not reach) comes first, as
``::error file=F,line=L,title=schemalint error::message`` (a target has no
file; its title names it). ``step_summary`` is the markdown the
CLI writes to ``$GITHUB_STEP_SUMMARY``; it opens with the failure too.
"""

from __future__ import annotations

from schemalint.findings import Finding, RunError
from schemalint.report import Report
from schemalint.report.markdown import render as render_markdown

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
# GitHub keeps job summaries up to 1 MiB; one report stays well below that.
STEP_SUMMARY_CHARS = 500_000


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props: list[tuple[str, str]] = []
    title = f"{f.code} {f.slug}"
    if f.location is not None:
        loc = f.location
        props += [("file", loc.path), ("line", str(loc.line)), ("col", str(loc.col))]
        props += [("endLine", str(loc.end_line)), ("endColumn", str(loc.end_col))]
    elif f.object:
        title += f" ({f.object})"
    props.append(("title", title))
    message = f.message if not f.help else f"{f.message}\nhelp: {f.help}"
    prop_text = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[f.severity]} {prop_text}::{escape_data(message)}"


def error_annotation(error: RunError) -> str:
    props: list[tuple[str, str]] = []
    title = "schemalint error"
    if error.path is not None:
        props.append(("file", error.path))
        if error.line is not None:
            props.append(("line", str(error.line)))
    elif error.target is not None:
        title += f" ({error.target})"
    props.append(("title", title))
    prop_text = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::error {prop_text}::{escape_data(error.message)}"


def render(report: Report) -> str:
    lines = [error_annotation(e) for e in report.errors]
    lines += [
        annotation(f)
        for f in sorted(report.findings, key=lambda f: (f.location is None, f.sort_key))
        if not f.suppressed
    ]
    return "".join(line + "\n" for line in lines)


def step_summary(report: Report) -> str:
    return render_markdown(report, limit=STEP_SUMMARY_CHARS)
