"""Undo for replay: containers that record what the current statement changed.

PostgreSQL runs each statement atomically: one that fails (a CREATE TABLE whose
foreign key names a missing column, an ALTER TABLE whose third subcommand
fails) leaves nothing behind. Replay's handlers change the state as they go, so
the state's dictionaries and sets record each change's old value in a shared
Journal; the Replayer clears it before a statement and undoes it when the
statement is refused. Reads are the built-in ones, untouched; a write costs one
tuple appended.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from schemalint.model import Packed

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")
_ABSENT: Any = object()


class Journal:
    """The changes made since the last clear(), each as (container, key, old value or absence)."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[tuple[Any, Any, Any]] = []

    def clear(self) -> None:
        self.entries.clear()

    def mark(self) -> int:
        """A point to undo() back to."""
        return len(self.entries)

    def created(self, container: Any) -> tuple[list[Any], bool]:
        """The keys added to a dict since the last clear() that it still holds, and whether a key
        it held then is gone (a rename: the added key is the same object under a new name)."""
        added, removed = [], False
        for changed, key, old in self.entries:
            if changed is container:
                if old is _ABSENT:
                    added.append(key)
                elif key not in container:
                    removed = True
        return [key for key in added if key in container], removed

    def undo(self, mark: int = 0) -> None:
        """Put every container back as it was at ``mark`` (by default, at the last clear())."""
        for container, key, old in reversed(self.entries[mark:]):
            if isinstance(container, dict):
                if old is _ABSENT:
                    dict.pop(container, key, None)
                else:
                    dict.__setitem__(container, key, old)
            elif old is _ABSENT:
                set.discard(container, key)
            else:
                set.add(container, key)
        del self.entries[mark:]


class JournalDict(dict[_K, _V]):
    """A dict whose writes are recorded in a Journal."""

    __slots__ = ("journal",)

    def __init__(self, journal: Journal, items: Iterable[tuple[_K, _V]] = ()) -> None:
        super().__init__(items)
        self.journal = journal

    def __setitem__(self, key: _K, value: _V) -> None:
        self.journal.entries.append((self, key, dict.get(self, key, _ABSENT)))
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: _K) -> None:
        self.journal.entries.append((self, key, dict.__getitem__(self, key)))
        dict.__delitem__(self, key)

    def pop(self, key: _K, *default: Any) -> Any:
        if key in self:
            self.journal.entries.append((self, key, dict.__getitem__(self, key)))
        return dict.pop(self, key, *default)

    def setdefault(self, key: _K, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def clear(self) -> None:
        for key in list(self):
            del self[key]

    def popitem(self) -> tuple[_K, _V]:
        raise NotImplementedError("JournalDict.popitem: the order of undo would not be kept")

    def __ior__(self, other: Any) -> JournalDict[_K, _V]:  # type: ignore[override,misc]
        self.update(other)
        return self


class JournalSet(set[_T]):
    """A set whose additions and removals are recorded in a Journal."""

    __slots__ = ("journal",)

    def __init__(self, journal: Journal, items: Iterable[_T] = ()) -> None:
        super().__init__(items)
        self.journal = journal

    def add(self, item: _T) -> None:
        if item not in self:
            self.journal.entries.append((self, item, _ABSENT))
            set.add(self, item)

    def discard(self, item: Any) -> None:
        if item in self:
            self.journal.entries.append((self, item, True))
            set.discard(self, item)

    def remove(self, item: Any) -> None:
        if item not in self:
            raise KeyError(item)
        self.discard(item)

    def update(self, *others: Iterable[_T]) -> None:
        for other in others:
            for item in other:
                self.add(item)

    def clear(self) -> None:
        for item in list(self):
            self.discard(item)

    def pop(self) -> _T:
        raise NotImplementedError("JournalSet.pop: use discard")

    def difference_update(self, *others: Iterable[Any]) -> None:
        for other in others:
            for item in other:
                self.discard(item)

    def __ior__(self, other: Any) -> JournalSet[_T]:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __isub__(self, other: Any) -> JournalSet[_T]:  # type: ignore[misc]
        self.difference_update(other)
        return self


class PackedDict(JournalDict[_K, _V]):
    """A JournalDict some of whose values are Packed: each is loaded, once, when it is first
    read, by any way of reading (item, get, values, items, a copy, a comparison). Keys, length
    and membership never load anything."""

    __slots__ = ()

    def _loaded(self, key: Any, value: Any) -> Any:
        if isinstance(value, Packed):
            value = value.load()
            dict.__setitem__(self, key, value)
        return value

    def load_all(self) -> None:
        for key in [k for k, v in dict.items(self) if isinstance(v, Packed)]:
            self._loaded(key, dict.__getitem__(self, key))

    def __getitem__(self, key: _K) -> _V:
        return self._loaded(key, dict.__getitem__(self, key))  # type: ignore[no-any-return]

    def get(self, key: _K, default: Any = None) -> Any:
        value = dict.get(self, key, _ABSENT)
        return default if value is _ABSENT else self._loaded(key, value)

    def __iter__(self) -> Any:  # a Python __iter__: dict(d) and {**d} then read through __getitem__
        return dict.__iter__(self)

    def values(self) -> Any:
        self.load_all()
        return dict.values(self)

    def items(self) -> Any:
        self.load_all()
        return dict.items(self)

    def __setitem__(self, key: _K, value: _V) -> None:
        self._loaded(key, dict.get(self, key))  # the journal keeps the object, not its bytes
        super().__setitem__(key, value)

    def __delitem__(self, key: _K) -> None:
        self._loaded(key, dict.get(self, key))
        super().__delitem__(key)

    def pop(self, key: _K, *default: Any) -> Any:
        self._loaded(key, dict.get(self, key))
        return super().pop(key, *default)

    def setdefault(self, key: _K, default: Any = None) -> Any:
        super().setdefault(key, default)
        return self[key]

    def copy(self) -> dict[_K, _V]:
        return dict(self.items())

    def __eq__(self, other: object) -> bool:
        self.load_all()
        if isinstance(other, PackedDict):
            other.load_all()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __repr__(self) -> str:
        self.load_all()
        return dict.__repr__(self)

    def __reduce__(self) -> Any:
        return dict, (dict(self.items()),)
