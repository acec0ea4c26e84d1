"""The drift rules (D001–D020): one per kind of difference between declared and live.

They are registered like every other rule (code, slug, severity, docs whose
``## Bad``/``## Good`` examples run as tests: the first ```sql block is the
declared schema, the second the live one). Severities say how bad a
difference is: a missing table or column, a constraint, an index, RLS flags
policies and privileges (security) are errors; a comment is info.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemalint.drift.diff import Difference
from schemalint.drift.object_rules import (
    CollationDiffers,
    CommentDiffers,
    EnumDiffers,
    ExtensionDiffers,
    FunctionDiffers,
    PolicyDiffers,
    SequenceDiffers,
    TableDiffers,
    TriggerDiffers,
    ViewDiffers,
)
from schemalint.drift.privilege_rules import PrivilegeDiffers
from schemalint.drift.rulebase import DriftRule, code_of
from schemalint.drift.table_rules import (
    ColumnDiffers,
    ColumnMissingLive,
    ColumnNotDeclared,
    ColumnOrderDiffers,
    ConstraintDiffers,
    IndexDiffers,
    RlsDiffers,
    TableMissingLive,
    TableNotDeclared,
)
from schemalint.findings import Finding, RuleInfo

__all__ = ["DRIFT_RULES", "RULES", "DriftRule", "code_of", "drift_findings"]


RULES: tuple[type[DriftRule], ...] = (
    TableMissingLive,
    TableNotDeclared,
    ColumnMissingLive,
    ColumnNotDeclared,
    ColumnDiffers,
    ConstraintDiffers,
    IndexDiffers,
    RlsDiffers,
    PolicyDiffers,
    TriggerDiffers,
    EnumDiffers,
    ViewDiffers,
    FunctionDiffers,
    SequenceDiffers,
    ExtensionDiffers,
    TableDiffers,
    CommentDiffers,
    PrivilegeDiffers,
    ColumnOrderDiffers,
    CollationDiffers,
)
_BY_CODE: dict[str, DriftRule] = {rule.code: rule() for rule in RULES}
DRIFT_RULES: tuple[RuleInfo, ...] = tuple(rule.info() for rule in RULES)


def drift_findings(
    differences: Sequence[Difference], *, declared_label: str, live_label: str
) -> list[Finding]:
    """One finding per difference, in the order of the differences, at the rules' default
    severities (the engine's check_drift applies a configuration)."""
    findings: list[Finding] = []
    for difference in differences:
        rule = _BY_CODE[code_of(difference)]
        findings += rule.check(difference, declared_label=declared_label, live_label=live_label)
    return findings
