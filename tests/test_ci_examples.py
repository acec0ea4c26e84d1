"""The CI examples only use commands and flags the CLI accepts, and wire their outputs consistently."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemalint.report import FORMATS

EXAMPLES = Path(__file__).parent.parent / "examples" / "ci"
GITHUB = EXAMPLES / "github-actions.yml"
GITLAB = EXAMPLES / "gitlab-ci.yml"


def _shell_lines(example: Path) -> list[str]:
    """Every shell command of a workflow: GitHub's `run:` steps, GitLab's script sections."""
    document = yaml.safe_load(example.read_text(encoding="utf-8"))
    scripts: list[str] = []
    if example == GITHUB:
        for job in document["jobs"].values():
            scripts += [step["run"] for step in job["steps"] if "run" in step]
    else:
        for job in document.values():
            if isinstance(job, dict):
                for key in ("before_script", "script", "after_script"):
                    scripts += job.get(key, [])
    lines = []
    for script in scripts:
        lines += [line for line in script.replace("\\\n", " ").splitlines() if line.strip()]
    return lines


def _schemalint_commands(example: Path) -> list[list[str]]:
    commands = []
    for line in _shell_lines(example):
        line = re.sub(r"\$\{\{.*?\}\}", "EXPR", line)  # GitHub expressions
        for part in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(part)
            if words and words[0] == "schemalint":
                commands.append(words[1:])
    return commands


def _option(argv: list[str], *names: str) -> str | None:
    for i, word in enumerate(argv):
        if word in names and i + 1 < len(argv):
            return argv[i + 1]
    return None


@pytest.mark.parametrize("example", [GITHUB, GITLAB], ids=lambda p: p.name)
def test_every_command_parses(example: Path) -> None:
    from schemalint.cli import build_parser

    commands = _schemalint_commands(example)
    assert {argv[0] for argv in commands} >= {"lint", "drift"}
    for argv in commands:
        try:
            namespace = build_parser().parse_args(argv)
        except SystemExit as exc:  # argparse reports an unknown command or flag and exits
            pytest.fail(
                f"{example.name}: `schemalint {shlex.join(argv)}` is rejected by the CLI parser ({exc})"
            )
        assert namespace is not None
        fmt = _option(argv, "--format", "-f")
        assert fmt is None or fmt in FORMATS, f"{example.name}: unknown format {fmt}"


def test_github_uploads_the_sarif_it_writes() -> None:
    document: dict[str, Any] = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    lint = document["jobs"]["lint"]
    assert lint["permissions"]["security-events"] == "write"
    written = {
        _option(argv, "-o", "--output")
        for argv in _schemalint_commands(GITHUB)
        if _option(argv, "--format") == "sarif"
    }
    uploads = [
        s for s in lint["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    ]
    assert uploads and uploads[0]["with"]["sarif_file"] in written
    assert any(_option(argv, "--format") == "github" for argv in _schemalint_commands(GITHUB))
    # the drift job runs on the schedule and reads its DSN from the environment
    assert document[True]["schedule"]  # YAML 1.1 reads the key `on` as True
    drift_steps = document["jobs"]["drift"]["steps"]
    (drift,) = [s for s in drift_steps if "schemalint drift" in s.get("run", "")]
    assert "--live-env DATABASE_URL" in drift["run"] and "DATABASE_URL" in drift["env"]


def test_gitlab_reports_are_the_files_it_writes() -> None:
    document: dict[str, Any] = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    outputs = {
        _option(argv, "--format"): _option(argv, "-o", "--output") for argv in _schemalint_commands(GITLAB)
    }
    reports = document["schemalint"]["artifacts"]["reports"]
    assert reports["codequality"] == outputs["gitlab"]
    lint_junit = [
        _option(argv, "-o") for argv in _schemalint_commands(GITLAB) if argv[0] == "lint" and "junit" in argv
    ]
    assert reports["junit"] in lint_junit
    drift_junit = document["schemalint-drift"]["artifacts"]["reports"]["junit"]
    assert any(
        argv[0] == "drift" and _option(argv, "-o") == drift_junit for argv in _schemalint_commands(GITLAB)
    )


def test_command_extraction_sees_every_command() -> None:
    """Guard the extractor: it finds as many commands as the files mention `schemalint <word>`."""

    def mentions(example: Path) -> Iterator[str]:
        for line in _shell_lines(example):
            yield from re.findall(r"(?:^|\s|&&|\|)schemalint (\w+)", line)

    for example in (GITHUB, GITLAB):
        assert len(list(mentions(example))) == len(_schemalint_commands(example)) > 0
