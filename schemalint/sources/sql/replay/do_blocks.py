"""Replay of DO blocks: the DDL a PL/pgSQL block runs, where it can be known statically.

Migration tools wrap DDL in DO blocks to make it idempotent (``IF NOT EXISTS
(…) THEN CREATE TYPE …``, ``BEGIN ALTER TABLE … EXCEPTION WHEN
duplicate_column …``). The block is parsed with PostgreSQL's PL/pgSQL parser;
static SQL statements and EXECUTEs in its body, IF branches and nested blocks are replayed in
order, and an "already exists" or "does not exist" outcome counts as the guard having done its
job. An EXECUTE's text is worked out when it is built of literals and variables of known value
(declared defaults, assignments, format(), ||); loops over values known before they run (FOR i IN
1..16, FOR r IN SELECT format(…) FROM generate_series(1, 499) n, FOREACH x IN ARRAY['a', 'b'])
are unrolled, so that the partitions or tables such a loop creates are in the model. IF guards
that read catalog views (pg_indexes, information_schema.columns, pg_namespace, …) are decided
against the model replayed so far, SELECT … INTO from such a view gives its variables values
(NULL when there is no row), and a RETURN under guards known to hold ends the block. An EXECUTE
of a GRANT, REVOKE or role statement built at run time is passed over: roles and owners are not
in the model, and the privileges such a statement grants are not known (they show as drift, and
in the corpus fidelity records, not as E001). Other loops, other dynamic SQL and ELSE branches
cannot be followed: the block is then reported (E001) with what was and was not replayed.

The values of expressions are worked out in do_values.py, the rows of catalog views in
catalog_views.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from schemalint.exprnorm import figure_colname
from schemalint.literals import quoted_value
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay.catalog_views import catalog_rows, selected, view_rows
from schemalint.sources.sql.replay.do_values import (
    NULL,
    Value,
    evaluate,
    node_value,
    parse_expression,
    parse_select,
    variable_value,
)
from schemalint.sources.sql.replay.nodes import parse_plpgsql, pb
from schemalint.sources.sql.replay.state import NO_SCHEMA_EFFECT, NotReplayed, Replay

_LOOPS = (
    "PLpgSQL_stmt_loop",
    "PLpgSQL_stmt_while",
    "PLpgSQL_stmt_fori",
    "PLpgSQL_stmt_fors",
    "PLpgSQL_stmt_forc",
    "PLpgSQL_stmt_foreach_a",
    "PLpgSQL_stmt_dynfors",
)


_GUARD_OUTCOMES = ("already exists", "does not exist", "already has")


# a DO block whose loops would run more statements than this is not unrolled
MAX_STATEMENTS = 10_000


class _Walk:
    """The SQL a PL/pgSQL block runs, in order: static statements, and EXECUTEs whose text can be
    worked out from literals and variables of known value (declared defaults, assignments, loop
    variables of FOR i IN a..b, FOR x IN SELECT … FROM generate_series(a, b) and FOREACH over an
    ARRAY[…] of constants, whose bodies are unrolled)."""

    def __init__(
        self,
        datums: Sequence[dict[str, Any]],
        run: Callable[[str], None],
        catalog: Callable[[str], list[dict[str, str]] | None] = lambda view: None,
    ) -> None:
        self.run = run  # applies one statement's text, in order, as the walk reaches it
        self.catalog = catalog  # the rows of a catalog view (pg_indexes, …) now; None: unknown
        self.ran = 0
        self.unfollowed: list[str] = []
        # whether the statement being walked surely runs (no undecided guard around it), and
        # whether such a statement was a RETURN: the block then runs nothing more
        self.certain = True
        self.returned = False
        self.names = [_datum_name(d) for d in datums]
        self.env: dict[str, Value] = {}
        for datum, name in zip(datums, self.names, strict=True):
            default = datum.get("PLpgSQL_var", {}).get("default_val")
            if name and default is not None:
                self._assign(name, evaluate(default["PLpgSQL_expr"]["query"], self.env))

    def body(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            if self.returned:
                return
            self.one(item)

    def one(self, item: dict[str, Any]) -> None:
        kind, data = next(iter(item.items()))
        if kind == "PLpgSQL_stmt_execsql":
            query = data["sqlstmt"]["PLpgSQL_expr"]["query"]
            self._run(query)
            target = data.get("target", {})
            names = [f.get("name", "") for f in target.get("PLpgSQL_row", {}).get("fields", [])]
            for scalar in ("PLpgSQL_var", "PLpgSQL_rec"):  # a record INTO: a value replay does not know
                if target.get(scalar):
                    names.append(target[scalar].get("refname", ""))
            if names:  # … INTO: what a SELECT from a catalog view gives, else a value replay cannot know
                known = selected(query, self.env, self.catalog) if "PLpgSQL_row" in target else None
                values: list[Value | None] = [] if known is None or data.get("strict") else known
                for name, value in zip(names, values + [None] * (len(names) - len(values)), strict=False):
                    self._assign(name, value)
        elif kind == "PLpgSQL_stmt_dynexecute":
            query = data["query"]["PLpgSQL_expr"]["query"].strip()
            text = _string_literal(query)
            if text is None:
                value = evaluate(query, self.env)
                text = value if isinstance(value, str) else None
            if text is not None:
                self._run(text)
            elif not _privileges_only(query):
                self.unfollowed.append(f"EXECUTE {query[:40]}")
        elif kind == "PLpgSQL_stmt_assign":
            target, _, expression = data["expr"]["PLpgSQL_expr"]["query"].partition(":=")
            self._assign(target.strip(), evaluate(expression, self.env))
        elif kind == "PLpgSQL_stmt_block":
            self.body(data.get("body", []))
        elif kind == "PLpgSQL_stmt_if":
            self._if(data)
        elif kind == "PLpgSQL_stmt_return":
            # a RETURN under a guard that may not hold is walked past, as if the guard did not hold
            self.returned = self.certain
        elif kind in ("PLpgSQL_stmt_fori", "PLpgSQL_stmt_fors", "PLpgSQL_stmt_foreach_a"):
            self._loop(kind, data)
        elif kind in _LOOPS:
            self.unfollowed.append("a loop")
        elif kind == "PLpgSQL_stmt_case":
            self.unfollowed.append("a CASE statement")

    def _run(self, text: str) -> None:
        self.ran += 1
        self.run(text)

    def _if(self, data: dict[str, Any]) -> None:
        """The branch whose condition holds, when the conditions can be read off the model (catalog
        lookups such as EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = '…')); else every
        THEN and ELSIF branch, the statements' "already exists" outcomes counting as the guard."""
        branches = [(data.get("cond"), data.get("then_body", []))]
        branches += [
            (b.get("PLpgSQL_if_elsif", {}).get("cond"), b.get("PLpgSQL_if_elsif", {}).get("stmts", []))
            for b in data.get("elsif_list", [])
        ]
        for index, (cond, body) in enumerate(branches):
            holds = condition(cond["PLpgSQL_expr"]["query"], self.env, self.catalog) if cond else None
            if holds is None:  # this branch and the ones after it, as if each guard held
                certain, self.certain = self.certain, False
                for _, later in branches[index:]:
                    self.body(later)
                self.certain = certain
                if data.get("else_body"):
                    self.unfollowed.append("an ELSE branch")
                return
            if holds:
                self.body(body)
                return
        self.body(data.get("else_body", []))

    def _assign(self, name: str, value: Value | None) -> None:
        if value is None:
            self.env.pop(name, None)
        else:
            self.env[name] = value

    def _loop(self, kind: str, data: dict[str, Any]) -> None:
        """Unroll a loop over values known before it runs; else report it."""
        if kind == "PLpgSQL_stmt_fori":
            name, values = data["var"]["PLpgSQL_var"]["refname"], _integer_range(data, self.env)
        elif kind == "PLpgSQL_stmt_fors":
            var = data["var"]
            name = next(iter(var.values())).get("refname", "")
            values = _generated_rows(data["query"]["PLpgSQL_expr"]["query"], self.env, "PLpgSQL_rec" in var)
        else:
            name = self.names[data["varno"]] if data.get("varno", -1) < len(self.names) else ""
            values = _array_values(data["expr"]["PLpgSQL_expr"]["query"], self.env)
        if values is None or not name or len(values) * max(1, len(data.get("body", []))) > MAX_STATEMENTS:
            self.unfollowed.append("a loop")
            return
        before = self.env.get(name)
        for value in values:
            self.env[name] = value
            self.body(data.get("body", []))
            if self.ran > MAX_STATEMENTS:
                self.unfollowed.append(f"a loop that runs more than {MAX_STATEMENTS} statements")
                break
        self._assign(name, before)


def _datum_name(datum: dict[str, Any]) -> str:
    return str(next(iter(datum.values())).get("refname", "")) if datum else ""


def condition(
    expression: str, env: Mapping[str, Value], catalog: Callable[[str], list[dict[str, str]] | None]
) -> bool | None:
    """Whether an IF condition holds, for [NOT] EXISTS (SELECT … FROM a catalog view WHERE …) and
    (SELECT count(*) … FROM … WHERE …) compared with a number, joined by AND, OR and NOT; None
    when it reads anything else. The WHERE clause may compare the view's columns with = or IN to
    constants and variables of known value, joined by AND."""
    node = parse_expression(expression)
    return None if node is None else _holds(node, env, catalog)


def _holds(
    node: Any, env: Mapping[str, Value], catalog: Callable[[str], list[dict[str, str]] | None]
) -> bool | None:
    which = node.WhichOneof("node")
    if which == "bool_expr":
        parts = [_holds(arg, env, catalog) for arg in node.bool_expr.args]
        if node.bool_expr.boolop == pb.NOT_EXPR:
            return None if parts[0] is None else not parts[0]
        if node.bool_expr.boolop == pb.AND_EXPR:
            return False if False in parts else None if None in parts else True
        return True if True in parts else None if None in parts else False
    if which == "sub_link" and node.sub_link.sub_link_type == pb.EXISTS_SUBLINK:
        rows, complete = view_rows(node.sub_link.subselect.select_stmt, env, catalog)
        return True if rows else False if complete else None
    if which == "null_test":
        arg = node.null_test.arg
        known = (
            variable_value(arg.column_ref, env)
            if arg.WhichOneof("node") == "column_ref"
            else node_value(arg, env)
        )
        if known is None:
            return None
        return (known is NULL) is (node.null_test.nulltesttype == pb.IS_NULL)
    if which == "sub_link" and node.sub_link.sub_link_type == pb.EXPR_SUBLINK:
        select = node.sub_link.subselect.select_stmt
        target = select.target_list[0].res_target.val if len(select.target_list) == 1 else None
        if target is None or target.WhichOneof("node") != "a_expr":
            return None
        rows, complete = view_rows(select, env, catalog)
        return _compare_count(target.a_expr, len(rows), env) if complete else None
    if which == "a_expr":
        expr = node.a_expr
        left, right = node_value(expr.lexpr, env), node_value(expr.rexpr, env)
        if type(left) is type(right) and isinstance(left, int | str) and isinstance(right, int | str):
            return _compare(expr, left, right)  # two values known: n > 0, mode = 'x'
        for counted, other in ((expr.lexpr, expr.rexpr), (expr.rexpr, expr.lexpr)):
            if counted.WhichOneof("node") == "sub_link" and counted.sub_link.sub_link_type == pb.EXPR_SUBLINK:
                select = counted.sub_link.subselect.select_stmt
                rows, complete = view_rows(select, env, catalog) if _selects_count(select) else ([], False)
                number = node_value(other, env)
                if not complete or not isinstance(number, int):
                    return None
                left, right = (len(rows), number) if counted is expr.lexpr else (number, len(rows))
                return _compare(expr, left, right)
    return None


def _selects_count(select: Any) -> bool:
    if len(select.target_list) != 1:
        return False
    val = select.target_list[0].res_target.val
    return bool(val.WhichOneof("node") == "func_call" and val.func_call.agg_star)


def _compare_count(expr: Any, count: int, env: Mapping[str, Value]) -> bool | None:
    """count(*) OP n (or n OP count(*)), the select list of a counting subquery."""
    lexpr, rexpr = expr.lexpr, expr.rexpr
    if lexpr.WhichOneof("node") == "func_call" and lexpr.func_call.agg_star:
        number = node_value(rexpr, env)
        return _compare(expr, count, number) if isinstance(number, int) else None
    if rexpr.WhichOneof("node") == "func_call" and rexpr.func_call.agg_star:
        number = node_value(lexpr, env)
        return _compare(expr, number, count) if isinstance(number, int) else None
    return None


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(expr: Any, left: int | str, right: int | str) -> bool | None:
    if expr.kind != pb.AEXPR_OP or len(expr.name) != 1:
        return None
    operator = expr.name[0].string.sval
    if isinstance(left, str) and operator not in ("=", "<>", "!="):
        return None  # text order is the collation's
    compare = _COMPARISONS.get(operator)
    return compare(left, right) if compare is not None else None


def _integer_range(data: dict[str, Any], env: dict[str, Value]) -> list[Value] | None:
    """The values of FOR i IN [REVERSE] a..b [BY s]."""
    bounds = [
        evaluate(data[k]["PLpgSQL_expr"]["query"], env) if k in data else 1
        for k in ("lower", "upper", "step")
    ]
    if not all(isinstance(b, int) for b in bounds):
        return None
    lower, upper, step = (int(b) for b in bounds)  # type: ignore[arg-type]
    if step <= 0 or abs(upper - lower) // step > MAX_STATEMENTS:
        return None
    return (
        list(range(lower, upper - 1, -step)) if data.get("reverse") else list(range(lower, upper + 1, step))
    )


def _generated_rows(query: str, env: dict[str, Value], record: bool) -> list[Value] | None:
    """The rows of SELECT … FROM generate_series(a, b [, s]) [AS] n: records of the select list's
    values (or, for a loop variable that is not a record, the first value)."""
    select = parse_select(query)
    if select is None or len(select.from_clause) != 1 or select.where_clause.ByteSize():
        return None
    source = select.from_clause[0]
    if source.WhichOneof("node") != "range_function" or len(source.range_function.functions) != 1:
        return None
    function = source.range_function.functions[0].list.items[0]
    if function.WhichOneof("node") != "func_call":
        return None
    call = function.func_call
    bounds = [node_value(a, env) for a in call.args]
    if call.funcname[-1].string.sval != "generate_series" or not 2 <= len(bounds) <= 3:
        return None
    numbers = [b for b in bounds if isinstance(b, int)]
    if len(numbers) != len(bounds):
        return None
    lower, upper, step = (*numbers, 1)[:3]
    if step <= 0 or (upper - lower) // step > MAX_STATEMENTS:
        return None
    alias = source.range_function.alias
    column = alias.colnames[0].string.sval if alias.colnames else alias.aliasname or "generate_series"
    rows: list[Value] = []
    for number in range(lower, upper + 1, step):
        scope = {**env, column: number}
        row: dict[str, Any] = {}
        for target in select.target_list:
            res = target.res_target
            value = node_value(res.val, scope)
            if value is None:
                return None
            row[res.name or figure_colname(res.val) or "?column?"] = value
        rows.append(row if record else next(iter(row.values())))
    return rows


def _array_values(expression: str, env: dict[str, Value]) -> list[Value] | None:
    """The elements of ARRAY[…] (cast or not) when their values are known."""
    node = parse_expression(expression)
    if node is None:
        return None
    if node.WhichOneof("node") == "type_cast":
        node = node.type_cast.arg
    if node.WhichOneof("node") != "a_array_expr":
        return None
    values = [node_value(e, env) for e in node.a_array_expr.elements]
    return None if any(v is None for v in values) else values  # type: ignore[return-value]


# statements that change roles and privileges only: roles are not in the model; the privileges
# they grant (built at run time, to roles known only then) are passed over
_PRIVILEGE_STATEMENTS = (
    ("GRANT",),
    ("REVOKE",),
    ("CREATE", "ROLE"),
    ("CREATE", "USER"),
    ("CREATE", "GROUP"),
    ("ALTER", "ROLE"),
    ("ALTER", "USER"),
    ("ALTER", "GROUP"),
    ("DROP", "ROLE"),
    ("DROP", "USER"),
    ("DROP", "GROUP"),
    ("ALTER", "DEFAULT", "PRIVILEGES"),
)


def _privileges_only(query: str) -> bool:
    """Whether an EXECUTE of SQL built at run time (`'GRANT ALL ON t TO ' || role`, or format()
    of such a text) runs a GRANT, REVOKE or role statement, or gives an object an owner (`'ALTER
    TABLE t OWNER TO ' || role`): whatever its names, it creates, drops or alters no object of the
    model (its privileges are not followed)."""
    text = query.strip()
    if text.lower().startswith("format("):
        text = text[len("format(") :].lstrip()
    if not text.startswith("'"):
        return False
    end = 1
    while True:
        end = text.find("'", end)
        if end < 0 or not text.startswith("''", end):
            break
        end += 2
    if end > 0 and ";" in text[end + 1 :]:
        return False  # more text that may hold another statement
    words = tuple(text[1 : end if end > 0 else None].upper().split())
    owner_to = words[-2:] == ("OWNER", "TO") or (
        words[-3:-1] == ("OWNER", "TO") and words[-1].startswith("%")
    )
    if words[:1] == ("ALTER",) and owner_to:
        return True
    return any(words[: len(prefix)] == prefix for prefix in _PRIVILEGE_STATEMENTS)


def _string_literal(text: str) -> str | None:
    value = quoted_value(text)
    if value is not None:
        return value
    if text.startswith("$") and text.count("$") >= 4:
        tag = text[: text.index("$", 1) + 1]
        if text.endswith(tag) and len(text) > 2 * len(tag):
            return text[len(tag) : -len(tag)]
    return None


def _body(stmt: pb.DoStmt) -> tuple[str, str]:
    body, language = "", "plpgsql"
    for arg in stmt.args:
        elem = arg.def_elem
        if elem.defname == "as":
            body = elem.arg.string.sval
        elif elem.defname == "language":
            language = elem.arg.string.sval.lower()
    return body, language


def do_block(r: Replay, stmt: pb.DoStmt) -> None:
    body, language = _body(stmt)
    if language != "plpgsql":
        raise NotReplayed(f"DO block in language {language} is not replayed")
    tag = "$schemalint_do$"
    try:
        tree = parse_plpgsql(
            f"CREATE FUNCTION pg_temp.schemalint_do() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
        )
    except Exception as error:
        raise NotReplayed(f"DO block does not parse as PL/pgSQL: {error}") from None
    outer = r.statement
    applied = 0
    problems: list[str] = []

    def run(text: str) -> None:
        nonlocal applied
        for inner in parse_sql(text, outer.path if outer else "<do>").statements:
            if inner.kind == "error":
                problems.append(f"a statement that does not parse ({inner.error})")
                continue
            handler = r.handler(inner.kind)
            if handler is None:
                if inner.kind not in NO_SCHEMA_EFFECT:
                    problems.append(inner.kind.removesuffix("_stmt").replace("_", " ").upper())
                continue
            try:
                r.atomically(handler, inner.node)
                applied += 1
            except NotReplayed as reason:
                if not any(outcome in str(reason) for outcome in _GUARD_OUTCOMES):
                    problems.append(str(reason))

    walk = _Walk(
        tree[0]["PLpgSQL_function"].get("datums", []) if len(tree) == 1 else [],
        run,
        lambda view: catalog_rows(r, view),
    )
    for function in tree:
        walk.body([function["PLpgSQL_function"]["action"]])
    problems += walk.unfollowed
    if problems:
        raise NotReplayed(
            f"DO block replayed {applied} statement(s) but could not follow: {'; '.join(problems)}"
        )
