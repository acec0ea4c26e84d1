"""The example migration sets: examples/migrations lints clean, examples/bad-migrations breaks every rule.

The bad set must make every rule of the standard pack fire (except the live-only
S001/S002, E002 "rule crashed" and the drift rules D…), so a new rule without a
bad example fails here. Its findings are pinned in
tests/golden/examples/bad-migrations.txt; regenerate after an intended change
with ``SCHEMALINT_UPDATE_GOLDEN=1 pytest tests/test_examples.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import missing_extensions, run_sql

from schemalint.config.packs import load_pack, resolve_rules
from schemalint.rules.base import ModelRule
from schemalint.rules.registry import ALL_RULES
from schemalint.sources.sql.order import migration_files

ROOT = Path(__file__).resolve().parents[1]
GOOD = "examples/migrations"
BAD = "examples/bad-migrations"
GOLDEN = Path(__file__).parent / "golden" / "examples" / "bad-migrations.txt"
NOT_EXPECTED = {"S001", "S002", "P002", "E002"}  # live-only checks, and a crash of schemalint itself


def lint(*args: str) -> tuple[int, str, str]:
    """Run `schemalint lint ARGS` from the repository root, as a user would."""
    done = subprocess.run(
        [sys.executable, "-m", "schemalint.cli", "lint", "--no-progress", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def lint_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = lint(*args, "--format", "json")
    assert code in (0, 1), f"schemalint lint {' '.join(args)} exited {code}: {err}"
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return code, findings


def expected_codes() -> set[str]:
    """Every rule the standard pack turns on, minus the ones a migration set cannot trigger."""
    settings = resolve_rules([load_pack("standard", ROOT)])
    assert set(settings) == {rule.code for rule in ALL_RULES}
    return {
        code
        for code, setting in settings.items()
        if setting.enabled and not code.startswith("D") and code not in NOT_EXPECTED
    }


def normalised(findings: list[dict[str, Any]]) -> str:
    """One `path:line:col CODE object` line per finding, paths relative to the repository."""
    lines = []
    for f in findings:
        path = Path(f["path"])
        relative = path.relative_to(ROOT) if path.is_absolute() else path
        lines.append(f"{relative.as_posix()}:{f['line']}:{f['column']} {f['code']} {f['object'] or '-'}")
    return "\n".join(sorted(lines)) + "\n"


def test_good_migrations_lint_clean() -> None:
    code, out, err = lint(GOOD)
    assert code == 0, f"{GOOD} has findings:\n{out}{err}"
    _, findings = lint_json(GOOD)
    assert findings == []


def test_bad_migrations_break_every_rule() -> None:
    code, findings = lint_json(BAD)
    assert code == 1
    fired = {f["code"] for f in findings}
    expected = expected_codes()
    assert not expected - fired, f"rules without a bad example in {BAD}: {sorted(expected - fired)}"
    assert not fired - expected, f"unexpected rules fire on {BAD}: {sorted(fired - expected)}"


def test_bad_migrations_golden() -> None:
    _, findings = lint_json(BAD)
    rendered = normalised(findings)
    if os.environ.get("SCHEMALINT_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} missing; run with SCHEMALINT_UPDATE_GOLDEN=1 to create it"
    assert rendered == GOLDEN.read_text(encoding="utf-8")


def _comments_around(path: Path, line: int) -> str:
    """The comments of the paragraph (lines between blank lines) holding a line, and of the file's
    first paragraph (what a whole file breaks)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = end = line - 1
    while start > 0 and lines[start - 1].strip():
        start -= 1
    while end + 1 < len(lines) and lines[end + 1].strip():
        end += 1
    header = lines[: next((i for i, text in enumerate(lines) if not text.strip()), len(lines))]
    return "\n".join(text for text in [*header, *lines[start : end + 1]] if text.lstrip().startswith("--"))


def test_bad_migrations_findings_land_where_their_comment_names_them() -> None:
    """Each statement of the bad examples is preceded by a comment naming the rules it breaks:
    every finding is located in that statement's paragraph (a model finding where the fault was
    made, not at a later statement that touched the same table)."""
    _, findings = lint_json(BAD)
    misplaced = [
        f"{Path(f['path']).name}:{f['line']}:{f['column']} {f['code']} {f['object']}"
        for f in findings
        if not re.search(rf"\b{f['code']}\b", _comments_around(ROOT / f["path"], f["line"]))
    ]
    assert not misplaced


def test_bad_migrations_apply_to_postgres_and_lint_live(pg: str) -> None:
    if missing_extensions(pg, "pgcrypto"):  # the embedded server has no contrib
        pytest.skip("the server lacks pgcrypto, which the examples create")
    _, findings = lint_json(BAD)
    in_transaction = {Path(f["path"]).name for f in findings if f["code"] == "M011"}
    refused: set[str] = set()
    for path in migration_files(ROOT / BAD):
        try:
            run_sql(pg, path.read_text(encoding="utf-8"))
        except psycopg.errors.ActiveSqlTransaction:
            # M011's example: PostgreSQL refuses CONCURRENTLY inside BEGIN … COMMIT, as the rule says.
            refused.add(path.name)
    assert refused == in_transaction

    code, live = lint_json(pg)
    assert code == 1
    live_codes = {f["code"] for f in live}
    model_codes = {rule.code for rule in ALL_RULES if issubclass(rule, ModelRule)}
    from_files = {f["code"] for f in findings} & model_codes
    assert from_files <= live_codes, (
        f"model rules found in the files but not live: {sorted(from_files - live_codes)}"
    )
