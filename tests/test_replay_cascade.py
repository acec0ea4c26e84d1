"""Replay follows dependencies as PostgreSQL does: CASCADE, RENAME and SET SCHEMA (issue 14).

Each case of replay_cascade_cases.CASES is applied to a fresh database one statement at a
time, as psql does, introspected, and replayed from the same text; replay must understand
every statement (no E001) and the model diff must be empty. A case replay cannot yet agree
on is a strict xfail whose reason says why, so it fails the day it starts passing.
"""

from __future__ import annotations

from typing import Any

import pytest
from replay_cascade_cases import CASES, Case

from schemalint.drift.diff import diff_models
from schemalint.sources.catalog import introspect
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import replay_files

# case name -> why replay does not yet agree with the catalog
NOT_YET: dict[str, str] = {}


def _params(cases: tuple[Case, ...]) -> list[Any]:
    return [
        pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[case.name]))
        if case.name in NOT_YET
        else pytest.param(case, id=case.name)
        for case in cases
    ]


@pytest.mark.catalog
@pytest.mark.parametrize("case", _params(CASES))
def test_replay_follows_dependencies_as_the_catalog(case: Case, pg: str, run_sql: Any) -> None:
    run_sql(pg, case.sql)
    live = introspect(pg)
    result = replay_files([parse_sql(case.sql, f"{case.name.replace('/', '-')}.sql")])
    assert [f.message for f in result.findings] == []
    assert [str(d) for d in diff_models(result.model, live)] == []
