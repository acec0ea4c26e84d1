"""Run the benchmarks and write bench/RESULTS.md.

    python bench/run.py                       # all benchmarks, 5 interleaved rounds each
    python bench/run.py --only parse lint     # some of them; the others keep their last rows
    python bench/run.py --repeat 3

Peers are installed into bench/.venv-peers on first use. Generated databases
(bench_gitlab, bench_gitlab2, bench_wide, bench_tenants) are kept between runs
and rebuilt only when their generator version changes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import BENCHMARKS, Context, Row
from peers import tools
from results import load_rows, machine_facts, render, replace_section, save_rows

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
# the rows behind RESULTS.md are committed beside it, so that `--only` on a fresh checkout keeps the
# other benchmarks' last numbers
STORE = BENCH / "results.json"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"benchmarks to run: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--repeat", type=int, default=5, help="interleaved rounds per benchmark (default 5)")
    parser.add_argument(
        "--server", default=DEFAULT_SERVER, help=f"PostgreSQL server (default {DEFAULT_SERVER})"
    )
    args = parser.parse_args(argv)  # fmt: skip

    # measure every Python program (ours, sqlfluff, migra) as on users' machines, where bytecode
    # is written once and read after: a PYTHONDONTWRITEBYTECODE=1 inherited from the environment
    # would have each run compile every module it imports that has no .pyc yet (1.2–1.6 s for ours)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(BENCH.parent / "schemalint")], check=True)
    ctx = Context(tools=tools(), server=args.server, repeat=args.repeat, out=OUT)
    print(f"schemalint: {' '.join(ctx.tools.schemalint)}", file=sys.stderr)
    facts = machine_facts(ctx)
    rows: dict[str, list[Row]] = load_rows(STORE)
    for name in args.only or list(BENCHMARKS):
        started = time.perf_counter()
        print(f"[{name}] running", file=sys.stderr, flush=True)
        rows[name] = BENCHMARKS[name](ctx)
        for row in rows[name]:
            ours = f"{row.ours.wall_s:.3f} s" if row.ours.ok else f"ours failed: {row.ours.error}"
            base = f"{row.base.wall_s:.3f} s" if row.base is not None and row.base.ok else "-"
            print(f"  {row.bench} {row.what}: {ours} | base {base}", file=sys.stderr)
        print(f"[{name}] done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        save_rows(STORE, rows, facts)
    ordered = {name: rows[name] for name in BENCHMARKS if name in rows}
    replace_section("bench", render(ordered, facts, args.repeat))
    print(f"wrote {BENCH / 'RESULTS.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
