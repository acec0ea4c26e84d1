"""The Database Schema Document: golden, regeneration that keeps prose, the --check diff."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path

import pytest
from erd_sample import assert_golden, shop_model, star_model

from schemalint.docsections import split_sections
from schemalint.document import check_document, render_document, table_domain, update_document
from schemalint.erd import MERMAID_MAX_EDGES
from schemalint.errors import UserError
from schemalint.model import Column, Model
from schemalint.sources.load import load

PACK = {
    "N001": {
        "severity": "error",
        "slug": "table-name-not-snake-plural",
        "options": {"exempt_tables": ["schema_migrations"], "uncountable": []},
    },
    "C001": {
        "severity": "warning",
        "summary": "every table has the standard columns",
        "options": {
            "standard_columns": {
                "id": {"type": "uuid", "default": "gen_random_uuid()"},
                "created_at": {"type": "timestamp with time zone", "not_null": True},
            }
        },
    },
    "T003": {"severity": "error", "options": {"money_type": "numeric(19,4)", "money_columns": ["*amount*"]}},
    "R001": {"severity": "off", "options": {}},
}
DOMAINS = {"order*": "Ordering", "coupons": "Ordering"}


def shop_document(model: Model | None = None, **overrides: object) -> str:
    arguments: dict[str, object] = {"title": "Shop database", "pack": PACK, "domains": DOMAINS}
    arguments.update(overrides)
    return render_document(model or shop_model(), **arguments)  # type: ignore[arg-type]


def test_document_golden() -> None:
    assert_golden("doc/shop.md", shop_document())


def test_document_golden_without_pack_or_domains_from_a_live_server() -> None:
    text = render_document(shop_model(), title="Shop", pack=None, domains=None, server_version="15.4")
    assert_golden("doc/shop-live.md", text)
    assert "| Technology | PostgreSQL 15.4 |" in text
    assert "_No rule pack given._" in text


def test_technology_line() -> None:
    assert "| Technology | PostgreSQL (from migrations) |" in shop_document()
    live = dataclasses.replace(
        shop_model(), database=dataclasses.replace(shop_model().database, server_version="18.1")
    )
    assert "| Technology | PostgreSQL 18.1 |" in shop_document(live)
    assert "| Technology | PostgreSQL 16.2 |" in shop_document(live, server_version="16.2")


def test_sections_and_their_order() -> None:
    names = [name for name, _ in split_sections(shop_document()) if name is not None]
    assert names == [
        "overview",
        "erd",
        "conventions",
        "tables:Ordering",
        "tables:billing",
        "tables:public",
        "enums",
        "domains",
        "views",
        "functions",
        "triggers",
        "policies",
    ]


def test_domains_group_tables_by_glob_else_schema() -> None:
    model = shop_model()
    assert table_domain(model.tables["public.order_items"], DOMAINS) == "Ordering"
    assert table_domain(model.tables["public.coupons"], DOMAINS) == "Ordering"
    assert table_domain(model.tables["public.users"], DOMAINS) == "public"
    assert table_domain(model.tables["billing.invoices"], {"billing.*": "Billing"}) == "Billing"
    ordering = dict(split_sections(shop_document()))["tables:Ordering"]
    assert [line for line in ordering if line.startswith("### ")] == [
        "### public.coupons",
        "### public.order_items",
        "### public.orders",
    ]


def test_conventions_render_the_active_pack_readably() -> None:
    conventions = "\n".join(dict(split_sections(shop_document()))["conventions"])
    assert "- **N001** `table-name-not-snake-plural` (error)" in conventions
    assert "  - exempt tables: `schema_migrations`" in conventions
    assert "  - uncountable: none" in conventions
    assert "- **C001** (warning): every table has the standard columns" in conventions
    assert (
        "    - `created_at`:\n      - `not_null`: yes\n      - `type`: `timestamp with time zone`"
        in conventions
    )
    assert "  - money type: `numeric(19,4)`" in conventions
    assert "R001" not in conventions  # off


def test_column_table_escapes_pipes_and_describes_keys() -> None:
    text = shop_document()
    assert "| `email` | `character varying(255)` | no |  | UNIQUE | Login \\| contact address |" in text
    assert "| `coupon_id` | `uuid` | yes |  | FK → public.coupons(id) ON DELETE SET NULL |  |" in text
    assert "| `id` | `bigint` | no |  | PK, IDENTITY ALWAYS |  |" in text


def test_document_is_deterministic_whatever_the_model_order() -> None:
    model = shop_model()
    shuffled = dataclasses.replace(
        model,
        tables={
            q: dataclasses.replace(
                t, constraints=tuple(reversed(t.constraints)), indexes=tuple(reversed(t.indexes))
            )
            for q, t in reversed(list(model.tables.items()))
        },
        views=dict(reversed(list(model.views.items()))),
    )
    assert shop_document(model) == shop_document(shuffled)


PROSE = """\
Intro written by a person.
"""


def _with_prose(generated: str) -> str:
    """The generated document with hand-written prose around and between the sections."""
    text = generated.replace("# Shop database\n", "# Shop database\n\n" + PROSE, 1)
    text = text.replace(
        "<!-- schemalint:end erd -->\n", "<!-- schemalint:end erd -->\n\nThe diagram shows keys only.\n", 1
    )
    return text + "\n## Glossary\n\nA *buyer* is a user who placed an order.\n"


def test_update_of_a_current_document_changes_nothing() -> None:
    existing = _with_prose(shop_document())
    assert update_document(existing, shop_document()) == existing
    assert check_document(existing, shop_document()) is None


def test_update_rewrites_generated_sections_and_keeps_prose() -> None:
    existing = _with_prose(shop_document())
    model = shop_model()
    users = model.tables["public.users"]
    changed_users = dataclasses.replace(
        users, columns=(*users.columns, Column("phone", "text", comment="E.164"))
    )
    changed = dataclasses.replace(model, tables={**model.tables, "public.users": changed_users})
    updated = update_document(existing, shop_document(changed))
    assert "| `phone` | `text` | yes |  |  | E.164 |" in updated
    assert "    phone text,\n" in updated
    for prose in ("Intro written by a person.", "The diagram shows keys only.", "A *buyer* is a user"):
        assert updated.count(prose) == 1
    assert updated == _with_prose(shop_document(changed))


def test_check_returns_a_unified_diff_of_the_stale_section() -> None:
    existing = _with_prose(shop_document())
    model = shop_model()
    changed = dataclasses.replace(
        model,
        enums={
            "public.order_status": dataclasses.replace(
                model.enums["public.order_status"], values=("new", "paid", "shipped", "refunded")
            )
        },
    )
    diff = check_document(existing, shop_document(changed))
    assert diff is not None
    assert diff.startswith("--- committed\n+++ generated\n")
    changed_lines = [line for line in diff.splitlines() if re.match(r"[-+][^-+]", line)]
    assert changed_lines == [
        "-| `public.order_status` | `new`, `paid`, `shipped` |  |",
        "+| `public.order_status` | `new`, `paid`, `shipped`, `refunded` |  |",
    ]


def test_new_section_is_inserted_after_its_predecessor_and_removed_section_goes() -> None:
    existing = _with_prose(shop_document())
    # a new domain: its section lands after tables:Ordering, where render_document puts it
    with_billing = update_document(existing, shop_document(domains={**DOMAINS, "invoices": "Billing"}))
    names = [name for name, _ in split_sections(with_billing) if name is not None]
    assert names[3:6] == ["tables:Ordering", "tables:Billing", "tables:public"]
    assert "tables:billing" not in names  # billing.invoices moved to Billing: the old section is removed
    assert "\n\n\n" not in with_billing
    for prose in ("Intro written by a person.", "The diagram shows keys only.", "A *buyer* is a user"):
        assert prose in with_billing
    # and back: Billing goes, billing comes back between its neighbours
    back = update_document(with_billing, shop_document())
    assert back == existing


def test_document_without_markers_gets_every_section_appended() -> None:
    existing = "# Our schema\n\nNothing generated yet.\n"
    updated = update_document(existing, shop_document())
    assert updated.startswith(existing + "\n<!-- schemalint:begin overview -->\n")
    assert [n for n, _ in split_sections(updated) if n] == [
        n for n, _ in split_sections(shop_document()) if n
    ]
    assert check_document(existing, shop_document()) is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- schemalint:begin erd -->\nx\n", r"line 1: section 'erd' has no end marker"),
        ("x\n<!-- schemalint:end erd -->\n", r"line 2: end marker of 'erd' without begin"),
        (
            "<!-- schemalint:begin a -->\n<!-- schemalint:begin b -->\n",
            r"line 2: <!-- schemalint:begin b --> inside section 'a' \(begun on line 1\)",
        ),
        (
            "<!-- schemalint:begin a -->\n<!-- schemalint:end a -->\n<!-- schemalint:begin a -->\n",
            r"line 3: section 'a' appears twice",
        ),
    ],
)
def test_broken_markers_are_user_errors(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        update_document(text, shop_document())


def test_empty_model_document() -> None:
    text = render_document(Model(), title="Empty", pack=None, domains=None, server_version=None)
    assert "_No tables._" in text
    assert "_No table has row-level security._" in text
    assert text.count("_None._") == 5  # enums, domains, views, functions, triggers


def test_too_large_diagram_is_split_per_component_and_a_hopeless_part_gets_a_note() -> None:
    small, huge = star_model(300, 0, hub="accounts"), star_model(MERMAID_MAX_EDGES + 1, 0, hub="events")
    model = Model(tables={**small.tables, **huge.tables})
    erd = dict(split_sections(shop_document(model)))["erd"]
    text = "\n".join(erd)
    assert "The schema is too large for one diagram" in text
    assert [line for line in erd if line.startswith("### ")] == ["### public.events", "### public.accounts"]
    assert text.count("```mermaid") == 1
    assert 'accounts ||--o{ accounts_child_0299 : "hub_id"' not in text  # FK nullable: |o
    assert 'accounts |o--o{ accounts_child_0299 : "hub_id"' in text
    assert "_502 tables, too many for one mermaid diagram; draw a neighbourhood with " in text
    assert "`schemalint erd SOURCE --table public.events --depth 1`._" in text


MIGRATIONS = {
    "V001__users.sql": """
        CREATE TYPE order_status AS ENUM ('new', 'paid');
        CREATE TABLE users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            email varchar(255) NOT NULL CONSTRAINT uq_users_email UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON TABLE users IS 'People who can sign in.';
        COMMENT ON COLUMN users.email IS 'Login address';
    """,
    "V002__orders.sql": """
        CREATE TABLE orders (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id uuid NOT NULL,
            status order_status NOT NULL DEFAULT 'new',
            total numeric(19,4) NOT NULL CHECK (total >= 0)
        );
        ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)
            ON DELETE CASCADE;
        CREATE INDEX idx_orders_user_id ON orders (user_id);
        CREATE UNIQUE INDEX uq_orders_open ON orders (user_id) WHERE status = 'new';
        ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own_orders ON orders USING (user_id = current_setting('app.user')::uuid);
    """,
}


def _without_comments(table: object) -> object:
    columns = tuple(dataclasses.replace(c, comment=None) for c in table.columns)  # type: ignore[attr-defined]
    return dataclasses.replace(table, comment=None, columns=columns)  # type: ignore[type-var]


def test_from_migrations_to_document_and_back(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    for name, text in MIGRATIONS.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    loaded = load(str(directory))
    assert loaded.findings == []
    text = render_document(loaded.model, title="Shop", pack=None, domains=None, server_version=None)
    sections = dict(split_sections(text))
    assert (
        "| `email` | `character varying(255)` | no |  | UNIQUE | Login address |" in sections["tables:public"]
    )
    assert '    users ||--o{ orders : "user_id"' in sections["erd"]
    assert (
        "CREATE UNIQUE INDEX uq_orders_open ON public.orders (user_id) WHERE status = 'new';"
        in sections["tables:public"]
    )
    # the document's ```sql blocks are a source too: its tables replay to the same tables
    document = tmp_path / "schema.md"
    document.write_text(text, encoding="utf-8")
    back = load(str(document))
    assert sorted(back.model.tables) == sorted(loaded.model.tables)
    for qualname, table in loaded.model.tables.items():
        assert _without_comments(back.model.tables[qualname]) == _without_comments(table), qualname


def test_constraints_on_columns_the_table_lacks_do_not_break_the_document() -> None:
    """A model dump can name columns a table does not have (PostgreSQL would have refused the
    constraint): the document shows the constraint in the table's SQL, on no column's row."""
    from schemalint.model import Column, Constraint, Model, Table

    table = Table(
        "public",
        "t",
        columns=(Column("id", "integer"),),
        constraints=(
            Constraint("t_pkey", "primary key", ("ghost",)),
            Constraint("t_key", "unique", ("ghost",)),
            Constraint("t_fkey", "foreign key", ("ghost",), ref_table="public.nowhere", ref_columns=("id",)),
        ),
    )
    text = render_document(
        Model(tables={"public.t": table}), title="T", pack=None, domains=None, server_version=None
    )
    assert "| `id` | `integer` | yes |  |  |  |" in text
    assert "CONSTRAINT t_fkey FOREIGN KEY (ghost) REFERENCES public.nowhere (id)" in text
