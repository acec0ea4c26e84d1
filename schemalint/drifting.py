"""The drift use case: build the declared model, read the live one(s), report differences.

Declared: static replay of any source (default), or --shadow: the migrations
applied to an empty scratch database and read back. Live: a DSN (argument,
--live-env), every DSN of --live-dsns, or every schema matching
--each-schema in one database (schema-per-tenant). Targets are read
concurrently in a bounded pool; one failing target is reported and the others
go on. Live connections are read-only transactions with statement and lock
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
from schemalint.findings import Finding, RuleInfo
from schemalint.model import Model

APPLICATION_NAME = "schemalint-drift"


def run(
    args: argparse.Namespace,
    *,
    emit: Callable[..., int],
    write: Callable[[str, str | None], None],
    warn: Callable[[str], None],
) -> int:
    from schemalint.diff import diff_models
    from schemalint.drift import DRIFT_RULES, drift_findings
    from schemalint.sources.dsn import mask_dsn

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
    failures = 0
    for label, expected, live in _pair(args, declared, live_models):
        if isinstance(live, str):
            warn(f"{label}: {live}")
            failures += 1
            continue
        if args.applied_table:
            live = _without_table(live, args.applied_table)
        differences = [d for d in diff_models(expected, live) if not _ignored(d.object, args.ignore_object)]
        if args.sql:
            from schemalint.reconcile import reconcile_sql

            header = f"-- {label}\n" if len(targets) > 1 or args.each_schema else ""
            scripts.append(header + reconcile_sql(differences, expected, live, unsafe=args.unsafe))
        findings += drift_findings(differences, declared_label=declared_label, live_label=label)
    if args.sql:
        write("\n".join(scripts), args.output)
        code = 1 if findings else 0
    else:
        rules: dict[str, RuleInfo] = {info.code: info for info in DRIFT_RULES}
        code = emit(
            findings,
            rules,
            args,
            command="drift",
            objects=declared.object_count(),
            sources=[declared_label, *(mask_dsn(t) for t in targets)],
        )
    if failures:
        return 2
    return code


def _targets(args: argparse.Namespace) -> list[str]:
    targets: list[str] = []
    if args.live:
        targets.append(args.live)
    if args.live_env:
        value = os.environ.get(args.live_env)
        if not value:
            raise UserError(f"--live-env {args.live_env}: the environment variable is not set or empty")
        targets.append(value)
    if args.live_dsns:
        try:
            lines = Path(args.live_dsns).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise UserError(f"--live-dsns {args.live_dsns}: cannot read: {error.strerror}") from None
        targets += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not targets:
        raise UserError("drift needs a LIVE source: a DSN argument, --live-env VAR or --live-dsns FILE")
    if args.each_schema and len(targets) != 1:
        raise UserError("--each-schema compares the schemas of one database: give exactly one LIVE DSN")
    return targets


def _ignored(qualname: str, globs: Sequence[str] | None) -> bool:
    return bool(globs) and any(fnmatchcase(qualname, glob) for glob in globs or ())


def _declared(
    args: argparse.Namespace,
    targets: list[str],
    schemas: tuple[str, ...],
    exclude: tuple[str, ...],
    warn: Callable[[str], None],
) -> tuple[Model, str, list[str]]:
    from schemalint.sources.dsn import is_dsn, mask_dsn
    from schemalint.sources.load import load, read_file, sql_files

    spec = args.declared
    pending: list[str] = []
    if is_dsn(spec):
        if args.shadow or args.applied_table:
            raise UserError("--shadow and --applied-table need migration files as DECLARED, not a DSN")
        loaded = load(spec, schemas=schemas, exclude_schemas=exclude, application_name=APPLICATION_NAME)
        return loaded.model, mask_dsn(spec), pending
    paths = sql_files(Path(spec))
    if args.applied_table:
        applied = _applied(targets[0], args.applied_table)
        kept = [p for p in paths if _is_applied(p, applied)]
        pending = [str(p) for p in paths if p not in kept]
        paths = kept
    files = [read_file(p) for p in paths]
    if args.shadow:
        from schemalint.sources.shadow import shadow_model

        model, messages = shadow_model(files, args.shadow, schemas=schemas)
        for message in messages:
            warn(message)
        return model, spec, pending
    from schemalint.sources.sql.replay import replay_files

    result = replay_files(files)
    for finding in result.findings:
        warn(f"{finding.location}: {finding.code} {finding.message}")
    return result.model.restricted(schemas, exclude), spec, pending


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


LiveModels = list[tuple[str, str | None, Model | str]]  # (label, tenant schema, live model or error)


def _read_live(
    args: argparse.Namespace, targets: list[str], schemas: tuple[str, ...], exclude: tuple[str, ...]
) -> LiveModels:
    """Every live target's model (or the one-line reason it could not be read), in target order."""
    from schemalint.sources.catalog import introspect, list_schemas
    from schemalint.sources.dsn import mask_dsn

    if args.each_schema:
        dsn = targets[0]
        names = list_schemas(dsn, args.each_schema, application_name=APPLICATION_NAME)
        if not names:
            raise UserError(f"--each-schema {args.each_schema!r}: no schema of {mask_dsn(dsn)} matches")
        whole = introspect(dsn, schemas=names, application_name=APPLICATION_NAME)
        return [(f"{mask_dsn(dsn)} schema {name}", name, whole.restricted((name,))) for name in names]

    def read(dsn: str) -> tuple[str, str | None, Model | str]:
        label = mask_dsn(dsn)
        try:
            live = introspect(
                dsn, schemas=schemas, exclude_schemas=exclude, application_name=APPLICATION_NAME
            )
        except SourceError as error:
            return label, None, str(error)
        return label, None, live

    if len(targets) == 1:
        label, _, live = read(targets[0])
        if isinstance(live, str):
            raise SourceError(live)
        return [(label, None, live)]
    results: LiveModels = []
    with (
        args.progress(f"reading {len(targets)} databases") as update,
        ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool,
    ):
        for result in pool.map(read, targets):  # in target order; a failure is a result like the others
            results.append(result)
            update(len(results), len(targets))
    return results


def _pair(
    args: argparse.Namespace, declared: Model, live_models: LiveModels
) -> list[tuple[str, Model, Model | str]]:
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
