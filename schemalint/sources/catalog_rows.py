"""Catalog rows of the kinds that take more than a constructor call to read: a function's
arguments, a collation. Pure: sources.catalog runs the queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from schemalint import model as m
from schemalint.depscan import split_top_level
from schemalint.typenorm import argument_text

Row = tuple[Any, ...]
Canon = Callable[[str | None], str | None]

_COLLATION_PROVIDERS: dict[str, Literal["libc", "icu", "builtin"]] = {"c": "libc", "i": "icu", "b": "builtin"}

_ARGUMENT_MODES = {"i": "", "o": "OUT ", "b": "INOUT ", "v": "VARIADIC "}


def function_arguments(
    types: list[str], modes: list[str], names: list[str] | None, defaults: str | None, canon: Canon
) -> str:
    """The arguments as pg_get_function_arguments prints them (TABLE columns left out), each
    default canonical; the defaults belong to the last input arguments."""
    pending = [canon(text) for text in split_top_level(defaults or "")]
    inputs = [i for i, mode in enumerate(modes) if mode in ("i", "b", "v")]
    default_of = dict(zip(inputs[len(inputs) - len(pending) :], pending, strict=True))
    parts = []
    for i, (type_, mode) in enumerate(zip(types, modes, strict=True)):
        if mode == "t":
            continue
        name = names[i] if names and i < len(names) else ""
        parts.append(argument_text(_ARGUMENT_MODES[mode], name, type_, default_of.get(i)))
    return ", ".join(parts)


def collation_of(row: Row) -> m.Collation:
    schema, name, provider, lc_collate, lc_ctype, locale, deterministic, comment = row
    libc = provider == "c"
    return m.Collation(
        schema=schema,
        name=name,
        provider=_COLLATION_PROVIDERS[provider],
        lc_collate=lc_collate if libc else None,
        lc_ctype=lc_ctype if libc else None,
        locale=None if libc else locale or lc_collate,  # before PostgreSQL 15, ICU's is in collcollate
        deterministic=deterministic,
        comment=comment,
    )
