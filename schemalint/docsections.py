"""Generated sections of a Markdown document, and regenerating them in place.

A generated section is the lines from ``<!-- schemalint:begin NAME -->`` to
``<!-- schemalint:end NAME -->``. ``update_document`` replaces exactly those
and keeps every line a person wrote outside them; ``check_document`` says,
as a unified diff, what an update would change.
"""

from __future__ import annotations

import difflib
import re

from schemalint.errors import UserError

BEGIN = "<!-- schemalint:begin {} -->"
END = "<!-- schemalint:end {} -->"
_MARKER = re.compile(r"^<!-- schemalint:(begin|end) (.+?) -->\s*$")


def section(name: str, lines: list[str]) -> str:
    """A generated section: the begin marker, the lines, the end marker."""
    return "\n".join([BEGIN.format(name), *lines, END.format(name)])


Chunk = tuple[str | None, list[str]]  # (section name, lines) or (None, prose lines)


def split_sections(text: str) -> list[Chunk]:
    """The document as alternating prose and generated sections (markers included in a section)."""
    chunks: list[Chunk] = []
    prose: list[str] = []
    current: tuple[str, int, list[str]] | None = None
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _MARKER.match(line)
        if current is not None:
            current[2].append(line)
            if marker and marker.group(1) == "end" and marker.group(2) == current[0]:
                chunks.append((current[0], current[2]))
                current = None
            elif marker:
                raise UserError(
                    f"schema document line {number}: {line.strip()} inside section {current[0]!r} "
                    f"(begun on line {current[1]}); every begin marker needs its end marker before another."
                )
        elif marker and marker.group(1) == "begin":
            name = marker.group(2)
            if name in seen:
                raise UserError(f"schema document line {number}: section {name!r} appears twice.")
            seen.add(name)
            chunks.append((None, prose))
            prose = []
            current = (name, number, [line])
        elif marker:
            raise UserError(
                f"schema document line {number}: end marker of {marker.group(2)!r} without begin."
            )
        else:
            prose.append(line)
    if current is not None:
        raise UserError(f"schema document line {current[1]}: section {current[0]!r} has no end marker.")
    chunks.append((None, prose))
    return [(name, lines) for name, lines in chunks if name is not None or lines]


def update_document(existing: str, generated: str) -> str:
    """``existing`` with its generated sections replaced by those of ``generated``.

    Prose outside the markers is kept as written. A section only in
    ``generated`` is inserted after the nearest preceding generated section
    that exists (else before the nearest following one, else at the end). A
    section no longer generated (a dropped domain) is removed with its
    markers; prose next to it stays.
    """
    fresh = {name: lines for name, lines in split_sections(generated) if name is not None}
    order = list(fresh)
    chunks: list[Chunk] = []
    for name, lines in split_sections(existing):
        if name is None:
            _add_prose(chunks, lines)
        elif name in fresh:
            chunks.append((name, fresh[name]))
    for position, name in enumerate(order):
        present = [n for n, _ in chunks]
        if name in present:
            continue
        before = [n for n in order[:position] if n in present]
        after = [n for n in order[position + 1 :] if n in present]
        if before:
            at = present.index(before[-1]) + 1
        elif after:
            at = present.index(after[0])
        else:
            at = len(chunks)
        tail = chunks[at:]
        del chunks[at:]
        _add_prose(chunks, [""])
        chunks.append((name, fresh[name]))
        _add_prose(chunks, [""])
        for chunk in tail:
            if chunk[0] is None:
                _add_prose(chunks, chunk[1])
            else:
                chunks.append(chunk)
    lines = [line for _, chunk in chunks for line in chunk]
    while lines and lines[-1] == "" and not existing.endswith("\n\n"):
        lines.pop()
    return "\n".join(lines) + "\n"


def _add_prose(chunks: list[Chunk], lines: list[str]) -> None:
    """Append prose, merged with prose before it; a blank line meeting a blank line is kept once."""
    if chunks and chunks[-1][0] is None:
        previous = chunks[-1][1]
        if previous and previous[-1] == "" and lines and lines[0] == "":
            lines = lines[1:]
        chunks[-1] = (None, previous + lines)
    elif chunks or lines != [""]:
        chunks.append((None, list(lines)))


def check_document(existing: str, generated: str) -> str | None:
    """A unified diff (committed → regenerated) when a generated section is stale; None when current."""
    updated = update_document(existing, generated)
    if updated == existing:
        return None
    diff = difflib.unified_diff(
        existing.splitlines(keepends=True),
        updated.splitlines(keepends=True),
        fromfile="committed",
        tofile="generated",
    )
    return "".join(diff)
