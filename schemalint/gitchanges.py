"""Which files changed since a git ref: what ``--changed-since REF`` lints.

"Changed since REF" means what this branch changed since it left REF: files
added, copied, modified or renamed between the merge base of REF and HEAD
and the working tree (so staged and unstaged edits count), plus untracked
files that git does not ignore (a new migration not yet added is exactly
what a developer wants checked). Deleted files are not returned. In CI,
``--changed-since origin/main`` therefore lints the migrations a pull
request adds or edits, even when main has moved on since.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from schemalint.errors import UserError


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
        )
    except FileNotFoundError:
        raise UserError("--changed-since needs git, and no git executable was found on PATH") from None


def _names(output: str) -> list[str]:
    return [name for name in output.split("\0") if name]


def changed_files(ref: str, paths: Sequence[Path], cwd: Path) -> list[Path]:
    """Files changed since ``ref`` that are one of ``paths`` or under one of them, sorted.

    Paths are returned relative to ``cwd`` when they are under it (as a
    person would type them), else absolute. UserError (one line) when ``cwd``
    is not in a git work tree or ``ref`` does not name a commit.
    """
    top_run = _git(["rev-parse", "--show-toplevel"], cwd)
    if top_run.returncode != 0:
        raise UserError(f"--changed-since {ref}: {cwd} is not inside a git work tree")
    top = Path(top_run.stdout.strip()).resolve()
    verify = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    if verify.returncode != 0:
        raise UserError(
            f"--changed-since {ref}: git knows no commit {ref!r} in {top}; "
            "fetch it first (in CI: fetch-depth 0) or name a branch, tag or commit that exists"
        )
    commit = verify.stdout.strip()
    merge_base = _git(["merge-base", commit, "HEAD"], top)
    base = merge_base.stdout.strip() if merge_base.returncode == 0 else commit
    diff = _git(["diff", "--name-only", "--diff-filter=ACMR", "-z", base, "--"], top)
    if diff.returncode != 0:
        raise UserError(f"--changed-since {ref}: git diff failed: {diff.stderr.strip()}")
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z"], top)
    changed = {(top / name).resolve() for name in _names(diff.stdout) + _names(untracked.stdout)}
    roots = [(cwd / path).resolve() for path in paths]
    selected = [
        file
        for file in changed
        if file.is_file() and any(file == root or root in file.parents for root in roots)
    ]
    base_dir = cwd.resolve()
    return sorted(file.relative_to(base_dir) if base_dir in file.parents else file for file in selected)
