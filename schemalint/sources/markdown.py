"""A markdown schema document as a SQL source: its ```sql blocks, at their own lines."""

from __future__ import annotations

import re
from pathlib import Path

from schemalint.errors import SourceError
from schemalint.sources.sql.parse import parse_sql
from schemalint.statements import SqlFile

_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([A-Za-z0-9_+-]*)")


def sql_of_markdown(text: str) -> str:
    """The text with every line outside ```sql / ```postgresql blocks blanked (lines kept)."""
    out: list[str] = []
    fence: str | None = None
    keep = False
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            keep = match.group(2).lower() in ("sql", "postgresql", "postgres", "pgsql", "psql")
            out.append("")
        elif fence is not None and line.strip().startswith(fence[0] * len(fence)):
            fence, keep = None, False
            out.append("")
        else:
            out.append(line if fence is not None and keep else "")
    return "\n".join(out)


def read_markdown(path: Path) -> SqlFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError("no such file", path=str(path)) from None
    except UnicodeDecodeError as error:
        raise SourceError(
            f"not UTF-8 (byte offset {error.start}); save the file as UTF-8", path=str(path)
        ) from None
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror}", path=str(path)) from None
    return parse_sql(sql_of_markdown(text), str(path))
