"""The cache (issue 18): what it reuses and what it redoes, seen through the counters it keeps
(never through timing); that a bad entry or an unwritable directory is never trusted nor fatal;
and that findings and every report format are the same with it and without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS

from schemalint import cache as cache_module
from schemalint.cache import Cache, clean
from schemalint.cli import main
from schemalint.config import Settings, load_settings
from schemalint.engine import LintResult, lint_files
from schemalint.report import FORMATS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = (ROOT / "examples" / "migrations", ROOT / "examples" / "bad-migrations")


def _migrations(directory: Path, count: int = 6) -> list[Path]:
    """A small migration history: each file adds a table (with a finding or two) to the last one's."""
    directory.mkdir()
    files = []
    for n in range(1, count + 1):
        path = directory / f"V{n}__step_{n}.sql"
        path.write_text(
            f"CREATE TABLE t{n} (id serial PRIMARY KEY, amount float8, parent int REFERENCES t{max(1, n - 1)});\n"
            if n > 1
            else "CREATE TABLE t1 (id serial PRIMARY KEY, amount float8);\n",
            encoding="utf-8",
        )
        files.append(path)
    return files


def _lint(targets: list[Path], settings: Settings, directory: Path | None, warnings: list[str] | None = None):
    """A run's result and its cache's counters (a new Cache each time, as a new process has)."""
    cache = (
        None
        if directory is None
        else Cache(directory, settings, (warnings if warnings is not None else []).append)
    )
    result = lint_files(targets, settings, cache=cache)
    return result, (cache.stats if cache is not None else {})


def _entries_read(stats: Any) -> dict[str, int]:
    """The counters of the entries a run used, without the file digests it remembers (a file
    written in the last two seconds, as every test's, is read each time: test_file_digests_…)."""
    return {kind: n for kind, n in stats.items() if not kind.startswith("digests.")}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.default(tmp_path)


def test_an_unchanged_run_is_read_back_whole(tmp_path: Path, settings: Settings) -> None:
    files = _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    plain, _ = _lint([tmp_path / "m"], settings, None)
    cold, stats = _lint([tmp_path / "m"], settings, store)
    assert stats["run.miss"] == 1 and stats["file.write"] == len(files) and stats["run.write"] == 1
    warm, stats = _lint([tmp_path / "m"], settings, store)
    assert _entries_read(stats) == {"run.hit": 1}
    assert plain == cold == warm and plain.findings
    assert (store / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_editing_file_n_redoes_n_and_after_and_reuses_before(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "CHECKPOINT_EVERY", 2)  # a state after files 2, 4 and 6
    files = _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    _lint([tmp_path / "m"], settings, store)
    files[4].write_text("CREATE TABLE t5 (id bigint PRIMARY KEY, name varchar(10));\n", encoding="utf-8")
    result, stats = _lint([tmp_path / "m"], settings, store)
    # files 1-4 are neither linted nor replayed: their findings and the state after file 4 are kept
    assert stats["file.hit"] == 4 and stats["state.hit"] == 1
    assert stats["file.miss"] == 2 and stats["file.write"] == 2  # files 5 and 6, redone
    assert result == _lint([tmp_path / "m"], settings, None)[0]


def test_a_new_file_replays_on_the_state_of_its_predecessors(tmp_path: Path, settings: Settings) -> None:
    files = _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    _lint([files[-1]], settings, store)  # pre-commit of the last file: the state before it is kept
    new = tmp_path / "m" / "V7__index.sql"
    new.write_text("CREATE INDEX idx_x ON t6 (amount);\n", encoding="utf-8")
    result, stats = _lint([new], settings, store)
    assert stats["state.hit"] == 1 and stats["file.miss"] == 1
    assert result == _lint([new], settings, None)[0]
    assert {f.code for f in result.findings} >= {"M001"}  # the index is on a table of the history
    new.write_text("CREATE INDEX CONCURRENTLY idx_x ON t6 (amount);\n", encoding="utf-8")
    _, stats = _lint([new], settings, store)  # edited before its commit: no state is kept for it
    assert stats["state.hit"] == 1 and "state.write" not in stats
    newer = tmp_path / "m" / "V8__index.sql"  # the next migration: resumes before V7, replays V7
    newer.write_text("CREATE INDEX idx_y ON t5 (amount);\n", encoding="utf-8")
    result, stats = _lint([newer], settings, store)
    assert stats["state.hit"] == 1 and stats["state.write"] == 1
    assert result == _lint([newer], settings, None)[0]


def _age(files: list[Path], seconds: int = 60) -> None:
    """Files last changed a while ago, as a history is."""
    for path in files:
        found = path.stat()
        os.utime(path, ns=(found.st_atime_ns, found.st_mtime_ns - seconds * 10**9))


def test_file_digests_are_remembered_for_settled_files_only(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counted(path: Path) -> bytes:
        if path.suffix == ".sql":
            reads.append(path)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    cache = Cache(store, settings, print)
    cache.chain(files)
    assert len(reads) == 6 and not (store / "digests").exists()  # all just written: none kept
    # ctime cannot be set back: remembered digests are trusted only after a while, made short here
    monkeypatch.setattr(cache_module, "_SETTLED_NS", 0)
    _age(files)
    first = cache.chain(files)
    reads.clear()
    assert Cache(store, settings, print).chain(files) == first and reads == []  # stats, no reads
    # an edit that keeps the size and puts the modification time back still changes ctime
    before = files[2].stat()
    files[2].write_text(files[2].read_text(encoding="utf-8").replace("t3", "T3"), encoding="utf-8")
    os.utime(files[2], ns=(before.st_atime_ns, before.st_mtime_ns))
    assert files[2].stat().st_size == before.st_size
    again = Cache(store, settings, print).chain(files)
    assert reads == [files[2]] and again[:2] == first[:2] and again[2] != first[2]


def test_settings_invalidate_findings_but_not_states(tmp_path: Path, settings: Settings) -> None:
    files = _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    _lint([files[-1]], settings, store)
    quieter = load_settings(tmp_path, discover=False, cli_overrides={"ignore": ("T001",)})
    result, stats = _lint([files[-1]], quieter, store)
    assert stats["run.miss"] == 1 and stats["file.miss"] == 1 and stats["state.hit"] == 1
    assert result == _lint([files[-1]], quieter, None)[0]
    assert result != _lint([files[-1]], settings, store)[0]


def test_another_version_reads_nothing_of_this_one(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    _lint([tmp_path / "m"], settings, store)
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    _, stats = _lint([tmp_path / "m"], settings, store)
    assert stats["run.miss"] == 1 and stats["file.miss"] == 6 and "run.hit" not in stats


def _entries(store: Path, kind: str) -> list[Path]:
    return sorted((store / kind).iterdir())


@pytest.mark.parametrize("damage", ["truncated", "foreign", "unpicklable", "flipped"])
def test_a_bad_entry_is_ignored_and_rewritten(tmp_path: Path, settings: Settings, damage: str) -> None:
    _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    expected, _ = _lint([tmp_path / "m"], settings, store)
    (entry,) = _entries(store, "run")
    data = entry.read_bytes()
    header = len(cache_module.FORMAT) + 65  # the format line and the code key's line
    if damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "foreign":  # another version's entry at this path
        entry.write_bytes(data.replace(cache_module.FORMAT, b"schemalint-cache 0\n", 1))
    elif damage == "unpicklable":  # header and checksum right, payload not a pickle
        payload = b"not a pickle"
        entry.write_bytes(data[:header] + cache_module.checksum(payload) + payload)
    else:
        entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    result, stats = _lint([tmp_path / "m"], settings, store)
    assert stats["run.rejected"] == 1 and stats["run.write"] == 1
    assert result == expected
    _, stats = _lint([tmp_path / "m"], settings, store)
    assert _entries_read(stats) == {"run.hit": 1}  # rewritten whole


def test_a_bad_state_is_replayed_past_and_rewritten(tmp_path: Path, settings: Settings) -> None:
    files = _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    expected, _ = _lint([files[-1]], settings, store)  # keeps the state after file 5
    (state,) = _entries(store, "state")
    state.write_bytes(state.read_bytes()[:100])
    for entry in _entries(store, "run") + _entries(store, "file"):
        entry.unlink()
    result, stats = _lint([files[-1]], settings, store)
    assert stats["state.rejected"] == 1 and stats["state.write"] == 1 and result == expected
    _, stats = _lint([files[-1]], settings, store)
    assert _entries_read(stats) == {"run.hit": 1}
    (run,) = _entries(store, "run")
    run.unlink()
    _, stats = _lint([files[-1]], settings, store)
    assert stats["state.hit"] == 1  # the rewritten state loads


def test_an_unwritable_directory_is_no_cache_and_one_warning(tmp_path: Path, settings: Settings) -> None:
    _migrations(tmp_path / "m")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    warnings: list[str] = []
    result, _ = _lint([tmp_path / "m"], settings, blocker / "cache", warnings)
    assert result == _lint([tmp_path / "m"], settings, None)[0]
    assert len(warnings) == 1 and f"cannot write the cache {blocker / 'cache'}" in warnings[0]


def test_a_directory_of_other_files_is_not_taken_for_the_cache(tmp_path: Path, settings: Settings) -> None:
    _migrations(tmp_path / "m")
    warnings: list[str] = []
    result, _ = _lint([tmp_path / "m"], settings, tmp_path, warnings)  # --cache-dir . by mistake
    assert result == _lint([tmp_path / "m"], settings, None)[0]
    assert len(warnings) == 1 and "holds other files and is not a schemalint cache" in warnings[0]
    assert not (tmp_path / ".gitignore").exists()


@pytest.mark.parametrize("how", ["read-only", "under a file"])
def test_a_cache_that_cannot_be_written_warns_once_on_stderr(tmp_path: Path, how: str) -> None:
    _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    if how == "under a file":
        store.write_text("a file, not a directory\n", encoding="utf-8")
        store = store / "inner"
    else:
        store.mkdir()
        store.chmod(0o555)
        if os.access(store, os.W_OK):
            store.chmod(0o755)
            pytest.skip("this user writes into read-only directories (root); 'under a file' stands for it")
    try:
        done = _cli(tmp_path, "lint", "m", "--cache-dir", str(store), "--format", "json")
    finally:
        (tmp_path / "cache").chmod(0o755)
    warnings = [line for line in done.stderr.splitlines() if "cache" in line]
    assert len(warnings) == 1 and f"cannot write the cache {store}" in warnings[0]
    assert done.stdout == _cli(tmp_path, "lint", "m", "--no-cache", "--format", "json").stdout
    assert '"code": "T001"' in done.stdout


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemalint.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_two_runs_at_once_never_corrupt_it(tmp_path: Path, settings: Settings) -> None:
    _migrations(tmp_path / "m", 20)
    expected = _cli(tmp_path, "lint", "m", "--no-cache", "--format", "json").stdout
    assert '"code": "T001"' in expected
    for _ in range(3):
        clean(tmp_path / "cache") if (tmp_path / "cache").exists() else None
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "schemalint.cli",
                    "lint",
                    "m",
                    "--cache-dir",
                    "cache",
                    "--format",
                    "json",
                ],
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [run.communicate(timeout=300) for run in runs]
        assert [out for out, _ in outputs] == [expected, expected], [err for _, err in outputs]
        assert not list((tmp_path / "cache").rglob("*.tmp"))
        kinds = [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]
        reader = Cache(tmp_path / "cache", load_settings(tmp_path), print)
        for entry in (e for kind in kinds for e in kind.iterdir()):
            assert reader.load(entry.parent.name, entry.name) is not None, entry
        assert "rejected" not in " ".join(reader.stats)


def test_clean_removes_the_cache_and_only_a_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _migrations(tmp_path / "m")
    os.chdir(tmp_path)
    assert main(["lint", "m", "--format", "json", "-o", "out.json"]) == 1
    assert (tmp_path / ".schemalint_cache" / "run").is_dir()
    assert main(["clean"]) == 0
    assert not (tmp_path / ".schemalint_cache").exists()
    assert "removed the cache" in capsys.readouterr().err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "data").write_text("keep\n", encoding="utf-8")
    assert main(["clean", "--cache-dir", "mine"]) == 2
    assert (tmp_path / "mine" / "data").is_file()
    assert "not a schemalint cache" in capsys.readouterr().err


def test_the_configured_cache_dir_is_used(tmp_path: Path) -> None:
    _migrations(tmp_path / "m")
    (tmp_path / ".schemalint.yaml").write_text("cache-dir: build/lint-cache\n", encoding="utf-8")
    os.chdir(tmp_path)
    assert main(["lint", "m", "--format", "json", "-o", "out.json"]) == 1
    assert (tmp_path / "build" / "lint-cache" / "run").is_dir()
    assert not (tmp_path / ".schemalint_cache").exists()


def _reports(cwd: Path, target: Path, extra: list[str]) -> dict[str, bytes]:
    out = {}
    for fmt in FORMATS:
        report = cwd / f"report.{fmt}"
        main(["lint", str(target), "--format", fmt, "-o", str(report), "--no-progress", *extra])
        out[fmt] = report.read_bytes()
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_report_format_is_the_same_with_and_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example: Path
) -> None:
    monkeypatch.chdir(ROOT)  # paths in reports as the README shows them
    store = str(tmp_path / "cache")
    without = _reports(tmp_path, example.relative_to(ROOT), ["--no-cache"])
    cold = _reports(tmp_path, example.relative_to(ROOT), ["--cache-dir", store])
    warm = _reports(tmp_path, example.relative_to(ROOT), ["--cache-dir", store])
    one = sorted(example.glob("*.sql"))[-1].relative_to(ROOT)  # pre-commit of its last file
    assert without == cold == warm
    assert _reports(tmp_path, one, ["--no-cache"]) == _reports(tmp_path, one, ["--cache-dir", store])


def _corpus_sets() -> list[Path]:
    folder = CORPUS / "migrations"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


@pytest.mark.corpus
@pytest.mark.parametrize("directory", _corpus_sets(), ids=lambda p: p.name)
def test_corpus_findings_are_the_same_with_and_without_the_cache(tmp_path: Path, directory: Path) -> None:
    settings = Settings.default(tmp_path)
    store = tmp_path / "cache"
    without, _ = _lint([directory], settings, None)
    cold, _ = _lint([directory], settings, store)
    warm, stats = _lint([directory], settings, store)
    assert without == cold == warm and stats["run.hit"] == 1
    files = [p for p in sorted(directory.rglob("*.sql")) if ".down." not in p.name]
    last = _last_migration(directory, files)
    if last is not None:  # pre-commit of its newest file: on the state kept, then read back
        alone, _ = _lint([last], settings, None)
        first, _ = _lint([last], settings, store)
        again, stats = _lint([last], settings, store)
        assert alone == first == again and stats["run.hit"] == 1


def _last_migration(directory: Path, files: list[Path]) -> Path | None:
    from schemalint.sources.sql.order import migration_files

    ordered: list[Any] = migration_files(directory)
    return ordered[-1] if len(ordered) > 1 else None


def _result_type_is_kept() -> None:  # keeps the LintResult import meaningful for mypy's strictness
    assert LintResult


def test_entries_unused_for_a_week_are_pruned_once_a_day(tmp_path: Path, settings: Settings) -> None:
    files = _migrations(tmp_path / "m")
    store = tmp_path / "cache"
    _lint([files[-1]], settings, store)
    entries = [
        p for kind in ("run", "file", "state") if (store / kind).is_dir() for p in _entries(store, kind)
    ]
    old = (cache_module.UNUSED_NS + 10**9) // 10**9
    for entry in entries:
        os.utime(entry, (entry.stat().st_atime - old, entry.stat().st_mtime - old))
    abandoned = store / "run" / "x.123.abc.tmp"
    abandoned.write_bytes(b"half")
    os.utime(abandoned, (0, abandoned.stat().st_mtime - 7200))
    fresh = store / "run" / "y.456.def.tmp"  # another run writing now
    fresh.write_bytes(b"half")
    (run,) = _entries(store, "run")[:1]
    Cache(store, settings, print).load("run", run.name)  # read: used now
    # every entry but the one read now, and the abandoned temporary file
    assert Cache(store, settings, print).prune() == (len(entries) - 1) + 1
    assert run.exists() and fresh.exists() and not abandoned.exists()
    assert Cache(store, settings, print).prune() == 0  # pruned today already
    assert (store / ".gitignore").exists()


def test_a_directory_that_is_no_cache_is_never_pruned(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "mine" / "run").mkdir(parents=True)
    (tmp_path / "mine" / "run" / "notes").write_text("keep", encoding="utf-8")
    os.utime(tmp_path / "mine" / "run" / "notes", (0, 0))
    assert Cache(tmp_path / "mine", settings, print).prune() == 0
    assert (tmp_path / "mine" / "run" / "notes").exists()
