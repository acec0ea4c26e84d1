"""The CI examples only use commands and flags the CLI accepts, wire their outputs consistently,
and run as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import missing_extensions, source_archive

from schemalint.report import FORMATS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "ci"
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


def test_the_examples_keep_the_lint_cache_between_runs() -> None:
    from schemalint.cache import DIRECTORY_NAME

    lint = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))["jobs"]["lint"]
    kept = [s["with"]["path"] for s in lint["steps"] if str(s.get("uses", "")).startswith("actions/cache@")]
    assert kept == [DIRECTORY_NAME]
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["schemalint"]
    assert [p.rstrip("/") for p in job["cache"]["paths"]] == [DIRECTORY_NAME]


def test_command_extraction_sees_every_command() -> None:
    """Guard the extractor: it finds as many commands as the files mention `schemalint <word>`."""

    def mentions(example: Path) -> Iterator[str]:
        for line in _shell_lines(example):
            yield from re.findall(r"(?:^|\s|&&|\|)schemalint (\w+)", line)

    for example in (GITHUB, GITLAB):
        assert len(list(mentions(example))) == len(_schemalint_commands(example)) > 0


# -- the examples run as written ------------------------------------------------------------------
#
# Every shell step that involves schemalint runs in a project laid out as the examples assume
# (examples/migrations as db/migrations, the baseline their header says to create, a git history
# with the base branch as origin/main), with this venv's schemalint on PATH and the drift job's
# DSN variable pointing at a fresh database that has the migrations applied. A step with
# `--fail-on never` must exit 0; a gate exits 0 on the clean project and 1 once a migration
# breaks a rule (lint) or the database drifts (drift). The install step itself
# (`pip install "$SCHEMALINT_SOURCE"`) runs in the slow test below, against an archive of this
# checkout laid out as GitHub serves .../archive/refs/heads/main.tar.gz.

BAD_MIGRATION = "CREATE TABLE Invoices (id serial PRIMARY KEY, amount float8);\n"
BASELINE_COMMAND = "schemalint baseline db/migrations -o schemalint-baseline.json"


@dataclass(frozen=True)
class Step:
    job: str
    name: str
    script: str
    env: dict[str, str]


def _steps(example: Path) -> list[Step]:
    """The shell steps of a workflow in order, GitHub's `run:` steps and GitLab's script lines."""
    document = yaml.safe_load(example.read_text(encoding="utf-8"))
    steps = []
    if example == GITHUB:
        for job_name, job in document["jobs"].items():
            for step in job["steps"]:
                if "run" in step:
                    env = {k: str(v) for k, v in step.get("env", {}).items()}
                    steps.append(Step(job_name, step.get("name", step["run"]), step["run"], env))
    else:
        for job_name, job in document.items():
            if isinstance(job, dict) and not job_name.startswith("."):
                hidden = document.get(job.get("extends", ""), {})
                for key in ("before_script", "script"):
                    for line in job.get(key, hidden.get(key, [])):
                        steps.append(Step(job_name, line, line, {}))
    return steps


def _install_source(example: Path) -> str:
    document = yaml.safe_load(example.read_text(encoding="utf-8"))
    return str(document["env" if example == GITHUB else "variables"]["SCHEMALINT_SOURCE"])


def _is_install(step: Step) -> bool:
    return step.script.strip().startswith("pip install")


def test_examples_install_schemalint_from_its_source_archive() -> None:
    """schemalint is not on the package index: `pip install schemalint` cannot run."""
    homepage = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Homepage"]
    for example in (GITHUB, GITLAB):
        installs = [s.script.strip() for s in _steps(example) if _is_install(s)]
        assert installs and set(installs) == {'pip install "$SCHEMALINT_SOURCE"'}, installs
        assert _install_source(example) == f"{homepage}/archive/refs/heads/main.tar.gz"
        assert BASELINE_COMMAND in example.read_text(encoding="utf-8")


class Project:
    """A project laid out as the examples assume, a git repository on a feature branch."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    def sh(self, script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            cwd=self.root, env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    def ok(self, script: str) -> str:
        done = self.sh(script)
        assert done.returncode == 0, f"{script}: {done.stdout}\n{done.stderr}"
        return done.stdout


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "migrations", root / "db" / "migrations")
    (tmp_path / "gitconfig").write_text("[user]\n\tname = t\n\temail = t@example.com\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GIT_", "CI_"))}
    env.update(
        PATH=os.pathsep.join(
            [str(Path(sys.executable).parent), env.get("PATH", "")]
        ),  # the venv's schemalint
        GIT_CONFIG_GLOBAL=str(tmp_path / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GITHUB_STEP_SUMMARY=str(tmp_path / "step-summary.md"),
        CI="true",
        NO_COLOR="1",
    )
    p = Project(root, env)
    p.ok(BASELINE_COMMAND)  # once, as the examples' header says, and committed
    p.ok("git init -q -b main && git add . && git commit -q -m migrations")
    p.ok("git update-ref refs/remotes/origin/main HEAD && git checkout -q -b feature")
    return p


def _expected(step: Step, broken: bool) -> int:
    return 1 if broken and "schemalint" in step.script and "--fail-on never" not in step.script else 0


def _run_jobs(example: Path, project: Project, dsn: str, *, broken: bool) -> dict[str, str]:
    """Every step but the install one; the output of each, by step name."""
    # the drift job's DSN variable, as its --live-env names it
    (variable,) = {
        _option(argv, "--live-env") for argv in _schemalint_commands(example) if argv[0] == "drift"
    }
    outputs = {}
    for step in _steps(example):
        if _is_install(step):
            continue
        script = step.script.replace("${{ github.base_ref }}", "main")
        assert "${{" not in script, f"{example.name}: a GitHub expression the test does not know: {script}"
        env = {k: dsn if "secrets." in v else v for k, v in step.env.items()}
        done = project.sh(script, {variable: dsn, **env})
        assert done.returncode == _expected(step, broken), (
            f"{example.name}: {step.job}: `{script}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
        assert "Traceback" not in done.stderr, done.stderr
        outputs[step.name] = done.stdout
    return outputs


@pytest.mark.catalog
@pytest.mark.parametrize("example", [GITHUB, GITLAB], ids=lambda p: p.name)
def test_every_step_runs_as_written(example: Path, project: Project, pg: str, run_sql: Any) -> None:
    if missing_extensions(pg, "pgcrypto"):
        pytest.skip("the server lacks pgcrypto, which the example migrations create")
    for migration in sorted((project.root / "db" / "migrations").glob("*.sql")):
        run_sql(pg, migration.read_text(encoding="utf-8"))
    assert any("schemalint drift" in s.script for s in _steps(example))

    _run_jobs(example, project, pg, broken=False)  # a clean project and an undrifted database
    if example == GITHUB:
        assert json.loads((project.root / "schemalint.sarif").read_text())["runs"][0]["results"] == []
        assert (project.root / "drift.md").read_text().startswith("## schemalint drift: no findings")
    else:
        assert json.loads((project.root / "gl-code-quality-report.json").read_text()) == []
        for report in ("schemalint-junit.xml", "schemalint-drift.xml"):
            assert (project.root / report).read_text().startswith("<?xml")

    (project.root / "db" / "migrations" / "V4__invoices.sql").write_text(BAD_MIGRATION)
    project.ok("git add . && git commit -q -m invoices")
    run_sql(pg, "ALTER TABLE users ADD COLUMN nickname text")
    outputs = _run_jobs(example, project, pg, broken=True)
    if example == GITHUB:
        annotations = outputs["Annotate the migrations this pull request changes"]
        assert "::error file=db/migrations/V4__invoices.sql" in annotations
        assert "## schemalint" in Path(project.env["GITHUB_STEP_SUMMARY"]).read_text()
        sarif = json.loads((project.root / "schemalint.sarif").read_text())
        assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"T001"}
        assert "public.users.nickname" in (project.root / "drift.md").read_text()
    else:
        quality = json.loads((project.root / "gl-code-quality-report.json").read_text())
        assert {issue["location"]["path"] for issue in quality} == {"db/migrations/V4__invoices.sql"}
        assert "public.users.nickname" in (project.root / "schemalint-drift.xml").read_text()


@pytest.mark.slow
def test_the_install_step_installs_a_working_schemalint(tmp_path: Path) -> None:
    archive = source_archive(tmp_path)
    venv = tmp_path / "venv"  # what setup-python or the python image puts first on PATH
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), "/usr/bin", "/bin"])
    env["SCHEMALINT_SOURCE"] = str(archive)
    for example in (GITHUB, GITLAB):
        (install,) = {s.script for s in _steps(example) if _is_install(s)}
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", install],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    done = subprocess.run(
        ["schemalint", "lint", str(ROOT / "examples" / "migrations")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0 and "No findings" in done.stdout, done.stdout + done.stderr
    assert Path(shutil.which("schemalint", path=env["PATH"]) or "").parent == venv / "bin"
