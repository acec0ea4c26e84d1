"""The cache: what a lint computed, kept so that a run whose inputs did not change reads it back.

Content-addressed, as ruff's: every key hashes schemalint's version and code, and the path and
bytes of every file the entry depends on; findings also hash the settings that change them.
Three kinds of entries:

- ``state``: the replayed model (with origins and facts) after a migration file, keyed by the
  chain of the hashes of the files up to it, so that a new file replays on its predecessors'
  state without replaying them. Kept after the file before the first linted one (pre-commit),
  after the last file unless it is linted alone (a new file, edited between runs), and every
  CHECKPOINT_EVERY files: one per file would cost the square of the history in writes; a run
  resumes from the last state kept before the files it must replay.
- ``file``: a linted file's findings (statement rules, replay, end of file), the objects it
  touched and its statements without parse trees (for suppressions), keyed by the chain up to
  it and the settings: a change to file N invalidates N and what follows, nothing before it.
- ``run``: a whole lint's result, keyed by the chain of its files, which of them are linted,
  and the settings.
- ``digests``: each file's SHA-256 with its size, times and inode, so that a file that did not
  change is not read again to key the chain.

A state's model objects are pickled one by one (model.Packed) and read back lazily
(replay's PackedDict), as are its origins: a pre-commit after 2,000 files loads the few
tables it reads, not all of them.

An entry is a header naming the format and the code, a CRC-32 of the payload, and the
payload: a pickle in which the frozen dataclasses of the model, findings and statements are
reduced to their constructor's arguments (their default pickling loads three times slower).
A write goes to a new temporary file renamed over the entry (os.replace): a reader sees a
whole entry or none, and two runs at once never mix theirs. An entry that does not load
(another version's, truncated, corrupt, not unpicklable) is ignored and rewritten, never
trusted. A directory that cannot be written makes the run go on without the cache, said
once on stderr. Entries no run has used for a week are removed (prune, at most once a day).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemalint import __version__, model, statements
from schemalint import findings as findings_module
from schemalint.config import Settings
from schemalint.errors import UserError
from schemalint.findings import Finding
from schemalint.statements import SqlFile

if TYPE_CHECKING:
    from schemalint.sources.sql.replay import Replayer

DIRECTORY_NAME = ".schemalint_cache"
FORMAT = b"schemalint-cache 2\n"
CHECKPOINT_EVERY = 64
_CHECK = 4  # bytes of a CRC-32: against corruption, not tampering (a 3.5 MB state: 2 ms, not 10)
# a file changed less than this long before its digest is taken may change again with the same
# size and times (file systems keep times to a clock tick): its digest is not remembered
_SETTLED_NS = 2_000_000_000

# an entry no run has read or written for this long is removed, looked for at most once a day
# (the ``.pruned`` file's time says when), with temporary files a run left behind
UNUSED_NS = 7 * 24 * 3600 * 10**9
_PRUNE_EVERY_NS = 24 * 3600 * 10**9
_ABANDONED_NS = 3600 * 10**9

# a cache directory is ignored by git, whoever made it
GITIGNORE = "# written by schemalint: the cache is local\n*\n"


def checksum(payload: bytes) -> bytes:
    """What an entry's payload is checked against when it is read back."""
    return zlib.crc32(payload).to_bytes(_CHECK, "big")


def _code_key() -> bytes:
    """schemalint's version and its installed code (each module's size and mtime): an edited
    checkout does not read what an older state of it wrote."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for folder, subfolders, names in os.walk(package):
        subfolders.sort()
        for name in sorted(names):
            if name.endswith((".py", ".sql", ".yaml")):
                found = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{found.st_size}\0{found.st_mtime_ns}\n".encode())
    return digest.hexdigest().encode()


def settings_key(settings: Settings) -> str:
    """What of the settings changes a finding (not where reports go, nor fail-on)."""
    rules = sorted(
        (code, s.enabled, s.severity, repr(sorted(s.options.items()))) for code, s in settings.rules.items()
    )
    parts = (
        str(settings.root),
        settings.target_postgres,
        settings.schemas,
        settings.exclude_schemas,
        settings.per_file_ignores,
        settings.per_object_ignores,
        settings.domains,
        rules,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@cache
def _reducers() -> dict[type, Callable[[Any], tuple[Any, ...]]]:
    """For each frozen dataclass of the model, findings and statements: rebuilt by its constructor."""
    table: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
    for module in (model, findings_module, statements):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                table[value] = _reducer(value)
    return table


def _reducer(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(obj: Any) -> tuple[Any, ...]:
        return cls, tuple([getattr(obj, name) for name in names])

    return reduce


def _dumps(value: Any, reducers: dict[type, Callable[[Any], tuple[Any, ...]]]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = reducers
    pickler.dump(value)
    return buffer.getvalue()


def _pack(value: Any, reducers: dict[type, Callable[[Any], tuple[Any, ...]]]) -> model.Packed:
    parts = model.table_parts(value) if isinstance(value, model.Table) else 0
    return model.Packed(_dumps(value, reducers), parts)


class Cache:
    """One cache directory for one run's settings. ``stats`` counts, per kind, entries found
    (``state.hit``), not found (``state.miss``), written (``state.write``) and ignored as
    corrupt or foreign (``state.rejected``)."""

    def __init__(self, directory: Path, settings: Settings, warn: Callable[[str], None]) -> None:
        self.directory = directory
        self.stats: Counter[str] = Counter()
        self.enabled = True
        self._warn = warn
        self._header = FORMAT + _code_key() + b"\n"
        self._settings = settings_key(settings).encode()
        self._ready = False
        self._rejected: set[tuple[str, str]] = set()

    def key(self, *parts: str | bytes, settings: bool = False) -> str:
        digest = hashlib.sha256(self._header)
        if settings:
            digest.update(self._settings)
        for part in parts:
            digest.update(part.encode() if isinstance(part, str) else part)
            digest.update(b"\0")
        return digest.hexdigest()

    def chain(self, paths: Sequence[Path]) -> list[str | None]:
        """For each file, a key of the paths and bytes of it and every file before it; None from
        the first file that cannot be read on (its error is the run's to report).

        A file's digest is remembered with its size, times and inode (the ``digests`` entry, as
        git's index and ruff do): a history of 2,000 unchanged files is 2,000 stats, not 2,000
        reads. A file changed in the last two seconds is read every time (_SETTLED_NS)."""
        known = self._digests()
        learned = False
        now = time.time_ns()
        keys: list[str | None] = []
        running = hashlib.sha256(self._header)  # each key hashes every path and digest up to its file
        for path in paths:
            name = str(path)
            try:
                found = os.stat(path)
                stamp = (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)
                remembered = known.get(name)
                if remembered is not None and remembered[0] == stamp:
                    digest = remembered[1]
                else:
                    digest = hashlib.sha256(path.read_bytes()).digest()
                    if now - max(found.st_mtime_ns, found.st_ctime_ns) > _SETTLED_NS:
                        known[name] = (stamp, digest)
                        learned = True
            except OSError:
                return keys + [None] * (len(paths) - len(keys))
            running.update(f"{name}\0".encode())
            running.update(digest)
            keys.append(running.copy().hexdigest())
        if learned:
            self.store("digests", "files", known)
        return keys

    def _digests(self) -> dict[str, tuple[tuple[int, int, int, int], bytes]]:
        found = self.load("digests", "files")
        return found if isinstance(found, dict) else {}

    def load(self, kind: str, key: str) -> Any:
        """The entry, or None when there is none or it does not load (it is then rewritten)."""
        if not self.enabled:
            return None
        try:
            data = (self.directory / kind / key).read_bytes()
        except OSError:
            self.stats[f"{kind}.miss"] += 1
            return None
        start = len(self._header) + _CHECK
        payload = data[start:]
        value: Any = None
        if data[: len(self._header)] == self._header and checksum(payload) == data[start - _CHECK : start]:
            try:
                value = pickle.loads(payload)
            except Exception:  # a payload that does not load is rejected like one that does not match
                value = None
        if value is None:
            self._rejected.add((kind, key))
        else:
            with suppress(OSError):  # used: not pruned for a while (a read-only cache is not pruned)
                os.utime(self.directory / kind / key)
        self.stats[f"{kind}.hit" if value is not None else f"{kind}.rejected"] += 1
        return value

    def prune(self) -> int:
        """Remove the entries no run has used for UNUSED_NS (and temporary files abandoned for an
        hour), at most once a day; how many were removed. A pre-commit run at each save of a
        migration leaves an entry per version of it: without this the cache only grows."""
        marker = self.directory / ".pruned"
        now = time.time_ns()
        try:
            if now - marker.stat().st_mtime_ns < _PRUNE_EVERY_NS:
                return 0
        except FileNotFoundError:
            if not _is_cache(self.directory):
                return 0  # no cache made here yet, or not ours
        except OSError:
            return 0
        removed = 0
        with suppress(OSError):
            _replace(marker, b"")
            for folder in self.directory.iterdir():
                if not folder.is_dir():
                    continue
                for entry in os.scandir(folder):
                    age = now - entry.stat().st_mtime_ns
                    if age > (_ABANDONED_NS if entry.name.endswith(".tmp") else UNUSED_NS):
                        with suppress(OSError):
                            os.unlink(entry.path)
                            removed += 1
        return removed

    def packed(self, exported: tuple[dict[str, Any], Any, Any]) -> tuple[dict[str, Any], Any, Any]:
        """A replay state (Replayer.export) with each object of the model pickled on its own, so
        that a run reading it back loads only the objects it reads (PackedDict); an object still
        packed since it was read back keeps its bytes."""
        reducers = _reducers()
        state, origins, facts = exported
        if not isinstance(origins, model.Packed):  # loaded only when an older object is looked up
            origins = model.Packed(_dumps(origins, reducers), keys=origins)
        state = dict(state)
        for name in model.OBJECT_MAPPINGS:
            state[name] = {
                key: value if isinstance(value, model.Packed) else _pack(value, reducers)
                for key, value in state[name].items()
            }
        return state, origins, facts

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is there (and not found bad by this run: then it is to be rewritten)."""
        return self.enabled and (kind, key) not in self._rejected and (self.directory / kind / key).is_file()

    def store(self, kind: str, key: str, value: Any) -> None:
        """Write an entry: to a new temporary file, renamed over the entry."""
        if not self.enabled:
            return
        payload = _dumps(value, _reducers())
        try:
            if not self._ready:
                self._prepare()
            (self.directory / kind).mkdir(exist_ok=True)
            _replace(self.directory / kind / key, self._header + checksum(payload) + payload)
        except OSError as error:
            self.enabled = False
            self._warn(
                f"warning: cannot write the cache {self.directory} ({error.strerror or error}); "
                "going on without it (--no-cache says so, --cache-dir moves it)"
            )
            return
        self.stats[f"{kind}.write"] += 1

    def _prepare(self) -> None:
        """Make the directory, ignored by git; a directory that holds other things is left alone
        (a .gitignore of `*` in it would hide them from git)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not _is_cache(self.directory):
            # another run may be making it: its temporary .gitignore is not another file
            if any(not p.name.endswith(".tmp") for p in self.directory.iterdir()):
                raise OSError(f"{self.directory} holds other files and is not a schemalint cache")
            _replace(self.directory / ".gitignore", GITIGNORE.encode())
        self._ready = True


def _replace(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: to a new temporary file beside it, renamed over it."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    try:
        with open(temporary, "xb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        with suppress(OSError):
            temporary.unlink()
        raise


def cache_directory(settings: Settings, given: str | None) -> Path:
    """--cache-dir (relative to the working directory), else the configured one, else
    .schemalint_cache at the project root (the configuration file's directory)."""
    if given:
        return Path(given).resolve()
    return settings.cache_dir or settings.root / DIRECTORY_NAME


def clean(directory: Path) -> bool:
    """Remove a cache directory; whether there was one. Refuses a directory it did not make."""
    import shutil

    if not directory.exists():
        return False
    if not _is_cache(directory):
        raise UserError(
            f"{directory}: not a schemalint cache (no .gitignore written by schemalint); left as it is"
        )
    shutil.rmtree(directory)
    return True


def _is_cache(directory: Path) -> bool:
    """Whether the directory is one schemalint made (its .gitignore is the one written above)."""
    try:
        return (directory / ".gitignore").read_text(encoding="utf-8") == GITIGNORE
    except (OSError, UnicodeDecodeError):
        return False


@dataclass(frozen=True)
class KeptFile:
    """A linted file's part of a run, as the cache keeps it."""

    file: SqlFile  # its statements without parse trees: what suppressions and fingerprints read
    findings: tuple[Finding, ...]
    touched: frozenset[str]
    statements: int

    @classmethod
    def of(cls, file: SqlFile, found: Sequence[Finding], touched: set[str]) -> KeptFile:
        bare = tuple(dataclasses.replace(s, node=None) for s in file.statements)
        return cls(dataclasses.replace(file, statements=bare), tuple(found), frozenset(touched), len(bare))


class LintMemo:
    """The cache's part in one lint of `sequence` (the files replayed, in order; `targets` says which
    are linted): the run's result, the state to resume from, each linted file's findings."""

    def __init__(
        self, cache: Cache, sequence: Sequence[Path], targets: Sequence[bool], touching: bool
    ) -> None:
        self.cache = cache
        self.targets = targets
        self.chain = cache.chain(sequence)
        self.broken = False  # a file could not be read: nothing after it is stored
        marks = "".join("t" if t else "h" for t in targets)
        last = self.chain[-1] if self.chain else None
        self._run = None if last is None else cache.key(last, marks, settings=True)
        self._touching = "touching" if touching else ""
        first = next((i for i, t in enumerate(targets) if t), len(targets))
        # the state after the last file, unless that file is being edited (a pre-commit of a new
        # file, run at each save): the next run resumes from the one before it
        end = {len(sequence) - 1} if all(targets) or not targets[-1] else set()
        self._checkpoints = {first - 1, *end} if len(sequence) > 1 else set()

    def result(self) -> Any:
        return None if self._run is None else self.cache.load("run", self._run)

    def store_result(self, result: Any) -> None:
        if self._run is not None and not self.broken:
            self.cache.store("run", self._run, result)

    @property
    def keeps_files(self) -> bool:
        """Whether linted files' findings are kept: not for a file linted alone (the run's
        result holds them)."""
        return len(self.chain) > 1

    def _file_key(self, index: int) -> str | None:
        link = self.chain[index]
        return (
            None
            if link is None or not self.keeps_files
            else self.cache.key(link, self._touching, settings=True)
        )

    def kept(self, index: int) -> KeptFile | None:
        """The findings of a linted file, when kept."""
        key = self._file_key(index)
        found = None if key is None else self.cache.load("file", key)
        return found if isinstance(found, KeptFile) else None

    def resume(self, kept: Sequence[KeptFile | None]) -> tuple[int, Any]:
        """(the index of the first file to replay, the state to replay it on or None): the last
        state kept after a file up to which every linted file's findings are kept."""
        limit = len(self.chain)
        for index, target in enumerate(self.targets):
            if target and kept[index] is None:
                limit = index
                break
        for index in range(limit - 1, -1, -1):
            link = self.chain[index]
            if link is not None and self.cache.has("state", link):
                state = self.cache.load("state", link)
                if state is not None:
                    return index + 1, state
        return 0, None

    def after(self, index: int, replayer: Replayer, kept: KeptFile | None) -> None:
        """A file was replayed (and linted, `kept` its part): keep what a later run may reuse."""
        if self.broken:
            return
        key = self._file_key(index)
        if kept is not None and key is not None:
            self.cache.store("file", key, kept)
        link = self.chain[index]
        if link is None:
            return
        if (index in self._checkpoints or (index + 1) % CHECKPOINT_EVERY == 0) and not self.cache.has(
            "state", link
        ):
            self.cache.store("state", link, self.cache.packed(replayer.export()))
