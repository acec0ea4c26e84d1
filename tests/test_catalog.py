"""Live introspection: real objects created in a fresh database, read back field by field."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from schemalint import model as m
from schemalint.errors import SourceError
from schemalint.exprnorm import canonical_expr_text
from schemalint.sources import catalog
from schemalint.sources.catalog import introspect
from schemalint.sources.dsn import database_name, display_dsn, is_dsn, with_database

pytestmark = pytest.mark.catalog

RunSql = Callable[[str, str], list[tuple[Any, ...]]]

SCHEMA = """
CREATE EXTENSION citext;
CREATE EXTENSION btree_gist;
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the application';
CREATE TYPE app.order_status AS ENUM ('draft', 'placed', 'shipped');
ALTER TYPE app.order_status ADD VALUE 'cancelled' BEFORE 'shipped';
COMMENT ON TYPE app.order_status IS 'where an order is';
CREATE DOMAIN app.positive_amount AS numeric(19,4) NOT NULL DEFAULT 0
  CONSTRAINT amount_positive CHECK (VALUE >= 0) CONSTRAINT amount_small CHECK (VALUE < 1000000)
  CONSTRAINT amount_not_a_round_number_of_thousands
    CHECK (VALUE - trunc(VALUE / 1000) * 1000 <> 0 OR VALUE = 0);

CREATE TABLE app.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email public.citext NOT NULL,
  name character varying(200) COLLATE "C",
  tenant_id uuid NOT NULL,
  CONSTRAINT uq_customers_email UNIQUE NULLS NOT DISTINCT (tenant_id, email)
);
COMMENT ON TABLE app.customers IS 'people who buy';
COMMENT ON COLUMN app.customers.email IS 'login';

CREATE TABLE app.orders (
  id serial PRIMARY KEY,
  customer_id bigint NOT NULL,
  status app.order_status NOT NULL DEFAULT 'draft',
  amount app.positive_amount,
  total numeric(19,4) NOT NULL CHECK (total > 0),
  placed_at timestamp with time zone DEFAULT now(),
  tags text[],
  doubled numeric GENERATED ALWAYS AS (total * 2) STORED,
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES app.customers (id)
    ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED
);
ALTER TABLE app.orders ADD CONSTRAINT chk_orders_status CHECK (status <> 'cancelled') NOT VALID;
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.orders FORCE ROW LEVEL SECURITY;
CREATE INDEX idx_orders_customer ON app.orders (customer_id DESC NULLS LAST, placed_at NULLS FIRST)
  INCLUDE (total) WHERE status <> 'draft';
CREATE INDEX idx_orders_tags ON app.orders USING gin (tags);
CREATE INDEX idx_customers_name ON app.customers (name, name COLLATE "POSIX", tenant_id);
CREATE UNIQUE INDEX uq_customers_lower ON app.customers (lower(name), name text_pattern_ops);
CREATE INDEX idx_customers_long
  ON app.customers ((coalesce(lower(name), 'no name given') || ' at tenant ' || tenant_id));
COMMENT ON INDEX app.idx_orders_tags IS 'tag search';

CREATE TABLE app.bookings (
  room int,
  during tstzrange,
  EXCLUDE USING gist (room WITH =, lower(during) WITH <>) WHERE (room > 0)
);

CREATE TABLE app.events (id bigint NOT NULL, created_at date NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE app.events ADD PRIMARY KEY (id, created_at);
CREATE TABLE app.hashed (id int, code text) PARTITION BY HASH (id, lower(code), (id + 1));
CREATE TABLE app.hashed_0 PARTITION OF app.hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE app.base (id int);
CREATE TABLE app.derived (extra text) INHERITS (app.base);
CREATE UNLOGGED TABLE app.scratch (x int);
CREATE TABLE app.event_notes (
  event_id bigint, created_at date, FOREIGN KEY (event_id, created_at) REFERENCES app.events
);

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER trg_orders_touch BEFORE INSERT OR UPDATE OF status, total ON app.orders
  FOR EACH ROW WHEN (NEW.total > 100) EXECUTE FUNCTION app.touch('a', 'b c');
CREATE TRIGGER trg_orders_truncate AFTER TRUNCATE ON app.orders
  FOR EACH STATEMENT EXECUTE FUNCTION app.touch();
ALTER TABLE app.orders DISABLE TRIGGER trg_orders_truncate;
CREATE TRIGGER trg_events AFTER INSERT ON app.events FOR EACH ROW EXECUTE FUNCTION app.touch();

CREATE POLICY tenant_read ON app.orders AS RESTRICTIVE FOR SELECT TO postgres, pg_read_all_data
  USING (customer_id > 0);
CREATE POLICY tenant_write ON app.orders FOR INSERT WITH CHECK (total < 1000);

CREATE FUNCTION app.add(a integer, b integer DEFAULT 1, OUT c integer) LANGUAGE sql IMMUTABLE STRICT
  SECURITY DEFINER SET search_path = app SET work_mem = '64MB'
  RETURN a + b;
CREATE FUNCTION app.customer_count(app.order_status) RETURNS bigint LANGUAGE sql STABLE
  AS 'SELECT count(*) FROM app.orders WHERE status = $1';
COMMENT ON FUNCTION app.customer_count(app.order_status) IS 'counts';
CREATE PROCEDURE app.cleanup(days int) LANGUAGE plpgsql AS $$BEGIN NULL; END$$;

CREATE VIEW app.big_orders AS SELECT id, total FROM app.orders WHERE total > 100;
COMMENT ON VIEW app.big_orders IS 'large';
CREATE MATERIALIZED VIEW app.order_totals AS
  SELECT customer_id, sum(total) AS total FROM app.orders GROUP BY 1;
CREATE UNIQUE INDEX uq_order_totals ON app.order_totals (customer_id);

CREATE SEQUENCE app.invoice_no AS integer START 1000 INCREMENT 5 MAXVALUE 999999 CACHE 10 CYCLE;
ALTER SEQUENCE app.invoice_no OWNED BY app.orders.total;
CREATE SEQUENCE app.countdown INCREMENT -1;

CREATE SCHEMA other;
CREATE TABLE other.audit (id int);
"""


@pytest.fixture
def app_model(pg: str, run_sql: RunSql) -> m.Model:
    run_sql(pg, SCHEMA)
    return introspect(pg, exclude_schemas=["public"])


def test_schemas_extensions_and_database(app_model: m.Model, pg: str) -> None:
    assert app_model.schemas == {"app": m.Schema("app", "the application"), "other": m.Schema("other")}
    # extensions live in public, which is excluded here
    assert app_model.extensions == {}
    everything = introspect(pg)
    assert set(everything.schemas) == {"app", "other", "public"}
    # the installed versions, whatever the server's defaults are
    assert all(re.fullmatch(r"\d+(\.\d+)+", e.version or "") for e in everything.extensions.values())
    assert {name: m.evolve(e, version=None) for name, e in everything.extensions.items()} == {
        "btree_gist": m.Extension(
            "btree_gist", "public", comment="support for indexing common datatypes in GiST"
        ),
        "citext": m.Extension("citext", "public", comment="data type for case-insensitive character strings"),
    }
    # objects of extensions (citext's type and functions) are not in the model
    assert not [f for f in everything.functions if f.startswith("public.")]
    info = app_model.database
    assert info.database == database_name(pg)
    assert info.encoding == "UTF8"
    assert info.server_version and info.server_version[:2].isdigit()
    assert info.timezone


def test_columns(app_model: m.Model) -> None:
    customers = app_model.tables["app.customers"]
    assert customers.columns == (
        m.Column("id", "bigint", not_null=True, identity="always"),
        m.Column("email", "public.citext", not_null=True, comment="login"),
        m.Column("name", "character varying(200)", collation="C"),
        m.Column("tenant_id", "uuid", not_null=True),
    )
    orders = app_model.tables["app.orders"]
    assert [(c.name, c.type, c.not_null, c.default, c.generated) for c in orders.columns] == [
        ("id", "integer", True, "nextval('orders_id_seq')", None),
        ("customer_id", "bigint", True, None, None),
        ("status", "app.order_status", True, "'draft'", None),
        ("amount", "app.positive_amount", False, None, None),
        ("total", "numeric(19,4)", True, None, None),
        ("placed_at", "timestamp with time zone", False, "now()", None),
        ("tags", "text[]", False, None, None),
        ("doubled", "numeric", False, None, "total * 2"),
    ]
    assert customers.comment == "people who buy"


def test_constraints(app_model: m.Model) -> None:
    customers = app_model.tables["app.customers"]
    assert customers.constraints == (
        m.Constraint("customers_pkey", "primary key", ("id",)),
        m.Constraint("uq_customers_email", "unique", ("tenant_id", "email"), nulls_not_distinct=True),
    )
    orders = {c.name: c for c in app_model.tables["app.orders"].constraints}
    assert sorted(orders) == ["chk_orders_status", "fk_orders_customer", "orders_pkey", "orders_total_check"]
    assert orders["fk_orders_customer"] == m.Constraint(
        "fk_orders_customer",
        "foreign key",
        ("customer_id",),
        ref_table="app.customers",
        ref_columns=("id",),
        on_delete="cascade",
        on_update="set null",
        deferrable=True,
        initially_deferred=True,
    )
    assert orders["orders_total_check"] == m.Constraint("orders_total_check", "check", expression="total > 0")
    assert orders["chk_orders_status"].validated is False
    assert orders["chk_orders_status"].expression == "status <> 'cancelled'"
    (exclusion,) = app_model.tables["app.bookings"].constraints
    assert exclusion.kind == "exclusion"
    assert exclusion.columns == ("room", "lower(during)")
    assert exclusion.expression == "EXCLUDE USING gist (room WITH =, lower(during) WITH <>) WHERE (room > 0)"


def test_indexes(app_model: m.Model) -> None:
    orders = {i.name: i for i in app_model.tables["app.orders"].indexes}
    assert sorted(orders) == ["idx_orders_customer", "idx_orders_tags", "orders_pkey"]
    assert orders["orders_pkey"] == m.Index(
        "app", "orders_pkey", "orders", ("id",), unique=True, constraint="orders_pkey"
    )
    assert orders["idx_orders_customer"] == m.Index(
        "app",
        "idx_orders_customer",
        "orders",
        ("customer_id DESC NULLS LAST", "placed_at NULLS FIRST"),
        include=("total",),
        predicate="status <> 'draft'",
    )
    assert orders["idx_orders_tags"] == m.Index(
        "app", "idx_orders_tags", "orders", ("tags",), method="gin", comment="tag search"
    )
    customers = {i.name: i for i in app_model.tables["app.customers"].indexes}
    assert sorted(customers) == [
        "customers_pkey",
        "idx_customers_long",
        "idx_customers_name",
        "uq_customers_email",
        "uq_customers_lower",
    ]
    # name is COLLATE "C": the index key says COLLATE only when it differs from the column's
    assert customers["idx_customers_name"].keys == ("name", 'name COLLATE "POSIX"', "tenant_id")
    # expressions longer than a catalog name (63 bytes) come through whole
    written = "coalesce(lower(name), 'no name given') || ' at tenant ' || tenant_id"
    assert customers["idx_customers_long"].keys == (canonical_expr_text(written),)
    assert len(customers["idx_customers_long"].keys[0]) > 63
    assert customers["uq_customers_lower"].keys == ("lower(name)", "name text_pattern_ops")
    assert customers["uq_customers_lower"].unique and customers["uq_customers_lower"].constraint is None
    assert customers["uq_customers_email"].nulls_not_distinct
    assert customers["uq_customers_email"].constraint == "uq_customers_email"
    (booking_index,) = app_model.tables["app.bookings"].indexes
    assert booking_index.method == "gist" and booking_index.constraint == booking_index.name


def test_partitions_inheritance_and_table_flags(app_model: m.Model) -> None:
    events = app_model.tables["app.events"]
    assert events.kind == "partitioned table"
    assert events.partition_key == "RANGE (created_at)"
    partition = app_model.tables["app.events_2024"]
    assert partition.kind == "table"
    assert partition.partition_of == "app.events"
    assert partition.partition_bound == "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    assert partition.inherits == ()
    assert [c.name for c in partition.columns] == ["id", "created_at"]
    # what a partition receives from its parent: the key (constraint and index) and row triggers
    assert partition.constraints == (m.Constraint("events_2024_pkey", "primary key", ("id", "created_at")),)
    assert [(i.name, i.keys, i.constraint) for i in partition.indexes] == [
        ("events_2024_pkey", ("id", "created_at"), "events_2024_pkey")
    ]
    assert [t.name for t in partition.triggers] == ["trg_events"]
    assert [c.name for c in events.constraints] == ["events_pkey"]
    hashed = app_model.tables["app.hashed"]
    assert hashed.partition_key == "HASH (id, (lower(code)), (id + 1))"
    assert app_model.tables["app.hashed_0"].partition_bound == "FOR VALUES WITH (modulus 2, remainder 0)"
    assert app_model.tables["app.hashed_0"].partition_of == "app.hashed"
    assert app_model.tables["app.derived"].inherits == ("app.base",)
    assert [c.name for c in app_model.tables["app.derived"].columns] == ["id", "extra"]
    assert app_model.tables["app.scratch"].persistence == "unlogged"
    (note_fk,) = app_model.tables["app.event_notes"].constraints
    assert (note_fk.name, note_fk.ref_table) == ("event_notes_event_id_created_at_fkey", "app.events")
    orders = app_model.tables["app.orders"]
    assert orders.rls_enabled and orders.rls_forced
    assert not app_model.tables["app.customers"].rls_enabled


def test_triggers_and_policies(app_model: m.Model) -> None:
    orders = app_model.tables["app.orders"]
    assert orders.triggers == (
        m.Trigger(
            "trg_orders_touch",
            "before",
            ("insert", "update"),
            "row",
            "app.touch",
            arguments=("a", "b c"),
            update_columns=("status", "total"),
            when="new.total > 100",
        ),
        m.Trigger(
            "trg_orders_truncate", "after", ("truncate",), "statement", "app.touch", enabled="disabled"
        ),
    )
    assert [t.name for t in app_model.tables["app.events"].triggers] == ["trg_events"]
    assert orders.policies == (
        m.Policy("tenant_read", "select", False, ("pg_read_all_data", "postgres"), using="customer_id > 0"),
        m.Policy("tenant_write", "insert", True, ("public",), with_check="total < 1000"),
    )


def test_types_views_functions_sequences(app_model: m.Model) -> None:
    assert app_model.enums == {
        "app.order_status": m.Enum(
            "app", "order_status", ("draft", "placed", "cancelled", "shipped"), "where an order is"
        )
    }
    assert app_model.domains == {
        "app.positive_amount": m.Domain(
            "app",
            "positive_amount",
            "numeric(19,4)",
            not_null=True,
            default="0",
            checks=(
                (
                    "amount_not_a_round_number_of_thousands",
                    canonical_expr_text("VALUE - trunc(VALUE / 1000) * 1000 <> 0 OR VALUE = 0"),
                ),
                ("amount_positive", "value >= 0"),
                ("amount_small", "value < 1000000"),
            ),
        )
    }
    view = app_model.views["app.big_orders"]
    assert view == m.View(
        "app",
        "big_orders",
        "SELECT id, total FROM orders WHERE total > 100",
        columns=("id", "total"),
        comment="large",
    )
    matview = app_model.views["app.order_totals"]
    assert matview.materialized and matview.columns == ("customer_id", "total")
    assert [i.name for i in matview.indexes] == ["uq_order_totals"]
    functions = app_model.functions
    assert sorted(functions) == [
        "app.add(integer, integer)",
        "app.cleanup(integer)",
        "app.customer_count(app.order_status)",
        "app.touch()",
    ]
    add = functions["app.add(integer, integer)"]
    assert (add.returns, add.language, add.volatility, add.strict, add.security_definer) == (
        "integer",
        "sql",
        "immutable",
        True,
        True,
    )
    assert add.config == ("search_path=app", "work_mem=64MB")
    assert add.body is None  # SQL-standard bodies are not compared (see queries/functions.sql)
    count = functions["app.customer_count(app.order_status)"]
    assert count.body == "SELECT count(*) FROM app.orders WHERE status = $1"
    assert (count.returns, count.volatility, count.comment) == ("bigint", "stable", "counts")
    cleanup = functions["app.cleanup(integer)"]
    assert (cleanup.kind, cleanup.language, cleanup.returns) == ("procedure", "plpgsql", "")
    assert functions["app.touch()"].returns == "trigger"
    assert app_model.sequences == {
        "app.countdown": m.Sequence("app", "countdown", start=-1, increment=-1),
        "app.invoice_no": m.Sequence(
            "app",
            "invoice_no",
            type="integer",
            start=1000,
            increment=5,
            max_value=999999,
            cache=10,
            cycle=True,
            owned_by="app.orders.total",
        ),
        "app.orders_id_seq": m.Sequence("app", "orders_id_seq", type="integer", owned_by="app.orders.id"),
    }


def test_schema_filter(pg: str, run_sql: RunSql) -> None:
    run_sql(pg, SCHEMA)
    only_other = introspect(pg, schemas=["other"])
    assert list(only_other.schemas) == ["other"]
    assert list(only_other.tables) == ["other.audit"]
    assert not only_other.functions and not only_other.enums and not only_other.views
    without_app = introspect(pg, exclude_schemas=["app"])
    assert set(without_app.schemas) == {"other", "public"}
    assert not [name for name in without_app.tables if name.startswith("app.")]
    with pytest.raises(SourceError, match=r"Schema nowhere was requested, but .* has no such schema"):
        introspect(pg, schemas=["nowhere"])


def test_progress_counts_the_catalog_queries(pg: str, run_sql: RunSql) -> None:
    run_sql(pg, SCHEMA)
    told: list[tuple[int, int]] = []
    model = introspect(pg, progress=lambda done, total: told.append((done, total)))
    assert "app.orders" in model.tables
    assert told == [(done, catalog._READS) for done in range(1, catalog._READS + 1)]


def test_session_is_read_only_with_timeouts(
    pg: str, run_sql: RunSql, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every query runs in a read-only transaction with the timeouts and an empty search_path."""
    run_sql(pg, "CREATE TABLE t (id int)")
    seen: dict[str, Any] = {}

    def read(cursor: psycopg.Cursor[Any], *args: Any) -> m.Model:
        for setting in ("transaction_read_only", "statement_timeout", "lock_timeout", "search_path"):
            seen[setting] = cursor.execute(f"SHOW {setting}").fetchone()[0]  # type: ignore[index]
        seen["isolation"] = cursor.execute("SHOW transaction_isolation").fetchone()[0]  # type: ignore[index]
        seen["application"] = cursor.execute("SHOW application_name").fetchone()[0]  # type: ignore[index]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            cursor.execute("INSERT INTO public.t VALUES (1)")
        return m.Model()

    monkeypatch.setattr(catalog, "_read", read)
    introspect(pg, statement_timeout="7s", lock_timeout="2s", application_name="nightly-drift")
    assert seen == {
        "transaction_read_only": "on",
        "statement_timeout": "7s",
        "lock_timeout": "2s",
        "search_path": "",
        "isolation": "repeatable read",
        "application": "nightly-drift",
    }
    assert run_sql(pg, "SELECT count(*) FROM t") == [(0,)]


def test_role_without_table_privileges(pg: str, run_sql: RunSql) -> None:
    run_sql(pg, SCHEMA)
    role = f"sl_reader_{database_name(pg)}"
    run_sql(pg, f"CREATE ROLE {role} LOGIN; REVOKE ALL ON SCHEMA app FROM PUBLIC")
    try:
        as_reader = with_user(pg, role)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            run_sql(as_reader, "SELECT * FROM app.orders")
        assert introspect(as_reader) == introspect(pg)
    finally:
        run_sql(pg, f"DROP OWNED BY {role}; DROP ROLE {role}")


def with_user(dsn: str, user: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    info["user"] = user
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def test_statement_timeout_is_a_source_error(
    pg: str, run_sql: RunSql, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = catalog.query

    def slow(kind: str, version_num: int) -> str:
        text = original(kind, version_num)
        return text.replace("WHERE ", "WHERE pg_sleep(1)::text IS NOT NULL AND ", 1)

    monkeypatch.setattr(catalog, "query", slow)
    with pytest.raises(SourceError) as caught:
        introspect(pg, statement_timeout="100ms")
    assert "canceling statement due to statement timeout" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_database_dropped_mid_read(pg: str, pg_admin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    original = catalog._normalizers

    def drop_then_normalizers() -> Any:
        """Runs between the schema query and the object queries: the database goes away."""
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{database_name(pg)}" WITH (FORCE)')
        return original()

    monkeypatch.setattr(catalog, "_normalizers", drop_then_normalizers)
    with pytest.raises(SourceError) as caught:
        introspect(pg)
    assert str(caught.value).startswith(f"Cannot read the schema of {pg}: ")
    assert "terminating connection" in str(caught.value) or "server closed" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        (
            "postgresql://alice:s3cret-pw@127.0.0.1:1/db?connect_timeout=2",
            "postgresql://alice:***@127.0.0.1:1/db",
        ),
        ("host=127.0.0.1 port=1 user=alice password=s3cret-pw dbname=db", "password=***"),
    ],
)
def test_unreachable_server_error_is_masked(dsn: str, expected: str) -> None:
    with pytest.raises(SourceError) as caught:
        introspect(dsn, connect_timeout=2)
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert expected in message
    assert "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_missing_database_error_is_masked(pg_admin: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(with_database(pg_admin, "sl_does_not_exist"))
    info["password"] = "s3cret-pw"  # the test servers trust the user, so the password only has to be hidden
    dsn = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})
    with pytest.raises(SourceError, match='database "sl_does_not_exist" does not exist') as caught:
        introspect(dsn)
    assert "s3cret-pw" not in str(caught.value)
    assert "password=***" in str(caught.value)


def test_dsn_helpers() -> None:
    assert is_dsn("postgresql://u@h/db") and is_dsn("postgres://h") and is_dsn("host=/tmp dbname=x")
    assert not is_dsn("db/migrations") and not is_dsn("schema.sql") and not is_dsn("notes=x")
    assert is_dsn("user=x") and is_dsn("service=prod")  # libpq connects with either alone
    assert (
        display_dsn("postgresql://u:p%40ss@h:5432/db?sslmode=require")
        == "postgresql://u:***@h:5432/db?sslmode=require"
    )
    # not a libpq parameter: a typo of one (passwrod=) may hold a secret
    assert (
        display_dsn("postgres://h/db?user=u&password=pw&x=1") == "postgres://h/db?user=u&password=***&x=***"
    )
    assert display_dsn("postgres://u:a/b@c@h/db?sslpassword=s") == "postgres://u:***@h/db?sslpassword=***"
    assert (
        display_dsn("host=h sslpassword=s options='-c password=p -c work_mem=1MB'")
        == "host=h sslpassword=*** options='-c password=*** -c work_mem=1MB'"
    )
    # a DSN that does not parse shows what could be read, secrets masked, never the rest
    assert display_dsn("host=h password='a b") == "host=h password=*** …"
    assert display_dsn("host=h password=a b dbname=d") == "host=h password=*** dbname=d …"
    assert display_dsn("host=h password='a b\\' c' dbname=d") == "host=h password=*** dbname=d"
    assert display_dsn("postgresql://u@h/db") == "postgresql://u@h/db"
    assert with_database("postgresql://u@/postgres?host=/tmp", "x") == "postgresql://u@/x?host=/tmp"
    assert with_database("host=h dbname=postgres", "my db") == "host=h dbname='my db'"
    assert database_name("postgresql://u@/app?host=/tmp&port=5") == "app"
    assert database_name("host=h dbname='my db'") == "my db"
