"""The benchmarks: schemalint next to its peers, each as a function of the run context.

Every benchmark returns rows; a row compares one schemalint command with one
peer (or baseline) command, measured interleaved in the same run. When the
schemalint command fails (not implemented yet, or broken), the row keeps the
peer's numbers and says why ours is missing.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cluster
import generate
from corpus import CORPUS
from measure import Command, Measured, argv, interleaved, run_once
from peers import Tools

GITLAB_SQL = CORPUS / "schemas" / "gitlab.sql"
KESTRA = CORPUS / "migrations" / "kestra"
KRATOS = CORPUS / "migrations" / "ory-kratos"
LOAD_PY = CORPUS / "load.py"
FINDINGS = frozenset({0, 1})  # linters exit 1 when they find something
LINT_TIMEOUT_S = 180.0  # far beyond any target; a slower lint is reported as timed out


@dataclass(frozen=True)
class Context:
    tools: Tools
    server: str  # libpq URI of the server's maintenance database
    repeat: int
    out: Path

    def dsn(self, database: str) -> str:
        return generate.with_database(self.server, database)


@dataclass(frozen=True)
class Row:
    """One comparison: ours / base, with the target it is held to."""

    bench: str
    what: str
    ours: Measured
    base: Measured | None
    target: str = ""
    max_ratio: float | None = None
    max_rss_mb: float | None = None
    max_wall_s: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.base is None or not (self.ours.ok and self.base.ok) or self.base.wall_s == 0:
            return None
        return self.ours.wall_s / self.base.wall_s

    @property
    def met(self) -> bool | None:
        """True/False against the target; None when there is no target or nothing to judge."""
        if not self.ours.ok or not (self.max_ratio or self.max_rss_mb or self.max_wall_s):
            return None
        checks = []
        if self.max_ratio is not None:
            if self.ratio is None:
                return None
            checks.append(self.ratio <= self.max_ratio)
        if self.max_rss_mb is not None:
            checks.append(self.ours.rss_mb < self.max_rss_mb)
        if self.max_wall_s is not None:
            checks.append(self.ours.wall_s < self.max_wall_s)
        return all(checks)


def _sl(ctx: Context, *args: str | Path) -> tuple[str, ...]:
    return argv(ctx.tools.schemalint, *args)


def _out(ctx: Context, name: str) -> Path:
    ctx.out.mkdir(parents=True, exist_ok=True)
    return ctx.out / name


def _pair(ctx: Context, ours: Command, base: Command) -> tuple[Measured, Measured]:
    measured = interleaved({"base": base, "ours": ours}, ctx.repeat)
    return measured["ours"], measured["base"]


def ensure_gitlab(ctx: Context, database: str) -> None:
    """GitLab's schema loaded into `database` with the corpus loader (reused when already loaded)."""
    psql = ctx.tools.psql
    if generate.is_marked(psql, ctx.server, database, "gitlab"):
        return
    print(f"loading gitlab into {database}", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            str(LOAD_PY),
            "apply",
            "gitlab",
            "--dsn",
            ctx.server,
            "--database",
            database,
            "--create",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    generate.mark_database(psql, ctx.server, database, "gitlab")


def parse(ctx: Context) -> list[Row]:
    ours = Command(
        _sl(ctx, "inspect", GITLAB_SQL, "--format", "json"), stdout=_out(ctx, "gitlab.inspect.json")
    )
    squawk = Command(argv(ctx.tools.squawk, "--reporter", "json", GITLAB_SQL), FINDINGS)
    o, b = _pair(ctx, ours, squawk)
    return [
        Row("1", "parse + replay gitlab.sql (2.7 MB)", o, b, "≤ 2× squawk, < 400 MB", 2.0, 400.0),
    ]


def introspect(ctx: Context) -> list[Row]:
    ensure_gitlab(ctx, "bench_gitlab")
    dsn = ctx.dsn("bench_gitlab")
    ours = Command(_sl(ctx, "inspect", dsn, "--format", "json"), stdout=_out(ctx, "gitlab.catalog.json"))
    dump = Command(argv(ctx.tools.pg_dump, "--schema-only", "-d", dsn), stdout=_out(ctx, "gitlab.dump.sql"))
    o, b = _pair(ctx, ours, dump)
    return [Row("2", "introspect GitLab in PostgreSQL (1,401 tables)", o, b, "≤ 1× pg_dump", 1.0)]


def wide(ctx: Context) -> list[Row]:
    built = generate.ensure_database(
        ctx.tools.psql, ctx.server, "bench_wide", "wide", generate.wide_sql(), ctx.out
    )
    if built:
        print("built bench_wide (100 schemas × 100 tables)", file=sys.stderr)
    dsn = ctx.dsn("bench_wide")
    whole = Command(_sl(ctx, "inspect", dsn, "--format", "json"), stdout=_out(ctx, "wide.json"))
    one = Command(
        _sl(ctx, "inspect", dsn, "--schema", "s001", "--format", "json"), stdout=_out(ctx, "wide.s001.json")
    )
    dump = Command(argv(ctx.tools.pg_dump, "--schema-only", "-d", dsn), stdout=_out(ctx, "wide.dump.sql"))
    dump_one = Command(
        argv(ctx.tools.pg_dump, "--schema-only", "-n", "s001", "-d", dsn),
        stdout=_out(ctx, "wide.s001.dump.sql"),
    )
    m = interleaved({"dump": dump, "whole": whole, "dump_one": dump_one, "one": one}, ctx.repeat)
    fraction = ""
    if m["one"].ok and m["whole"].ok:
        fraction = f"one schema takes {m['one'].wall_s / m['whole'].wall_s:.0%} of the whole inspect"
    return [
        Row("3a", "introspect 10,000 tables (100 schemas × 100)", m["whole"], m["dump"], "≤ 1× pg_dump", 1.0),
        Row("3b", "introspect one schema of it (--schema s001)", m["one"], m["dump_one"], "", note=fraction),
    ]


def lint(ctx: Context) -> list[Row]:
    ours = Command(
        _sl(ctx, "lint", GITLAB_SQL, "--format", "json", "--no-cache"),
        FINDINGS,
        stdout=_out(ctx, "gitlab.lint.json"),
        timeout_s=LINT_TIMEOUT_S,
    )
    cache = ctx.out / "cache-gitlab"
    warm = Command(
        _sl(ctx, "lint", GITLAB_SQL, "--format", "json", "--cache-dir", cache),
        FINDINGS,
        stdout=_out(ctx, "gitlab.lint.warm.json"),
        timeout_s=LINT_TIMEOUT_S,
    )
    run_once(warm)  # the cache filled: what is measured is a lint of an unchanged file
    squawk = Command(argv(ctx.tools.squawk, "--reporter", "json", GITLAB_SQL), FINDINGS)
    m = interleaved({"squawk": squawk, "cold": ours, "warm": warm}, ctx.repeat)
    return [
        Row("4", "lint gitlab.sql, standard pack, json (--no-cache)", m["cold"], m["squawk"],
            "≤ 3.5× squawk, < 400 MB", 3.5, 400.0),
        Row("4w", "the same, warm: the cache kept from an earlier run", m["warm"], m["squawk"],
            "≤ 1× squawk", 1.0),
    ]  # fmt: skip


def precommit(ctx: Context) -> list[Row]:
    directory = ctx.out / "migrations"
    files = generate.migration_dir(directory, 50)
    one = files[8]  # V009__index_orders_user.sql: CREATE INDEX without CONCURRENTLY on a live table
    ours_one = Command(_sl(ctx, "lint", one, "--no-cache"), FINDINGS)
    ours_dir = Command(_sl(ctx, "lint", directory, "--no-cache"), FINDINGS)
    ours_kestra = Command(_sl(ctx, "lint", KESTRA, "--no-cache"), FINDINGS)
    squawk_one = Command(argv(ctx.tools.squawk, one), FINDINGS)
    squawk_dir = Command(argv(ctx.tools.squawk, [str(p) for p in files]), FINDINGS)
    fluff = argv(ctx.tools.sqlfluff, "lint", "--dialect", "postgres", "--nocolor")
    fluff_one = Command(argv(fluff, one), FINDINGS)
    kestra_files = sorted(str(p) for p in KESTRA.rglob("*.sql"))
    fluff_kestra = Command(argv(fluff, "--processes", "1", kestra_files), FINDINGS)
    m = interleaved(
        {
            "squawk_one": squawk_one,
            "ours_one": ours_one,
            "fluff_one": fluff_one,
            "squawk_dir": squawk_dir,
            "ours_dir": ours_dir,
        },
        ctx.repeat,
    )
    k = interleaved({"fluff_kestra": fluff_kestra, "ours_kestra": ours_kestra}, ctx.repeat)
    return [
        Row("5a", f"pre-commit: lint one file ({one.name})", m["ours_one"], m["squawk_one"], "< 300 ms",
            max_wall_s=0.3),
        Row("5b", "pre-commit: the same file, vs sqlfluff", m["ours_one"], m["fluff_one"], "< 300 ms",
            max_wall_s=0.3),
        Row("5c", "lint the 50-file migration directory", m["ours_dir"], m["squawk_dir"]),
        Row("5d", f"lint kestra's migrations ({len(kestra_files)} files), vs sqlfluff", k["ours_kestra"],
            k["fluff_kestra"]),
    ]  # fmt: skip


NEW_MIGRATION = "CREATE INDEX idx_new ON {table} (created_at);\n"


def new_file_command(ctx: Context, directory: Path, name: str, table: str) -> tuple[Command, Path]:
    """A pre-commit lint of a new file at the end of `directory`, on a warm cache: each run first
    appends a comment with its shell's pid to the file, so that every run lints a file the cache
    has not seen (its findings are made anew) on a history it has (its state is read back)."""
    new = directory / name
    new.write_text(NEW_MIGRATION.format(table=table))
    cache = directory.parent / f"{directory.name}.cache"
    lint = shlex.join(argv(ctx.tools.schemalint, "lint", new, "--cache-dir", cache, "--no-progress"))
    command = Command(("sh", "-c", f"printf -- '-- %s\\n' \"$$\" >> {shlex.quote(str(new))} && exec {lint}"),
                      FINDINGS)  # fmt: skip
    run_once(command)  # the history's state kept
    return command, new


def _settled(directories: list[Path], seconds: float = 2.5) -> None:
    """Wait until no file of the directories changed in the last `seconds`: a project's history is
    old files, and the cache re-reads a file changed in the last 2 s (its times may not show
    the next change yet), so a history written just now would be measured as a fresh checkout."""
    newest = max(os.stat(path).st_ctime for folder in directories for path in folder.iterdir())
    time.sleep(max(0.0, newest + seconds - time.time()))


def precommit_cache(ctx: Context, sizes: tuple[int, int] = (50, 2000)) -> list[Row]:
    kratos = ctx.out / "kratos"
    if kratos.exists():
        shutil.rmtree(kratos)
    shutil.copytree(KRATOS, kratos)
    small, large = (generate.migration_dir(ctx.out / f"history{n}", n) for n in sizes)
    _settled([kratos, small[0].parent, large[0].parent])
    on_kratos, new = new_file_command(ctx, kratos, "99991231000000000000_new.postgres.up.sql", "identities")
    squawk = Command(argv(ctx.tools.squawk, new), FINDINGS)
    on_small, _ = new_file_command(ctx, small[0].parent, "V9999__new.sql", "orders")
    on_large, _ = new_file_command(ctx, large[0].parent, "V9999__new.sql", "orders")
    m = interleaved({"squawk": squawk, "kratos": on_kratos, "small": on_small, "large": on_large}, ctx.repeat)
    kratos_files = sum(1 for _ in KRATOS.glob("*.sql"))
    return [
        Row("5e", f"pre-commit, warm cache: a new file after ory-kratos' {kratos_files} files", m["kratos"],
            m["squawk"], "≤ 0.20 s", max_wall_s=0.2),
        Row("5f", f"pre-commit, warm cache: a new file after {sizes[1]:,} generated files vs {sizes[0]}",
            m["large"], m["small"], "flat: ≤ 1.25×, ≤ 0.20 s", 1.25, max_wall_s=0.2),
    ]  # fmt: skip


def drift(ctx: Context) -> list[Row]:
    ensure_gitlab(ctx, "bench_gitlab")
    ensure_gitlab(ctx, "bench_gitlab2")
    ours = Command(
        _sl(ctx, "drift", GITLAB_SQL, ctx.dsn("bench_gitlab"), "--format", "json"),
        FINDINGS,
        stdout=_out(ctx, "gitlab.drift.json"),
    )
    migra = Command(
        argv(ctx.tools.migra, "--unsafe", ctx.dsn("bench_gitlab"), ctx.dsn("bench_gitlab2")),
        frozenset({0, 2}),  # 2: differences found
        stdout=_out(ctx, "gitlab.migra.sql"),
    )
    o, b = _pair(ctx, ours, migra)
    return [
        Row("6", "drift: gitlab.sql vs GitLab in PostgreSQL (migra: database vs database)", o, b,
            "< 3 s", max_wall_s=3.0),
    ]  # fmt: skip


def _tenants_on(ctx: Context, server: str, tag: str) -> tuple[Measured, Measured]:
    built = generate.ensure_database(
        ctx.tools.psql, server, "bench_tenants", "tenants", generate.tenants_sql(), ctx.out / tag
    )
    if built:
        print(f"built bench_tenants (1,000 schemas × 30 tables) on {server}", file=sys.stderr)
    declared = _out(ctx, "tenant.sql")
    declared.write_text(generate.tenant_schema_sql())
    dsn = generate.with_database(server, "bench_tenants")
    ours = Command(
        _sl(ctx, "drift", declared, dsn, "--each-schema", "tenant_%", "--format", "json"),
        FINDINGS,
        stdout=_out(ctx, f"tenants.{tag}.drift.json"),
    )
    dump = Command(
        argv(ctx.tools.pg_dump, "--schema-only", "-d", dsn), stdout=_out(ctx, f"tenants.{tag}.dump.sql")
    )
    return _pair(ctx, ours, dump)


def tenants(ctx: Context) -> list[Row]:
    drifted = ", ".join(f"tenant_{t:04d}" for t in generate.DRIFTED_TENANTS)
    private = f"bench/cluster.py: PostgreSQL 15 on port {cluster.PORT}, started for this benchmark only"
    shared_ours, shared_dump = _tenants_on(ctx, ctx.server, "shared")
    with cluster.private_server() as server:
        private_ours, private_dump = _tenants_on(ctx, server, "private")
    return [
        Row("7a", "drift 1,000 tenant schemas × 30 tables (--each-schema), default server settings",
            shared_ours, shared_dump, "≤ 1.5× pg_dump", 1.5,
            note=f"pg_dump locks every table; 30,000 exceed the default lock table. Drifted: {drifted}"),
        Row("7b", "the same on a private cluster with max_locks_per_transaction = 512",
            private_ours, private_dump, "≤ 1.5× pg_dump", 1.5, note=private),
    ]  # fmt: skip


def render(ctx: Context) -> list[Row]:
    text = Command(
        _sl(ctx, "lint", GITLAB_SQL, "--format", "text"),
        FINDINGS,
        stdout=_out(ctx, "gitlab.lint.txt"),
        timeout_s=LINT_TIMEOUT_S,
    )
    json = Command(
        _sl(ctx, "lint", GITLAB_SQL, "--format", "json"),
        FINDINGS,
        stdout=_out(ctx, "gitlab.lint.json"),
        timeout_s=LINT_TIMEOUT_S,
    )
    m = interleaved({"json": json, "text": text}, ctx.repeat)
    return [
        Row("8", "render lint findings on gitlab.sql: text vs json", m["text"], m["json"], "≤ 2× json", 2.0)
    ]


def big(ctx: Context) -> list[Row]:
    """A 50 MB DDL file (GitLab's dump again and again, each copy in schemas of its own)."""
    schema = generate.big_ddl(GITLAB_SQL, _out(ctx, "big.sql"))
    lint = Command(
        _sl(ctx, "lint", schema, "--format", "json", "--no-cache"),
        FINDINGS,
        stdout=_out(ctx, "big.lint.json"),
        timeout_s=LINT_TIMEOUT_S * 5,
    )
    inspect = Command(
        _sl(ctx, "inspect", schema, "--format", "json"),
        stdout=_out(ctx, "big.inspect.json"),
        timeout_s=LINT_TIMEOUT_S * 5,
    )
    squawk = Command(
        argv(ctx.tools.squawk, "--reporter", "json", schema), FINDINGS, timeout_s=LINT_TIMEOUT_S * 5
    )
    m = interleaved({"squawk": squawk, "lint": lint, "inspect": inspect}, ctx.repeat)
    what = f"lint a 50 MB DDL file ({schema.stat().st_size / 1e6:.0f} MB), --no-cache"
    target = "≤ 30 s, ≤ 1 GB"
    return [
        Row("9a", what, m["lint"], m["squawk"], target, None, 1000.0, 30.0),
        Row("9b", "parse + replay it (inspect, json)", m["inspect"], m["squawk"], target, None, 1000.0, 30.0),
    ]


BENCHMARKS: dict[str, Callable[[Context], list[Row]]] = {
    "parse": parse,
    "introspect": introspect,
    "wide": wide,
    "lint": lint,
    "precommit": precommit,
    "precommit_cache": precommit_cache,
    "drift": drift,
    "tenants": tenants,
    "render": render,
    "big": big,
}
