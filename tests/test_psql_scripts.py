"""psql scripts: meta-commands written after a statement (\\gset, \\gexec …) end it, as psql sends
the query buffer there, and those replay cannot follow (\\if, \\gexec) are reported; statements
that psql fills variables into (:name, :'name', :"name") are read when no value can change the model
(GRANT … TO :"user"), else reported naming the variable."""

from __future__ import annotations

import pytest

from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer

SCRIPT = """SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'x') AS has_x \\gset
\\if :has_x
CREATE TABLE t (id int);
\\endif
SELECT format('CREATE TABLE %I ()', 'u') \\gexec
SELECT 1 \\g out.txt
ALTER DATABASE :DBNAME SET request.jwt.claim.id = '-1';
GRANT app_reader, app_writer TO :"PGUSER";
CREATE TABLE :schema.items (id int);
CREATE TABLE notes (id int, body text DEFAULT ':x' CHECK (body <> ':y'), n int DEFAULT 1::int);
"""


def _replayed(script: str) -> tuple[list[tuple[str, str]], list[str], Replayer]:
    statements = parse_sql(script, "script.sql").statements
    replayer = Replayer()
    messages = [f"{f.location.line}: {f.message}" for s in statements for f in replayer.apply(s)]  # type: ignore[union-attr]
    return [(s.kind, s.text) for s in statements], messages, replayer


def test_a_meta_command_after_a_statement_ends_it() -> None:
    statements, _, _ = _replayed(SCRIPT)
    assert statements[:9] == [
        ("select_stmt", "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'x') AS has_x"),
        ("psql", "\\gset"),
        ("psql", "\\if :has_x"),
        ("create_stmt", "CREATE TABLE t (id int);"),
        ("psql", "\\endif"),
        ("select_stmt", "SELECT format('CREATE TABLE %I ()', 'u')"),
        ("psql", "\\gexec"),
        ("select_stmt", "SELECT 1"),
        ("psql", "\\g out.txt"),
    ]


def test_psql_variables_are_read_where_no_value_changes_the_model() -> None:
    statements, messages, replayer = _replayed(SCRIPT)
    kinds = [kind for kind, _ in statements[9:]]
    assert kinds == ["alter_database_set_stmt", "grant_role_stmt", "error", "create_stmt"]
    assert messages == [
        "2: Statement not replayed: psql \\if is not evaluated: every branch of it is replayed (\\if :has_x)",
        "5: Statement not replayed: psql \\gexec runs the SQL its query returns, which replay cannot know "
        "(\\gexec)",
        "9: Statement not replayed: statement does not parse: uses psql variable :schema, whose value "
        "replay does not know (CREATE TABLE :schema.items (id int);)",
    ]
    notes = replayer.state.tables["public.notes"]
    assert [c.default for c in notes.columns] == [None, "':x'", "1"]


@pytest.mark.parametrize(
    ("statement", "variables"),
    [
        ("CREATE TABLE :s.t (a int DEFAULT 1::int)", ":s"),  # a cast is no variable
        ("CREATE TABLE :'s' (a text DEFAULT 'it''s :x')", ":'s'"),
        ('CREATE TABLE :"s" (":x" int)', ':"s"'),
        ("CREATE FUNCTION :f() RETURNS int LANGUAGE sql AS $$ SELECT :x $$", ":f"),
        ("CREATE TABLE :t (a int) -- :x\n", ":t"),
        ("CREATE TABLE :t (a int /* :x */, b text DEFAULT E'\\' :y')", ":t"),
        ("CREATE TABLE :t (a int, b text DEFAULT :'v')", ":t, :'v'"),
    ],
)
def test_only_what_psql_fills_in_is_named(statement: str, variables: str) -> None:
    (parsed,) = parse_sql(statement, "s.sql").statements
    assert parsed.error == f"uses psql variable {variables}, whose value replay does not know"


def test_a_variable_safe_statement_keeps_its_text_and_positions() -> None:
    (parsed,) = parse_sql('GRANT reader TO :"PGUSER";', "s.sql").statements
    assert parsed.kind == "grant_role_stmt" and parsed.text == 'GRANT reader TO :"PGUSER";'
    assert [r.role_spec.rolename for r in parsed.node.grantee_roles] == ["PGUSER"]


def test_no_statement_ends_inside_parentheses_as_psql_reads_a_rule() -> None:
    script = (
        "CREATE TABLE events (id int);\n"
        "CREATE RULE r AS ON INSERT TO events DO INSTEAD (NOTIFY foo; SELECT ';(' ; );\n"
        "SELECT ')';\n"
        "CREATE RULE n AS ON DELETE TO events DO INSTEAD NOTHING;\n"
    )
    statements, messages, _ = _replayed(script)
    assert [kind for kind, _ in statements] == ["create_stmt", "rule_stmt", "select_stmt", "rule_stmt"]
    assert statements[1][1].endswith("SELECT ';(' ; );")
    assert messages == []
