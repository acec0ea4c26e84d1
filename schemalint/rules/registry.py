"""The one registry of rules: every rule class, looked up by code or slug.

A rule exists for schemalint when it is in ALL_RULES; tests/test_registry.py
fails when a module of schemalint/rules (or a drift rule module) defines a
rule that is not here, or when a code or slug repeats.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from schemalint.drift import rules as drift
from schemalint.findings import RuleInfo
from schemalint.rules import (
    columns,
    engine_rules,
    identifiers,
    keys,
    migration,
    naming,
    partitions,
    rls,
    settings,
    types,
)
from schemalint.rules.base import Rule


def _sorted(rules: Iterable[type[Rule]]) -> tuple[type[Rule], ...]:
    return tuple(sorted(rules, key=lambda rule: rule.code))


ALL_RULES: tuple[type[Rule], ...] = _sorted(
    (
        *engine_rules.RULES,
        *naming.RULES,
        *identifiers.RULES,
        *columns.RULES,
        *types.RULES,
        *keys.RULES,
        *rls.RULES,
        *migration.RULES,
        *settings.RULES,
        *partitions.RULES,
        *drift.RULES,
    )
)

ENGINE_CODES: frozenset[str] = frozenset(rule.code for rule in engine_rules.RULES)
# drift rules judge `schemalint drift`, not lint: a pack's select (of lint rules) does not turn
# them off, only an explicit ignore does, as for the engine's rules
DRIFT_CODES: frozenset[str] = frozenset(rule.code for rule in drift.RULES)

_BY_NAME: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES} | {
    rule.slug: rule for rule in ALL_RULES
}


def rule_by_code_or_slug(name: str) -> type[Rule] | None:
    """The rule with this code (any case) or slug, or None."""
    return _BY_NAME.get(name) or _BY_NAME.get(name.upper())


def rule_infos() -> dict[str, RuleInfo]:
    """Every rule's RuleInfo, by code, in code order."""
    return {rule.code: rule.info() for rule in ALL_RULES}


def did_you_mean(name: str, candidates: Iterable[str] | None = None) -> str:
    """' (did you mean N001?)' for the closest code or slug, or ''."""
    pool = list(candidates) if candidates is not None else list(_BY_NAME)
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close and candidates is None:
        close = difflib.get_close_matches(name.upper(), pool, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
