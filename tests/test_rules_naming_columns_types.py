"""Edge cases of the naming, standard-column and type rules on hand-built models (docs cover the basics)."""

from __future__ import annotations

from schemalint.model import Column, Constraint, Domain, Function, Index, Model, Table, Trigger
from schemalint.rules.base import ModelRule, RuleContext
from schemalint.rules.columns import StandardColumnMismatch, UpdatedAtWithoutTrigger
from schemalint.rules.naming import (
    ForeignKeyColumnMisnamed,
    IndexNameNonstandard,
    JunctionTableMisnamed,
    PrimaryKeyNotId,
    TableNameNotSnakePlural,
    UniqueIndexNameNonstandard,
)
from schemalint.rules.types import IpAddressNotInet, MoneyNotNumeric194, TimestampWithoutTimeZone

PK = Constraint("pkey", "primary key", ("id",))
ID = Column("id", "uuid", True)


def table(name: str, *columns: Column, constraints: tuple[Constraint, ...] = (PK,), **more: object) -> Table:
    return Table("public", name, (ID, *columns), constraints, **more)  # type: ignore[arg-type]


def model(*tables: Table, **more: object) -> Model:
    return Model(tables={t.qualname: t for t in tables}, **more)  # type: ignore[arg-type]


def objects(rule: ModelRule, m: Model) -> list[str | None]:
    return [f.object for f in rule.check(m, RuleContext())]


def test_plural_tables_uncountables_and_exemptions() -> None:
    m = model(table("order_items"), table("person"), table("metadata"), table("schema_version"))
    assert objects(TableNameNotSnakePlural(), m) == ["public.person", "public.schema_version"]
    rule = TableNameNotSnakePlural({"exempt_tables": ["schema_*"], "uncountable": ["metadata"]})
    assert objects(rule, m) == ["public.person"]


def test_foreign_key_names_role_prefix_and_self_reference() -> None:
    fk = Constraint("fk", "foreign key", ("billing_address_id",), "public.addresses", ("id",))
    parent = Constraint("fk2", "foreign key", ("parent_id",), "public.categories", ("id",))
    owner = Constraint("fk3", "foreign key", ("owner",), "public.people", ("id",))
    m = model(
        table("addresses"),
        table("categories", Column("parent_id", "uuid"), constraints=(PK, parent)),
        table(
            "orders",
            Column("billing_address_id", "uuid"),
            Column("owner", "uuid"),
            constraints=(PK, fk, owner),
        ),
    )
    findings = list(ForeignKeyColumnMisnamed().check(m, RuleContext()))
    assert [f.message for f in findings] == [
        "Column public.orders.owner references public.people; it must be named person_id."
    ]
    strict = ForeignKeyColumnMisnamed({"allow_role_prefix": False, "self_reference_names": []})
    assert objects(strict, m) == [
        "public.categories.parent_id",
        "public.orders.billing_address_id",
        "public.orders.owner",
    ]


def test_index_names_expressions_truncation_and_unique_constraints() -> None:
    long_columns = ("a_really_long_column_name_number_one", "another_long_column_name_two")
    expected = ("idx_orders_" + "_".join(long_columns))[:63]
    indexes = (
        Index("public", "idx_orders_lower_email", "orders", ("lower(email)",)),
        Index("public", "orders_email_trgm", "orders", ("email gin_trgm_ops",), method="gin"),
        Index("public", expected, "orders", long_columns),
        Index("public", "orders_email_key", "orders", ("email",), unique=True, constraint="orders_email_key"),
        Index("public", "pkey", "orders", ("id",), unique=True, constraint="pkey"),
    )
    unique = Constraint("orders_email_key", "unique", ("email",))
    m = model(table("orders", Column("email", "text"), constraints=(PK, unique), indexes=indexes))
    assert objects(IndexNameNonstandard(), m) == ["public.orders_email_trgm"]
    findings = list(UniqueIndexNameNonstandard().check(m, RuleContext()))
    assert [f.help for f in findings] == [
        "Rename it: ALTER TABLE public.orders RENAME CONSTRAINT orders_email_key TO uq_orders_email;"
    ]


def test_junction_tables_are_named_alphabetically_and_may_keep_a_composite_key() -> None:
    fks = (
        Constraint("f1", "foreign key", ("user_id",), "public.users", ("id",)),
        Constraint("f2", "foreign key", ("role_id",), "public.roles", ("id",)),
    )
    composite = Constraint("pk", "primary key", ("user_id", "role_id"))
    cols = (Column("user_id", "uuid", True), Column("role_id", "uuid", True))
    junction = Table("public", "user_roles", cols, (composite, *fks))
    not_junction = Table("public", "assignments", (*cols, Column("note", "text")), (PK, *fks))
    m = model(table("users"), table("roles"), junction, not_junction)
    assert objects(JunctionTableMisnamed(), m) == ["public.user_roles"]
    assert objects(PrimaryKeyNotId(), m) == []
    assert objects(PrimaryKeyNotId({"allow_junction_tables": False}), m) == ["public.user_roles"]


def test_standard_column_defaults_compare_loosely() -> None:
    columns = (
        Column("created_at", "timestamp with time zone", True, "CURRENT_TIMESTAMP"),
        Column("updated_at", "timestamp with time zone", True, "pg_catalog.now()"),
        Column("deleted_at", "timestamp with time zone", False, "now()"),
    )
    m = model(table("orders", *columns))
    findings = list(StandardColumnMismatch().check(m, RuleContext()))
    assert [f.message for f in findings] == [
        "Column public.orders.id has no default; standard column id must have DEFAULT gen_random_uuid().",
        "Column public.orders.deleted_at has DEFAULT now(); standard column deleted_at must have no default.",
    ]


def test_updated_at_trigger_must_assign_the_column_when_the_body_is_known() -> None:
    trigger = Trigger("trg", "before", ("update",), "row", "public.touch")
    col = Column("updated_at", "timestamp with time zone", True, "now()")
    body_without = Function("public", "touch", "", "trigger", "plpgsql", body="BEGIN RETURN NEW; END")
    body_with = Function(
        "public", "touch", "", "trigger", "plpgsql", body="BEGIN new.updated_at = now(); RETURN NEW; END"
    )
    t = table("orders", col, triggers=(trigger,))
    rule = UpdatedAtWithoutTrigger()
    assert objects(rule, model(t)) == []  # function unknown (an extension's, say): trusted
    assert objects(rule, model(t, functions={"public.touch()": body_with})) == []
    missing = list(rule.check(model(t, functions={"public.touch()": body_without}), RuleContext()))
    assert [f.message for f in missing] == [
        "Column public.orders.updated_at: trigger trg (public.touch) does not assign NEW.updated_at."
    ]
    after = table("orders", col, triggers=(Trigger("trg", "after", ("update",), "row", "public.touch"),))
    assert objects(rule, model(after)) == ["public.orders.updated_at"]


def test_money_columns_by_name_type_and_domain() -> None:
    cols = (
        Column("amount", "double precision"),
        Column("total_count", "integer"),
        Column("tax_rate", "numeric(5,4)"),
        Column("unit_price", "numeric(10,2)"),
        Column("balance", "public.money_amount"),
        Column("fee", "money"),
        Column("subtotal", "numeric(19,4)"),
        Column("price_cents", "bigint"),
    )
    domains = {"public.money_amount": Domain("public", "money_amount", "real")}
    findings = list(MoneyNotNumeric194().check(model(table("orders", *cols), domains=domains), RuleContext()))
    assert [f.object for f in findings] == [
        "public.orders.amount",
        "public.orders.unit_price",
        "public.orders.balance",
        "public.orders.fee",
    ]
    assert findings[2].message == (
        "Column public.orders.balance is public.money_amount (a domain over real); "
        "money columns must be numeric(19,4)."
    )


def test_timestamp_precision_and_arrays_and_ip_columns() -> None:
    cols = (
        Column("seen_at", "timestamp(3) without time zone"),
        Column("history", "timestamp without time zone[]"),
        Column("client_ip", "text"),
        Column("ip_address", "inet"),
        Column("zip", "text"),
    )
    m = model(table("visits", *cols))
    ts = list(TimestampWithoutTimeZone().check(m, RuleContext()))
    assert [f.object for f in ts] == ["public.visits.seen_at", "public.visits.history"]
    assert "timestamps must be timestamp(3) with time zone" in ts[0].message
    assert objects(IpAddressNotInet(), m) == ["public.visits.client_ip"]
