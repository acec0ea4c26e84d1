"""The canonical spelling of types and identifiers: PostgreSQL's own.

A type is spelled exactly as ``format_type()`` prints it with ``search_path``
set to '' : built-in types by their SQL names (``integer``, ``character
varying(255)``, ``timestamp with time zone``), user types schema-qualified
(``public.tenant_plan``), arrays with one ``[]``. The catalog side gets this
spelling from the server; the replay side from ``canonical_type`` here. This
is the only place where type spelling is normalised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

# pg_catalog types whose format_type() name differs from the internal name
_RENAMED = {
    "bool": "boolean",
    "char": '"char"',
    "int8": "bigint",
    "int2": "smallint",
    "int4": "integer",
    "float4": "real",
    "float8": "double precision",
    "bpchar": "character",
    "varchar": "character varying",
    "time": "time without time zone",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "timetz": "time with time zone",
    "varbit": "bit varying",
    "any": '"any"',
    # spellings the grammar leaves unqualified that are aliases of built-ins
    "integer": "integer",
    "int": "integer",
    "smallint": "smallint",
    "bigint": "bigint",
    "boolean": "boolean",
    "real": "real",
    "decimal": "numeric",
}

BUILTIN_TYPES = frozenset(
    """aclitem any anyarray anycompatible anycompatiblearray anycompatiblemultirange anycompatiblenonarray
    anycompatiblerange anyelement anyenum anymultirange anynonarray anyrange bit bool box bpchar bytea char
    cid cidr circle cstring date datemultirange daterange event_trigger fdw_handler float4 float8 gtsvector
    index_am_handler inet int2 int2vector int4 int4multirange int4range int8 int8multirange int8range internal
    interval json jsonb jsonpath language_handler line lseg macaddr macaddr8 money name numeric nummultirange
    numrange oid oidvector path point polygon record refcursor regclass regcollation regconfig regdictionary
    regnamespace regoper regoperator regproc regprocedure regrole regtype table_am_handler text tid time
    timestamp timestamptz timetz trigger tsm_handler tsmultirange tsquery tsrange tstzmultirange tstzrange
    tsvector txid_snapshot unknown uuid varbit varchar void xid xid8 xml pg_lsn pg_snapshot""".split()
) | frozenset(_RENAMED)

SERIAL_TYPES = {
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
    "smallserial": "smallint",
    "serial2": "smallint",
}

# interval field typmods (INTERVAL_MASK bits) as format_type prints them
_INTERVAL_FIELDS = {
    1 << 2: " year",
    1 << 1: " month",
    1 << 3: " day",
    1 << 10: " hour",
    1 << 11: " minute",
    1 << 12: " second",
    (1 << 2) | (1 << 1): " year to month",
    (1 << 3) | (1 << 10): " day to hour",
    (1 << 3) | (1 << 10) | (1 << 11): " day to minute",
    (1 << 3) | (1 << 10) | (1 << 11) | (1 << 12): " day to second",
    (1 << 10) | (1 << 11): " hour to minute",
    (1 << 10) | (1 << 11) | (1 << 12): " hour to second",
    (1 << 11) | (1 << 12): " minute to second",
}
_INTERVAL_FULL_RANGE = 0x7FFF


@lru_cache(maxsize=4096)
def _needs_quotes(name: str) -> bool:
    if not name or not (name[0] == "_" or "a" <= name[0] <= "z"):
        return True
    if any(not (c == "_" or "a" <= c <= "z" or "0" <= c <= "9") for c in name):
        return True
    import postgast

    try:
        tokens = postgast.scan(name).tokens
    except Exception:
        return True
    # keyword_kind: 0 none, 1 unreserved, 2 col_name, 3 type_func_name, 4 reserved
    return len(tokens) == 1 and int(tokens[0].keyword_kind) > 1


def quote_ident(name: str) -> str:
    """quote_ident() as PostgreSQL does it: bare when safe, else double-quoted."""
    if _needs_quotes(name):
        return '"' + name.replace('"', '""') + '"'
    return name


def quote_qualified(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def argument_text(mode: str, name: str, type_: str, default: str | None) -> str:
    """One function argument as pg_get_function_arguments prints it: ``OUT b text``,
    ``c text DEFAULT 'x'::text`` (``mode`` is "", "OUT ", "INOUT " or "VARIADIC ")."""
    text = f"{mode}{quote_ident(name)} {type_}" if name else f"{mode}{type_}"
    return text if default is None else f"{text} DEFAULT {default}"


def _typmod_values(typmods: Sequence[Any]) -> list[str]:
    values: list[str] = []
    for mod in typmods:
        which = mod.WhichOneof("node")
        if which == "a_const":
            const = mod.a_const
            kind = const.WhichOneof("val")
            if kind == "ival":
                values.append(str(const.ival.ival))
            elif kind == "sval":
                values.append(const.sval.sval)
            elif kind == "fval":
                values.append(const.fval.fval)
            else:
                values.append("0")
        elif which == "column_ref":
            values.append(".".join(f.string.sval for f in mod.column_ref.fields if f.HasField("string")))
        else:
            values.append("?")
    return values


def builtin_spelling(name: str, mods: Sequence[str]) -> str:
    """format_type() of a pg_catalog type given its internal name and typmods."""
    base = _RENAMED.get(name, name)
    if name in ("numeric", "decimal"):
        if not mods:
            return "numeric"
        return f"numeric({mods[0]},{mods[1] if len(mods) > 1 else 0})"
    if name in ("timestamp", "timestamptz", "time", "timetz"):
        if mods:
            head, _, tail = base.partition(" ")
            return f"{head}({mods[0]}) {tail}"
        return base
    if name == "interval":
        if not mods:
            return "interval"
        fields = int(mods[0]) if mods[0].lstrip("-").isdigit() else _INTERVAL_FULL_RANGE
        text = "interval" + ("" if fields == _INTERVAL_FULL_RANGE else _INTERVAL_FIELDS.get(fields, ""))
        return text + (f"({mods[1]})" if len(mods) > 1 else "")
    if name == "bpchar" and not mods:
        return "bpchar"
    if mods and name in ("bpchar", "varchar", "bit", "varbit"):
        return f"{base}({mods[0]})"
    if mods:
        return f"{base}({','.join(mods)})"
    return base


# PostGIS prints the geometry type of a typmod in this case (geometry(Polygon,4326))
_POSTGIS_KINDS = {
    k.lower(): k
    for base in (
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
        "CircularString",
        "CompoundCurve",
        "CurvePolygon",
        "MultiCurve",
        "MultiSurface",
        "PolyhedralSurface",
        "Triangle",
        "Tin",
        "Geometry",
    )
    for k in (base, base + "Z", base + "M", base + "ZM")
}


def _user_type(schema: str, name: str, mods: Sequence[str], array: str) -> str:
    if name in ("geometry", "geography") and mods:
        mods = [_POSTGIS_KINDS.get(mods[0].lower(), mods[0]), *mods[1:]]
    return quote_qualified(schema, name) + (f"({','.join(mods)})" if mods else "") + array


def canonical_type(
    type_name: Any,
    resolve: Callable[[str], str | None],
    default_schema: str = "public",
) -> str:
    """The format_type() spelling of a parsed TypeName node.

    ``resolve(name)`` returns the schema of a user type visible under the
    current search_path (enum, domain, composite type, table row type), or
    None. An unqualified name that is neither built-in nor known to the model
    is taken to be an extension's type in ``default_schema``.
    """
    names = [n.string.sval for n in type_name.names]
    typmods = type_name.typmods
    mods = _typmod_values(typmods) if typmods else []
    array = "[]" if type_name.array_bounds else ""
    if type_name.pct_type:
        return ".".join(names) + "%TYPE"
    if len(names) >= 2 and names[-2] == "pg_catalog":
        return _builtin_spelling(names[-1], tuple(mods)) + array
    if len(names) >= 2:
        return _user_type(names[-2], names[-1], mods, array)
    name = names[0]
    schema = resolve(name)
    if schema is not None:
        return _user_type(schema, name, mods, array)
    if name in BUILTIN_TYPES:
        return _builtin_spelling(name, tuple(mods)) + array
    return _user_type(default_schema, name, mods, array)


# a column's type is spelled once per distinct (name, typmods): replay spells every column
_builtin_spelling = lru_cache(maxsize=1024)(builtin_spelling)


def type_without_modifiers(canonical: str) -> str:
    """``character varying(255)`` → ``character varying``; ``numeric(19,4)`` → ``numeric``."""
    head, paren, rest = canonical.partition("(")
    if not paren:
        return canonical
    tail = rest.partition(")")[2]
    return (head + tail).strip()


# unqualified built-in type names the grammar leaves as written, by their pg_catalog name
_TYPE_ALIASES = {
    "bool": "bool",
    "boolean": "bool",
    "int4": "int4",
    "int": "int4",
    "integer": "int4",
    "int8": "int8",
    "bigint": "int8",
    "int2": "int2",
    "smallint": "int2",
    "float8": "float8",
    "float4": "float4",
    "text": "text",
    "uuid": "uuid",
    "jsonb": "jsonb",
    "json": "json",
    "date": "date",
    "timestamptz": "timestamptz",
    "timestamp": "timestamp",
    "bytea": "bytea",
    "inet": "inet",
    "regclass": "regclass",
    "regconfig": "regconfig",
    "tsvector": "tsvector",
    "tsquery": "tsquery",
    "interval": "interval",
    "numeric": "numeric",
    "varchar": "varchar",
}


# built-in types the deparser spells with SQL keywords only when they are pg_catalog-qualified
_KEYWORD_TYPES = frozenset(
    {
        "bool",
        "int2",
        "int4",
        "int8",
        "float4",
        "float8",
        "varchar",
        "bpchar",
        "numeric",
        "timestamp",
        "timestamptz",
        "time",
        "timetz",
        "interval",
        "bit",
        "varbit",
    }
)


def spell_cast_type(type_name: Any) -> None:
    """Casts that stay name their type one way: SQL keywords for built-ins (boolean, integer),
    other types unqualified (uuid, not pg_catalog.uuid; log_level, not public.log_level)."""
    names = type_name.names
    last = names[-1].string.sval if names else ""
    if len(names) == 1:
        last = _TYPE_ALIASES.get(last, last)
    elif names[0].string.sval != "pg_catalog":
        last = names[-1].string.sval
    wanted = ["pg_catalog", last] if last in _KEYWORD_TYPES else [last]
    if [n.string.sval for n in names] != wanted:
        del names[:]
        for part in wanted:
            names.add().string.sval = part
