"""Exit-code policy, the rules table and explain."""

from __future__ import annotations

import pytest
from golden.sample import RULES, findings

from schemalint.findings import Finding
from schemalint.report import exit_code, render_explain, render_rules


def _finding(severity: str, suppressed: bool = False) -> Finding:
    return Finding("N001", "x", severity, "m", suppressed=suppressed)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("severities", "fail_on", "expected"),
    [
        ([], "info", 0),
        (["info"], "error", 0),
        (["info"], "warning", 0),
        (["info"], "info", 1),
        (["warning"], "warning", 1),
        (["warning"], "error", 0),
        (["error"], "error", 1),
        (["error"], "never", 0),
        (["info", "warning", "error"], "warning", 1),
    ],
)
def test_exit_code(severities: list[str], fail_on: str, expected: int) -> None:
    assert exit_code([_finding(s) for s in severities], fail_on) == expected


def test_suppressed_findings_never_fail() -> None:
    assert exit_code([_finding("error", suppressed=True)], "info") == 0
    assert exit_code(findings(), "error") == 1


def test_unknown_fail_on() -> None:
    with pytest.raises(ValueError, match="unknown --fail-on level 'fatal'"):
        exit_code([], "fatal")


def test_rules_table() -> None:
    lines = render_rules(RULES).splitlines()
    assert lines[0].split() == ["code", "slug", "severity", "summary"]
    assert set(lines[1]) <= {"-", " "}
    codes = [line.split()[0] for line in lines[2 : 2 + len(RULES)]]
    assert codes == sorted(RULES)
    m001 = next(line for line in lines if line.startswith("M001"))
    assert m001.split()[:3] == ["M001", "add-column-volatile-default", "error"]
    assert m001.endswith("Adding a column with a volatile default rewrites the table.")
    # columns line up: every summary starts at the same offset
    offsets = {line.index(RULES[line.split()[0]].summary) for line in lines[2 : 2 + len(RULES)]}
    assert len(offsets) == 1
    assert lines[-1] == f"{len(RULES)} rules. `schemalint explain CODE` shows a rule's documentation."
    assert render_rules(RULES.values()) == render_rules(RULES)


def test_explain() -> None:
    text = render_explain(RULES["M001"])
    assert text.startswith("M001 add-column-volatile-default (default severity: error)\n")
    assert "Adding a column with a volatile default rewrites the table." in text
    assert "## Why" in text and "Tags: migration, locking" in text
    assert text.rstrip().endswith(RULES["M001"].help_uri)
