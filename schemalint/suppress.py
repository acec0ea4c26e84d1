"""Suppressions: `-- schemalint: ignore[…]` comments, per-file and per-object ignores.

    -- schemalint: ignore[M001,T003] reason        the next statement (or the one it trails)
    -- schemalint: ignore-file[T002] reason         the whole file

A directive names its rules (codes or slugs): a blanket ignore, an unknown
rule or a malformed directive is an E004 invalid-suppression finding, and a
directive that suppresses nothing (for a rule that ran) an E003
unused-suppression finding. Suppressed findings are kept, marked
suppressed=True, so that reports can show them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from schemalint.config import Settings
from schemalint.findings import Finding
from schemalint.model import Location
from schemalint.rules.engine_rules import InvalidSuppression, UnusedSuppression
from schemalint.rules.registry import did_you_mean, rule_by_code_or_slug
from schemalint.statements import SqlFile

DIRECTIVE = re.compile(r"^\s*schemalint\s*:\s*(?P<verb>[\w-]*)(?P<codes>\[[^\]]*\]?)?(?P<reason>.*)$", re.S)
VERBS = ("ignore", "ignore-file")


@dataclass(slots=True)
class Directive:
    """One suppression comment; `used` collects the codes it suppressed."""

    location: Location
    codes: tuple[str, ...]
    reason: str
    file_level: bool
    statement: int | None = None  # index into the file's statements; None for file-level or dangling
    used: set[str] = field(default_factory=set)


def _invalid(location: Location, message: str, help: str) -> Finding:
    rule = InvalidSuppression
    return Finding(rule.code, rule.slug, rule.severity, message, help=help, location=location)


def parse_directives(file: SqlFile) -> tuple[list[Directive], list[Finding]]:
    """The directives of a file, and E004 findings for the malformed ones."""
    directives: list[Directive] = []
    problems: list[Finding] = []
    lines = file.text.splitlines()
    starts = [s.location.line for s in file.statements]
    for comment in file.comments:
        match = DIRECTIVE.match(comment.text)
        if match is None:
            continue
        width = len(comment.text) + 2
        where = Location(file.path, comment.line, comment.col, comment.line, comment.col + width)
        verb, raw_codes, reason = match["verb"], match["codes"], match["reason"].strip()
        if verb not in VERBS:
            problems.append(
                _invalid(
                    where,
                    f"Unknown suppression {verb!r} at {where}; expected ignore[CODE] or ignore-file[CODE].",
                    "Write -- schemalint: ignore[CODE] reason (or ignore-file[CODE] for the whole file).",
                )
            )
            continue
        if not raw_codes or not raw_codes.endswith("]") or not raw_codes.strip("[] "):
            problems.append(
                _invalid(
                    where,
                    f"Suppression at {where} names no rule; a blanket {verb} would hide every finding.",
                    f"Name the rules: -- schemalint: {verb}[CODE,…] reason",
                )
            )
            continue
        codes: list[str] = []
        for name in (part.strip() for part in raw_codes.strip("[]").split(",")):
            rule = rule_by_code_or_slug(name) if name else None
            if rule is None:
                problems.append(
                    _invalid(
                        where,
                        f"Suppression at {where} names unknown rule {name!r}{did_you_mean(name)}.",
                        "Use rule codes or slugs as listed by `schemalint rules`.",
                    )
                )
                continue
            codes.append(rule.code)
        if not codes:
            continue
        directive = Directive(where, tuple(dict.fromkeys(codes)), reason, verb == "ignore-file")
        if not directive.file_level:
            directive.statement = _statement_for(comment.line, comment.own_line, file, starts, lines)
        directives.append(directive)
    return directives, problems


def _statement_for(
    line: int, own_line: bool, file: SqlFile, starts: list[int], lines: list[str]
) -> int | None:
    """The statement a directive on `line` applies to."""
    statements = file.statements
    at = bisect.bisect_left(starts, line)
    if at < len(starts) and starts[at] == line:
        return at  # a comment on the statement's first line (before or after its text)
    if not own_line:
        containing = at - 1
        if containing >= 0 and statements[containing].location.end_line >= line:
            return containing
        return None
    if at >= len(starts):
        return None
    between = lines[line : starts[at] - 1]
    if all(text.strip().startswith(("--", "/*", "*")) for text in between):
        return at  # only comment lines between the directive and the statement
    return None


def _statement_at(file: SqlFile, starts: list[int], line: int) -> int | None:
    at = bisect.bisect_right(starts, line) - 1
    if at >= 0 and file.statements[at].location.end_line >= line:
        return at
    return None


def apply_comment_suppressions(
    findings: Sequence[Finding], files: Mapping[str, SqlFile], settings: Settings
) -> list[Finding]:
    """Mark findings suppressed by directives; add E003 and E004 findings."""
    directives: dict[str, list[Directive]] = {}
    extra: list[Finding] = []
    for path, file in files.items():
        found, problems = parse_directives(file)
        directives[path] = found
        extra += problems
    starts = {path: [s.location.line for s in file.statements] for path, file in files.items()}
    out: list[Finding] = []
    for finding in findings:
        loc = finding.location
        if loc is None or loc.path not in files or finding.suppressed:
            out.append(finding)
            continue
        index = _statement_at(files[loc.path], starts[loc.path], loc.line)
        hit = False
        for directive in directives[loc.path]:
            applies = directive.file_level or (
                directive.statement is not None and directive.statement == index
            )
            if applies and finding.code in directive.codes:
                directive.used.add(finding.code)
                hit = True
        out.append(finding.with_(suppressed=True) if hit else finding)
    for found in directives.values():
        extra += _unused(found, settings)
    return out + [f.with_(severity=settings.severity_of(f.code, f.severity)) for f in extra]


def _unused(directives: Iterable[Directive], settings: Settings) -> Iterator[Finding]:
    rule = UnusedSuppression
    for directive in directives:
        for code in directive.codes:
            if code in directive.used or not settings.is_enabled(code):
                continue
            scope = "in this file" if directive.file_level else "on its statement"
            if directive.statement is None and not directive.file_level:
                scope = "(it is not right before or on a statement)"
            yield Finding(
                rule.code,
                rule.slug,
                rule.severity,
                f"Suppression of {code} at {directive.location} suppresses nothing {scope}.",
                help=f"Remove {code} from the comment (or the whole comment).",
                location=directive.location,
            )


def apply_config_ignores(findings: Sequence[Finding], settings: Settings) -> list[Finding]:
    """Mark findings matched by per-file-ignores (their path) or per-object-ignores (their object)."""
    if not settings.per_file_ignores and not settings.per_object_ignores:
        return list(findings)
    out = []
    for finding in findings:
        path = finding.location.path if finding.location else None
        hit = (path is not None and settings.ignored_for_file(path, finding.code)) or (
            finding.object is not None and settings.ignored_for_object(finding.object, finding.code)
        )
        out.append(finding.with_(suppressed=True) if hit and not finding.suppressed else finding)
    return out
