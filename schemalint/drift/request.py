"""What a drift run is asked to do: a typed request the command line builds.

Frozen: the use case reads it and never changes it. Kept free of heavy
imports, so that building one costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from schemalint.errors import UserError

SHARD_INDEX_VARIABLE = "JOB_COMPLETION_INDEX"  # Kubernetes Indexed Jobs
SHARD_TOTAL_VARIABLE = "SCHEMALINT_SHARD_TOTAL"


@dataclass(frozen=True, slots=True)
class Shard:
    """One of ``total`` shards of a fleet: the targets at positions index, index + total, …
    (0-based, in the order of --live-dsns, or of the schemas for --each-schema)."""

    index: int
    total: int

    def takes(self, position: int) -> bool:
        return position % self.total == self.index

    def __str__(self) -> str:
        return f"{self.index + 1}/{self.total}"


def shard_of(text: str) -> Shard:
    """``--shard K/N``: the K-th of N shards, K from 1 (as a CI matrix counts)."""
    k, slash, n = text.partition("/")
    if not (slash and k.strip().isdigit() and n.strip().isdigit()) or not 1 <= int(k) <= int(n):
        raise UserError(f"--shard {text!r}: expected K/N with 1 <= K <= N, such as 2/8")
    return Shard(int(k) - 1, int(n))


def shard_from_env(variable: str, total: str | None, environ: Mapping[str, str] = os.environ) -> Shard:
    """``--shard-from-env [VAR]``: the 0-based index in VAR (Kubernetes Indexed Jobs'
    JOB_COMPLETION_INDEX, GitHub's strategy.job-index), of ``total`` shards: a number, or
    the name of a variable that holds it (default SCHEMALINT_SHARD_TOTAL)."""
    index = environ.get(variable, "").strip()
    if not index.isdigit():
        found = f"found {index!r}" if index else "it is not set"
        raise UserError(f"--shard-from-env {variable}: expected a 0-based shard index, {found}")
    spec = total if total is not None else SHARD_TOTAL_VARIABLE
    count = spec.strip() if spec.strip().isdigit() else environ.get(spec, "").strip()
    if not count.isdigit() or int(count) < 1:
        raise UserError(
            f"--shard-from-env needs the number of shards: give --shard-total N (a number or a "
            f"variable that holds it) or set {SHARD_TOTAL_VARIABLE}; {spec} gives {count!r}"
        )
    if int(index) >= int(count):
        raise UserError(f"--shard-from-env {variable}={index}: the index must be below the {count} shards")
    return Shard(int(index), int(count))


@dataclass(frozen=True, slots=True)
class RuleChoice:
    """The command line's rule and config overrides (None: the configuration's value)."""

    config: str | None = None
    packs: tuple[str, ...] | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class DriftRequest:
    """``schemalint drift DECLARED [LIVE]`` and its options.

    ``fail_on`` None: the configuration's fail-on when it sets one, else ``info`` (any
    difference fails the run). ``ignore_objects`` are --ignore-object globs: drift findings
    on matching objects are suppressed, as per-object-ignores of the configuration are.
    """

    declared: str
    live: str | None = None
    live_env: str | None = None
    live_dsns: str | None = None
    each_schema: str | None = None
    shadow: str | None = None
    applied_table: str | None = None
    ignore_objects: tuple[str, ...] = ()
    sql: bool = False
    unsafe: bool = False
    verify: bool = False  # with sql and shadow: apply the script to a scratch copy of LIVE and re-diff
    jobs: int = 4
    baseline: str | None = None
    format: str | None = None
    output: str | None = None
    fail_on: str | None = None
    schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    rules: RuleChoice = RuleChoice()
    shard: Shard | None = None


@dataclass(frozen=True, slots=True)
class MergeRequest:
    """``schemalint merge REPORT.json…``: fold shard JSON reports into one report."""

    reports: tuple[str, ...]
    format: str | None = None
    output: str | None = None
    fail_on: str | None = None
