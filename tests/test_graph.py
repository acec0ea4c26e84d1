"""The foreign-key graph: edges and their attributes, selection, components and splits."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest
from erd_sample import fk, pk, shop_model

from schemalint.errors import UserError
from schemalint.graph import ForeignKey, components, fk_graph, graph_foreign_keys, split_graph
from schemalint.model import Column, Constraint, Index, Model, Table


def edge(graph: nx.MultiDiGraph, name: str) -> ForeignKey:
    found = [e for e in graph_foreign_keys(graph) if e.name == name]
    assert len(found) == 1, name
    return found[0]


def test_nodes_are_tables_and_edges_are_foreign_keys_child_to_parent() -> None:
    graph = fk_graph(shop_model())
    assert sorted(graph.nodes) == [
        "billing.invoices",
        "public.audit_log",
        "public.categories",
        "public.coupons",
        "public.order_items",
        "public.orders",
        "public.profiles",
        "public.users",
    ]
    assert sorted((c, p, k) for c, p, k in graph.edges(keys=True)) == [
        ("billing.invoices", "public.orders", "fk_invoices_order"),
        ("public.categories", "public.categories", "fk_categories_parent"),
        ("public.order_items", "public.orders", "fk_order_items_order"),
        ("public.orders", "public.coupons", "fk_orders_coupon"),
        ("public.orders", "public.users", "fk_orders_buyer"),
        ("public.orders", "public.users", "fk_orders_seller"),
        ("public.profiles", "public.users", "fk_profiles_user"),
    ]
    assert graph.nodes["public.users"]["table"].name == "users"


@pytest.mark.parametrize(
    ("name", "nullable", "unique"),
    [
        ("fk_orders_buyer", False, False),  # mandatory parent, many children
        ("fk_orders_coupon", True, False),  # nullable FK column: optional parent
        ("fk_profiles_user", False, True),  # FK column is the PK: one-to-one
        ("fk_invoices_order", True, True),  # nullable and under a unique constraint
        ("fk_order_items_order", False, False),  # part of a composite PK only: still many
    ],
)
def test_edge_attributes_come_from_nullability_and_uniqueness(
    name: str, nullable: bool, unique: bool
) -> None:
    found = edge(fk_graph(shop_model()), name)
    assert (found.nullable, found.unique) == (nullable, unique)


def test_edge_carries_columns_and_ref_columns() -> None:
    found = edge(fk_graph(shop_model()), "fk_orders_coupon")
    assert found.columns == ("coupon_id",)
    assert found.ref_columns == ("id",)
    assert (found.child, found.parent) == ("public.orders", "public.coupons")


def _child(indexes: tuple[Index, ...]) -> Model:
    parent = Table(
        "public", "accounts", (Column("id", "integer", not_null=True),), (pk("accounts_pkey", "id"),)
    )
    child = Table(
        "public",
        "settings",
        (Column("id", "integer", not_null=True), Column("account_id", "integer", not_null=True)),
        (pk("settings_pkey", "id"), fk("fk_settings_account", ("account_id",), "public.accounts", ("id",))),
        indexes,
    )
    return Model(tables={t.qualname: t for t in (parent, child)})


def test_unique_index_makes_one_to_one_but_a_partial_one_does_not() -> None:
    full = Index("public", "uq_settings_account", "settings", ("account_id",), unique=True)
    partial = dataclasses.replace(full, predicate="deleted_at IS NULL")
    assert edge(fk_graph(_child((full,))), "fk_settings_account").unique
    assert not edge(fk_graph(_child((partial,))), "fk_settings_account").unique
    assert not edge(fk_graph(_child(())), "fk_settings_account").unique


def test_schema_filter_drops_foreign_keys_leaving_the_selection() -> None:
    graph = fk_graph(shop_model(), schemas=["billing"])
    assert list(graph.nodes) == ["billing.invoices"]
    assert graph.number_of_edges() == 0


def test_reference_to_a_table_outside_the_model_makes_no_node() -> None:
    model = shop_model()
    tables = {k: v for k, v in model.tables.items() if k != "public.coupons"}
    graph = fk_graph(dataclasses.replace(model, tables=tables))
    assert "public.coupons" not in graph
    assert ("public.orders", "public.coupons") not in graph.edges()


def test_foreign_key_between_columns_that_are_not_there_is_no_edge() -> None:
    """A model dump can hold a foreign key PostgreSQL would have refused: it is not drawn."""
    parent = Table(
        "public", "orders", columns=(Column("id", "integer"),), constraints=(pk("orders_pkey", "id"),)
    )
    child = Table(
        "public",
        "refunds",
        columns=(Column("order_id", "integer"),),
        constraints=(
            fk("gone_column", ("ghost",), "public.orders", ("id",)),
            fk("gone_ref_column", ("order_id",), "public.orders", ("ghost",)),
        ),
    )
    graph = fk_graph(Model(tables={"public.orders": parent, "public.refunds": child}))
    assert sorted(graph.nodes) == ["public.orders", "public.refunds"]
    assert list(graph.edges) == []


@pytest.mark.parametrize(
    ("globs", "depth", "expected"),
    [
        (["orders"], None, ["public.orders"]),
        (["public.orders"], 0, ["public.orders"]),
        (
            ["orders"],
            1,
            ["billing.invoices", "public.coupons", "public.order_items", "public.orders", "public.users"],
        ),
        (
            ["orders"],
            2,
            [
                "billing.invoices",
                "public.coupons",
                "public.order_items",
                "public.orders",
                "public.profiles",
                "public.users",
            ],
        ),
        (["billing.*"], 1, ["billing.invoices", "public.orders"]),
        (["*_items", "audit_*"], 1, ["public.audit_log", "public.order_items", "public.orders"]),
    ],
)
def test_table_globs_with_depth_walk_foreign_keys_both_ways(
    globs: list[str], depth: int | None, expected: list[str]
) -> None:
    assert sorted(fk_graph(shop_model(), tables=globs, depth=depth).nodes) == expected


def test_selection_keeps_edges_among_kept_tables_only() -> None:
    graph = fk_graph(shop_model(), tables=["users", "orders"])
    assert sorted(graph.edges(keys=True)) == [
        ("public.orders", "public.users", "fk_orders_buyer"),
        ("public.orders", "public.users", "fk_orders_seller"),
    ]


def test_no_matching_table_is_a_user_error_naming_the_glob() -> None:
    with pytest.raises(UserError, match=r"no table matches --table ordrs among 8 tables"):
        fk_graph(shop_model(), tables=["ordrs"])


def test_unknown_schema_and_negative_depth_are_user_errors() -> None:
    with pytest.raises(UserError, match=r"no table in schema sales; schemas with tables: billing, public"):
        fk_graph(shop_model(), schemas=["sales"])
    with pytest.raises(UserError, match=r"--depth must be 0 or more, got -1"):
        fk_graph(shop_model(), tables=["orders"], depth=-1)


def test_components_largest_first() -> None:
    assert components(fk_graph(shop_model())) == [
        [
            "billing.invoices",
            "public.coupons",
            "public.order_items",
            "public.orders",
            "public.profiles",
            "public.users",
        ],
        ["public.audit_log"],
        ["public.categories"],
    ]


def test_split_by_component_names_parts_by_hub_and_gathers_unrelated_tables() -> None:
    parts = split_graph(shop_model(), "component")
    assert list(parts) == ["public.orders", "public.categories", "unrelated"]
    assert sorted(parts["unrelated"].nodes) == ["public.audit_log"]
    assert parts["public.orders"].number_of_edges() == 6


def test_split_by_schema_leaves_cross_schema_keys_out() -> None:
    parts = split_graph(shop_model(), "schema")
    assert list(parts) == ["billing", "public"]
    assert parts["billing"].number_of_edges() == 0
    assert parts["public"].number_of_edges() == 6
    with pytest.raises(UserError, match="--split must be component or schema, got 'table'"):
        split_graph(shop_model(), "table")


def test_graph_does_not_depend_on_model_order() -> None:
    model = shop_model()
    reversed_model = dataclasses.replace(model, tables=dict(reversed(list(model.tables.items()))))
    a, b = fk_graph(model), fk_graph(reversed_model)
    assert list(a.nodes) == list(b.nodes)
    assert list(a.edges(keys=True)) == list(b.edges(keys=True))


def test_composite_foreign_key_is_one_edge() -> None:
    parent = Table(
        "public",
        "tenants_users",
        (Column("tenant_id", "uuid", not_null=True), Column("user_id", "uuid", not_null=True)),
        (pk("tenants_users_pkey", "tenant_id", "user_id"),),
    )
    child = Table(
        "public",
        "notes",
        (Column("tenant_id", "uuid", not_null=True), Column("user_id", "uuid")),
        (
            Constraint(
                "fk_notes_member",
                "foreign key",
                ("tenant_id", "user_id"),
                ref_table="public.tenants_users",
                ref_columns=("tenant_id", "user_id"),
            ),
        ),
    )
    graph = fk_graph(Model(tables={t.qualname: t for t in (parent, child)}))
    [only] = graph_foreign_keys(graph)
    assert only.columns == ("tenant_id", "user_id")
    assert only.nullable  # user_id may be NULL
