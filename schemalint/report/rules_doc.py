"""Plain-text rule documentation: the ``schemalint rules`` table and ``schemalint explain``."""

from __future__ import annotations

from collections.abc import Iterable

from schemalint.findings import RuleInfo


def rules_table(rules: Iterable[RuleInfo]) -> str:
    """Code, slug, severity and summary of each rule, sorted by code, in aligned columns."""
    ordered = sorted(rules, key=lambda r: r.code)
    header = ("code", "slug", "severity", "summary")
    rows = [header, *((r.code, r.slug, r.severity, r.summary) for r in ordered)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    lines.insert(1, "  ".join("-" * w for w in [*widths, len(header[3])]))
    lines.append(f"\n{len(ordered)} rules. `schemalint explain CODE` shows a rule's documentation.")
    return "\n".join(lines) + "\n"


def explain(info: RuleInfo) -> str:
    """The rule's heading, summary, documentation (markdown as written) and docs link."""
    parts = [f"{info.code} {info.slug} (default severity: {info.severity})", "", info.summary]
    if info.tags:
        parts.append(f"Tags: {', '.join(info.tags)}")
    description = info.description.strip()
    if description and description != info.summary:
        parts += ["", description]
    parts += ["", f"Docs: {info.help_uri}"]
    return "\n".join(parts) + "\n"
