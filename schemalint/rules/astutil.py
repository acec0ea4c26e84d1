"""Helpers for rules that read postgast protobuf nodes and canonical expression text.

Pure functions: no I/O. Statement rules use them to name the tables a
statement touches, to tell tables created earlier in the file from existing
ones, and to read the file's earlier SET statements; model rules use them to
look into canonical expressions (index predicates, policy USING clauses).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import postgast
from postgast import pg_query_pb2 as pb

from schemalint.model import Location, Model, Table, qualify
from schemalint.rules.base import StatementContext
from schemalint.statements import Statement
from schemalint.typenorm import quote_ident as quote_ident  # re-exported for the rules

__all__ = [
    "DEFAULT_SEARCH_PATH",
    "FileContext",
    "FileState",
    "alter_cmds",
    "cmd_def",
    "column_list",
    "column_refs",
    "conjuncts",
    "deparse_node",
    "existing_table",
    "file_state",
    "find_nodes",
    "function_names",
    "is_constant_true",
    "is_first_statement",
    "is_not_null_test",
    "is_null_test",
    "key_column",
    "locking_target",
    "parse_expression",
    "pb",
    "predicate_requires_null",
    "quote_ident",
    "relation_name",
    "scan",
    "sql_name",
    "statement_file",
    "strings",
    "text_is_constant_true",
    "unwrap",
]

# the rules' one door to postgast: the protobuf module of parse trees (pb) and the tree functions
find_nodes = postgast.find_nodes
scan = postgast.scan

DEFAULT_SEARCH_PATH: tuple[str, ...] = ("public",)
_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_$]*$")


def sql_name(qualname: str) -> str:
    """A dot-joined qualified name written as SQL: each part quoted when needed."""
    return ".".join(quote_ident(part) for part in qualname.split("."))


def column_list(columns: Iterable[str]) -> str:
    return ", ".join(quote_ident(column) for column in columns)


def unwrap(node: Any) -> Any:
    """The concrete message inside a ``Node`` oneof wrapper (or the message itself)."""
    if isinstance(node, pb.Node):
        kind = node.WhichOneof("node")
        return getattr(node, kind) if kind else None
    return node


def strings(nodes: Iterable[Any]) -> list[str]:
    """The svals of a list of String nodes (names, qualified names)."""
    return [unwrap(node).sval for node in nodes]


# ---------------------------------------------------------------- tables in a file


def relation_name(relation: pb.RangeVar, state: Model, path: tuple[str, ...]) -> str:
    """The qualified name of a table named in a statement, resolved along the search path."""
    if relation.schemaname:
        return qualify(relation.schemaname, relation.relname)
    for schema in path:
        name = qualify(schema, relation.relname)
        if name in state.tables or name in state.views:
            return name
    return qualify(path[0] if path else "public", relation.relname)


class FileState:
    """What a statement rule knows of the file before the statement, kept up to date statement by statement.

    The search path (``SET search_path``), the tables created so far (following
    renames; True when created with IF NOT EXISTS), whether a non-zero
    lock_timeout is in effect, whether an explicit transaction is open, and how
    many statements came before. The engine keeps one per file and calls
    ``advance`` once per statement, after the rules of that statement ran;
    ``FileState(previous)`` reads a list of earlier statements (library use).
    """

    def __init__(
        self, previous: Sequence[Statement] = (), created_in_file: frozenset[str] = frozenset()
    ) -> None:
        self.path = DEFAULT_SEARCH_PATH
        self.created: dict[str, bool] = {}
        # The file's own statements say which tables it created; the context's set is used only when
        # there are none to read (library use). The engine's set also counted a table as created in a
        # file that merely added an index, constraint, trigger or policy to it.
        self.given = created_in_file if not previous else frozenset()
        self.lock_timeout = False
        self.in_transaction = False
        self.transaction_begin: Location | None = None  # where the open explicit transaction began
        # (table, constraint) added NOT VALID in the file → True while its explicit transaction is open
        self.not_valid: dict[tuple[str, str], bool] = {}
        self.unguarded_lock = False  # a locking statement came earlier with no lock_timeout set
        self.statements_before = 0
        # existing_table's last answer: (statement, state, answer)
        self.existing: tuple[Statement, Model, tuple[str, Table | None] | None] | None = None
        for statement in previous:
            self.advance(statement)

    def advance(self, statement: Statement) -> None:
        """Take in one more statement of the file (the one whose rules just ran)."""
        self.given = frozenset()
        if statement.kind in _LOCKING_KINDS and not self.lock_timeout and not self.unguarded_lock:
            self.unguarded_lock = locking_target(statement, self, _NO_MODEL) is not None
        self._apply(statement)
        self.statements_before += 1

    def _apply(self, statement: Statement) -> None:
        node, kind = statement.node, statement.kind
        if kind == "variable_set_stmt":
            self._set(node)
        elif kind == "select_stmt":
            self._set_config(node)
        elif kind == "transaction_stmt":
            if node.kind in (pb.TRANS_STMT_BEGIN, pb.TRANS_STMT_START):
                if not self.in_transaction:
                    self.transaction_begin = statement.location
                self.in_transaction = True
            elif node.kind in (pb.TRANS_STMT_COMMIT, pb.TRANS_STMT_ROLLBACK, pb.TRANS_STMT_PREPARE):
                self.in_transaction = False
                self.transaction_begin = None
                self.not_valid = dict.fromkeys(self.not_valid, False)
        elif kind == "alter_table_stmt" and pb.AT_AddConstraint in alter_subtypes(node):
            for cmd in alter_cmds(node):
                constraint = unwrap(getattr(cmd, "def"))
                if (
                    isinstance(constraint, pb.Constraint)
                    and constraint.skip_validation
                    and constraint.conname
                ):
                    key = (self.constraint_table(node.relation), constraint.conname)
                    self.not_valid[key] = self.in_transaction
        elif kind == "create_stmt":
            self.created[self._created_name(node.relation)] = bool(node.if_not_exists)
        elif kind == "create_table_as_stmt" and node.objtype in (pb.OBJECT_TABLE, pb.OBJECT_MATVIEW):
            self.created[self._created_name(node.into.rel)] = bool(node.if_not_exists)
        elif kind == "rename_stmt" and node.rename_type == pb.OBJECT_TABLE:
            old = self._created_name(node.relation)
            if old in self.created:
                self.created[qualify(old.split(".")[0], node.newname)] = self.created.pop(old)

    def _set(self, node: pb.VariableSetStmt) -> None:
        name = node.name.lower()
        reset = node.kind in (pb.VAR_RESET, pb.VAR_SET_DEFAULT)
        values = [_const_text(arg) for arg in node.args]
        if name == "search_path":
            schemas = [part.strip().strip('"') for value in values for part in value.split(",")]
            kept = tuple(schema for schema in schemas if schema and schema != "$user")
            self.path = DEFAULT_SEARCH_PATH if reset or not kept else kept
        elif name == "lock_timeout":
            self.lock_timeout = not reset and bool(values) and values[0].strip() not in ("0", "")
        elif node.kind == pb.VAR_RESET_ALL:
            self.lock_timeout = False
            self.path = DEFAULT_SEARCH_PATH

    def _set_config(self, node: pb.SelectStmt) -> None:
        for call in postgast.find_nodes(node, pb.FuncCall):
            if strings(call.funcname)[-1:] == ["set_config"] and len(call.args) >= 2:
                setting, value = _const_text(call.args[0]), _const_text(call.args[1])
                if setting.lower() == "lock_timeout":
                    self.lock_timeout = value.strip() not in ("0", "")

    def constraint_table(self, relation: pb.RangeVar) -> str:
        """The table of an ALTER TABLE … ADD/VALIDATE CONSTRAINT, as ``not_valid`` keys it."""
        return self._created_name(relation)

    def _created_name(self, relation: pb.RangeVar) -> str:
        if relation.schemaname:
            return qualify(relation.schemaname, relation.relname)
        for schema in self.path:
            if qualify(schema, relation.relname) in self.created:
                return qualify(schema, relation.relname)
        return qualify(self.path[0], relation.relname)

    def table_name(self, relation: pb.RangeVar, state: Model) -> str:
        """The qualified name of a table named in the statement."""
        if not relation.schemaname:
            for schema in self.path:
                if self.is_new(qualify(schema, relation.relname)):
                    return qualify(schema, relation.relname)
        return relation_name(relation, state, self.path)

    def is_new(self, qualname: str) -> bool:
        """True when the table was created earlier in this file (so it is empty and unshared).

        A table the linter has never seen (not in the state, not created in the
        file) counts as existing: the file is then linted without the
        migrations before it, and the statement can only succeed on a table
        that already exists.
        """
        return qualname in self.created or qualname in self.given

    def index_table(self, names: list[str], state: Model) -> tuple[str, Table | None]:
        """(qualified index name, its table) for an index named in DROP INDEX and the like."""
        if len(names) > 1:
            candidates = [qualify(names[-2], names[-1])]
        else:
            candidates = [qualify(schema, names[-1]) for schema in self.path]
        for candidate in candidates:
            for table in state.tables.values():
                if any(index.qualname == candidate for index in table.indexes):
                    return candidate, table
        return candidates[0], None


_NO_MODEL = Model()


@dataclass(frozen=True, slots=True)
class FileContext(StatementContext):
    """The engine's StatementContext, one per file: ``file`` is the file's state, advanced once
    per statement.

    It stands for ``previous``, ``created_in_file``, ``lock_timeout_set`` and ``in_transaction``,
    which the engine leaves at their defaults; rules read them through ``statement_file(ctx)``.
    A slice of the earlier statements for every statement, re-read by every rule, made a file of
    n statements cost O(n²) (GitLab's 14,583 statements: more than 300 s), and so did a set of
    the tables created so far made anew for every statement.
    """

    file: FileState = field(default_factory=FileState)


def _const_text(node: Any) -> str:
    """The text of a constant argument (string or number), '' for anything else."""
    const = unwrap(node)
    if isinstance(const, pb.TypeCast):
        const = unwrap(const.arg)
    if not isinstance(const, pb.A_Const):
        return ""
    which = const.WhichOneof("val")
    if which == "sval":
        return str(const.sval.sval)
    if which == "ival":
        return str(const.ival.ival)
    if which == "fval":
        return str(const.fval.fval)
    return ""


_memo: list[tuple[tuple[Statement, ...], frozenset[str], FileState]] = []


def file_state(previous: tuple[Statement, ...], created_in_file: frozenset[str]) -> FileState:
    """FileState of the statements before one statement; memoised for the rules of one statement."""
    if _memo and _memo[0][0] is previous and _memo[0][1] == created_in_file:
        return _memo[0][2]
    state = FileState(previous, created_in_file)
    _memo[:] = [(previous, created_in_file, state)]
    return state


def statement_file(ctx: StatementContext) -> FileState:
    """The FileState of the statements before the one being checked.

    The engine's own (a FileContext); for a plain StatementContext, read from ``ctx.previous``.
    """
    if isinstance(ctx, FileContext):
        return ctx.file
    return file_state(ctx.previous, ctx.created_in_file)


def is_first_statement(ctx: StatementContext) -> bool:
    """True for the first statement of its file."""
    return ctx.file.statements_before == 0 if isinstance(ctx, FileContext) else not ctx.previous


# the last ALTER TABLE read, its commands and their subtypes: several rules (and FileState) read the
# same statement's commands one after the other
_last_alter: list[Any] = [None, [], frozenset()]


def alter_cmds(node: Any) -> list[Any]:
    """The AlterTableCmd messages of an ALTER TABLE."""
    if _last_alter[0] is not node:
        cmds = [unwrap(cmd) for cmd in node.cmds]
        _last_alter[:] = [node, cmds, frozenset(cmd.subtype for cmd in cmds)]
    cmds_of_node: list[Any] = _last_alter[1]
    return cmds_of_node


def alter_subtypes(node: Any) -> frozenset[int]:
    """The subtypes (pb.AT_…) of an ALTER TABLE's commands: a rule that reads none of them stops early."""
    if _last_alter[0] is not node:
        alter_cmds(node)
    subtypes: frozenset[int] = _last_alter[2]
    return subtypes


def cmd_def(cmd: Any) -> Any:
    """The ``def`` of an AlterTableCmd (a ColumnDef, Constraint, expression…), unwrapped."""
    return unwrap(getattr(cmd, "def"))


def existing_table(
    statement: Statement, state: Model, ctx: StatementContext
) -> tuple[str, Table | None] | None:
    """(qualname, table) of the table a statement's ``relation`` names; None when it is new in the file.

    Asked by several rules of the same statement: the answer is kept until the next statement.
    """
    fs = statement_file(ctx)
    if fs.existing is not None and fs.existing[0] is statement and fs.existing[1] is state:
        return fs.existing[2]
    name = fs.table_name(statement.node.relation, state)
    found = None if fs.is_new(name) else (name, state.tables.get(name))
    fs.existing = (statement, state, found)
    return found


# ---------------------------------------------------------------- expressions


def parse_expression(text: str) -> Any | None:
    """The parse tree of an SQL expression (a canonical default, predicate, USING…), None if invalid."""
    try:
        result = postgast.parse(f"SELECT 1 WHERE {text}")
    except postgast.PgQueryError:
        return None
    if len(result.stmts) != 1:
        return None
    return unwrap(result.stmts[0].stmt.select_stmt.where_clause)


def column_refs(node: Any) -> set[str]:
    """The (last part of the) names of every column referenced in a tree."""
    names: set[str] = set()
    for ref in postgast.find_nodes(node, pb.ColumnRef):
        fields = [unwrap(field) for field in ref.fields]
        if fields and isinstance(fields[-1], pb.String):
            names.add(fields[-1].sval)
    return names


def function_names(node: Any) -> set[str]:
    """The (unqualified, lower-case) names of every function called in a tree."""
    names: set[str] = set()
    for call in postgast.find_nodes(node, pb.FuncCall):
        parts = strings(call.funcname)
        if parts:
            names.add(parts[-1].lower())
    return names


def conjuncts(node: Any) -> Iterator[Any]:
    """The top-level AND terms of a boolean expression."""
    node = unwrap(node)
    if isinstance(node, pb.BoolExpr) and node.boolop == pb.AND_EXPR:
        for arg in node.args:
            yield from conjuncts(arg)
    elif node is not None:
        yield node


def is_null_test(node: Any, column: str) -> bool:
    """True for ``column IS NULL``."""
    node = unwrap(node)
    if not isinstance(node, pb.NullTest) or node.nulltesttype != pb.IS_NULL:
        return False
    return column_refs(node.arg) == {column} and isinstance(unwrap(node.arg), pb.ColumnRef)


def is_not_null_test(node: Any, column: str) -> bool:
    """True for ``column IS NOT NULL``."""
    node = unwrap(node)
    if not isinstance(node, pb.NullTest) or node.nulltesttype != pb.IS_NOT_NULL:
        return False
    return isinstance(unwrap(node.arg), pb.ColumnRef) and column_refs(node.arg) == {column}


def predicate_requires_null(text: str | None, column: str) -> bool:
    """True when a predicate (canonical text) has ``column IS NULL`` as one of its AND terms."""
    if text is None:
        return False
    tree = parse_expression(text)
    return any(is_null_test(term, column) for term in conjuncts(tree))


def is_constant_true(node: Any) -> bool:
    """True for an expression that is always true: ``true``, ``'t'::boolean``, ``1 = 1``."""
    node = unwrap(node)
    if isinstance(node, pb.A_Const):
        return bool(node.WhichOneof("val") == "boolval" and node.boolval.boolval)
    if isinstance(node, pb.TypeCast):
        arg = unwrap(node.arg)
        type_name = strings(node.type_name.names)[-1:] if node.type_name else []
        if type_name and type_name[0] in ("bool", "boolean") and isinstance(arg, pb.A_Const):
            if arg.WhichOneof("val") == "sval":
                return str(arg.sval.sval).strip().lower() in _TRUE_WORDS
            return is_constant_true(arg)
        return False
    if isinstance(node, pb.A_Expr) and node.kind == pb.AEXPR_OP and strings(node.name) == ["="]:
        left, right = unwrap(node.lexpr), unwrap(node.rexpr)
        return (
            isinstance(left, pb.A_Const) and isinstance(right, pb.A_Const) and _value(left) == _value(right)
        )
    if isinstance(node, pb.BoolExpr) and node.boolop == pb.OR_EXPR:
        return any(is_constant_true(arg) for arg in node.args)
    if isinstance(node, pb.BoolExpr) and node.boolop == pb.AND_EXPR:
        return all(is_constant_true(arg) for arg in node.args)
    return False


def _value(const: pb.A_Const) -> tuple[str, str]:
    which = const.WhichOneof("val") or "null"
    return which, str(getattr(const, which)) if which != "null" else ""


_TRUE_WORDS = ("t", "true", "y", "yes", "on", "1")


def text_is_constant_true(text: str | None) -> bool:
    """True for a boolean clause (policy USING, WITH CHECK) that is always true.

    A bare string literal counts by its boolean reading: the clause is coerced
    to boolean, and canonical text drops the ``::boolean`` cast of ``'t'::boolean``.
    """
    if text is None:
        return False
    tree = unwrap(parse_expression(text))
    if isinstance(tree, pb.A_Const) and tree.WhichOneof("val") == "sval":
        return str(tree.sval.sval).strip().lower() in _TRUE_WORDS
    return is_constant_true(tree)


def key_column(key: str) -> str:
    """The column an index key names (suffixes like `` DESC`` removed; expressions stay as written)."""
    if key.startswith('"'):
        end = key.find('"', 1)
        while end != -1 and key[end + 1 : end + 2] == '"':
            end = key.find('"', end + 2)
        return key[1:end].replace('""', '"') if end != -1 else key
    return key.split(" ", 1)[0] if _PLAIN_IDENT.match(key.split(" ", 1)[0]) else key


def deparse_node(node: Any, kind: str | None = None) -> str:
    """SQL text of a statement message (``kind`` its oneof name) or of an expression node."""
    if kind is None:
        node = unwrap(node)
        select = pb.SelectStmt(target_list=[pb.Node(res_target=pb.ResTarget(val=_wrap(node)))])
        text = str(postgast.deparse(pb.ParseResult(stmts=[pb.RawStmt(stmt=pb.Node(select_stmt=select))])))
        return text.removeprefix("SELECT ")
    return str(postgast.deparse(pb.ParseResult(stmts=[pb.RawStmt(stmt=pb.Node(**{kind: node}))])))


def _wrap(node: Any) -> pb.Node:
    if isinstance(node, pb.Node):
        return node
    for entry in pb.Node.DESCRIPTOR.fields:
        if entry.message_type is node.DESCRIPTOR:
            return pb.Node(**{entry.name: node})
    raise TypeError(f"cannot wrap {type(node).__name__} in a Node")


# ---------------------------------------------------------------- locks

_TABLE_DROPS = (pb.OBJECT_TABLE, pb.OBJECT_INDEX, pb.OBJECT_MATVIEW, pb.OBJECT_VIEW)
# ALTER TABLE subcommands that take SHARE UPDATE EXCLUSIVE at most: they block no reads or writes
_LIGHT_ALTERS = frozenset(
    {pb.AT_ValidateConstraint, pb.AT_SetStatistics, pb.AT_SetOptions, pb.AT_ResetOptions}
)


# the statement kinds locking_target reads; others never lock
_LOCKING_KINDS = frozenset(
    {
        "create_policy_stmt",
        "alter_policy_stmt",
        "create_trig_stmt",
        "alter_table_stmt",
        "index_stmt",
        "rename_stmt",
        "truncate_stmt",
        "lock_stmt",
        "drop_stmt",
    }
)


def locking_target(statement: Statement, fs: FileState, state: Model) -> str | None:
    """The existing table a statement locks in a way that queues other sessions behind it.

    None for statements that take no such lock, or only on tables created
    earlier in the file. CONCURRENTLY variants count as not locking.
    """
    node, kind = statement.node, statement.kind
    if kind not in _LOCKING_KINDS:
        return None
    relation: pb.RangeVar | None = None
    if kind in ("create_policy_stmt", "alter_policy_stmt"):
        relation = node.table
    elif kind == "create_trig_stmt":
        relation = node.relation
    elif kind == "alter_table_stmt":
        if node.objtype not in (pb.OBJECT_TABLE, pb.OBJECT_MATVIEW):
            return None
        if alter_subtypes(node) <= _LIGHT_ALTERS:
            return None
        relation = node.relation
    elif (kind == "index_stmt" and not node.concurrent) or (
        kind == "rename_stmt"
        and node.rename_type in (pb.OBJECT_TABLE, pb.OBJECT_COLUMN, pb.OBJECT_TABCONSTRAINT)
    ):
        relation = node.relation
    elif kind == "truncate_stmt" or kind == "lock_stmt":
        relations = [unwrap(r) for r in node.relations]
        names = [fs.table_name(r, state) for r in relations]
        return next((name for name in names if not fs.is_new(name)), None)
    elif kind == "drop_stmt" and node.remove_type in _TABLE_DROPS and not node.concurrent:
        for obj in node.objects:
            names = strings(unwrap(obj).items)
            if node.remove_type == pb.OBJECT_INDEX:
                index, table = fs.index_table(names, state)
                if table is None and node.missing_ok:
                    continue  # IF EXISTS of an index no migration created: nothing to drop
                if table is None or not fs.is_new(table.qualname):
                    return table.qualname if table else index
                continue
            schema = names[-2] if len(names) > 1 else None
            name = fs.table_name(pb.RangeVar(schemaname=schema or "", relname=names[-1]), state)
            if node.missing_ok and name not in state.tables and name not in state.views:
                continue  # IF EXISTS of a relation no migration declared
            if not fs.is_new(name):
                return name
        return None
    if relation is None:
        return None
    name = fs.table_name(relation, state)
    return None if fs.is_new(name) else name
