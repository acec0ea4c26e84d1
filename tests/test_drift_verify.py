"""drift --sql --verify on every drift case: the script applied to a scratch copy of LIVE leaves
no difference (the scratch database is a fresh one on the test server, never the live one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from conftest import run_sql, skip_without_extensions
from test_drift import left_by_hand

from schemalint.cli import main

CASES = Path(__file__).parent / "drift_cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "a.sql").is_file())


def verify(case: str, live: str, scratch: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    argv = ["drift", str(CASES / case / "b.sql"), live, "--sql", "--verify", "--shadow", scratch, *extra]
    assert main([*argv, "-o", "/dev/null"]) == 1  # there is drift: the script exists to remove it
    return capsys.readouterr().err


@pytest.mark.catalog
@pytest.mark.parametrize("case", CASE_NAMES)
def test_the_unsafe_script_reconciles_a_copy_of_live(
    case: str, make_db: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    live, scratch = make_db(), make_db()
    skip_without_extensions(live, CASES / case)
    run_sql(live, (CASES / case / "a.sql").read_text())
    said = verify(case, live, scratch, capsys, "--unsafe")
    left = left_by_hand(case)
    if left:  # a manual step: verify names what it leaves, and no statement fails
        assert "does not reconcile" in said and "failed:" not in said, said
        assert [line for line in said.splitlines() if "  left: " in line] == [
            f"schemalint:   left: {line}" for line in left
        ], said
        assert "schemalint:   manual: table " in said, said
    else:
        assert "no difference left" in said, said
    with psycopg.connect(scratch) as connection:  # the scratch database is emptied after use
        assert connection.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        ).fetchone() == (0,)


@pytest.mark.catalog
def test_verify_says_which_difference_the_safe_script_leaves(
    make_db: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    live, scratch = make_db(), make_db()
    run_sql(live, (CASES / "column_removed" / "a.sql").read_text())
    said = verify("column_removed", live, scratch, capsys)
    assert "does not reconcile" in said and "  left: column" in said and "--unsafe" in said, said


def test_verify_needs_sql_and_a_shadow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "a.sql", "b.sql", "--verify"]) == 2
    assert "--verify" in capsys.readouterr().err


@pytest.mark.catalog
def test_verify_refuses_a_live_database_as_scratch(
    make_db: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    live = make_db()
    run_sql(live, (CASES / "column_added" / "a.sql").read_text())
    argv = ["drift", str(CASES / "column_added" / "b.sql"), live, "--sql", "--verify", "--shadow", live]
    assert main([*argv, "-o", "/dev/null"]) == 2
    assert "is the live database" in capsys.readouterr().err
