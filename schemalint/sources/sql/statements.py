"""What splitting and parsing a SQL file yields: statements with exact positions."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
        text = self.text
        starts, encoded = _lines_of(text)
        inner = max(0, byte_location - self.offset)
        if encoded is not None:  # a byte offset: count the characters of the bytes before it
            inner = len(encoded[:inner].decode("utf-8", errors="ignore"))
        start = self.location
        newlines = bisect_right(starts, inner) - 1
        line = start.line + newlines
        col = inner - starts[newlines] + 1 if newlines else start.col + inner
        return Location(start.path, line, col, line, col + max(1, length) - 1)


# the line starts of the last statement asked about: replay asks for the position of every column
# of a CREATE TABLE in turn (counting its lines anew each time was O(n²) in the statement's length)
_last_lines: tuple[str, list[int], bytes | None] = ("", [0], None)


def _lines_of(text: str) -> tuple[list[int], bytes | None]:
    """(the offsets where text's lines start, its UTF-8 bytes unless it is ASCII), for the last
    text asked about."""
    global _last_lines
    last = _last_lines  # one read: another thread may replace it
    if last[0] is text:
        return last[1], last[2]
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    encoded = None if text.isascii() else text.encode("utf-8")
    _last_lines = (text, starts, encoded)
    return starts, encoded


@dataclass(frozen=True, slots=True)
class SqlFile:
    path: str
    # a tuple, or for a large file a StatementStream (parse.py) that is made as it is read
    statements: Sequence[Statement]
    comments: tuple[Comment, ...]
    text: str = field(repr=False, default="")
