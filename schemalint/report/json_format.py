"""The json format: a documented, versioned shape (schemalint/report/findings.schema.json).

Findings are sorted (file findings by path and position, then live findings
by source and object); suppressed findings are included with
``"suppressed": true`` and left out of the summary counts. ``fixed`` lists
the baseline entries that no longer occur. ``errors`` lists what the run
could not do (a file it could not read, a target it could not reach): a
document with errors is a failed run, whatever its findings.
"""

from __future__ import annotations

from typing import Any

from schemalint import jsontext
from schemalint.findings import Finding, RunError
from schemalint.report import Report
from schemalint.report.common import counts, fingerprint

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "code": f.code,
        "slug": f.slug,
        "severity": f.severity,
        "message": f.message,
        "help": f.help,
        "path": loc.path if loc else None,
        "line": loc.line if loc else None,
        "column": loc.col if loc else None,
        "end_line": loc.end_line if loc else None,
        "end_column": loc.end_col if loc else None,
        "object": f.object,
        "fingerprint": fingerprint(f),
        "suppressed": f.suppressed,
        "source": f.source,
    }


def error_dict(error: RunError) -> dict[str, Any]:
    return {"message": error.message, "path": error.path, "line": error.line, "target": error.target}


def document(report: Report) -> dict[str, Any]:
    c = counts(report.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "schemalint", "version": report.tool_version},
        "run": {"command": report.command, "sources": list(report.sources), "fail_on": report.fail_on},
        # Finding objects, made dicts one at a time as they are written (encode): 200,000 findings
        # as dicts at once took more memory than the text they make
        "findings": sorted(report.findings, key=_order),
        "summary": {
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
            "suppressed": c.suppressed,
            "files": report.files,
            "statements": report.statements,
            "objects": report.objects,
        },
        "fixed": [
            {
                "fingerprint": e.fingerprint,
                "code": e.code,
                "object": e.object,
                "message": e.message,
                "count": e.count,
            }
            for e in report.fixed
        ],
        "errors": [error_dict(e) for e in report.errors],
    }


def _order(f: Finding) -> tuple[bool, tuple[str, int, int, str, str]]:
    return (f.location is None, f.sort_key)


def render(report: Report) -> str:
    return encode(report).decode("utf-8")


def encode(report: Report) -> bytes:
    """render() as UTF-8 bytes, for output too large to hold as bytes and text at once."""
    return jsontext.encode(document(report), default=_finding_fields)


def _finding_fields(value: Any) -> Any:
    if isinstance(value, Finding):
        return finding_dict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
