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
of a GRANT, REVOKE or role statement built at run time changes nothing the model holds and is
passed over. Other loops, other dynamic SQL and ELSE branches cannot be followed: the block is
then reported (E001) with what was and was not replayed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import postgast
from postgast import pg_query_pb2 as pb

from schemalint.exprnorm import figure_colname
from schemalint.literals import quoted_value
from schemalint.sources.sql.replay import NotReplayed
from schemalint.typenorm import quote_ident

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


class _Null:
    """SQL's NULL as the known value of a variable (a SELECT … INTO that found no row)."""

    def __repr__(self) -> str:
        return "NULL"


NULL = _Null()

# what a PL/pgSQL variable holds, as far as replay can know it: an integer, a text, a record (a
# row of a FOR … IN SELECT loop), NULL; a variable missing from the environment is unknown
Value = int | str | dict[str, Any] | _Null


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
        if values is None or not name or len(values) * max(1, len(data.get("body", []))) > _MAX_STATEMENTS:
            self.unfollowed.append("a loop")
            return
        before = self.env.get(name)
        for value in values:
            self.env[name] = value
            self.body(data.get("body", []))
            if self.ran > _MAX_STATEMENTS:
                self.unfollowed.append(f"a loop that runs more than {_MAX_STATEMENTS} statements")
                break
        self._assign(name, before)


def _datum_name(datum: dict[str, Any]) -> str:
    return str(next(iter(datum.values())).get("refname", "")) if datum else ""


def evaluate(expression: str, env: dict[str, Value]) -> Value | None:
    """The value of a PL/pgSQL expression built of constants and variables of known value (||,
    + - *, casts to text or integer, format(), concat(), quote_ident(), quote_literal(), lower(),
    upper()); None when it reads anything else."""
    node = _expression(expression)
    return None if node is None else _value(node, env)


def _expression(expression: str) -> Any | None:
    """The parse tree of a PL/pgSQL expression (the value of SELECT <expression>), or None."""
    select = _select(f"SELECT {expression}")
    if select is None or len(select.target_list) != 1 or select.from_clause:
        return None
    return select.target_list[0].res_target.val


def _select(query: str) -> Any | None:
    """The SelectStmt of a query that is one SELECT, or None."""
    try:
        tree = postgast.parse(query)
    except Exception:
        return None
    node = tree.stmts[0].stmt if len(tree.stmts) == 1 else None
    return node.select_stmt if node is not None and node.HasField("select_stmt") else None


def _value(node: Any, env: Mapping[str, Value]) -> Value | None:
    which = node.WhichOneof("node")
    if which == "a_const":
        const = node.a_const
        kind = const.WhichOneof("val")
        return const.ival.ival if kind == "ival" else const.sval.sval if kind == "sval" else None
    if which == "column_ref":
        found = _variable(node.column_ref, env)
        return None if found is NULL else found  # NULL: only IS [NOT] NULL reads it
    if which == "type_cast":
        value = _value(node.type_cast.arg, env)
        target = node.type_cast.type_name.names[-1].string.sval if node.type_cast.type_name.names else ""
        if value is None or isinstance(value, dict | _Null) or node.type_cast.type_name.array_bounds:
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
        if left is None or right is None or isinstance(left, dict) or isinstance(right, dict):
            return None
        if operator == "||":
            return f"{left}{right}"
        if isinstance(left, int) and isinstance(right, int) and operator in ("+", "-", "*"):
            return left + right if operator == "+" else left - right if operator == "-" else left * right
        return None
    if which == "func_call":
        return _call(node.func_call, env)
    return None


def _variable(ref: Any, env: Mapping[str, Value]) -> Value | None:
    """The value of the variable (or record field) a ColumnRef names, NULL included; None: unknown."""
    names = [f.string.sval for f in ref.fields if f.WhichOneof("node") == "string"]
    if len(names) != len(ref.fields) or not names:
        return None
    found = env.get(names[0])
    for field in names[1:]:
        found = found.get(field) if isinstance(found, dict) else None
    return None if isinstance(found, dict) else found


def _call(call: Any, env: Mapping[str, Value]) -> Value | None:
    name = call.funcname[-1].string.sval if call.funcname else ""
    values = [_value(a, env) for a in call.args]
    args = [a for a in values if isinstance(a, int | str)]
    # an argument of unknown value (None; a NULL is taken as unknown too) leaves the call unknown
    if call.agg_star or call.HasField("over") or len(args) != len(values):
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


def _format(template: str, args: list[int | str]) -> str | None:
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
        out.append(
            value if match[2] == "s" else quote_ident(value) if match[2] == "I" else _quote_literal(value)
        )
    rest = template[position:]
    if "%" in rest:
        return None  # a width, a flag or a stray %: not worked out here
    return "".join(out) + rest


def _quote_literal(text: str) -> str:
    quoted = "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
    return "E" + quoted if "\\" in text else quoted


def condition(
    expression: str, env: Mapping[str, Value], catalog: Callable[[str], list[dict[str, str]] | None]
) -> bool | None:
    """Whether an IF condition holds, for [NOT] EXISTS (SELECT … FROM a catalog view WHERE …) and
    (SELECT count(*) … FROM … WHERE …) compared with a number, joined by AND, OR and NOT; None
    when it reads anything else. The WHERE clause may compare the view's columns with = or IN to
    constants and variables of known value, joined by AND."""
    node = _expression(expression)
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
        rows, complete = _rows(node.sub_link.subselect.select_stmt, env, catalog)
        return True if rows else False if complete else None
    if which == "null_test":
        arg = node.null_test.arg
        known = _variable(arg.column_ref, env) if arg.WhichOneof("node") == "column_ref" else _value(arg, env)
        if known is None:
            return None
        return (known is NULL) is (node.null_test.nulltesttype == pb.IS_NULL)
    if which == "sub_link" and node.sub_link.sub_link_type == pb.EXPR_SUBLINK:
        select = node.sub_link.subselect.select_stmt
        target = select.target_list[0].res_target.val if len(select.target_list) == 1 else None
        if target is None or target.WhichOneof("node") != "a_expr":
            return None
        rows, complete = _rows(select, env, catalog)
        return _compare_count(target.a_expr, len(rows), env) if complete else None
    if which == "a_expr":
        expr = node.a_expr
        left, right = _value(expr.lexpr, env), _value(expr.rexpr, env)
        if type(left) is type(right) and isinstance(left, int | str) and isinstance(right, int | str):
            return _compare(expr, left, right)  # two values known: n > 0, mode = 'x'
        for counted, other in ((expr.lexpr, expr.rexpr), (expr.rexpr, expr.lexpr)):
            if counted.WhichOneof("node") == "sub_link" and counted.sub_link.sub_link_type == pb.EXPR_SUBLINK:
                select = counted.sub_link.subselect.select_stmt
                rows, complete = _rows(select, env, catalog) if _selects_count(select) else ([], False)
                number = _value(other, env)
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
        number = _value(rexpr, env)
        return _compare(expr, count, number) if isinstance(number, int) else None
    if rexpr.WhichOneof("node") == "func_call" and rexpr.func_call.agg_star:
        number = _value(lexpr, env)
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


def _rows(
    select: Any, env: Mapping[str, Value], catalog: Callable[[str], list[dict[str, str]] | None]
) -> tuple[list[dict[str, str]], bool]:
    """The rows of SELECT … FROM <one catalog view> [WHERE col = value AND col IN (…) …] that the
    model holds, and whether they are all the rows the catalog would give: the model holds no
    system or extension objects, so the answer is whole only when the WHERE clause pins the
    schema to schemas of the model (pg_indexes WHERE schemaname = 'auth' AND …); ([], False)
    when the query reads anything else."""
    unknown: tuple[list[dict[str, str]], bool] = ([], False)
    if len(select.from_clause) != 1 or select.from_clause[0].WhichOneof("node") != "range_var":
        return unknown
    if select.group_clause or select.HasField("having_clause") or select.limit_count.ByteSize():
        return unknown
    source = select.from_clause[0].range_var
    if source.schemaname not in ("", "pg_catalog", "information_schema"):
        return unknown
    view = f"{source.schemaname or 'pg_catalog'}.{source.relname}"
    if source.schemaname == "" and source.relname in _INFORMATION_SCHEMA_ONLY:
        return unknown  # information_schema's views are not on the search_path
    rows = catalog(view)
    if rows is None:
        return unknown
    tests: list[Any] = []
    if select.HasField("where_clause"):
        where = select.where_clause
        is_and = where.WhichOneof("node") == "bool_expr" and where.bool_expr.boolop == pb.AND_EXPR
        tests = list(where.bool_expr.args) if is_and else [where]
    alias = source.alias.aliasname or source.relname
    schema_column = _SCHEMA_COLUMNS.get(view)
    user_schemas = {row["nspname"] for row in catalog("pg_catalog.pg_namespace") or []}
    complete = False
    for test in tests:
        filtered = _filter(rows, test, alias, env)
        if filtered is None:
            return unknown
        rows, column, wanted = filtered
        # the rows are all there are when the schemas asked about are all the model's (a schema's
        # objects) or can only be the model's (the schemas themselves)
        in_model = column == schema_column and wanted <= user_schemas - _SYSTEM_SCHEMAS
        schemas = column == _SCHEMA_NAME_COLUMNS.get(view) and _only_user_schemas(wanted, catalog)
        complete = complete or in_model or schemas
    return rows, complete


def _only_user_schemas(names: set[str], catalog: Callable[[str], list[dict[str, str]] | None]) -> bool:
    """Whether schemas of these names exist only if the model holds them: no name is a system
    schema's (pg_*, information_schema), and every extension of the model is one that makes no
    schema (an extension such as pg_cron or postgis_topology makes one, which the model leaves out)."""
    extensions = {row["extname"] for row in catalog("pg_catalog.pg_extension") or []}
    return extensions <= _SCHEMALESS_EXTENSIONS and not any(
        name.startswith("pg_") or name == "information_schema" for name in names
    )


def selected(
    query: str, env: Mapping[str, Value], catalog: Callable[[str], list[dict[str, str]] | None]
) -> list[Value | None] | None:
    """What SELECT <expressions> FROM <one catalog view> WHERE … puts INTO its variables: NULLs
    when the model shows there is no row, the expressions' values over the row when there is one;
    None when replay cannot know (another query, rows in an order it does not know)."""
    select = _select(query)
    if select is None or not select.from_clause or select.sort_clause:
        return None
    rows, complete = _rows(select, env, catalog)
    targets = [t.res_target.val for t in select.target_list]
    if not rows:
        return [NULL for _ in targets] if complete else None
    if len(rows) > 1 or any(
        t.WhichOneof("node") == "column_ref" and t.column_ref.fields[-1].WhichOneof("node") == "a_star"
        for t in targets
    ):
        return None
    scope = {**env, **rows[0]}
    return [_value(t, scope) for t in targets]


def _filter(
    rows: list[dict[str, str]], test: Any, alias: str, env: Mapping[str, Value]
) -> tuple[list[dict[str, str]], str, set[str]] | None:
    """(the rows that pass `column = value` or `column IN (values)`, the column, the values)."""
    if (
        test.WhichOneof("node") != "a_expr"
        or len(test.a_expr.name) != 1
        or test.a_expr.name[0].string.sval != "="
    ):
        return None
    expr = test.a_expr
    if expr.lexpr.WhichOneof("node") != "column_ref":
        return None
    names = [f.string.sval for f in expr.lexpr.column_ref.fields]
    if (len(names) == 2 and names[0] != alias) or len(names) not in (1, 2):
        return None
    column = names[-1]
    if expr.kind == pb.AEXPR_OP:
        wanted = [_value(_uncast(expr.rexpr), env)]
    elif expr.kind == pb.AEXPR_IN:
        wanted = [_value(_uncast(item), env) for item in expr.rexpr.list.items]
    else:
        return None
    values = {w for w in wanted if isinstance(w, str)}
    if len(values) != len(set(map(str, wanted))) or None in wanted or column not in _CATALOG_COLUMNS:
        return None
    return [row for row in rows if row.get(column) in values], column, values


def _uncast(node: Any) -> Any:
    """'x'::name or 'x'::text: the constant (a comparison with a catalog name column)."""
    if node.WhichOneof("node") == "type_cast":
        names = [n.string.sval for n in node.type_cast.type_name.names]
        if names[-1] in ("name", "text", "varchar"):
            return node.type_cast.arg
    return node


_INFORMATION_SCHEMA_ONLY = frozenset({"tables", "columns", "schemata", "table_constraints"})


def catalog_rows(r: Replayer, view: str) -> list[dict[str, str]] | None:
    """The rows of a catalog view as the replayed model has them, with the columns a guard reads
    (pg_indexes, pg_tables, pg_views, pg_class, pg_type, pg_namespace, pg_constraint, pg_proc,
    pg_trigger, pg_policies, pg_sequences, pg_extension, information_schema.tables, .columns,
    .schemata, .table_constraints); None for any other relation."""
    s = r.state
    tables = list(s.tables.values())
    match view:
        case "pg_catalog.pg_indexes":
            return [
                {"schemaname": t.schema, "tablename": t.name, "indexname": i.name}
                for t in tables
                for i in t.indexes
            ] + [
                {"schemaname": v.schema, "tablename": v.name, "indexname": i.name}
                for v in s.views.values()
                for i in v.indexes
            ]
        case "pg_catalog.pg_tables":
            return [
                {"schemaname": t.schema, "tablename": t.name} for t in tables if t.kind != "foreign table"
            ]
        case "pg_catalog.pg_views":
            return [
                {"schemaname": v.schema, "viewname": v.name} for v in s.views.values() if not v.materialized
            ]
        case "pg_catalog.pg_sequences":
            return [{"schemaname": q.schema, "sequencename": q.name} for q in s.sequences.values()]
        case "pg_catalog.pg_class":
            names = [t.name for t in tables] + [v.name for v in s.views.values()]
            names += [q.name for q in s.sequences.values()] + [i.name for t in tables for i in t.indexes]
            return [{"relname": name} for name in names]
        case "pg_catalog.pg_type":
            names = [e.name for e in s.enums.values()] + [d.name for d in s.domains.values()]
            names += [q.rpartition(".")[2] for q in s.other_types] + [t.name for t in tables]
            names += [v.name for v in s.views.values()]
            return [{"typname": name} for name in names]
        case "pg_catalog.pg_namespace":
            return [{"nspname": name} for name in s.schemas]
        case "information_schema.schemata":
            return [{"schema_name": name} for name in s.schemas]
        case "pg_catalog.pg_constraint":
            return [{"conname": c.name} for t in tables for c in t.constraints]
        case "information_schema.table_constraints":
            # the view leaves out exclusion constraints and foreign tables, and lists each NOT NULL
            # column as a CHECK constraint with a name made of OIDs (no literal names it)
            relations = [t for t in tables if t.kind != "foreign table"]
            return [
                {
                    "constraint_schema": t.schema,
                    "constraint_name": c.name,
                    "constraint_type": c.kind.upper(),
                    "table_schema": t.schema,
                    "table_name": t.name,
                }
                for t in relations
                for c in t.constraints
                if c.kind != "exclusion"
            ] + [
                {
                    "constraint_schema": t.schema,
                    "constraint_name": "",
                    "constraint_type": "CHECK",
                    "table_schema": t.schema,
                    "table_name": t.name,
                }
                for t in relations
                for c in t.columns
                if c.not_null
            ]
        case "pg_catalog.pg_proc":
            return [{"proname": f.name} for f in s.functions.values()]
        case "pg_catalog.pg_trigger":
            return [{"tgname": g.name} for t in tables for g in t.triggers] + [
                {"tgname": g.name} for v in s.views.values() for g in v.triggers
            ]
        case "pg_catalog.pg_policies":
            return [
                {"schemaname": t.schema, "tablename": t.name, "policyname": p.name}
                for t in tables
                for p in t.policies
            ]
        case "pg_catalog.pg_extension":
            return [{"extname": name} for name in s.extensions]
        case "information_schema.tables":
            return [{"table_schema": t.schema, "table_name": t.name} for t in tables] + [
                {"table_schema": v.schema, "table_name": v.name}
                for v in s.views.values()
                if not v.materialized
            ]
        case "information_schema.columns":
            return [
                {"table_schema": t.schema, "table_name": t.name, "column_name": c.name}
                for t in tables
                for c in t.columns
            ]
    return None


# the schema column of the views that have one
_SCHEMA_COLUMNS = {
    "pg_catalog.pg_indexes": "schemaname",
    "pg_catalog.pg_tables": "schemaname",
    "pg_catalog.pg_views": "schemaname",
    "pg_catalog.pg_sequences": "schemaname",
    "pg_catalog.pg_policies": "schemaname",
    "information_schema.tables": "table_schema",
    "information_schema.columns": "table_schema",
    "information_schema.table_constraints": "table_schema",
}
_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})

# the views that list schemas, and their name column
_SCHEMA_NAME_COLUMNS = {"pg_catalog.pg_namespace": "nspname", "information_schema.schemata": "schema_name"}

# extensions that create no schema of their own (PostgreSQL's contrib modules and a few common
# others): with only these installed, every schema of the database is one the model holds
_SCHEMALESS_EXTENSIONS = frozenset(
    {
        "plpgsql", "pgcrypto", "uuid-ossp", "citext", "hstore", "pg_trgm", "btree_gin", "btree_gist",
        "ltree", "unaccent", "fuzzystrmatch", "intarray", "cube", "earthdistance", "tablefunc",
        "pg_stat_statements", "isn", "lo", "dblink", "postgres_fdw", "file_fdw", "moddatetime",
        "pg_buffercache", "pgstattuple", "pgrowlocks", "pg_prewarm", "pg_visibility", "amcheck",
        "bloom", "seg", "intagg", "tsm_system_rows", "tsm_system_time", "autoinc", "insert_username",
        "refint", "tcn", "dict_int", "dict_xsyn", "sslinfo", "xml2", "pageinspect", "postgis",
        "postgis_raster", "vector", "pg_partman", "pgtap", "address_standardizer",
    }
)  # fmt: skip

# every column catalog_rows gives
_CATALOG_COLUMNS = frozenset(
    {
        "schemaname",
        "tablename",
        "indexname",
        "viewname",
        "sequencename",
        "relname",
        "typname",
        "nspname",
        "schema_name",
        "conname",
        "constraint_schema",
        "constraint_name",
        "constraint_type",
        "table_schema",
        "table_name",
        "proname",
        "tgname",
        "policyname",
        "extname",
        "column_name",
    }
)


def _integer_range(data: dict[str, Any], env: dict[str, Value]) -> list[Value] | None:
    """The values of FOR i IN [REVERSE] a..b [BY s]."""
    bounds = [
        evaluate(data[k]["PLpgSQL_expr"]["query"], env) if k in data else 1
        for k in ("lower", "upper", "step")
    ]
    if not all(isinstance(b, int) for b in bounds):
        return None
    lower, upper, step = (int(b) for b in bounds)  # type: ignore[arg-type]
    if step <= 0 or abs(upper - lower) // step > _MAX_STATEMENTS:
        return None
    return (
        list(range(lower, upper - 1, -step)) if data.get("reverse") else list(range(lower, upper + 1, step))
    )


def _generated_rows(query: str, env: dict[str, Value], record: bool) -> list[Value] | None:
    """The rows of SELECT … FROM generate_series(a, b [, s]) [AS] n: records of the select list's
    values (or, for a loop variable that is not a record, the first value)."""
    select = _select(query)
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
    numbers = [b for b in bounds if isinstance(b, int)]
    if len(numbers) != len(bounds):
        return None
    lower, upper, step = (*numbers, 1)[:3]
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
    """The elements of ARRAY[…] (cast or not) when their values are known."""
    node = _expression(expression)
    if node is None:
        return None
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
    of such a text) runs a GRANT, REVOKE or role statement, or gives an object an owner (`'ALTER
    TABLE t OWNER TO ' || role`): whatever its names, it changes no object of the model."""
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


def do_block(r: Replayer, stmt: pb.DoStmt) -> None:
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
    outer = r.statement
    applied = 0
    problems: list[str] = []

    def run(text: str) -> None:
        nonlocal applied
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


def _handler(kind: str) -> Callable[[Replayer, Any], None] | None:
    from schemalint.sources.sql.replay import _handlers

    return _handlers().get(kind)


HANDLERS: dict[str, Callable[[Replayer, Any], None]] = {"do_stmt": do_block}
