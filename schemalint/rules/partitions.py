"""Partitioning rules (P): tables partitioned as declared, range partitions created ahead of time.

The standard (§10.1) names the tables that must be partitioned and how; a
range-partitioned table whose partitions end before now + a horizon makes the
next insert past the last partition fail, which the nightly check against the
live database reports in time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from schemalint.model import Table
from schemalint.rules.astutil import sql_name
from schemalint.rules.base import Finding, Model, ModelRule, Option, Rule, RuleContext

STRATEGIES = ("range", "list", "hash")


def _declared(tables: Mapping[str, Any], table: Table) -> Mapping[str, Any] | None:
    for glob, spec in tables.items():
        if fnmatchcase(table.name, glob) or fnmatchcase(table.qualname, glob):
            return dict(spec or {})
    return None


def _key(partition_key: str | None) -> tuple[str, str] | None:
    """(strategy, key) of ``RANGE (created_at)``, lower-case, the key's spaces removed."""
    if partition_key is None:
        return None
    strategy, _, rest = partition_key.partition(" ")
    return strategy.lower(), rest.strip().removeprefix("(").removesuffix(")").replace(" ", "").lower()


def validate_partition_tables(value: Mapping[str, Any]) -> str | None:
    """Why a P001 `tables` option is invalid, or None."""
    for glob, spec in value.items():
        if not isinstance(spec, Mapping) or set(spec) - {"strategy", "key"} or "strategy" not in spec:
            return f"tables.{glob} must be {{strategy: range|list|hash, key: column}}, found {spec!r}"
        if str(spec["strategy"]).lower() not in STRATEGIES:
            return (
                f"tables.{glob}.strategy must be one of {', '.join(STRATEGIES)}, found {spec['strategy']!r}"
            )
    return None


class TableNotPartitionedAsDeclared(ModelRule):
    """A table the standard declares partitioned is not, or not by the declared strategy and key.

    ## Why
    Append-only tables that grow without bound (audit logs, events) are
    partitioned from the start (§10.1): old partitions are detached or
    dropped instead of deleted row by row, and queries on recent rows read
    recent partitions. Partitioning an existing big table later means
    rewriting it.

    ## Bad
    ```sql
    CREATE TABLE audit_logs (id uuid NOT NULL, created_at timestamptz NOT NULL);
    ```

    ## Good
    ```sql
    CREATE TABLE audit_logs (id uuid NOT NULL, created_at timestamptz NOT NULL)
        PARTITION BY RANGE (created_at);
    ```

    ## Options
    - `tables`: table name or glob → `{strategy: range|list|hash, key: column}`
      (the standard pack: `audit_logs`, range on `created_at`).
    """

    code = "P001"
    slug = "table-not-partitioned-as-declared"
    severity = "warning"
    tags = ("partitioning",)
    options = (
        Option(
            "tables",
            dict,
            {"audit_logs": {"strategy": "range", "key": "created_at"}},
            "Table name or glob → {strategy, key} of the partitioning it must have.",
        ),
    )

    @classmethod
    def validate_option(cls, name: str, value: Any) -> str | None:
        return validate_partition_tables(value) if name == "tables" else None

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        tables: Mapping[str, Any] = self.opts["tables"]
        if not tables:
            return
        for table in model.tables.values():
            if table.partition_of or table.kind == "foreign table":
                continue
            spec = _declared(tables, table)
            if spec is None:
                continue
            strategy = str(spec["strategy"]).lower()
            key = str(spec.get("key", "")).replace(" ", "").lower()
            found = _key(table.partition_key)
            if found is not None and found[0] == strategy and (not key or found[1] == key):
                continue
            wanted = f"{strategy.upper()} ({key})" if key else strategy.upper()
            actual = f"partitioned by {table.partition_key}" if table.partition_key else "not partitioned"
            yield self.finding(
                f"Table {table.qualname} is {actual}; it must be partitioned by {wanted}.",
                object=table.qualname,
                help=f"Create it as CREATE TABLE {sql_name(table.qualname)} (…) PARTITION BY {wanted}; "
                "(an existing table: create the partitioned table, copy the rows, swap the names).",
            )


_BOUND = re.compile(r"FROM \((?P<low>[^)]*)\) TO \((?P<high>[^)]*)\)", re.I)


def _timestamp(text: str) -> datetime | None:
    """The moment a range bound names (``'2024-01-01'``, ``'2024-01-01 00:00:00+00'``), None for
    MINVALUE, MAXVALUE or a bound that is no date."""
    value = text.strip().split(",")[0].strip()
    if not value.startswith("'"):
        return None
    value = value.strip("'")
    if re.search(r"[+-]\d\d$", value):
        value += ":00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _covers(bounds: list[str], start: datetime, end: datetime) -> bool:
    """True when the FROM … TO … bounds together cover [start, end)."""
    ranges: list[tuple[datetime, datetime]] = []
    for bound in bounds:
        if bound.strip().upper() == "DEFAULT":
            return True  # a default partition takes every row no other partition does
        match = _BOUND.search(bound)
        if match is None:
            continue
        low_text, high_text = match["low"], match["high"]
        low = datetime.min.replace(tzinfo=UTC) if "MINVALUE" in low_text.upper() else _timestamp(low_text)
        high = datetime.max.replace(tzinfo=UTC) if "MAXVALUE" in high_text.upper() else _timestamp(high_text)
        if low is not None and high is not None:
            ranges.append((low, high))
    reached = start
    for low, high in sorted(ranges):
        if low > reached:
            break
        reached = max(reached, high)
        if reached >= end:
            return True
    return reached >= end


class PartitionMissingAhead(ModelRule):
    """A range-partitioned table has no partition for now and the time just ahead.

    ## Why
    An insert whose key falls after the last partition fails with `no
    partition of relation … found for row`. Partitions for the coming
    period are created ahead of time (by a job or a migration); the nightly
    check against the live database says when that did not happen, before
    the first insert of the next month fails.

    ## Bad
    ```sql
    CREATE TABLE audit_logs (id uuid NOT NULL, created_at timestamptz NOT NULL)
        PARTITION BY RANGE (created_at);
    CREATE TABLE audit_logs_2000_01 PARTITION OF audit_logs
        FOR VALUES FROM ('2000-01-01') TO ('2000-02-01');
    ```

    ## Good
    ```sql
    CREATE TABLE audit_logs (id uuid NOT NULL, created_at timestamptz NOT NULL)
        PARTITION BY RANGE (created_at);
    CREATE TABLE audit_logs_from_2000 PARTITION OF audit_logs
        FOR VALUES FROM ('2000-01-01') TO (MAXVALUE);
    ```

    ## Options
    - `horizon_days` (default 31): how far ahead of now the partitions must reach.

    ## Notes
    Live databases only (a migration directory says nothing about today).
    Only tables partitioned by range on a date or timestamp key are checked;
    a DEFAULT partition counts as covering everything.
    """

    code = "P002"
    slug = "partition-missing-ahead"
    severity = "error"
    tags = ("partitioning", "live-only")
    options = (Option("horizon_days", int, 31, "Days ahead of now the range partitions must cover."),)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.live:
            return
        now = ctx.now or datetime.now(UTC)
        end = now + timedelta(days=self.opts["horizon_days"])
        children: dict[str, list[str]] = {}
        for table in model.tables.values():
            if table.partition_of and table.partition_bound:
                children.setdefault(table.partition_of, []).append(table.partition_bound)
        for table in model.tables.values():
            found = _key(table.partition_key)
            if found is None or found[0] != "range" or "," in found[1]:
                continue
            column = table.column(found[1])
            if column is None or not column.type.startswith(("timestamp", "date")):
                continue
            if _covers(children.get(table.qualname, []), now, end):
                continue
            day = end.date().isoformat()
            yield self.finding(
                f"Table {table.qualname} has no partition for {found[1]} from {now.date().isoformat()} to "
                f"{day}; inserts past its last partition fail.",
                object=table.qualname,
                help="Create the next partitions now: CREATE TABLE … PARTITION OF "
                f"{sql_name(table.qualname)} FOR VALUES FROM (…) TO (…); up to at least {day}, and "
                "schedule a job that keeps ahead.",
            )


RULES: tuple[type[Rule], ...] = (TableNotPartitionedAsDeclared, PartitionMissingAhead)
