"""Rule documentation: the ``schemalint rules`` table, ``schemalint explain`` and docs/rules.md.

docs/rules.md is generated from the same docstrings ``explain`` prints
(``python -m schemalint.report.rules_doc > docs/rules.md``); a test fails when
the committed file is stale.
"""

from __future__ import annotations

import re
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
    body = _body(info)
    if body:
        parts += ["", body]
    parts += ["", f"Docs: {info.help_uri}"]
    return "\n".join(parts) + "\n"


def _body(info: RuleInfo) -> str:
    """The documentation after its summary line (which is printed once, as the summary)."""
    description = info.description.strip()
    if description.startswith(info.summary):
        description = description[len(info.summary) :]
    return description.strip()


_HEADING = re.compile(r"^(#+) ", re.M)


def rules_markdown(rules: Iterable[RuleInfo]) -> str:
    """docs/rules.md: one section per rule, in code order, anchored by its lower-case code
    (the anchor of every ``help_uri``); the docstring's own ## headings become ###."""
    ordered = sorted(rules, key=lambda r: r.code)
    lines = [
        "# Rules",
        "",
        "<!-- Generated from the rules' docstrings by "
        "`python -m schemalint.report.rules_doc > docs/rules.md`; do not edit by hand. -->",
        "",
        "Every rule of schemalint, as `schemalint explain CODE` prints it.",
        "",
        "| code | slug | severity | summary |",
        "|---|---|---|---|",
        *(f"| [{r.code}](#{r.code.lower()}) | `{r.slug}` | {r.severity} | {r.summary} |" for r in ordered),
    ]
    for info in ordered:
        lines += ["", f'<a id="{info.code.lower()}"></a>', "", f"## {info.code} `{info.slug}`", ""]
        lines.append(f"{info.summary}")
        lines += ["", f"Default severity: {info.severity}."]
        if info.tags:
            lines[-1] += f" Tags: {', '.join(info.tags)}."
        body = _HEADING.sub(lambda m: "#" * (len(m.group(1)) + 1) + " ", _body(info))
        if body:
            lines += ["", body]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from schemalint.rules.registry import rule_infos

    print(rules_markdown(rule_infos().values()), end="")
