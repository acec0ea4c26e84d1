"""Recognise, mask and retarget PostgreSQL connection strings (URIs and key=value conninfo)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

_URI_SCHEMES = ("postgresql://", "postgres://")
_CONNINFO_PAIR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)")
_URI_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def _is_uri(spec: str) -> bool:
    return spec.strip().lower().startswith(_URI_SCHEMES)


def parse_conninfo(spec: str) -> list[tuple[str, str]] | None:
    """The (key, raw value) pairs of a key=value conninfo string, or None if it is not one."""
    pairs: list[tuple[str, str]] = []
    position = 0
    text = spec.strip()
    while position < len(text):
        match = _CONNINFO_PAIR.match(text, position)
        if match is None or match.end() == position:
            return None
        pairs.append((match.group(1).lower(), match.group(2)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return pairs or None


def is_dsn(spec: str) -> bool:
    """True for postgresql:// or postgres:// URIs and for conninfo strings naming dbname= or host=."""
    if _is_uri(spec):
        return True
    pairs = parse_conninfo(spec)
    return pairs is not None and any(key in ("dbname", "host") for key, _ in pairs)


def mask_dsn(dsn: str) -> str:
    """The DSN with its password (in the userinfo, a password= parameter or pair) replaced by ***."""
    if _is_uri(dsn):
        scheme, rest = dsn.split("://", 1)
        authority_end = len(rest)
        for stop in "/?#":
            found = rest.find(stop)
            if found != -1:
                authority_end = min(authority_end, found)
        authority, tail = rest[:authority_end], rest[authority_end:]
        if "@" in authority:
            userinfo, hosts = authority.rsplit("@", 1)
            if ":" in userinfo:
                user = userinfo.split(":", 1)[0]
                authority = f"{user}:***@{hosts}"
        tail = _URI_PASSWORD_PARAM.sub(r"\1***", tail)
        return f"{scheme}://{authority}{tail}"
    pairs = parse_conninfo(dsn)
    if pairs is None:
        return dsn
    return " ".join(f"{key}=***" if key == "password" else f"{key}={value}" for key, value in pairs)


def _quote_conninfo(value: str) -> str:
    if value and not re.search(r"[\s'\\]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def with_database(dsn: str, database: str) -> str:
    """The same connection string pointing at another database."""
    if _is_uri(dsn):
        parts = urlsplit(dsn)
        query = "&".join(p for p in parts.query.split("&") if p and not p.lower().startswith("dbname="))
        return urlunsplit((parts.scheme, parts.netloc, "/" + quote(database), query, parts.fragment))
    pairs = parse_conninfo(dsn) or []
    kept = [f"{key}={value}" for key, value in pairs if key != "dbname"]
    return " ".join([*kept, f"dbname={_quote_conninfo(database)}"])


def database_name(dsn: str) -> str | None:
    """The database a DSN names, when it names one."""
    if _is_uri(dsn):
        path = urlsplit(dsn).path.lstrip("/")
        return path or None
    for key, value in parse_conninfo(dsn) or []:
        if key == "dbname":
            return value.strip("'")
    return None
