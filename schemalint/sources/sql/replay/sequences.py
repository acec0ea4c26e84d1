"""Replay of CREATE SEQUENCE and ALTER SEQUENCE."""

from __future__ import annotations

from typing import Any

from schemalint.model import Sequence, evolve
from schemalint.sources.sql.replay.columns import SEQUENCE_LIMITS
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay


def _sequence_options(r: Replay, seq: Sequence, options: Any, *, creating: bool = False) -> Sequence:
    values: dict[str, Any] = {}
    for option in options:
        elem = option.def_elem
        arg = elem.arg
        name = elem.defname
        if name == "as":
            values["type"] = r.canonical_type(arg.type_name)
        elif name in ("increment", "start", "cache", "minvalue", "maxvalue", "restart"):
            which = arg.WhichOneof("node")
            number = (
                int(arg.integer.ival)
                if which == "integer"
                else int(arg.float.fval)
                if which == "float"
                else None
            )
            values[name] = number
        elif name == "cycle":
            values["cycle"] = bool(arg.boolean.boolval)
        elif name == "owned_by":
            parts = [i.string.sval for i in arg.list.items]
            if parts == ["none"]:
                values["owned_by"] = None
            else:
                table = r.resolve(parts[-3] if len(parts) > 2 else "", parts[-2], r.relation_exists)
                values["owned_by"] = f"{table}.{parts[-1]}"
    seq_type = values.get("type", seq.type)
    increment = values.get("increment") or seq.increment
    low, high = default_limits(seq_type, increment)
    keep_limits = "type" not in values and "increment" not in values
    min_value = (
        values["minvalue"] if values.get("minvalue") is not None else (seq.min_value if keep_limits else None)
    )
    max_value = (
        values["maxvalue"] if values.get("maxvalue") is not None else (seq.max_value if keep_limits else None)
    )
    if values.get("start") is not None:
        start = values["start"]
    elif creating:
        start = (
            (min_value if min_value is not None else low)
            if increment > 0
            else (max_value if max_value is not None else high)
        )
    else:
        start = seq.start  # ALTER SEQUENCE changes the start only with START WITH
    return evolve(
        seq,
        type=seq_type,
        increment=increment,
        min_value=None if min_value == low else min_value,
        max_value=None if max_value == high else max_value,
        start=start,
        cache=values.get("cache") or seq.cache,
        cycle=values.get("cycle", seq.cycle),
        owned_by=values.get("owned_by", seq.owned_by),
    )


def default_limits(seq_type: str, increment: int) -> tuple[int, int]:
    """A sequence's implicit MINVALUE and MAXVALUE for its type and direction."""
    top = SEQUENCE_LIMITS.get(seq_type, SEQUENCE_LIMITS["bigint"])
    return (1, top) if increment > 0 else (-top - 1, -1)


def create_sequence(r: Replay, stmt: pb.CreateSeqStmt) -> None:
    schema = r.creation_schema(stmt.sequence.schemaname)
    name = stmt.sequence.relname
    qualname = f"{schema}.{name}"
    if qualname in r.state.sequences:
        if stmt.if_not_exists:
            return
        raise NotReplayed(f"sequence {qualname} already exists")
    seq = Sequence(schema, name, type="bigint")
    seq = evolve(_sequence_options(r, seq, _typed_first(stmt.options), creating=True), location=r.location)
    r.state.sequences[qualname] = seq
    r.add_relname(schema, name)
    r.touch(qualname)


def _typed_first(options: Any) -> list[Any]:
    """Apply AS type before the limits that depend on it."""
    return sorted(options, key=lambda o: 0 if o.def_elem.defname == "as" else 1)


def alter_sequence(r: Replay, stmt: pb.AlterSeqStmt) -> None:
    qualname = r.resolve(stmt.sequence.schemaname, stmt.sequence.relname, lambda q: q in r.state.sequences)
    seq = r.state.sequences.get(qualname)
    if seq is None:
        if stmt.missing_ok:
            return
        raise NotReplayed(f"sequence {qualname} does not exist in the model replayed so far")
    r.state.sequences[qualname] = _sequence_options(r, seq, _typed_first(stmt.options))
    r.touch(qualname)
