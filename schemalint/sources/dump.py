"""The model as JSON (`schemalint inspect --format json`) and back.

The dump is deterministic: object mappings sorted by qualified name, keys
sorted, two-space indent, a trailing newline, so that two dumps of equal
models are equal bytes and a dump diffs well in review. Every field of the
model is written, defaults included; reading is strict (unknown keys, wrong
types and keys that are not the object's qualified name are errors).
"""

from __future__ import annotations

import dataclasses
import json
import operator
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from schemalint import jsontext
from schemalint import model as model_module
from schemalint.errors import SourceError
from schemalint.model import Constraint, Location, Model

SCHEMA_VERSION = 1
_SNIFF_BYTES = 4096


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _fields_of(locations: bool) -> Callable[[Any], Any]:
    """The `default` hook for jsontext: a model object as the dict of its fields (location left
    out unless asked for); mappings (read-only proxies in the model) become dicts. jsontext sorts
    every key."""
    makers: dict[type, Callable[[Any], Any]] = {}

    def maker(cls: type) -> Callable[[Any], Any]:
        if issubclass(cls, Mapping):
            return dict
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"cannot write {cls.__name__} as JSON")
        names = tuple(n for n in _field_names(cls) if locations or n != "location")
        values = operator.attrgetter(*names)
        if len(names) == 1:
            return lambda value: {names[0]: values(value)}
        return lambda value: dict(zip(names, values(value), strict=True))

    def fields(value: Any) -> Any:
        cls = type(value)
        make = makers.get(cls)
        if make is None:
            make = makers[cls] = maker(cls)
        return make(value)

    return fields


# where a fact of an object was established: (qualname, aspect) -> location (see Replay.fact)
Facts = Mapping[tuple[str, str], Location]


def model_to_json(model: Model, *, locations: bool = True, facts: Facts | None = None) -> str:
    """The model as deterministic JSON: {"schema_version": 1, "model": {...}}, and, when it was
    replayed from files and locations are written, "facts": where each fact of an object other than
    its existence was established ([{"object", "aspect", "location"}], sorted), so that a lint of the
    dump locates its findings as a lint of the files does."""
    return model_json(model, locations=locations, facts=facts).decode("utf-8")


def model_json(model: Model, *, locations: bool = True, facts: Facts | None = None) -> bytes:
    """model_to_json() as UTF-8 bytes (a large model's dump is not held as bytes and text at once)."""
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "model": model}
    if locations and facts:
        document["facts"] = [
            {"object": qualname, "aspect": aspect, "location": facts[(qualname, aspect)]}
            for qualname, aspect in sorted(facts)
        ]
    return jsontext.encode(document, sort_keys=True, default=_fields_of(locations))


class _Invalid(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model_module))


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _decode(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [arg for arg in args if arg is not type(None)]
        if len(options) == 1:
            return _decode(options[0], value, where)
        raise _Invalid(where, f"unsupported type {hint}")  # pragma: no cover - the model has none
    if origin is typing.Literal:
        if value not in args:
            allowed = ", ".join(json.dumps(arg) for arg in args)
            raise _Invalid(where, f"expected one of {allowed}, found {_describe(value)}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _Invalid(where, f"expected a list, found {_describe(value)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
        if len(value) != len(args):
            raise _Invalid(where, f"expected a list of {len(args)} items, found {len(value)}")
        return tuple(
            _decode(arg, item, f"{where}[{i}]") for i, (arg, item) in enumerate(zip(args, value, strict=True))
        )
    if origin is not None and issubclass(origin, Mapping):
        if not isinstance(value, dict):
            raise _Invalid(where, f"expected an object, found {_describe(value)}")
        decoded = {key: _decode(args[1], item, f"{where}[{json.dumps(key)}]") for key, item in value.items()}
        for key, item in decoded.items():
            qualname = getattr(item, "qualname", key)
            if qualname != key:
                raise _Invalid(f"{where}[{json.dumps(key)}]", f"key is not the object's name {qualname!r}")
        return decoded
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _decode_dataclass(hint, value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise _Invalid(where, f"expected true or false, found {_describe(value)}")
        return value
    if hint is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Invalid(where, f"expected an integer, found {_describe(value)}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise _Invalid(where, f"expected a string, found {_describe(value)}")
        return value
    raise _Invalid(where, f"unsupported type {hint}")  # pragma: no cover - the model has none


def _decode_dataclass(cls: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _Invalid(where, f"expected an object, found {_describe(value)}")
    hints = _hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(value.keys() - known.keys())
    if unknown:
        raise _Invalid(where, f"unknown key {unknown[0]!r} in {cls.__name__}")
    kwargs: dict[str, Any] = {}
    for name, f in known.items():
        if name not in value:
            has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            if not has_default:
                raise _Invalid(where, f"{cls.__name__} lacks required key {name!r}")
            continue
        kwargs[name] = _decode(hints[name], value[name], f"{where}.{name}")
    if cls is Constraint and kwargs.get("kind") == "foreign key" and not kwargs.get("ref_table"):
        raise _Invalid(where, "a foreign key needs ref_table, the qualified name of the table it references")
    return cls(**kwargs)


def model_from_json(text: str, path: str = "<json>") -> Model:
    """The model of a dump written by model_to_json; SourceError for anything else."""
    return dump_from_json(text, path)[0]


def dump_from_json(text: str, path: str = "<json>") -> tuple[Model, dict[tuple[str, str], Location]]:
    """The model of a dump written by model_to_json and its facts ({} when it has none)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); "
            "expected a model dump from `schemalint inspect --format json`"
        ) from None
    if not isinstance(document, dict) or "model" not in document or "schema_version" not in document:
        raise SourceError(
            f"{path}: not a schemalint model dump (expected an object with schema_version and model); "
            "write one with `schemalint inspect SOURCE --format json`"
        )
    version = document["schema_version"]
    if version != SCHEMA_VERSION:
        raise SourceError(
            f"{path}: model dump schema_version {_describe(version)} is not supported "
            f"(this schemalint reads {SCHEMA_VERSION}); re-create it with this version of schemalint"
        )
    extra = sorted(document.keys() - {"schema_version", "model", "facts"})
    if extra:
        raise SourceError(f"{path}: unknown top-level key {extra[0]!r} in model dump")
    try:
        decoded: Model = _decode_dataclass(Model, document["model"], "model")
        facts = _decode_facts(document.get("facts", []))
    except _Invalid as error:
        raise SourceError(f"{path}: invalid model dump at {error}") from None
    return decoded, facts


def _decode_facts(value: Any) -> dict[tuple[str, str], Location]:
    if not isinstance(value, list):
        raise _Invalid("facts", f"expected a list, found {_describe(value)}")
    facts: dict[tuple[str, str], Location] = {}
    for i, item in enumerate(value):
        where = f"facts[{i}]"
        if not isinstance(item, dict) or set(item) != {"object", "aspect", "location"}:
            raise _Invalid(where, "expected an object with object, aspect and location")
        if not isinstance(item["object"], str) or not isinstance(item["aspect"], str):
            raise _Invalid(where, "object and aspect must be strings")
        facts[(item["object"], item["aspect"])] = _decode_dataclass(
            Location, item["location"], f"{where}.location"
        )
    return facts


def is_model_json(path: str | Path) -> bool:
    """True when the file looks like a model dump (a JSON object naming schema_version near its start)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    return text.startswith("{") and '"schema_version"' in text
