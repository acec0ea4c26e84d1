"""A replay state the cache kept is read back packed: each object of the model stays the bytes of
its pickle until something reads it (a pre-commit after 2,000 files reads a few tables of
thousands). Every way of reading gives the object; keys, length and membership load nothing; the
journal undoes writes over packed values; what is never read is written back as it was read."""

from __future__ import annotations

import pickle
from pathlib import Path
from types import MappingProxyType

import pytest

from schemalint.cache import Cache
from schemalint.config import Settings
from schemalint.model import Column, Packed, Table
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import Replayer
from schemalint.sources.sql.replay.journal import Journal, PackedDict
from schemalint.sources.sql.replay.state import Refused


def _table(name: str) -> Table:
    return Table("public", name, columns=(Column("id", "bigint"),))


def _packed(count: int = 3) -> tuple[PackedDict[str, Table], dict[str, Table], list[int]]:
    """A PackedDict of `count` tables, the same as a plain dict, and a list counting loads."""
    loads = [0]

    class Counted(Packed):
        __slots__ = ()

        def load(self) -> object:
            loads[0] += 1
            return super().load()

    plain = {f"public.t{i}": _table(f"t{i}") for i in range(count)}
    packed = PackedDict(Journal(), ((k, Counted(pickle.dumps(v))) for k, v in plain.items()))
    return packed, plain, loads


def test_keys_length_and_membership_load_nothing() -> None:
    packed, plain, loads = _packed()
    assert list(packed) == list(plain) and len(packed) == 3 and "public.t1" in packed
    assert sorted(packed.keys()) == sorted(plain)
    assert loads == [0]


def test_each_read_loads_an_object_once() -> None:
    packed, plain, loads = _packed()
    assert packed["public.t0"] == plain["public.t0"] and loads == [1]
    assert packed.get("public.t0") is packed["public.t0"] and loads == [1]
    assert packed.get("public.nothing", "default") == "default"
    assert MappingProxyType(packed)["public.t1"] == plain["public.t1"] and loads == [2]
    assert list(MappingProxyType(packed).values()) == list(plain.values()) and loads == [3]


@pytest.mark.parametrize(
    "read",
    [
        lambda d: dict(d),
        lambda d: {**d},
        lambda d: dict(d.items()),
        lambda d: dict(zip(d.keys(), d.values(), strict=True)),
        lambda d: d.copy(),
        lambda d: dict(MappingProxyType(d).items()),
        lambda d: pickle.loads(pickle.dumps(d)),
    ],
    ids=["dict", "unpack", "items", "values", "copy", "proxy", "pickle"],
)
def test_every_copy_holds_objects_not_bytes(read: object) -> None:
    packed, plain, _ = _packed()
    copied = read(packed)  # type: ignore[operator]
    assert copied == plain and all(isinstance(v, Table) for v in copied.values())


def test_equality_and_text_see_objects() -> None:
    packed, plain, _ = _packed()
    other, _, _ = _packed()
    assert packed == plain and plain == packed and packed == other and (packed != plain) is False
    assert "Packed" not in repr(_packed()[0])


def test_writes_over_packed_values_are_undone_to_the_objects() -> None:
    packed, plain, _ = _packed()
    mark = packed.journal.mark()
    packed["public.t0"] = _table("renamed")
    del packed["public.t1"]
    assert packed.pop("public.t2") == plain["public.t2"]
    packed["public.new"] = _table("new")
    packed.journal.undo(mark)
    assert packed == plain and all(isinstance(v, Table) for v in dict.values(packed))


def _replayed(sql: str, on: Replayer | None = None) -> Replayer:
    replayer = on or Replayer()
    for statement in parse_sql(sql, "m.sql").statements:
        assert not replayer.apply(statement), statement.text
    return replayer


HISTORY = "".join(
    f"CREATE TABLE t{i} (id bigint PRIMARY KEY, ref bigint REFERENCES t{max(i - 1, 0)} (id));\n"
    for i in range(20)
)


def test_a_restored_state_replays_as_the_state_it_was(tmp_path: Path) -> None:
    cache = Cache(tmp_path, Settings.default(tmp_path), print)
    history = _replayed(HISTORY)
    restored = _restored(cache, history)
    after = "ALTER TABLE t3 ADD COLUMN note text; CREATE INDEX idx_t4_ref ON t4 (ref);"
    expected = _replayed(after, history)
    _replayed(after, restored)
    # only what the statements read was loaded; the rest is still the bytes it was read as
    loaded = [k for k, v in dict.items(restored.state.tables) if not isinstance(v, Packed)]
    assert set(loaded) <= {"public.t3", "public.t4"}
    assert restored.object_count() == expected.object_count()
    again = cache.packed(restored.export())[0]["tables"]
    kept = cache.packed(history.export())[0]["tables"]
    assert again["public.t9"].data == dict.__getitem__(restored.state.tables, "public.t9").data
    assert len(again) == len(kept)
    assert restored.snapshot() == expected.snapshot()
    with pytest.raises(Refused):  # a refusal is undone on a restored state too
        restored.atomically(lambda r, node: (r.state.tables.pop("public.t5"), _raise()), None)
    assert restored.snapshot() == expected.snapshot()


def _raise() -> None:
    raise Refused("refused")


def test_origins_load_when_an_object_that_has_one_is_looked_up(tmp_path: Path) -> None:
    cache = Cache(tmp_path, Settings.default(tmp_path), print)
    history = _replayed(HISTORY)
    restored = _restored(cache, history)
    _replayed("CREATE INDEX idx_t4_ref ON t4 (ref);", restored)
    assert restored.changed_origins() == ["public.idx_t4_ref", "public.t4"]
    assert restored.origin("public.t4.nothing") is None  # never had one: nothing loaded
    assert isinstance(restored.export()[1], dict)  # an origin set since: base and new, merged
    assert isinstance(_replayed("SELECT 1;", _restored(cache, history)).export()[1], Packed)
    assert restored.origin("public.t9") == history.origin("public.t9") is not None
    assert restored.origin("public.idx_t4_ref") is not None
    assert dict(restored.origins) == {**history.origins, "public.idx_t4_ref": restored.origin("public.idx_t4_ref"),
                                      "public.t4": restored.origin("public.t4")}  # fmt: skip


def _restored(cache: Cache, history: Replayer) -> Replayer:
    """A replayer on the state `history` reached, as a later run reads it back from the cache."""
    restored = Replayer()
    restored.restore(pickle.loads(pickle.dumps(cache.packed(history.export()))))
    return restored


def test_a_packed_mapping_may_hold_only_its_keys() -> None:
    packed = Packed(b"", keys=["public.a", "public.ab", 'public."x\ny"'])
    assert packed.may_hold("public.a") and packed.may_hold("public.ab") and packed.may_hold('public."x\ny"')
    assert not packed.may_hold("public.b") and not packed.may_hold("public") and not packed.may_hold("a")
    assert Packed(b"").may_hold("anything")  # keys not known: it may
