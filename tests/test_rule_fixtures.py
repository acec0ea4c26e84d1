"""Annotated rule fixtures: one SQL file per rule, strict both ways.

tests/fixtures/rules/<CODE>.sql holds statements, each optionally preceded by

    -- expect: CODE        the statement yields exactly one finding of CODE
    -- expect: CODE x2     … exactly two
    -- ok: CODE            … none (the default for unannotated statements too)

CODE is the fixture's rule, or E001 for a statement replay must report. A
fixture may be split into several migration files with `-- file: NAME` lines
(applied in version order; tables created in an earlier file are existing
tables for the later ones). Every finding of the fixture's rule must be
expected, every expected finding must appear, and a fixture that does not
parse fails.

Each fixture runs (a) through the engine as a migrations directory and, for
model rules, (b) applied to a real PostgreSQL database whose introspected
model is linted: both paths must give the same findings by object. Rules
tagged ``live-only`` are silent on files: their expectations count on the
live path only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from schemalint.config import Settings
from schemalint.engine import lint_files, lint_model
from schemalint.findings import Finding
from schemalint.rules.base import ModelRule, Rule
from schemalint.rules.registry import ALL_RULES, DRIFT_CODES, ENGINE_CODES
from schemalint.sources.sql.parse import parse_sql
from schemalint.statements import SqlFile

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
DIRECTIVE = re.compile(r"^\s*(expect|ok)\s*:\s*([A-Z]\d{3})(?:\s+x(\d+))?\s*$")
FILE_LINE = re.compile(r"^--\s*file:\s*(\S+)\s*$")
DEFAULT_FILE = "V1__fixture.sql"
# drift rules judge two models, not SQL: their declared/live examples run in test_rule_docs
RULES = {rule.code: rule for rule in ALL_RULES if rule.code not in ENGINE_CODES | DRIFT_CODES}
CODES = sorted(RULES)


@dataclass(frozen=True)
class Section:
    name: str
    text: str

    @property
    def linted(self) -> bool:
        return not self.name.endswith(".down.sql")


def sections(text: str) -> list[Section]:
    """The fixture's migration files: split at `-- file: NAME` lines."""
    found: list[Section] = []
    name, lines = DEFAULT_FILE, []
    for line in text.splitlines(keepends=True):
        match = FILE_LINE.match(line.strip())
        if match:
            if "".join(lines).strip():
                found.append(Section(name, "".join(lines)))
            name, lines = match.group(1), []
        else:
            lines.append(line)
    if "".join(lines).strip():
        found.append(Section(name, "".join(lines)))
    return found


def expectations(file: SqlFile, code: str) -> tuple[dict[int, Counter[str]], list[str]]:
    """Expected finding counts per statement index, and annotation problems."""
    expected: dict[int, Counter[str]] = {}
    problems: list[str] = []
    for comment in file.comments:
        match = DIRECTIVE.match(comment.text)
        if match is None:
            continue
        kind, annotated, times = match.groups()
        where = f"{file.path}:{comment.line}"
        if annotated not in (code, "E001"):
            problems.append(f"{where}: annotation for {annotated} in the fixture of {code}")
            continue
        following = [s for s in file.statements if s.location.line > comment.line]
        if not following:
            problems.append(f"{where}: annotation with no statement after it")
            continue
        counts = expected.setdefault(following[0].index, Counter())
        counts[annotated] = 0 if kind == "ok" else int(times or 1)
    return expected, problems


def statement_at(file: SqlFile, line: int) -> int | None:
    for statement in file.statements:
        if statement.location.line <= line <= statement.location.end_line:
            return statement.index
    return None


@dataclass(frozen=True)
class Prepared:
    files: list[SqlFile]  # linted files, in the order written
    all_files: list[SqlFile]
    directory: Path


def prepare(code: str, root: Path) -> Prepared:
    directory = root / "migrations"
    directory.mkdir()
    files, all_files = [], []
    for section in sections((FIXTURES / f"{code}.sql").read_text()):
        path = directory / section.name
        path.write_text(section.text)
        parsed = parse_sql(section.text, str(path))
        errors = [s for s in parsed.statements if s.kind == "error"]
        assert not errors, f"{code}: fixture does not parse: {errors[0].location}: {errors[0].error}"
        all_files.append(parsed)
        if section.linted:
            files.append(parsed)
    return Prepared(files, all_files, directory)


def is_live_only(rule: type[Rule]) -> bool:
    return "live-only" in rule.tags


def check_migration_path(code: str, prepared: Prepared, root: Path) -> list[Finding]:
    """Lint the fixture as migrations; assert the annotations; return the rule's findings."""
    rule = RULES[code]
    result = lint_files([prepared.directory], Settings.default(root), rules=[rule()])
    mine = [f for f in result.findings if f.code in (code, "E001")]
    by_path = {file.path: file for file in prepared.files}
    actual: dict[tuple[str, int], list[Finding]] = {}
    problems: list[str] = []
    for finding in mine:
        loc = finding.location
        index = statement_at(by_path[loc.path], loc.line) if loc and loc.path in by_path else None
        if index is None or loc is None:
            problems.append(f"{finding.code} finding with no statement of the fixture: {finding.message}")
            continue
        actual.setdefault((loc.path, index), []).append(finding)
    for file in prepared.files:
        expected, annotation_problems = expectations(file, code)
        problems += annotation_problems
        for statement in file.statements:
            want = expected.get(statement.index, Counter())
            if is_live_only(rule):
                want = Counter({"E001": want["E001"]})
            found = actual.get((file.path, statement.index), [])
            for checked in (code, "E001"):
                messages = [f.message for f in found if f.code == checked]
                if want[checked] != len(messages):
                    where = f"{Path(file.path).name}:{statement.location.line}"
                    text = " ".join(statement.text.split())[:100]
                    problems.append(
                        f"{where}: expected {want[checked]} {checked}, got {len(messages)}: {text} {messages}"
                    )
    assert not problems, f"{code} fixture:\n" + "\n".join(problems)
    return [f for f in mine if f.code == code]


def expected_total(prepared: Prepared, code: str) -> int:
    return sum(counts[code] for file in prepared.files for counts in expectations(file, code)[0].values())


def test_every_rule_has_a_fixture() -> None:
    fixtures = {path.stem for path in FIXTURES.glob("*.sql")}
    assert sorted(set(CODES) - fixtures) == [], "rules without a fixture"
    assert sorted(fixtures - set(CODES)) == [], "fixtures of no registered rule"


def test_sections_and_annotations_are_read() -> None:
    text = "-- file: V1__a.sql\nCREATE TABLE t (x int);\n-- file: V2__b.sql\n-- expect: M001 x2\nSELECT 1;\n"
    found = sections(text)
    assert [s.name for s in found] == ["V1__a.sql", "V2__b.sql"]
    parsed = parse_sql(found[1].text, "V2__b.sql")
    expected, problems = expectations(parsed, "M001")
    assert (expected, problems) == ({0: Counter({"M001": 2})}, [])
    _, wrong = expectations(parse_sql("-- expect: K001\nSELECT 1;\n", "x.sql"), "M001")
    assert wrong == ["x.sql:1: annotation for K001 in the fixture of M001"]


@pytest.mark.parametrize("code", CODES)
def test_fixture_as_migrations(code: str, tmp_path: Path) -> None:
    prepared = prepare(code, tmp_path)
    found = check_migration_path(code, prepared, tmp_path)
    if not is_live_only(RULES[code]):
        assert len(found) == expected_total(prepared, code) > 0, f"{code}: the fixture expects no finding"


MODEL_CODES = [code for code in CODES if issubclass(RULES[code], ModelRule)]


@pytest.mark.catalog
@pytest.mark.parametrize("code", MODEL_CODES)
def test_fixture_on_a_live_database(code: str, tmp_path: Path, pg: str) -> None:
    from schemalint.sources.catalog import introspect

    prepared = prepare(code, tmp_path)
    on_files = check_migration_path(code, prepared, tmp_path)
    with psycopg.connect(pg, autocommit=True) as connection:
        for file in prepared.files:
            for statement in file.statements:
                if statement.kind == "psql":
                    continue
                try:
                    connection.execute(statement.text.encode())
                except psycopg.Error as error:
                    pytest.fail(f"{code}: PostgreSQL refuses {statement.location}: {statement.text}: {error}")
    rule = RULES[code]
    live = lint_model(introspect(pg), Settings.default(tmp_path), source_label="pg", rules=[rule()])
    on_db = [f for f in live.findings if f.code == code]
    if is_live_only(rule):
        assert on_files == []
        assert len(on_db) == expected_total(prepared, code), [f.message for f in on_db]
        return
    files_objects = Counter(f.object for f in on_files)
    db_objects = Counter(f.object for f in on_db)
    assert db_objects == files_objects, (
        f"{code}: replay and catalog disagree\n"
        f" only from files: {sorted((files_objects - db_objects).elements())}\n"
        f" only from the database: {sorted((db_objects - files_objects).elements())}"
        f"\n database messages: {[f.message for f in on_db]}"
    )


# What one fixture file cannot show: live-only facts, options, and library use without an engine.


def _statement_findings(rule: Rule, sql: str, path: str = "V9__x.sql", **context: object) -> list[Finding]:
    from schemalint.model import Model
    from schemalint.rules.base import StatementContext, StatementRule

    assert isinstance(rule, StatementRule)
    statements = parse_sql(sql, path).statements
    found: list[Finding] = []
    for index, statement in enumerate(statements):
        ctx = StatementContext(path=path, previous=statements[:index], **context)  # type: ignore[arg-type]
        found += rule.check(statement, Model(), ctx)
    return found


def test_database_settings_are_checked_on_live_models_only() -> None:
    from schemalint.model import DatabaseInfo, Model
    from schemalint.rules.base import RuleContext
    from schemalint.rules.settings import DatabaseEncodingNotUtf8, TimezoneNotUtc

    latin = Model(database=DatabaseInfo(encoding="LATIN1", timezone="Europe/Berlin", database="shop"))
    live, files = RuleContext(live=True), RuleContext(live=False)
    encoding = list(DatabaseEncodingNotUtf8().check(latin, live))
    assert [f.message for f in encoding] == ["Database shop has encoding LATIN1; expected UTF8."]
    assert list(DatabaseEncodingNotUtf8().check(latin, files)) == []
    assert [f.object for f in TimezoneNotUtc().check(latin, live)] == ["shop"]
    assert list(TimezoneNotUtc().check(latin, files)) == []
    utc = Model(database=DatabaseInfo(encoding="UTF8", timezone="Etc/UTC", database="shop"))
    assert list(TimezoneNotUtc().check(utc, live)) == list(DatabaseEncodingNotUtf8().check(utc, live)) == []
    assert list(TimezoneNotUtc({"allowed": ["Europe/Berlin"]}).check(latin, live)) == []


def test_statement_rules_without_an_engine_use_the_context() -> None:
    from schemalint.rules.migration import IndexCreatedWithoutConcurrently

    sql = "CREATE INDEX idx_orders_status ON orders (status);"
    assert len(_statement_findings(IndexCreatedWithoutConcurrently(), sql)) == 1
    new = _statement_findings(
        IndexCreatedWithoutConcurrently(), sql, created_in_file=frozenset({"public.orders"})
    )
    assert new == []
    help_text = _statement_findings(IndexCreatedWithoutConcurrently(), sql)[0].help
    assert help_text == "CREATE INDEX CONCURRENTLY idx_orders_status ON orders USING btree (status);"


def test_concurrently_with_a_wrapping_migration_tool() -> None:
    from schemalint.rules.migration import ConcurrentlyInTransaction

    sql = "CREATE INDEX CONCURRENTLY idx_orders_status ON orders (status);"
    assert _statement_findings(ConcurrentlyInTransaction(), sql) == []
    assert len(_statement_findings(ConcurrentlyInTransaction({"assume_in_transaction": True}), sql)) == 1


def test_volatile_default_before_postgresql_11_is_any_default() -> None:
    from schemalint.rules.migration_rewrite import ColumnAddedWithVolatileDefault

    sql = "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';"
    assert _statement_findings(ColumnAddedWithVolatileDefault(), sql) == []
    old = _statement_findings(ColumnAddedWithVolatileDefault(), sql, target_postgres=10)
    assert [f.object for f in old] == ["public.orders.status"]


def test_migration_file_name_pattern_option_and_suggestion() -> None:
    from schemalint.rules.migration_compat import MigrationFileNameNonstandard

    sql = "CREATE TABLE orders (id uuid PRIMARY KEY);"
    found = _statement_findings(MigrationFileNameNonstandard(), sql, path="db/42-Add Orders.sql")
    assert [f.help for f in found] == ["git mv db/42-Add Orders.sql db/V42__add_orders.sql"]
    custom = MigrationFileNameNonstandard({"pattern": r"^\d{14}_\w+\.sql$"})
    assert _statement_findings(custom, sql, path="db/20240101120000_add_orders.sql") == []
    assert len(_statement_findings(custom, sql, path="db/V1__add_orders.sql")) == 1


def test_soft_delete_column_option() -> None:
    from schemalint.model import Column, Index, Model, Table
    from schemalint.rules.base import RuleContext
    from schemalint.rules.keys import UniqueIndexIgnoresSoftDelete

    table = Table(
        "public",
        "users",
        columns=(Column("email", "text"), Column("archived_at", "timestamp with time zone")),
        indexes=(
            Index(
                "public", "uq_users_email", "users", ("email",), unique=True, predicate="archived_at IS NULL"
            ),
        ),
    )
    model = Model(tables={table.qualname: table})
    assert list(UniqueIndexIgnoresSoftDelete().check(model, RuleContext())) == []
    archived = UniqueIndexIgnoresSoftDelete({"soft_delete_column": "archived_at"})
    assert list(archived.check(model, RuleContext())) == []
    bare = Table(
        "public",
        "users",
        columns=table.columns,
        indexes=(Index("public", "uq", "users", ("email",), unique=True),),
    )
    found = list(archived.check(Model(tables={bare.qualname: bare}), RuleContext()))
    assert [f.object for f in found] == ["public.uq"]
