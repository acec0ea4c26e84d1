"""What several reporters share: counts, grouping, fingerprints, rule lookup."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schemalint.findings import Finding, RuleInfo, RunError
from schemalint.report import Report

PLURAL = {"error": "errors", "warning": "warnings", "info": "infos"}


@dataclass(frozen=True, slots=True)
class Counts:
    errors: int
    warnings: int
    infos: int
    suppressed: int

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos


def counts(findings: Iterable[Finding]) -> Counts:
    """Unsuppressed findings by severity, and how many are suppressed."""
    tally = {"error": 0, "warning": 0, "info": 0}
    suppressed = 0
    for f in findings:
        if f.suppressed:
            suppressed += 1
        else:
            tally[f.severity] += 1
    return Counts(tally["error"], tally["warning"], tally["info"], suppressed)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def severity_phrase(c: Counts) -> str:
    """``3 errors, 1 warning, 0 infos``."""
    return ", ".join([plural(c.errors, "error"), plural(c.warnings, "warning"), plural(c.infos, "info")])


def scope_phrase(report: Report) -> str:
    """What was looked at: ``4 files, 120 statements`` or ``1 source, 230 objects``."""
    if report.command == "drift" or not report.files:
        parts = [plural(len(report.sources), "source"), plural(report.objects, "object")]
    else:
        parts = [plural(report.files, "file"), plural(report.statements, "statement")]
    return ", ".join(parts)


def group_label(f: Finding) -> str:
    """The file a finding is in, else the source it came from (a masked DSN), else ``schema``."""
    if f.location is not None:
        return f.location.path
    return f.source or "schema"


def grouped(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings sorted and grouped by file (files first), then live findings by source."""
    groups: dict[tuple[bool, str], list[Finding]] = {}
    for f in sorted(findings, key=lambda f: f.sort_key):
        groups.setdefault((f.location is None, group_label(f)), []).append(f)
    return [(label, items) for (_live, label), items in sorted(groups.items())]


def fingerprint(f: Finding) -> str:
    """The engine's fingerprint, or (for findings made without one) a hash of what identifies them."""
    if f.fingerprint:
        return f.fingerprint
    loc = f.location
    key = "\x1f".join([f.code, f.object or "", loc.path if loc else (f.source or ""), f.message])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def unique_fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, made unique by occurrence where findings share one."""
    return made_unique(fingerprint(f) for f in findings)


def made_unique(fingerprints: Iterable[str]) -> list[str]:
    """The fingerprints, a repeated one suffixed by its occurrence (GitLab deduplicates by fingerprint)."""
    seen: dict[str, int] = {}
    result = []
    for base in fingerprints:
        n = seen.get(base, 0)
        seen[base] = n + 1
        result.append(base if n == 0 else hashlib.sha256(f"{base}:{n}".encode()).hexdigest()[:32])
    return result


def all_rules(report: Report) -> list[RuleInfo]:
    """The report's rules by code, plus a minimal entry for codes only the findings know (E001, drift)."""
    rules = dict(report.rules)
    for f in report.findings:
        if f.code not in rules:
            rules[f.code] = RuleInfo(f.code, f.slug, f.severity, f.slug.replace("-", " "))
    return [rules[code] for code in sorted(rules)]


def position(f: Finding) -> str:
    """``path:line:col`` for file findings, the object (or source) for live ones."""
    if f.location is not None:
        return f"{f.location.path}:{f.location.line}:{f.location.col}"
    return f.object or f.source or "schema"


def failure_phrase(report: Report) -> str:
    """``schemalint lint failed: 2 run errors`` (run errors, not findings of severity error)."""
    return f"schemalint {report.command} failed: {plural(len(report.errors), 'run error')}"


def error_fingerprint(error: RunError) -> str:
    """Stable across runs while the error stays: what, where (not the line, as for findings)."""
    key = "\x1f".join(["schemalint-error", error.path or error.target or "", error.message])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
