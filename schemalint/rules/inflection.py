"""English inflection for table names: plural or not, singular and plural of a snake_case name.

inflect is imported on first use (see _inflector): the pre-commit path that lints no table name
never pays for it.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import inflect

UNCOUNTABLE_DEFAULT = [
    "data", "metadata", "media", "news", "series", "information", "equipment", "feedback",
    "analytics", "software", "staff", "history", "audit", "settings", "access", "inventory",
]  # fmt: skip


@lru_cache(maxsize=1)
def _inflector() -> inflect.engine:
    """inflect's engine, imported on first use without typeguard's instrumentation.

    inflect 7 decorates its engine with typeguard's ``@typechecked``, which re-parses and
    recompiles inflect's source at import: 2.0 s of a 2.3 s pre-commit run (35 ms without it).
    The decorator only checks argument types at run time (we pass non-empty str), so inflect is
    imported with an identity decorator in its place; the real typeguard, if loaded, is restored.
    """
    if "inflect" not in sys.modules:
        stub = types.ModuleType("typeguard")
        stub.typechecked = lambda target=None, **_options: target  # type: ignore[attr-defined]
        real = sys.modules.get("typeguard")
        sys.modules["typeguard"] = stub
        try:
            import inflect
        finally:
            if real is None:
                del sys.modules["typeguard"]
            else:
                sys.modules["typeguard"] = real
    import inflect

    return inflect.engine()


@lru_cache(maxsize=4096)
def _singular_noun(word: str) -> str | bool:
    """inflect's singular of a word (False when the word is not a plural); words repeat across tables."""
    one: str | bool = _inflector().singular_noun(word)
    return one


@lru_cache(maxsize=4096)
def _plural_noun(word: str) -> str:
    return str(_inflector().plural_noun(word) or word)


def is_plural(word: str, uncountable: Iterable[str] = ()) -> bool:
    """Whether the (last) word of a snake_case name is plural, or an uncountable noun."""
    last = word.rsplit("_", 1)[-1]
    if not last or last in uncountable:
        return True
    return _singular_noun(last) is not False


def singular(table_name: str, uncountable: Iterable[str] = ()) -> str:
    """The singular of a snake_case table name: its last word singularised (order_items → order_item)."""
    head, _, last = table_name.rpartition("_")
    if not last or last in uncountable:
        return table_name
    one = _singular_noun(last)
    word = one if isinstance(one, str) and one else last
    return f"{head}_{word}" if head else word


def plural(table_name: str) -> str:
    head, _, last = table_name.rpartition("_")
    word = _plural_noun(last) if last else last
    return f"{head}_{word}" if head else word
