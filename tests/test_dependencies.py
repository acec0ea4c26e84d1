"""The dependency index (schemalint.dependencies): built from a model, and read from pg_depend.

The pure tests replay SQL into a model and ask the graph. The catalog tests check, on a real
PostgreSQL, that the graph built from the introspected model (and from the replayed files) is
the graph pg_depend holds, edge for edge with its deptype, for the edge kinds the model can know.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import networkx as nx
import psycopg
import pytest
from conftest import CORPUS, corpus_loader

from schemalint.dependencies import (
    Ref,
    add_edge,
    creation_order,
    dependency_graph,
    dependents,
    direct_dependents,
    drop_order,
    qualified_definition,
    referenced,
)
from schemalint.model import Model
from schemalint.sources.catalog import introspect, read_dependencies
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import replay_files


def _model(sql: str) -> Model:
    result = replay_files([parse_sql(sql, "schema.sql")])
    assert not result.findings, result.findings
    return result.model


def _edges(graph: nx.DiGraph) -> set[tuple[str, str, str]]:
    return {(str(u), str(v), d["deptype"]) for u, v, d in graph.edges(data=True)}


BASIC = """
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, name text);
CREATE TABLE orders (id serial PRIMARY KEY, user_id integer REFERENCES users (id), total numeric);
CREATE VIEW order_users AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id;
CREATE VIEW order_count AS SELECT count(*) AS n FROM order_users;
CREATE MATERIALIZED VIEW emails AS SELECT email FROM order_users;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
"""


def test_view_reads_columns_and_views_read_views() -> None:
    edges = _edges(dependency_graph(_model(BASIC)))
    assert {
        ("view public.order_users", "column public.orders.id", "n"),
        ("view public.order_users", "column public.orders.user_id", "n"),
        ("view public.order_users", "column public.users.id", "n"),
        ("view public.order_users", "column public.users.email", "n"),
        ("view public.order_count", "view public.order_users", "n"),
        ("view public.emails", "column public.order_users.email", "n"),
    } <= edges
    # a relation whose columns are read is not also referenced whole (as pg_depend keeps it)
    assert ("view public.order_users", "table public.orders", "n") not in edges


def test_dependents_are_in_drop_order() -> None:
    graph = dependency_graph(_model(BASIC))
    found = dependents(graph, Ref("table", "public.users"))
    views = [ref for ref in found if ref.kind == "view"]
    assert set(views) == {
        Ref("view", "public.order_users"),
        Ref("view", "public.order_count"),
        Ref("view", "public.emails"),
    }
    position = {ref: i for i, ref in enumerate(found)}
    assert position[Ref("view", "public.order_count")] < position[Ref("view", "public.order_users")]
    assert position[Ref("view", "public.emails")] < position[Ref("view", "public.order_users")]
    fk = Ref("constraint", "public.orders.orders_user_id_fkey")
    assert fk in found and position[fk] < position[Ref("index", "public.users_pkey")]
    # every dependant comes before what it depends on
    for before, after in nx.utils.pairwise(found):
        assert not nx.has_path(graph, after, before) or nx.has_path(graph, before, after)


def test_direct_and_recursive() -> None:
    graph = dependency_graph(_model(BASIC))
    view = Ref("view", "public.order_users")
    # the materialized view reads a column of the view, not the view whole
    assert dependents(graph, view, recursive=False) == [
        Ref("column", "public.order_users.email"),
        Ref("column", "public.order_users.id"),
        Ref("view", "public.order_count"),
    ]
    assert Ref("view", "public.emails") in dependents(graph, view)
    assert referenced(graph, Ref("view", "public.order_count"), recursive=False) == [view]
    chain = referenced(graph, Ref("view", "public.emails"))
    assert chain.index(Ref("table", "public.users")) < chain.index(Ref("view", "public.order_users"))
    assert dependents(graph, Ref("table", "public.nothing")) == []


def test_trigger_function_and_foreign_key_index() -> None:
    model = _model(BASIC)
    edges = _edges(dependency_graph(model))
    assert ("trigger public.orders.orders_touch", "function public.touch()", "n") in edges
    assert ("trigger public.orders.orders_touch", "table public.orders", "a") in edges
    assert ("constraint public.orders.orders_user_id_fkey", "index public.users_pkey", "n") in edges
    assert ("index public.users_pkey", "constraint public.users.users_pkey", "i") in edges
    assert direct_dependents(model, Ref("function", "public.touch()")) == [
        (Ref("trigger", "public.orders.orders_touch"), "n")
    ]


def test_serial_sequence_default_and_owner() -> None:
    model = _model(BASIC)
    edges = _edges(dependency_graph(model))
    assert ("default public.orders.id", "sequence public.orders_id_seq", "n") in edges
    assert ("default public.orders.id", "column public.orders.id", "a") in edges
    assert ("sequence public.orders_id_seq", "column public.orders.id", "a") in edges
    assert direct_dependents(model, Ref("sequence", "public.orders_id_seq")) == [
        (Ref("default", "public.orders.id"), "n")
    ]
    # dropping the sequence drops the default, never the column
    graph = dependency_graph(model)
    assert Ref("column", "public.orders.id") not in dependents(graph, Ref("sequence", "public.orders_id_seq"))


TYPES = """
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('ok', 'bad');
CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN app.small AS app.posint CHECK (VALUE < 10);
CREATE TABLE app.t (
  id integer PRIMARY KEY,
  m app.mood NOT NULL DEFAULT 'ok',
  n app.small,
  ms app.mood[],
  twice integer GENERATED ALWAYS AS (CASE WHEN id > 0 THEN id * 2 END) STORED,
  CONSTRAINT t_m_check CHECK (m <> 'bad')
) PARTITION BY RANGE (id);
CREATE FUNCTION app.f(m app.mood, VARIADIC xs app.posint[]) RETURNS SETOF app.t LANGUAGE sql AS 'SELECT * FROM app.t';
CREATE FUNCTION app.g() RETURNS TABLE (a app.mood, "B c" app.small) LANGUAGE sql AS 'SELECT NULL::app.mood, NULL::app.small';
"""


def test_types_domains_enum_values_and_functions() -> None:
    model = _model(TYPES)
    edges = _edges(dependency_graph(model))
    assert {
        ("column app.t.m", "type app.mood", "n"),
        ("column app.t.ms", "type app.mood", "n"),
        ("column app.t.n", "type app.small", "n"),
        ("type app.small", "type app.posint", "n"),
        ("constraint app.posint.posint_check", "type app.posint", "a"),
        ("default app.t.m", "enum_value app.mood:'ok'", "n"),
        ("constraint app.t.t_m_check", "enum_value app.mood:'bad'", "n"),
        ("constraint app.t.t_m_check", "column app.t.m", "a"),
        ("default app.t.twice", "column app.t.twice", "i"),
        ("default app.t.twice", "column app.t.id", "n"),
        ("column app.t.id", "table app.t", "i"),
        ("function app.f(app.mood, app.posint[])", "type app.mood", "n"),
        ("function app.f(app.mood, app.posint[])", "type app.posint", "n"),
        ("function app.f(app.mood, app.posint[])", "table app.t", "n"),
        ("function app.g()", "type app.small", "n"),
    } <= edges
    graph = dependency_graph(model)
    dropped = dependents(graph, Ref("type", "app.mood"))
    assert Ref("column", "app.t.m") in dropped and Ref("function", "app.f(app.mood, app.posint[])") in dropped
    assert [ref for ref, _ in direct_dependents(model, Ref("enum_value", "app.mood:'bad'"))] == [
        Ref("constraint", "app.t.t_m_check")
    ]


def test_the_stronger_kind_stays_and_a_cycle_is_kept_together() -> None:
    graph = nx.DiGraph()
    function, default, table = (
        Ref("function", "public.f()"),
        Ref("default", "public.t.x"),
        Ref("table", "public.t"),
    )
    view = Ref("view", "public.v")
    add_edge(graph, function, table, "n")  # f() RETURNS SETOF t
    add_edge(graph, default, function, "n")  # t.x DEFAULT f()
    add_edge(graph, table, default, "n")
    add_edge(graph, view, function, "n")
    add_edge(graph, default, function, "a")
    add_edge(graph, default, function, "n")
    add_edge(graph, view, view, "i")  # no self-loops (a view's rule on its own view)
    assert graph.edges[default, function]["deptype"] == "a"
    assert not graph.has_edge(view, view)
    assert dependents(graph, table) == [default, view, function]
    assert dependents(graph, function, recursive=False) == [default, view]
    # a cycle among the dependants (t → x → f → t, seen from f's result type) stays together
    other = Ref("table", "public.other")
    add_edge(graph, table, other, "n")
    assert dependents(graph, other) == [view, default, function, table]


def test_inheritance_children_and_partitions_depend_on_their_parents() -> None:
    model = _model(
        "CREATE TABLE base (id integer);\nCREATE TABLE child (note text) INHERITS (base);\n"
        "CREATE TABLE events (at date) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    )
    graph = dependency_graph(model)
    assert ("table public.child", "table public.base", "n") in _edges(graph)  # DROP base needs CASCADE
    assert ("table public.events_2024", "table public.events", "a") in _edges(graph)
    tables = [ref.name for ref in creation_order(graph) if ref.kind == "table"]
    assert tables == ["public.base", "public.child", "public.events", "public.events_2024"]
    dropped = [ref.name for ref in drop_order(graph) if ref.kind == "table"]
    assert dropped.index("public.child") < dropped.index("public.base")


def test_a_view_query_is_written_schema_qualified() -> None:
    model = _model(
        "CREATE SCHEMA app;\nCREATE TYPE app.mood AS ENUM ('ok');\nCREATE TABLE app.orders (id integer);\n"
        "CREATE FUNCTION app.double(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 * 2';\n"
        "CREATE VIEW app.doubled AS WITH o AS (SELECT id FROM app.orders)\n"
        "    SELECT app.double(id) AS d, lower('OK')::app.mood AS m FROM o;"
    )
    view = model.views["app.doubled"]
    assert "app." not in view.definition  # the canonical text drops schemas
    assert qualified_definition(model, view) == (
        "WITH o AS (SELECT id FROM app.orders) SELECT app.double(id) AS d, lower('OK')::app.mood AS m FROM o"
    )


# -- the catalog property ------------------------------------------------------------------------

VARIED = (Path(__file__).resolve().parent / "fixtures" / "dependencies" / "varied.sql").read_text(
    encoding="utf-8"
)


def comparable(graph: nx.DiGraph, model: Model) -> set[tuple[str, str, str]]:
    """The edges of the kinds both sides know: not enum values (pg_depend has none), not a view
    column's type (the model does not type view columns), not function → function (aggregates'
    support functions: the model keeps no aggregate definition)."""
    kept = set()
    for u, v, data in graph.edges(data=True):
        if "enum_value" in (u.kind, v.kind) or (u.kind, v.kind) == ("function", "function"):
            continue
        if u.kind == "column" and v.kind == "type" and u.name.rpartition(".")[0] in model.views:
            continue
        kept.add((str(u), str(v), data["deptype"]))
    return kept


def differences(
    model_edges: set[tuple[str, str, str]], catalog_edges: set[tuple[str, str, str]]
) -> set[tuple[str, str, str]]:
    """Edges only the model has, and (marked with a leading "-") edges only pg_depend has."""
    return (model_edges - catalog_edges) | {("-" + e[0], e[1], e[2]) for e in catalog_edges - model_edges}


# Canonical view, CHECK and policy text keeps a column reference's last name only (exprnorm):
# the correlated `o.user_id = u.id` reads as `user_id = id`, and the innermost relation that has
# an `id` (orders) takes it. PostgreSQL knew it was the outer users.id (which the view reads anyway).
VARIED_DIFFERENCES = {("view app.sub", "column app.orders.id", "n")}


@pytest.mark.catalog
def test_model_graph_is_pg_depend_on_a_varied_schema(pg: str, run_sql: object) -> None:
    run_sql(pg, VARIED)  # type: ignore[operator]
    live = introspect(pg)
    catalog = comparable(read_dependencies(pg), live)
    assert len(catalog) > 120
    assert differences(comparable(dependency_graph(live), live), catalog) == VARIED_DIFFERENCES
    replayed = _model(VARIED)
    assert differences(comparable(dependency_graph(replayed), replayed), catalog) == VARIED_DIFFERENCES


@pytest.mark.catalog
def test_read_dependencies_takes_a_cursor_and_schemas(pg: str, run_sql: object) -> None:
    run_sql(pg, VARIED)  # type: ignore[operator]
    with psycopg.connect(pg) as connection, connection.cursor() as cursor:
        graph = read_dependencies(cursor, schemas=["public"])
    assert graph.number_of_edges() > 0
    assert all(u.name.startswith("public.") and v.name.startswith("public.") for u, v in graph.edges)


# Corpus entries, and the differences between the graphs that remain, each with why.
# Canonical view and policy text keeps a column reference's last name only (exprnorm), so a name
# that two relations of one query have resolves to both; PostgreSQL knew which one was meant.
CORPUS_ENTRIES: dict[str, set[tuple[str, str, str]]] = {
    "river": set(),
    "supabase-auth": set(),
    # quoted camelCase columns in index keys; CHECKs calling a function with VARIADIC enum arguments
    "documenso": set(),
    "logto": set(),
    "gitlab": {
        # routes JOIN projects (and namespaces, design_management_repositories): id, name, path
        ("view public.group_wikis_routes_view", "column public.routes.id", "n"),
        (
            "view public.project_design_management_routes_view",
            "column public.design_management_repositories.id",
            "n",
        ),
        ("view public.project_design_management_routes_view", "column public.projects.name", "n"),
        ("view public.project_design_management_routes_view", "column public.projects.path", "n"),
        ("view public.project_design_management_routes_view", "column public.routes.id", "n"),
        ("view public.project_routes_view", "column public.projects.name", "n"),
        ("view public.project_routes_view", "column public.projects.path", "n"),
        ("view public.project_routes_view", "column public.routes.id", "n"),
        ("view public.project_snippets_routes_view", "column public.routes.id", "n"),
    },
    "pagila-2022-12": {
        # sales_by_store joins payment, rental, inventory, store, address, city, country, staff
        ("view public.sales_by_store", "column public.payment.staff_id", "n"),
        ("view public.sales_by_store", "column public.rental.staff_id", "n"),
        ("view public.sales_by_store", "column public.staff.address_id", "n"),
        ("view public.sales_by_store", "column public.staff.store_id", "n"),
    },
    "graphile-starter": {
        # EXISTS (SELECT 1 FROM organization_memberships WHERE organization_id = organizations.id …):
        # the outer organizations.id reads as the inner organization_memberships.id
        (
            "policy app_public.organizations.update_owner",
            "column app_public.organization_memberships.id",
            "n",
        ),
        ("-policy app_public.organizations.update_owner", "column app_public.organizations.id", "n"),
    },
    "adventureworks": {
        ("view sales.vsalesperson", "column person.stateprovince.territoryid", "n"),
        ("view sales.vsalesperson", "column sales.salesterritory.countryregioncode", "n"),
        ("view sales.vsalesperson", "column sales.salesterritory.saleslastyear", "n"),
        ("view sales.vsalesperson", "column sales.salesterritory.salesytd", "n"),
        ("view sales.vsalespersonsalesbyfiscalyearsdata", "column sales.salesorderheader.territoryid", "n"),
    },
}


@pytest.mark.catalog
@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "load.py").is_file(), reason="../shared/corpus is absent")
@pytest.mark.parametrize("name", sorted(CORPUS_ENTRIES))
def test_model_graph_is_pg_depend_on_corpus_entries(name: str, pg_admin: str) -> None:
    record = corpus_loader().load_catalog()[name]
    wanted = [e["name"] for e in record.get("extensions", []) if e.get("source") != "unavailable"]
    with psycopg.connect(pg_admin) as connection:
        have = {row[0] for row in connection.execute("SELECT name FROM pg_available_extensions")}
    if set(wanted) - have:
        pytest.skip(f"the server lacks extension(s) {', '.join(sorted(set(wanted) - have))}")
    database = "sldeps_" + re.sub(r"[^a-z0-9]+", "_", name)[:30] + "_" + uuid.uuid4().hex[:6]
    try:
        applied = subprocess.run(
            [sys.executable, str(CORPUS / "load.py"), "apply", name, "--dsn", pg_admin,
             "--database", database, "--create"],
            capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        counted = re.search(r"(\d+) errors \(expected (\d+)", applied.stdout)
        assert counted is not None and counted[1] == counted[2], applied.stdout[-2000:] + applied.stderr
        from schemalint.sources.dsn import with_database

        dsn = with_database(pg_admin, database)
        live = introspect(dsn)
        model_edges = comparable(dependency_graph(live), live)
        catalog_edges = comparable(read_dependencies(dsn), live)
    finally:
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    assert differences(model_edges, catalog_edges) == CORPUS_ENTRIES[name]
    assert len(model_edges & catalog_edges) > 50
