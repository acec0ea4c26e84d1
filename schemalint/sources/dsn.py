"""PostgreSQL connection strings (URIs and key=value conninfo): recognise, show, retarget.

``display_dsn`` is the only way a DSN becomes text: every libpq secret (``password``,
``sslpassword``, and the same spelled inside ``options``) is masked, and a string that looks
like a DSN but does not parse is masked as one, never echoed. ``scrub`` takes a DSN's secrets
and its raw text out of a message someone else wrote (a driver error).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

_URI_SCHEMES = ("postgresql://", "postgres://")
SECRET_KEYS = frozenset({"password", "sslpassword"})
MASK = "***"
# libpq's connection parameters (PostgreSQL 18): a word before "=" that is one of these makes a
# string a conninfo rather than a file name
LIBPQ_KEYS = frozenset(
    """host hostaddr port dbname user password passfile require_auth channel_binding connect_timeout
    client_encoding options application_name fallback_application_name keepalives keepalives_idle
    keepalives_interval keepalives_count tcp_user_timeout replication gssencmode sslmode
    sslnegotiation requiressl sslcompression sslcert sslkey sslkeylogfile sslpassword sslcertmode
    sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version
    min_protocol_version max_protocol_version krbsrvname gsslib gssdelegation service
    target_session_attrs load_balance_hosts scram_client_key scram_server_key oauth_issuer
    oauth_client_id oauth_client_secret oauth_scope""".split()
)
_SECRET_PARAMS = SECRET_KEYS | {"oauth_client_secret", "scram_client_key", "scram_server_key"}
_CONNINFO_PAIR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)")
# a key=value pair anywhere, for strings that do not parse (an unbalanced quote runs to the end)
_LOOSE_PAIR = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'?|\S*)")
_LOOKS_CONNINFO = re.compile(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)\s*=")
_QUERY_PAIR = re.compile(r"([?&])([^=&#]*)=([^&#]*)")
# inside options ('-c password=x', '--sslpassword=x'): any secret spelled as key=value
_SECRET_IN_TEXT = re.compile(
    "((?:" + "|".join(sorted(_SECRET_PARAMS)) + r")\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&']*)", re.IGNORECASE
)


def _is_uri(spec: str) -> bool:
    return spec.strip().lower().startswith(_URI_SCHEMES)


def looks_like_dsn(spec: str) -> bool:
    """A postgresql:// URI, or text with a libpq parameter before an "=" (``host=…``, ``service=…``)."""
    if _is_uri(spec):
        return True
    return any(m.group(1).lower() in LIBPQ_KEYS for m in _LOOKS_CONNINFO.finditer(spec))


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


def parse_error(spec: str) -> str | None:
    """Why libpq cannot parse this DSN (in words that never quote it), or None when it can."""
    import psycopg

    try:
        psycopg.conninfo.conninfo_to_dict(spec)
    except psycopg.Error as error:
        reason = str(error)
        if "invalid connection option" in reason:
            return "an unknown connection parameter"
        if "quoted string" in reason or "unterminated" in reason:
            return "an unterminated quoted value"
        if "missing" in reason and "=" in reason:
            return 'a word without "=" (quote a value that has spaces in single quotes)'
        return "text libpq cannot parse"
    return None


def is_dsn(spec: str) -> bool:
    """A connection string libpq parses (URI or conninfo naming at least one libpq parameter)."""
    return looks_like_dsn(spec) and parse_error(spec) is None


def _masked_value(key: str, value: str) -> str:
    if key.lower() in _SECRET_PARAMS:
        return MASK
    if key.lower() == "options":
        return _SECRET_IN_TEXT.sub(lambda m: m.group(1) + MASK, value)
    if key.lower() in LIBPQ_KEYS:  # where to connect, and how: shown
        return value
    return MASK  # not a libpq parameter: a typo of one (passwrod=), or a stray secret


def _query_pair(match: re.Match[str]) -> str:
    key, value = unquote(match.group(2)), unquote(match.group(3))
    shown = _masked_value(key, value)
    return match.group(0) if shown == value else f"{match.group(1)}{match.group(2)}={shown}"


def _display_uri(dsn: str) -> str:
    scheme, rest = dsn.split("://", 1)
    query_start = min((i for i in (rest.find("?"), rest.find("#")) if i != -1), default=len(rest))
    # the userinfo runs to the last "@" before the query, whatever it holds ("/", "@", ":")
    at = rest.rfind("@", 0, query_start)
    if at != -1:
        userinfo = rest[:at]
        user = userinfo.split(":", 1)[0]
        rest = f"{user}:{MASK}{rest[at:]}" if ":" in userinfo else rest
        query_start = rest.find("?") if "?" in rest else len(rest)
    head, tail = rest[:query_start], rest[query_start:]
    tail = _QUERY_PAIR.sub(_query_pair, tail)
    return f"{scheme}://{head}{tail}"


def display_dsn(dsn: str) -> str:
    """The DSN as it may be printed, logged or written to a report: secrets masked.

    A conninfo that does not parse shows only the pairs that could be read, secrets masked,
    and "…" for the rest: a mistyped DSN is never echoed."""
    if _is_uri(dsn):
        return _display_uri(dsn.strip())
    pairs = parse_conninfo(dsn)
    if pairs is not None:
        return " ".join(f"{key}={_masked_value(key, value)}" for key, value in pairs)
    loose = list(_LOOSE_PAIR.finditer(dsn))
    shown = " ".join(f"{m.group(1)}={_masked_value(m.group(1), m.group(2))}" for m in loose)
    return f"{shown} …".strip()


def secrets_of(dsn: str) -> list[str]:
    """Every secret a DSN carries, as written and as libpq decodes it (longest first)."""
    found: list[str] = []
    if _is_uri(dsn):
        rest = dsn.strip().split("://", 1)[1]
        query_start = min((i for i in (rest.find("?"), rest.find("#")) if i != -1), default=len(rest))
        at = rest.rfind("@", 0, query_start)
        if at != -1 and ":" in rest[:at]:
            found.append(rest[:at].split(":", 1)[1])
        for match in _QUERY_PAIR.finditer(rest[query_start:]):
            key = unquote(match.group(2)).lower()
            if key in _SECRET_PARAMS:
                found.append(match.group(3))
            elif key == "options":
                found += [m.group(2) for m in _SECRET_IN_TEXT.finditer(unquote(match.group(3)))]
    else:
        for match in _LOOSE_PAIR.finditer(dsn):
            key = match.group(1).lower()
            value = match.group(2)
            if key in _SECRET_PARAMS or (key not in LIBPQ_KEYS):
                found.append(value)
            elif key == "options":
                found += [m.group(2) for m in _SECRET_IN_TEXT.finditer(value)]
    variants: set[str] = set()
    for value in found:
        for form in (value, unquote(value), value.strip("'"), unquote(value).strip("'")):
            form = form.replace("\\'", "'").replace("\\\\", "\\")
            if form:
                variants.update({form, form.replace("'", "\\'")})
    return sorted(variants, key=len, reverse=True)


def scrub(text: str, *dsns: str) -> str:
    """A message (a driver's error, a traceback) with these DSNs' secrets and raw text masked."""
    for dsn in dsns:
        if not dsn:
            continue
        if dsn.strip() and dsn.strip() in text:
            text = text.replace(dsn.strip(), display_dsn(dsn))
        for secret in secrets_of(dsn):
            text = text.replace(secret, MASK)
    return text


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
