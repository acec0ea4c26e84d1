"""The drift use case: build the declared model, read the live one(s), report differences.

Either side is any source (migrations, a schema file or document, a model dump, a DSN).
Declared: read as any source is (static replay for files), or --shadow: the migrations
applied to an empty scratch database and read back. Live: a source (argument,
--live-env), every source of --live-dsns, or every schema matching
--each-schema in one database (schema-per-tenant). Targets are read
concurrently in a bounded pool; a target that cannot be read is a run error
in the report (and on stderr), the others are compared, and the run exits 2.
Live connections are read-only transactions with statement and lock
timeouts, application_name=schemalint-drift; nothing is ever written to LIVE.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatchcase
from pathlib import Path

from schemalint.errors import SourceError, UserError
from schemalint.findings import Finding, RuleInfo, RunError
from schemalint.model import Model
from schemalint.sources.load import Source

APPLICATION_NAME = "schemalint-drift"


def run(
    args: argparse.Namespace,
    *,
    emit: Callable[..., int],
    write: Callable[[str, str | None], None],
    warn: Callable[[str], None],
) -> int:
    from schemalint.drift.diff import diff_models
    from schemalint.drift.rules import DRIFT_RULES, drift_findings

    targets = _targets(args)
    schemas = tuple(args.schema or ())
    exclude = tuple(args.exclude_schema or ())
    # the live side is read (mostly waiting on the server) while the declared side is replayed
    with ThreadPoolExecutor(max_workers=1) as background:
        reading = background.submit(_read_live, args, targets, schemas, exclude)
        try:
            declared, declared_label, pending = _declared(args, targets, schemas, exclude, warn)
        finally:
            live_models = reading.result()
    for path in pending:
        warn(f"pending migration (not applied on the live database): {path}")
    if args.each_schema:
        declared = declared.restricted((_template_schema(declared),))

    findings: list[Finding] = []
    scripts: list[str] = []
    errors: list[RunError] = []
    for label, expected, live in _pair(args, declared, live_models):
        if isinstance(live, RunError):
            warn(f"error: {live}")
            errors.append(live)
            if args.sql:
                scripts.append(f"-- {label}: not compared, it could not be read")
            continue
        if args.applied_table:
            live = _without_table(live, args.applied_table)
        differences = [d for d in diff_models(expected, live) if not _ignored(d.object, args.ignore_object)]
        if args.sql:
            from schemalint.drift.reconcile import reconcile_sql

            header = f"-- {label}\n" if len(targets) > 1 or args.each_schema else ""
            scripts.append(header + reconcile_sql(differences, expected, live, unsafe=args.unsafe))
        findings += drift_findings(differences, declared_label=declared_label, live_label=label)
    if args.sql:
        write("\n".join(scripts), args.output)
        code = 2 if errors else 1 if findings else 0
    else:
        rules: dict[str, RuleInfo] = {info.code: info for info in DRIFT_RULES}
        code = emit(
            findings,
            rules,
            args,
            command="drift",
            objects=declared.object_count(),
            sources=[declared_label, *(t.label if isinstance(t, Source) else str(t.where) for t in targets)],
            errors=errors,
        )
    return code


def _targets(args: argparse.Namespace) -> list[Source | RunError]:
    """The LIVE sources, each detected (any source: a DSN, files, a dump); a line of --live-dsns
    that is no source is that target's error, so that the rest of the fleet is still compared."""
    from schemalint.sources.load import detect, label_of

    specs: list[str] = []
    if args.live:
        specs.append(args.live)
    if args.live_env:
        value = os.environ.get(args.live_env)
        if not value:
            raise UserError(f"--live-env {args.live_env}: the environment variable is not set or empty")
        specs.append(value)
    fleet: list[str] = []
    if args.live_dsns:
        try:
            lines = Path(args.live_dsns).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise UserError(f"--live-dsns {args.live_dsns}: cannot read: {error.strerror}") from None
        fleet = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not specs and not fleet:
        raise UserError("drift needs a LIVE source: a DSN argument, --live-env VAR or --live-dsns FILE")
    targets: list[Source | RunError] = [detect(spec) for spec in specs]  # a bad argument stops the run
    for spec in fleet:
        try:
            targets.append(detect(spec))
        except SourceError as error:
            targets.append(RunError.of(error, target=label_of(spec)))
    databases = [t for t in targets if isinstance(t, Source) and t.kind == "database"]
    if args.each_schema and (len(targets) != 1 or not databases):
        raise UserError("--each-schema compares the schemas of one database: give exactly one LIVE DSN")
    if args.applied_table and not databases:
        raise UserError("--applied-table reads the migration history of a live database: give a LIVE DSN")
    return targets


def _ignored(qualname: str, globs: Sequence[str] | None) -> bool:
    return bool(globs) and any(fnmatchcase(qualname, glob) for glob in globs or ())


def _declared(
    args: argparse.Namespace,
    targets: list[Source | RunError],
    schemas: tuple[str, ...],
    exclude: tuple[str, ...],
    warn: Callable[[str], None],
) -> tuple[Model, str, list[str]]:
    from schemalint.sources.load import detect, load, read_file, restrict, sql_files

    source = detect(args.declared)
    pending: list[str] = []
    if not source.is_files:
        if args.shadow or args.applied_table:
            raise UserError(
                f"--shadow and --applied-table need migration files as DECLARED, not a {source.kind}"
            )
        loaded = load(source, schemas=schemas, exclude_schemas=exclude, application_name=APPLICATION_NAME)
        return loaded.model, loaded.label, pending
    paths = sql_files(source.path)
    databases = [t.spec for t in targets if isinstance(t, Source) and t.kind == "database"]
    if args.applied_table:
        applied = _applied(databases[0], args.applied_table)
        kept = [p for p in paths if _is_applied(p, applied)]
        pending = [str(p) for p in paths if p not in kept]
        paths = kept
    files = [read_file(p) for p in paths]
    if args.shadow:
        from schemalint.sources.shadow import shadow_model

        model, messages = shadow_model(files, args.shadow, schemas=schemas, live=databases)
        for message in messages:
            warn(message)
        return model, source.label, pending
    from schemalint.sources.sql.replay import replay_files

    result = replay_files(files, any_order=source.kind == "document")
    for finding in result.findings:
        warn(f"{finding.location}: {finding.code} {finding.message}")
    return restrict(result.model, schemas, exclude, source.label), source.label, pending


def _applied(dsn: str, table: str) -> list[str]:
    from schemalint.sources.catalog import read_rows

    parts = table.split(".")
    if not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", p) for p in parts):
        raise UserError(
            f"--applied-table {table!r}: expected a plain table name such as flyway_schema_history"
        )
    columns = read_rows(
        dsn,
        "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
        "AND NOT attisdropped",
        (table,),
        application_name=APPLICATION_NAME,
    )
    names = {str(row[0]) for row in columns}
    if not names:
        raise SourceError(f"--applied-table {table}: no such table in the live database")
    column = "script" if "script" in names else "version" if "version" in names else None
    if column is None:
        raise SourceError(f"--applied-table {table}: has neither a `script` nor a `version` column")
    where = " WHERE success" if "success" in names else ""
    rows = read_rows(dsn, f"SELECT {column}::text FROM {table}{where}", application_name=APPLICATION_NAME)
    return [str(row[0]) for row in rows if row[0] is not None]


def _is_applied(path: Path, applied: Sequence[str]) -> bool:
    name = path.name
    folder = path.parent.name
    for entry in applied:
        if entry in (name, folder) or entry.endswith("/" + name):
            return True
        version = entry.replace(".", "_")
        for candidate in (name, folder):
            match = re.match(r"^[Vv]?(\d+(?:[._]\d+)*)", candidate)
            if match and match.group(1).replace(".", "_") == version:
                return True
    return False


def _without_table(model: Model, table: str) -> Model:
    """The live model without the migration tool's history table (--applied-table)."""
    from dataclasses import replace

    qualname = table if "." in table else f"public.{table}"
    return replace(model, tables={q: t for q, t in model.tables.items() if q != qualname})


LiveModels = list[tuple[str, str | None, Model | RunError]]  # (label, tenant schema, live model or error)


def _read_live(
    args: argparse.Namespace,
    targets: list[Source | RunError],
    schemas: tuple[str, ...],
    exclude: tuple[str, ...],
) -> LiveModels:
    """Every live target's model (or why it could not be read), in target order."""
    from schemalint.sources.catalog import introspect, list_schemas
    from schemalint.sources.load import load

    if args.each_schema:
        database = targets[0]
        assert isinstance(database, Source)
        names = list_schemas(database.spec, args.each_schema, application_name=APPLICATION_NAME)
        if not names:
            raise UserError(f"--each-schema {args.each_schema!r}: no schema of {database.label} matches")
        whole = introspect(database.spec, schemas=names, application_name=APPLICATION_NAME)
        return [(f"{database.label} schema {name}", name, whole.restricted((name,))) for name in names]

    def read(target: Source | RunError) -> tuple[str, str | None, Model | RunError]:
        if isinstance(target, RunError):
            return str(target.where), None, target
        try:
            live = load(target, schemas=schemas, exclude_schemas=exclude, application_name=APPLICATION_NAME)
        except SourceError as error:  # its message masks a DSN, as the label does
            return target.label, None, RunError.of(error, target=target.label)
        return target.label, None, live.model

    if len(targets) == 1:
        label, _, live = read(targets[0])
        if isinstance(live, RunError):
            raise SourceError(str(live))
        return [(label, None, live)]
    results: LiveModels = []
    with (
        args.progress(f"reading {len(targets)} sources") as update,
        ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool,
    ):
        for result in pool.map(read, targets):  # in target order; a failure is a result like the others
            results.append(result)
            update(len(results), len(targets))
    return results


def _pair(
    args: argparse.Namespace, declared: Model, live_models: LiveModels
) -> list[tuple[str, Model, Model | RunError]]:
    """(label, the declared model for that target, the live model or the error) per target.

    With --each-schema the declared tenant is moved to each live schema, so that findings and
    scripts name the real schema."""
    if not args.each_schema:
        return [(label, declared, live) for label, _, live in live_models]
    from schemalint.retarget import with_schema

    template = _template_schema(declared)
    return [
        (label, with_schema(declared, template, tenant or template), live)
        for label, tenant, live in live_models
    ]


def _template_schema(declared: Model) -> str:
    names = sorted({t.schema for t in declared.tables.values()})
    if len(names) != 1:
        raise UserError(
            "--each-schema compares every tenant schema with one declared tenant schema, but the declared "
            f"model has tables in {len(names)} schemas ({', '.join(names) or 'none'}); "
            "use --schema to pick one"
        )
    return names[0]
