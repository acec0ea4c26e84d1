"""The model JSON dump (round trips, strict reading) and the plain-text listing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemalint.errors import SourceError
from schemalint.model import (
    Collation,
    Column,
    Constraint,
    DatabaseInfo,
    DefaultPrivileges,
    Domain,
    Enum,
    Extension,
    Function,
    Grant,
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
from schemalint.report.model_text import model_to_text
from schemalint.sources.dump import is_model_json, model_from_json, model_to_json

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
texts = st.text(max_size=30)
maybe = st.none() | texts
locations = st.none() | st.builds(
    Location, texts, st.integers(1, 10**6), st.integers(1, 500), st.integers(1, 10**6), st.integers(1, 500)
)
small_tuples = st.lists(names, max_size=3).map(tuple)
grants = st.lists(
    st.builds(Grant, names, st.sampled_from(["SELECT", "EXECUTE", "USAGE"]), st.booleans(), locations),
    max_size=2,
).map(tuple)
acls = st.none() | grants

columns = st.builds(
    Column,
    names,
    names,
    st.booleans(),
    maybe,
    st.sampled_from([None, "always", "by default"]),
    maybe,
    maybe,
    st.booleans(),
    st.integers(0, 3),
    maybe,
    locations,
    acls,
)
constraints = st.builds(
    Constraint,
    names,
    st.sampled_from(["primary key", "unique", "foreign key", "check", "exclusion"]),
    small_tuples,
    maybe,
    small_tuples,
    st.sampled_from(["no action", "restrict", "cascade", "set null", "set default"]),
    st.sampled_from(["no action", "cascade"]),
    st.booleans(),
    maybe,
    st.booleans(),
    st.booleans(),
    st.booleans(),
    location=locations,
).map(
    # a foreign key without the table it references is no model (model_from_json refuses it)
    lambda c: dataclasses.replace(c, ref_table=c.ref_table or "public.t") if c.kind == "foreign key" else c
)
triggers = st.builds(
    Trigger,
    names,
    st.sampled_from(["before", "after", "instead of"]),
    small_tuples,
    st.sampled_from(["row", "statement"]),
    names,
    small_tuples,
    small_tuples,
    maybe,
    st.booleans(),
    st.sampled_from(["origin", "disabled", "replica", "always"]),
    locations,
)
policies = st.builds(
    Policy,
    names,
    st.sampled_from(["all", "select", "insert", "update", "delete"]),
    st.booleans(),
    small_tuples,
    maybe,
    maybe,
    locations,
)


def _index(schema: str, table: str) -> st.SearchStrategy[Index]:
    return st.builds(
        Index,
        st.just(schema),
        names,
        st.just(table),
        small_tuples,
        st.booleans(),
        names,
        small_tuples,
        maybe,
        st.booleans(),
        maybe,
        maybe,
        locations,
    )


@st.composite
def tables(draw: st.DrawFn) -> Table:
    schema, name = draw(names), draw(names)
    return Table(
        schema,
        name,
        columns=tuple(draw(st.lists(columns, max_size=4))),
        constraints=tuple(draw(st.lists(constraints, max_size=2))),
        indexes=tuple(draw(st.lists(_index(schema, name), max_size=2))),
        triggers=tuple(draw(st.lists(triggers, max_size=1))),
        policies=tuple(draw(st.lists(policies, max_size=1))),
        kind=draw(st.sampled_from(["table", "partitioned table", "foreign table"])),
        persistence=draw(st.sampled_from(["permanent", "unlogged", "temporary"])),
        rls_enabled=draw(st.booleans()),
        rls_forced=draw(st.booleans()),
        partition_key=draw(maybe),
        partition_of=draw(maybe),
        partition_bound=draw(maybe),
        inherits=draw(small_tuples),
        comment=draw(maybe),
        location=draw(locations),
        acl=draw(acls),
    )


int64 = st.integers(-(2**63), 2**63 - 1)
others: dict[str, st.SearchStrategy[Any]] = {
    "schemas": st.builds(Schema, names, maybe, locations, acls),
    "enums": st.builds(Enum, names, names, small_tuples, maybe, locations, acls),
    "domains": st.builds(
        Domain,
        names,
        names,
        names,
        st.booleans(),
        maybe,
        st.lists(st.tuples(names, texts), max_size=2).map(tuple),
        maybe,
        maybe,
        locations,
        acls,
    ),
    "views": st.builds(
        View,
        names,
        names,
        texts,
        st.booleans(),
        small_tuples,
        st.just(()),
        st.lists(triggers, max_size=1).map(tuple),
        maybe,
        locations,
        acls,
    ),
    "functions": st.builds(
        Function,
        names,
        names,
        texts,
        names,
        names,
        st.sampled_from(["function", "procedure", "aggregate"]),
        st.sampled_from(["immutable", "stable", "volatile"]),
        st.booleans(),
        st.booleans(),
        small_tuples,
        maybe,
        texts,
        maybe,
        locations,
        acls,
    ),
    "sequences": st.builds(
        Sequence,
        names,
        names,
        names,
        int64,
        int64,
        st.none() | int64,
        st.none() | int64,
        int64,
        st.booleans(),
        maybe,
        maybe,
        locations,
        acls,
    ),
    "extensions": st.builds(Extension, names, names, maybe, maybe, locations),
    "default_privileges": st.builds(
        DefaultPrivileges,
        st.just("") | names,
        st.sampled_from(["tables", "sequences", "functions", "types", "schemas"]),
        grants,
        small_tuples,
        locations,
    ),
    "collations": st.builds(
        Collation,
        names,
        names,
        st.sampled_from(["libc", "icu", "builtin"]),
        maybe,
        maybe,
        maybe,
        st.booleans(),
        maybe,
        locations,
    ),
}


@st.composite
def models(draw: st.DrawFn) -> Model:
    kinds: dict[str, Any] = {}
    for kind, strategy in (("tables", tables()), *others.items()):
        objects = draw(st.lists(strategy, max_size=3))
        kinds[kind] = {o.qualname: o for o in objects}
    database = draw(st.builds(DatabaseInfo, maybe, maybe, maybe, maybe))
    return Model(database=database, **kinds)


@settings(max_examples=100, deadline=None)
@given(models())
def test_dump_round_trips_to_an_equal_model(model: Model) -> None:
    text = model_to_json(model)
    loaded = model_from_json(text)
    assert loaded == model
    assert model_to_json(loaded) == text
    # locations are kept exactly
    for name, table in model.tables.items():
        assert loaded.tables[name].location == table.location
        assert [c.location for c in loaded.tables[name].columns] == [c.location for c in table.columns]


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every encoded model object (a JSON object with a "name") in a dump."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("name"), str):
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


@settings(max_examples=30, deadline=None)
@given(models())
def test_dump_without_locations_round_trips_to_an_equal_model(model: Model) -> None:
    text = model_to_json(model, locations=False)
    assert not any("location" in obj for obj in _objects(json.loads(text)))
    loaded = model_from_json(text)
    assert loaded == model
    assert all(t.location is None for t in loaded.tables.values())


def sample() -> Model:
    table = Table(
        "public",
        "orders",
        columns=(
            Column("id", "bigint", True, identity="always"),
            Column("note", "text", comment="free text"),
        ),
        constraints=(Constraint("orders_pkey", "primary key", ("id",)),),
        indexes=(Index("public", "orders_pkey", "orders", ("id",), unique=True, constraint="orders_pkey"),),
        rls_enabled=True,
        location=Location("V1.sql", 1, 1, 4, 3),
    )
    return Model(
        schemas={"public": Schema("public")},
        tables={table.qualname: table, "public.a": Table("public", "a")},
        enums={"public.status": Enum("public", "status", ("new", "done"))},
    )


def test_dump_is_deterministic_and_sorted() -> None:
    text = model_to_json(sample())
    assert text.endswith("}\n") and text.startswith('{\n  "model": {')
    document = json.loads(text)
    assert document["schema_version"] == 1
    assert list(document["model"]["tables"]) == ["public.a", "public.orders"]
    assert document["model"]["tables"]["public.orders"]["location"] == {
        "path": "V1.sql",
        "line": 1,
        "col": 1,
        "end_line": 4,
        "end_col": 3,
    }
    reordered = Model(
        tables=dict(reversed(list(sample().tables.items()))), enums=sample().enums, schemas=sample().schemas
    )
    assert model_to_json(reordered) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "dump.json:1:2: not valid JSON"),
        ("[1]", "dump.json: not a schemalint model dump"),
        ('{"schema_version": 2, "model": {}}', "schema_version 2 is not supported"),
        ('{"schema_version": 1, "model": {}, "x": 1}', "unknown top-level key 'x'"),
        ('{"schema_version": 1, "model": {"tablez": {}}}', "at model: unknown key 'tablez' in Model"),
        (
            '{"schema_version": 1, "model": {"tables": {"public.t": {"schema": "public", "name": "u"}}}}',
            "model.tables[\"public.t\"]: key is not the object's name 'public.u'",
        ),
        (
            '{"schema_version": 1, "model": {"tables": {"public.t": {"schema": "public", "name": "t", '
            '"columns": [{"name": "id", "type": 5}]}}}}',
            'model.tables["public.t"].columns[0].type: expected a string, found 5',
        ),
        (
            '{"schema_version": 1, "model": {"tables": {"public.t": {"schema": "public", "name": "t", '
            '"rls_enabled": "yes"}}}}',
            'rls_enabled: expected true or false, found "yes"',
        ),
        (
            '{"schema_version": 1, "model": {"enums": {"public.e": {"schema": "public", "name": "e"}}}}',
            "Enum lacks required key 'values'",
        ),
        (
            '{"schema_version": 1, "model": {"tables": {"public.t": {"schema": "public", "name": "t", '
            '"constraints": [{"name": "f", "kind": "foreign key", "columns": ["id"]}]}}}}',
            'model.tables["public.t"].constraints[0]: a foreign key needs ref_table',
        ),
    ],
)
def test_malformed_dumps_are_one_line_source_errors(text: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        model_from_json(text, "dump.json")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_is_model_json(tmp_path: Path) -> None:
    dump = tmp_path / "schema.json"
    dump.write_text(model_to_json(sample()))
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}')
    sql = tmp_path / "V1.sql"
    sql.write_text("CREATE TABLE t ();")
    assert [is_model_json(p) for p in (dump, other, sql, tmp_path / "absent.json")] == [
        True,
        False,
        False,
        False,
    ]


def test_model_text_lists_every_kind() -> None:
    model = sample()
    text = model_to_text(model)
    assert text.splitlines()[:8] == [
        "schema public",
        "",
        "  table public.a",
        "",
        "  table public.orders [RLS enabled]",
        "    id    bigint  not null  identity always",
        "    note  text    null  -- free text",
        "    constraints:",
    ]
    assert "      orders_pkey: unique btree (id) [constraint orders_pkey]" in text
    assert "  enum public.status: new, done" in text
    assert model_to_text(Model()) == "(empty model)\n"


@pytest.mark.catalog
def test_dump_of_an_introspected_database_round_trips(pg: str, run_sql: Any) -> None:
    from schemalint.sources.catalog import introspect

    cases = Path(__file__).parent / "drift_cases"
    for case in ("tables_and_foreign_keys", "sequences_matviews_domains", "policy_changed"):
        run_sql(pg, (cases / case / "b.sql").read_text())
    model = introspect(pg)
    assert len(model.tables) == 5 and model.views and model.domains and model.sequences
    assert model_from_json(model_to_json(model), "live.json") == model
