"""Split a SQL file into statements with exact positions.

A lexer just deep enough to find statement ends the way psql does: quoted
strings (standard and E''), quoted identifiers, dollar quotes, nested block
comments, line comments, ``BEGIN ATOMIC … END`` bodies, the parenthesised actions of
``CREATE RULE … DO (a; b)`` (psql ends no statement inside parentheses), psql meta-commands
(``\\connect``, ``\\restrict``, ``\\set`` …: one line each; ``\\gset``, ``\\gexec`` … written
after a statement end it, as psql sends the query there) and the data of
``COPY … FROM stdin`` up to its ``\\.`` line. Comments are collected for
suppression directives. Nothing here parses SQL: that is the adapter's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemalint.statements import Comment, LineIndex

_TOKEN_FAST = re.compile(r"""--[^\n]*|/\*|'|"|\$(?:[^\W\d]\w*)?\$|;|\\""")
# only for files that contain BEGIN ATOMIC bodies, whose semicolons do not end the statement
_TOKEN_ATOMIC = re.compile(
    _TOKEN_FAST.pattern
    + r"""|\b(?:[Bb][Ee][Gg][Ii][Nn]\s+[Aa][Tt][Oo][Mm][Ii][Cc]|[Cc][Aa][Ss][Ee]|[Ee][Nn][Dd])\b"""
)
_HAS_ATOMIC = re.compile(r"begin\s+atomic", re.IGNORECASE)
# only for files that create rules: psql ends no statement inside parentheses, and only a rule's
# list of actions puts a semicolon there; tracking parentheses everywhere would cost every file
_PARENS = r"|\(|\)"
_TOKEN_PARENS = re.compile(_TOKEN_FAST.pattern + _PARENS)
_TOKEN_ATOMIC_PARENS = re.compile(_TOKEN_ATOMIC.pattern + _PARENS)
# searched in the lowered text, and without a leading \b, which would make it 20 times slower
_HAS_RULE = re.compile(r"create\s+(?:or\s+replace\s+)?rule\b")
_COPY_FROM_STDIN = re.compile(r"\s*copy\b.*\bfrom\s+stdin\b", re.IGNORECASE | re.DOTALL)
_IDENT_CHAR = re.compile(r"[\w$]")  # \w is Unicode-aware: letters of every script, digits, _


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of the file: a SQL statement, a psql meta-command, or COPY data.

    ``start``/``end`` are character offsets; ``end`` is exclusive and includes
    the terminating semicolon. ``problem`` is set when the lexer could not
    close something (an unterminated quote, comment or dollar quote).
    """

    kind: str  # "sql" | "psql"
    start: int
    end: int
    problem: str | None = None


# psql meta-commands that send the query buffer: written after a statement, they end it
_SENDS_QUERY = re.compile(r"\\(?:g|gx|gset|gexec|gdesc|watch|crosstabview)(?![A-Za-z])")


def split_text(text: str) -> tuple[list[Chunk], list[tuple[int, str, bool]]]:
    """Return statement chunks and comments (offset, text, own_line)."""
    chunks: list[Chunk] = []
    comments: list[tuple[int, str, bool]] = []
    n = len(text)
    pos = 0
    stmt_start = -1  # offset of the first significant character of the current statement
    atomic_depth = 0
    paren_depth = 0
    problem: str | None = None
    # a case-insensitive search of the whole file costs more than lowering it and looking for a word
    lowered = text.lower()
    atomic = "atomic" in lowered and _HAS_ATOMIC.search(text) is not None
    rules = "rule" in lowered and _HAS_RULE.search(lowered) is not None
    if rules:
        token_re = _TOKEN_ATOMIC_PARENS if atomic else _TOKEN_PARENS
    else:
        token_re = _TOKEN_ATOMIC if atomic else _TOKEN_FAST

    def line_start_blank(offset: int) -> bool:
        line_begin = text.rfind("\n", 0, offset) + 1
        return text[line_begin:offset].strip() == ""

    def finish(end: int) -> None:
        nonlocal stmt_start, atomic_depth, paren_depth, problem
        if stmt_start >= 0:
            chunks.append(Chunk("sql", stmt_start, end, problem))
        stmt_start = -1
        atomic_depth = 0
        paren_depth = 0
        problem = None

    while pos < n:
        match = token_re.search(text, pos)
        if match is None:
            if stmt_start < 0 and text[pos:].strip():
                stmt_start = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
            break
        token = match.group()
        begin = match.start()
        if stmt_start < 0 and text[pos:begin].strip():
            stmt_start = pos + (len(text[pos:begin]) - len(text[pos:begin].lstrip()))
        if token.startswith("--"):
            comments.append((begin, token[2:], line_start_blank(begin)))
            pos = match.end()
            continue
        if token == "/*":
            i = block_comment_end(text, begin)
            if i < 0:
                i = n
                problem = problem or "unterminated /* comment"
                if stmt_start < 0:
                    stmt_start = begin
            comments.append((begin, text[begin + 2 : max(begin + 2, i - 2)], line_start_blank(begin)))
            pos = i
            continue
        if stmt_start < 0 and token != ";" and token != "\\":
            stmt_start = begin
        if token == ";":
            if atomic_depth > 0 or paren_depth > 0:
                pos = match.end()
                continue
            if stmt_start >= 0:
                finish(match.end())
                chunk = chunks[-1]
                if _COPY_FROM_STDIN.match(text, chunk.start, chunk.end):
                    pos = _skip_copy_data(text, match.end())
                    continue
            pos = match.end()
            continue
        if token == "\\":
            # a psql meta-command: outside a statement, runs to the end of the line; inside one,
            # \g, \gset, \gexec … end the statement (psql sends it) and run to the end of the line
            sends = stmt_start >= 0 and stmt_start != begin and _SENDS_QUERY.match(text, begin)
            if stmt_start < 0 or stmt_start == begin or sends:
                if sends:
                    finish(len(text[:begin].rstrip()))
                line_end = text.find("\n", begin)
                line_end = n if line_end < 0 else line_end
                chunks.append(Chunk("psql", begin, line_end))
                stmt_start = -1
                pos = line_end
                continue
            pos = match.end()
            continue
        if token == "'":
            escaped = (
                begin > 0
                and text[begin - 1] in "eE"
                and not (begin > 1 and _IDENT_CHAR.match(text, begin - 2))
            )
            pos = _skip_string(text, match.end(), backslash=escaped)
            if pos < 0:
                problem = problem or f"unterminated quoted string starting at offset {begin}"
                pos = n
            continue
        if token == '"':
            end = text.find('"', match.end())
            while end >= 0 and text.startswith('""', end):
                end = text.find('"', end + 2)
            if end < 0:
                problem = problem or f"unterminated quoted identifier starting at offset {begin}"
                pos = n
            else:
                pos = end + 1
            continue
        if token[0] == "$":
            if begin > 0 and _IDENT_CHAR.match(text, begin - 1):
                pos = begin + 1  # part of an identifier such as a$b
                continue
            end = text.find(token, match.end())
            if end < 0:
                problem = problem or f"unterminated dollar quote {token} starting at offset {begin}"
                pos = n
            else:
                pos = end + len(token)
            continue
        if token == "(" or token == ")":
            paren_depth = max(0, paren_depth + (1 if token == "(" else -1))
            pos = match.end()
            continue
        word = token.lower()
        if word.startswith("begin") or (word == "case" and atomic_depth > 0):
            atomic_depth += 1
        elif word == "end" and atomic_depth > 0:
            atomic_depth -= 1
        pos = match.end()
    if stmt_start >= 0:
        end = len(text.rstrip())
        chunks.append(Chunk("sql", stmt_start, max(end, stmt_start + 1), problem))
    return chunks, comments


def block_comment_end(text: str, begin: int) -> int:
    """The offset just after the (nested) /* comment that starts at begin; -1 if it is not closed."""
    depth, i = 1, begin + 2
    while depth:
        nxt_close = text.find("*/", i)
        if nxt_close < 0:
            return -1
        nxt_open = text.find("/*", i, nxt_close + 1)  # one that starts before the close ("/*/" opens)
        if nxt_open >= 0:
            depth += 1
            i = nxt_open + 2
        else:
            depth -= 1
            i = nxt_close + 2
    return i


def _skip_string(text: str, pos: int, *, backslash: bool) -> int:
    n = len(text)
    while pos < n:
        quote = text.find("'", pos)
        if quote < 0:
            return -1
        if backslash:
            slashes = 0
            k = quote - 1
            while k >= pos and text[k] == "\\":
                slashes += 1
                k -= 1
            if slashes % 2:
                pos = quote + 1
                continue
        if text.startswith("''", quote):
            pos = quote + 2
            continue
        return quote + 1
    return -1


def _skip_copy_data(text: str, pos: int) -> int:
    """Skip COPY … FROM stdin data up to and including the line ``\\.``."""
    match = re.compile(r"^\\\.[ \t]*$", re.MULTILINE).search(text, pos)
    if match is None:
        return len(text)
    return match.end()


def to_comments(text: str, raw: list[tuple[int, str, bool]], line_of: LineIndex) -> tuple[Comment, ...]:
    out = []
    for offset, body, own_line in raw:
        line, col = line_of.position(offset)
        out.append(Comment(line, col, body, own_line))
    return tuple(out)
