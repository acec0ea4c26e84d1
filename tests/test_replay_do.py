"""DO blocks: what replay follows (EXECUTEs of known text, loops over known values, guards read off
the model), which EXECUTEs of SQL built at run time it may pass over, and that the rest is still
reported."""

from __future__ import annotations

import pytest
from test_replay_catalog import CASES

from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer
from schemalint.sources.sql.replay.do_blocks import _privileges_only


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("'GRANT ALL ON TABLE storage.x TO ' || anon_role", True),
        ("'grant ' || anon_role || ' to authenticated'", True),
        ("format('REVOKE ALL ON %I FROM %I', t, r)", True),
        ("'CREATE ROLE ' || anon_role || ' NOLOGIN'", True),
        ("'ALTER USER ' || super_user || ' SET search_path = storage'", True),
        ("'alter default privileges in schema s grant select on tables to ' || r", True),
        ("'ALTER table \"storage\".objects owner to ' || r", True),
        ("format('ALTER FUNCTION %I.f() OWNER TO %I', s, r)", True),
        ("'ALTER TABLE t OWNER TO ' || r || '; DROP TABLE t'", False),
        ("'CREATE TABLE ' || name || ' (id int)'", False),
        ("'ALTER TABLE t OWNER TO ' || r", True),
        ("'GRANT ALL ON t TO ' || r || '; DROP TABLE t'", False),
        ("format('CREATE INDEX %I ON t (a)', n)", False),
        ("'it''s GRANT ' || x", False),
        ("drop_constraint_sql", False),
    ],
)
def test_privilege_statements_built_at_run_time(query: str, expected: bool) -> None:
    assert _privileges_only(query) is expected


def test_other_dynamic_sql_is_still_reported() -> None:
    sql = """
        CREATE TABLE t (id int);
        DO $$ DECLARE r text = current_setting('app.column'); BEGIN
            EXECUTE 'GRANT SELECT ON t TO ' || r;
            EXECUTE 'ALTER TABLE t ADD COLUMN ' || r || ' int';
        END $$;
    """
    replayer = Replayer()
    findings = [f for s in parse_sql(sql, "do.sql").statements for f in replayer.apply(s)]
    assert len(findings) == 1
    unfollowed = findings[0].message.split("could not follow: ", 1)[1].split(" (DO", 1)[0]
    assert unfollowed.startswith("EXECUTE 'ALTER TABLE t ADD COLUMN '") and ";" not in unfollowed


def _replay(sql: str) -> tuple[Replayer, list[str]]:
    replayer = Replayer()
    messages = [f.message for s in parse_sql(sql, "do.sql").statements for f in replayer.apply(s)]
    return replayer, messages


def test_dynamic_sql_of_known_values_is_replayed() -> None:
    replayer, messages = _replay("""
        CREATE TABLE t (id int);
        DO $$ DECLARE r text = 'x'; BEGIN
            EXECUTE 'GRANT SELECT ON t TO ' || r;
            EXECUTE 'ALTER TABLE t ADD COLUMN ' || r || ' int';
            r := r || '2';
            EXECUTE format('ALTER TABLE %I ADD COLUMN %I text', 't', r);
        END $$;
    """)
    assert messages == []
    assert [c.name for c in replayer.state.tables["public.t"].columns] == ["id", "x", "x2"]


@pytest.mark.parametrize(
    ("loop", "unfollowed"),
    [
        ("FOR i IN 1..n LOOP EXECUTE format('CREATE TABLE t%s ()', i); END LOOP;", "a loop"),
        ("FOR i IN 1..1000000 LOOP EXECUTE format('CREATE TABLE t%s ()', i); END LOOP;", "a loop"),
        (
            "FOR r IN SELECT relname FROM pg_class LOOP EXECUTE 'DROP TABLE ' || r.relname; END LOOP;",
            "a loop",
        ),
        (
            "n := 5; SELECT count(*) INTO n FROM pg_class; EXECUTE format('CREATE TABLE t%s ()', n);",
            "EXECUTE format(",
        ),
    ],
)
def test_loops_and_values_replay_cannot_know_are_reported(loop: str, unfollowed: str) -> None:
    _, messages = _replay(
        f"DO $$ DECLARE n int = current_setting('app.n')::int; r record; BEGIN {loop} END $$;"
    )
    assert len(messages) == 1 and f"could not follow: {unfollowed}" in messages[0]


def test_if_conditions_on_the_catalog_are_read_off_the_model() -> None:
    # the case test_replay_catalog also checks against PostgreSQL: here, which branches replay took
    replayer, messages = _replay(CASES["do blocks guarded by catalog queries"])
    assert messages == []
    table = replayer.state.tables["auth.factors"]
    assert [i.name for i in table.indexes] == ["unique_phone_factor_per_user"]
    assert [c.name for c in table.columns] == ["user_id", "phone", "kind"]
    assert "auth.one" in replayer.state.tables and "auth.many" not in replayer.state.tables


@pytest.mark.parametrize(
    "guard",
    [
        "(SELECT count(*) FROM t) > 0",  # data
        "NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'uuid_generate_v4')",  # an extension's, maybe
        "EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'u')",  # not in the model: in no schema?
        "(SELECT count(*) FROM pg_indexes WHERE schemaname = 'pg_catalog') > 0",  # system objects
        "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app')",  # not a view of the model
    ],
)
def test_if_conditions_replay_cannot_read_keep_every_branch(guard: str) -> None:
    _, messages = _replay(f"""
        CREATE TABLE t (id int);
        DO $$ BEGIN
            IF {guard} THEN ALTER TABLE t ADD COLUMN a int;
            ELSE ALTER TABLE t ADD COLUMN b int; END IF;
        END $$;
    """)
    assert len(messages) == 1 and "could not follow: an ELSE branch" in messages[0]


def test_a_branch_known_not_to_run_is_not_replayed_before_one_replay_cannot_read() -> None:
    replayer, messages = _replay("""
        CREATE TABLE t (id int);
        DO $$ DECLARE n int := 3; mode text := 'up'; BEGIN
            IF n > 5 THEN ALTER TABLE t ADD COLUMN big int;
            ELSIF (SELECT count(*) FROM t) > 0 THEN ALTER TABLE t ADD COLUMN rows int;
            END IF;
            IF mode = 'down' THEN ALTER TABLE t DROP COLUMN id; END IF;
            IF mode < 'z' THEN ALTER TABLE t ADD COLUMN ordered int; END IF;
        END $$;
    """)
    assert messages == []
    assert [c.name for c in replayer.state.tables["public.t"].columns] == ["id", "rows", "ordered"]


def test_a_return_ends_the_block_only_where_its_guard_is_known_to_hold() -> None:
    replayer, messages = _replay(CASES["do blocks that return under a guard"])
    assert messages == []
    assert {"app.kept", "app.before_return"} <= replayer.state.tables.keys()
    assert "app.after_return" not in replayer.state.tables
    assert not replayer.state.functions  # queue does not exist: the block returned before
    replayer, _ = _replay("""
        CREATE TABLE t (id int);
        DO $$ BEGIN
            IF (SELECT count(*) FROM t) = 0 THEN RETURN; END IF;
            ALTER TABLE t ADD COLUMN a int;
        END $$;
    """)
    assert [c.name for c in replayer.state.tables["public.t"].columns] == ["id", "a"]


@pytest.mark.parametrize(
    ("extension", "trusted"), [("pgcrypto", True), ("pg_cron", False), ("postgis_topology", False)]
)
def test_a_schema_missing_from_the_model_is_missing_unless_an_extension_may_have_made_it(
    extension: str, trusted: bool
) -> None:
    replayer, messages = _replay(f"""
        CREATE EXTENSION "{extension}";
        CREATE TABLE t (id int);
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'cron') THEN
                ALTER TABLE t ADD COLUMN no_cron int;
            ELSE
                ALTER TABLE t ADD COLUMN cron int;
            END IF;
        END $$;
    """)
    columns = [c.name for c in replayer.state.tables["public.t"].columns]
    if trusted:
        assert (columns, messages) == (["id", "no_cron"], [])
    else:
        assert columns == ["id", "no_cron"] and "could not follow: an ELSE branch" in messages[0]


def test_select_into_from_a_catalog_view_gives_the_variables_known_values() -> None:
    replayer, messages = _replay(CASES["do blocks that select from the catalog into variables"])
    assert messages == []
    table = replayer.state.tables["storage.buckets_analytics"]
    assert [(c.name, c.kind, c.columns) for c in table.constraints] == [
        ("buckets_analytics_pkey", "primary key", ("uid",))
    ]
    assert "storage.three_not_null" in replayer.state.tables


@pytest.mark.parametrize(
    "query",
    [
        "SELECT constraint_name INTO v FROM information_schema.table_constraints WHERE table_name = 't'",
        "SELECT indexname INTO v FROM pg_indexes WHERE schemaname = 'public'",  # two rows: which?
        "SELECT indexname INTO STRICT v FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'x'",
        "SELECT id INTO v FROM t",
    ],
)
def test_select_into_that_replay_cannot_know_leaves_the_variable_unknown(query: str) -> None:
    _, messages = _replay(f"""
        CREATE TABLE t (id int);
        CREATE INDEX i1 ON t (id);
        CREATE INDEX i2 ON t (id);
        DO $$ DECLARE v text := 'known'; BEGIN
            {query};
            IF v IS NULL THEN ALTER TABLE t ADD COLUMN a int; ELSE ALTER TABLE t ADD COLUMN b int; END IF;
        END $$;
    """)
    assert len(messages) == 1 and "could not follow: an ELSE branch" in messages[0]
