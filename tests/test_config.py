"""Configuration and packs: discovery, extend, strict validation, layering, where values came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemalint.config import find_config, load_settings
from schemalint.config.packs import available_packs, load_pack
from schemalint.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings_from(tmp_path: Path, toml: str, **overrides: object):  # type: ignore[no-untyped-def]
    write(tmp_path / "pyproject.toml", toml)
    return load_settings(tmp_path, cli_overrides=overrides)


def error_of(tmp_path: Path, toml: str, **overrides: object) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, toml, **overrides)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_nearest_config_wins_and_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / ".schemalint.yaml", "fail-on: warning\n")
    write(tmp_path / "app" / "pyproject.toml", "[project]\nname = 'x'\n")
    nested = tmp_path / "app" / "db"
    nested.mkdir()
    assert find_config(nested) == (tmp_path / ".schemalint.yaml").resolve()
    write(tmp_path / "app" / "pyproject.toml", "[tool.schemalint]\nfail-on = 'info'\n")
    assert find_config(nested) == (tmp_path / "app" / "pyproject.toml").resolve()
    settings = load_settings(nested)
    assert settings.fail_on == "info"
    assert settings.root == (tmp_path / "app").resolve()


def test_yaml_beats_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.schemalint]\nfail-on = 'info'\n")
    write(tmp_path / ".schemalint.yaml", "fail-on: warning\n")
    assert load_settings(tmp_path).fail_on == "warning"


def test_defaults_without_any_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, discover=False)
    assert settings.config_path is None
    assert settings.packs == ("standard",)
    assert settings.fail_on == "error"
    assert settings.is_enabled("N001") and settings.is_enabled("M001") and settings.is_enabled("E001")
    assert settings.rules["C002"].options["columns"]["version"]["default"] == "1"


def test_extend_includes_a_base_and_the_extending_file_wins(tmp_path: Path) -> None:
    write(
        tmp_path / "base.toml", "[tool.schemalint]\nfail-on = 'info'\nignore = ['N005']\nschemas = ['app']\n"
    )
    write(
        tmp_path / "svc" / "pyproject.toml",
        "[tool.schemalint]\nextend = '../base.toml'\nfail-on = 'warning'\n",
    )
    settings = load_settings(tmp_path / "svc")
    assert settings.fail_on == "warning"
    assert settings.schemas == ("app",)
    assert not settings.is_enabled("N005")
    sources = {s.key: s for s in settings.explain_sources()}
    assert sources["schemas"].origin == str((tmp_path / "base.toml").resolve())
    assert sources["fail-on"].origin == str((tmp_path / "svc" / "pyproject.toml").resolve())
    assert sources["rules.N005"].value == "off" and sources["rules.N005"].origin.endswith("base.toml")


def test_extend_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extend: b.yaml\n")
    write(tmp_path / "b.yaml", "extend: a.yaml\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_settings(tmp_path, config_path=Path("a.yaml"))


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("fail_on = 'error'", "unknown key 'fail_on' (did you mean fail-on?)"),
        ("select = ['N0001']", "no rule matches 'N0001'"),
        ("ignore = ['timestamp-without-timezone']", "did you mean timestamp-without-time-zone?"),
        ("severity = { T002 = 'fatal' }", "severity.T002 must be one of error, warning, info"),
        ("severity = { T999 = 'error' }", "unknown rule 'T999'"),
        ("rules = { N005 = { templat = 'x' } }", "unknown option 'templat' (did you mean template?)"),
        ("rules = { N005 = { template = 3 } }", "rules.N005.template must be string, found integer 3"),
        ("rules = { N001 = { exempt_tables = 'legacy' } }", "must be a list of strings, found string"),
        (
            "rules = { C001 = { columns = { id = { kind = 'uuid' } } } }",
            "columns.id has unknown keys ['kind']",
        ),
        ("rules = { T005 = { patterns = ['(ip'] } }", "patterns: invalid regular expression '(ip'"),
        ("fail-on = 'warn'", "fail-on must be one of error, warning, info"),
        ("target-postgres = 'fifteen'", "target-postgres must be a major version"),
        ("per-file-ignores = { 'legacy/*' = ['M9'] }", "no rule matches 'M9'"),
        ("packs = ['standart']", "unknown rule pack 'standart' (did you mean standard?)"),
        ("packs = ['./missing.yaml']", "no such file"),
    ],
)
def test_invalid_configuration_is_a_one_line_error(tmp_path: Path, toml: str, expected: str) -> None:
    message = error_of(tmp_path, f"[tool.schemalint]\n{toml}\n")
    assert expected in message
    assert str(tmp_path) in message or "pack" in message


def test_command_line_select_replaces_ignore_adds(tmp_path: Path) -> None:
    toml = "[tool.schemalint]\nignore = ['N005']\nselect = ['N', 'T']\n"
    settings = settings_from(tmp_path, toml, select=["T"], ignore=["T004"], **{"fail-on": None})
    assert settings.is_enabled("T002")
    assert not settings.is_enabled("N001")  # the command line's select replaced the file's
    assert not settings.is_enabled("T004")
    assert settings.is_enabled("E003")  # engine rules stay unless ignored explicitly
    assert {s.key: s.origin for s in settings.explain_sources()}["rules.T004"] == "command line"


def test_most_specific_selector_wins_within_a_layer(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "[tool.schemalint]\nselect = ['N003']\nignore = ['N']\n")
    assert settings.is_enabled("N003") and not settings.is_enabled("N001")
    settings = settings_from(tmp_path, "[tool.schemalint]\nselect = ['N']\nignore = ['primary-key-not-id']\n")
    assert settings.is_enabled("N001") and not settings.is_enabled("N003")
    settings = settings_from(tmp_path, "[tool.schemalint]\nignore = ['ALL']\nextend-select = ['T002']\n")
    assert [s.rule.code for s in settings.enabled()] == ["T002"]


def test_severity_and_options_layer_over_the_pack(tmp_path: Path) -> None:
    toml = (
        "[tool.schemalint]\nseverity = { T004 = 'error' }\n"
        "rules = { N005 = { template = 'ix_{table}_{columns}' } }\n"
    )
    settings = settings_from(tmp_path, toml)
    assert settings.rules["T004"].severity == "error"
    assert settings.rules["N005"].options["template"] == "ix_{table}_{columns}"
    assert settings.rules["N006"].options["template"] == "uq_{table}_{columns}"  # from the pack
    sources = {s.key: s.origin for s in settings.explain_sources()}
    assert sources["rules.N006.template"].startswith("pack standard")
    assert sources["rules.T003.severity"] == "default"


def test_organisation_pack_from_a_path_layers_after_standard(tmp_path: Path) -> None:
    write(
        tmp_path / "packs" / "acme.yaml",
        "name: acme\nignore: [N]\nseverity: {T003: error}\nrules:\n  C001: {exempt_tables: [legacy_*]}\n",
    )
    settings = settings_from(tmp_path, "[tool.schemalint]\npacks = ['standard', 'packs/acme.yaml']\n")
    assert not settings.is_enabled("N001") and settings.is_enabled("C001")
    assert settings.rules["T003"].severity == "error"
    exempt = settings.rules["C001"].options["exempt_tables"]
    assert exempt[-1] == "legacy_*" and "flyway_schema_history" in exempt  # a list option extends
    assert settings.rules["C001"].origin.startswith("pack standard")
    origin = settings.rules["C001"].option_origins["exempt_tables"]
    assert origin.startswith("pack standard") and " + pack acme" in origin


def test_a_list_option_extends_the_packs_before_unless_replaced(tmp_path: Path) -> None:
    write(
        tmp_path / "acme.yaml",
        "rules:\n  C001: {exempt_tables: [legacy_*]}\n  N001: {exempt_tables: {replace: [legacy_*]}}\n",
    )
    toml = "[tool.schemalint]\npacks = ['standard', 'acme.yaml']\nrules = { C001 = { exempt_tables = ['old_*'] } }\n"
    settings = settings_from(tmp_path, toml)
    assert settings.rules["C001"].options["exempt_tables"][-2:] == ["legacy_*", "old_*"]
    assert "flyway_schema_history" in settings.rules["C001"].options["exempt_tables"]
    assert settings.rules["N001"].options["exempt_tables"] == ["legacy_*"]
    write(tmp_path / "acme.yaml", "rules:\n  N001: {exempt_tables: {only: [legacy_*]}}\n")
    with pytest.raises(
        ConfigError, match=r"or \{replace: \[\.\.\.\]\} \(replacing it\), found a table with only"
    ):
        settings_from(tmp_path, toml)


def test_flyway_history_stays_exempt_under_a_pack_that_exempts_legacy_tables(tmp_path: Path) -> None:
    from schemalint.engine import lint_files

    write(tmp_path / "acme.yaml", "rules:\n  C001: {exempt_tables: [legacy_*]}\n")
    settings = settings_from(tmp_path, "[tool.schemalint]\npacks = ['standard', 'acme.yaml']\n")
    sql = tmp_path / "V1__history.sql"
    sql.write_text(
        "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY);\n"
        "CREATE TABLE legacy_things (x int PRIMARY KEY);\n"
    )
    result = lint_files([sql], settings)
    assert [f.object for f in result.findings if f.code == "C001"] == []


def test_packs_are_validated_strictly(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", "name: bad\nselct: [N]\n")
    with pytest.raises(ConfigError, match=r"unknown key 'selct' \(did you mean select\?\)"):
        load_pack("bad.yaml", tmp_path)
    write(tmp_path / "bad.yaml", "rules:\n  N005: {template: [1]}\n")
    with pytest.raises(ConfigError, match=r"rules\.N005\.template must be string, found list"):
        load_pack("bad.yaml", tmp_path)
    write(tmp_path / "bad.yaml", "rules: [N005\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+: invalid YAML"):
        load_pack("bad.yaml", tmp_path)


def test_the_standard_pack_ships_and_turns_every_family_on() -> None:
    assert "standard" in available_packs()
    layer = load_pack("standard", Path("."))
    assert layer.select == ("N", "C", "T", "K", "R", "M", "S", "P")
    assert layer.rules["K003"]["tenant_column"] == "tenant_id"
    assert layer.rules["C001"]["columns"]["created_at"]["type"] == "timestamptz"


def test_per_file_and_per_object_ignores_match_globs(tmp_path: Path) -> None:
    toml = (
        "[tool.schemalint]\n"
        "per-file-ignores = { 'db/legacy/*.sql' = ['M'], 'V1__*.sql' = ['N001'] }\n"
        "per-object-ignores = { 'public.legacy_*' = ['C001', 'json-instead-of-jsonb'] }\n"
    )
    settings = settings_from(tmp_path, toml)
    assert settings.ignored_for_file(str(tmp_path / "db" / "legacy" / "V3__x.sql"), "M001")
    assert settings.ignored_for_file("db/legacy/V3__x.sql", "M010")
    assert not settings.ignored_for_file("db/migrations/V3__x.sql", "M001")
    assert settings.ignored_for_file("db/migrations/V1__init.sql", "N001")
    assert settings.ignored_for_object("public.legacy_orders.created_at", "C001")
    assert settings.ignored_for_object("public.legacy_orders.payload", "T003")
    assert not settings.ignored_for_object("public.orders", "C001")


def test_paths_in_the_file_are_relative_to_it(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.schemalint]\nmigrations = 'db/migrations'\n")
    (tmp_path / "src").mkdir()
    settings = load_settings(tmp_path / "src")
    assert settings.migrations == (tmp_path / "db" / "migrations").resolve()
    cli = load_settings(tmp_path / "src", cli_overrides={"migrations": "other"})
    assert cli.migrations == (tmp_path / "src" / "other").resolve()


def test_explicit_config_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path, config_path=Path("nope.toml"))
