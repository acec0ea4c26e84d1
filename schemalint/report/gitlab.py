"""The gitlab format: a Code Quality report (``artifacts:reports:codequality``).

A JSON array of issues with description, check_name, fingerprint, severity
(info → info, warning → minor, error → major) and location.path /
location.lines.begin. GitLab deduplicates by fingerprint, so findings that
share one get an occurrence-suffixed fingerprint. Live-database findings are
located at their source label, line 1. Suppressed findings are left out.
What the run could not do (a file it could not read, a target it could not
reach) comes first: check_name ``schemalint-error``, severity blocker, a
fingerprint of what and where, located in its file (or at its target label).
"""

from __future__ import annotations

from typing import Any

from schemalint import jsontext
from schemalint.findings import Finding, RunError
from schemalint.report import Report
from schemalint.report.common import error_fingerprint, made_unique, unique_fingerprints

SEVERITIES = {"info": "info", "warning": "minor", "error": "major"}


def _issue(f: Finding, fingerprint: str) -> dict[str, Any]:
    description = f"{f.code} {f.slug}: {f.message}"
    if f.location is None and f.object:
        description = f"{f.code} {f.slug}: {f.object}: {f.message}"
    issue: dict[str, Any] = {
        "type": "issue",
        "description": description,
        "check_name": f.code,
        "fingerprint": fingerprint,
        "severity": SEVERITIES[f.severity],
        "categories": ["Style"],
        "location": {
            "path": f.location.path if f.location else (f.source or "schema"),
            "lines": {"begin": f.location.line if f.location else 1},
        },
    }
    if f.help:
        issue["content"] = {"body": f.help}
    return issue


def _error_issue(error: RunError, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": f"schemalint could not check this: {error.message}",
        "check_name": "schemalint-error",
        "fingerprint": fingerprint,
        "severity": "blocker",
        "categories": ["Bug Risk"],
        "location": {
            "path": error.path or error.target or "schemalint",
            "lines": {"begin": error.line or 1},
        },
    }


def render(report: Report) -> str:
    findings = sorted(
        (f for f in report.findings if not f.suppressed), key=lambda f: (f.location is None, f.sort_key)
    )
    error_fingerprints = made_unique(error_fingerprint(e) for e in report.errors)
    issues = [_error_issue(e, fp) for e, fp in zip(report.errors, error_fingerprints, strict=True)]
    issues += [_issue(f, fp) for f, fp in zip(findings, unique_fingerprints(findings), strict=True)]
    return jsontext.dumps(issues)
