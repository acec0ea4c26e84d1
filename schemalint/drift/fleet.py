"""Fleets beyond one machine: fold the JSON reports of shards into one report.

Each shard of a fleet runs ``schemalint drift … --shard K/N --format json -o
shard-K.json`` (a CI matrix job, a Kubernetes Indexed Job's pod);
``schemalint merge shard-*.json`` reads them all and writes one report in any
format, with the exit code of the whole fleet: 2 when any shard had a run
error (an unreachable target is one and stays one in every format) or a
report cannot be read, else 1 when a finding that stands is at or above
fail-on (--fail-on, else the strictest the shards ran with), else 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from schemalint import __version__, output
from schemalint.baseline import BaselineEntry
from schemalint.drift.request import MergeRequest
from schemalint.findings import Finding, RunError
from schemalint.model import Location

_FAIL_ON_ORDER = ("info", "warning", "error", "never")


class _Unreadable(Exception):
    pass


def _finding(item: Mapping[str, Any]) -> Finding:
    location = None
    if item.get("path") is not None:
        location = Location(item["path"], item["line"], item["column"], item["end_line"], item["end_column"])
    return Finding(
        code=item["code"],
        slug=item["slug"],
        severity=item["severity"],
        message=item["message"],
        help=item.get("help"),
        location=location,
        object=item.get("object"),
        fingerprint=item.get("fingerprint", ""),
        suppressed=bool(item.get("suppressed")),
        source=item.get("source"),
    )


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Unreadable(
            f"cannot read this shard report: {getattr(error, 'strerror', None) or error}"
        ) from None
    if not isinstance(document, dict) or document.get("schema_version") != 1 or "findings" not in document:
        raise _Unreadable("not a schemalint JSON report (schema_version 1; write shards with --format json)")
    return document


def _strictest(values: Iterable[str | None]) -> str | None:
    known = [v for v in values if v in _FAIL_ON_ORDER]
    return min(known, key=_FAIL_ON_ORDER.index) if known else None


def merge(request: MergeRequest) -> int:
    from schemalint.report import Report, exit_code
    from schemalint.rules.registry import rule_infos

    findings: list[Finding] = []
    errors: list[RunError] = []
    fixed: list[BaselineEntry] = []
    sources: list[str] = []
    commands: set[str] = set()
    fail_ons: list[str | None] = []
    files = statements = objects = 0
    for path in request.reports:
        try:
            document = _read(path)
        except _Unreadable as error:
            output.warn(f"error: {path}: {error}")
            errors.append(RunError(str(error), path=path))
            continue
        run = document.get("run") or {}
        commands.add(run.get("command") or "lint")
        fail_ons.append(run.get("fail_on"))
        sources += [s for s in run.get("sources", ()) if s not in sources]
        findings += [_finding(item) for item in document["findings"]]
        errors += [
            RunError(e["message"], path=e.get("path"), line=e.get("line"), target=e.get("target"))
            for e in document.get("errors", ())
        ]
        fixed += [
            BaselineEntry(e["fingerprint"], e["code"], e["object"], e["message"], e["count"])
            for e in document.get("fixed", ())
        ]
        summary = document.get("summary", {})
        files += summary.get("files", 0)
        statements += summary.get("statements", 0)
        objects = max(objects, summary.get("objects", 0))  # a fleet's shards share one declared model
    fail_on = request.fail_on or _strictest(fail_ons) or "error"
    infos = rule_infos()
    codes = {f.code for f in findings}
    report = Report(
        findings=sorted(findings, key=lambda f: f.sort_key),
        rules={code: info for code, info in infos.items() if code in codes},
        tool_version=__version__,
        files=files,
        statements=statements,
        objects=objects,
        sources=tuple(sources),
        fixed=fixed,
        command="drift" if commands == {"drift"} else "lint",
        errors=tuple(errors),
        fail_on=fail_on,
    )
    output.publish(report, request.format, request.output)
    if errors:
        return 2
    return exit_code(findings, fail_on)
