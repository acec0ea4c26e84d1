"""ER diagrams: goldens, a mermaid erDiagram parser that reads the output back, dot through pydot."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

import pydot
import pytest
from erd_sample import assert_golden, fk, pk, shop_model

from schemalint.erd import (
    attribute_name,
    column_keys,
    entity_name,
    render_dot,
    render_mermaid,
    render_split,
    short_type,
)
from schemalint.graph import fk_graph, graph_foreign_keys
from schemalint.model import Column, Model, Table
from schemalint.sources.load import load_model

# --- a small parser of the mermaid erDiagram subset, with the lexical rules of mermaid's grammar
# (entity names: a word or "quoted"; attribute words: the pre-10.7 ATTRIBUTE_WORD, without commas)

_KEYWORDS = {"erdiagram", "one", "many", "only", "zero", "to", "optionally", "style", "classdef", "class"}
_KEYWORDS |= {"subgraph", "end", "title", "acctitle", "accdescr", "direction", "u"}
_NAME = r'(?:"[^"%\\\r\n]+"|[A-Za-z][A-Za-z0-9_]*)'
_WORD = r"[A-Za-z_][A-Za-z0-9_\-\[\]()]*"
_KEYS = r"(?:PK|FK|UK)(?:, (?:PK|FK|UK))*"
_CARD_LEFT = r"(?:\|o|\|\||\}o|\}\|)"
_CARD_RIGHT = r"(?:o\||\|\||o\{|\|\{)"


@dataclass
class Diagram:
    entities: dict[str, list[tuple[str, str, tuple[str, ...]]]] = field(default_factory=dict)
    relationships: list[tuple[str, str, str, str]] = field(default_factory=list)  # left, card, right, label


def _name(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1]
    assert token.lower() not in _KEYWORDS, f"bare entity name {token!r} is a mermaid keyword"
    return token


def parse_mermaid(text: str) -> Diagram:
    lines = text.splitlines()
    assert lines[0] == "erDiagram"
    diagram = Diagram()
    block: str | None = None
    for number, line in enumerate(lines[1:], start=2):
        if block is not None:
            if line == "    }":
                block = None
                continue
            match = re.fullmatch(rf"        ({_WORD}) ({_WORD})(?: ({_KEYS}))?", line)
            assert match, f"line {number}: not an attribute line: {line!r}"
            type_, name, keys = match.groups()
            assert name.lower() not in ("pk", "fk", "uk"), f"line {number}: attribute named like a key"
            diagram.entities[block].append((type_, name, tuple(keys.split(", ")) if keys else ()))
            continue
        if match := re.fullmatch(rf"    ({_NAME}) \{{", line):
            block = _name(match.group(1))
            assert block not in diagram.entities, f"line {number}: entity {block} declared twice"
            diagram.entities[block] = []
        elif match := re.fullmatch(rf"    ({_NAME})", line):
            diagram.entities.setdefault(_name(match.group(1)), [])
        elif match := re.fullmatch(
            rf'    ({_NAME}) ({_CARD_LEFT}--{_CARD_RIGHT}) ({_NAME}) : ("[^"]*")', line
        ):
            left, card, right, label = match.groups()
            diagram.relationships.append((_name(left), card, _name(right), label[1:-1]))
        else:
            raise AssertionError(f"line {number}: not erDiagram syntax: {line!r}")
    assert block is None, "unterminated entity block"
    return diagram


# --- goldens


@pytest.mark.parametrize("columns", ["keys", "all", "none"])
def test_mermaid_golden(columns: str) -> None:
    assert_golden(f"erd/shop.{columns}.mmd", render_mermaid(shop_model(), columns=columns))  # type: ignore[arg-type]


def test_dot_golden() -> None:
    assert_golden("erd/shop.dot", render_dot(shop_model(), columns="keys"))


@pytest.mark.parametrize("by", ["component", "schema"])
def test_split_golden(by: str) -> None:
    parts = render_split(shop_model(), by=by, columns="keys")  # type: ignore[arg-type]
    for name, text in parts.items():
        assert_golden(f"erd/split-{by}/{name}.mmd", text)
    expected = {
        "component": ["public.orders", "public.categories", "unrelated"],
        "schema": ["billing", "public"],
    }
    assert list(parts) == expected[by]


# --- the output parses and says what the model says


@pytest.mark.parametrize("columns", ["keys", "all", "none"])
def test_mermaid_parses_back_to_the_model(columns: str) -> None:
    model = shop_model()
    diagram = parse_mermaid(render_mermaid(model, columns=columns))  # type: ignore[arg-type]
    assert sorted(diagram.entities) == sorted(model.tables)
    expected_columns = {
        "all": {q: [c.name for c in t.columns] for q, t in model.tables.items()},
        "none": {q: [] for q in model.tables},
    }
    if columns in expected_columns:
        actual = {q: [name for _, name, _ in attributes] for q, attributes in diagram.entities.items()}
        assert actual == expected_columns[columns]
    else:
        orders = {name: keys for _, name, keys in diagram.entities["public.orders"]}
        assert orders == {"id": ("PK",), "buyer_id": ("FK",), "seller_id": ("FK",), "coupon_id": ("FK",)}
        assert dict((n, k) for _, n, k in diagram.entities["billing.invoices"])["order_id"] == ("FK", "UK")
    cards = {(left, right, label): card for left, card, right, label in diagram.relationships}
    assert cards == {
        ("public.users", "public.orders", "buyer_id"): "||--o{",
        ("public.users", "public.orders", "seller_id"): "||--o{",
        ("public.coupons", "public.orders", "coupon_id"): "|o--o{",
        ("public.users", "public.profiles", "user_id"): "||--||",
        ("public.orders", "billing.invoices", "order_id"): "|o--||",
        ("public.orders", "public.order_items", "order_id"): "||--o{",
        ("public.categories", "public.categories", "parent_id"): "|o--o{",
    }


def test_single_schema_diagram_uses_bare_table_names() -> None:
    diagram = parse_mermaid(render_mermaid(fk_graph(shop_model(), schemas=["public"])))
    assert "orders" in diagram.entities
    assert ("users", "||--o{", "orders", "buyer_id") in diagram.relationships


def test_only_a_column_unique_on_its_own_is_uk(tmp_path: Path) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(
        """
        CREATE TABLE users (
            id uuid PRIMARY KEY, tenant_id uuid NOT NULL, email text NOT NULL, slug text NOT NULL,
            handle text NOT NULL UNIQUE, code text NOT NULL, deleted_at timestamptz,
            UNIQUE (tenant_id, code)
        );
        CREATE UNIQUE INDEX uq_users_tenant_email ON users (tenant_id, lower(email)) WHERE deleted_at IS NULL;
        CREATE UNIQUE INDEX uq_users_slug ON users (slug) WHERE deleted_at IS NULL;
        CREATE UNIQUE INDEX uq_users_email ON users (email);
        """,
        encoding="utf-8",
    )
    keys = column_keys(load_model(str(path)).tables["public.users"])
    assert keys == {
        "id": ["PK"],
        "tenant_id": [],  # composite unique constraint and composite partial index
        "email": ["UK"],  # its own unique index (the composite one does not count)
        "slug": [],  # partial: unique among live rows only
        "handle": ["UK"],
        "code": [],
        "deleted_at": [],
    }


def test_all_columns_types_are_shortened_for_mermaid() -> None:
    diagram = parse_mermaid(render_mermaid(shop_model(), columns="all"))
    types = {name: type_ for type_, name, _ in diagram.entities["public.orders"]}
    assert types == {
        "id": "bigint",
        "buyer_id": "uuid",
        "seller_id": "uuid",
        "coupon_id": "uuid",
        "status": "order_status",
        "total": "numeric(19_4)",
        "created_at": "timestamptz",
    }
    assert ("text[]", "tags", ()) in diagram.entities["public.profiles"]


@pytest.mark.parametrize(
    ("type_", "schema", "expected"),
    [
        ("timestamp with time zone", "public", "timestamptz"),
        ("timestamp(3) without time zone", "public", "timestamp(3)"),
        ("time with time zone", "public", "timetz"),
        ("character varying(255)", "public", "varchar(255)"),
        ("character varying(255)[]", "public", "varchar(255)[]"),
        ("character(2)", "public", "char(2)"),
        ('"char"', "public", "char"),
        ("double precision", "public", "float8"),
        ("bit varying(8)", "public", "varbit(8)"),
        ("numeric(19,4)", "public", "numeric(19_4)"),
        ("interval year to month", "public", "interval_year_to_month"),
        ("public.tenant_plan", "public", "tenant_plan"),
        ("billing.plan", "public", "billing_plan"),
        ('public."Plan Kind"', "public", "Plan_Kind"),
    ],
)
def test_short_type(type_: str, schema: str, expected: str) -> None:
    assert short_type(type_, schema) == expected
    assert re.fullmatch(_WORD, expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("email", "email"), ("pk", "pk_"), ("UK", "UK_"), ("1st", "_1st"), ("total$", "total_"), ("a b", "a_b")],
)
def test_attribute_name(name: str, expected: str) -> None:
    assert attribute_name(name) == expected


@pytest.mark.parametrize(
    ("qualname", "qualify", "expected"),
    [
        ("public.orders", False, "orders"),
        ("public.orders", True, '"public.orders"'),
        ("public.end", False, '"end"'),
        ("public.One", False, '"One"'),
        ("public.one_time_codes", False, "one_time_codes"),
        ("public._private", False, '"_private"'),
        ("public.Order Notes", False, '"Order Notes"'),
        ('public.50%"off', False, '"50__off"'),
    ],
)
def test_entity_name(qualname: str, qualify: bool, expected: str) -> None:
    assert entity_name(qualname, qualify=qualify) == expected


def test_awkward_names_still_parse() -> None:
    odd = Table(
        "public",
        "end",
        (Column("pk", "integer", not_null=True), Column("2nd value", "numeric(10,2)")),
        (pk("end_pkey", "pk"),),
    )
    child = Table(
        "public",
        "Order Notes",
        (Column("end_pk", "integer"),),
        (fk("fk_notes_end", ("end_pk",), "public.end", ("pk",)),),
    )
    model = Model(tables={t.qualname: t for t in (odd, child)})
    for columns in ("keys", "all", "none"):
        diagram = parse_mermaid(render_mermaid(model, columns=columns))  # type: ignore[arg-type]
        assert diagram.relationships == [("end", "|o--o{", "Order Notes", "end_pk")]
    attributes = parse_mermaid(render_mermaid(model, columns="all")).entities["end"]
    assert attributes == [("integer", "pk_", ("PK",)), ("numeric(10_2)", "_2nd_value", ())]


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot")
def test_dot_parses_and_has_one_edge_per_foreign_key() -> None:
    model = shop_model()
    for columns in ("keys", "all", "none"):
        [graph] = pydot.graph_from_dot_data(render_dot(model, columns=columns))  # type: ignore[arg-type]
        nodes = {n.get_name().strip('"') for n in graph.get_nodes()} - {"node", "edge", "graph"}
        assert nodes == set(model.tables)
        edges = graph.get_edges()
        assert len(edges) == len(graph_foreign_keys(fk_graph(model)))
    tails = {e.get_attributes()["tooltip"].strip('"'): e.get_attributes()["arrowtail"] for e in edges}
    assert tails["fk_profiles_user"] == "teeodot"
    assert tails["fk_orders_buyer"] == "crowodot"


def test_output_is_deterministic_whatever_the_model_order() -> None:
    model = shop_model()
    shuffled = dataclasses.replace(
        model,
        tables={
            q: dataclasses.replace(t, constraints=tuple(reversed(t.constraints)))
            for q, t in reversed(list(model.tables.items()))
        },
    )
    assert render_mermaid(model, columns="all") == render_mermaid(shuffled, columns="all")
    assert render_dot(model) == render_dot(shuffled)


SCHEMA_SQL = """
CREATE SCHEMA billing;
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE profiles (user_id uuid PRIMARY KEY REFERENCES users (id), bio text);
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    referrer_id uuid REFERENCES users (id),
    placed_at timestamp with time zone NOT NULL
);
CREATE TABLE billing.invoices (
    id bigserial PRIMARY KEY,
    order_id bigint NOT NULL,
    amount numeric(19,4) NOT NULL
);
ALTER TABLE billing.invoices ADD CONSTRAINT fk_invoices_order FOREIGN KEY (order_id) REFERENCES orders (id);
CREATE UNIQUE INDEX uq_invoices_order ON billing.invoices (order_id);
"""


def test_from_sql_to_diagram(tmp_path: Path) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(SCHEMA_SQL, encoding="utf-8")
    model = load_model(str(path))
    diagram = parse_mermaid(render_mermaid(model, columns="all"))
    assert sorted(diagram.entities) == [
        "billing.invoices",
        "public.orders",
        "public.profiles",
        "public.users",
    ]
    assert sorted(diagram.relationships) == [
        ("public.orders", "||--||", "billing.invoices", "order_id"),
        ("public.users", "|o--o{", "public.orders", "referrer_id"),
        ("public.users", "||--o{", "public.orders", "user_id"),
        ("public.users", "||--||", "public.profiles", "user_id"),
    ]
    assert ("numeric(19_4)", "amount", ()) in diagram.entities["billing.invoices"]
    assert ("timestamptz", "placed_at", ()) in diagram.entities["public.orders"]
    assert ("text", "email", ("UK",)) in diagram.entities["public.users"]
    public = parse_mermaid(render_mermaid(fk_graph(model, schemas=["public"], tables=["profiles"], depth=2)))
    assert sorted(public.entities) == ["orders", "profiles", "users"]
