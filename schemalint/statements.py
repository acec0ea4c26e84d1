"""What splitting and parsing a SQL file yields: statements with exact positions.

Beside the model because both sides use it: sources produce statements, and
statement rules and the engine read them. It imports nothing of ours but the
model.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, overload

from schemalint.model import Location


@dataclass(frozen=True, slots=True)
class Comment:
    """A SQL comment, kept for suppression directives."""

    line: int
    col: int
    text: str  # without the leading -- or /* */
    own_line: bool  # nothing but white space before it on its line


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a file.

    ``kind`` is libpg_query's node name (``create_stmt``, ``index_stmt``,
    ``alter_table_stmt``, …), or ``psql`` for a psql meta-command, or
    ``error`` when the statement did not parse (``error`` then says why).
    ``node`` is the postgast protobuf message of that kind (for example a
    ``CreateStmt``), None for psql commands and errors.
    """

    path: str
    index: int
    text: str
    location: Location
    kind: str
    node: Any = field(default=None, compare=False, repr=False)
    error: str | None = None
    # the byte offset of the statement's text in the coordinates of the node's `location` fields
    offset: int = field(default=0, compare=False, repr=False)

    def location_of(self, byte_location: int, length: int = 1) -> Location:
        """The file position of a node inside this statement (a libpg_query ``location``),
        spanning ``length`` characters on its line."""
        if byte_location < 0:
            return self.location
        lines, encoded = _lines_of(self.text)
        inner = max(0, byte_location - self.offset)
        if encoded is not None:  # a byte offset: count the characters of the bytes before it
            inner = len(encoded[:inner].decode("utf-8", errors="ignore"))
        start = self.location
        line, col = lines.position(inner)
        line += start.line - 1
        col = col if line > start.line else start.col + inner
        return Location(start.path, line, col, line, col + max(1, length) - 1)


# the lines of the last statement asked about: replay asks for the position of every column of a
# CREATE TABLE in turn (counting its lines anew each time was O(n²) in the statement's length)
_last_lines: tuple[str, LineIndex | None, bytes | None] = ("", None, None)


def _lines_of(text: str) -> tuple[LineIndex, bytes | None]:
    """(text's LineIndex, its UTF-8 bytes unless it is ASCII), for the last text asked about."""
    global _last_lines
    last = _last_lines  # one read: another thread may replace it
    if last[0] is text and last[1] is not None:
        return last[1], last[2]
    lines = LineIndex(text)
    encoded = None if text.isascii() else text.encode("utf-8")
    _last_lines = (text, lines, encoded)
    return lines, encoded


class LineIndex:
    """Offset → (line, column), both 1-based, by binary search over line starts."""

    __slots__ = ("starts",)

    def __init__(self, text: str) -> None:
        # each line starts one past the end of the line before it
        lengths = map(len, text.split("\n"))
        self.starts = list(accumulate(lengths, lambda start, length: start + length + 1, initial=0))[:-1]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


class StatementStream(Sequence[Statement]):
    """The statements of a file as they are made, a run of them at a time: iterating waits only
    for the run it is at; len(), negative indexes and slices wait for them all.

    ``take()`` reads them once without keeping them, so that the parse trees of a large file are
    freed as the reader goes on (replay keeps no statement); the stream is spent after it."""

    __slots__ = ("_made", "_runs", "_spent")

    def __init__(self, runs: Iterator[list[Statement]]) -> None:
        self._made: list[Statement] = []
        self._runs: Iterator[list[Statement]] | None = runs
        self._spent = False

    def _more(self) -> bool:
        """Make the next run; False when there is none."""
        if self._spent:
            raise RuntimeError("the statements of this stream were taken: they are not kept")
        if self._runs is not None:
            for run in self._runs:
                self._made.extend(run)
                return True
            self._runs = None
        return False

    def _make(self, count: int | None) -> None:
        while (count is None or len(self._made) < count) and self._more():
            pass

    def take(self) -> Iterator[Statement]:
        """Each statement once, none kept (those made already are let go as well)."""
        made, self._made, self._spent = self._made, [], True
        runs, self._runs = self._runs, None
        yield from made
        del made[:]
        if runs is not None:
            for run in runs:
                yield from run

    def __iter__(self) -> Iterator[Statement]:
        made = self._made
        i = 0
        while True:
            while i < len(made):
                yield made[i]
                i += 1
            if not self._more():
                return

    def __len__(self) -> int:
        self._make(None)
        return len(self._made)

    @overload
    def __getitem__(self, key: int) -> Statement: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Statement, ...]: ...
    def __getitem__(self, key: int | slice) -> Statement | tuple[Statement, ...]:
        if isinstance(key, slice):
            self._make(None)
            return tuple(self._made[key])
        self._make(None if key < 0 else key + 1)
        return self._made[key]


@dataclass(frozen=True, slots=True)
class SqlFile:
    path: str
    # a tuple, or for a large file a StatementStream (parse.py) that is made as it is read
    statements: Sequence[Statement]
    comments: tuple[Comment, ...]
    text: str = field(repr=False, default="")

    def take_statements(self) -> Iterator[Statement]:
        """The statements, each once: a large file's (a StatementStream) are not kept once read,
        so that their parse trees are freed as the reader goes on; a tuple's stay."""
        statements = self.statements
        return statements.take() if isinstance(statements, StatementStream) else iter(statements)


# progress(files done, files, statements read), told every PROGRESS_EVERY statements while files are
# read: files done counts the part of the current file read so far (by lines), so that one large
# file moves as well as many small ones
Progress = Callable[[float, int, int], None]
PROGRESS_EVERY = 500


def taken_with_progress(
    file: SqlFile, done: int, total: int, read: int, progress: Progress | None
) -> Iterator[Statement]:
    """file.take_statements(), telling `progress` how far the run is: `done` of `total` files read
    before this one, with `read` statements."""
    if progress is None:
        yield from file.take_statements()
        return
    lines = max(1, file.text.count("\n") + 1)
    for count, statement in enumerate(file.take_statements()):
        if count % PROGRESS_EVERY == 0:
            progress(done + min(1.0, statement.location.line / lines), total, read + count)
        yield statement
