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

The differences go through the engine like lint findings (engine.check_drift:
the config's rule selection, severities, ignores and per-object ignores, and
fingerprints), then the baseline; the script reconciles only the differences
whose findings stand. Any difference fails the run unless --fail-on or the
config's fail-on says otherwise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from schemalint import __version__, output
from schemalint.drift.request import DriftRequest
from schemalint.errors import SourceError, UserError
from schemalint.findings import Finding, RuleInfo, RunError
from schemalint.model import Model
from schemalint.sources.load import Loaded, Source

if TYPE_CHECKING:
    from schemalint.baseline import BaselineEntry
    from schemalint.config import Settings
    from schemalint.drift.diff import Difference

APPLICATION_NAME = "schemalint-drift"

Progress = output.Progress
no_progress = output.no_progress


def run(request: DriftRequest, progress: Progress = no_progress) -> int:
    """The exit code: 2 after a run error, 1 when a finding that stands is at or above fail-on,
    else 0. A UserError goes up to the CLI, after a report that says so is written where the
    report was to go (-o FILE, or stdout in a machine format; not for --sql, a script)."""
    try:
        return _run(request, progress)
    except UserError as error:
        if not request.sql and (request.output or (request.format or "text") != "text"):
            from schemalint.report import Report

            report = Report(
                findings=(), tool_version=__version__, command="drift", errors=(RunError.of(error),)
            )
            with suppress(UserError, OSError):
                output.publish(report, request.format, request.output)
        raise


def settings_for(request: DriftRequest) -> Settings:
    """The configuration of the run: the config file, the command line's overrides, and the
    --ignore-object globs as per-object ignores of every drift rule."""
    from schemalint.config import load_settings

    choice = request.rules
    overrides = {
        "select": choice.select,
        "extend-select": choice.extend_select,
        "ignore": choice.ignore,
        "packs": choice.packs,
        "fail-on": request.fail_on,
        "schemas": request.schemas or None,
        "exclude-schemas": request.exclude_schemas or None,
    }
    config_path = Path(choice.config) if choice.config else None
    settings = load_settings(Path.cwd(), config_path=config_path, cli_overrides=overrides)
    globs = tuple((glob, ("D",)) for glob in request.ignore_objects)
    return replace(settings, per_object_ignores=settings.per_object_ignores + globs) if globs else settings


def fail_on_of(settings: Settings) -> str:
    """--fail-on, else the configuration's fail-on, else info: by default any difference fails."""
    return settings.fail_on if "fail-on" in settings.origins else "info"


@dataclass(frozen=True, slots=True)
class _Compared:
    """One target compared: its label, both models, and each difference with its finding."""

    label: str
    declared: Model
    live: Model
    pairs: tuple[tuple[Difference, Finding], ...]


def _run(request: DriftRequest, progress: Progress) -> int:
    from schemalint.drift.diff import diff_models
    from schemalint.engine import check_drift

    settings = settings_for(request)
    targets = _targets(request)
    if request.shard is not None and not request.each_schema:
        targets = [t for i, t in enumerate(targets) if request.shard.takes(i)]
    schemas, exclude = settings.schemas, settings.exclude_schemas
    # the live side is read (mostly waiting on the server) while the declared side is replayed
    with ThreadPoolExecutor(max_workers=1) as background:
        reading = background.submit(_read_live, request, progress, targets, schemas, exclude)
        try:
            declared, declared_label, pending = _declared(request, targets, schemas, exclude, progress)
        finally:
            live_models = reading.result()
    for path in pending:
        output.warn(f"pending migration (not applied on the live database): {path}")
    if request.each_schema:
        declared = declared.restricted((_template_schema(declared),))

    compared: list[_Compared | tuple[str, RunError]] = []
    rules: dict[str, RuleInfo] = {}
    targets_read = _pair(request, declared, live_models)
    many = len(targets_read) > 1
    with progress(f"comparing {len(targets_read)} targets") if many else no_progress("") as update:
        for done, (label, expected, live) in enumerate(targets_read):
            update(done, len(targets_read))
            if isinstance(live, RunError):
                output.warn(f"error: {live}")
                compared.append((label, live))
                continue
            if request.applied_table:
                live = _without_table(live, request.applied_table)
            differences = diff_models(expected, live)
            result, pairs = check_drift(
                differences, settings, declared_label=declared_label, live_label=label
            )
            rules.update(result.rules)
            compared.append(_Compared(label, expected, live, tuple(pairs)))

    findings: list[Finding] = [f for c in compared if isinstance(c, _Compared) for _, f in c.pairs]
    fixed: list[BaselineEntry] = []
    if request.baseline:
        from schemalint.baseline import apply_baseline, load_baseline

        findings, fixed = apply_baseline(findings, load_baseline(Path(request.baseline)))
    errors = [c[1] for c in compared if isinstance(c, tuple)]
    fail_on = fail_on_of(settings)
    from schemalint.report import Report, exit_code

    code = 2 if errors else exit_code(findings, fail_on)
    if request.sql:
        scripts = _scripts(request, compared, findings)
        output.write("\n".join(text for _, text in scripts), request.output)
        if request.verify:
            databases = [t.spec for t in targets if isinstance(t, Source) and t.kind == "database"]
            return _verify(request, compared, scripts, databases) or code
        return code
    report = Report(
        findings=sorted(findings, key=lambda f: f.sort_key),
        rules=rules,
        tool_version=__version__,
        objects=declared.object_count(),
        sources=(declared_label, *(t.label if isinstance(t, Source) else str(t.where) for t in targets)),
        fixed=fixed,
        command="drift",
        errors=tuple(errors),
        fail_on=fail_on,
    )
    output.publish(report, request.format, request.output)
    return code


def _scripts(
    request: DriftRequest,
    compared: Sequence[_Compared | tuple[str, RunError]],
    findings: Sequence[Finding],
) -> list[tuple[str, str]]:
    """(label, script) per target: the differences whose findings stand (not ignored, not
    suppressed, not in the baseline); a header names the target when there are several."""
    from schemalint.drift.reconcile import reconcile_sql

    many = len(compared) > 1 or request.each_schema is not None or request.shard is not None
    standing = iter(not f.suppressed for f in findings)  # findings are in the order of the pairs
    scripts: list[tuple[str, str]] = []
    for item in compared:
        if isinstance(item, tuple):
            scripts.append((item[0], f"-- {item[0]}: not compared, it could not be read"))
            continue
        kept = [d for d, _ in item.pairs if next(standing)]
        header = f"-- {item.label}\n" if many else ""
        scripts.append(
            (item.label, header + reconcile_sql(kept, item.declared, item.live, unsafe=request.unsafe))
        )
    return scripts


def _verify(
    request: DriftRequest,
    compared: Sequence[_Compared | tuple[str, RunError]],
    scripts: Sequence[tuple[str, str]],
    databases: Sequence[str],
) -> int:
    """--verify: each target's script applied to a scratch copy of it; 1 when one leaves a difference."""
    from schemalint.drift.verify import verify_script

    assert request.shadow is not None
    failed = 0
    for item, (_, script) in zip(compared, scripts, strict=True):
        if isinstance(item, tuple):
            continue
        result = verify_script(
            script, item.declared, item.live, shadow=request.shadow, live_dsns=databases, label=item.label
        )
        for line in result.lines():
            output.warn(line)
        failed += not result.ok
    return 1 if failed else 0


def _targets(request: DriftRequest) -> list[Source | RunError]:
    """The LIVE sources, each detected (any source: a DSN, files, a dump); a line of --live-dsns
    that is no source is that target's error, so that the rest of the fleet is still compared."""
    from schemalint.sources.load import detect, label_of

    specs: list[str] = []
    if request.live:
        specs.append(request.live)
    if request.live_env:
        value = os.environ.get(request.live_env)
        if not value:
            raise UserError(f"--live-env {request.live_env}: the environment variable is not set or empty")
        specs.append(value)
    fleet: list[str] = []
    if request.live_dsns:
        try:
            lines = Path(request.live_dsns).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise UserError(f"--live-dsns {request.live_dsns}: cannot read: {error.strerror}") from None
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
    if request.each_schema and (len(targets) != 1 or not databases):
        raise UserError("--each-schema compares the schemas of one database: give exactly one LIVE DSN")
    if request.applied_table and not databases:
        raise UserError("--applied-table reads the migration history of a live database: give a LIVE DSN")
    return targets


def _declared(
    request: DriftRequest,
    targets: list[Source | RunError],
    schemas: tuple[str, ...],
    exclude: tuple[str, ...],
    progress: Progress,
) -> tuple[Model, str, list[str]]:
    from schemalint.sources.load import detect, read_file, restrict, sql_files

    source = detect(request.declared)
    pending: list[str] = []
    if not source.is_files:
        if request.shadow or request.applied_table:
            raise UserError(
                f"--shadow and --applied-table need migration files as DECLARED, not a {source.kind}"
            )
        loaded = _load_shown(source, schemas, exclude, progress)
        return loaded.model, loaded.label, pending
    paths = sql_files(source.path)
    databases = [t.spec for t in targets if isinstance(t, Source) and t.kind == "database"]
    if request.applied_table:
        applied = _applied(databases[0], request.applied_table)
        kept = [p for p in paths if _is_applied(p, applied)]
        pending = [str(p) for p in paths if p not in kept]
        paths = kept
    if request.shadow:
        from schemalint.sources.shadow import shadow_model

        model, messages = shadow_model(
            [read_file(p) for p in paths], request.shadow, schemas=schemas, live=databases
        )
        for message in messages:
            output.warn(message)
        return model, source.label, pending
    from schemalint.sources.sql.replay import replay_files

    with output.loading(progress, source.kind) as told:
        # read one by one as they are replayed: a file's text and statements go once it is replayed
        files = (read_file(p) for p in paths)
        result = replay_files(files, any_order=source.kind == "document", progress=told, total=len(paths))
    for finding in result.findings:
        output.warn(f"{finding.location}: {finding.code} {finding.message}")
    return restrict(result.model, schemas, exclude, source.label), source.label, pending


def _load_shown(
    source: Source, schemas: tuple[str, ...], exclude: tuple[str, ...], progress: Progress
) -> Loaded:
    """load() of one side, its progress shown."""
    from schemalint.sources.load import load

    with output.loading(progress, source.kind) as told:
        return load(
            source, schemas=schemas, exclude_schemas=exclude, application_name=APPLICATION_NAME, progress=told
        )


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
    request: DriftRequest,
    progress: Progress,
    targets: list[Source | RunError],
    schemas: tuple[str, ...],
    exclude: tuple[str, ...],
) -> LiveModels:
    """Every live target's model (or why it could not be read), in target order."""
    from schemalint.sources.catalog import introspect, list_schemas

    if request.each_schema:
        database = targets[0]
        assert isinstance(database, Source)
        names = list_schemas(database.spec, request.each_schema, application_name=APPLICATION_NAME)
        if not names:
            raise UserError(f"--each-schema {request.each_schema!r}: no schema of {database.label} matches")
        if request.shard is not None:
            names = [name for i, name in enumerate(names) if request.shard.takes(i)]
        with progress(f"reading {len(names)} schemas") as update:
            whole = introspect(
                database.spec, schemas=names, application_name=APPLICATION_NAME, progress=update
            )
        parts = whole.per_schema(names)
        return [(f"{database.label} schema {name}", name, parts[name]) for name in names]

    def read(
        target: Source | RunError, shown: Progress = no_progress
    ) -> tuple[str, str | None, Model | RunError]:
        if isinstance(target, RunError):
            return str(target.where), None, target
        try:
            live = _load_shown(target, schemas, exclude, shown)
        except SourceError as error:  # its message masks a DSN, as the label does
            return target.label, None, RunError.of(error, target=target.label)
        return target.label, None, live.model

    if len(targets) == 1:
        label, _, live = read(targets[0], progress)
        if isinstance(live, RunError):
            raise SourceError(str(live))
        return [(label, None, live)]
    results: LiveModels = []
    with (
        progress(f"reading {len(targets)} sources") as update,
        ThreadPoolExecutor(max_workers=max(1, request.jobs)) as pool,
    ):
        for result in pool.map(read, targets):  # in target order; a failure is a result like the others
            results.append(result)
            update(len(results), len(targets))
    return results


def _pair(
    request: DriftRequest, declared: Model, live_models: LiveModels
) -> list[tuple[str, Model, Model | RunError]]:
    """(label, the declared model for that target, the live model or the error) per target.

    With --each-schema the declared tenant is moved to each live schema, so that findings and
    scripts name the real schema."""
    if not request.each_schema:
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
