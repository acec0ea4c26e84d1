"""RESULTS.md: machine facts, the comparison table, the exact commands; rows kept in bench/results.json.

RESULTS.md has sections owned by different scripts, between HTML comment markers:
``run.py`` writes the benchmark section, ``fidelity.py`` the fidelity section;
each rewrites only its own, so either can be re-run alone.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import Context, Row
from measure import Measured

BENCH = Path(__file__).resolve().parent
RESULTS_MD = BENCH / "RESULTS.md"
TITLE = "# schemalint benchmarks\n"


def replace_section(name: str, body: str, path: Path = RESULTS_MD) -> None:
    """Replace (or append) the text between <!-- NAME:start --> and <!-- NAME:end --> in RESULTS.md."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else TITLE
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def _row_json(row: Row) -> dict[str, object]:
    return {
        "bench": row.bench,
        "what": row.what,
        "ours": row.ours.to_json(),
        "base": None if row.base is None else row.base.to_json(),
        "target": row.target,
        "max_ratio": row.max_ratio,
        "max_rss_mb": row.max_rss_mb,
        "max_wall_s": row.max_wall_s,
        "note": row.note,
    }


def _row_from(data: Mapping[str, object]) -> Row:
    base = data.get("base")
    ours = data["ours"]
    assert isinstance(ours, dict)
    return Row(
        bench=str(data["bench"]),
        what=str(data["what"]),
        ours=Measured.from_json(ours),
        base=Measured.from_json(base) if isinstance(base, dict) else None,
        target=str(data.get("target") or ""),
        max_ratio=_float(data.get("max_ratio")),
        max_rss_mb=_float(data.get("max_rss_mb")),
        max_wall_s=_float(data.get("max_wall_s")),
        note=str(data.get("note") or ""),
    )


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def load_rows(path: Path) -> dict[str, list[Row]]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text())
    return {name: [_row_from(r) for r in rows] for name, rows in raw.get("rows", {}).items()}


def save_rows(path: Path, rows: Mapping[str, Sequence[Row]], facts: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"facts": dict(facts), "rows": {name: [_row_json(r) for r in rs] for name, rs in rows.items()}}
    path.write_text(json.dumps(data, indent=1))


def _capture(*args: str) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    except OSError:
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def machine_facts(ctx: Context) -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    main_python = BENCH.parent / ".venv" / "bin" / "python"
    facts = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "schemalint commit": _capture("git", "-C", str(BENCH.parent), "rev-parse", "--short", "HEAD"),
        "cpu": f"{os.cpu_count()} cores, {model}",
        "memory": f"{int(meminfo[1]) // 1024:,} MB",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "os": platform.platform(),
        "python": _capture(str(main_python), "--version")
        if main_python.exists()
        else platform.python_version(),
        "postgresql server": _capture(
            str(ctx.tools.psql), "-X", "-At", "-d", ctx.server, "-c", "SHOW server_version"
        ),
    }
    facts.update({name: version for name, version in ctx.tools.versions.items()})
    return facts


def _cell(m: Measured | None, ours: bool) -> tuple[str, str]:
    if m is None:
        return "", ""
    if not m.ok:
        why = _escape(m.error or "no samples")
        return (f"not available yet: {why}" if ours else f"failed: {why}"), ""
    runs = f" (n={len(m.samples)})" if len(m.samples) != 5 else ""
    return f"{m.wall_s:.3f} s{runs}", f"{m.rss_mb:.0f} MB"


def _short(command: str, keep: int = 8) -> str:
    """The command with repository and corpus paths made relative, and long file lists cut."""
    repo = str(BENCH.parent) + "/"
    text = re.sub(r"^.*schemalint\.cli import main; sys\.exit\(main\(\)\)'", "schemalint", command)
    text = text.replace(str(BENCH.parent.parent / "shared") + "/", "../shared/").replace(repo, "")
    parts = text.split(" ")
    if len(parts) > keep + 4:
        redirect = parts[-2:] if parts[-2] == ">" else []
        body = parts[: len(parts) - len(redirect)]
        text = " ".join([*body[:keep], f"… ({len(body) - keep} more)", *redirect])
    return text


def _program(m: Measured | None) -> str:
    if m is None:
        return ""
    program = Path(shlex.split(m.command)[0]).name if m.command else m.label
    return "schemalint" if program.startswith("python") else program


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:200]


def _verdict(row: Row) -> str:
    if row.met is None:
        return "—" if row.target else ""
    return "yes" if row.met else "**no**"


def render(rows: Mapping[str, Sequence[Row]], facts: Mapping[str, str], repeat: int) -> str:
    lines = [
        f"Written by `bench/run.py` ({facts.get('date', '')}); run `python bench/run.py` to refresh,",
        "`--only NAME …` to refresh some benchmarks (the others keep their last numbers).",
        "",
        "## Machine",
        "",
        "| fact | value |",
        "|---|---|",
        *(f"| {k} | {_escape(v)} |" for k, v in facts.items()),
        "",
        "The machine is a virtual machine on a **shared host**: absolute times vary from run to run (the",
        "peers' own times too), so compare the ratios. Every benchmark runs its commands interleaved",
        f"(peer, ours, peer, ours …, {repeat} rounds) so that load falls on both alike; times are medians,",
        "memory is the peak RSS of",
        "the process (max over runs), measured with `/usr/bin/time -f %M`. Runs slower than 60 s are made",
        "once.",
        "",
        "## Results",
        "",
        "| # | benchmark | schemalint | peak RSS | peer | wall | peak RSS | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    all_rows = [row for name in rows for row in rows[name]]
    for row in sorted(all_rows, key=lambda r: (len(r.bench.rstrip("abcd")), r.bench)):
        ours_wall, ours_rss = _cell(row.ours, ours=True)
        base_wall, base_rss = _cell(
            row.base, ours=row.base is not None and _program(row.base) == "schemalint"
        )
        peer = _program(row.base)
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
        lines.append(
            f"| {row.bench} | {row.what} | {ours_wall} | {ours_rss} | {peer} | {base_wall} | {base_rss} "
            f"| {ratio} | {row.target} | {_verdict(row)} |"
        )
    lines += ["", "## Commands", ""]
    for row in sorted(all_rows, key=lambda r: (len(r.bench.rstrip("abcd")), r.bench)):
        lines.append(f"- **{row.bench}** ours: `{_short(row.ours.command)}`")
        if row.base is not None:
            lines.append(f"  - {_program(row.base)}: `{_short(row.base.command)}`")
        if row.note:
            lines.append(f"  - note: {row.note}")
    lines += [
        "",
        "Notes: `pg_dump` and `migra` peak RSS is the client process only (the server backend's work is not",
        "counted for either side). migra compares two loaded databases (it cannot read SQL files);",
        "schemalint compares the SQL file with one database. squawk and sqlfluff exit 1 when they find",
        "something; that counts as a successful run, as does migra's exit 2 (differences found).",
    ]
    return "\n".join(lines)
