"""Fidelity of static replay: for every corpus entry that loads on PostgreSQL 15, replay its files and
compare with the catalog of a database the same files were applied to.

    python bench/fidelity.py                 # every entry
    python bench/fidelity.py --only gitlab   # one or more entries ("temporal:schema-sql" for a variant)
    python bench/fidelity.py --keep          # leave the loaded databases behind, to look into them
    python bench/fidelity.py --list

Per entry: ``load.py apply`` into database fid_<entry>, ``catalog.introspect`` it, replay the same
files in apply order (``load.py files --render``, with the entry's search_path),
``diff.diff_models(replayed, live)``; then the entry's databases are dropped. They must not stay:
roles are global, and a kept database whose objects a load's roles own or are granted on makes
that load's ``DROP ROLE`` fail the next time, anywhere on the server (postgrest-spec then loads
nothing, and tests/test_corpus_fidelity.py compares an empty database).
The table goes into bench/RESULTS.md (section "fidelity"), the full lists into
bench/out/fidelity/<entry>.txt. Run it with the main venv's Python (it imports schemalint).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from corpus import CORPUS, entry_files, load_module

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "fidelity"
# the rows behind RESULTS.md's fidelity table, committed beside it: `--only` on a fresh checkout
# keeps the other entries' rows
SUMMARY = BENCH / "fidelity.json"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PSQL = "/usr/lib/postgresql/15/bin/psql"
SKIP = {
    "supabase-postgres": "needs its own cluster (initdb -U supabase_admin)",
    "chinook": "loads into its own database 'chinook', not the target",
    "pagila": "fails on PostgreSQL 15 (263 errors: PG18-only syntax)",
}
FIRST = 3  # differences shown in the table


@dataclass(frozen=True)
class Outcome:
    entry: str
    load_errors: str  # "0", "2 (expected 2)", or why it did not load
    statements: int = 0
    unparsed: int = 0  # E001 findings of replay
    objects: int = 0  # objects in the live model
    differences: int = 0
    first: tuple[str, ...] = ()
    seconds: float = 0.0
    problem: str = ""  # a crash or a failed load: the row has no differences to show


def entries(load: ModuleType) -> dict[str, tuple[str, str | None, Any]]:
    """entry label -> (corpus name, variant, plan) for every entry and variant, skipped ones included."""
    out: dict[str, tuple[str, str | None, Any]] = {}
    for name, record in load.load_catalog().items():
        for variant in (None, *(record.get("variants") or {})):
            label = name if variant is None else f"{name}:{variant}"
            out[label] = (name, variant, load.make_plan(record, variant))
    return out


def database_for(label: str) -> str:
    return "fid_" + re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _variant_args(variant: str | None) -> list[str]:
    return ["--variant", variant] if variant else []


def _psql(server: str, sql: str) -> str:
    done = subprocess.run([PSQL, "-X", "-At", "-d", server, "-c", sql], capture_output=True, text=True)
    return done.stdout.strip()


def load_entry(server: str, label: str, name: str, variant: str | None) -> str:
    """Apply the entry into its database; the load's error summary."""
    command = [sys.executable, str(CORPUS / "load.py"), "apply", name, *_variant_args(variant)]
    done = subprocess.run(
        [*command, "--dsn", server, "--database", database_for(label), "--create"],
        capture_output=True,
        text=True,
    )
    found = re.search(r"(\d+) errors \(expected (\w+)", done.stdout)
    return f"{found[1]} (expected {found[2]})" if found else f"load failed: {done.stderr.strip()[-200:]}"


def drop_entry(server: str, label: str, plan: Any) -> None:
    database = database_for(label)
    for db in (database, *(t.replace("{db}", database) for t in plan.databases.values())):
        _psql(server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def check(server: str, label: str, name: str, variant: str | None, plan: Any) -> Outcome:
    if str(BENCH.parent) not in sys.path:  # works before `pip install -e .` too
        sys.path.insert(0, str(BENCH.parent))
    from schemalint.drift.diff import diff_models
    from schemalint.sources.catalog import introspect
    from schemalint.sources.sql.parse import read_sql_file
    from schemalint.sources.sql.replay import replay_files

    started = time.perf_counter()
    load_errors = load_entry(server, label, name, variant)
    if load_errors.startswith("load failed"):
        return Outcome(label, load_errors, problem=load_errors)
    database = database_for(label)
    search_path = tuple(p.strip() for p in plan.settings.get("search_path", "public").split(","))
    report: list[str] = [f"# {label}: replay of the files vs the catalog of {database}", ""]
    total = Outcome(label, load_errors)
    first: list[str] = []
    targets = {"target": database} | {
        key: template.replace("{db}", database) for key, template in plan.databases.items()
    }
    for only, db in targets.items():
        files = entry_files(
            name, variant, OUT / "rendered" / database_for(label), only=only, database=database
        )
        replayed = replay_files([read_sql_file(p) for p in files], search_path=search_path)
        live = introspect(server.rsplit("/", 1)[0] + f"/{db}")
        differences = diff_models(replayed.model, live)
        counts = f"{live.object_count()} live objects, {replayed.model.object_count()} replayed objects"
        report += [f"## database {db}: {len(files)} files, {replayed.statements} statements, {counts}", ""]
        report += [f"### {len(replayed.findings)} statements replay did not understand (E001)", ""]
        report += [f"{f.location}: {f.message}" if f.location else f.message for f in replayed.findings]
        report += ["", f"### {len(differences)} differences (declared = replayed, live = catalog)", ""]
        report += [str(d) for d in differences] + [""]
        first += [str(d) for d in differences[:FIRST]]
        total = Outcome(
            label,
            load_errors,
            total.statements + replayed.statements,
            total.unparsed + len(replayed.findings),
            total.objects + live.object_count(),
            total.differences + len(differences),
        )
    (OUT / f"{label.replace('/', '_').replace(':', '_')}.txt").write_text("\n".join(report))
    return Outcome(
        **{**asdict(total), "first": tuple(first[:FIRST]), "seconds": time.perf_counter() - started}
    )


def table(outcomes: dict[str, Outcome], skipped: dict[str, str]) -> str:
    lines = [
        "## Fidelity: static replay vs the catalog (PostgreSQL 15)",
        "",
        "Written by `bench/fidelity.py`: for each corpus entry, the files replayed statically against the",
        "same files applied by `load.py` and read back from the catalog; full lists in",
        "`bench/out/fidelity/<entry>.txt`.",
        "`differences` should be 0; `unparsed` counts E001 (statements replay did not understand).",
        "",
        "| entry | load errors | statements | unparsed | objects | differences | first differences |",
        "|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for label in sorted(outcomes):
        o = outcomes[label]
        shown = o.problem or "<br>".join(_cell(text) for text in o.first)
        lines.append(
            f"| {label} | {o.load_errors} | {o.statements} | {o.unparsed} | {o.objects} | {o.differences} "
            f"| {shown} |"
        )
    for label, why in sorted(skipped.items()):
        lines.append(f"| {label} | skipped: {why} | | | | | |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return f"`{text[:160]}`"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", metavar="ENTRY", help="entries to check (default: all)")
    parser.add_argument("--keep", action="store_true", help="leave the loaded databases behind")
    parser.add_argument(
        "--server", default=DEFAULT_SERVER, help=f"PostgreSQL server (default {DEFAULT_SERVER})"
    )
    parser.add_argument("--list", action="store_true", help="list the entries and exit")
    args = parser.parse_args(argv)

    load = load_module()
    known = entries(load)
    if args.list:
        for label in known:
            print(label + (f"  (skipped: {SKIP[known[label][0]]})" if known[label][0] in SKIP else ""))
        return 0
    unknown = sorted(set(args.only or ()) - set(known))
    if unknown:
        print(f"fidelity.py: no entry {', '.join(unknown)}; --list shows them", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    stored = json.loads(SUMMARY.read_text()) if SUMMARY.exists() else {}
    outcomes = {label: Outcome(**{**o, "first": tuple(o["first"])}) for label, o in stored.items()}
    skipped = {label: SKIP[n] for label, (n, _, _) in known.items() if n in SKIP}
    for label in args.only or list(known):
        name, variant, plan = known[label]
        if name in SKIP:
            continue
        try:
            outcome = check(args.server, label, name, variant, plan)
        except Exception as exc:  # a crash in replay or introspection is a result, not the end of the run
            crash = "".join(traceback.format_exception(exc))
            (OUT / f"{label.replace('/', '_').replace(':', '_')}.txt").write_text(crash)
            outcome = Outcome(label, "?", problem=f"crashed: {type(exc).__name__}: {str(exc)[:150]}")
        finally:
            if not args.keep:
                drop_entry(args.server, label, plan)
        outcomes[label] = outcome
        problem = f" {outcome.problem}" if outcome.problem else ""
        print(f"{label}: {outcome.differences} differences, {outcome.unparsed} unparsed "
              f"({outcome.seconds:.1f} s){problem}", flush=True)  # fmt: skip
        SUMMARY.write_text(json.dumps({k: asdict(v) for k, v in outcomes.items()}, indent=1))
    sys.path.insert(0, str(BENCH))
    from results import replace_section

    replace_section("fidelity", table(outcomes, skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
