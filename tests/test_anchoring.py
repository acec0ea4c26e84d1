"""Where a finding is located: at the statement, and the line inside it, that made the fault.

Replay records where each fact of an object other than its existence was established (its type,
nullability, default, name, RLS flags) and where a column was dropped; an object's existence is
its model object's location. The engine locates a model finding by the object and the aspect it
is about, and a lint of some files of a directory shows a finding only when those files made it.
"""

from __future__ import annotations

from schemalint.model import Location
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer


def _replayed(script: str) -> Replayer:
    replayer = Replayer()
    for statement in parse_sql(script, "m.sql").statements:
        assert not replayer.apply(statement), statement.text
    return replayer


def _line(where: Location | None) -> tuple[int, int] | None:
    return None if where is None else (where.line, where.col)


REPLAYED = """\
CREATE TABLE orders (
    id uuid PRIMARY KEY,
    amount float8,
    note text,
    created_at timestamptz
);
CREATE INDEX orders_amount ON orders (amount);
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(19,4);
ALTER TABLE orders ALTER COLUMN note SET NOT NULL, ALTER COLUMN note SET DEFAULT '';
ALTER TABLE orders RENAME COLUMN amount TO total;
ALTER TABLE orders DROP COLUMN created_at;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER INDEX orders_amount RENAME TO orders_total;
ALTER TABLE orders RENAME TO purchases;
"""


def test_replay_records_where_each_fact_was_established() -> None:
    replayer = _replayed(REPLAYED)
    fact = replayer.fact
    # a rename carries the facts of the column, and of the table's columns, to the new name
    assert _line(fact("public.purchases.total", "type")) == (8, 1)
    assert _line(fact("public.purchases.total", "name")) == (10, 1)
    assert _line(fact("public.purchases.note", "not_null")) == (9, 1)
    assert _line(fact("public.purchases.note", "default")) == (9, 1)
    assert _line(fact("public.purchases.created_at", "dropped")) == (11, 1)
    assert _line(fact("public.purchases", "rls_enabled")) == (12, 1)
    assert _line(fact("public.orders_total", "name")) == (13, 1)
    assert _line(fact("public.purchases", "name")) == (14, 1)
    assert fact("public.orders.amount", "type") is None  # moved, not copied
    # what the CREATE TABLE established is the objects' own location, not a fact
    assert fact("public.purchases.id", "not_null") is None
    table = replayer.model().tables["public.purchases"]
    assert _line(table.location) == (1, 1)
    assert _line(table.column("id").location) == (2, 5)  # type: ignore[union-attr]


def test_a_refused_statement_leaves_no_fact() -> None:
    replayer = _replayed("CREATE TABLE t (a int, b int);\n")
    script = "ALTER TABLE t ALTER COLUMN a TYPE bigint, DROP COLUMN b, ADD PRIMARY KEY (nope);\n"
    refused = parse_sql(script, "n.sql").statements
    replayer.apply(refused[0])
    assert replayer.refused
    assert replayer.fact("public.t.a", "type") is None
    assert replayer.fact("public.t.b", "dropped") is None
