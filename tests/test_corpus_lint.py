"""The standard pack over the whole corpus: no rule or replay crashes, findings point at real places.

Every corpus entry (and variant) is linted the way the CLI lints a list of files
(`schemalint lint FILE…` → engine.lint_files) with the standard pack, its files as
`load.py files NAME --render DIR --only target --expand-includes` lists them in
apply order. Entries are not loaded for this, so the ones test_corpus_fidelity.py
skips because they cannot be loaded on this server are linted too.

The live side loads three small entries and checks that the model rules find on
the introspected database exactly what they find on the replayed files.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import CORPUS, corpus_files, corpus_loader, missing_extensions

from schemalint.config import Settings
from schemalint.engine import LintResult, lint_files, lint_model
from schemalint.findings import Finding
from schemalint.rules.base import ModelRule
from schemalint.rules.registry import rule_by_code_or_slug
from schemalint.sources.catalog import introspect
from schemalint.sources.dsn import with_database
from schemalint.sources.sql.parse import read_sql_file
from schemalint.sources.sql.replay import replay_files

LIVE = ("river", "openfga", "graphile-starter")  # small, load in ~3 s each; graphile-starter needs contrib

# lint_files must replay a list of files as replay_files (and psql) does: in the order given,
# each file starting from the default search_path. These entries show where it does not.
REPLAY_DIFFERS: dict[str, str] = {}  # entries where lint replays differently from replay_files: none
# A file list must replay exactly the files listed; these entries show where lint_files replays more.
OUTSIDE_FILES: dict[str, str] = {}  # none since migration_files takes x.postgres.up.sql in place of x.up.sql

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not (CORPUS / "load.py").is_file(), reason="../shared/corpus is absent"),
]


def _entries() -> list[tuple[str, str, str | None]]:
    if not (CORPUS / "load.py").is_file():
        return []
    out = []
    for name, record in corpus_loader().load_catalog().items():
        for variant in (None, *(record.get("variants") or {})):
            out.append((name if variant is None else f"{name}:{variant}", name, variant))
    return out


def _params(xfails: Mapping[str, str] | None = None) -> list[Any]:
    out = []
    for label, name, variant in _entries():
        marks = []
        if xfails and label in xfails:
            marks.append(pytest.mark.xfail(strict=True, reason=xfails[label]))
        out.append(pytest.param(label, name, variant, id=label, marks=marks))
    return out


@dataclass(frozen=True)
class Linted:
    files: tuple[Path, ...]
    result: LintResult
    seconds: float


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str, str | None], Linted]:
    """Lint an entry once per module (the two file tests share the run)."""
    cache: dict[str, Linted] = {}

    def get(label: str, name: str, variant: str | None) -> Linted:
        if label not in cache:
            render = tmp_path_factory.mktemp("render")
            files = corpus_files(name, variant, render)
            start = time.perf_counter()
            result = lint_files(files, Settings.default(render))
            cache[label] = Linted(tuple(files), result, time.perf_counter() - start)
        return cache[label]

    return get


def _show(findings: Iterable[Finding]) -> str:
    return "\n".join(f"{f.location} {f.code} {f.message}" for f in list(findings)[:20])


@pytest.mark.parametrize(("label", "name", "variant"), _params())
def test_standard_pack_lints_entry_without_crashes(
    label: str, name: str, variant: str | None, linted: Callable[[str, str, str | None], Linted]
) -> None:
    run = linted(label, name, variant)
    findings = run.result.findings
    crashed = [f for f in findings if f.code == "E002"]
    assert not crashed, f"{len(crashed)} crash(es) on {label}:\n{_show(crashed)}"
    unplaced = [f for f in findings if f.code == "E001" and f.location is None]
    assert not unplaced, f"E001 without a location on {label}:\n{_show(unplaced)}"
    assert run.result.files == len({p.resolve() for p in run.files})
    assert run.result.statements > 0 and run.result.findings, f"{label}: nothing linted"


@pytest.mark.parametrize(("label", "name", "variant"), _params(xfails=OUTSIDE_FILES))
def test_findings_point_into_the_listed_files(
    label: str, name: str, variant: str | None, linted: Callable[[str, str, str | None], Linted]
) -> None:
    """The list is an entry's whole history, so every object comes from, and every finding points into, it."""
    run = linted(label, name, variant)
    findings = run.result.findings
    listed = {str(p) for p in run.files}
    elsewhere = [f for f in findings if f.location is not None and f.location.path not in listed]
    assert not elsewhere, f"findings outside the linted files on {label}:\n{_show(elsewhere)}"
    lengths = {str(p): p.read_bytes().count(b"\n") + 1 for p in run.files}
    beyond = [
        f for f in findings if f.location is not None and not 1 <= f.location.line <= lengths[f.location.path]
    ]
    assert not beyond, f"findings at lines the file does not have on {label}:\n{_show(beyond)}"


@pytest.mark.parametrize(("label", "name", "variant"), _params(xfails=REPLAY_DIFFERS))
def test_lint_replays_files_as_replay_files_does(
    label: str, name: str, variant: str | None, linted: Callable[[str, str, str | None], Linted]
) -> None:
    run = linted(label, name, variant)
    from_lint = {(str(f.location), f.message) for f in run.result.findings if f.code == "E001"}
    replayed = replay_files([read_sql_file(p) for p in run.files])
    from_replay = {(str(f.location), f.message) for f in replayed.findings if f.code == "E001"}
    only_lint, only_replay = sorted(from_lint - from_replay), sorted(from_replay - from_lint)
    assert not only_lint and not only_replay, (
        f"{label}: {len(only_lint)} E001 only from lint_files, e.g. {only_lint[:3]}; "
        f"{len(only_replay)} only from replay_files, e.g. {only_replay[:3]}"
    )


def test_a_file_list_replays_what_its_directory_replays(
    linted: Callable[[str, str, str | None], Linted],
) -> None:
    """Linting ory-kratos's 346 files as a list replays those files once each, as linting the directory
    does (no per-file rescan of the directory, no file outside the list)."""
    from schemalint.sources.sql.order import migration_files
    from schemalint.sources.targets import expand_targets

    as_list = linted("ory-kratos", "ory-kratos", None)
    directory = as_list.files[0].parent
    assert all(p.parent == directory for p in as_list.files)
    files, history, _ = expand_targets(list(as_list.files))
    assert history == list(as_list.files) == files
    assert {p.resolve() for p in history} == {p.resolve() for p in migration_files(directory)}


def _model_rule_keys(findings: Iterable[Finding]) -> set[tuple[str, str | None]]:
    out = set()
    for f in findings:
        rule = rule_by_code_or_slug(f.code)
        if rule is not None and issubclass(rule, ModelRule):
            out.add((f.code, f.object))
    return out


@pytest.mark.parametrize("name", LIVE)
def test_live_model_lints_like_its_files(name: str, pg_admin: str, tmp_path: Path) -> None:
    load = corpus_loader()
    record = load.load_catalog()[name]
    wanted = [e["name"] for e in record.get("extensions", []) if e.get("source") != "unavailable"]
    missing = missing_extensions(pg_admin, *wanted)
    if missing:  # the embedded server has no contrib
        pytest.skip(f"the server lacks extension(s) {', '.join(missing)} that {name} creates")
    plan = load.make_plan(record)
    database = f"slcl_{re.sub(r'[^a-z0-9]+', '_', name)}_{uuid.uuid4().hex[:6]}"
    extra = [t.replace("{db}", database) for t in plan.databases.values()]
    try:
        applied = subprocess.run(
            [sys.executable, str(CORPUS / "load.py"), "apply", name, "--dsn", pg_admin, "--database", database,
             "--create"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert applied.returncode == 0, applied.stdout + applied.stderr
        settings = Settings.default(tmp_path)
        live = lint_model(introspect(with_database(pg_admin, database)), settings, source_label=database)
    finally:
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            for db in (database, *extra):
                admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    crashed = [f for f in live.findings if f.code == "E002"]
    assert not crashed, _show(crashed)
    assert all(f.location is None for f in live.findings), _show(f for f in live.findings if f.location)
    from_files = lint_files(corpus_files(name, None, tmp_path / "render"), settings)
    live_keys, file_keys = _model_rule_keys(live.findings), _model_rule_keys(from_files.findings)
    assert live_keys, f"no model-rule findings on {name}: the comparison would prove nothing"
    assert live_keys == file_keys, (
        f"only live: {sorted(live_keys - file_keys, key=str)[:10]}; "
        f"only files: {sorted(file_keys - live_keys, key=str)[:10]}"
    )
