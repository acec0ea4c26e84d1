"""The command line end to end: every command runs, exit codes, one-line errors."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "migrations"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemalint.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_rules_lists_every_family() -> None:
    done = run("rules")
    assert done.returncode == 0
    for code in ("N001", "C001", "T001", "K001", "R001", "M001", "S001", "D001", "E001"):
        assert code in done.stdout


def test_explain_by_code_and_slug_and_unknown() -> None:
    by_code = run("explain", "M001")
    by_slug = run("explain", "index-created-without-concurrently")
    assert by_code.returncode == by_slug.returncode == 0
    assert by_code.stdout == by_slug.stdout
    assert "## Bad" in by_code.stdout and "## Good" in by_code.stdout
    unknown = run("explain", "M0001")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1 and "did you mean" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_config_shows_where_values_come_from(tmp_path: Path) -> None:
    (tmp_path / ".schemalint.yaml").write_text("fail-on: warning\nignore: [N008]\n")
    done = run("config", cwd=tmp_path)
    assert done.returncode == 0
    assert "fail-on" in done.stdout and ".schemalint.yaml" in done.stdout
    (tmp_path / ".schemalint.yaml").write_text("fail_on: warning\n")
    bad = run("config", cwd=tmp_path)
    assert bad.returncode == 2 and "fail-on" in bad.stderr and "Traceback" not in bad.stderr


def test_inspect_json_round_trips(tmp_path: Path) -> None:
    first = run("inspect", str(EXAMPLES), "--format", "json", "--no-locations")
    assert first.returncode == 0, first.stderr
    dump = tmp_path / "model.json"
    dump.write_text(first.stdout)
    second = run("inspect", str(dump), "--format", "json", "--no-locations")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    tables = json.loads(first.stdout)["model"]["tables"]
    assert {"public.tenants", "public.users", "public.orders"} <= set(tables)
    text = run("inspect", str(EXAMPLES))
    assert text.returncode == 0 and "orders" in text.stdout


def test_inspect_schema_filter() -> None:
    done = run("inspect", str(EXAMPLES), "--format", "json", "--schema", "public")
    assert done.returncode == 0 and "public.orders" in json.loads(done.stdout)["model"]["tables"]
    # a schema that is not there is an error naming those that are, never an empty model
    done = run("inspect", str(EXAMPLES), "--format", "json", "--schema", "nosuchschema")
    assert done.returncode == 2 and done.stdout == ""
    assert "Schema nosuchschema was requested" in done.stderr and "(it has: public)" in done.stderr


def test_erd_mermaid_dot_and_split(tmp_path: Path) -> None:
    mermaid = run("erd", str(EXAMPLES))
    assert mermaid.returncode == 0, mermaid.stderr
    assert mermaid.stdout.startswith("erDiagram")
    assert "users ||--o{ orders" in mermaid.stdout
    dot = run("erd", str(EXAMPLES), "--format", "dot")
    assert dot.returncode == 0 and dot.stdout.lstrip().startswith(("digraph", "strict digraph"))
    out = tmp_path / "parts"
    split = run("erd", str(EXAMPLES), "--split", "component", "-o", str(out))
    assert split.returncode == 0, split.stderr
    assert list(out.glob("*.mmd"))
    depth = run("erd", str(EXAMPLES), "--table", "orders", "--depth", "0")
    assert depth.returncode == 0 and "tenants {" not in depth.stdout


def test_doc_write_check_update(tmp_path: Path) -> None:
    document = tmp_path / "schema.md"
    written = run("doc", str(EXAMPLES), "-o", str(document))
    assert written.returncode == 0, written.stderr
    text = document.read_text()
    assert "```mermaid" in text and "orders" in text
    assert run("doc", str(EXAMPLES), "-o", str(document), "--check").returncode == 0
    document.write_text("Hand-written introduction.\n\n" + text.replace("orders", "ORDERS", 1))
    stale = run("doc", str(EXAMPLES), "-o", str(document), "--check")
    assert stale.returncode == 1
    updated = run("doc", str(EXAMPLES), "-o", str(document), "--update")
    assert updated.returncode == 0
    assert document.read_text().startswith("Hand-written introduction.")
    assert run("doc", str(EXAMPLES), "-o", str(document), "--check").returncode == 0


def test_lint_formats_and_exit_codes(tmp_path: Path) -> None:
    clean = run("lint", str(EXAMPLES), "--format", "json")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["findings"] == []
    bad = ROOT / "examples" / "bad-migrations"
    for fmt in ("text", "json", "sarif", "junit", "github", "gitlab", "markdown"):
        done = run("lint", str(bad), "--format", fmt, "-o", str(tmp_path / f"report.{fmt}"))
        assert done.returncode == 1, (fmt, done.stderr)
        assert (tmp_path / f"report.{fmt}").stat().st_size > 0
    never = run("lint", str(bad), "--fail-on", "never", "--format", "json")
    assert never.returncode == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("lint", "no/such/dir"), "no/such/dir"),
        (("inspect", "no/such/file.sql"), "no/such/file.sql"),
        (("lint", str(EXAMPLES), "--select", "ZZZ999"), "ZZZ999"),
    ],
)
def test_user_errors_are_one_line(args: tuple[str, ...], needle: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith("schemalint: error:") and done.stderr.count("\n") == 1
    assert needle in done.stderr


def test_baseline_hides_known_findings_and_survives_edits_above(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "V1__init.sql").write_text(
        "SET lock_timeout = '5s';\nCREATE TABLE things (id uuid PRIMARY KEY, price float);\n"
    )
    baseline = tmp_path / "baseline.json"
    assert run("baseline", str(migrations), "-o", str(baseline)).returncode == 0
    assert run("lint", str(migrations), "--baseline", str(baseline)).returncode == 0
    (migrations / "V1__init.sql").write_text(
        "-- a comment\n\nSET lock_timeout = '5s';\n\nCREATE TABLE things (id uuid PRIMARY KEY, price float);\n"
    )
    assert run("lint", str(migrations), "--baseline", str(baseline)).returncode == 0
    (migrations / "V2__more.sql").write_text(
        "SET lock_timeout = '5s';\nALTER TABLE things ADD COLUMN cost real;\n"
    )
    new = run("lint", str(migrations), "--baseline", str(baseline), "--format", "json")
    assert new.returncode == 1
    codes = {(f["code"], f["object"]) for f in json.loads(new.stdout)["findings"] if not f["suppressed"]}
    assert ("T001", "public.things.cost") in codes
    assert ("T001", "public.things.price") not in codes


def _on_a_terminal(*args: str) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; what the terminal showed."""
    import os
    import pty

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, on the terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "schemalint.cli", *args], env)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_progress_bar_only_on_a_terminal_and_only_for_text() -> None:
    shown = _on_a_terminal("lint", str(EXAMPLES))
    assert "replaying and linting migrations" in shown
    machine = _on_a_terminal("lint", str(EXAMPLES), "--format", "json")
    assert "replaying and linting" not in machine
    quiet = _on_a_terminal("lint", str(EXAMPLES), "--no-progress")
    assert "replaying and linting" not in quiet
    piped = run("lint", str(EXAMPLES))
    assert "replaying and linting" not in piped.stderr + piped.stdout


def _pg_dump_like(path: Path, count: int) -> Path:
    """One large file of `count` tables, a blank line after each, as pg_dump writes them."""
    path.write_text("".join(f"CREATE TABLE t{i} (id int PRIMARY KEY, note text);\n\n" for i in range(count)))
    return path


def test_progress_moves_within_one_large_file(tmp_path: Path) -> None:
    # one file: the bar counts its statements as they are read, not 0/1 files until the end
    from rich.console import Console

    from schemalint.cli import _Bars
    from schemalint.config import load_settings
    from schemalint.engine import lint_files
    from schemalint.output import reading

    schema = _pg_dump_like(tmp_path / "big.sql", 20000)
    screen = io.StringIO()
    bars = _Bars(Console(file=screen, force_terminal=True, width=120))
    with bars("replaying and linting migrations") as update:
        result = lint_files([schema], load_settings(tmp_path, discover=False), progress=reading(update))
    assert result.statements == 20000
    drawn = screen.getvalue()
    counts = {int(n.replace(",", "")) for n in re.findall(r"0/1 files, ([\d,]+) statements", drawn)}
    assert counts and max(counts) >= 500 and "replaying and linting migrations" in drawn


def test_progress_of_inspect_on_a_terminal_only(tmp_path: Path) -> None:
    schema = _pg_dump_like(tmp_path / "big.sql", 4000)
    assert "replaying migrations" in _on_a_terminal("inspect", str(schema))
    assert "replaying" not in _on_a_terminal("inspect", str(schema), "--format", "json")
    piped = run("inspect", str(schema))
    assert piped.returncode == 0 and piped.stderr == ""


def test_output_is_whole_and_a_reader_that_leaves_early_is_no_error(tmp_path: Path) -> None:
    # the command line leaves without tearing its heap down (cli.entry): what it wrote is flushed,
    # and a pipe closed under it (| head) ends the run quietly
    schema = tmp_path / "wide.sql"
    schema.write_text("".join(f"CREATE TABLE t{i} (id int PRIMARY KEY, note text);\n" for i in range(2000)))
    command = [sys.executable, "-m", "schemalint.cli"]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a shell has it
    for args in (["rules"], ["inspect", str(schema), "--format", "json"]):
        whole = subprocess.run([*command, *args], capture_output=True, text=True, env=buffered, timeout=300)
        assert whole.returncode == 0 and whole.stderr == ""
        assert whole.stdout.endswith("\n") and ("N001" in whole.stdout if args == ["rules"] else True)
    assert len(json.loads(whole.stdout)["model"]["tables"]) == 2000
    assert len(whole.stdout) > 1_000_000  # far more than a pipe holds
    reader = subprocess.Popen(
        [*command, "inspect", str(schema), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=buffered,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(10)
    reader.stdout.close()  # as `| head -c 10` does
    stderr = reader.stderr.read().decode()
    assert reader.wait(timeout=300) == 0 and stderr == ""


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_below_one_is_refused_by_the_parser(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    from schemalint.cli import build_parser

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["drift", "db/migrations", "--jobs", jobs])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --jobs: expected a whole number of 1 or more, found '{jobs}'" in err
    assert build_parser().parse_args(["drift", "db/migrations", "--jobs", "1"]).jobs == 1


def test_extend_select_adds_to_the_selection_of_config_or_select(tmp_path: Path) -> None:
    bad = str(ROOT / "examples" / "bad-migrations")

    def codes(*args: str) -> set[str]:
        done = run("lint", bad, "-f", "json", *args, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        return {f["code"] for f in json.loads(done.stdout)["findings"] if not f["code"].startswith("E")}

    assert codes("--select", "N001") == {"N001"}
    assert codes("--select", "N001", "--extend-select", "T001,timestamp-without-time-zone") == {
        "N001",
        "T001",
        "T002",
    }
    (tmp_path / ".schemalint.yaml").write_text("select: [N001]\n")  # the file's selection, extended
    assert codes("--extend-select", "T001") == {"N001", "T001"}
    (tmp_path / ".schemalint.yaml").write_text("select: [N001]\nextend-select: [T002]\n")
    assert codes("--extend-select", "T001") == {"N001", "T001", "T002"}

    baseline = tmp_path / "baseline.json"
    done = run("baseline", bad, "-o", str(baseline), "--extend-select", "K001", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {entry["code"] for entry in json.loads(baseline.read_text())["findings"]} >= {"K001", "N001"}

    shown = run("config", "--extend-select", "M001", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert 'rules.M001 = "on"  # command line' in shown.stdout
    assert 'rules.N001 = "on"' in shown.stdout and 'rules.T003 = "off"' in shown.stdout

    unknown = run("lint", bad, "--extend-select", "T0011", cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "schemalint: error: command line: extend-select: no rule matches 'T0011' (did you mean T001?)\n"
    )
