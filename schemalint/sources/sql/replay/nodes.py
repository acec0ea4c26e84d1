"""The replay package's one door to postgast: the protobuf module of parse trees (``pb``),
the parsers that DO blocks and view typing call, and protobuf enums as plain constants."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import postgast
from postgast import pg_query_pb2 as pb

__all__ = ["ACL", "OT", "ROLE", "A", "C", "enum_constants", "parse", "parse_plpgsql", "pb", "strings"]

parse = postgast.parse
parse_plpgsql = postgast.parse_plpgsql


def enum_constants(enum: Any) -> Any:
    """A protobuf enum's values as plain attributes: protobuf's enum wrapper resolves each
    attribute access through __getattr__, which shows in replay's profile."""
    return SimpleNamespace(**dict(enum.items()))


def strings(nodes: Iterable[Any]) -> tuple[str, ...]:
    """The values of a list of String nodes (a qualified name, a column list)."""
    return tuple(n.string.sval for n in nodes)


C = enum_constants(pb.ConstrType)
A = enum_constants(pb.AlterTableType)
OT = enum_constants(pb.ObjectType)
ACL = enum_constants(pb.GrantTargetType)
ROLE = enum_constants(pb.RoleSpecType)
