"""What a drift run is asked to do: a typed request the command line builds.

Frozen: the use case reads it and never changes it. Kept free of heavy
imports, so that building one costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    jobs: int = 4
    baseline: str | None = None
    format: str | None = None
    output: str | None = None
    fail_on: str | None = None
    schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    rules: RuleChoice = RuleChoice()
