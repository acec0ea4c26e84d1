"""--changed-since: files a branch changed since a ref, restricted to the given paths, in a real git repo."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from schemalint.errors import UserError
from schemalint.gitchanges import changed_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _write(repo / "db" / "V1__init.sql", "CREATE TABLE a (id int);\n")
    _write(repo / "db" / "V2__b.sql", "CREATE TABLE b (id int);\n")
    _write(repo / "docs" / "schema.md", "# schema\n")
    _write(repo / ".gitignore", "*.tmp\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "init")
    _git(repo, "checkout", "-q", "-b", "feature")
    return repo


def test_added_modified_and_untracked_files_under_the_paths(repo: Path) -> None:
    _write(repo / "db" / "V3__c.sql", "CREATE TABLE c (id int);\n")
    _git(repo, "add", "db/V3__c.sql")
    _git(repo, "commit", "-q", "-m", "c")
    _write(repo / "db" / "V2__b.sql", "CREATE TABLE b (id bigint);\n")  # unstaged edit
    _write(repo / "db" / "V4__d.sql", "CREATE TABLE d (id int);\n")  # untracked
    _write(repo / "db" / "scratch.tmp", "ignored\n")  # ignored
    _write(repo / "docs" / "schema.md", "# schema, changed\n")  # outside the paths
    (repo / "db" / "V1__init.sql").unlink()  # deleted: nothing to lint
    assert changed_files("main", [Path("db")], repo) == [
        Path("db/V2__b.sql"),
        Path("db/V3__c.sql"),
        Path("db/V4__d.sql"),
    ]
    assert changed_files("main", [Path("db/V3__c.sql"), Path("docs")], repo) == [
        Path("db/V3__c.sql"),
        Path("docs/schema.md"),
    ]


def test_relative_to_cwd_in_a_subdirectory(repo: Path) -> None:
    _write(repo / "db" / "V3__c.sql", "x\n")
    assert changed_files("main", [Path(".")], repo / "db") == [Path("V3__c.sql")]


def test_changes_on_the_base_branch_are_not_counted(repo: Path) -> None:
    _write(repo / "db" / "V3__c.sql", "CREATE TABLE c (id int);\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "feature change")
    _git(repo, "checkout", "-q", "main")
    _write(repo / "db" / "V9__main.sql", "CREATE TABLE m (id int);\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "main moved on")
    _git(repo, "checkout", "-q", "feature")
    assert changed_files("main", [Path("db")], repo) == [Path("db/V3__c.sql")]


def test_nothing_changed(repo: Path) -> None:
    assert changed_files("main", [Path("db")], repo) == []
    assert changed_files("HEAD", [Path("db")], repo) == []


def test_unknown_ref_is_a_user_error(repo: Path) -> None:
    with pytest.raises(UserError, match="git knows no commit 'origin/nope'") as info:
        changed_files("origin/nope", [Path("db")], repo)
    assert "\n" not in str(info.value)


def test_not_a_git_repo_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="is not inside a git work tree"):
        changed_files("main", [Path(".")], tmp_path)
