"""The one table from statement kind to handler, and the Replayer that applies statements.

A statement that replay does not understand, or that refers to an object the model
does not have, becomes an ``E001 unparsed-statement`` finding with its location:
never a silent skip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from schemalint.findings import Finding
from schemalint.model import Location, Model
from schemalint.sources.sql.replay.alter_table import alter_table
from schemalint.sources.sql.replay.comments import comment
from schemalint.sources.sql.replay.datatypes import (
    alter_domain,
    alter_enum,
    create_domain,
    create_enum,
    other_type,
)
from schemalint.sources.sql.replay.do_blocks import do_block
from schemalint.sources.sql.replay.drop import drop
from schemalint.sources.sql.replay.functions import alter_function, create_function
from schemalint.sources.sql.replay.indexes import create_index
from schemalint.sources.sql.replay.nodes import pb
from schemalint.sources.sql.replay.policies import alter_policy, create_policy
from schemalint.sources.sql.replay.privileges import (
    alter_default_privileges,
    apply_default_privileges,
    grant,
)
from schemalint.sources.sql.replay.rename import rename, set_schema
from schemalint.sources.sql.replay.schemas import (
    alter_extension,
    create_extension,
    create_schema,
    select,
    variable_set,
)
from schemalint.sources.sql.replay.sequences import alter_sequence, create_sequence
from schemalint.sources.sql.replay.state import NO_SCHEMA_EFFECT, Handler, NotReplayed, Refused, Replay
from schemalint.sources.sql.replay.tables import create_foreign_table, create_table
from schemalint.sources.sql.replay.triggers import create_trigger
from schemalint.sources.sql.replay.views import create_table_as, create_view, select_into
from schemalint.statements import Progress, SqlFile, Statement, taken_with_progress


# statement kind (the postgast node's field name) -> its handler; NO_SCHEMA_EFFECT lists the
# kinds that change nothing the model holds; any other kind is reported as not replayed
def _select(r: Replay, stmt: pb.SelectStmt) -> None:
    """SELECT … INTO creates a table; any other SELECT can only set the session's search_path."""
    if stmt.HasField("into_clause"):
        select_into(r, stmt)
    else:
        select(r, stmt)


HANDLERS: dict[str, Handler] = {
    # tables, indexes
    "create_stmt": create_table,
    "create_foreign_table_stmt": create_foreign_table,
    "index_stmt": create_index,
    "alter_table_stmt": alter_table,
    # schemas, extensions, session settings
    "create_schema_stmt": create_schema,
    "create_extension_stmt": create_extension,
    "alter_extension_stmt": alter_extension,
    "variable_set_stmt": variable_set,
    "select_stmt": _select,
    # types and domains
    "create_enum_stmt": create_enum,
    "alter_enum_stmt": alter_enum,
    "create_domain_stmt": create_domain,
    "alter_domain_stmt": alter_domain,
    "composite_type_stmt": other_type,
    "create_range_stmt": other_type,
    "define_stmt": other_type,
    # views
    "view_stmt": create_view,
    "create_table_as_stmt": create_table_as,
    # functions, triggers, policies, sequences
    "create_function_stmt": create_function,
    "alter_function_stmt": alter_function,
    "create_trig_stmt": create_trigger,
    "create_policy_stmt": create_policy,
    "alter_policy_stmt": alter_policy,
    "create_seq_stmt": create_sequence,
    "alter_seq_stmt": alter_sequence,
    # every object kind
    "drop_stmt": drop,
    "rename_stmt": rename,
    "alter_object_schema_stmt": set_schema,
    "comment_stmt": comment,
    # privileges: GRANT/REVOKE on objects (GRANT on roles changes nothing the model holds)
    "grant_stmt": grant,
    "alter_default_privileges_stmt": alter_default_privileges,
    "do_stmt": do_block,
}

E001_CODE = "E001"


E001_SLUG = "unparsed-statement"


def _kind_label(kind: str) -> str:
    return kind.removesuffix("_stmt").replace("_", " ").upper() + " statement"


class Replayer(Replay):
    """Applies statements in order, each through its handler in HANDLERS."""

    def __init__(self, search_path: Sequence[str] = ("public",)) -> None:
        super().__init__(HANDLERS, search_path)

    def apply(self, statement: Statement) -> list[Finding]:
        """Apply one statement; return E001 findings for what was not replayed."""

        self.statement = statement
        self.refused = False
        self.state.journal.clear()  # what this statement changes, and nothing else (changed_origins)
        kind = statement.kind
        if kind == "error":
            return [self._e001(statement, f"statement does not parse: {statement.error}")]
        if kind == "psql":
            command = statement.text.split(None, 1)[0] if statement.text.strip() else "\\"
            if command in ("\\i", "\\ir", "\\include", "\\include_relative"):
                return [
                    self._e001(statement, f"psql {command} is not followed; replay the included file too")
                ]
            if command == "\\if":
                return [self._e001(statement, "psql \\if is not evaluated: every branch of it is replayed")]
            if command == "\\gexec":
                return [
                    self._e001(
                        statement, "psql \\gexec runs the SQL its query returns, which replay cannot know"
                    )
                ]
            return []
        if kind in NO_SCHEMA_EFFECT:
            return []
        handler = HANDLERS.get(kind)
        if handler is None:
            return [self._e001(statement, f"{_kind_label(kind)} is not replayed by schemalint")]
        try:
            self.atomically(handler, statement.node)
            apply_default_privileges(self)
        except Refused as error:
            self.refused = True
            return [self._e001(statement, f"PostgreSQL refuses it: {error}")]
        except NotReplayed as reason:
            return [self._e001(statement, str(reason))]
        return []

    def retry(self, postponed: Sequence[Statement]) -> list[Finding]:
        """Apply statements refused earlier again, round after round while some go through (a
        schema document names tables in any order); the findings of the last attempt of each."""
        findings: list[Finding] = []
        while postponed:
            refused: list[Statement] = []
            last: list[Finding] = []
            for statement in postponed:
                found = self.apply(statement)
                if self.refused:
                    refused.append(statement)
                    last.extend(found)
                else:
                    findings.extend(found)
            if len(refused) == len(postponed):  # no progress: these are refused for good
                return findings + last
            postponed = refused
        return findings

    def _e001(self, statement: Statement, reason: str) -> Finding:
        first_line = " ".join(statement.text.split())[:80]
        return Finding(
            code=E001_CODE,
            slug=E001_SLUG,
            severity="warning",
            message=f"Statement not replayed: {reason} ({first_line})",
            help="Objects this statement creates or changes are unknown to schemalint's model; "
            "check the statement, or suppress with -- schemalint: ignore[E001] reason",
            location=statement.location,
            object=None,
        )


@dataclass(frozen=True)
class ReplayResult:
    model: Model
    findings: list[Finding]
    origins: Mapping[str, Location]
    statements: int
    facts: Mapping[tuple[str, str], Location] = field(default_factory=dict)

    def origin(self, qualname: str) -> Location | None:
        return self.origins.get(qualname)


def replay_files(
    files: Iterable[SqlFile],
    search_path: Sequence[str] = ("public",),
    *,
    any_order: bool = False,
    progress: Progress | None = None,
    total: int = 1,
) -> ReplayResult:
    """Replay files in the order given (`total` of them, for `progress`); the final model, E001
    findings and object origins. A large file's statements are not kept once replayed.

    ``any_order``: the files describe a schema rather than the steps that make it (a schema
    document lists its tables by name, a foreign key before the table it references), so a
    statement PostgreSQL refuses, and a later one that fails for want of it (a COMMENT on the
    refused table), is tried again after the rest of its file, until none succeeds.
    """
    replayer = Replayer(search_path)
    findings: list[Finding] = []
    count = 0
    for done, sql_file in enumerate(files):
        replayer.new_session(search_path)
        postponed: list[Statement] = []
        for statement in taken_with_progress(sql_file, done, total, count, progress):
            found = replayer.apply(statement)
            # what PostgreSQL refuses, and what then fails for want of it, is tried again
            if any_order and (replayer.refused or (postponed and found)):
                postponed.append(statement)
            else:
                findings.extend(found)
            count += 1
        findings.extend(replayer.retry(postponed))
    if progress is not None:
        progress(total, total, count)
    return ReplayResult(replayer.snapshot(), findings, dict(replayer.origins), count, dict(replayer.facts))
