"""Move a model from one schema name to another (schema-per-tenant drift)."""

from __future__ import annotations

import dataclasses
from typing import Any

from schemalint.model import OBJECT_MAPPINGS, Model
from schemalint.typenorm import quote_ident


def with_schema(model: Model, old: str, new: str) -> Model:
    """The same model with every object and reference in schema ``old`` moved to ``new``."""
    prefixes = {f"{old}.": f"{new}.", f"{quote_ident(old)}.": f"{quote_ident(new)}."}

    def text(value: str) -> str:
        for before, after in prefixes.items():
            if value.startswith(before):
                return after + value[len(before) :]
            value = value.replace(f"({before}", f"({after}").replace(f", {before}", f", {after}")
        return value

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, tuple):
            return tuple(walk(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: walk(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.name not in ("location", "schema", "name")
            }
            if getattr(value, "schema", None) == old:
                changes["schema"] = new
            if type(value).__name__ == "Schema" and value.name == old:  # type: ignore[attr-defined]
                changes["name"] = new
            return dataclasses.replace(value, **changes)
        return value

    def rekey(mapping: Any) -> dict[str, Any]:
        moved = [walk(v) for v in mapping.values()]
        return {v.qualname: v for v in moved}

    moved: dict[str, Any] = {name: rekey(getattr(model, name)) for name in OBJECT_MAPPINGS}
    return Model(**moved, database=model.database)
