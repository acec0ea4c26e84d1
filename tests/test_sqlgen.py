"""SQL generated from the model: quoting, index keys, and that PostgreSQL accepts all of it."""

from __future__ import annotations

import graphlib

import pytest
from conftest import run_sql
from erd_sample import shop_model

from schemalint.model import Column, Constraint, Index, Policy, Table, Trigger
from schemalint.sqlgen import (
    create_index_sql,
    create_policy_sql,
    create_table_sql,
    create_trigger_sql,
    quote_ident,
    quote_qualified,
    table_sql,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("orders", "orders"),
        ("_x$1", '"_x$1"'),  # PostgreSQL quotes a $ (quote_ident)
        ("Orders", '"Orders"'),
        ("order", '"order"'),
        ("user", '"user"'),
        ("2fa", '"2fa"'),
        ("a b", '"a b"'),
        ('say "hi"', '"say ""hi"""'),
        ("name", "name"),  # not reserved
    ],
)
def test_quote_ident(name: str, expected: str) -> None:
    assert quote_ident(name) == expected


def test_quote_qualified_quotes_each_part() -> None:
    assert quote_qualified("public.order") == 'public."order"'
    assert quote_qualified("Sales.orders") == '"Sales".orders'


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("email",), "(email)"),
        (("created_at DESC NULLS LAST",), "(created_at DESC NULLS LAST)"),
        (("name text_pattern_ops",), "(name text_pattern_ops)"),
        (("lower(email)",), "((lower(email)))"),
        (("lower(email) text_pattern_ops DESC",), "((lower(email)) text_pattern_ops DESC)"),
        (("Order Ref", "order"), '("Order Ref", "order")'),
        (("(a + b)",), "((a + b))"),
    ],
)
def test_index_keys_tell_columns_from_expressions(keys: tuple[str, ...], expected: str) -> None:
    table = Table(
        "public",
        "t",
        tuple(Column(n, "text") for n in ("email", "created_at", "name", "Order Ref", "order", "a", "b")),
    )
    sql = create_index_sql(Index("public", "i", "t", keys), table)
    assert sql == f"CREATE INDEX i ON public.t {expected}"


def test_index_options() -> None:
    index = Index(
        "public",
        "uq_t",
        "t",
        ("a",),
        unique=True,
        method="hash",
        include=("b",),
        nulls_not_distinct=True,
        predicate="deleted_at IS NULL",
    )
    assert create_index_sql(index) == (
        "CREATE UNIQUE INDEX uq_t ON public.t USING hash (a) INCLUDE (b) NULLS NOT DISTINCT "
        "WHERE deleted_at IS NULL"
    )


def test_partitions_and_inheritance() -> None:
    parent = Table(
        "public",
        "events",
        (Column("at", "timestamp with time zone", not_null=True), Column("payload", "jsonb")),
        kind="partitioned table",
        partition_key="RANGE (at)",
    )
    part = Table(
        "public",
        "events_2024",
        partition_of="public.events",
        partition_bound="FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    )
    child = Table(
        "public", "special", (Column("extra", "text"),), inherits=("public.base",), persistence="unlogged"
    )
    assert create_table_sql(parent).endswith(") PARTITION BY RANGE (at)")
    assert create_table_sql(part) == (
        "CREATE TABLE public.events_2024 PARTITION OF public.events "
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    )
    assert (
        create_table_sql(child)
        == "CREATE UNLOGGED TABLE public.special (\n    extra text\n) INHERITS (public.base)"
    )


def _dependency_order(tables: list[Table]) -> list[Table]:
    by_name = {t.qualname: t for t in tables}
    sorter = graphlib.TopologicalSorter(
        {t.qualname: {fk.ref_table for fk in t.foreign_keys if fk.ref_table != t.qualname} for t in tables}
    )
    return [by_name[name] for name in sorter.static_order()]


@pytest.mark.catalog
def test_postgresql_accepts_the_generated_sql(pg: str) -> None:
    model = shop_model()
    setup = [
        "CREATE SCHEMA billing;",
        "CREATE TYPE public.order_status AS ENUM ('new', 'paid', 'shipped');",
        "CREATE DOMAIN billing.money_amount AS numeric(19,4) CHECK (VALUE >= 0);",
        "CREATE FUNCTION public.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS "
        "$$BEGIN RETURN NEW; END$$;",
    ]
    statements = setup + [table_sql(t) for t in _dependency_order(list(model.tables.values()))]
    invoices = model.tables["billing.invoices"]
    users = model.tables["public.users"]
    statements.append(
        create_policy_sql(invoices, Policy("p", command="select", permissive=False, using="true")) + ";"
    )
    statements += [create_trigger_sql(users, trigger) + ";" for trigger in users.triggers]
    statements.append(
        create_trigger_sql(
            users,
            Trigger(
                "trg_users_audit",
                "after",
                ("insert", "update"),
                "row",
                "public.set_updated_at",
                arguments=("it's",),
                update_columns=("email", "name"),
                when="NEW.email IS NOT NULL",
            ),
        )
        + ";"
    )
    run_sql(pg, "\n".join(statements))
    constraints = run_sql(
        pg,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace IN ('public'::regnamespace, 'billing'::regnamespace) AND contype <> 'n' "
        "AND conrelid <> 0 ORDER BY 1, 2",
    )
    expected = sorted(
        (t.qualname.removeprefix("public."), c.name) for t in model.tables.values() for c in t.constraints
    )
    assert [(table, name) for table, name, _ in constraints] == expected
    definitions = {name: definition for _, name, definition in constraints}
    assert (
        definitions["fk_orders_coupon"] == "FOREIGN KEY (coupon_id) REFERENCES coupons(id) ON DELETE SET NULL"
    )
    assert definitions["order_items_pkey"] == "PRIMARY KEY (order_id, line)"
    indexes = dict(run_sql(pg, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
    assert indexes["idx_users_lower_name"].endswith("USING btree (lower(name) text_pattern_ops DESC)")
    assert indexes["idx_orders_open"].endswith("WHERE (status = 'new'::order_status)")
    assert run_sql(pg, "SELECT relrowsecurity FROM pg_class WHERE oid = 'billing.invoices'::regclass") == [
        (True,)
    ]
    assert run_sql(
        pg, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.users'::regclass AND NOT tgisinternal"
    ) == [(2,)]


@pytest.mark.catalog
def test_postgresql_accepts_awkward_names_and_options(pg: str) -> None:
    table = Table(
        "public",
        "Order",
        (
            Column("id", "integer", not_null=True, identity="by default"),
            Column("user", "text", collation='"C"'),
            Column("from", "integer"),
            Column("total", "numeric", generated='("from" * 2)'),
        ),
        (
            Constraint("Order_pkey", "primary key", ("id",)),
            Constraint("uq_order_user", "unique", ("user",), nulls_not_distinct=True, deferrable=True),
            Constraint("ck_from", "check", expression='"from" > 0', no_inherit=True),
            Constraint(
                "fk_self",
                "foreign key",
                ("from",),
                ref_table="public.Order",
                ref_columns=("id",),
                match_full=True,
                on_update="cascade",
                deferrable=True,
                initially_deferred=True,
            ),
        ),
        (Index("public", "idx order", "Order", ("user DESC", 'lower("user")')),),
    )
    version = int(run_sql(pg, "SHOW server_version_num")[0][0])
    if version < 150000:
        table = Table(
            table.schema,
            table.name,
            table.columns,
            tuple(
                c if c.kind != "unique" else Constraint(c.name, "unique", c.columns)
                for c in table.constraints
            ),
            table.indexes,
        )
    run_sql(pg, table_sql(table))
    rows = run_sql(
        pg, "SELECT conname FROM pg_constraint WHERE conrelid = 'public.\"Order\"'::regclass ORDER BY 1"
    )
    assert [r[0] for r in rows if r[0] != "Order_id_not_null"] == [
        "Order_pkey",
        "ck_from",
        "fk_self",
        "uq_order_user",
    ]
    assert run_sql(pg, "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx order'") == [(1,)]


def test_a_column_is_written_as_postgresql_accepts_it(pg: str) -> None:
    columns = (
        Column("code", "text", not_null=True, collation="C"),  # unquoted, C would fold to c
        Column("id", "bigint", not_null=True, identity="by default", default="nextval('t_id_seq')"),
        Column("twice", "integer", generated="id * 2"),
    )
    table = Table("public", "t", columns=columns)
    assert create_table_sql(table).splitlines()[1:4] == [
        '    code text COLLATE "C" NOT NULL,',
        "    id bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL,",
        "    twice integer GENERATED ALWAYS AS (id * 2) STORED",
    ]
    run_sql(pg, create_table_sql(table))


@pytest.mark.catalog
def test_a_partition_with_columns_is_written_without_column_types(pg: str) -> None:
    """A partition read from a catalog has the parent's columns; PARTITION OF takes none of them."""
    columns = (Column("at", "timestamp with time zone", not_null=True), Column("payload", "jsonb"))
    parent = Table("public", "events", columns, kind="partitioned table", partition_key="RANGE (at)")
    part = Table(
        "public",
        "events_2024",
        columns,
        partition_of="public.events",
        partition_bound="FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    )
    assert "jsonb" not in create_table_sql(part)
    run_sql(pg, table_sql(parent) + "\n" + table_sql(part))
