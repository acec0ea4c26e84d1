"""Use cases: lint, baseline, drift, inspect, erd, doc, rules, explain, config.

Each takes the parsed arguments and returns an exit code; they read
sources, call the engine / diff / renderers, and write output. No argument
parsing here (cli.py) and no formatting (report/, erd, document).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemalint import __version__
from schemalint import output as output_
from schemalint.drift.request import DriftRequest, MergeRequest
from schemalint.errors import SourceError, UserError
from schemalint.findings import Finding, RuleInfo, RunError

if TYPE_CHECKING:  # the report package is imported when a report is made
    from schemalint.report import Report

Progress = output_.Progress
no_progress = output_.no_progress


def run(args: argparse.Namespace | DriftRequest | MergeRequest, progress: Progress = no_progress) -> int:
    """The command's exit code; a UserError goes up to the CLI (one line on stderr, exit 2).

    When lint or drift stops with one before it has a report, a report that says so is
    written where the report was to go first (see _report_failure). Drift and merge take a
    typed request (the CLI builds it); the other commands still take the parsed arguments.
    """
    if isinstance(args, DriftRequest):
        return drift(args, progress)
    if isinstance(args, MergeRequest):
        from schemalint.drift.fleet import merge

        return merge(args)
    args.progress = progress
    handler = {
        "lint": lint,
        "baseline": baseline,
        "inspect": inspect,
        "erd": erd,
        "doc": doc,
        "rules": rules,
        "explain": explain,
        "config": config,
        "clean": clean,
    }[args.command]
    try:
        return handler(args)
    except UserError as error:
        if args.command == "lint":
            _report_failure(args, error)
        raise


# -- shared ---------------------------------------------------------------------------------------


def _split_codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _settings(args: argparse.Namespace) -> Any:
    from schemalint.config import load_settings

    overrides: dict[str, Any] = {
        "select": _split_codes(getattr(args, "select", None)),
        "extend-select": _split_codes(getattr(args, "extend_select", None)),
        "ignore": _split_codes(getattr(args, "ignore", None)),
        "packs": tuple(args.pack) if getattr(args, "pack", None) else None,
        "fail-on": getattr(args, "fail_on", None),
        "schemas": tuple(args.schema) if getattr(args, "schema", None) else None,
        "exclude-schemas": tuple(args.exclude_schema) if getattr(args, "exclude_schema", None) else None,
    }
    config_path = Path(args.config) if getattr(args, "config", None) else None
    return load_settings(Path.cwd(), config_path=config_path, cli_overrides=overrides)


def _write(text: str | bytes, output: str | None) -> None:
    output_.write(text, output)


def _warn(message: str) -> None:
    output_.warn(message)


def _emit(
    findings: Sequence[Finding],
    rules_used: dict[str, RuleInfo],
    args: argparse.Namespace,
    *,
    command: str,
    files: int = 0,
    statements: int = 0,
    objects: int = 0,
    sources: Sequence[str] = (),
    fail_on: str = "error",
    errors: Sequence[RunError] = (),
) -> int:
    """Render the report where it was asked for; the exit code: 2 after run errors, else by findings."""
    from schemalint.report import Report, exit_code

    fixed: list[Any] = []
    if getattr(args, "baseline", None):
        from schemalint.baseline import apply_baseline, load_baseline

        findings, fixed = apply_baseline(list(findings), load_baseline(Path(args.baseline)))
    report = Report(
        findings=findings,
        rules=rules_used,
        tool_version=__version__,
        files=files,
        statements=statements,
        objects=objects,
        sources=tuple(sources),
        fixed=fixed,
        command=command,  # type: ignore[arg-type]
        errors=tuple(errors),
        fail_on=args.fail_on or fail_on,
    )
    _publish(report, args)
    if errors:
        return 2  # a run that could not read everything failed, whatever its findings
    return exit_code(findings, args.fail_on or fail_on)


def _publish(report: Report, args: argparse.Namespace) -> None:
    """The report in --format to -o FILE or stdout, and GitHub's step summary for --format github."""
    output_.publish(report, args.format, args.output)


def _report_failure(args: argparse.Namespace, error: UserError) -> None:
    """A report of a run that stopped before it had one (a config error, the only LIVE unreachable).

    Written where the report was to go, so that a CI step that uploads it `if: always()`
    shows the failure, not a stale file or none: to -o FILE in every format, to stdout
    in the machine formats (text's report is the error line on stderr). Not for
    drift --sql, whose output is a script. When it cannot be written either, the error
    line is all there is.
    """
    from schemalint.report import Report

    if getattr(args, "sql", False) or (not args.output and (args.format or "text") == "text"):
        return
    report = Report(findings=(), tool_version=__version__, command=args.command, errors=(RunError.of(error),))
    with suppress(UserError, OSError):
        _publish(report, args)


# -- lint and baseline ----------------------------------------------------------------------------


@dataclass
class _LintRun:
    """What linting every SOURCE gave: findings, what was read, and what could not be (errors)."""

    settings: Any
    findings: list[Finding] = field(default_factory=list)
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    files: int = 0
    statements: int = 0
    objects: int = 0
    labels: list[str] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)

    def failed(self, error: RunError) -> None:
        """One source could not be read: said on stderr now, in the report later; the others go on."""
        _warn(f"error: {error}")
        self.errors.append(error)


def _lint(args: argparse.Namespace) -> _LintRun:
    from schemalint.engine import lint_files, lint_model
    from schemalint.model import object_locations
    from schemalint.sources.load import detect, label_of, load, sql_files

    settings = _settings(args)
    specs = list(args.sources)
    if not specs:
        if settings.migrations is None:
            raise UserError(
                "no SOURCE given and no `migrations` directory configured; "
                "pass migration files, a directory or a DSN"
            )
        specs = [str(settings.migrations)]
    run = _LintRun(settings)
    paths: list[Path] = []
    for spec in specs:
        try:
            source = detect(spec)
            if source.is_files:
                paths.append(source.path)
                continue
            loaded = load(source, schemas=settings.schemas, exclude_schemas=settings.exclude_schemas)
        except SourceError as error:  # this source is reported; the others are still linted
            run.failed(RunError.of(error, target=label_of(spec)))
            run.labels.append(label_of(spec))
            continue
        # a dump's objects carry where they were declared: its findings are the files' own
        origin = None if source.kind == "database" else object_locations(loaded.model).get
        result = lint_model(
            loaded.model, settings, source_label=loaded.label, origin=origin, facts=loaded.facts
        )
        run.findings += result.findings
        run.rules.update(result.rules)
        run.objects += result.objects
        run.labels.append(loaded.label)
    if getattr(args, "changed_since", None) and paths:
        from schemalint.gitchanges import changed_files

        paths = changed_files(args.changed_since, paths, Path.cwd())
        if not paths:
            _warn(f"no migration files changed since {args.changed_since}")
    run.labels += [str(p) for p in paths]
    readable = []
    for path in paths:
        try:
            sql_files(path)  # a missing path, a directory without migrations: its own error
        except SourceError as unreadable:
            run.failed(RunError.of(unreadable, target=str(path)))
        else:
            readable.append(path)
    paths = readable
    if paths:
        migrations = Path(args.migrations) if getattr(args, "migrations", None) else settings.migrations
        cache = None
        if not getattr(args, "no_cache", False):
            from schemalint.cache import Cache, cache_directory

            cache = Cache(cache_directory(settings, getattr(args, "cache_dir", None)), settings, _warn)
        with args.progress("replaying and linting migrations") as update:
            result = lint_files(
                paths, settings, migrations_dir=migrations, progress=output_.reading(update), cache=cache
            )
        if cache is not None:
            cache.prune()
        for file_error in result.errors:
            run.failed(file_error)
        run.findings += result.findings
        run.rules.update(result.rules)
        run.files += result.files
        run.statements += result.statements
        run.objects += result.objects
    return run


def lint(args: argparse.Namespace) -> int:
    run = _lint(args)
    return _emit(
        run.findings,
        run.rules,
        args,
        command="lint",
        files=run.files,
        statements=run.statements,
        objects=run.objects,
        sources=run.labels,
        fail_on=run.settings.fail_on,
        errors=run.errors,
    )


def baseline(args: argparse.Namespace) -> int:
    from schemalint.baseline import write_baseline

    args.changed_since = None
    run = _lint(args)
    if run.errors:
        # a baseline of what could be read would lose the debt of what could not: the next run
        # that reads it would fail on old findings, and the file would be rewritten for nothing
        _warn(
            f"baseline not written, {args.output} is left as it was: a baseline needs every input read "
            "(see above); fix the unreadable ones or leave them out of SOURCE"
        )
        return 2
    active = [f for f in run.findings if not f.suppressed]
    _write(write_baseline(active), args.output)
    _warn(f"recorded {len(active)} findings in {args.output}")
    return 0


# -- drift ----------------------------------------------------------------------------------------


def drift(request: DriftRequest, progress: Progress = no_progress) -> int:
    from schemalint.drift.run import run as run_drift

    return run_drift(request, progress)


# -- inspect, erd, doc ----------------------------------------------------------------------------


def _load(spec: str | Any, args: argparse.Namespace) -> Any:
    from schemalint.sources.load import detect, load

    source = detect(spec) if isinstance(spec, str) else spec
    with output_.loading(getattr(args, "progress", no_progress), source.kind) as progress:
        loaded = load(
            source, schemas=args.schema or (), exclude_schemas=args.exclude_schema or (), progress=progress
        )
    for finding in loaded.findings:
        _warn(f"{finding.location}: {finding.code} {finding.message}")
    return loaded


def inspect(args: argparse.Namespace) -> int:
    loaded = _load(args.source, args)
    if args.format == "json":
        from schemalint.sources.dump import model_json

        _write(model_json(loaded.model, locations=not args.no_locations, facts=loaded.facts), args.output)
    else:
        from schemalint.report.model_text import model_to_text

        _write(model_to_text(loaded.model), args.output)
    return 0


def erd(args: argparse.Namespace) -> int:
    from schemalint.erd import render_dot, render_split
    from schemalint.erdfit import fit_mermaid, split_mermaid, too_large_warning
    from schemalint.graph import fk_graph, split_graph

    model = _load(args.source, args).model
    graph = fk_graph(model, schemas=args.schema or (), tables=args.table or (), depth=args.depth)
    if args.format == "dot":
        if not args.split:
            _write(render_dot(graph, columns=args.columns), args.output)
            return 0
        parts = render_split(graph, by=args.split, columns=args.columns, format="dot")
        if not args.output:
            for name, text in parts.items():
                _write(f"// {name}\n{text}", None)
            return 0
        for name, text in parts.items():
            _write(text, str(Path(args.output) / f"{name}.dot"))
        _warn(f"wrote {len(parts)} diagrams to {args.output}")
        return 0
    if args.split:
        diagrams, too_large = split_mermaid(split_graph(graph, args.split), columns=args.columns)
        for name in too_large:
            overview = next(d for d in diagrams if d.name == f"{name}.overview")
            _warn(too_large_warning(f"--split {args.split}: part {name}", overview))
    else:
        diagrams = fit_mermaid(graph, columns=args.columns)
        if len(diagrams) > 1:
            _warn(too_large_warning("The diagram", diagrams[0]))
    if len(diagrams) == 1 and not args.split:
        _write(diagrams[0].text, args.output)
        return 0
    if not args.output:
        for diagram in diagrams:
            _write(f"%% {diagram.name}: {diagram.size}\n{diagram.text}", None)
        return 0
    # --split: -o is a directory; else -o FILE holds the overview and the parts go beside it
    target = Path(args.output)
    paths = (
        [target / f"{d.name}.mmd" for d in diagrams]
        if args.split
        else [target, *(target.with_name(f"{target.stem}.{d.name}.mmd") for d in diagrams[1:])]
    )
    for diagram, path in zip(diagrams, paths, strict=True):
        _write(diagram.text, str(path))
    _warn(f"wrote {len(diagrams)} diagrams:")
    for diagram, path in zip(diagrams, paths, strict=True):
        _warn(f"  {path}: {diagram.size}")
    return 0


def doc(args: argparse.Namespace) -> int:
    from schemalint.docsections import check_document, update_document
    from schemalint.document import DocOptions, render_document
    from schemalint.sources.load import detect, read_file, sql_files
    from schemalint.sources.migrationinfo import migration_facts

    settings = _settings(args)
    source = detect(args.source)
    model = _load(source, args).model
    pack = {
        code: {"severity": s.severity, "options": dict(s.options), "slug": s.rule.slug}
        for code, s in settings.rules.items()
        if s.enabled
    }
    facts = None
    if source.is_files:  # migrations, a .sql file or a document: how it is migrated, its seed rows
        facts = migration_facts(source.path, source.spec, [read_file(p) for p in sql_files(source.path)])
    # a database is named by its name, never by its DSN (which may carry a password)
    name = (model.database.database or "database") if source.kind == "database" else source.path.name
    title = args.title or f"Database Schema Document: {name}"
    header = {k: v for k, v in settings.doc.items() if k != "labels"}
    options = DocOptions(
        pack=pack,
        domains=dict(settings.domains) or None,
        server_version=model.database.server_version,
        target_postgres=settings.target_postgres if source.kind != "database" else None,
        header=header,
        labels=settings.doc.get("labels", {}),
        migrations=facts,
        columns=getattr(args, "columns", None) or "all",
    )
    generated = render_document(model, title=title, options=options)
    if args.check or args.update:
        if not args.output:
            raise UserError("--check and --update need -o FILE (the committed document)")
        path = Path(args.output)
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        if args.check:
            difference = check_document(existing, generated)
            if difference is None:
                return 0
            sys.stdout.write(difference)
            _warn(f"{path} is out of date; run `schemalint doc {args.source} -o {path} --update`")
            return 1
        _write(update_document(existing, generated) if existing else generated, args.output)
        return 0
    _write(generated, args.output)
    return 0


# -- rules, explain, config -----------------------------------------------------------------------


def _all_infos() -> dict[str, RuleInfo]:
    from schemalint.rules.registry import rule_infos

    return dict(sorted(rule_infos().items()))


def rules(args: argparse.Namespace) -> int:
    from schemalint.report import render_rules

    _write(render_rules(_all_infos()), None)
    return 0


def explain(args: argparse.Namespace) -> int:
    from schemalint.report import render_explain
    from schemalint.rules.registry import did_you_mean

    infos = _all_infos()
    wanted = args.rule.strip()
    for info in infos.values():
        if wanted.upper() == info.code or wanted.lower() == info.slug:
            _write(render_explain(info), None)
            return 0
    names = [*infos, *(i.slug for i in infos.values())]
    raise UserError(f"unknown rule {wanted!r}{did_you_mean(wanted, names)}; `schemalint rules` lists them")


def config(args: argparse.Namespace) -> int:
    import json

    settings = _settings(args)
    lines = [
        f"{s.key} = {json.dumps(s.value, default=str)}  # {s.origin}" for s in settings.explain_sources()
    ]
    _write("\n".join(lines) + "\n", None)
    return 0


def clean(args: argparse.Namespace) -> int:
    from schemalint.cache import cache_directory
    from schemalint.cache import clean as remove

    directory = cache_directory(_settings(args), args.cache_dir)
    _warn(f"removed the cache {directory}" if remove(directory) else f"no cache at {directory}")
    return 0
