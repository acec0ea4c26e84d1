"""Where a command's output goes: a report or a script to -o FILE or stdout, messages to stderr.

Shared by the use cases (app.py, drift/run.py); formatting stays in report/.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from schemalint.errors import UserError

if TYPE_CHECKING:
    from schemalint.report import Report


def write(text: str, output: str | None) -> None:
    """The text to FILE (its directory created) or to stdout, ending in a newline."""
    if output:
        path = Path(output)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UserError(f"{output}: cannot write: {error.strerror}") from None
    else:
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")


def warn(message: str) -> None:
    print(f"schemalint: {message}", file=sys.stderr)


def _color(output: str | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _source_text(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def publish(report: Report, fmt: str | None, output: str | None) -> None:
    """The report in FMT to OUTPUT or stdout, and GitHub's step summary for --format github."""
    from schemalint.report import github_step_summary, render

    fmt = fmt or "text"
    write(render(fmt, report, color=_color(output), source_text=_source_text), output)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary_path:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(github_step_summary(report))
