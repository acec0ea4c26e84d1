"""The pre-commit hooks, run by the real pre-commit in a throwaway git repository.

The hooks are taken from this repository's .pre-commit-hooks.yaml and run as
`repo: local` hooks with `language: system` (pre-commit's `language: python`
would build a virtualenv and install schemalint from a package index; the
hook's entry, file types and serial/filename settings are the same). The
`schemalint` executable on PATH is a shim that runs this checkout's CLI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
HOOKS = REPO / ".pre-commit-hooks.yaml"

GOOD = """\
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE customers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version integer NOT NULL DEFAULT 1
);

CREATE TRIGGER customers_set_updated_at BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
"""

BAD = "CREATE TABLE Orders (id serial PRIMARY KEY, amount float8, placed timestamp);\n"


def _pre_commit() -> str:
    found = shutil.which("pre-commit") or shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the pre-commit executable is not installed (it comes with the dev extra)")
    return found


def _hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}


def _local(hook: dict[str, Any], **extra: Any) -> dict[str, Any]:
    local = {
        key: value for key, value in hook.items() if key not in {"description", "minimum_pre_commit_version"}
    }
    local["language"] = "system"
    local.update(extra)
    return local


class Project:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            args, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode != 0:
            pytest.fail(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commits(self) -> int:
        return int(self.run("git", "rev-list", "--count", "HEAD").stdout)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    pre_commit = _pre_commit()
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    shim = shim_dir / "schemalint"
    shim.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(REPO)!r})\n"
        "from schemalint.cli import main\nraise SystemExit(main())\n",
        encoding="utf-8",
    )
    shim.chmod(0o755)
    (tmp_path / "gitconfig").write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(shim_dir), str(Path(pre_commit).parent), os.environ.get("PATH", "")]),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    root = tmp_path / "project"
    root.mkdir()
    p = Project(root, env)
    hooks = _hooks()
    config = {
        "repos": [
            {
                "repo": "local",
                "hooks": [
                    _local(hooks["schemalint"], files="^db/migrations/"),
                    _local(hooks["schemalint-drift"], args=["db/migrations", "--live-env", "DATABASE_URL"]),
                ],
            }
        ]
    }
    p.write(".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    p.run("git", "init", "-q", "-b", "main")
    p.run("git", "add", ".pre-commit-config.yaml")
    p.run("git", "commit", "-q", "-m", "pre-commit config")
    p.run(pre_commit, "install")
    return p


def test_hook_definitions() -> None:
    hooks = _hooks()
    lint, drift = hooks["schemalint"], hooks["schemalint-drift"]
    assert (lint["entry"], lint["language"], lint["types"], lint["require_serial"]) == (
        "schemalint lint",
        "python",
        ["sql"],
        True,
    )
    assert (drift["entry"], drift["pass_filenames"], drift["stages"]) == (
        "schemalint drift",
        False,
        ["manual"],
    )


def test_good_migration_commits(project: Project) -> None:
    project.write("db/migrations/V001__customers.sql", GOOD)
    project.run("git", "add", "db")
    result = project.run("git", "commit", "-m", "customers", check=False)
    output = result.stdout + result.stderr  # git shows hook output on stderr
    assert result.returncode == 0, output
    assert "schemalint....." in output and "Passed" in output
    assert "schemalint drift" not in output  # a manual-stage hook never runs on commit
    assert project.commits() == 2


def test_bad_migration_is_blocked_with_the_finding_shown(project: Project) -> None:
    project.write("db/migrations/V001__customers.sql", GOOD)
    project.run("git", "add", "db")
    project.run("git", "commit", "-q", "-m", "customers")
    project.write("db/migrations/V002__orders.sql", BAD)
    project.run("git", "add", "db")
    result = project.run("git", "commit", "-m", "orders", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Failed" in output
    assert "db/migrations/V002__orders.sql:1:" in output
    assert "T001" in output and "public.orders.amount" in output
    assert project.commits() == 2  # the commit did not happen


def test_files_outside_the_migrations_are_not_linted(project: Project) -> None:
    project.write("scripts/report.sql", BAD)
    project.run("git", "add", "scripts")
    result = project.run("git", "commit", "-m", "a report query", check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "(no files to check)Skipped" in output.replace(".", "")


@pytest.mark.catalog
def test_manual_drift_hook_against_a_live_database(project: Project, pg: str, run_sql: Any) -> None:
    project.write("db/migrations/V001__customers.sql", GOOD)
    project.run("git", "add", "db")
    project.run("git", "commit", "-q", "-m", "customers")
    run_sql(pg, GOOD)
    project.env["DATABASE_URL"] = pg
    same = project.run("pre-commit", "run", "schemalint-drift", "--hook-stage", "manual", check=False)
    assert same.returncode == 0, same.stdout + same.stderr
    run_sql(pg, "ALTER TABLE customers ADD COLUMN nickname text")
    drifted = project.run("pre-commit", "run", "schemalint-drift", "--hook-stage", "manual", check=False)
    assert drifted.returncode != 0, drifted.stdout + drifted.stderr
    assert "public.customers.nickname" in drifted.stdout


def test_the_pre_commit_path_imports_only_what_it_uses(tmp_path: Path) -> None:
    """Start-up is most of a one-file lint: plain text output reads no color library, no baseline
    module, no database driver and no graph library (replay builds a dependency graph only for
    a CASCADE or a rename that has dependants)."""
    migration = tmp_path / "V1__customers.sql"
    migration.write_text(GOOD)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "schemalint.cli", "lint", str(migration)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "schemalint.engine" in imported  # the listing is there
    assert not {"rich", "schemalint.baseline", "psycopg", "networkx"} & imported


def test_a_drop_without_cascade_in_the_history_builds_no_graph(tmp_path: Path) -> None:
    """DROP without CASCADE is answered from what depends on the dropped objects, so a history
    that drops a view, an index and a function (one of them refused: a view reads it) neither
    builds the dependency graph nor imports networkx."""
    (tmp_path / "V1__base.sql").write_text(
        "CREATE TABLE t (id int PRIMARY KEY, n int);\n"
        "CREATE INDEX t_n ON t (n);\n"
        "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2';\n"
        "CREATE VIEW v AS SELECT id, twice(n) AS n2 FROM t;\n"
        "CREATE VIEW w AS SELECT id FROM t;\n"
    )
    (tmp_path / "V2__drops.sql").write_text("DROP INDEX t_n;\nDROP VIEW w;\nDROP FUNCTION twice(int);\n")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "schemalint.cli", "lint", "--no-cache", "V2__drops.sql"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "schemalint.sources.sql.replay.cascade" in imported  # the DROPs were replayed
    assert "cannot drop function twice(integer) because other objects depend on it" in done.stdout
    assert "networkx" not in imported
