"""What splitting and parsing a SQL file yields: statements with exact positions."""

from __future__ import annotations

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
        inner = max(0, byte_location - self.offset)
        if not text.isascii():  # a byte offset: count the characters of the bytes before it
            inner = len(text.encode("utf-8")[:inner].decode("utf-8", errors="ignore"))
        start = self.location
        newlines = text.count("\n", 0, inner)
        line = start.line + newlines
        col = inner - text.rfind("\n", 0, inner) if newlines else start.col + inner
        return Location(start.path, line, col, line, col + max(1, length) - 1)


@dataclass(frozen=True, slots=True)
class SqlFile:
    path: str
    # a tuple, or for a large file a StatementStream (parse.py) that is made as it is read
    statements: Sequence[Statement]
    comments: tuple[Comment, ...]
    text: str = field(repr=False, default="")
