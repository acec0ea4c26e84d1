"""The registry: one place, unique codes and slugs, every rule module registered, docs well-formed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import schemalint.drift
import schemalint.rules
from schemalint.drift.rulebase import DriftRule
from schemalint.rules.base import ModelRule, Rule, StatementRule
from schemalint.rules.engine_rules import EngineRule
from schemalint.rules.registry import ALL_RULES, ENGINE_CODES, did_you_mean, rule_by_code_or_slug, rule_infos

HEADINGS = ("Why", "Bad", "Good", "Options", "Notes")
REQUIRED = ("Why",)


def test_codes_and_slugs_are_unique() -> None:
    codes = [r.code for r in ALL_RULES]
    slugs = [r.slug for r in ALL_RULES]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert len(slugs) == len(set(slugs)), sorted(s for s in slugs if slugs.count(s) > 1)
    assert not set(codes) & set(slugs)


def test_every_rule_module_is_registered() -> None:
    registered = set(ALL_RULES)
    defined: set[type[Rule]] = set()
    modules = [f"schemalint.rules.{info.name}" for info in pkgutil.iter_modules(schemalint.rules.__path__)]
    modules += [f"schemalint.drift.{info.name}" for info in pkgutil.iter_modules(schemalint.drift.__path__)]
    for name in modules:
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ != module.__name__ or not issubclass(value, Rule):
                continue
            if getattr(value, "code", None) is None:
                continue  # a base class without a code (Rule, ModelRule, a shared helper base)
            defined.add(value)
        exported = getattr(module, "RULES", ())
        assert set(exported) <= registered, f"{name}.RULES has unregistered rules"
    missing = sorted(r.__name__ for r in defined - registered)
    assert not missing, f"rules defined but not in ALL_RULES: {missing}"
    assert len(defined) == len(registered)


def test_rules_are_sorted_by_code_and_well_formed() -> None:
    assert [r.code for r in ALL_RULES] == sorted(r.code for r in ALL_RULES)
    for rule in ALL_RULES:
        assert re.fullmatch(r"[A-Z][0-9]{3}", rule.code), rule.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.slug), rule.slug
        assert not rule.slug.startswith(("ban-", "prefer-", "require-", "no-")), rule.slug
        assert rule.severity in ("error", "warning", "info"), rule.code
        kinds = [issubclass(rule, k) for k in (ModelRule, StatementRule, EngineRule, DriftRule)]
        assert kinds.count(True) == 1, f"{rule.code} must be exactly one of model/statement/engine/drift rule"
        assert (rule.code in ENGINE_CODES) == issubclass(rule, EngineRule)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_docstring_headings_are_present_and_ordered(rule: type[Rule]) -> None:
    doc = inspect.cleandoc(rule.__doc__ or "")
    summary = doc.splitlines()[0] if doc else ""
    assert summary and not summary.startswith("#"), f"{rule.code}: the first line is the summary"
    found = re.findall(r"^## (\w[\w ]*)$", doc, re.M)
    for heading in REQUIRED:
        assert heading in found, f"{rule.code}: missing ## {heading}"
    known = [h for h in found if h in HEADINGS]
    assert known == sorted(known, key=HEADINGS.index), f"{rule.code}: headings out of order: {found}"
    if rule.code != "E002":  # a crash has no SQL example
        assert "Bad" in found and "Good" in found, f"{rule.code}: missing ## Bad or ## Good"


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.options], ids=lambda r: r.code)
def test_options_section_names_exactly_the_options(rule: type[Rule]) -> None:
    doc = inspect.cleandoc(rule.__doc__ or "")
    match = re.search(r"^## Options\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
    assert match, f"{rule.code} has options but no ## Options section"
    documented = set(re.findall(r"^- `(\w+)`", match.group(1), re.M))
    assert documented == {o.name for o in rule.options}, rule.code


def test_lookup_by_code_slug_and_case() -> None:
    assert rule_by_code_or_slug("T002") is rule_by_code_or_slug("timestamp-without-time-zone")
    assert rule_by_code_or_slug("t002") is rule_by_code_or_slug("T002")
    assert rule_by_code_or_slug("T999") is None
    assert did_you_mean("timestamp-without-timezone") == " (did you mean timestamp-without-time-zone?)"
    assert did_you_mean("zzzz") == ""
    infos = rule_infos()
    assert list(infos) == [r.code for r in ALL_RULES]
    assert infos["N001"].slug == "table-name-not-snake-plural"


def test_statement_rule_kinds_are_libpg_query_statement_kinds() -> None:
    from postgast import pg_query_pb2 as pb

    node_kinds = {f.name for f in pb.Node.DESCRIPTOR.oneofs_by_name["node"].fields}
    declared = [r for r in ALL_RULES if issubclass(r, StatementRule) and r.kinds is not None]
    assert declared, (
        "no statement rule declares its kinds: the engine would call every rule on every statement"
    )
    for rule in declared:
        assert rule.kinds or rule.at_end, rule.code  # an end-of-file rule may read no statement
        assert rule.kinds <= node_kinds, (rule.code, sorted(rule.kinds - node_kinds))
