"""The text format: positions, snippets with the span marked, help, live findings, summary."""

from __future__ import annotations

from golden.sample import LIVE, V1, findings, report, source_text

from schemalint.baseline import BaselineEntry
from schemalint.findings import Finding
from schemalint.model import Location
from schemalint.report import Report, render


def test_header_line_is_path_line_col_code_slug_message() -> None:
    text = render("text", report(), source_text=source_text)
    assert (
        f"{V1}:3:5 T001 float-money Column public.Orders.amount is double precision; "
        "money columns must be numeric(19,4).\n"
    ) in text


def test_snippet_marks_the_span() -> None:
    f = Finding(
        "T001",
        "float-money",
        "error",
        "m",
        "Use numeric(19,4).",
        Location("a.sql", 2, 5, 2, 17),
        "public.t.amount",
    )
    sql = "CREATE TABLE t (\n    amount float8 NOT NULL\n);\n"
    text = render("text", Report([f]), source_text=lambda path: sql if path == "a.sql" else None)
    lines = text.splitlines()
    source = lines.index("2 |     amount float8 NOT NULL")
    assert lines[source + 1] == "  |     " + "^" * 13  # columns 5..17 inclusive
    assert lines[source + 2] == "  = help: Use numeric(19,4)."
    assert lines[source + 3] == "  = error; see `schemalint explain T001`"


def test_long_statements_are_cut_with_a_count() -> None:
    sql = "".join(f"line {i}\n" for i in range(1, 21))
    f = Finding("N001", "x", "warning", "m", location=Location("a.sql", 1, 1, 20, 7))
    text = render("text", Report([f]), source_text=lambda _path: sql)
    assert "\n4 | line 4\n" in text and "line 5" not in text
    assert "… 16 more lines" in text


def test_long_lines_are_clipped_around_the_span() -> None:
    sql = "x" * 500 + " BAD " + "y" * 500 + "\n"
    f = Finding("N001", "x", "warning", "m", location=Location("a.sql", 1, 502, 1, 504))
    lines = render("text", Report([f]), source_text=lambda _path: sql).splitlines()
    source = next(line for line in lines if line.startswith("1 |"))
    marker = lines[lines.index(source) + 1]
    assert len(source) < 200 and source.startswith("1 | …") and source.endswith("…")
    assert source[marker.index("^") : marker.index("^") + 3] == "BAD"


def test_without_source_text_no_snippet() -> None:
    text = render("text", report())
    assert " | " not in text
    assert "  = help: Use numeric(19,4)." in text


def test_live_findings_grouped_by_source_and_named_by_object() -> None:
    lines = render("text", report(), source_text=source_text).splitlines()
    heading = lines.index(LIVE)
    assert lines[heading + 1].startswith(
        "public.orders.total D001 column-type-drift Column public.orders.total"
    )
    assert any(line.startswith("public.invoices R001 rls-disabled ") for line in lines[heading:])
    # file findings come before the live ones
    assert all(not line.startswith(V1) for line in lines[heading:])


def test_suppressed_findings_are_counted_not_shown() -> None:
    text = render("text", report(), source_text=source_text)
    assert "public.orders has a tenant_id column" not in text
    assert "Found 10 findings (4 errors, 3 warnings, 3 infos) in 2 files, 6 statements." in text
    assert "1 finding suppressed" in text
    assert "1 baseline entry no longer occurs" in text


def test_summary_for_drift_names_sources_and_objects() -> None:
    live = [f for f in findings() if f.location is None]
    fixed = (BaselineEntry("a", "N001", None, "m"), BaselineEntry("b", "N001", None, "m"))
    text = render("text", Report(live, objects=30, sources=(LIVE,), command="drift", fixed=fixed))
    assert (
        text.splitlines()[-2] == "Found 2 findings (2 errors, 0 warnings, 0 infos) in 1 source, 30 objects."
    )
    assert text.splitlines()[-1].startswith("2 baseline entries no longer occur")


def test_multiline_help_is_indented() -> None:
    text = render("text", report())
    assert "  = help: Rename it:\n          ALTER INDEX orders_placed RENAME TO idx_orders_placed;" in text
