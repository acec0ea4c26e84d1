"""The parse adapter: where sources hand SQL text to libpg_query (postgast) to parse.

A file is split into statements (split.py), then parsed in one call to
libpg_query; the parse tree's statements are matched back to the split
statements by byte offset. If the whole file does not parse, each statement
is parsed on its own, so that one syntax error is reported at its position
and the rest of the file goes on.

A large file that holds nothing but SQL statements takes a faster road: it is
parsed piece by piece on another thread while its statements are read, and
libpg_query's own statement bounds are the statements (StatementStream).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import postgast

from schemalint.errors import SourceError
from schemalint.model import Location
from schemalint.sources.sql.split import Chunk, block_comment_end, split_text, to_comments
from schemalint.statements import LineIndex, SqlFile, Statement, StatementStream

MAX_FILE_BYTES = 512 * 1024 * 1024
_T = TypeVar("_T")


def read_sql_file(path: Path) -> SqlFile:
    """Read and parse one SQL file; a one-line SourceError when it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise SourceError("is a directory, expected a .sql file", path=str(path)) from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror}", path=str(path)) from None
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"{len(data)} bytes is larger than the {MAX_FILE_BYTES} byte limit", path=str(path))
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise SourceError("binary file (NUL byte), expected SQL text", path=str(path), line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(
            f"not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8", path=str(path), line=line
        ) from None
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    if "+goose" in text or "+migrate" in text or "migrate:down" in text:
        text = without_down_sections(text)
    return parse_sql(text, str(path))


def without_down_sections(text: str) -> str:
    """Blank the down sections of goose, sql-migrate and dbmate files (``-- +goose Down``,
    ``-- +migrate Down``, ``-- migrate:down``), keeping line numbers."""
    out = []
    down = False
    for line in text.split("\n"):
        marker = line.strip().lower()
        if marker.startswith(("-- +goose down", "-- +migrate down", "-- migrate:down")):
            down = True
        elif marker.startswith(("-- +goose up", "-- +migrate up", "-- migrate:up")):
            down = False
        out.append("" if down else line)
    return "\n".join(out)


# libpg_query runs without the GIL, so a file this large is parsed on other threads. One whose
# statements all parse is read while it is parsed: another thread parses the file piece by piece, in
# order, while this one turns the pieces already parsed into statements and the caller replays them
# (GitLab's 2.7 MB schema: 0.3 s of parsing hidden behind the replay). libpg_query's own statement
# bounds are then the statements, found as the splitter finds them (tests/test_parse_stream.py); a
# file with psql lines, COPY data or suppression comments, or whose piece does not parse, is read by
# the splitter (from that piece on), with the file parsed in two halves meanwhile
_LARGE_BYTES = 256 * 1024
_FIRST_PIECE = 32 * 1024  # small, so that the caller starts soon
_PIECE = 256 * 1024
_AHEAD = 2  # pieces parsed before they are read


def parse_sql(text: str, path: str) -> SqlFile:
    if len(text) >= _LARGE_BYTES and _streamable(text):
        return SqlFile(path, StatementStream(_streamed(text, path, _FIRST_PIECE, _PIECE)), (), text)
    return _parse_split(text, path)


def _streamable(text: str) -> bool:
    """Whether libpg_query's statements are all the file holds: no psql meta-command lines, no COPY
    data, no comment the suppressions read (a slip here costs time, not results: such a file does
    not parse, and its statements are then taken from the splitter)."""
    return "schemalint" not in text and "stdin" not in text.lower() and not _has_psql_line(text)


def _has_psql_line(text: str) -> bool:
    """Whether a line starts with a backslash (after blanks): a psql meta-command, or COPY's end."""
    at = text.find("\\")
    while at >= 0:
        if not text[text.rfind("\n", 0, at) + 1 : at].strip(" \t"):
            return True
        at = text.find("\\", at + 1)
    return False


def _streamed(text: str, path: str, first: int, size: int) -> Iterator[list[Statement]]:
    from concurrent.futures import Future, ThreadPoolExecutor  # large files only: not on every start-up

    bounds = _pieces(text, first, size)
    pool = ThreadPoolExecutor(max_workers=1)
    # the parse thread keeps _AHEAD pieces ahead of the reader, no more: a tree it made long before
    # it is read would be kept until then (a 50 MB file's trees take gigabytes)
    ahead: deque[Future[Any]] = deque()

    def parse_ahead(upto: int) -> None:
        for start, end in bounds[len(ahead) + done : upto]:
            ahead.append(pool.submit(_tree, text[start:end]))

    lines = LineIndex(text)
    made = done = 0
    try:
        start = 0
        for piece_start, end in bounds:
            parse_ahead(done + 1 + _AHEAD)
            tree = ahead.popleft()
            done += 1
            # a piece that does not parse may have been cut inside a string or a body: it is parsed
            # again together with the next piece; when that does not parse either, the statement
            # that does not parse is most likely just that, and the splitter takes over
            parsed = tree.result() if start == piece_start else _tree(text[start:end])
            piece = None if parsed is None else _piece_statements(parsed, text, start, end, path, made, lines)
            del tree, parsed
            if piece is None:
                if start != piece_start:
                    break
                continue
            made += len(piece)
            start = end
            yield piece
        if start == len(text):
            return
    finally:
        for pending in ahead:
            pending.cancel()
        pool.shutdown(wait=False)
    # the rest of the file does not parse: the splitter finds its statements, and since the pieces
    # before it end between statements, the splitter's statements of the file begin with those made
    yield list(_parse_split(text, path).statements[made:])


# a cut: a ";" that ends a line, then a blank line, then a line that starts with a letter or a
# comment: between statements, as pg_dump and people write them (a function body has lines such as
# "END;" at its left edge, but seldom after a blank line)
_CUT = re.compile(r";[ \t]*\n(?:[ \t]*\n)+(?=[A-Za-z]|--)")


def _pieces(text: str, first: int, size: int) -> list[tuple[int, int]]:
    """text cut into pieces at a _CUT, the first about `first` long, the others about `size`."""
    bounds = []
    start, target = 0, first
    while start < len(text):
        cut = _CUT.search(text, start + target) if start + target < len(text) else None
        end = cut.end() if cut is not None else len(text)
        bounds.append((start, end))
        start, target = end, size
    return bounds


_BLANK = re.compile(r"(?:\s+|--[^\n]*)+")
_BLANK_OR_SEMICOLON = re.compile(r"(?:\s+|--[^\n]*|;)+")


def _skip(blank: re.Pattern[str], text: str, pos: int, end: int) -> int:
    """The first offset from pos that is not blank: white space, comments (and for
    _BLANK_OR_SEMICOLON, the empty statements that the splitter passes over too)."""
    while True:
        match = blank.match(text, pos, end)
        if match is not None:
            pos = match.end()
        if not text.startswith("/*", pos, end):
            return pos
        pos = block_comment_end(text, pos)
        if pos < 0 or pos > end:
            return end


def _piece_statements(
    tree: Any, text: str, start: int, end: int, path: str, index: int, lines: LineIndex
) -> list[Statement] | None:
    """The statements of one parsed piece of text, bounded as the splitter bounds them: from their
    first character past comments to their semicolon; None when the tree does not fit the text."""
    piece = text[start:end]
    ascii_piece = piece.isascii()
    encoded = b"" if ascii_piece else piece.encode("utf-8")
    decoded = [0, start]  # a byte offset in the piece and its character offset in text, moving on

    def char_at(byte: int) -> int:  # for increasing byte offsets
        if ascii_piece:
            return start + byte
        decoded[1] += len(encoded[decoded[0] : byte].decode("utf-8", errors="replace"))
        decoded[0] = byte
        return decoded[1]

    out: list[Statement] = []
    previous = start
    for raw in tree.stmts:
        node = raw.stmt
        kind = node.WhichOneof("node")
        if kind is None:
            return None
        at = char_at(raw.stmt_location)
        first = _skip(_BLANK_OR_SEMICOLON, text, max(at, previous), end)
        if raw.stmt_len:
            semicolon = _skip(_BLANK, text, char_at(raw.stmt_location + raw.stmt_len), end)
            if not text.startswith(";", semicolon, end):
                return None
            stop = semicolon + 1
        else:  # the file's last statement, without a semicolon
            stop = max(len(text.rstrip()), first + 1)
        if not previous <= first < stop <= end:
            return None
        offset = first - start if ascii_piece else raw.stmt_location + len(text[at:first].encode("utf-8"))
        body, location = text[first:stop], _location(path, lines, first, stop)
        out.append(Statement(path, index, body, location, kind, getattr(node, kind), offset=offset))
        index += 1
        previous = stop
    return out


def _parse_split(text: str, path: str) -> SqlFile:
    # a large file is parsed on two more threads, one half each, while this one splits it and works
    # out positions: the file as written parses as is unless it holds psql lines, COPY data or a
    # broken statement; it is cut at the first ";" + newline after its middle, which the splitter
    # must then confirm lies between two statements
    halves: list[tuple[int, Callable[[], Any]]] = []
    if len(text) >= _LARGE_BYTES:
        cut = text.find(";\n", len(text) // 2) + 2
        cut = cut if cut > 1 else len(text)
        halves = [(0, _in_background(_tree, text[:cut])), (cut, _in_background(_tree, text[cut:]))]
    chunks, raw_comments = split_text(text)
    sql_chunks = [c for c in chunks if c.kind == "sql" and c.problem is None]
    lines = LineIndex(text)
    locations = [_location(path, lines, chunk.start, chunk.end) for chunk in chunks]
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
    from concurrent.futures import ThreadPoolExecutor

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


def _location(path: str, lines: LineIndex, start: int, end: int) -> Location:
    """The position of text[start:end] (end exclusive), from its first to its last character."""
    line, col = lines.position(start)
    end_line, end_col = lines.position(max(start, end - 1))
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
        with_variables = _with_psql_variables(path, index, body, location)
        if with_variables is not None:
            return with_variables
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


# psql interpolates :name, :'name' and :"name" outside quotes and comments (not the :: of a cast)
_PSQL_TEXT = re.compile(
    r"""--[^\n]*|/\*.*?\*/|[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\w*)\$.*?\$\1\$"""
    r"""|(?<![:\w]):(?:[A-Za-z_]\w*|'[^'\n]*'|"[^"\n]*")""",
    re.S,
)
# statements that change no object of the model whatever a variable holds (GRANT … TO :"user")
_VARIABLE_SAFE_KINDS = frozenset(
    {
        "grant_stmt",
        "grant_role_stmt",
        "alter_default_privileges_stmt",
        "alter_database_stmt",
        "alter_database_set_stmt",
        "alter_role_stmt",
        "alter_role_set_stmt",
        "create_role_stmt",
        "drop_role_stmt",
        "variable_set_stmt",
        "select_stmt",
    }
)


def _with_psql_variables(path: str, index: int, body: str, location: Location) -> Statement | None:
    """A statement that does not parse because psql fills in variables (:name, :'name', :"name"):
    parsed with a stand-in of the same length for each; kept when the statement changes no object
    of the model whatever the values, else an error that names the variables. None without any."""
    names: list[str] = []

    def stand_in(match: re.Match[str]) -> str:
        text = match.group()
        if not text.startswith(":"):
            return text
        names.append(text)
        return "_" + text[1:] if text[1] not in "'\"" else " " + text[1:]

    substituted = _PSQL_TEXT.sub(stand_in, body)
    if not names:
        return None
    try:
        tree = postgast.parse(substituted)
    except postgast.PgQueryError:
        tree = None
    node = tree.stmts[0].stmt if tree is not None and len(tree.stmts) == 1 else None
    kind = node.WhichOneof("node") if node is not None else None
    if kind in _VARIABLE_SAFE_KINDS:
        return Statement(path, index, body, location, kind, getattr(node, kind))
    listed = ", ".join(dict.fromkeys(names))
    return Statement(
        path,
        index,
        body,
        location,
        "error",
        error=f"uses psql variable {listed}, whose value replay does not know",
    )
