"""The engine: replay and rule order, what a target file is held to, crashes, fingerprints, live models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemalint.config import load_settings
from schemalint.engine import fingerprint, lint_files, lint_model
from schemalint.findings import Finding
from schemalint.model import Column, Constraint, Model, Table
from schemalint.rules.astutil import statement_file
from schemalint.rules.base import ModelRule, RuleContext, Statement, StatementContext, StatementRule
from schemalint.rules.columns import StandardColumnMissing
from schemalint.rules.types import JsonInsteadOfJsonb


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings(tmp_path: Path, **overrides: object):  # type: ignore[no-untyped-def]
    return load_settings(tmp_path, discover=False, cli_overrides=overrides)


def codes(findings: tuple[Finding, ...], *, path: str | None = None) -> list[tuple[str, str | None]]:
    return [
        (f.code, f.object)
        for f in findings
        if not f.suppressed and (path is None or (f.location and f.location.path.endswith(path)))
    ]


class Probe(StatementRule):
    """Records the context each statement is checked with.

    ## Why
    A test probe.
    """

    code = "X001"
    slug = "probe"
    severity = "info"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, frozenset[str], bool, bool, int, bool]] = []

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        first_word = statement.text.split()[0].upper()
        known = "public.orders" in state.tables
        file = statement_file(ctx)
        self.seen.append(
            (
                first_word,
                frozenset(file.created),
                file.lock_timeout,
                file.in_transaction,
                file.statements_before,
                known,
            )
        )
        return iter(())


def test_statement_rules_see_the_state_before_and_the_file_around(tmp_path: Path) -> None:
    write(tmp_path / "m" / "V1__orders.sql", "CREATE TABLE orders (id uuid PRIMARY KEY);")
    target = write(
        tmp_path / "m" / "V2__items.sql",
        "SET lock_timeout = '2s';\nBEGIN;\nCREATE TABLE items (id uuid PRIMARY KEY);\n"
        "ALTER TABLE items ADD COLUMN order_id uuid;\nCOMMIT;\nDROP TABLE orders;\n",
    )
    probe = Probe()
    result = lint_files([target], settings(tmp_path), rules=[probe])
    assert probe.seen == [
        ("SET", frozenset(), False, False, 0, True),
        ("BEGIN;", frozenset(), True, False, 1, True),
        ("CREATE", frozenset(), True, True, 2, True),
        ("ALTER", frozenset({"public.items"}), True, True, 3, True),
        ("COMMIT;", frozenset({"public.items"}), True, True, 4, True),
        ("DROP", frozenset({"public.items"}), True, False, 5, True),
    ]
    assert (result.files, result.statements) == (1, 6)


def test_a_target_is_held_to_what_it_touches_not_to_older_files(tmp_path: Path) -> None:
    write(tmp_path / "m" / "V1__old.sql", "CREATE TABLE old_things (id uuid PRIMARY KEY, payload json);")
    write(tmp_path / "m" / "V2__events.sql", "CREATE TABLE events (id uuid PRIMARY KEY);")
    target = write(
        tmp_path / "m" / "V3__new.sql",
        "CREATE TABLE new_things (id uuid PRIMARY KEY, payload json);\n"
        "ALTER TABLE events ADD COLUMN data json;\n",
    )
    rules = [JsonInsteadOfJsonb()]
    only_target = lint_files([target], settings(tmp_path), rules=rules)
    assert codes(only_target.findings) == [
        ("T003", "public.new_things.payload"),
        ("T003", "public.events.data"),
    ]
    assert {f.location.path for f in only_target.findings if f.location} == {str(target)}
    whole = lint_files([tmp_path / "m"], settings(tmp_path), rules=rules)
    assert [o for _, o in codes(whole.findings)] == [
        "public.old_things.payload",
        "public.new_things.payload",
        "public.events.data",
    ]
    assert whole.files == 3


def test_configured_migrations_directory_supplies_the_history(tmp_path: Path) -> None:
    write(tmp_path / "db" / "V1__orders.sql", "CREATE TABLE orders (id uuid PRIMARY KEY);")
    doc = write(tmp_path / "docs" / "schema.md", "# Schema\n\n```sql\nCREATE INDEX ON orders (id);\n```\n")
    result = lint_files([doc], settings(tmp_path, select=["M001", "E"]), migrations_dir=tmp_path / "db")
    assert codes(result.findings) == [("M001", "public.orders")]
    assert result.findings[0].location is not None and result.findings[0].location.path == str(doc)


class Crashing(ModelRule):
    """Crashes.

    ## Why
    A test rule.
    """

    code = "X002"
    slug = "crashing"
    severity = "warning"

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        yield self.finding("first", object="public.a")
        raise KeyError("boom")


class CrashingStatement(StatementRule):
    """Crashes on statements.

    ## Why
    A test rule.
    """

    code = "X003"
    slug = "crashing-statement"
    severity = "warning"

    def check(self, statement: Statement, state: Model, ctx: StatementContext) -> Iterator[Finding]:
        raise ValueError("bad node")


def test_a_crashing_rule_is_a_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    target = write(tmp_path / "V1__a.sql", "CREATE TABLE a (id uuid PRIMARY KEY, p json);")
    rules = [Crashing(), CrashingStatement(), JsonInsteadOfJsonb()]
    result = lint_files([target], settings(tmp_path), rules=rules)
    found = {(f.code, f.object) for f in result.findings}
    assert found == {("X002", "public.a"), ("E002", None), ("T003", "public.a.p")}
    crashes = sorted(f.message for f in result.findings if f.code == "E002")
    assert len(crashes) == 2
    assert (
        "Rule X002 (crashing) crashed on the model: KeyError: 'boom'. This is a bug in schemalint." in crashes
    )
    assert (
        f"Rule X003 (crashing-statement) crashed on statement {target}:1:1: ValueError: bad node"
        in crashes[1]
    )
    assert result.failing("error")  # E002 is an error


def test_fingerprints_survive_moved_lines_and_differ_between_statements(tmp_path: Path) -> None:
    sql = "CREATE INDEX idx_a ON a (x);\nCREATE INDEX idx_b ON a (y);\n"
    write(tmp_path / "m" / "V1__a.sql", "CREATE TABLE a (id uuid PRIMARY KEY, x int, y int);")
    target = write(tmp_path / "m" / "V2__idx.sql", sql)
    before = lint_files([target], settings(tmp_path, select=["M001"]))
    write(target.parent / "V2__idx.sql", "-- moved down\n\n" + sql.replace(";\n", ";\n\n").upper())
    after = lint_files([target], settings(tmp_path, select=["M001"]))
    assert [f.location.line for f in after.findings if f.location] == [3, 5]
    assert [f.fingerprint for f in before.findings] == [f.fingerprint for f in after.findings]
    assert len({f.fingerprint for f in before.findings}) == 2
    model_finding = Finding("C001", "s", "error", "m", object="public.a.version")
    assert fingerprint(model_finding, "") == fingerprint(model_finding.with_(message="other"), "")


def test_severity_override_and_rule_infos(tmp_path: Path) -> None:
    target = write(tmp_path / "V1__a.sql", "CREATE TABLE a (id uuid PRIMARY KEY, p json);")
    result = lint_files([target], settings(tmp_path, select=["T003"], severity={"T003": "error"}))
    assert [(f.code, f.severity) for f in result.findings] == [("T003", "error")]
    assert result.rules["T003"].severity == "error"
    assert set(result.rules) == {"T003", "E001", "E002", "E003", "E004"}
    assert result.failing("error") and not result.failing("error")[0].suppressed


def live_model() -> Model:
    def table(schema: str, name: str, *columns: Column) -> Table:
        pk = Constraint(f"{name}_pkey", "primary key", ("id",))
        return Table(schema, name, (Column("id", "uuid", True), *columns), (pk,))

    tables = [
        table("public", "orders", Column("meta", "json")),
        table("public", "legacy_orders", Column("meta", "json")),
        table("audit", "entries", Column("meta", "json")),
    ]
    return Model(tables={t.qualname: t for t in tables})


def test_lint_model_names_objects_and_honours_object_ignores_and_schemas(tmp_path: Path) -> None:
    config = settings(
        tmp_path,
        select=["T003", "C001"],
        **{"per-object-ignores": {"public.legacy_*": ["T003"]}, "exclude-schemas": ["audit"]},
    )
    result = lint_model(live_model(), config, source_label="postgresql://app@db/prod")
    t003 = [(f.object, f.suppressed) for f in result.findings if f.code == "T003"]
    assert t003 == [("public.legacy_orders.meta", True), ("public.orders.meta", False)]
    assert all(f.location is None and f.source == "postgresql://app@db/prod" for f in result.findings)
    assert all(f.fingerprint for f in result.findings)
    assert not any(f.object and f.object.startswith("audit.") for f in result.findings)
    missing = sorted(
        f.object for f in result.findings if f.code == "C001" and f.object.startswith("public.orders")
    )
    assert missing == [f"public.orders.{c}" for c in ("created_at", "deleted_at", "updated_at", "version")]


def test_lint_model_with_explicit_rules_and_options(tmp_path: Path) -> None:
    rule = StandardColumnMissing(
        {"columns": {"id": {}, "tenant_id": {"type": "uuid"}}, "exempt_tables": ["legacy_*"]}
    )
    result = lint_model(live_model(), settings(tmp_path), source_label="dump.json", rules=[rule])
    assert [f.object for f in result.findings] == ["audit.entries.tenant_id", "public.orders.tenant_id"]
    assert result.objects == live_model().object_count()


@pytest.mark.parametrize("bad", ["fail-on", "select"])
def test_engine_uses_only_validated_settings(tmp_path: Path, bad: str) -> None:
    from schemalint.errors import ConfigError

    with pytest.raises(ConfigError):
        settings(tmp_path, **{bad: ["nope"] if bad == "select" else "fatal"})


def test_a_loose_schema_file_replays_alone_a_versioned_one_with_its_siblings(tmp_path: Path) -> None:
    write(tmp_path / "seed.sql", "CREATE TABLE other_things (id uuid PRIMARY KEY, payload json);")
    schema = write(tmp_path / "schema.sql", "CREATE TABLE things (id uuid PRIMARY KEY, payload json);")
    result = lint_files([schema], settings(tmp_path), rules=[JsonInsteadOfJsonb()])
    assert codes(result.findings) == [("T003", "public.things.payload")]
    both = lint_files([tmp_path / "seed.sql", schema], settings(tmp_path), rules=[JsonInsteadOfJsonb()])
    assert result.objects == 6  # schema public; table, 2 columns, primary key and its index: no seed.sql
    assert both.objects == 11


CORPUS_MIGRATIONS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "migrations"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    "directory",
    [
        EXAMPLES / "migrations",
        EXAMPLES / "bad-migrations",
        CORPUS_MIGRATIONS / "kestra",
        CORPUS_MIGRATIONS / "river",
        CORPUS_MIGRATIONS / "temporal",
        CORPUS_MIGRATIONS / "supabase-storage" / "tenant",
        CORPUS_MIGRATIONS / "ory-kratos",
        CORPUS_MIGRATIONS / "documenso",
    ],
    ids=lambda path: path.name,
)
def test_a_partial_lint_shows_what_linting_the_whole_model_shows(
    directory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linting some files of a directory runs the model rules on the tables those files changed
    only (engine._focused); the findings shown are the ones the rules give on the whole model."""
    import schemalint.engine as engine
    from schemalint.sources.sql.order import migration_files

    if not directory.is_dir():
        pytest.skip(f"{directory} is absent (../shared/corpus)")
    files = migration_files(directory)
    for target in files[:: max(1, len(files) // 6)]:
        focused = lint_files([target], settings(tmp_path), migrations_dir=directory)
        with monkeypatch.context() as whole_model:
            whole_model.setattr(engine, "_focused", lambda model, *_: model)
            whole = lint_files([target], settings(tmp_path), migrations_dir=directory)
        assert focused.findings == whole.findings, target.name
        assert focused.objects == whole.objects
