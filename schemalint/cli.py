"""Command line: arguments → app → exit code. No logic, no formatting here."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, NoReturn

from schemalint import __version__

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab", "markdown")
FAIL_ON = ("error", "warning", "info", "never")


def _positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, found {text!r}")
    return value


def _common_output(parser: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    parser.add_argument("--format", "-f", choices=formats, default=None, help="output format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help="exit 1 when a finding is at or above this severity (default: error, or config)",
    )
    parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")


def _common_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: nearest pyproject.toml [tool.schemalint] or .schemalint.yaml)",
    )
    parser.add_argument(
        "--pack", action="append", default=None, metavar="PATH", help="add a rule pack (repeatable)"
    )
    parser.add_argument(
        "--select", metavar="CODES", help="only these rules (codes, prefixes or slugs, comma-separated)"
    )
    parser.add_argument(
        "--extend-select",
        metavar="CODES",
        help="add these rules to the selection of the config or --select (comma-separated)",
    )
    parser.add_argument("--ignore", metavar="CODES", help="skip these rules (comma-separated)")


def _cache(parser: argparse.ArgumentParser, *, clean: bool = False) -> None:
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="the cache directory (default: config cache-dir, else .schemalint_cache at the project root)",
    )
    if not clean:
        parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def _schemas(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schema", action="append", default=None, metavar="S", help="only this schema (repeatable)"
    )
    parser.add_argument(
        "--exclude-schema", action="append", default=None, metavar="S", help="skip this schema (repeatable)"
    )


class _Parser(argparse.ArgumentParser):
    """argparse, whose messages quote arguments: a DSN among them is shown masked."""

    _given: Sequence[str] = ()

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        from schemalint.sources.dsn import looks_like_dsn, scrub

        super().error(scrub(message, *(a for a in self._given if looks_like_dsn(a))))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="schemalint",
        description="Schema compliance linter and drift detector for PostgreSQL.",
    )
    parser.add_argument("--version", action="version", version=f"schemalint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    lint = sub.add_parser("lint", help="lint migration files, schema documents or a live database")
    lint.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="migration files or directories, markdown schema documents, or a DSN "
        "(default: the configured migrations directory)",
    )
    lint.add_argument(
        "--migrations", metavar="DIR", help="the migration directory the model is replayed from"
    )
    lint.add_argument("--baseline", metavar="FILE", help="hide findings recorded in this baseline file")
    lint.add_argument("--changed-since", metavar="REF", help="lint only files added or changed since git REF")
    _common_output(lint)
    _common_config(lint)
    _schemas(lint)
    _cache(lint)

    baseline = sub.add_parser(
        "baseline",
        help="record the current findings as accepted legacy debt (refused when an input cannot be read)",
    )
    baseline.add_argument("sources", nargs="*", metavar="SOURCE")
    baseline.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=".schemalint-baseline.json",
        help="baseline file to write (default: .schemalint-baseline.json)",
    )
    baseline.add_argument("--migrations", metavar="DIR")
    _common_config(baseline)
    _schemas(baseline)
    _cache(baseline)

    drift = sub.add_parser("drift", help="compare declared schema (migrations) with a live database")
    drift.add_argument(
        "declared", metavar="DECLARED", help="migrations, schema file or document, dump, or DSN"
    )
    drift.add_argument("live", nargs="?", metavar="LIVE", help="usually a DSN (or use --live-env)")
    drift.add_argument("--live-env", metavar="VAR", help="read the LIVE DSN from this environment variable")
    drift.add_argument("--live-dsns", metavar="FILE", help="compare against every DSN in FILE (one per line)")
    drift.add_argument(
        "--each-schema",
        metavar="PATTERN",
        help="schema-per-tenant: compare every live schema matching PATTERN (LIKE or glob) "
        "against the declared model's single schema",
    )
    drift.add_argument(
        "--shadow",
        metavar="DSN|embedded",
        help="build the declared model by applying the migrations to an empty scratch database",
    )
    drift.add_argument(
        "--ignore-object",
        action="append",
        default=None,
        metavar="GLOB",
        help="ignore objects whose qualified name matches GLOB (repeatable)",
    )
    drift.add_argument(
        "--applied-table",
        metavar="TABLE",
        help="migration history table (flyway_schema_history, schema_migrations, …): compare "
        "only migrations the live database has applied, and list pending ones",
    )
    drift.add_argument("--sql", action="store_true", help="print a reconciliation script instead of findings")
    drift.add_argument(
        "--unsafe", action="store_true", help="with --sql: do not comment out unsafe statements"
    )
    drift.add_argument(
        "--verify",
        action="store_true",
        help="with --sql and --shadow: apply the script to a scratch copy of LIVE, re-read and re-diff; "
        "say which statements left what",
    )
    drift.add_argument(
        "--jobs", type=_positive_int, default=4, metavar="N", help="targets compared at once (default 4)"
    )
    drift.add_argument("--baseline", metavar="FILE", help="hide drift recorded in this baseline file")
    shards = drift.add_mutually_exclusive_group()
    shards.add_argument(
        "--shard", metavar="K/N", help="compare only every N-th target, starting at the K-th (K from 1)"
    )
    shards.add_argument(
        "--shard-from-env",
        nargs="?",
        const="JOB_COMPLETION_INDEX",
        metavar="VAR",
        help="the 0-based shard index from VAR (default JOB_COMPLETION_INDEX, as Kubernetes Indexed "
        "Jobs set it); the number of shards from --shard-total",
    )
    drift.add_argument(
        "--shard-total",
        metavar="N|VAR",
        help="with --shard-from-env: the number of shards, or a variable holding it "
        "(default SCHEMALINT_SHARD_TOTAL)",
    )
    _common_output(drift)
    _common_config(drift)
    _schemas(drift)

    merge = sub.add_parser("merge", help="fold shard JSON reports (drift --shard) into one report")
    merge.add_argument("reports", nargs="+", metavar="REPORT.json", help="JSON reports of the shards")
    _common_output(merge)

    inspect = sub.add_parser("inspect", help="print the model of any source")
    inspect.add_argument("source", metavar="SOURCE")
    inspect.add_argument("--format", "-f", choices=("json", "text"), default="text")
    inspect.add_argument("-o", "--output", metavar="FILE")
    inspect.add_argument("--no-locations", action="store_true", help="leave file locations out of the JSON")
    _schemas(inspect)

    erd = sub.add_parser("erd", help="draw the ER diagram (mermaid or Graphviz dot)")
    erd.add_argument("source", metavar="SOURCE")
    erd.add_argument("--format", "-f", choices=("mermaid", "dot"), default="mermaid")
    erd.add_argument(
        "--table",
        action="append",
        default=None,
        metavar="GLOB",
        help="only tables matching GLOB (repeatable), with --depth neighbours",
    )
    erd.add_argument("--depth", type=int, default=None, metavar="N")
    erd.add_argument("--columns", choices=("keys", "all", "none"), default="keys")
    erd.add_argument(
        "--split",
        choices=("component", "schema"),
        default=None,
        help="one diagram per connected component or per schema (written to -o DIR)",
    )
    erd.add_argument("-o", "--output", metavar="FILE|DIR")
    _schemas(erd)

    doc = sub.add_parser("doc", help="render the Database Schema Document")
    doc.add_argument("source", metavar="SOURCE")
    doc.add_argument("-o", "--output", metavar="FILE")
    doc.add_argument("--check", action="store_true", help="exit 1 with a diff when -o FILE is out of date")
    doc.add_argument("--update", action="store_true", help="rewrite only the generated sections of -o FILE")
    doc.add_argument("--title", default=None)
    doc.add_argument(
        "--columns",
        choices=("all", "keys", "none"),
        default="all",
        help="columns in the ER diagram: all (default, as the template draws it), keys, none",
    )
    doc.add_argument("--config", metavar="FILE")
    _schemas(doc)

    sub.add_parser("rules", help="list every rule")
    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="CODE|SLUG")
    config = sub.add_parser("config", help="print the effective settings and where each came from")
    _common_config(config)
    clean = sub.add_parser("clean", help="remove the cache directory")
    clean.add_argument("--config", metavar="FILE", help="config file (its cache-dir and project root)")
    _cache(clean, clean=True)
    return parser


def entry() -> NoReturn:
    """The console script: main(), then out of the process without tearing its heap down.

    A run makes millions of small objects (GitLab's model is 100 MB of them) and hardly any
    cycles, so the cycle collector runs less often (it took 6 % of a GitLab lint), and the
    objects are not freed one by one at exit (30 ms): everything main() opened it has closed."""
    gc.set_threshold(100_000, 50, 1000)
    code = main()
    with suppress(BrokenPipeError):  # the reader has gone (| head): what it read is all it wanted
        sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    from schemalint import app
    from schemalint.errors import UserError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        request = _request(args)
        return app.run(request, _progress_for(args))
    except UserError as error:
        _error(str(error))
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 2
    except BrokenPipeError:
        return 0
    except Exception:
        return _crashed(sys.argv[1:] if argv is None else argv, args)


def _codes(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(part.strip() for part in text.split(",") if part.strip())


def _request(args: argparse.Namespace) -> Any:
    """The typed request of drift and merge; the parsed arguments of the other commands."""
    if args.command == "merge":
        from schemalint.drift.request import MergeRequest

        return MergeRequest(tuple(args.reports), format=args.format, output=args.output, fail_on=args.fail_on)
    if args.command == "drift":
        return _drift_request(args)
    return args


def _drift_request(args: argparse.Namespace) -> Any:
    from schemalint.drift.request import DriftRequest, RuleChoice, shard_from_env, shard_of

    shard = None
    if args.shard is not None:
        shard = shard_of(args.shard)
    elif args.shard_from_env is not None:
        shard = shard_from_env(args.shard_from_env, args.shard_total)
    elif args.shard_total is not None:
        from schemalint.errors import UserError

        raise UserError("--shard-total goes with --shard-from-env (or write --shard K/N)")
    if args.verify and not (args.sql and args.shadow):
        from schemalint.errors import UserError

        raise UserError(
            "--verify applies the --sql script to a scratch server: give --sql and --shadow DSN|embedded"
        )

    rules = RuleChoice(
        config=args.config,
        packs=tuple(args.pack) if args.pack else None,
        select=_codes(args.select),
        extend_select=_codes(args.extend_select),
        ignore=_codes(args.ignore),
    )
    return DriftRequest(
        declared=args.declared,
        live=args.live,
        live_env=args.live_env,
        live_dsns=args.live_dsns,
        each_schema=args.each_schema,
        shadow=args.shadow,
        applied_table=args.applied_table,
        ignore_objects=tuple(args.ignore_object or ()),
        sql=args.sql,
        unsafe=args.unsafe,
        verify=args.verify,
        jobs=args.jobs,
        baseline=args.baseline,
        format=args.format,
        output=args.output,
        fail_on=args.fail_on,
        schemas=tuple(args.schema or ()),
        exclude_schemas=tuple(args.exclude_schema or ()),
        rules=rules,
        shard=shard,
    )


def _dsns_of(argv: Sequence[str], args: argparse.Namespace) -> list[str]:
    """Every DSN the run was given: on the command line, in the environment (--live-env and
    the like) and in a --live-dsns file, so that a traceback can be scrubbed of them."""
    from schemalint.sources.dsn import looks_like_dsn

    given = [*argv, *os.environ.values()]
    if getattr(args, "live_dsns", None):
        with suppress(OSError, UnicodeDecodeError), open(args.live_dsns, encoding="utf-8") as handle:
            given += [line.strip() for line in handle]
    return [value for value in given if looks_like_dsn(value)]


def _crashed(argv: Sequence[str], args: argparse.Namespace) -> int:
    """An internal error: the traceback (a DSN's secrets masked) to a new log file in the user's
    cache directory, or to stderr when that cannot be written; exit 3 whatever happens here."""
    import traceback

    with suppress(Exception):
        text = traceback.format_exc()
        with suppress(Exception):
            from schemalint.sources.dsn import scrub

            text = scrub(text, *_dsns_of(argv, args))
        try:
            from schemalint.crash import write_crash_log

            log = write_crash_log(text)
        except Exception as error:
            sys.stderr.write(text)
            _error(
                f"internal error: this is a bug in schemalint; the traceback is above (no log file: {error})"
            )
        else:
            _error(f"internal error: this is a bug in schemalint; the traceback is in {log}")
    return 3


def _progress_for(args: argparse.Namespace) -> Any:
    """A progress bar on stderr for long runs: only on a terminal, only with text output."""
    from schemalint import app

    quiet = getattr(args, "no_progress", False) or (getattr(args, "format", None) or "text") != "text"
    if quiet or not sys.stderr.isatty() or "CI" in os.environ:
        return app.no_progress

    @contextmanager
    def progress(description: str) -> Iterator[Callable[[int, int], None]]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task(description, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update

    return progress


def _error(message: str) -> None:
    print(f"schemalint: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    entry()
