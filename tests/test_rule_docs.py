"""Rule docs are executed: every rule's `## Bad` fires it, its `## Good` does not.

How an example runs: each ```sql block of a section is one migration file,
in order (V1, V2, …); the last block is the file linted, the earlier ones are
the migrations before it. A block whose first line is `-- file: NAME` is
written under that name, and `-- file: NAME, next to OTHER` also creates an
empty OTHER beside it (for rules about file names and down files). Model rules
and statement rules both run, through the engine, with the standard pack and
every rule selected.

Strictness, decided and checked here:
- Bad: the rule fires at least once (other rules may fire too: a Bad example
  of one naming rule need not be perfect in every other respect).
- Good: the rule does not fire at all.
- Both: every statement parses, and no rule crashes (no E002). Examples of
  model rules also replay completely (no E001); examples of statement rules
  may touch tables the example does not create (E001 "does not exist"),
  because a statement rule judges one statement against whatever came before.
- Rules that cannot be shown with SQL replay are listed in NOT_EXECUTABLE with
  the reason, and their docs must still have ## Why.
- Drift rules (D…): a section has two ```sql blocks, the declared schema and
  the live one. Both are replayed (completely: no E001), diffed, and the
  differences go through the engine's drift check: Bad fires the rule, Good
  does not.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from schemalint.config import load_settings
from schemalint.drift.diff import diff_models
from schemalint.drift.rulebase import DriftRule
from schemalint.engine import LintResult, check_drift, lint_files
from schemalint.rules.base import Rule, StatementRule
from schemalint.rules.registry import ALL_RULES
from schemalint.sources.sql.parse import parse_sql

NOT_EXECUTABLE = {
    "E002": "a crash is not caused by SQL; tests/test_engine.py injects one",
    "S001": "reads the live server's encoding; replay does not record CREATE DATABASE",
    "S002": "reads the live server's TimeZone; replay does not record ALTER DATABASE SET",
    "P002": "reads a live database and today's date; a migration directory says nothing about today",
}
FILE_MARKER = re.compile(r"\A--\s*file:\s*(?P<name>[^\s,()]+)(?P<rest>[^\n]*)")
SECTIONS = re.compile(r"^## (\w[\w ]*)$", re.M)
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)


def sections(rule: type[Rule]) -> dict[str, str]:
    doc = inspect.cleandoc(rule.__doc__ or "")
    heads = list(SECTIONS.finditer(doc))
    out = {}
    for head, following in zip(heads, [*heads[1:], None], strict=True):
        end = following.start() if following else len(doc)
        out[head.group(1)] = doc[head.end() : end]
    return out


def sql_blocks(text: str) -> list[str]:
    return [_dedent(block) for block in SQL_BLOCK.findall(text)]


def _dedent(block: str) -> str:
    import textwrap

    return textwrap.dedent(block)


def run_drift_example(tmp_path: Path, blocks: list[str]) -> LintResult:
    """A drift rule's example: the first block declared, the second live, replayed and diffed."""
    from schemalint.sources.sql.replay import replay_files

    assert len(blocks) == 2, "a drift example is two ```sql blocks: declared, then live"
    models = []
    for name, block in zip(("declared.sql", "live.sql"), blocks, strict=True):
        replayed = replay_files([parse_sql(block, name)])
        assert not replayed.findings, f"{name} does not replay: {replayed.findings[0].message}"
        models.append(replayed.model)
    settings = load_settings(tmp_path, discover=False)
    result, _ = check_drift(diff_models(*models), settings, declared_label="declared", live_label="live")
    return result


def run_example(tmp_path: Path, blocks: list[str], *, must_parse: bool = True) -> LintResult:
    directory = tmp_path / "migrations"
    directory.mkdir()
    paths = []
    for number, block in enumerate(blocks, start=1):
        name = f"V{number}__example.sql"
        marker = FILE_MARKER.match(block)
        if marker:
            name = marker["name"]
            beside = re.search(r"next to (\S+?)[,.)]?(\s|$)", marker["rest"])
            if beside:
                (directory / beside.group(1)).write_text("", encoding="utf-8")
        path = directory / name
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    for path in paths:
        unparsed = [s for s in parse_sql(path.read_text(), str(path)).statements if s.kind == "error"]
        assert not (must_parse and unparsed), f"{path.name}: example does not parse: {unparsed[0].error}"
    settings = load_settings(tmp_path, discover=False, cli_overrides={"select": ["ALL"]})
    return lint_files([paths[-1]], settings, migrations_dir=directory)


def _run(rule: type[Rule], tmp_path: Path, blocks: list[str], *, must_parse: bool = True) -> LintResult:
    if issubclass(rule, DriftRule):
        return run_drift_example(tmp_path, blocks)
    return run_example(tmp_path, blocks, must_parse=must_parse)


def not_allowed(rule: type[Rule]) -> set[str]:
    """Engine findings an example of this rule must not produce."""
    bad = {"E002"} if issubclass(rule, StatementRule) else {"E001", "E002"}
    return bad - {rule.code}


def _describe(result: LintResult) -> str:
    return "\n".join(f"  {f.location} {f.code} {f.message}" for f in result.findings)


EXECUTABLE = [r for r in ALL_RULES if r.code not in NOT_EXECUTABLE]


@pytest.mark.parametrize("rule", EXECUTABLE, ids=lambda r: r.code)
def test_bad_example_fires_the_rule(rule: type[Rule], tmp_path: Path) -> None:
    blocks = sql_blocks(sections(rule).get("Bad", ""))
    assert blocks, f"{rule.code}: ## Bad has no ```sql block"
    result = _run(rule, tmp_path, blocks, must_parse=rule.code != "E001")
    codes = [f.code for f in result.findings if not f.suppressed]
    assert rule.code in codes, f"{rule.code} Bad example did not fire it; findings:\n{_describe(result)}"
    broken = not_allowed(rule) & set(codes)
    assert not broken, f"{rule.code} Bad example does not replay cleanly:\n{_describe(result)}"


@pytest.mark.parametrize("rule", EXECUTABLE, ids=lambda r: r.code)
def test_good_example_does_not_fire_the_rule(rule: type[Rule], tmp_path: Path) -> None:
    blocks = sql_blocks(sections(rule).get("Good", ""))
    assert blocks, f"{rule.code}: ## Good has no ```sql block"
    result = _run(rule, tmp_path, blocks)
    codes = {f.code for f in result.findings if not f.suppressed}
    assert rule.code not in codes, f"{rule.code} Good example fires it:\n{_describe(result)}"
    broken = not_allowed(rule) & codes
    assert not broken, f"{rule.code} Good example does not replay cleanly:\n{_describe(result)}"


def test_not_executable_rules_say_why_in_their_docs() -> None:
    for code in NOT_EXECUTABLE:
        rule = next(r for r in ALL_RULES if r.code == code)
        parts = sections(rule)
        assert "Why" in parts, code


def test_docs_rules_md_is_generated_from_the_docstrings() -> None:
    from schemalint.report.rules_doc import rules_markdown
    from schemalint.rules.registry import rule_infos

    committed = Path(__file__).parents[1] / "docs" / "rules.md"
    assert committed.read_text(encoding="utf-8") == rules_markdown(rule_infos().values()), (
        "docs/rules.md is stale: python -m schemalint.report.rules_doc > docs/rules.md"
    )
    for info in rule_infos().values():  # every help_uri lands on a section
        assert f'<a id="{info.help_uri.rpartition("#")[2]}"></a>' in committed.read_text(encoding="utf-8")


def test_explain_prints_the_summary_once() -> None:
    from schemalint.report import render_explain
    from schemalint.rules.registry import rule_infos

    for info in rule_infos().values():
        assert render_explain(info).count(info.summary) == 1, info.code
