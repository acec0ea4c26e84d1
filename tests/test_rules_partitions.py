"""P002 against a fixed clock: the partitions must reach now + the horizon."""

from __future__ import annotations

from datetime import UTC, datetime

from schemalint.rules.base import RuleContext
from schemalint.rules.partitions import PartitionMissingAhead
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer

SQL = """
CREATE TABLE audit_logs (id uuid NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE audit_logs_2030_01 PARTITION OF audit_logs FOR VALUES FROM ('2030-01-01') TO ('2030-02-01');
CREATE TABLE audit_logs_2030_02 PARTITION OF audit_logs FOR VALUES FROM ('2030-02-01') TO ('2030-03-01');
"""


def _objects(day: str, horizon: int = 31) -> list[str | None]:
    replayer = Replayer()
    for statement in parse_sql(SQL, "V1__audit.sql").statements:
        replayer.apply(statement)
    now = datetime.fromisoformat(day).replace(tzinfo=UTC)
    rule = PartitionMissingAhead({"horizon_days": horizon})
    return [f.object for f in rule.check(replayer.model(), RuleContext(live=True, now=now))]


def test_partitions_reaching_past_the_horizon_are_enough() -> None:
    assert _objects("2030-01-15") == []  # January and February cover 15 Jan + 31 days


def test_a_gap_or_an_end_before_the_horizon_is_reported() -> None:
    assert _objects("2030-02-10") == ["public.audit_logs"]  # nothing from 1 March
    assert _objects("2029-12-31") == ["public.audit_logs"]  # nothing for the last day of 2029
    assert _objects("2030-01-15", horizon=60) == ["public.audit_logs"]


def test_files_are_never_checked() -> None:
    replayer = Replayer()
    for statement in parse_sql(SQL, "V1__audit.sql").statements:
        replayer.apply(statement)
    assert list(PartitionMissingAhead().check(replayer.model(), RuleContext(live=False))) == []
