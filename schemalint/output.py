"""Where a command's output goes: a report or a script to -o FILE or stdout, messages to stderr.

Shared by the use cases (app.py, drift/run.py); formatting stays in report/.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from schemalint.errors import UserError

if TYPE_CHECKING:
    from schemalint.report import Report


_CHUNK = 1 << 20  # characters encoded at a time: a 300 MB model dump is not encoded whole at once


def write(text: str | bytes, output: str | None) -> None:
    """The text (or its UTF-8 bytes) to FILE (its directory created) or to stdout, ending in a
    newline there."""
    if output:
        path = Path(output)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                if isinstance(text, bytes):
                    handle.write(text)
                else:
                    for start in range(0, len(text), _CHUNK):
                        handle.write(text[start : start + _CHUNK].encode("utf-8"))
        except OSError as error:
            raise UserError(f"{output}: cannot write: {error.strerror}") from None
        return
    binary = getattr(sys.stdout, "buffer", None)
    if isinstance(text, bytes) and binary is not None:
        sys.stdout.flush()
        binary.write(text if text.endswith(b"\n") or not text else text + b"\n")
        binary.flush()
        return
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    for start in range(0, len(text), _CHUNK):
        sys.stdout.write(text[start : start + _CHUNK])
    if text and not text.endswith("\n"):
        sys.stdout.write("\n")


class Update(Protocol):
    """How far a step is: `done` (fractional while a part is under way) of `total`, and what to
    say beside it (by default the CLI shows done/total)."""

    def __call__(self, done: float, total: int, detail: str = "") -> None: ...


# progress(description) → a context manager yielding an Update; the CLI makes one that draws a bar
# on a terminal, or one that does nothing
Progress = Callable[[str], AbstractContextManager[Update]]


def _nothing(done: float, total: int, detail: str = "") -> None:
    pass


def no_progress(description: str) -> AbstractContextManager[Update]:
    return nullcontext(_nothing)


def reading(update: Update) -> Callable[[float, int, int], None]:
    """What the reading of files tells (files done, files, statements read: statements.Progress)
    as `update` shows it."""
    return lambda done, total, read: update(done, total, f"{int(done)}/{total} files, {read:,} statements")


@contextmanager
def loading(progress: Progress, kind: str) -> Iterator[Callable[[float, int, int], None] | None]:
    """What load() tells of its progress for a source of `kind`, shown as `progress` shows it: a
    database's catalog queries, or files and statements replayed (a model dump: nothing to show)."""
    if kind == "dump":
        yield None
    elif kind == "database":
        with progress("reading the catalog") as update:
            yield lambda done, total, read: update(done, total)
    else:
        with progress("replaying migrations") as update:
            yield reading(update)


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
    if fmt == "json":  # the largest reports: written as the bytes they are made as, not a text copy
        from schemalint.report.json_format import encode

        write(encode(report), output)
    else:
        write(render(fmt, report, color=_color(output), source_text=_source_text), output)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary_path:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(github_step_summary(report))
