"""Section 3 of the schema document: the conventions, read from the rule pack's options.

The template's three tables (3.1 Naming Conventions, 3.2 Standard Columns,
3.3 Data Type Standards) are filled in from the rules that are on and their
options, so the document states the standard the schema is checked against.
A row whose rule is off is left out; each table names its rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Pack = Mapping[str, Mapping[str, Any]]  # code → {severity, options, slug, summary}

_COLUMN_NOTES = {
    "id": "Surrogate primary key",
    "created_at": "Set on insert, never changed",
    "updated_at": "Kept current by a trigger",
    "deleted_at": "Soft delete (NULL = active)",
    "version": "Optimistic lock counter",
}


def _on(pack: Pack, code: str) -> Mapping[str, Any] | None:
    entry = pack.get(code)
    if entry is None or entry.get("severity") == "off":
        return None
    options = entry.get("options") or {}
    return options if isinstance(options, Mapping) else {}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("-" * (len(h) + 2) for h in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _exempt(options: Mapping[str, Any]) -> str:
    tables = list(options.get("exempt_tables") or ())
    if not tables:
        return ""
    shown = ", ".join(f"`{t}`" for t in tables[:3])
    more = f" and {len(tables) - 3} more" if len(tables) > 3 else ""
    return f"; not {shown}{more}"


def pattern_words(patterns: Any, limit: int = 8) -> str:
    """The words of ``(^|_)(amount|price|…)(_|$)`` patterns, readably: ``amount``, ``price``, …"""
    words: list[str] = []
    for pattern in patterns or ():
        for group in re.findall(r"\(([a-z0-9_|]+)\)", str(pattern)):
            words += [w for w in group.split("|") if w and w not in words]
    shown = ", ".join(f"`{w}`" for w in words[:limit])
    return shown + (f" and {len(words) - limit} more" if len(words) > limit else "")


def _naming(pack: Pack) -> list[list[str]]:
    rows: list[list[str]] = []
    if (o := _on(pack, "N001")) is not None:
        rows.append(["Tables", f"`snake_case`, plural{_exempt(o)} (N001)", "`user_profiles`, `order_items`"])
    if _on(pack, "N002") is not None:
        rows.append(["Columns", "`snake_case` (N002)", "`created_at`, `tenant_id`"])
    if (o := _on(pack, "N003")) is not None:
        types = (_on(pack, "C003") or {}).get("types") or ()
        of = f" ({', '.join(f'`{t}`' for t in types)})" if types else ""
        rows.append(
            ["Primary keys", f"Always `id`{of} (N003{', C003' if of else ''})", "`id uuid PRIMARY KEY`"]
        )
    if (o := _on(pack, "N004")) is not None:
        extra = ""
        if o.get("allow_role_prefix"):
            extra += "; a role prefix is allowed (`created_by_user_id`)"
        if o.get("self_reference_names"):
            extra += f"; self-references: {', '.join(f'`{n}`' for n in o['self_reference_names'])}"
        rows.append(
            ["Foreign keys", f"`{{referenced_table_singular}}_id`{extra} (N004)", "`user_id`, `tenant_id`"]
        )
    if (o := _on(pack, "N005")) is not None:
        template = o.get("template", "idx_{table}_{columns}")
        rows.append(["Indexes", f"`{template}` (N005)", "`idx_users_email`"])
    if (o := _on(pack, "N006")) is not None:
        template = o.get("template", "uq_{table}_{columns}")
        rows.append(["Unique indexes", f"`{template}` (N006)", "`uq_users_tenant_email`"])
    if _on(pack, "N007") is not None:
        rows.append(["Enum types", "`snake_case` (N007)", "`user_role`, `order_status`"])
    if (o := _on(pack, "N008")) is not None:
        rows.append(
            [
                "Junction tables",
                f"`{{table1}}_{{table2}}` (alphabetical){_exempt(o)} (N008)",
                "`role_permissions`",
            ]
        )
    if _on(pack, "N009") is not None:
        rows.append(["Identifiers", "At most 63 bytes (N009)", ""])
    return rows


def _standard_columns(pack: Pack) -> tuple[list[list[str]], str]:
    options = _on(pack, "C001") or _on(pack, "C002")
    if options is None:
        return [], ""
    rows = []
    columns = options.get("columns") or options.get("standard_columns") or {}
    for name, spec in columns.items():
        spec = spec or {}
        default = spec.get("default")
        rows.append(
            [
                f"`{name}`",
                f"`{spec.get('type', '')}`",
                "NO" if spec.get("not_null") else "YES",
                f"`{_cell(str(default))}`" if default is not None else "`NULL`",
                _COLUMN_NOTES.get(name, ""),
            ]
        )
    codes = [c for c in ("C001", "C002", "C004") if _on(pack, c) is not None]
    return rows, f"Every table has these columns ({', '.join(codes)}{_exempt(options)})."


def _types(pack: Pack) -> list[list[str]]:
    rows: list[list[str]] = []
    if (o := _on(pack, "C003")) is not None:
        default = ((_on(pack, "C001") or {}).get("columns") or {}).get("id", {}) or {}
        note = f"`{default['default']}` default" if default.get("default") else ""
        rows.append(["Primary keys", ", ".join(f"`{t}`" for t in o.get("types") or ()), f"{note} (C003)"])
    if _on(pack, "T004") is not None:
        rows.append(["Short strings", "`varchar(N)`", "Always with a length (T004)"])
    if (o := _on(pack, "T001")) is not None:
        words = pattern_words(o.get("patterns"))
        rows.append(
            ["Money / currency", f"`{o.get('type', 'numeric(19,4)')}`", f"Columns named {words} (T001)"]
        )
    if _on(pack, "T002") is not None:
        rows.append(["Timestamps", "`timestamptz`", "Always with time zone (T002)"])
    if _on(pack, "T003") is not None:
        rows.append(["JSON data", "`jsonb`", "Never `json` (T003)"])
    if (o := _on(pack, "T005")) is not None:
        rows.append(["IP addresses", "`inet`", f"Columns named {pattern_words(o.get('patterns'))} (T005)"])
    if (o := _on(pack, "K002")) is not None and o.get("soft_delete_column"):
        column = o["soft_delete_column"]
        rows.append(
            [
                "Soft delete",
                f"`{column}` timestamptz",
                f"Unique indexes are partial `WHERE {column} IS NULL` (K002)",
            ]
        )
    tenant = next(
        (o.get("tenant_column") for c in ("R001", "K003") if (o := _on(pack, c)) and o.get("tenant_column")),
        None,
    )
    if tenant:
        rows.append(
            [
                "Tenant key",
                f"`{tenant}`",
                "Tenant tables have row-level security and an index on it (R001, K003)",
            ]
        )
    return rows


def conventions_lines(pack: Pack | None) -> list[str]:
    """The lines of section 3, heading included."""
    lines = ["## 3. Schema Conventions", ""]
    if not pack:
        lines += ["_No rule pack given: the conventions are not checked._", ""]
        pack = {}
    naming = _naming(pack)
    lines += ["### 3.1 Naming Conventions", ""]
    lines += _table(["Element", "Convention", "Example"], naming) if naming else ["_Naming is not checked._"]
    columns, note = _standard_columns(pack)
    lines += ["", "### 3.2 Standard Columns (all tables)", ""]
    if columns:
        lines += [note, "", *_table(["Column", "Type", "Nullable", "Default", "Description"], columns)]
    else:
        lines.append("_Standard columns are not checked._")
    types = _types(pack)
    lines += ["", "### 3.3 Data Type Standards", ""]
    lines += _table(["Data", "PostgreSQL Type", "Notes"], types) if types else ["_Types are not checked._"]
    return lines
