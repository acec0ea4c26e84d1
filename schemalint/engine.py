"""The lint engine: run the selected rules, isolate crashes, apply suppressions.

lint_files replays migrations in version order; statement rules run on each
statement of the target files with the model state just before it; model
rules run on the final model. lint_model runs the model rules on a model read
from anywhere (a live database). Both return a LintResult whose findings are
sorted, fingerprinted, severity-adjusted and marked suppressed where a comment
or the configuration says so.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from schemalint.cache import Cache, KeptFile, LintMemo
from schemalint.config import Settings
from schemalint.drift.rulebase import code_of
from schemalint.errors import SourceError
from schemalint.findings import SEVERITY_RANK, Finding, RuleInfo, RunError, Severity
from schemalint.model import Column, Constraint, Location, Model, Policy, Table, Trigger
from schemalint.rules.astutil import FileContext
from schemalint.rules.base import ModelRule, Rule, RuleContext, StatementRule
from schemalint.rules.engine_rules import RuleCrashed
from schemalint.rules.registry import DRIFT_CODES, ENGINE_CODES, rule_by_code_or_slug
from schemalint.sources.load import MARKDOWN_SUFFIXES, read_file, restrict
from schemalint.sources.targets import expand_targets, real_paths, unique_paths
from schemalint.statements import Progress, SqlFile, Statement, taken_with_progress
from schemalint.suppress import apply_comment_suppressions, apply_config_ignores

if TYPE_CHECKING:
    from schemalint.drift.diff import Difference
    from schemalint.sources.sql.replay import Replayer

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


@dataclass(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]  # sorted; suppressed ones included (suppressed=True)
    files: int  # target files linted
    statements: int  # statements in the target files
    objects: int  # objects in the final model
    rules: Mapping[str, RuleInfo]  # the rules that ran, by code, with their effective severity
    errors: tuple[RunError, ...] = ()  # one per file that could not be read (the run went on without it)

    def failing(self, fail_on: Severity) -> tuple[Finding, ...]:
        """Unsuppressed findings at or above fail_on."""
        rank = SEVERITY_RANK[fail_on]
        return tuple(f for f in self.findings if not f.suppressed and SEVERITY_RANK[f.severity] >= rank)


@lru_cache(maxsize=256)  # a statement with many findings (a wide CREATE TABLE) is normalised once
def _normalised(statement_text: str) -> str:
    return " ".join(_COMMENTS.sub(" ", statement_text).lower().split())


def fingerprint(finding: Finding, statement_text: str = "") -> str:
    """A short hash of code, object and the offending fact; never line numbers.

    A rule's finding is its object and fact: fixing one of several findings of a statement changes
    no other's fingerprint. ``statement_text`` (normalised) stands for the fact of an engine finding
    (an unparsed statement) and of a rule's finding that names neither object nor fact."""
    fact = finding.fact or _normalised(statement_text)
    data = "\x1f".join((finding.code, finding.object or "", fact))
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _crash(rule: Rule, where: str, error: BaseException, location: Location | None) -> Finding:
    info = RuleCrashed
    return Finding(
        info.code,
        info.slug,
        info.severity,
        f"Rule {rule.code} ({rule.slug}) crashed on {where}: {type(error).__name__}: {error}. "
        "This is a bug in schemalint.",
        help=f"Please report it at https://github.com/schemalint/schemalint/issues with this message; "
        f"meanwhile --ignore {rule.code}.",
        location=location,
    )


def _guarded(
    rule: Rule, where: str, location: Location | None, run: Callable[[], Iterable[Finding]]
) -> list[Finding]:
    out: list[Finding] = []
    try:
        for finding in run():
            out.append(finding)
    except Exception as error:  # a rule's bug must not stop the run
        out.append(_crash(rule, where, error, location))
    return out


def selected_rules(settings: Settings) -> list[Rule]:
    """The lint rules the settings turn on (engine and drift rules run elsewhere)."""
    return [s.instance() for s in settings.enabled() if s.rule.code not in ENGINE_CODES | DRIFT_CODES]


def _rule_infos(settings: Settings, rules: Sequence[Rule]) -> dict[str, RuleInfo]:
    codes = {r.code for r in rules} | {c for c in ENGINE_CODES if settings.is_enabled(c)}
    infos = {}
    for code in sorted(codes):
        rule = rule_by_code_or_slug(code)
        info = rule.info() if rule is not None else next(r.info() for r in rules if r.code == code)
        infos[code] = replace(info, severity=settings.severity_of(code, info.severity))
    return infos


def _run_model_rules(rules: Sequence[Rule], model: Model, ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for rule in rules:
        if isinstance(rule, ModelRule):
            out += _guarded(rule, "the model", None, lambda rule=rule: rule.check(model, ctx))  # type: ignore[misc]
    return out


def _finish(findings: Iterable[Finding], settings: Settings) -> list[Finding]:
    """Effective severities, and engine findings of rules that are not selected dropped."""
    out = []
    for f in findings:
        if f.code in ENGINE_CODES and not settings.is_enabled(f.code):
            continue
        severity = settings.severity_of(f.code, f.severity)
        out.append(f if severity == f.severity else f.with_(severity=severity))
    return out


def lint_model(
    model: Model,
    settings: Settings,
    *,
    source_label: str,
    rules: Sequence[Rule] | None = None,
    origin: Callable[[str], Location | None] | None = None,
    facts: Mapping[tuple[str, str], Location] | None = None,
) -> LintResult:
    """Model rules on a model read whole: a live database (``origin`` None: findings name the
    object, no location), or a model dump (``origin`` looks up where its objects were declared,
    ``facts`` where their type, name, RLS flags … were set, so that its findings are the ones of
    the files it was dumped from, at the lines a lint of those files gives).

    `rules` replaces the settings' selection (library use and tests).
    """
    chosen = selected_rules(settings) if rules is None else list(rules)
    model = restrict(model, settings.schemas, settings.exclude_schemas, source_label)
    live = origin is None or model.database.server_version is not None
    now = datetime.now(UTC)
    context = (
        RuleContext(live=live, now=now) if origin is None else RuleContext(origin=origin, live=live, now=now)
    )
    found = _run_model_rules(chosen, model, context)
    found = apply_config_ignores(_finish(found, settings), settings)
    final = []
    for f in found:
        location = f.location
        if location is None and origin is not None and f.object is not None:
            location = _anchor(f, lambda q, a: (facts or {}).get((q, a)), origin, lambda _q: None)
        source = location.path if location is not None else source_label
        final.append(f.with_(location=location, source=source, fingerprint=fingerprint(f)))
    return LintResult(
        tuple(sorted(final, key=lambda f: f.sort_key)),
        0,
        0,
        model.object_count(),
        _rule_infos(settings, chosen),
    )


def check_drift(
    differences: Sequence[Difference], settings: Settings, *, declared_label: str, live_label: str
) -> tuple[LintResult, list[tuple[Difference, Finding]]]:
    """The drift rules the settings turn on, on the differences of one target: findings at their
    effective severities, marked suppressed by the config's ignores and per-object ignores, and
    fingerprinted (rule, object, target and the difference's values; never a line). Also each
    difference with its finding, in the order of the differences (none for a rule turned off),
    so that the reconciliation script leaves out what the findings leave out."""
    from schemalint.drift.rules import DRIFT_RULES, RULES

    rules = [rule(settings.rules[rule.code].options) for rule in RULES if settings.is_enabled(rule.code)]
    by_code = {rule.code: rule for rule in rules}
    pairs: list[tuple[Difference, Finding]] = []
    for difference in differences:
        rule = by_code.get(code_of(difference))
        if rule is None:
            continue
        found = _guarded(
            rule,
            f"the difference {difference}",
            difference.location,
            lambda rule=rule, d=difference: rule.check(  # type: ignore[misc]
                d, declared_label=declared_label, live_label=live_label
            ),
        )
        for finding in apply_config_ignores(_finish(found, settings), settings):
            pairs.append((difference, finding.with_(fingerprint=fingerprint(finding))))
    defaults = {info.code: info for info in DRIFT_RULES}  # docstrings read once, not per target
    infos = {
        rule.code: replace(defaults[rule.code], severity=settings.severity_of(rule.code, rule.severity))
        for rule in rules
    }
    findings = tuple(sorted((f for _, f in pairs), key=lambda f: f.sort_key))
    return LintResult(findings, 0, 0, 0, infos), pairs


_Lookup = Callable[[str], Location | None]


def _anchor(
    finding: Finding, fact: Callable[[str, str], Location | None], declared: _Lookup, origin: _Lookup
) -> Location | None:
    """Where the fact a model finding is about was established: the statement that set its aspect
    (the ALTER COLUMN … TYPE, the RENAME, the ENABLE ROW LEVEL SECURITY), else where its object
    was declared (the column line, the CREATE INDEX) or dropped (a missing column's DROP COLUMN),
    else the same of its parent (a column that never existed: the CREATE TABLE)."""
    name = finding.object or ""
    if finding.aspect:
        where = fact(name, finding.aspect)
        if where is not None:
            return where
    while name:
        where = declared(name) or fact(name, "dropped") or origin(name)
        if where is not None or "(" in name:
            return where
        name = name.rpartition(".")[0]
    return None


def _declared(model: Model, owners: Mapping[str, str], qualname: str) -> Location | None:
    """The location of an object of the model (as model.object_locations keys it), None when the
    model holds no such object or holds it without a location."""
    for mapping in (model.tables, model.views, model.enums, model.domains, model.sequences, model.functions):
        found = mapping.get(qualname)
        if found is not None:
            return found.location
    owner = owners.get(qualname)
    if owner is not None:
        holder = model.tables.get(owner) or model.views.get(owner)
        name = qualname.partition(".")[2]
        return next((i.location for i in holder.indexes if i.name == name), None) if holder else None
    parent, _, part = qualname.rpartition(".")
    table = model.tables.get(parent)
    if table is None:
        return None
    parts: tuple[Column | Constraint | Trigger | Policy, ...] = (
        *table.columns,
        *table.constraints,
        *table.triggers,
        *table.policies,
    )
    return next((p.location for p in parts if p.name == part), None)


def _concerns_targets(finding: Finding, target_paths: set[str], touched: set[str]) -> bool:
    """A model finding is kept when the fact it is about was established in a target file: it is
    located there (an old table's debt is not shown because a new file adds an index to it)."""
    if finding.location is not None:
        return finding.location.path in target_paths
    if finding.object is None:
        return True
    return _touches(touched, finding.object)


def _focused(model: Model, replayer: Replayer, touched: set[str]) -> Model:
    """The model for the model rules of a lint of some files of a directory (pre-commit): a finding
    is shown only when it is about an object those files created or changed, so the rules iterate
    only the tables that hold one (a wide directory has thousands of tables for one file's few),
    while every table can still be looked up (a foreign key's target, a partition's parent)."""
    owners = replayer.state.index_owner
    # a changed column, constraint … names its table; a changed index is found by its owner
    holders = {q.rpartition(".")[0] for q in touched} | {owners[q] for q in touched if q in owners}
    # by name only: a table the cache kept packed is not loaded to be passed over (PackedDict)
    shown = [qualname for qualname in model.tables if qualname in touched or qualname in holders]
    return replace(model, tables=_Focus(model.tables, shown))


class _Focus(Mapping[str, Table]):
    """Tables that iterate as `shown` but look up as all of `tables`."""

    __slots__ = ("_shown", "_tables")

    def __init__(self, tables: Mapping[str, Table], shown: list[str]) -> None:
        self._tables = tables
        self._shown = shown

    def __getitem__(self, qualname: str) -> Table:
        return self._tables[qualname]

    def __contains__(self, qualname: object) -> bool:
        return qualname in self._tables

    def __iter__(self) -> Iterator[str]:
        return iter(self._shown)

    def __len__(self) -> int:
        return len(self._shown)


def _touches(touched: set[str], qualname: str) -> bool:
    name = qualname
    while name:
        if name in touched:
            return True
        if "(" in name:
            return False
        name = name.rpartition(".")[0]
    return False


def lint_files(
    targets: Sequence[Path],
    settings: Settings,
    *,
    migrations_dir: Path | None = None,
    rules: Sequence[Rule] | None = None,
    progress: Progress | None = None,
    cache: Cache | None = None,
) -> LintResult:
    """Lint migration files (or directories, or markdown schema documents).

    The model is replayed from migrations_dir (or, for a versioned file such as
    V42__x.sql, its own directory; a directory target is itself a migrations
    directory) in version order, the targets included; findings are kept when they are
    in a target file or about an object a target file creates or changes.

    ``progress`` is told, every few hundred statements, how far the run is (see Progress).

    With a `cache` (and the settings' rules), what the files' paths and bytes already gave is read
    back: the whole result, else the replayed state after a run of files and each target
    file's findings (cache.py).
    """
    from schemalint.sources.sql.order import migration_files

    # the history expand_targets gives holds its targets, without repeats; another one may not
    files, sequence, reals = expand_targets(targets)
    if migrations_dir is not None:
        sequence = unique_paths([*migration_files(migrations_dir), *files])
        reals = real_paths(sequence)
    # one pass of real paths over the history: each is an lstat (2,000 files: 0.1 s on a busy host)
    target_keys = set(real_paths(files))
    is_target = [real in target_keys for real in reals]
    every_file_is_target = all(is_target)

    memo = (
        None
        if cache is None or rules is not None
        else LintMemo(cache, sequence, is_target, every_file_is_target)
    )
    kept: list[KeptFile | None] = [None] * len(sequence)
    start, state = 0, None
    if memo is not None:
        cached = memo.result()
        if isinstance(cached, LintResult):
            return cached  # nothing changed: no replay, no rules (and not even their imports)
        kept = [memo.kept(i) if target else None for i, target in enumerate(is_target)]
        start, state = memo.resume(kept)

    from schemalint.sources.sql.replay import Replayer

    chosen = selected_rules(settings) if rules is None else list(rules)
    statement_rules = _RulesByKind([r for r in chosen if isinstance(r, StatementRule)])
    replayer = Replayer()
    if state is not None:
        replayer.restore(state)
    findings: list[Finding] = []
    statements = _StatementIndex()
    target_paths: set[str] = set()
    directive_files: dict[str, SqlFile] = {}  # the target files whose comments may suppress findings
    touched: set[str] = set()
    statement_count = target_statements = 0  # statements read; of them, in target files
    errors: list[RunError] = []
    for done, path in enumerate(sequence):
        found = kept[done]
        if found is not None:  # its findings are kept: it is only replayed, if at all
            target_paths.add(found.file.path)
            if _has_directives(found.file):
                directive_files[found.file.path] = found.file
            findings += found.findings
            touched |= found.touched
            for statement in found.file.statements:
                statements.add(statement)
            target_statements += found.statements
            statement_count += found.statements
        if done < start:  # the state restored is the one after it
            continue
        try:
            file = read_file(path)
        except SourceError as error:  # one unreadable file: say so, lint the others
            errors.append(RunError.of(error))
            if memo is not None:
                memo.broken = True
            continue
        replayer.new_session()  # each migration file runs in a session of its own
        target = is_target[done] and kept[done] is None
        if target:
            target_paths.add(file.path)
            if _has_directives(file):
                directive_files[file.path] = file
        mark, file_touched = len(findings), set[str]()
        # the statements the cache keeps of a target file, without their parse trees
        bare: list[Statement] | None = [] if memo is not None and target and memo.keeps_files else None
        # what the statement rules know of the file around a statement: its FileState, advanced
        # statement by statement (statement_file(ctx) in the rules)
        ctx = FileContext(path=file.path, target_postgres=settings.target_postgres)
        # a schema document names tables in any order: what is refused is tried again at its end
        any_order = path.suffix.lower() in MARKDOWN_SUFFIXES
        postponed: list[Statement] = []
        # each statement once: a large file's are not kept, nor their parse trees
        count = 0
        for statement in taken_with_progress(file, done, len(sequence), statement_count, progress):
            count += 1
            if target and statement.node is not None:
                findings += _run_statement_rules(
                    statement_rules[statement.kind], statement, replayer.model(), ctx
                )
            try:
                replayed = replayer.apply(statement)
            except Exception as error:  # a replay bug: report, go on with the next statement
                replayed = [_crash_replay(statement, error)]
            # what PostgreSQL refuses, and what then fails for want of it, is tried again
            if any_order and (replayer.refused or (postponed and replayed)):
                postponed.append(statement)
                replayed = []
            if target:
                findings += replayed
                if not every_file_is_target:
                    file_touched.update(replayer.changed_origins())
            ctx.file.advance(statement)
            if found is None:  # a kept file's statements are in the index already
                statements.add(statement)
            if bare is not None:
                bare.append(replace(statement, node=None))
        if postponed and target:
            findings += replayer.retry(postponed)
            file_touched.update(q for q, where in replayer.origins.items() if where.path == file.path)
        elif postponed:
            replayer.retry(postponed)
        if target and count:
            findings += _run_end_of_file(statement_rules.at_end, replayer.model(), ctx)
        touched |= file_touched
        statement_count += count
        target_statements += count if target else 0
        if memo is not None:
            part = None
            if bare is not None:
                part = KeptFile.of(replace(file, statements=tuple(bare)), findings[mark:], file_touched)
            memo.after(done, replayer, part)
    if progress is not None:
        progress(len(sequence), len(sequence), statement_count)

    model = restrict(replayer.model(), settings.schemas, settings.exclude_schemas, _label(targets))
    ruled = model if every_file_is_target else _focused(model, replayer, touched)
    model_findings = _run_model_rules(chosen, ruled, RuleContext(origin=replayer.origin))
    final_model, owners = replayer.model(), replayer.state.index_owner

    def declared(qualname: str) -> Location | None:
        return _declared(final_model, owners, qualname)

    for finding in model_findings:
        if finding.location is None and finding.object is not None:
            if not every_file_is_target and not _touches(touched, finding.object):
                # no target file created or changed it (nor its table): it is not shown, and
                # anchoring it would read what the cache kept packed (origins, tables) for nothing
                continue
            location = _anchor(finding, replayer.fact, declared, replayer.origin)
            finding = _fingerprinted(finding, statements, location)  # one copy, not two
        if every_file_is_target or _concerns_targets(finding, target_paths, touched):
            findings.append(finding)

    findings = _finish(findings, settings)
    findings = apply_comment_suppressions(findings, directive_files, settings)
    findings = apply_config_ignores(_finish(findings, settings), settings)
    final = [f if f.fingerprint else _fingerprinted(f, statements, f.location) for f in findings]
    result = LintResult(
        tuple(sorted(final, key=lambda f: f.sort_key)),
        len(target_paths),
        target_statements,
        replayer.object_count() if model is replayer.model() else model.object_count(),
        _rule_infos(settings, chosen),
        tuple(errors),
    )
    if memo is not None and not errors:
        memo.store_result(result)
    return result


def _has_directives(file: SqlFile) -> bool:
    """Whether a comment of the file may be a suppression (the others need no statements kept)."""
    return any("schemalint" in comment.text for comment in file.comments)


def _label(targets: Sequence[Path]) -> str:
    return str(targets[0]) if len(targets) == 1 else f"{targets[0]} and {len(targets) - 1} more"


class _RulesByKind(dict[str, list[StatementRule]]):
    """The statement rules that read statements of a kind (rules × statements calls add up)."""

    def __init__(self, rules: list[StatementRule]) -> None:
        super().__init__()
        self.rules = rules
        self.at_end = [r for r in rules if r.at_end]

    def __missing__(self, kind: str) -> list[StatementRule]:
        chosen = self[kind] = [r for r in self.rules if r.kinds is None or kind in r.kinds]
        return chosen


def _run_statement_rules(
    rules: Sequence[StatementRule], statement: Statement, state: Model, ctx: FileContext
) -> list[Finding]:
    if not rules:
        return []
    out: list[Finding] = []
    for rule in rules:  # _guarded, inlined: this runs rules × statements times
        try:
            for finding in rule.check(statement, state, ctx):
                out.append(
                    finding if finding.location is not None else finding.with_(location=statement.location)
                )
        except Exception as error:  # a rule's bug must not stop the run
            out.append(_crash(rule, f"statement {statement.location}", error, statement.location))
    return out


def _run_end_of_file(rules: Sequence[StatementRule], state: Model, ctx: FileContext) -> list[Finding]:
    out: list[Finding] = []
    for rule in rules:
        out += _guarded(rule, f"the end of {ctx.path}", None, lambda rule=rule: rule.end_of_file(state, ctx))  # type: ignore[misc]
    return out


def _crash_replay(statement: Statement, error: Exception) -> Finding:
    info = RuleCrashed
    return Finding(
        info.code,
        info.slug,
        info.severity,
        f"Replay crashed on statement {statement.location}: {type(error).__name__}: {error}. "
        "This is a bug in schemalint; the model may miss what the statement does.",
        help="Please report it at https://github.com/schemalint/schemalint/issues with the statement.",
        location=statement.location,
    )


class _StatementIndex:
    """The statement (text) at a position, per file: their texts and positions, not the
    statements, whose parse trees would keep a large file's whole parse alive."""

    def __init__(self) -> None:
        self.starts: dict[str, list[int]] = {}  # (line << 32) | column of each statement, in order
        self.end_lines: dict[str, array[int]] = {}
        self.texts: dict[str, list[str]] = {}

    def add(self, statement: Statement) -> None:
        where = statement.location
        starts = self.starts.get(where.path)
        if starts is None:
            starts = self.starts[where.path] = []
            self.end_lines[where.path] = array("q")
            self.texts[where.path] = []
        starts.append(where.line << 32 | where.col)
        self.end_lines[where.path].append(where.end_line)
        self.texts[where.path].append(statement.text)

    def text_at(self, location: Location) -> str:
        starts = self.starts.get(location.path)
        if not starts:
            return ""
        at = bisect.bisect_right(starts, location.line << 32 | location.col) - 1
        if at < 0:
            return ""
        return self.texts[location.path][at] if self.end_lines[location.path][at] >= location.line else ""


_POSITIONS = re.compile(r"\S+:\d+:\d+")


def _fingerprinted(finding: Finding, statements: _StatementIndex, location: Location | None) -> Finding:
    """The finding at `location`, with its fingerprint and source.

    A rule's finding hashes code, object and fact (stable while the table and the statement
    evolve around it); engine findings, and a rule's finding with neither object nor fact, hash
    their statement's text (engine findings without one: their message)."""
    source = location.path if location is not None else finding.source
    text = ""
    if (finding.code in ENGINE_CODES or not (finding.object or finding.fact)) and location is not None:
        text = statements.text_at(location)
        if not text and finding.code in ENGINE_CODES:
            text = _POSITIONS.sub("", finding.message)
    return finding.with_(location=location, fingerprint=fingerprint(finding, text), source=source)
