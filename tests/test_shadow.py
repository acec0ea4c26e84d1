"""Shadow replay: refuse a database that is not empty; apply files statement by statement; introspect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from schemalint import model as m
from schemalint.cli import main
from schemalint.errors import SourceError
from schemalint.sources.shadow import apply_files, check_empty, check_not_live, shadow_model
from schemalint.sources.sql.parse import parse_sql

pytestmark = pytest.mark.catalog

RunSql = Callable[[str, str], list[tuple[Any, ...]]]

MIGRATION = """\
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('ok', 'sad');
CREATE TABLE app.people (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  mood app.mood NOT NULL DEFAULT 'ok'
);
\\set ON_ERROR_STOP on
COPY app.people (mood) FROM stdin;
sad
\\.
CREATE INDEX idx_people_mood ON app.people (mood);
CREATE TABLE app.broken (
  id int,
  owner_id app.nosuchtype
);
CREATE TABLE app.pets (id int, owner_id int REFERENCES app.nowhere (id));
ALTER TABLE app.people ADD COLUMN name text;
"""


def test_empty_database_passes(pg: str) -> None:
    check_empty(pg)


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        ("CREATE SCHEMA app", "schema app"),
        ("CREATE TABLE public.t (id int)", "table public.t"),
        ("CREATE VIEW public.v AS SELECT 1 AS one", "view public.v"),
        ("CREATE TYPE public.mood AS ENUM ('ok')", "type public.mood"),
        ("CREATE DOMAIN public.positive AS int CHECK (VALUE > 0)", "type public.positive"),
        ("CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "function public.f"),
        ("CREATE SEQUENCE public.s", "sequence public.s"),
        ("CREATE EXTENSION citext", "extension citext"),
        ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC", "default privileges of"),
    ],
)
def test_refuses_a_database_that_is_not_empty(pg: str, run_sql: RunSql, setup: str, named: str) -> None:
    run_sql(pg, setup)
    with pytest.raises(SourceError, match="is not empty") as caught:
        check_empty(pg)
    assert named in str(caught.value)


def test_refusal_lists_five_objects_and_counts_the_rest(pg: str, run_sql: RunSql) -> None:
    run_sql(pg, "; ".join(f"CREATE TABLE public.t{i} (id int)" for i in range(8)))
    with pytest.raises(SourceError) as caught:
        check_empty(pg)
    assert (
        "table public.t0, table public.t1, table public.t2, table public.t3, table public.t4 and 3 more"
        in (str(caught.value))
    )


def test_apply_files_goes_on_after_errors_and_skips_psql(pg: str) -> None:
    migration = parse_sql(MIGRATION, "V1__people.sql")
    second = parse_sql("ALTER TABLE app.people ADD COLUMN age int;\nSELECT 1/0;\n", "V2__age.sql")
    messages = apply_files(pg, [migration, second])
    assert messages == [
        "V1__people.sql:7: skipped psql meta-command \\set ON_ERROR_STOP on",
        'V1__people.sql:14: type "app.nosuchtype" does not exist',
        'V1__people.sql:16: relation "app.nowhere" does not exist',
        "V2__age.sql:2: division by zero",
    ]
    model = shadow_model_of(pg)
    people = model.tables["app.people"]
    assert [c.name for c in people.columns] == ["id", "mood", "name", "age"]
    assert [i.name for i in people.indexes] == ["idx_people_mood", "people_pkey"]
    assert "app.broken" not in model.tables and "app.pets" not in model.tables
    assert model.enums["app.mood"].values == ("ok", "sad")


def shadow_model_of(dsn: str) -> m.Model:
    from schemalint.sources.catalog import introspect

    return introspect(dsn, schemas=["app"])


def test_shadow_model_on_a_scratch_dsn(pg: str, run_sql: RunSql) -> None:
    files = [parse_sql("CREATE TABLE public.orders (id int PRIMARY KEY, total numeric(19,4));", "a.sql")]
    model, messages = shadow_model(files, pg)
    assert messages == []
    assert model.tables["public.orders"].columns == (
        m.Column("id", "integer", not_null=True),
        m.Column("total", "numeric(19,4)"),
    )
    check_empty(pg)  # the scratch database is emptied after use …
    again, _ = shadow_model(files, pg)  # … so it serves the next run too
    assert again == model
    run_sql(pg, "CREATE TABLE leftover (id int)")
    with pytest.raises(SourceError, match=r"is not empty .*table public.leftover"):
        shadow_model(files, pg)  # never applied on top of something else


def test_the_scratch_database_forgets_default_privileges_of_every_schema(pg: str, run_sql: RunSql) -> None:
    """They outlive DROP SCHEMA, and would give the next run's functions other privileges."""
    sql = (
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n"
        "ALTER DEFAULT PRIVILEGES GRANT SELECT, UPDATE ON TABLES TO PUBLIC;\n"
        "ALTER DEFAULT PRIVILEGES REVOKE ALL ON TYPES FROM CURRENT_USER;\n"
        "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
    )
    model, _ = shadow_model([parse_sql(sql, "a.sql")], pg)
    assert model.functions["public.f()"].acl == () and len(model.default_privileges) == 2
    check_empty(pg)
    assert run_sql(pg, "SELECT count(*) FROM pg_catalog.pg_default_acl") == [(0,)]


def test_shadow_model_refuses_what_is_not_a_dsn() -> None:
    with pytest.raises(SourceError, match="--shadow takes the DSN of an empty scratch database"):
        shadow_model([], "db/migrations")


def test_shadow_model_embedded() -> None:
    files = [
        parse_sql(
            "CREATE SCHEMA billing;\n"
            "CREATE TABLE billing.invoices (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), paid boolean);\n"
            "GRANT SELECT ON billing.invoices TO reporting;\n",
            "init.sql",
        )
    ]
    model, messages = shadow_model(files, "embedded", schemas=["billing"])
    assert messages == ['init.sql:3: role "reporting" does not exist']
    assert list(model.tables) == ["billing.invoices"]
    assert model.tables["billing.invoices"].column("id") == m.Column(
        "id", "uuid", not_null=True, default="gen_random_uuid()"
    )
    assert model.database.server_version and model.database.server_version.startswith("18")


def _other_spelling(dsn: str) -> str:
    """The same database named another way: key=value in place of a URI, keys in another order
    (what the DSN text says differs; what the server says it is does not)."""
    spelled = make_conninfo(**dict(sorted(conninfo_to_dict(dsn).items(), reverse=True)))
    assert spelled != dsn
    return spelled


@pytest.mark.parametrize("spelling", [str, _other_spelling], ids=["same-dsn", "other-spelling"])
def test_the_shadow_is_never_the_live_database(
    pg: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: Callable[[str], str]
) -> None:
    (tmp_path / "V1__orders.sql").write_text("CREATE TABLE public.orders (id int PRIMARY KEY);\n")
    code = main(["drift", str(tmp_path), pg, "--shadow", spelling(pg)])
    err = capsys.readouterr().err
    assert code == 2
    assert "is the live database" in err and "--shadow embedded" in err
    check_empty(pg)


def test_check_not_live_lets_another_database_of_the_same_server_be_the_shadow(
    pg: str, pg_admin: str
) -> None:
    check_not_live(pg, [pg_admin])  # same server, another database: a scratch database may live beside
    with pytest.raises(SourceError, match="is the live database"):
        check_not_live(pg, [pg_admin, _other_spelling(pg)])


def test_a_live_database_that_cannot_be_read_stops_the_shadow(pg: str) -> None:
    with pytest.raises(SourceError, match="Cannot tell whether the shadow database is the live database"):
        check_not_live(pg, ["postgresql://nobody:secret@127.0.0.1:1/nowhere"])
