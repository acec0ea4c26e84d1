"""Baseline files: written sorted and without line numbers, read strictly, applied by count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemalint.baseline import Baseline, BaselineEntry, apply_baseline, load_baseline, write_baseline
from schemalint.errors import ConfigError
from schemalint.findings import Finding
from schemalint.model import Location


def _f(code: str, obj: str, fp: str, line: int = 1, suppressed: bool = False) -> Finding:
    return Finding(
        code,
        "slug",
        "warning",
        f"{obj} is wrong",
        location=Location("a.sql", line, 1, line, 9),
        object=obj,
        fingerprint=fp,
        suppressed=suppressed,
    )


def test_write_is_sorted_counted_and_has_no_positions() -> None:
    findings = [
        _f("N002", "public.b", "fp2", line=9),
        _f("N001", "public.z", "fp1", line=3),
        _f("N001", "public.a", "fp3", line=5),
        _f("N001", "public.a", "fp3", line=7),
        _f("N001", "public.s", "fp4", suppressed=True),
    ]
    text = write_baseline(findings)
    document = json.loads(text)
    assert document["schemalint_baseline"] == 1
    assert [(e["code"], e["object"], e["count"]) for e in document["findings"]] == [
        ("N001", "public.a", 2),
        ("N001", "public.z", 1),
        ("N002", "public.b", 1),
    ]
    assert set(document["findings"][0]) == {"fingerprint", "code", "object", "message", "count"}
    assert '"line"' not in text and "a.sql" not in text
    # the order of findings does not change the file
    assert write_baseline(reversed(findings)) == text


def test_round_trip_suppresses_everything(tmp_path: Path) -> None:
    findings = [
        _f("N001", "public.a", "fp1"),
        _f("N001", "public.a", "fp1", line=2),
        _f("T001", "public.b", "fp2"),
    ]
    path = tmp_path / "baseline.json"
    path.write_text(write_baseline(findings), encoding="utf-8")
    marked, fixed = apply_baseline(findings, load_baseline(path))
    assert all(f.suppressed for f in marked) and fixed == []
    assert [f.fingerprint for f in marked] == [f.fingerprint for f in findings]  # order kept


def test_one_occurrence_does_not_hide_two() -> None:
    baseline = Baseline((BaselineEntry("fp1", "N001", "public.a", "m", 1),))
    marked, fixed = apply_baseline(
        [_f("N001", "public.a", "fp1", 8), _f("N001", "public.a", "fp1", 2)], baseline
    )
    # the first in file order is the known one; the new occurrence stays active
    assert [(f.location.line, f.suppressed) for f in marked if f.location] == [(8, False), (2, True)]
    assert fixed == []


def test_entries_no_longer_seen_are_fixed() -> None:
    baseline = Baseline(
        (BaselineEntry("fp1", "N001", "public.a", "m", 3), BaselineEntry("gone", "T001", "public.b", "m2", 1))
    )
    marked, fixed = apply_baseline([_f("N001", "public.a", "fp1")], baseline)
    assert marked[0].suppressed
    assert fixed == [
        BaselineEntry("fp1", "N001", "public.a", "m", 2),
        BaselineEntry("gone", "T001", "public.b", "m2", 1),
    ]


def test_inline_suppressed_findings_do_not_use_up_entries() -> None:
    baseline = Baseline((BaselineEntry("fp1", "N001", "public.a", "m", 1),))
    marked, fixed = apply_baseline([_f("N001", "public.a", "fp1", suppressed=True)], baseline)
    assert marked[0].suppressed
    assert fixed == [BaselineEntry("fp1", "N001", "public.a", "m", 1)]


def test_findings_without_fingerprint_are_never_baselined() -> None:
    f = _f("E001", "x", "")
    assert json.loads(write_baseline([f]))["findings"] == []
    marked, _ = apply_baseline([f], Baseline((BaselineEntry("fp", "E001", None, "m"),)))
    assert not marked[0].suppressed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"baseline\.json:1:2: baseline is not valid JSON"),
        ("[]", "not a schemalint baseline"),
        ('{"schemalint_baseline": 2, "findings": []}', "not a schemalint baseline"),
        ('{"schemalint_baseline": 1, "findings": {}}', '"findings" must be a list, found dict'),
        ('{"schemalint_baseline": 1, "findings": [3]}', "finding #1 must be an object, found int"),
        ('{"schemalint_baseline": 1, "findings": [{"code": "N001"}]}', 'finding #1 has no "fingerprint"'),
        ('{"schemalint_baseline": 1, "findings": [{"fingerprint": "x"}]}', r'finding #1 \(x\) has no "code"'),
        (
            '{"schemalint_baseline": 1, "findings": [{"fingerprint": "x", "code": "N001", "count": 0}]}',
            '"count" must be a positive integer',
        ),
    ],
)
def test_bad_baseline_is_a_one_line_config_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_baseline(path)
    assert "\n" not in str(info.value)


def test_missing_baseline_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="baseline file not found; create it with `schemalint baseline"):
        load_baseline(tmp_path / "nope.json")


def test_fixing_one_finding_of_a_statement_keeps_the_others_baselined(tmp_path: Path) -> None:
    """Fingerprints are rule, object and fact: editing a statement to fix one of its findings
    leaves the fingerprints of the others as they were."""
    from schemalint.cli import main

    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "V1__orders.sql").write_text("CREATE TABLE orders (id uuid PRIMARY KEY, a int, b int);\n")
    add = "ALTER TABLE orders ADD COLUMN c uuid DEFAULT gen_random_uuid(), ADD COLUMN d uuid DEFAULT {};\n"
    two = directory / "V2__columns.sql"
    two.write_text(
        "SET lock_timeout = '1s';\n"
        + add.format("gen_random_uuid()")
        + (
            "CREATE INDEX idx_orders_a ON orders (a);\nCREATE INDEX idx_orders_b ON orders (b);\n"
            "ALTER TABLE orders ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE bigint;\n"
        )
    )
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", str(directory), "-o", str(baseline), "--select", "M"]) == 0
    recorded = json.loads(baseline.read_text())["findings"]
    assert sorted(e["code"] for e in recorded) == ["M001", "M001", "M003", "M003", "M006", "M006"]
    assert all(e["count"] == 1 for e in recorded)  # two findings of one rule and statement differ
    two.write_text(
        two.read_text()
        .replace("DEFAULT gen_random_uuid();", "DEFAULT NULL;")
        .replace("CREATE INDEX idx_orders_b", "CREATE INDEX CONCURRENTLY idx_orders_b")
        .replace("ALTER COLUMN a TYPE bigint, ", "")
    )
    report = tmp_path / "report.json"
    code = main(
        [
            "lint",
            str(directory),
            "--select",
            "M",
            "--baseline",
            str(baseline),
            "--format",
            "json",
            "-o",
            str(report),
        ]
    )
    document = json.loads(report.read_text())
    assert code == 0, document["findings"]
    assert sorted((f["code"], f["object"]) for f in document["fixed"]) == [
        ("M001", "public.orders"),
        ("M003", "public.orders.d"),
        ("M006", "public.orders.a"),
    ]
