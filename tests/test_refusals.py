"""Replay refuses what PostgreSQL refuses, without a server: the journal that undoes a refused
statement, and refusals the catalog cases (test_replay_catalog.py REFUSED) cannot show."""

from __future__ import annotations

from pathlib import Path

from schemalint.sources.load import load
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import replay_files
from schemalint.sources.sql.replay.journal import Journal, JournalDict, JournalSet


def test_journal_undo_puts_dicts_and_sets_back() -> None:
    journal = Journal()
    mapping: JournalDict[str, int] = JournalDict(journal, [("a", 1), ("b", 2)])
    names: JournalSet[str] = JournalSet(journal, ["x"])
    mark = journal.mark()
    mapping["a"] = 10
    mapping["c"] = 3
    del mapping["b"]
    mapping.pop("c")
    mapping.setdefault("d", 4)
    names.add("y")
    names.discard("x")
    names.update(["z"])
    journal.undo(mark)
    assert dict(mapping) == {"a": 1, "b": 2}
    assert set(names) == {"x"}
    assert journal.entries == []


def _replay(sql: str) -> tuple[list[str], list[str]]:
    result = replay_files([parse_sql(sql, "m.sql")])
    return [f.message for f in result.findings], sorted(result.model.tables)


def test_a_refused_statement_in_a_do_block_is_undone_alone() -> None:
    _, tables = _replay(
        """
        CREATE TABLE orders (id int PRIMARY KEY);
        DO $$ BEGIN
            CREATE TABLE kept (id int);
            CREATE TABLE refunds (id int, order_id int REFERENCES orders (ghost));
        END $$;
        """
    )
    # the refused CREATE TABLE leaves nothing behind; that replay takes a DO block's "does not
    # exist" for one an EXCEPTION clause catches (no E001) is do_blocks.py's guess, not this test's
    assert tables == ["public.kept", "public.orders"]


def test_a_trigger_function_an_extension_may_hold_is_not_refused() -> None:
    messages, _ = _replay(
        """
        CREATE SCHEMA extensions;
        CREATE EXTENSION moddatetime WITH SCHEMA extensions;
        CREATE TABLE t (id int, updated_at timestamptz);
        CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION extensions.moddatetime(updated_at);
        CREATE TRIGGER t_gone BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION public.moddatetime(updated_at);
        """
    )
    assert messages == [
        "Statement not replayed: PostgreSQL refuses it: function public.moddatetime() does not exist "
        "(CREATE TRIGGER t_gone BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION public.mo)"
    ]


def test_an_index_on_a_view_whose_columns_are_unknown_is_not_refused() -> None:
    messages, _ = _replay(
        """
        CREATE MATERIALIZED VIEW mv AS SELECT * FROM somewhere_unknown;
        CREATE INDEX ON mv (anything);
        """
    )
    assert not any("refuses" in m for m in messages)


def test_a_schema_document_may_name_a_table_before_it_is_written(tmp_path: Path) -> None:
    """A schema document lists tables by name, a foreign key before the table it references: its
    statements replay in any order; one that no order makes valid is still refused."""
    document = tmp_path / "schema.md"
    document.write_text(
        "```sql\nCREATE TABLE public.a (id int PRIMARY KEY, b_id int REFERENCES public.b);\n```\n"
        "```sql\nCREATE TABLE public.b (id int PRIMARY KEY);\n"
        "CREATE INDEX ON public.b (ghost);\n```\n",
        encoding="utf-8",
    )
    loaded = load(str(document))
    assert sorted(loaded.model.tables) == ["public.a", "public.b"]
    assert [f.message[:70] for f in loaded.findings] == [
        'Statement not replayed: PostgreSQL refuses it: column "ghost" does not'
    ]
