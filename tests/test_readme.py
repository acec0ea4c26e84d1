"""The README's Quick start and pre-commit example work as written.

A system Python (Debian, Ubuntu, Homebrew) refuses `pip install .` outside a virtual
environment (PEP 668, `externally-managed-environment`), so the quick start makes one
first. A slow test runs the block, as written, in a copy of this checkout with a PATH
that has a plain `python3` and the system's tools but no virtual environment.

schemalint has no release, so the pre-commit example installs it from GitHub's source
archive; a slow test runs it with the URL pointing at an archive of this checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import checkout_files, missing_extensions, source_archive

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def section(heading: str) -> str:
    """The text of a README section, from its heading to the next heading of any level."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no section {heading!r}"
    return match.group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_quick_start_makes_a_virtual_environment_first() -> None:
    quick = section("Quick start")
    first = code_blocks(quick, "sh")[0]
    commands = [c.strip() for line in first.splitlines() for c in line.split("&&") if c.strip()]
    assert commands[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"], commands
    assert "pip install ." in commands
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert required == ">=3.11"
    assert "Python 3.11 or newer" in quick and "externally-managed-environment" in quick


def _copy_of_the_checkout(destination: Path) -> Path:
    for name in checkout_files():
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
    return destination


@pytest.mark.slow
def test_quick_start_runs_as_written(tmp_path: Path) -> None:
    checkout = _copy_of_the_checkout(tmp_path / "schemalint")
    plain = tmp_path / "bin"  # python3 is an interpreter outside any virtual environment
    plain.mkdir()
    (plain / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PIP_BREAK_SYSTEM_PACKAGES", "PIP_USER", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join([str(plain), "/usr/bin", "/bin"])
    block = code_blocks(section("Quick start"), "sh")[0]
    done = subprocess.run(
        ["bash", "-e", "-c", block], cwd=checkout, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "No findings" in done.stdout
    for table in ("tenants", "users", "orders"):
        assert table in done.stdout
    installed = checkout / ".venv" / "bin" / "schemalint"
    assert installed.exists()


ARCHIVE_URL = "https://github.com/schemalint/schemalint/archive/refs/heads/main.tar.gz"


def test_pre_commit_example_is_the_published_hooks_as_local_ones() -> None:
    """Until a release, the README's local hooks stand in for .pre-commit-hooks.yaml: same
    entries, file types and stages, so switching to `repo:`/`rev:` later changes nothing."""
    (repo,) = yaml.safe_load(code_blocks(section("pre-commit"), "yaml")[0])["repos"]
    assert repo["repo"] == "local"
    published = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    for hook in repo["hooks"]:
        assert hook["additional_dependencies"] == [f"schemalint @ {ARCHIVE_URL}"]
        same = {
            k: v
            for k, v in published[hook["id"]].items()
            if k not in ("description", "minimum_pre_commit_version")
        }
        assert {k: hook[k] for k in same} == same


@pytest.mark.slow
@pytest.mark.catalog
def test_pre_commit_example_runs_as_written(tmp_path: Path, pg: str, run_sql: Any) -> None:
    """The README's hooks, the archive URL pointing at an archive of this checkout: pre-commit
    installs schemalint into the hooks' own environment, passes a good migration, blocks a bad
    one, and runs the manual drift hook against a database."""
    if missing_extensions(pg, "pgcrypto"):
        pytest.skip("the server lacks pgcrypto, which the example migrations create")
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert pre_commit, "pre-commit comes with the dev extra"
    block = code_blocks(section("pre-commit"), "yaml")[0]
    assert block.count(ARCHIVE_URL) == 2 and "rev:" not in block
    config = block.replace(ARCHIVE_URL, source_archive(tmp_path).as_uri())
    root = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "migrations", root / "db" / "migrations")
    (root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "gitconfig").write_text("[user]\n\tname = t\n\temail = t@example.com\n")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        PATH=os.pathsep.join(["/usr/bin", "/bin"]),  # no schemalint: the hooks bring their own
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
        GIT_CONFIG_GLOBAL=str(tmp_path / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=900)

    assert run("git", "init", "-q", "-b", "main").returncode == 0
    assert run("git", "add", ".").returncode == 0
    migrations = sorted(str(p.relative_to(root)) for p in (root / "db" / "migrations").glob("*.sql"))
    good = run(pre_commit, "run", "--files", *migrations)
    assert good.returncode == 0 and "schemalint" in good.stdout and "Passed" in good.stdout, (
        good.stdout + good.stderr
    )

    for migration in migrations:
        run_sql(pg, (root / migration).read_text(encoding="utf-8"))
    env["DATABASE_URL"] = pg
    same = run(pre_commit, "run", "schemalint-drift", "--hook-stage", "manual")
    assert same.returncode == 0, same.stdout + same.stderr
    run_sql(pg, "ALTER TABLE users ADD COLUMN nickname text")
    drifted = run(pre_commit, "run", "schemalint-drift", "--hook-stage", "manual")
    assert drifted.returncode == 1 and "public.users.nickname" in drifted.stdout, drifted.stdout

    bad = root / "db" / "migrations" / "V4__invoices.sql"
    bad.write_text("CREATE TABLE Invoices (id serial PRIMARY KEY, amount float8);\n")
    blocked = run(pre_commit, "run", "schemalint", "--files", str(bad.relative_to(root)))
    assert blocked.returncode == 1 and "Failed" in blocked.stdout, blocked.stdout + blocked.stderr
    assert "db/migrations/V4__invoices.sql:1:" in blocked.stdout and "T001" in blocked.stdout


def test_readme_and_docs_links_resolve() -> None:
    """Every relative link in README.md and docs/*.md names a file that exists (anchors aside)."""
    pages = [README, *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            path = target.split("#", 1)[0]
            if path and not re.match(r"[a-z][a-z0-9+.-]*:", path) and not (page.parent / path).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert len(pages) > 1 and not broken, broken


def test_readme_is_short_enough_to_read() -> None:
    """Long reference lives in docs/; the README keeps the sections other tools and people look for."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 380
    for heading in (
        "Quick start",
        "Commands",
        "How long a lint takes",
        "Benchmarks",
        "Safety",
        "Development",
    ):
        assert section(heading).strip(), heading
