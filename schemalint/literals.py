"""Literal folding: constants spelled as the catalog stores and prints them.

A default, a cast of a constant or an interval is stored by PostgreSQL as a
value of its type, and printed back in that type's output spelling: ``'0'``
for an integer column is ``0``, ``'1 day 2 hours'::interval`` is
``'1 day 02:00:00'``, a timestamptz literal is printed in UTC, jsonb with its
keys reordered. exprnorm.py (expression canonicalisation) calls these on the
constants of a parse tree; replay folds column defaults with fold_default.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from postgast import pg_query_pb2 as pb

from schemalint.typenorm import type_without_modifiers

_NUMERIC_TYPES = frozenset(
    {
        "int2",
        "int4",
        "int8",
        "numeric",
        "float4",
        "float8",
        "integer",
        "bigint",
        "smallint",
        "decimal",
        "real",
    }
)
# casts the analyser adds on its own (coercions to a common operator type)


def const_from_cast(cast: pb.TypeCast) -> pb.Node | None:
    """'-1'::integer → -1; other casts of constants lose the cast only."""
    arg = cast.arg
    if arg.WhichOneof("node") != "a_const" or arg.a_const.WhichOneof("val") != "sval":
        return None
    type_names = [n.string.sval for n in cast.type_name.names]
    if not type_names or len(cast.type_name.array_bounds):
        return None
    text = arg.a_const.sval.sval
    node = pb.Node()
    if type_names[-1] in ("bool", "boolean"):
        value = text.strip().lower()
        if value in ("t", "true", "y", "yes", "on", "1"):
            node.a_const.boolval.boolval = True
            return node
        if value in ("f", "false", "n", "no", "off", "0"):
            node.a_const.boolval.boolval = False
            return node
        return None
    if type_names[-1] == "interval" and not cast.type_name.typmods:
        spelled = interval_text(text)
        if spelled is None:
            return None
        node.a_const.sval.sval = spelled
        return node
    if type_names[-1] not in _NUMERIC_TYPES:
        return None
    number = text.strip()
    if _INTEGER_LITERAL.fullmatch(number) and -(2**31) <= int(number) < 2**31:
        node.a_const.ival.ival = int(number)
    elif _NUMBER_LITERAL.fullmatch(number):  # the grammar's fval: a larger integer too
        node.a_const.fval.fval = number
    else:  # 'NaN', 'Infinity', '1_000': not a numeric literal of the grammar
        return None
    return node


# numbers as the grammar writes them (Python's int() and float() also take NaN, inf and 1_000)
_INTEGER_LITERAL = re.compile(r"[+-]?\d+")
_NUMBER_LITERAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def text_array_literal(text: str) -> str:
    """'{a, b}' → '{a,b}': a text[] literal as array_out prints it (simple unquoted elements only)."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")) or '"' in inner or "{" in inner[1:-1]:
        return text
    items = [item.strip() for item in inner[1:-1].split(",")] if inner[1:-1].strip() else []
    if any(not item or any(ch in item for ch in " \\") for item in items):
        return text
    return "{" + ",".join(items) + "}"


def const_text(const: Any) -> str | None:
    """A constant as libpg_query's deparser prints it, or None when only the deparser knows."""
    if const.isnull:
        return "NULL"
    kind = const.WhichOneof("val")
    if kind == "ival":
        return str(const.ival.ival)
    if kind == "sval":
        text = const.sval.sval
        return None if "\\" in text else "'" + text.replace("'", "''") + "'"
    if kind == "boolval":
        return "true" if const.boolval.boolval else "false"
    return None


_INTEGER_TYPES = ("smallint", "integer", "bigint")
_NUMBER_TYPES = (*_INTEGER_TYPES, "numeric", "real", "double precision")
_TRUE = ("t", "true", "y", "yes", "on", "1")
_FALSE = ("f", "false", "n", "no", "off", "0")


def fold_default(text: str | None, column_type: str, time_zone: str | None = "UTC") -> str | None:
    """A constant default as the catalog stores it: the literal coerced to the column's type.

    ``DEFAULT NULL`` is no default; ``'0'`` for an integer is ``0``; ``'false'`` for a
    boolean is ``false``; a timestamp without time zone drops a written offset; jsonb
    text is re-spelled as jsonb prints it. Anything else is returned unchanged.
    """
    if text is None:
        return None
    value = _literal_value(text)
    if value is None:
        return text
    base = type_without_modifiers(column_type)
    if base in _NUMBER_TYPES:
        stripped = value.strip()
        if base in _INTEGER_TYPES:
            return str(int(stripped)) if _INTEGER_LITERAL.fullmatch(stripped) else text
        return stripped if _NUMBER_LITERAL.fullmatch(stripped) else text
    if base == "boolean":
        lowered = value.strip().lower()
        return "true" if lowered in _TRUE else "false" if lowered in _FALSE else text
    if base == "timestamp without time zone":
        match = _TIMESTAMP.fullmatch(value)
        return f"'{match.group(1)} {match.group(2)}'" if match else text
    if base == "timestamp with time zone":
        return utc_timestamp(text, time_zone) or text
    if base == "jsonb":
        return _jsonb_text(value, text)
    if base == "bytea" and value == "":
        return string_literal("\\x")
    if base == "tsvector":
        vector = tsvector_text(value)
        return text if vector is None else string_literal(vector)
    if base == "interval" and column_type == "interval":
        spelled = interval_text(value)
        return text if spelled is None else string_literal(spelled)
    return text


def quoted_value(text: str) -> str | None:
    """The value of a '…' string literal (quotes doubled inside); None for anything else."""
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'" and "'" not in text[1:-1].replace("''", ""):
        return text[1:-1].replace("''", "'")
    return None


def _literal_value(text: str) -> str | None:
    """The value of a string literal as canonical_expr_text spells it: '…', or E'…' when the value
    holds a backslash (doubled); None for anything else."""
    escaped = text.startswith("E'")
    value = quoted_value(text[1:] if escaped else text)
    if value is None or not escaped:
        return value
    parts = value.split("\\\\")
    return None if any("\\" in part for part in parts) else "\\".join(parts)


_TSVECTOR_POSITION = re.compile(r"(\d+)([A-Da-d*]?)")


def tsvector_text(value: str) -> str | None:
    """The text of a tsvector as tsvector_out prints it: lexemes unique and in byte order, each
    quoted (quotes and backslashes doubled), positions in order with their weight (D unprinted).
    None for what this reading does not follow (an input tsvector_in rejects, repeated positions)."""
    lexemes: dict[str, dict[int, str]] = {}
    i, n = 0, len(value)
    while i < n:
        if value[i].isspace():
            i += 1
            continue
        word: list[str] = []
        quoted = value[i] == "'"
        i += quoted
        while i < n:
            ch = value[i]
            if ch == "\\":
                if i + 1 == n:
                    return None
                word.append(value[i + 1])
                i += 2
            elif quoted and ch == "'" and value.startswith("''", i):
                word.append("'")
                i += 2
            elif quoted and ch == "'":
                quoted = False
                i += 1
                break
            elif not quoted and (ch.isspace() or ch == ":"):
                break
            else:
                word.append(ch)
                i += 1
        if quoted or not word:
            return None
        positions = lexemes.setdefault("".join(word), {})
        if i < n and value[i] == ":":
            while True:
                match = _TSVECTOR_POSITION.match(value, i + 1)
                if match is None or match.group(2) == "*":
                    return None
                position = min(int(match.group(1)), 16383)
                if position in positions or position == 0:
                    return None
                positions[position] = match.group(2).upper() or "D"
                i = match.end()
                if not value.startswith(",", i):
                    break
            if i < n and not value[i].isspace():
                return None
    out = []
    for lexeme in sorted(lexemes, key=lambda word: word.encode("utf-8")):
        text = "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
        positions = lexemes[lexeme]
        if positions:
            text += ":" + ",".join(f"{p}{'' if w == 'D' else w}" for p, w in sorted(positions.items()))
        out.append(text)
    return " ".join(out)


_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}(?::?\d{2})?)?")


def utc_timestamp(literal: str, time_zone: str | None) -> str | None:
    """A quoted timestamp literal as the catalog prints a timestamptz in UTC:
    '2022-04-01 01:00:00+01' → '2022-04-01 00:00:00+00'. A literal without an offset is in the
    session's time zone (a name such as 'Europe/Berlin', or an offset '+05:00'), or left alone
    (None) when the zone is None or unknown; None too for anything that is not such a literal."""
    quoted = len(literal) > 2 and literal[0] == literal[-1] == "'"
    match = _TIMESTAMP.fullmatch(literal[1:-1]) if quoted else None
    if match is None:
        return None
    moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    offset = match.group(3)
    if offset is not None:
        zone: tzinfo | None = UTC if offset == "Z" else _fixed_offset(offset)
    else:
        zone = _zone(time_zone) if time_zone is not None else None
    if zone is None:
        return None
    moment = moment.replace(tzinfo=zone).astimezone(UTC)
    fraction = f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else ""
    return f"'{moment.strftime('%Y-%m-%d %H:%M:%S')}{fraction}+00'"


def _fixed_offset(offset: str) -> tzinfo:
    """'+05', '-0230', '+05:30' as a time zone."""
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _zone(name: str) -> tzinfo | None:
    """A TimeZone setting as PostgreSQL reads it: a zone name, or a POSIX offset ('+05:30',
    'UTC-3'), whose sign is the other way round: positive is west of Greenwich."""
    posix = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", name, re.IGNORECASE)
    if posix is not None:
        west = posix[1] == "+"
        return _fixed_offset(f"{'-' if west else '+'}{int(posix[2]):02d}{posix[3] or '00'}")
    if name.upper() in ("UTC", "GMT", "Z", "ETC/UTC", "UCT"):
        return UTC
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return None


def _jsonb_text(value: str, original: str) -> str:
    """JSON as jsonb prints it: keys ordered by length then bytes, ", " and ": " separators."""
    import json
    from decimal import Decimal

    def order(obj: Any) -> Any:
        if isinstance(obj, dict):
            keys = sorted(obj, key=lambda k: (len(k.encode()), k.encode()))
            return {k: order(obj[k]) for k in keys}
        if isinstance(obj, list):
            return [order(v) for v in obj]
        return obj

    try:
        parsed = json.loads(value, parse_float=Decimal, object_pairs_hook=lambda pairs: dict(pairs))
    except ValueError:
        return original

    def dump(obj: Any) -> str:
        if isinstance(obj, dict):
            return (
                "{"
                + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {dump(v)}" for k, v in obj.items())
                + "}"
            )
        if isinstance(obj, list):
            return "[" + ", ".join(dump(v) for v in obj) + "]"
        if isinstance(obj, Decimal):
            return str(obj)
        return json.dumps(obj, ensure_ascii=False)

    return "'" + dump(order(parsed)).replace("'", "''") + "'"


_INTERVAL_UNITS = {
    "year": ("y", 1),
    "years": ("y", 1),
    "yr": ("y", 1),
    "yrs": ("y", 1),
    "y": ("y", 1),
    "month": ("m", 1),
    "months": ("m", 1),
    "mon": ("m", 1),
    "mons": ("m", 1),
    "week": ("d", 7),
    "weeks": ("d", 7),
    "w": ("d", 7),
    "day": ("d", 1),
    "days": ("d", 1),
    "d": ("d", 1),
    "hour": ("s", 3600),
    "hours": ("s", 3600),
    "h": ("s", 3600),
    "hr": ("s", 3600),
    "hrs": ("s", 3600),
    "minute": ("s", 60),
    "minutes": ("s", 60),
    "min": ("s", 60),
    "mins": ("s", 60),
    "m": ("s", 60),
    "second": ("s", 1),
    "seconds": ("s", 1),
    "sec": ("s", 1),
    "secs": ("s", 1),
    "s": ("s", 1),
}


def interval_text(text: str) -> str | None:
    """'3 minutes' → '00:03:00', '1 day 2 hours' → '1 day 02:00:00': interval_out's spelling.

    Only whole-number quantities with plain units; anything else returns None (left as written).
    """
    import re

    parts = re.findall(r"([+-]?\d+)\s*([a-z]+)", text.strip().lower())
    if not parts or re.sub(r"[+-]?\d+\s*[a-z]+", "", text.strip().lower()).strip():
        return None
    totals = {"y": 0, "m": 0, "d": 0, "s": 0}
    for number, unit in parts:
        if unit not in _INTERVAL_UNITS:
            return None
        field, factor = _INTERVAL_UNITS[unit]
        totals[field] += int(number) * factor
    # PostgreSQL keeps years and months as one count of months and prints 12 of them as a year
    months = totals["y"] * 12 + totals["m"]
    totals["y"] = abs(months) // 12 * (1 if months >= 0 else -1)
    totals["m"] = months - totals["y"] * 12
    out: list[str] = []
    for field, singular, plural in (("y", "year", "years"), ("m", "mon", "mons"), ("d", "day", "days")):
        if totals[field]:
            out.append(f"{totals[field]} {singular if totals[field] == 1 else plural}")  # -1 years
    seconds = totals["s"]
    if seconds or not out:
        sign = "-" if seconds < 0 else ""
        seconds = abs(seconds)
        out.append(f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}")
    return " ".join(out)


def string_literal(value: str) -> str:
    """A string constant as libpg_query's deparser prints it (deparseStringLiteral): quotes
    doubled, and, when the value holds a backslash, E'…' with backslashes doubled."""
    if "\\" in value:
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + value.replace("'", "''") + "'"
