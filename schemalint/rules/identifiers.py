"""Identifier length (N009): PostgreSQL truncates identifiers to 63 bytes, so a longer name in
a statement is not the name the object gets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from schemalint.findings import Finding
from schemalint.model import Location, Model
from schemalint.rules.astutil import pb, scan
from schemalint.rules.base import Rule, Statement, StatementContext, StatementRule

MAX_IDENTIFIER_BYTES = 63
LONG_WORD = re.compile(r'[^\s,;()"\'.]{16,}|"(?:[^"]|""){16,}"')  # 16+ characters may be 64+ bytes
# in ASCII a character is a byte: a word of 64 characters, tried only where a word starts (a search
# that tries every position costs 0.1 s on GitLab's schema), or 64 characters after a double quote
LONG_ASCII_WORD = re.compile(r"""(?<![^\s,;()"'.])[^\s,;()"'.]{64}|"(?:[^"]|""){64}""")


def truncated(name: str) -> str:
    """What PostgreSQL keeps of a name longer than 63 bytes."""
    raw = name.encode()
    if len(raw) <= MAX_IDENTIFIER_BYTES:
        return name
    return raw[:MAX_IDENTIFIER_BYTES].decode(errors="ignore")


class IdentifierTooLong(StatementRule):
    """Identifier longer than 63 bytes.

    ## Why
    PostgreSQL silently truncates names to 63 bytes. Two long names that
    share a prefix collide, and the name in the database differs from the one
    in the migration, which breaks tools and later statements that spell the
    name differently.

    ## Bad
    ```sql
    CREATE TABLE customer_subscription_billing_period_adjustment_history_records_v2 (id uuid);
    ```

    ## Good
    ```sql
    CREATE TABLE subscription_adjustments (id uuid);
    ```

    ## Notes
    A statement rule: the model (replayed or live) only ever holds the
    truncated name, so the statement is the only place the long name is seen.
    """

    code = "N009"
    slug = "identifier-too-long"
    severity = "error"
    tags = ("naming",)

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for name in statement_identifiers(statement.text):
            size = len(name.encode())
            if size <= MAX_IDENTIFIER_BYTES or name in seen:
                continue
            seen.add(name)
            yield self.finding(
                f"Identifier {name} is {size} bytes; PostgreSQL truncates identifiers to "
                f"{MAX_IDENTIFIER_BYTES} bytes ({truncated(name)}).",
                object=truncated(name),
                location=_position(statement, name),
                help=f"Choose a name of at most {MAX_IDENTIFIER_BYTES} bytes.",
            )


def _position(statement: Statement, name: str) -> Location:
    """Where a name is first written in a statement (its column line), else the statement."""
    text = statement.text
    at = text.find(name)
    if at < 0:
        at = text.lower().find(name.lower())
    if at < 0:
        return statement.location
    return statement.location_of(statement.offset + len(text[:at].encode()), len(name))


def statement_identifiers(text: str) -> Iterator[str]:
    """The identifiers of a statement as written (libpg_query's parse tree holds them truncated)."""
    # most statements: no word is long enough to be a long identifier; skip the scan
    if text.isascii():
        if '"' not in text and max(map(len, text.split()), default=0) < 64:
            return  # every word lies within a run of non-blank characters
        if LONG_ASCII_WORD.search(text) is None:
            return
    elif not any(len(m.group().encode()) > MAX_IDENTIFIER_BYTES for m in LONG_WORD.finditer(text)):
        return
    raw = text.encode()
    try:
        tokens = scan(text).tokens
    except Exception:  # a statement that does not scan has no identifiers to judge
        return
    for token in tokens:
        if token.token != pb.IDENT:
            continue
        word = raw[token.start : token.end].decode(errors="replace")
        if word.startswith('"') and word.endswith('"') and len(word) >= 2:
            yield word[1:-1].replace('""', '"')
        elif word[:2].upper() == "U&":
            yield word
        else:
            yield word.lower()


RULES: tuple[type[Rule], ...] = (IdentifierTooLong,)
