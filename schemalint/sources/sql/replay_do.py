"""Replay of DO blocks: the DDL a PL/pgSQL block runs, where it can be known statically.

Migration tools wrap DDL in DO blocks to make it idempotent (``IF NOT EXISTS
(…) THEN CREATE TYPE …``, ``BEGIN ALTER TABLE … EXCEPTION WHEN
duplicate_column …``). The block is parsed with PostgreSQL's PL/pgSQL parser;
static SQL statements and EXECUTEs in its body, IF branches and nested blocks are replayed in
order, and an "already exists" or "does not exist" outcome counts as the guard having done its
job. An EXECUTE's text is worked out when it is built of literals and variables of known value
(declared defaults, assignments, format(), ||); loops over values known before they run (FOR i IN
1..16, FOR r IN SELECT format(…) FROM generate_series(1, 499) n, FOREACH x IN ARRAY['a', 'b'])
are unrolled, so that the partitions or tables such a loop creates are in the model. An EXECUTE
of a GRANT, REVOKE or role statement built at run time changes nothing the model holds and is
passed over. Other loops, other dynamic SQL and ELSE branches cannot be followed: the block is
then reported (E001) with what was and was not replayed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from postgast import pg_query_pb2 as pb

from schemalint.exprnorm import figure_colname, quoted_value
from schemalint.typenorm import quote_ident
from schemalint.sources.sql.replay import NotReplayed

if TYPE_CHECKING:
    from schemalint.sources.sql.replay import Replayer

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
_MAX_STATEMENTS = 10_000

# what a PL/pgSQL variable holds, as far as replay can know it: an integer, a text, a record (a
# row of a FOR … IN SELECT loop); a variable missing from the environment is unknown
Value = int | str | dict[str, Any]


class _Walk:
    """The SQL a PL/pgSQL block runs, in order: static statements, and EXECUTEs whose text can be
    worked out from literals and variables of known value (declared defaults, assignments, loop
    variables of FOR i IN a..b, FOR x IN SELECT … FROM generate_series(a, b) and FOREACH over an
    ARRAY[…] of constants, whose bodies are unrolled)."""

    def __init__(self, datums: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
        self.statements: list[str] = []
        self.unfollowed: list[str] = []
        self.names = [_datum_name(d) for d in datums]
        self.env: dict[str, Value] = {}
        for datum, name in zip(datums, self.names, strict=True):
            default = datum.get("PLpgSQL_var", {}).get("default_val")
            if name and default is not None:
                self._assign(name, evaluate(default["PLpgSQL_expr"]["query"], self.env))

    def body(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self.one(item)

    def one(self, item: dict[str, Any]) -> None:
        kind, data = next(iter(item.items()))
        if kind == "PLpgSQL_stmt_execsql":
            self.statements.append(data["sqlstmt"]["PLpgSQL_expr"]["query"])
            for field in data.get("target", {}).get("PLpgSQL_row", {}).get("fields", []):
                self.env.pop(field.get("name", ""), None)  # SELECT … INTO: a value replay cannot know
            if data.get("target", {}).get("PLpgSQL_var"):
                self.env.pop(data["target"]["PLpgSQL_var"].get("refname", ""), None)
        elif kind == "PLpgSQL_stmt_dynexecute":
            query = data["query"]["PLpgSQL_expr"]["query"].strip()
            text = _string_literal(query)
            if text is None:
                value = evaluate(query, self.env)
                text = value if isinstance(value, str) else None
            if text is not None:
                self.statements.append(text)
            elif not _privileges_only(query):
                self.unfollowed.append(f"EXECUTE {query[:40]}")
        elif kind == "PLpgSQL_stmt_assign":
            target, _, expression = data["expr"]["PLpgSQL_expr"]["query"].partition(":=")
            self._assign(target.strip(), evaluate(expression, self.env))
        elif kind == "PLpgSQL_stmt_block":
            self.body(data.get("body", []))
        elif kind == "PLpgSQL_stmt_if":
            self.body(data.get("then_body", []))
            for branch in data.get("elsif_list", []):
                self.body(branch.get("PLpgSQL_if_elsif", {}).get("stmts", []))
            if data.get("else_body"):
                self.unfollowed.append("an ELSE branch")
        elif kind in ("PLpgSQL_stmt_fori", "PLpgSQL_stmt_fors", "PLpgSQL_stmt_foreach_a"):
            self._loop(kind, data)
        elif kind in _LOOPS:
            self.unfollowed.append("a loop")
        elif kind == "PLpgSQL_stmt_case":
            self.unfollowed.append("a CASE statement")

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
        if values is None or not name or len(values) * max(1, len(data.get("body", []))) > _MAX_STATEMENTS:
            self.unfollowed.append("a loop")
            return
        before = self.env.get(name)
        for value in values:
            self.env[name] = value
            self.body(data.get("body", []))
            if len(self.statements) > _MAX_STATEMENTS:
                self.unfollowed.append(f"a loop that runs more than {_MAX_STATEMENTS} statements")
                return
        self._assign(name, before)


def _datum_name(datum: dict[str, Any]) -> str:
    return str(next(iter(datum.values())).get("refname", "")) if datum else ""


def evaluate(expression: str, env: dict[str, Value]) -> Value | None:
    """The value of a PL/pgSQL expression built of constants and variables of known value (||,
    + - *, casts to text or integer, format(), concat(), quote_ident(), quote_literal(), lower(),
    upper()); None when it reads anything else."""
    import postgast

    try:
        tree = postgast.parse(f"SELECT {expression}")
    except Exception:
        return None
    select = tree.stmts[0].stmt.select_stmt if len(tree.stmts) == 1 else None
    if select is None or len(select.target_list) != 1 or select.from_clause:
        return None
    return _value(select.target_list[0].res_target.val, env)


def _value(node: Any, env: Mapping[str, Value]) -> Value | None:
    which = node.WhichOneof("node")
    if which == "a_const":
        const = node.a_const
        kind = const.WhichOneof("val")
        return const.ival.ival if kind == "ival" else const.sval.sval if kind == "sval" else None
    if which == "column_ref":
        names = [f.string.sval for f in node.column_ref.fields if f.WhichOneof("node") == "string"]
        if len(names) != len(node.column_ref.fields) or not names:
            return None
        found = env.get(names[0])
        for field in names[1:]:
            found = found.get(field) if isinstance(found, dict) else None
        return None if isinstance(found, dict) else found
    if which == "type_cast":
        value = _value(node.type_cast.arg, env)
        target = node.type_cast.type_name.names[-1].string.sval if node.type_cast.type_name.names else ""
        if value is None or node.type_cast.type_name.array_bounds:
            return None
        if target in ("text", "varchar", "name"):
            return str(value)
        if target in ("int2", "int4", "int8", "integer", "bigint", "smallint"):
            return int(value) if isinstance(value, int) or str(value).strip().lstrip("+-").isdigit() else None
        return None
    if which == "a_expr" and node.a_expr.kind == pb.AEXPR_OP and len(node.a_expr.name) == 1:
        operator = node.a_expr.name[0].string.sval
        left = _value(node.a_expr.lexpr, env) if node.a_expr.HasField("lexpr") else 0
        right = _value(node.a_expr.rexpr, env)
        if left is None or right is None:
            return None
        if operator == "||":
            return f"{left}{right}"
        if isinstance(left, int) and isinstance(right, int) and operator in ("+", "-", "*"):
            return left + right if operator == "+" else left - right if operator == "-" else left * right
        return None
    if which == "func_call":
        return _call(node.func_call, env)
    return None


def _call(call: Any, env: Mapping[str, Value]) -> Value | None:
    name = call.funcname[-1].string.sval if call.funcname else ""
    args = [_value(a, env) for a in call.args]
    # an argument of unknown value (None; a NULL is taken as unknown too) leaves the call unknown
    if call.agg_star or call.HasField("over") or any(a is None or isinstance(a, dict) for a in args):
        return None
    if name == "format" and args and isinstance(args[0], str):
        return _format(args[0], args[1:])
    if name == "concat":
        return "".join(str(a) for a in args)
    if len(args) != 1:
        return None
    text = str(args[0])
    functions: dict[str, Callable[[str], str]] = {
        "quote_ident": quote_ident,
        "quote_literal": _quote_literal,
        "lower": str.lower,
        "upper": str.upper,
    }
    function = functions.get(name)
    return function(text) if function is not None else None


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?([sIL%])")


def _format(template: str, args: list[Value]) -> str | None:
    """format() for %s, %I, %L, %% and %n$ positions (no widths); None when it needs more."""
    out: list[str] = []
    position = 0
    next_arg = 0
    for match in _FORMAT_SPEC.finditer(template):
        out.append(template[position : match.start()])
        position = match.end()
        if match[2] == "%":
            out.append("%")
            continue
        index = int(match[1]) - 1 if match[1] else next_arg
        next_arg = index + 1
        if index >= len(args):
            return None
        value = str(args[index])
        out.append(value if match[2] == "s" else quote_ident(value) if match[2] == "I" else _quote_literal(value))
    rest = template[position:]
    if "%" in rest:
        return None  # a width, a flag or a stray %: not worked out here
    return "".join(out) + rest


def _quote_literal(text: str) -> str:
    quoted = "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
    return "E" + quoted if "\\" in text else quoted


def _integer_range(data: dict[str, Any], env: dict[str, Value]) -> list[Value] | None:
    """The values of FOR i IN [REVERSE] a..b [BY s]."""
    bounds = [evaluate(data[k]["PLpgSQL_expr"]["query"], env) if k in data else 1 for k in ("lower", "upper", "step")]
    if not all(isinstance(b, int) for b in bounds):
        return None
    lower, upper, step = (int(b) for b in bounds)  # type: ignore[arg-type]
    if step <= 0 or abs(upper - lower) // step > _MAX_STATEMENTS:
        return None
    return list(range(lower, upper - 1, -step)) if data.get("reverse") else list(range(lower, upper + 1, step))


def _generated_rows(query: str, env: dict[str, Value], record: bool) -> list[Value] | None:
    """The rows of SELECT … FROM generate_series(a, b [, s]) [AS] n: records of the select list's
    values (or, for a loop variable that is not a record, the first value)."""
    import postgast

    try:
        tree = postgast.parse(query)
    except Exception:
        return None
    select = tree.stmts[0].stmt.select_stmt if len(tree.stmts) == 1 else None
    if select is None or len(select.from_clause) != 1 or select.where_clause.ByteSize():
        return None
    source = select.from_clause[0]
    if source.WhichOneof("node") != "range_function" or len(source.range_function.functions) != 1:
        return None
    function = source.range_function.functions[0].list.items[0]
    if function.WhichOneof("node") != "func_call":
        return None
    call = function.func_call
    bounds = [_value(a, env) for a in call.args]
    if call.funcname[-1].string.sval != "generate_series" or not 2 <= len(bounds) <= 3:
        return None
    if not all(isinstance(b, int) for b in bounds):
        return None
    lower, upper, step = (*bounds, 1)[:3]  # type: ignore[misc]
    if step <= 0 or (upper - lower) // step > _MAX_STATEMENTS:
        return None
    alias = source.range_function.alias
    column = alias.colnames[0].string.sval if alias.colnames else alias.aliasname or "generate_series"
    rows: list[Value] = []
    for number in range(lower, upper + 1, step):
        scope = {**env, column: number}
        row: dict[str, Any] = {}
        for target in select.target_list:
            res = target.res_target
            value = _value(res.val, scope)
            if value is None:
                return None
            row[res.name or figure_colname(res.val) or "?column?"] = value
        rows.append(row if record else next(iter(row.values())))
    return rows


def _array_values(expression: str, env: dict[str, Value]) -> list[Value] | None:
    """The elements of ARRAY[…] (or '{…}' of simple elements) of known values."""
    import postgast

    try:
        tree = postgast.parse(f"SELECT {expression}")
    except Exception:
        return None
    node = tree.stmts[0].stmt.select_stmt.target_list[0].res_target.val
    if node.WhichOneof("node") == "type_cast":
        node = node.type_cast.arg
    if node.WhichOneof("node") != "a_array_expr":
        return None
    values = [_value(e, env) for e in node.a_array_expr.elements]
    return None if any(v is None for v in values) else values  # type: ignore[return-value]


# statements that change roles and privileges only: nothing the model holds
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
    of such a text) runs a GRANT, REVOKE or role statement: whatever its names, it changes no
    object of the model."""
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
    words = tuple(text[1 : end if end > 0 else None].upper().split())
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


def do_block(r: Replayer, stmt: pb.DoStmt) -> None:
    import postgast

    from schemalint.sources.sql.parse import parse_sql

    body, language = _body(stmt)
    if language != "plpgsql":
        raise NotReplayed(f"DO block in language {language} is not replayed")
    tag = "$schemalint_do$"
    try:
        tree = postgast.parse_plpgsql(
            f"CREATE FUNCTION pg_temp.schemalint_do() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
        )
    except Exception as error:
        raise NotReplayed(f"DO block does not parse as PL/pgSQL: {error}") from None
    walk = _Walk(tree[0]["PLpgSQL_function"].get("datums", []) if len(tree) == 1 else [])
    for function in tree:
        walk.body([function["PLpgSQL_function"]["action"]])
    outer = r.statement
    applied = 0
    problems: list[str] = []
    for text in walk.statements:
        for inner in parse_sql(text, outer.path if outer else "<do>").statements:
            if inner.kind == "error":
                problems.append(f"a statement that does not parse ({inner.error})")
                continue
            handler = _handler(inner.kind)
            if handler is None:
                from schemalint.sources.sql.replay import NO_SCHEMA_EFFECT

                if inner.kind not in NO_SCHEMA_EFFECT:
                    problems.append(inner.kind.removesuffix("_stmt").replace("_", " ").upper())
                continue
            try:
                handler(r, inner.node)
                applied += 1
            except NotReplayed as reason:
                if not any(outcome in str(reason) for outcome in _GUARD_OUTCOMES):
                    problems.append(str(reason))
    problems += walk.unfollowed
    if problems:
        raise NotReplayed(
            f"DO block replayed {applied} statement(s) but could not follow: {'; '.join(problems)}"
        )


def _handler(kind: str) -> Callable[[Replayer, Any], None] | None:
    from schemalint.sources.sql.replay import _handlers

    return _handlers().get(kind)


def statements_of(body: str) -> Iterator[str]:
    """The static SQL statements of a PL/pgSQL block body (for tests and tools)."""
    import postgast

    tree = postgast.parse_plpgsql(f"CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $x$ {body} $x$")
    walk = _Walk()
    for function in tree:
        walk.body([function["PLpgSQL_function"]["action"]])
    yield from walk.statements


HANDLERS: dict[str, Callable[[Replayer, Any], None]] = {"do_stmt": do_block}
