"""Replay of row-level security policies: CREATE POLICY, ALTER POLICY."""

from __future__ import annotations

from typing import Any

from schemalint.exprnorm import canonical_expr
from schemalint.model import Policy, evolve
from schemalint.sources.sql.replay import refusals
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.state import NotReplayed, Replay


def _roles(roles: Any) -> tuple[str, ...]:
    names = []
    for role in roles:
        spec = role.role_spec
        if spec.roletype == pb.RoleSpecType.ROLESPEC_PUBLIC:
            names.append("public")
        elif spec.roletype == pb.RoleSpecType.ROLESPEC_CSTRING:
            names.append(spec.rolename)
        else:
            names.append(pb.RoleSpecType.Name(spec.roletype).removeprefix("ROLESPEC_").lower())
    return tuple(sorted(names)) or ("public",)


def create_policy(r: Replay, stmt: pb.CreatePolicyStmt) -> None:
    qualname = refusals.relation(r, stmt.table)
    table = r.table(qualname)
    if any(p.name == stmt.policy_name for p in table.policies):
        raise NotReplayed(f"policy {stmt.policy_name} on {qualname} already exists")
    policy = Policy(
        name=stmt.policy_name,
        command=stmt.cmd_name or "all",
        permissive=stmt.permissive,
        roles=_roles(stmt.roles),
        using=canonical_expr(stmt.qual) if stmt.HasField("qual") else None,
        with_check=canonical_expr(stmt.with_check) if stmt.HasField("with_check") else None,
        location=r.location,
    )
    r.state.tables[qualname] = evolve(table, policies=(*table.policies, policy))
    r.touch(f"{qualname}.{stmt.policy_name}", qualname)


def alter_policy(r: Replay, stmt: pb.AlterPolicyStmt) -> None:
    qualname = r.relation(stmt.table)
    table = r.table(qualname)
    policy = next((p for p in table.policies if p.name == stmt.policy_name), None)
    if policy is None:
        raise NotReplayed(
            f"policy {stmt.policy_name} on {qualname} does not exist in the model replayed so far"
        )
    if stmt.roles:
        policy = evolve(policy, roles=_roles(stmt.roles))
    if stmt.HasField("qual"):
        policy = evolve(policy, using=canonical_expr(stmt.qual))
    if stmt.HasField("with_check"):
        policy = evolve(policy, with_check=canonical_expr(stmt.with_check))
    r.state.tables[qualname] = evolve(
        table, policies=tuple(policy if p.name == policy.name else p for p in table.policies)
    )
    r.touch(f"{qualname}.{policy.name}", qualname)
