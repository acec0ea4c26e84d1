"""The standard pack over the whole corpus: finding counts per entry and rule family, and the time taken.

    python bench/corpus_lint.py                  # every entry and variant
    python bench/corpus_lint.py --only gitlab    # some ("temporal:schema-sql" for a variant)
    python bench/corpus_lint.py --no-write       # print the table, leave RESULTS.md alone

Per entry: its files as ``load.py files NAME --render DIR --only target --expand-includes`` lists
them (apply order), linted the way ``schemalint lint FILE…`` lints them (``engine.lint_files`` with
the standard pack and no configuration file). Nothing is loaded into a database. The same files are
also replayed alone in the order given (``replay.replay_files``), so that the E001 counts of the
two can be compared: they should be equal. The table goes into bench/RESULTS.md between
``<!-- corpus-lint:start -->`` and ``<!-- corpus-lint:end -->``. Run it with the main venv's Python.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SECTION = "corpus-lint"
FAMILIES = ("N", "C", "T", "K", "R", "M", "S")  # the standard pack's rule families
TOP = 3  # most frequent rules shown per entry

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
from corpus import CORPUS, entry_files, load_module  # noqa: E402


@dataclass(frozen=True)
class Counted:
    entry: str
    files: int = 0
    statements: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # rule code → findings
    replay_e001: int = 0  # E001 of replay_files over the same files in the same order
    lint_seconds: float = 0.0
    replay_seconds: float = 0.0
    problem: str = ""  # the run raised: the row has no counts

    @property
    def findings(self) -> int:
        return sum(self.counts.values())

    def family(self, letter: str) -> int:
        return sum(n for code, n in self.counts.items() if code.startswith(letter))


def entries(load: ModuleType) -> list[tuple[str, str, str | None]]:
    out = []
    for name, record in load.load_catalog().items():
        for variant in (None, *(record.get("variants") or {})):
            out.append((name if variant is None else f"{name}:{variant}", name, variant))
    return out


def count(label: str, name: str, variant: str | None, scratch: Path) -> Counted:
    from schemalint.config import Settings
    from schemalint.engine import lint_files
    from schemalint.sources.sql.parse import read_sql_file
    from schemalint.sources.sql.replay import replay_files

    render = scratch / label.replace("/", "_").replace(":", "_")
    try:
        files = entry_files(name, variant, render)
        start = time.perf_counter()
        result = lint_files(files, Settings.default(scratch))
        lint_seconds = time.perf_counter() - start
        start = time.perf_counter()
        replayed = replay_files([read_sql_file(p) for p in files])
        replay_seconds = time.perf_counter() - start
    except Exception as error:  # one entry's failure is a row, not the end of the run
        traceback.print_exc()
        return Counted(label, problem=f"{type(error).__name__}: {error}")
    return Counted(
        label,
        files=len(files),
        statements=result.statements,
        counts=Counter(f.code for f in result.findings),
        replay_e001=sum(1 for f in replayed.findings if f.code == "E001"),
        lint_seconds=lint_seconds,
        replay_seconds=replay_seconds,
    )


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def _num(n: int) -> str:
    return f"{n:,}" if n else "·"


def table(rows: list[Counted], load_average: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ok = [r for r in rows if not r.problem]
    lines = [
        "## The standard pack over the corpus",
        "",
        f"Written by `bench/corpus_lint.py` ({when}, commit {_commit()}, load average at start "
        f"{load_average}); run `python bench/corpus_lint.py` to refresh.",
        "",
        "Every corpus entry's files (apply order, as `load.py files --render` lists them) linted as",
        "`schemalint lint FILE…` lints them, with the standard pack and no configuration. Columns N…S are",
        "the findings of each rule family; E001 is statements not replayed, *E001 replay* the same count",
        "from `replay_files` over the same files in the same order (the two should be equal: where they",
        "differ, lint replays the list differently, see the xfails in tests/test_corpus_lint.py); E002 is",
        "a rule or replay crash. Times are one run each on 2 shared cores: lint is the whole",
        "`lint_files` call (read, parse, replay, every rule), replay is reading, parsing and `replay_files`.",
        "",
        "| entry | files | statements | findings | "
        + " | ".join(FAMILIES)
        + " | E001 | E001 replay | E002 | top rules | lint | replay |",
        "|---|" + "---:|" * (6 + len(FAMILIES)) + "---|---:|---:|",
    ]
    for r in rows:
        if r.problem:
            lines.append(f"| {r.entry} | {r.problem.replace('|', '/')} |")
            continue
        rules = [(code, n) for code, n in r.counts.most_common() if not code.startswith("E")]
        top = ", ".join(f"{code} {n:,}" for code, n in rules[:TOP])
        families = " | ".join(_num(r.family(letter)) for letter in FAMILIES)
        lines.append(
            f"| {r.entry} | {r.files:,} | {r.statements:,} | {r.findings:,} | {families} | "
            f"{_num(r.counts['E001'])} | {_num(r.replay_e001)} | {_num(r.counts['E002'])} | {top} | "
            f"{r.lint_seconds:.2f} s | {r.replay_seconds:.2f} s |"
        )
    total = Counter[str]()
    for r in ok:
        total.update(r.counts)
    lines += [
        "",
        f"{len(ok)} entries, {sum(r.statements for r in ok):,} statements, {sum(total.values()):,} findings, "
        f"{total['E002']} crashes; lint {sum(r.lint_seconds for r in ok):.1f} s in all. Most frequent rules: "
        + ", ".join(f"{code} {n:,}" for code, n in total.most_common(8))
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", metavar="ENTRY", help="entries to run (label as in the table)")
    parser.add_argument("--no-write", action="store_true", help="print the table, do not touch RESULTS.md")
    args = parser.parse_args(argv)
    if not (CORPUS / "load.py").is_file():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    load = load_module()
    chosen = entries(load)
    if args.only:
        unknown = set(args.only) - {label for label, _, _ in chosen}
        if unknown:
            print(f"unknown entries: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        chosen = [e for e in chosen if e[0] in args.only]
    load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = []
    with tempfile.TemporaryDirectory(prefix="corpus-lint-") as scratch:
        for label, name, variant in chosen:
            row = count(label, name, variant, Path(scratch))
            print(f"{label:34} {row.findings:7,} findings  lint {row.lint_seconds:6.2f} s {row.problem}")
            rows.append(row)
    text = table(rows, load_average)
    if args.no_write:
        print(text)
        return 0
    from results import replace_section

    replace_section(SECTION, text)
    print(f"wrote the {SECTION} section of {BENCH / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
