"""Replay refuses what PostgreSQL refuses, without a server: the journal that undoes a refused
statement, and refusals the catalog cases (test_replay_catalog.py REFUSED) cannot show."""

from __future__ import annotations

from schemalint.sources.sql.journal import Journal, JournalDict, JournalSet


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
