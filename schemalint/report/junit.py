"""The junit format: one testsuite per source, one testcase per rule × object.

CI systems (GitLab, Jenkins, Azure) show JUnit XML as test results. Each
source (a migration directory, a file, a masked DSN) is a testsuite; each
rule × object that has findings is a failing testcase whose failure lists the
messages; suppressed findings are skipped testcases; a source without
findings has one passing testcase, so that a clean run shows as passed.
What the run could not do (a file it could not read, a target it could not
reach) is a testcase with an ``<error>`` in its source's testsuite (or in a
``schemalint`` testsuite), so a failed run never shows as passed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from schemalint.findings import SEVERITY_RANK, Finding, RunError
from schemalint.report import Report
from schemalint.report.common import counts, failure_phrase, group_label, position


def _given_source(labels: Sequence[str | None], sources: Sequence[str]) -> str | None:
    """The given source one of ``labels`` is (or the directory it is under), if any."""
    for label in labels:
        if label is None:
            continue
        for source in sources:
            if label == source or label.startswith(source.rstrip("/") + "/"):
                return source
    return None


def _suite_of(f: Finding, sources: Sequence[str]) -> str:
    """The given source a finding belongs to (its own label, or the directory its file is under)."""
    given = _given_source((f.source, f.location.path if f.location else None), sources)
    return given or f.source or group_label(f)


def _suite_of_error(error: RunError, sources: Sequence[str]) -> str:
    return _given_source((error.path, error.target), sources) or error.path or error.target or "schemalint"


def _error_case(suite: ET.Element, classname: str, error: RunError) -> None:
    case = ET.SubElement(
        suite, "testcase", name=f"schemalint error: {error.where or 'run'}", classname=classname, time="0"
    )
    if error.path is not None:
        case.set("file", error.path)
        if error.line is not None:
            case.set("line", str(error.line))
    failed = ET.SubElement(case, "error", message=error.message, type="schemalint-error")
    failed.text = str(error)


def _testcase(suite: ET.Element, classname: str, items: list[Finding]) -> tuple[int, int]:
    first = items[0]
    case = ET.SubElement(
        suite,
        "testcase",
        name=f"{first.code} {first.slug}: {first.object or position(first)}",
        classname=classname,
        time="0",
    )
    if first.location is not None:
        case.set("file", first.location.path)
        case.set("line", str(first.location.line))
    active = [f for f in items if not f.suppressed]
    if not active:
        ET.SubElement(case, "skipped", message=f"suppressed: {first.message}")
        return 0, 1
    worst = max(active, key=lambda f: SEVERITY_RANK[f.severity])
    failure = ET.SubElement(case, "failure", message=worst.message, type=f"{worst.severity}")
    lines = []
    for f in active:
        lines.append(f"{position(f)}: {f.severity}: {f.code} {f.slug}: {f.message}")
        if f.help:
            lines.append(f"  help: {f.help}")
    failure.text = "\n".join(lines)
    return 1, 0


def render(report: Report) -> str:
    suites: dict[str, list[Finding]] = {source: [] for source in report.sources}
    for f in sorted(report.findings, key=lambda f: f.sort_key):
        suites.setdefault(_suite_of(f, report.sources), []).append(f)
    errors: dict[str, list[RunError]] = {}
    for error in report.errors:
        source = _suite_of_error(error, report.sources)
        suites.setdefault(source, [])
        errors.setdefault(source, []).append(error)
    if not suites:
        suites["schemalint"] = []
    c = counts(report.findings)
    root = ET.Element("testsuites", name="schemalint", tests="0", failures="0", errors="0", skipped="0")
    total_tests = total_failures = total_skipped = total_errors = 0
    for source, findings in suites.items():
        suite = ET.SubElement(root, "testsuite", name=source)
        cases: dict[tuple[str, str], list[Finding]] = {}
        for f in findings:
            cases.setdefault((f.code, f.object or position(f)), []).append(f)
        failures = skipped = 0
        for (_code, _obj), items in cases.items():
            failed, skip = _testcase(suite, source, items)
            failures += failed
            skipped += skip
        for error in errors.get(source, []):
            _error_case(suite, source, error)
        n_errors = len(errors.get(source, []))
        if not cases and not n_errors:
            ET.SubElement(suite, "testcase", name=f"schemalint {report.command}", classname=source, time="0")
        tests = max(len(cases) + n_errors, 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(n_errors))
        suite.set("skipped", str(skipped))
        suite.set("time", "0")
        total_tests += tests
        total_failures += failures
        total_skipped += skipped
        total_errors += n_errors
    root.set("tests", str(total_tests))
    root.set("errors", str(total_errors))
    root.set("failures", str(total_failures))
    root.set("skipped", str(total_skipped))
    comment = ET.Comment(
        f" schemalint {report.tool_version}: {c.errors} errors, {c.warnings} warnings, "
        f"{c.infos} infos, {c.suppressed} suppressed"
        + (f"; {failure_phrase(report)} " if report.failed else " ")
    )
    root.insert(0, comment)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
