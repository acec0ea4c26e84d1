"""The parse adapter: the one module that talks to libpg_query (postgast).

A file is split into statements (split.py), then parsed in one call to
libpg_query; the parse tree's statements are matched back to the split
statements by byte offset. If the whole file does not parse, each statement
is parsed on its own, so that one syntax error is reported at its position
and the rest of the file goes on.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import postgast

from schemalint.errors import SourceError
from schemalint.model import Location
from schemalint.sources.sql.split import Chunk, LineIndex, split_text, to_comments
from schemalint.sources.sql.statements import SqlFile, Statement

MAX_FILE_BYTES = 512 * 1024 * 1024
_T = TypeVar("_T")


def read_sql_file(path: Path) -> SqlFile:
    """Read and parse one SQL file; a one-line SourceError when it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, expected a .sql file") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"{path}: {len(data)} bytes is larger than the {MAX_FILE_BYTES} byte limit")
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise SourceError(f"{path}:{line}: binary file (NUL byte), expected SQL text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from None
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    if "+goose" in text or "+migrate" in text:
        text = without_down_sections(text)
    return parse_sql(text, str(path))


def without_down_sections(text: str) -> str:
    """Blank goose/sql-migrate ``-- +goose Down`` sections, keeping line numbers."""
    out = []
    down = False
    for line in text.split("\n"):
        marker = line.strip().lower()
        if marker.startswith(("-- +goose down", "-- +migrate down")):
            down = True
        elif marker.startswith(("-- +goose up", "-- +migrate up")):
            down = False
        out.append("" if down else line)
    return "\n".join(out)


# a file this large is parsed on two more threads, one half each, while this one splits it and works
# out positions: libpg_query runs without the GIL, so its 0.25 s on GitLab's 2.7 MB schema is spread
# over the cores and mostly hidden behind the splitter
_PARSE_ON_THREAD_BYTES = 256 * 1024


def parse_sql(text: str, path: str) -> SqlFile:
    # the file as written parses as is unless it holds psql lines, COPY data or a broken statement;
    # it is cut at the first ";" + newline after its middle, which the splitter must then confirm
    # lies between two statements
    halves: list[tuple[int, Callable[[], Any]]] = []
    if len(text) >= _PARSE_ON_THREAD_BYTES:
        cut = text.find(";\n", len(text) // 2) + 2
        cut = cut if cut > 1 else len(text)
        halves = [(0, _in_background(_tree, text[:cut])), (cut, _in_background(_tree, text[cut:]))]
    chunks, raw_comments = split_text(text)
    sql_chunks = [c for c in chunks if c.kind == "sql" and c.problem is None]
    lines = LineIndex(text)
    locations = [_location(path, lines, chunk) for chunk in chunks]
    parsed = _match_halves(text, sql_chunks, halves) if len(sql_chunks) == len(chunks) else None
    if parsed is None:
        parsed = _parse_together(text, sql_chunks)
    statements: list[Statement] = []
    for index, (chunk, location) in enumerate(zip(chunks, locations, strict=True)):
        body = text[chunk.start : chunk.end]
        if chunk.kind == "psql":
            statements.append(Statement(path, index, body, location, "psql"))
            continue
        if chunk.problem is not None:
            statements.append(Statement(path, index, body, location, "error", error=_problem(chunk, lines)))
            continue
        found = parsed.get(chunk.start) if parsed is not None else None
        if found is None:
            statements.append(_parse_one(path, index, body, location, lines, chunk.start))
            continue
        node, offset = found
        kind = node.WhichOneof("node")
        statements.append(Statement(path, index, body, location, kind, getattr(node, kind), offset=offset))
    return SqlFile(path, tuple(statements), to_comments(text, raw_comments, lines), text)


def _in_background(job: Callable[..., _T], *args: Any) -> Callable[[], _T]:
    """Start job(*args) on a thread of its own; the returned call waits for its result."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(job, *args)
    pool.shutdown(wait=False)
    return future.result


def _problem(chunk: Chunk, lines: LineIndex) -> str:
    problem = chunk.problem or "cannot split"
    head, sep, tail = problem.rpartition(" starting at offset ")
    if sep:
        line, col = lines.position(int(tail))
        return f"{head} starting at line {line}, column {col}"
    return problem


def _location(path: str, lines: LineIndex, chunk: Chunk) -> Location:
    line, col = lines.position(chunk.start)
    last = max(chunk.start, chunk.end - 1)
    end_line, end_col = lines.position(last)
    return Location(path, line, col, end_line, end_col)


def _parse_together(text: str, chunks: list[Chunk]) -> dict[int, tuple[Any, int]] | None:
    """Parse all statements in one call; map start offset → statement node, or None."""
    if not chunks:
        return {}
    # the SQL statements at their own offsets, everything between them blanked (lines kept); a
    # statement without its semicolon gets one in place of the first character that follows it
    pieces = [" " * chunks[0].start]
    previous_end = chunks[0].start
    owed = False
    for chunk in chunks:
        gap = text[previous_end : chunk.start]
        if gap.strip():
            gap = "".join("\n" if ch == "\n" else " " for ch in gap)
        if owed and gap:
            gap = ";" + gap[1:]
        pieces.append(gap)
        body = text[chunk.start : chunk.end]
        pieces.append(body)
        owed = not body.rstrip().endswith(";")
        previous_end = chunk.end
    source = "".join(pieces)
    tree = _tree(source)
    return None if tree is None else _match(tree, source, chunks)


def _tree(source: str) -> Any:
    """libpg_query's parse of the whole source, or None when any of it does not parse."""
    try:
        return postgast.parse(source)
    except Exception:
        return None


def _match_halves(
    text: str, chunks: list[Chunk], halves: list[tuple[int, Callable[[], Any]]]
) -> dict[int, tuple[Any, int]] | None:
    """The statements of the parsed pieces of text (each: where it starts, its parse), or None
    when a piece did not parse or its cut is not between two statements."""
    if not halves:
        return None
    bounds = [start for start, _ in halves] + [len(text)]
    result: dict[int, tuple[Any, int]] = {}
    for (start, parse), end in zip(halves, bounds[1:], strict=True):
        tree = parse()
        inside = [c for c in chunks if start <= c.start < end]
        if tree is None or any(c.end > end for c in inside):
            return None
        found = _match(tree, text[start:end], inside, base=start)
        if found is None:
            return None
        result.update(found)
    return result if len(result) == len(chunks) else None


def _match(tree: Any, source: str, chunks: list[Chunk], base: int = 0) -> dict[int, tuple[Any, int]] | None:
    """Start offset of each chunk → (its statement node, its byte offset in source); None unless
    the tree holds exactly one statement per chunk. `base` is where source starts in the file."""
    starts = [c.start - base for c in chunks]
    byte_starts = starts if source.isascii() else _byte_offsets(source, starts)
    result: dict[int, tuple[Any, int]] = {}
    for raw in tree.stmts:
        i = bisect_right(byte_starts, raw.stmt_location) - 1
        if i < 0 or starts[i] + base in result:
            return None
        result[starts[i] + base] = (raw.stmt, byte_starts[i])
    if len(result) != len(chunks):
        return None
    return result


def _byte_offsets(text: str, offsets: list[int]) -> list[int]:
    out = []
    previous, total = 0, 0
    for offset in offsets:
        total += len(text[previous:offset].encode("utf-8"))
        out.append(total)
        previous = offset
    return out


def _parse_one(
    path: str, index: int, body: str, location: Location, lines: LineIndex, start: int
) -> Statement:
    try:
        tree = postgast.parse(body)
    except postgast.PgQueryError as error:
        cursor = max(0, (error.cursorpos or 1) - 1)
        offset = start + len(body.encode("utf-8")[:cursor].decode("utf-8", errors="ignore"))
        line, col = lines.position(offset)
        return Statement(
            path, index, body, location, "error", error=f"{error.message} at line {line}, column {col}"
        )
    if len(tree.stmts) != 1:
        return Statement(path, index, body, location, "error", error="expected one statement")
    node = tree.stmts[0].stmt
    kind = node.WhichOneof("node")
    if kind is None:
        return Statement(path, index, body, location, "error", error="empty statement")
    return Statement(path, index, body, location, kind, getattr(node, kind))
