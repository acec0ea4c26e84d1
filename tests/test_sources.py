"""One source detection for every command: any SOURCE works in lint, drift (either side),
inspect, erd, doc and baseline; what is no source is an error (exit 2), never "no findings"."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import missing_extensions

from schemalint.cli import main
from schemalint.errors import SourceError
from schemalint.rules.base import ModelRule
from schemalint.rules.registry import ALL_RULES
from schemalint.sources.load import detect

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
MODEL_RULES = {rule.code for rule in ALL_RULES if issubclass(rule, ModelRule)}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _dump(capsys: pytest.CaptureFixture[str], source: str | Path, path: Path) -> Path:
    code, _, err = _run(capsys, "inspect", str(source), "--format", "json", "-o", str(path))
    assert code == 0, err
    return path


def _findings(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    code, out, err = _run(capsys, "lint", *argv, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


# -- what a SOURCE is ------------------------------------------------------------------------------


def test_detect_names_every_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "V1__a.sql").write_text("CREATE TABLE a (id int);\n")
    (tmp_path / "doc.md").write_text("```sql\nCREATE TABLE a (id int);\n```\n")
    dump = _dump(capsys, tmp_path / "V1__a.sql", tmp_path / "model.json")
    renamed = tmp_path / "model.out"  # a dump is known by its content too
    renamed.write_text(dump.read_text())
    assert [detect(str(p)).kind for p in (tmp_path, tmp_path / "V1__a.sql", tmp_path / "doc.md")] == [
        "migrations",
        "sql",
        "document",
    ]
    assert detect(str(dump)).kind == "dump" and detect(str(renamed)).kind == "dump"
    assert detect("postgresql://u:pw@h/db").kind == "database"
    assert detect("host=h dbname=d password=pw").label == "host=h dbname=d password=***"
    assert detect("service=prod").kind == "database"  # a pg_service.conf entry is a DSN too


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("nothere.sql", r"nothere\.sql: no such file or directory"),
        ("host=h password='unterminated", r"not a valid connection string: an unterminated quoted value"),
        ("host=h password=abc def", r"not a valid connection string: a word without"),
        ("host=h passwrod=abc", r"not a valid connection string: an unknown connection parameter"),
    ],
)
def test_what_is_no_source_is_a_one_line_error(spec: str, expected: str) -> None:
    with pytest.raises(SourceError, match=expected) as raised:
        detect(spec)
    assert "abc" not in str(raised.value) and "unterminated'" not in str(raised.value)


def test_unknown_file_kinds_and_symlink_loops_are_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("CREATE TABLE a (id int);\n")
    with pytest.raises(SourceError, match=r"notes\.txt: not a source schemalint reads; expected \.sql"):
        detect(str(tmp_path / "notes.txt"))
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    with pytest.raises(SourceError, match="symbolic link loop"):
        detect(str(tmp_path / "loop"))
    os.symlink(tmp_path / "gone.sql", tmp_path / "dangling.sql")
    with pytest.raises(SourceError, match=r"symbolic link to .*gone\.sql, which does not exist"):
        detect(str(tmp_path / "dangling.sql"))


@pytest.mark.parametrize("command", ["lint", "baseline", "inspect", "erd", "doc"])
def test_no_source_is_exit_2_in_every_command(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    extra = ["-o", str(tmp_path / "out")] if command == "baseline" else []
    code, out, err = _run(capsys, command, str(tmp_path / "notes.txt"), *extra)
    assert code == 2
    assert "not a source schemalint reads" in err
    assert "No findings" not in out


def test_a_json_file_that_is_no_dump_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}\n')
    code, out, err = _run(capsys, "lint", str(tmp_path / "package.json"))
    assert code == 2 and "model dump" in err and "No findings" not in out


def test_one_bad_source_is_reported_and_the_rest_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.sql").write_text("CREATE TABLE Things (id int);\n")
    code, out, err = _run(capsys, "lint", str(tmp_path / "missing.sql"), str(tmp_path / "ok.sql"))
    assert code == 2
    assert "missing.sql: no such file or directory" in err
    assert "C001" in out  # ok.sql was still linted


# -- a dump lints as the files it was dumped from --------------------------------------------------


@pytest.mark.parametrize("example", ["bad-migrations", "migrations"])
def test_lint_of_a_dump_gives_the_model_findings_of_its_files(
    example: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = EXAMPLES / example
    dump = _dump(capsys, directory, tmp_path / "model.json")
    model_rules = ",".join(sorted(MODEL_RULES))
    file_code, from_files = _findings(capsys, str(directory), "--select", model_rules)
    dump_code, from_dump = _findings(capsys, str(dump), "--select", model_rules)

    def key(f: dict[str, object]) -> tuple[object, ...]:
        return (f["code"], f["object"], f["message"], f["severity"], f["fingerprint"])

    from_files = [f for f in from_files if f["code"] in MODEL_RULES]  # not the engine's E00x
    assert sorted(map(key, from_dump)) == sorted(map(key, from_files))
    assert dump_code == file_code
    assert example == "migrations" or from_dump  # the bad example has model findings to compare
    # located where the dump says the object was declared, in the files it came from
    assert all(str(f["path"]).startswith(str(directory)) and f["line"] for f in from_dump)


def test_a_baseline_of_the_files_hides_the_findings_of_their_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = EXAMPLES / "bad-migrations"
    dump = _dump(capsys, directory, tmp_path / "model.json")
    baseline = tmp_path / "baseline.json"
    assert _run(capsys, "baseline", str(directory), "-o", str(baseline))[0] == 0
    code, out, err = _run(capsys, "lint", str(dump), "--baseline", str(baseline))
    assert code == 0, out + err


# -- every command, both sides of drift -----------------------------------------------------------


@pytest.mark.catalog
def test_every_command_reads_every_kind(
    pg: str, run_sql: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if missing_extensions(pg, "pgcrypto"):
        pytest.skip("the server lacks pgcrypto, which the example migrations create")
    directory = EXAMPLES / "migrations"
    for path in sorted(directory.glob("*.sql")):
        run_sql(pg, path.read_text())
    dump = _dump(capsys, directory, tmp_path / "files.json")
    live_dump = _dump(capsys, pg, tmp_path / "live.json")
    for source in (str(directory), str(dump), pg, str(live_dump)):
        for argv in (["inspect"], ["erd"], ["doc"], ["lint", "--format", "json"]):
            code, out, err = _run(capsys, *argv, source)
            assert code in (0, 1), (argv, source, err)
            assert out.strip(), (argv, source)
    # drift, either side any source: files, dump, database
    for declared, live in [
        (str(directory), str(dump)),
        (str(dump), str(directory)),
        (str(directory), pg),
        (pg, pg),
        (str(live_dump), pg),
        (pg, str(live_dump)),
    ]:
        code, out, err = _run(capsys, "drift", declared, live, "--format", "json")
        assert code == 0, (declared, live, out, err)
        assert json.loads(out)["findings"] == []


@pytest.mark.catalog
def test_drift_of_a_dump_finds_what_changed(
    pg: str, run_sql: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if missing_extensions(pg, "pgcrypto"):
        pytest.skip("the server lacks pgcrypto, which the example migrations create")
    directory = EXAMPLES / "migrations"
    dump = _dump(capsys, directory, tmp_path / "files.json")
    for path in sorted(directory.glob("*.sql")):
        run_sql(pg, path.read_text())
    run_sql(pg, "ALTER TABLE orders ADD COLUMN surprise text")
    code, out, err = _run(capsys, "drift", str(dump), pg, "--format", "json")
    assert code == 1, err
    assert [f["object"] for f in json.loads(out)["findings"]] == ["public.orders.surprise"]


# -- --schema that is not there --------------------------------------------------------------------


@pytest.mark.parametrize("command", ["lint", "inspect", "erd", "doc"])
def test_a_schema_that_is_not_there_is_an_error_naming_those_that_are(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, command, str(EXAMPLES / "migrations"), "--schema", "nope")
    assert code == 2
    assert "Schema nope was requested" in err and "(it has: public)" in err
    assert "No findings" not in out


@pytest.mark.catalog
def test_a_live_schema_that_is_not_there_names_those_that_are(
    pg: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "lint", pg, "--schema", "nope")
    assert code == 2 and "Schema nope was requested" in err and "it has: public" in err
