"""The baseline: fingerprints of known findings (legacy debt) that do not fail a run.

A baseline file is JSON, written by ``schemalint baseline`` and read by
``--baseline FILE``::

    {
      "schemalint_baseline": 1,
      "findings": [
        {"fingerprint": "3f2a…", "code": "N001", "object": "public.Orders",
         "message": "Table public.Orders is not snake_case plural.", "count": 1}
      ]
    }

Entries are keyed by fingerprint (stable across edits that do not change the
statement); code, object and message are there for the people who review the
file. Line numbers are never stored, so unrelated edits do not churn the
file. ``count`` is how many findings share the fingerprint: a baseline that
knows one occurrence does not hide a second one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemalint import jsontext
from schemalint.errors import ConfigError
from schemalint.findings import Finding

BASELINE_VERSION = 1


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    code: str
    object: str | None
    message: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = ()

    def counts(self) -> Counter[str]:
        """How many occurrences of each fingerprint the baseline accepts."""
        counts: Counter[str] = Counter()
        for entry in self.entries:
            counts[entry.fingerprint] += entry.count
        return counts


def baseline_entries(findings: Iterable[Finding]) -> list[BaselineEntry]:
    """One entry per fingerprint of the unsuppressed findings, sorted by code, object, fingerprint."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.suppressed or not finding.fingerprint:
            continue
        grouped.setdefault(finding.fingerprint, []).append(finding)
    entries = []
    for fingerprint, group in grouped.items():
        first = min(group, key=lambda f: f.sort_key)
        entries.append(BaselineEntry(fingerprint, first.code, first.object, first.message, len(group)))
    entries.sort(key=lambda e: (e.code, e.object or "", e.fingerprint))
    return entries


def write_baseline(findings: Iterable[Finding]) -> str:
    """The baseline file's text for these findings (suppressed findings are left out)."""
    document = {
        "schemalint_baseline": BASELINE_VERSION,
        "findings": [
            {
                "fingerprint": e.fingerprint,
                "code": e.code,
                "object": e.object,
                "message": e.message,
                "count": e.count,
            }
            for e in baseline_entries(findings)
        ],
    }
    return jsontext.dumps(document)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; ConfigError (one line) when it is missing or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: baseline file not found; create it with `schemalint baseline SOURCE -o {path}`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the baseline file: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}:{exc.lineno}:{exc.colno}: baseline is not valid JSON ({exc.msg}); "
            "regenerate it with `schemalint baseline`"
        ) from None
    return Baseline(tuple(_entries(document, path)))


def _entries(document: object, path: Path) -> Iterable[BaselineEntry]:
    if not isinstance(document, dict) or document.get("schemalint_baseline") != BASELINE_VERSION:
        raise ConfigError(
            f"{path}: not a schemalint baseline (expected an object with "
            f'"schemalint_baseline": {BASELINE_VERSION}); regenerate it with `schemalint baseline`'
        )
    items = document.get("findings")
    if not isinstance(items, list):
        raise ConfigError(f'{path}: "findings" must be a list, found {type(items).__name__}')
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: finding #{number} must be an object, found {type(item).__name__}")
        fingerprint, code, count = item.get("fingerprint"), item.get("code"), item.get("count", 1)
        obj, message = item.get("object"), item.get("message", "")
        if not isinstance(fingerprint, str) or not fingerprint:
            raise ConfigError(f'{path}: finding #{number} has no "fingerprint" string')
        if not isinstance(code, str):
            raise ConfigError(f'{path}: finding #{number} ({fingerprint}) has no "code" string')
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ConfigError(
                f'{path}: finding #{number} ({fingerprint}): "count" must be a positive integer'
            )
        if obj is not None and not isinstance(obj, str):
            raise ConfigError(f'{path}: finding #{number} ({fingerprint}): "object" must be a string or null')
        yield BaselineEntry(fingerprint, code, obj, str(message), count)


def apply_baseline(
    findings: Sequence[Finding], baseline: Baseline
) -> tuple[list[Finding], list[BaselineEntry]]:
    """Mark the findings the baseline knows as suppressed; return them and the entries no longer seen.

    Findings keep their order. Each baseline entry hides at most ``count``
    findings of its fingerprint (the first ones in file order); findings
    already suppressed (inline ignores) do not use up an entry. The second
    value lists the entries, with their remaining count, that matched fewer
    findings than they allow: debt that was paid and can leave the baseline.
    """
    remaining = baseline.counts()
    order = sorted(range(len(findings)), key=lambda i: findings[i].sort_key)
    result = list(findings)
    for i in order:
        finding = findings[i]
        if finding.suppressed or remaining[finding.fingerprint] <= 0:
            continue
        remaining[finding.fingerprint] -= 1
        result[i] = finding.with_(suppressed=True)
    fixed: list[BaselineEntry] = []
    for entry in baseline.entries:
        left = min(entry.count, remaining[entry.fingerprint])
        if left > 0:
            fixed.append(BaselineEntry(entry.fingerprint, entry.code, entry.object, entry.message, left))
            remaining[entry.fingerprint] -= left
    return result, fixed
