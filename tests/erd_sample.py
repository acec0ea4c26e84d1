"""A hand-built shop schema that the graph, ERD and document tests draw.

It covers: two schemas and a cross-schema foreign key; mandatory, optional
(nullable) and one-to-one (unique) foreign keys; a composite primary key; a
self-reference; two foreign keys between the same pair of tables; a table
with no foreign key; a unique constraint and a unique index; types the
diagram must shorten (timestamptz, varchar(n), numeric(p,s), arrays, a user
enum); enums, a domain, a view, a materialized view with an index, a
trigger function and trigger, RLS with a policy, comments with ``|``.
"""

from __future__ import annotations

import os
from pathlib import Path

from schemalint.model import (
    Column,
    Constraint,
    DatabaseInfo,
    Domain,
    Enum,
    Function,
    Index,
    Model,
    Policy,
    Schema,
    Table,
    Trigger,
    View,
)

NOW = "now()"
UUID = "gen_random_uuid()"


def pk(name: str, *columns: str) -> Constraint:
    return Constraint(name, "primary key", columns)


def fk(
    name: str, columns: tuple[str, ...], ref: str, ref_columns: tuple[str, ...], **kw: object
) -> Constraint:
    return Constraint(name, "foreign key", columns, ref_table=ref, ref_columns=ref_columns, **kw)  # type: ignore[arg-type]


def shop_model() -> Model:
    users = Table(
        "public",
        "users",
        columns=(
            Column("id", "uuid", not_null=True, default=UUID),
            Column("email", "character varying(255)", not_null=True, comment="Login | contact address"),
            Column("name", "text"),
            Column("created_at", "timestamp with time zone", not_null=True, default=NOW),
            Column("deleted_at", "timestamp with time zone"),
        ),
        constraints=(pk("users_pkey", "id"), Constraint("uq_users_email", "unique", ("email",))),
        indexes=(
            Index("public", "users_pkey", "users", ("id",), unique=True, constraint="users_pkey"),
            Index("public", "uq_users_email", "users", ("email",), unique=True, constraint="uq_users_email"),
            Index("public", "idx_users_lower_name", "users", ("lower(name) text_pattern_ops DESC",)),
        ),
        triggers=(Trigger("trg_users_updated", "before", ("update",), "row", "public.set_updated_at"),),
        comment="People who can sign in.",
    )
    profiles = Table(
        "public",
        "profiles",
        columns=(Column("user_id", "uuid", not_null=True), Column("bio", "text"), Column("tags", "text[]")),
        constraints=(
            pk("profiles_pkey", "user_id"),
            fk("fk_profiles_user", ("user_id",), "public.users", ("id",), on_delete="cascade"),
        ),
    )
    coupons = Table(
        "public",
        "coupons",
        columns=(
            Column("id", "uuid", not_null=True, default=UUID),
            Column("code", "character varying(32)", not_null=True),
            Column("percent", "numeric(5,2)", not_null=True),
        ),
        constraints=(
            pk("coupons_pkey", "id"),
            Constraint("ck_coupons_percent", "check", expression="percent > 0 AND percent <= 100"),
        ),
        indexes=(Index("public", "uq_coupons_code", "coupons", ("code",), unique=True),),
    )
    orders = Table(
        "public",
        "orders",
        columns=(
            Column("id", "bigint", not_null=True, identity="always"),
            Column("buyer_id", "uuid", not_null=True),
            Column("seller_id", "uuid", not_null=True),
            Column("coupon_id", "uuid"),
            Column("status", "public.order_status", not_null=True, default="'new'::public.order_status"),
            Column("total", "numeric(19,4)", not_null=True),
            Column("created_at", "timestamp with time zone", not_null=True, default=NOW),
        ),
        constraints=(
            pk("orders_pkey", "id"),
            fk("fk_orders_buyer", ("buyer_id",), "public.users", ("id",)),
            fk("fk_orders_seller", ("seller_id",), "public.users", ("id",)),
            fk("fk_orders_coupon", ("coupon_id",), "public.coupons", ("id",), on_delete="set null"),
        ),
        indexes=(
            Index("public", "idx_orders_buyer_id", "orders", ("buyer_id",)),
            Index("public", "idx_orders_open", "orders", ("created_at",), predicate="status = 'new'"),
        ),
    )
    order_items = Table(
        "public",
        "order_items",
        columns=(
            Column("order_id", "bigint", not_null=True),
            Column("line", "integer", not_null=True),
            Column("sku", "text", not_null=True),
            Column("quantity", "integer", not_null=True, default="1"),
        ),
        constraints=(
            pk("order_items_pkey", "order_id", "line"),
            fk("fk_order_items_order", ("order_id",), "public.orders", ("id",), on_delete="cascade"),
        ),
    )
    categories = Table(
        "public",
        "categories",
        columns=(Column("id", "integer", not_null=True), Column("parent_id", "integer")),
        constraints=(
            pk("categories_pkey", "id"),
            fk("fk_categories_parent", ("parent_id",), "public.categories", ("id",)),
        ),
    )
    audit_log = Table(
        "public",
        "audit_log",
        columns=(Column("at", "timestamp without time zone", not_null=True), Column("entry", "jsonb")),
        comment="Append-only.\nNo keys on purpose.",
    )
    invoices = Table(
        "billing",
        "invoices",
        columns=(
            Column("id", "uuid", not_null=True, default=UUID),
            Column("order_id", "bigint"),
            Column("tenant_id", "uuid", not_null=True),
            Column("amount", "billing.money_amount", not_null=True),
        ),
        constraints=(
            pk("invoices_pkey", "id"),
            fk("fk_invoices_order", ("order_id",), "public.orders", ("id",)),
            Constraint("uq_invoices_order", "unique", ("order_id",)),
        ),
        policies=(
            Policy(
                "tenant_isolation",
                roles=("app",),
                using="tenant_id = current_setting('app.tenant')::uuid",
            ),
        ),
        rls_enabled=True,
    )
    tables = (users, profiles, coupons, orders, order_items, categories, audit_log, invoices)
    revenue = View(
        "billing",
        "revenue",
        "SELECT date_trunc('day', created_at) AS day, sum(total) AS total FROM public.orders GROUP BY 1",
        materialized=True,
        columns=("day", "total"),
        indexes=(Index("billing", "uq_revenue_day", "revenue", ("day",), unique=True),),
    )
    active = View("public", "active_users", "SELECT id, email FROM public.users WHERE deleted_at IS NULL")
    function = Function(
        "public",
        "set_updated_at",
        "",
        "trigger",
        "plpgsql",
        body="BEGIN NEW.updated_at = now(); RETURN NEW; END",
        comment="Keeps updated_at current.",
    )
    return Model(
        schemas={"public": Schema("public"), "billing": Schema("billing", comment="Invoices and revenue.")},
        tables={t.qualname: t for t in tables},
        enums={"public.order_status": Enum("public", "order_status", ("new", "paid", "shipped"))},
        domains={
            "billing.money_amount": Domain(
                "billing", "money_amount", "numeric(19,4)", checks=(("money_amount_check", "VALUE >= 0"),)
            )
        },
        views={v.qualname: v for v in (revenue, active)},
        functions={function.qualname: function},
        database=DatabaseInfo(),
    )


def star_model(children: int, columns: int, hub: str = "hubs") -> Model:
    """A hub table and ``children`` tables with ``columns`` text columns and a FK to the hub each."""
    tables = [Table("public", hub, (Column("id", "bigint", not_null=True),), (pk(f"{hub}_pkey", "id"),))]
    for n in range(children):
        tables.append(
            Table(
                "public",
                f"{hub}_child_{n:04d}",
                (*(Column(f"column_{c}", "text") for c in range(columns)), Column("hub_id", "bigint")),
                (fk(f"fk_{hub}_child_{n:04d}", ("hub_id",), f"public.{hub}", ("id",)),),
            )
        )
    return Model(tables={t.qualname: t for t in tables})


GOLDEN = Path(__file__).parent / "golden"


def assert_golden(relative: str, text: str) -> None:
    """Compare with tests/golden/<relative>; SCHEMALINT_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / relative
    if os.environ.get("SCHEMALINT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; run with SCHEMALINT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs; SCHEMALINT_UPDATE_GOLDEN=1 rewrites it"
