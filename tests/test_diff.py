"""diff_models on hand-built models: every kind of object, field by field, in a stable order."""

from __future__ import annotations

from dataclasses import replace

from schemalint.drift.diff import Difference, diff_models
from schemalint.model import (
    Collation,
    Column,
    Constraint,
    Domain,
    Enum,
    Extension,
    Function,
    Index,
    Location,
    Model,
    Policy,
    Schema,
    Sequence,
    Table,
    Trigger,
    View,
)

HERE = Location("V1.sql", 4, 5, 4, 30)


def orders(**changes: object) -> Table:
    table = Table(
        "public",
        "orders",
        columns=(
            Column("id", "bigint", True, identity="always"),
            Column("created_at", "timestamp with time zone", True, "now()", location=HERE),
            Column("note", "text"),
        ),
        constraints=(
            Constraint("orders_pkey", "primary key", ("id",)),
            Constraint("orders_note_check", "check", expression="length(note) < 100"),
        ),
        indexes=(
            Index("public", "orders_pkey", "orders", ("id",), unique=True, constraint="orders_pkey"),
            Index("public", "idx_orders_created", "orders", ("created_at",), predicate="note IS NULL"),
        ),
        triggers=(Trigger("orders_touch", "before", ("update",), "row", "public.touch"),),
        policies=(Policy("tenant", using="tenant_id = 1"),),
    )
    return replace(table, **changes)  # type: ignore[arg-type]


def model(*tables: Table, **kinds: object) -> Model:
    return Model(tables={t.qualname: t for t in tables}, **kinds)  # type: ignore[arg-type]


def strings(differences: list[Difference]) -> list[str]:
    return [str(d) for d in differences]


def test_equal_models_have_no_differences_whatever_the_locations() -> None:
    located = orders(location=HERE)
    assert diff_models(model(located), model(orders())) == []


def test_column_attributes_are_compared_one_by_one() -> None:
    live = orders(
        columns=(
            Column("id", "integer", True, identity="by default"),
            Column("created_at", "timestamp without time zone", False, None, collation="C"),
            Column("extra", "text"),
        )
    )
    differences = diff_models(model(orders()), model(live))
    assert strings(differences) == [
        "column public.orders.created_at: collation none ≠ C",
        "column public.orders.created_at: default now() ≠ none",
        "column public.orders.created_at: not_null true ≠ false",
        "column public.orders.created_at: type timestamp with time zone ≠ timestamp without time zone",
        "column public.orders.extra: extra (live, not declared)",
        "column public.orders.id: identity always ≠ by default",
        "column public.orders.id: type bigint ≠ integer",
        "column public.orders.note: missing (declared, not live)",
    ]
    created_at = [d for d in differences if d.object == "public.orders.created_at"]
    assert {d.location for d in created_at} == {HERE}
    assert created_at[1] == Difference(
        "column", "public.orders.created_at", "changed", "default", "now()", None
    )


def test_constraint_not_valid_state_and_comment() -> None:
    live = orders(
        constraints=(
            Constraint("orders_pkey", "primary key", ("id",)),
            Constraint(
                "orders_note_check",
                "check",
                expression="length(note) < 100",
                validated=False,
                comment="legacy",
            ),
        )
    )
    assert strings(diff_models(model(orders()), model(live))) == [
        "constraint public.orders.orders_note_check: validated true ≠ false",
        "comment on constraint public.orders.orders_note_check: none ≠ legacy",
    ]


def test_index_backing_a_one_sided_constraint_is_not_listed_twice() -> None:
    live = orders(
        constraints=(Constraint("orders_note_check", "check", expression="length(note) < 100"),),
        indexes=(Index("public", "idx_orders_created", "orders", ("created_at",)),),
    )
    assert strings(diff_models(model(orders()), model(live))) == [
        "constraint public.orders.orders_pkey: missing (declared, not live)",
        "index public.idx_orders_created: predicate note IS NULL ≠ none",
    ]


def test_triggers_policies_and_rls() -> None:
    live = orders(
        triggers=(
            Trigger("orders_touch", "after", ("insert", "update"), "row", "public.touch", enabled="disabled"),
        ),
        policies=(Policy("tenant", using="true"), Policy("admin", roles=("admin",))),
        rls_enabled=True,
    )
    assert strings(diff_models(model(orders()), model(live))) == [
        "trigger public.orders.orders_touch: enabled origin ≠ disabled",
        "trigger public.orders.orders_touch: events (update) ≠ (insert, update)",
        "trigger public.orders.orders_touch: timing before ≠ after",
        "policy public.orders.admin: extra (live, not declared)",
        "policy public.orders.tenant: using tenant_id = 1 ≠ true",
        "rls public.orders: enabled false ≠ true",
    ]


def test_table_level_attributes() -> None:
    declared = orders(partition_key="RANGE (created_at)", kind="partitioned table", comment="Orders")
    live = orders(persistence="unlogged")
    assert strings(diff_models(model(declared), model(live))) == [
        "table public.orders: kind partitioned table ≠ table",
        "table public.orders: partition_key RANGE (created_at) ≠ none",
        "table public.orders: persistence permanent ≠ unlogged",
        "comment on table public.orders: Orders ≠ none",
    ]


def test_missing_table_is_one_difference_and_keeps_its_location() -> None:
    declared = model(orders(location=HERE))
    [difference] = diff_models(declared, Model())
    assert (str(difference), difference.location) == (
        "table public.orders: missing (declared, not live)",
        HERE,
    )
    assert strings(diff_models(Model(), declared)) == ["table public.orders: extra (live, not declared)"]


def test_schema_level_objects_in_dependency_order() -> None:
    declared = Model(
        schemas={"app": Schema("app", comment="the app")},
        extensions={"pgcrypto": Extension("pgcrypto", "public")},
        enums={"app.status": Enum("app", "status", ("new", "paid", "shipped"))},
        domains={"app.email": Domain("app", "email", "text", checks=(("email_check", "VALUE ~~ '%@%'"),))},
        sequences={"app.seq": Sequence("app", "seq", increment=1)},
        functions={"app.f(integer)": Function("app", "f", "integer", "integer", "sql", body="SELECT $1")},
        views={
            "app.v": View(
                "app", "v", "SELECT 1", materialized=True, indexes=(Index("app", "v_idx", "v", ("x",)),)
            )
        },
    )
    live = Model(
        schemas={"app": Schema("app")},
        extensions={"pgcrypto": Extension("pgcrypto", "app"), "citext": Extension("citext", "public")},
        enums={"app.status": Enum("app", "status", ("new", "shipped", "paid"))},
        domains={"app.email": Domain("app", "email", "text")},
        sequences={"app.seq": Sequence("app", "seq", increment=5)},
        functions={"app.f(integer)": Function("app", "f", "integer", "integer", "sql", body="SELECT $1 + 1")},
        views={"app.v": View("app", "v", "SELECT 2", materialized=True)},
    )
    assert strings(diff_models(declared, live)) == [
        "extension citext: extra (live, not declared)",
        "extension pgcrypto: schema public ≠ app",
        "enum app.status: values (new, paid, shipped) ≠ (new, shipped, paid)",
        "domain app.email: checks ((email_check, VALUE ~~ '%@%')) ≠ ()",
        "sequence app.seq: increment 1 ≠ 5",
        "function app.f(integer): body SELECT $1 ≠ SELECT $1 + 1",
        "index app.v_idx: missing (declared, not live)",
        "view app.v: definition SELECT 1 ≠ SELECT 2",
        "comment on schema app: the app ≠ none",
    ]


def test_long_values_are_one_line_and_shortened() -> None:
    body = "BEGIN\n" + "  PERFORM 1;\n" * 40 + "END"
    declared = Model(functions={"public.f()": Function("public", "f", "", "void", "plpgsql", body=body)})
    live = Model(functions={"public.f()": Function("public", "f", "", "void", "plpgsql", body="BEGIN END")})
    [difference] = diff_models(declared, live)
    text = str(difference)
    assert "\n" not in text and "…" in text and len(text) < 200
    assert difference.declared == body


def _columns(*names: str) -> Model:
    table = Table("public", "t", columns=tuple(Column(name, "int", location=HERE) for name in names))
    return Model(tables={table.qualname: table})


def test_column_order_reports_only_the_columns_that_moved() -> None:
    (moved,) = diff_models(_columns("a", "b", "c", "d"), _columns("a", "c", "d", "b"))
    assert moved == Difference("column", "public.t.b", "changed", "position", 2, 4, HERE)
    assert str(moved) == "column public.t.b is at position 4 in live, 2 declared"
    swapped = diff_models(_columns("a", "b", "c"), _columns("c", "b", "a"))
    assert [(d.object, d.declared, d.live) for d in swapped] == [("public.t.a", 1, 3), ("public.t.b", 2, 2)]


def test_a_missing_or_extra_column_moves_nothing() -> None:
    assert diff_models(_columns("a", "b", "c"), _columns("a", "c")) == [
        Difference("column", "public.t.b", "missing", location=HERE)
    ]
    assert [str(d) for d in diff_models(_columns("a", "c"), _columns("x", "a", "b", "c"))] == [
        "column public.t.b: extra (live, not declared)",
        "column public.t.x: extra (live, not declared)",
    ]


def test_extension_versions_are_compared_only_when_both_are_known() -> None:
    def model(version: str | None) -> Model:
        return Model(extensions={"citext": Extension("citext", "public", version)})

    assert diff_models(model(None), model("1.6")) == []
    assert diff_models(model("1.6"), model(None)) == []
    assert diff_models(model("1.6"), model("1.4")) == [
        Difference("extension", "citext", "changed", "version", "1.6", "1.4")
    ]


def test_collations_and_inherited_columns() -> None:
    collation = Collation("public", "bytewise", lc_collate="C", lc_ctype="C")
    declared = Model(collations={collation.qualname: collation})
    live = Model(collations={collation.qualname: replace(collation, lc_ctype="POSIX", comment="x")})
    assert [str(d) for d in diff_models(declared, live)] == [
        "collation public.bytewise: lc_ctype C ≠ POSIX",
        "comment on collation public.bytewise: none ≠ x",
    ]
    child = Table("public", "child", columns=(Column("id", "int", local=False, inherited=1),))
    local = replace(child, columns=(Column("id", "int"),), inherits=())
    assert [
        str(d)
        for d in diff_models(
            Model(tables={"public.child": replace(child, inherits=("public.base",))}),
            Model(tables={"public.child": local}),
        )
    ] == [
        "table public.child: inherits (public.base) ≠ ()",
        "column public.child.id: inherited 1 ≠ 0",
        "column public.child.id: local false ≠ true",
    ]


def test_function_arguments_are_compared_when_both_sides_have_them() -> None:
    def model(arguments: str) -> Model:
        function = Function("public", "f", "integer", "integer", "sql", body="SELECT 1", arguments=arguments)
        return Model(functions={function.qualname: function})

    assert diff_models(model("a integer"), model("b integer")) == [
        Difference("function", "public.f(integer)", "changed", "arguments", "a integer", "b integer")
    ]
    assert diff_models(model(""), model("b integer")) == []  # a dump written before arguments were kept
