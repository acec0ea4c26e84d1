"""The sarif format: SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.

Every rule of the run is in ``tool.driver.rules`` (plus a minimal entry for
codes only findings know, such as E001); each result points at its rule by
``ruleId`` and ``ruleIndex``. File findings have a physical location with a
region; live-database findings have a logical location (the object's
qualified name). Suppressed findings (ignore comments, config, baseline)
carry ``suppressions`` so viewers can show them as dismissed.

``invocations[0].executionSuccessful`` is false when the run had errors (a
file it could not read, a target it could not reach); each error is a
``toolExecutionNotifications`` entry of level error, with a physical
location when it is in a file and a logical one when it names a target.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from schemalint import jsontext
from schemalint.findings import Finding, RuleInfo, RunError
from schemalint.report import Report
from schemalint.report.common import all_rules, fingerprint

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "schemalint/v1"


def _uri(path: str) -> dict[str, str]:
    """An artifactLocation: relative paths resolve against %SRCROOT% (the repository root in CI)."""
    posix = path.replace("\\", "/")
    if PureWindowsPath(path).is_absolute() and not PurePosixPath(posix).is_absolute():
        return {"uri": "file:///" + posix}
    if PurePosixPath(posix).is_absolute():
        return {"uri": "file://" + posix}
    if posix.startswith("./"):
        posix = posix[2:]
    return {"uri": posix, "uriBaseId": "%SRCROOT%"}


def _rule(info: RuleInfo) -> dict[str, Any]:
    description = info.description.strip() or info.summary
    rule: dict[str, Any] = {
        "id": info.code,
        "name": info.slug,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": description},
        "help": {"text": description, "markdown": description},
        "helpUri": info.help_uri,
        "defaultConfiguration": {"level": LEVELS[info.severity]},
    }
    if info.tags:
        rule["properties"] = {"tags": list(info.tags)}
    return rule


def _location(f: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if f.location is not None:
        loc = f.location
        location["physicalLocation"] = {
            "artifactLocation": _uri(loc.path),
            "region": {
                "startLine": loc.line,
                "startColumn": loc.col,
                "endLine": max(loc.end_line, loc.line),
                # Location.end_col is the last character (inclusive); SARIF's endColumn is exclusive
                "endColumn": loc.end_col + 1 if loc.end_line > loc.line else max(loc.end_col, loc.col) + 1,
            },
        }
    if f.object:
        location["logicalLocations"] = [{"fullyQualifiedName": f.object}]
    elif f.location is None:
        location["logicalLocations"] = [{"fullyQualifiedName": f.source or "schema"}]
    return location


def _result(f: Finding, index: int) -> dict[str, Any]:
    text = f.message if not f.help else f"{f.message}\nHelp: {f.help}"
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "locations": [_location(f)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
    }
    if f.suppressed:
        result["suppressions"] = [
            {
                "kind": "external",
                "justification": "suppressed by schemalint (ignore comment, config or baseline)",
            }
        ]
    if f.source:
        result["properties"] = {"source": f.source}
    return result


def _notification(error: RunError) -> dict[str, Any]:
    notification: dict[str, Any] = {"level": "error", "message": {"text": error.message}}
    if error.path is not None:
        physical: dict[str, Any] = {"artifactLocation": _uri(error.path)}
        if error.line is not None:
            physical["region"] = {"startLine": error.line}
        notification["locations"] = [{"physicalLocation": physical}]
    elif error.target is not None:
        notification["locations"] = [{"logicalLocations": [{"fullyQualifiedName": error.target}]}]
    return notification


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": not report.failed}
    if report.errors:
        invocation["toolExecutionNotifications"] = [_notification(e) for e in report.errors]
    return invocation


def document(report: Report) -> dict[str, Any]:
    rules = all_rules(report)
    index = {info.code: i for i, info in enumerate(rules)}
    findings = sorted(report.findings, key=lambda f: (f.location is None, f.sort_key))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "schemalint",
                        **({"version": report.tool_version} if report.tool_version else {}),
                        "informationUri": "https://github.com/schemalint/schemalint",
                        "rules": [_rule(info) for info in rules],
                    }
                },
                "invocations": [_invocation(report)],
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.code]) for f in findings],
            }
        ],
    }


def render(report: Report) -> str:
    return jsontext.dumps(document(report))
