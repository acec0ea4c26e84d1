"""Any source to a model: a .sql file, a migration directory, a markdown schema
document, a DSN, or a model JSON dump (schemalint inspect --format json).

``detect`` is the one place that decides what a SOURCE argument is; every command
reads its sources through it, so that each command takes every kind, on either side.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from schemalint.errors import SourceError
from schemalint.findings import Finding
from schemalint.model import OBJECT_MAPPINGS, Location, Model
from schemalint.statements import Progress, SqlFile

MARKDOWN_SUFFIXES = (".md", ".markdown")
SQL_SUFFIXES = (".sql", ".psql", ".pgsql", ".ddl")
EXPECTED = (
    "expected .sql migration files or a directory of them, a .md schema document, "
    "a .json model dump (schemalint inspect --format json) or a PostgreSQL DSN"
)

SourceKind = Literal["database", "migrations", "sql", "document", "dump"]


@dataclass(frozen=True)
class Source:
    """A SOURCE argument and what it is. ``label`` is safe to print (a DSN's secrets masked)."""

    spec: str
    kind: SourceKind
    label: str

    @property
    def path(self) -> Path:
        return Path(self.spec)

    @property
    def is_files(self) -> bool:
        """SQL read statement by statement (migrations, a schema file or document)."""
        return self.kind in ("migrations", "sql", "document")


def _path_error(path: Path, error: OSError) -> SourceError:
    """Why a path cannot be read: a symbolic link loop, a link to nothing, a directory on the way
    that may not be searched, or no such file."""
    if error.errno == errno.ELOOP:
        why = "symbolic link loop (too many levels of symbolic links)"
    elif isinstance(error, PermissionError):
        why = "permission denied"
    elif path.is_symlink():
        why = f"symbolic link to {os.readlink(path)}, which does not exist"
    elif isinstance(error, FileNotFoundError):
        why = "no such file or directory"
    else:
        why = f"cannot read: {error.strerror}"
    return SourceError(why, path=str(path))


def label_of(spec: str) -> str:
    """A SOURCE as it may be printed before it is known to be one (a DSN's secrets masked)."""
    from schemalint.sources.dsn import display_dsn, looks_like_dsn

    return display_dsn(spec) if looks_like_dsn(spec) else spec


def detect(spec: str) -> Source:
    """What a SOURCE is; a one-line SourceError when it is nothing schemalint reads.

    A DSN that does not parse is an error that shows it masked, never a "file not found"
    that echoes it."""
    from schemalint.sources.dsn import display_dsn, looks_like_dsn, parse_error

    path = Path(spec)
    if looks_like_dsn(spec) and not os.path.lexists(spec):
        reason = parse_error(spec)
        if reason is not None:
            raise SourceError(f"{display_dsn(spec)}: not a valid connection string: {reason}")
        return Source(spec, "database", display_dsn(spec))
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise _path_error(path, error) from None
    if stat.S_ISDIR(mode):
        return Source(spec, "migrations", spec)
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return Source(spec, "document", spec)
    from schemalint.sources.dump import is_model_json

    if suffix == ".json" or is_model_json(path):
        return Source(spec, "dump", spec)
    if suffix in SQL_SUFFIXES:
        return Source(spec, "sql", spec)
    raise SourceError(f"not a source schemalint reads; {EXPECTED}", path=spec)


@dataclass(frozen=True)
class Loaded:
    """A model and what reading it said (E001 findings, files and statements read)."""

    model: Model
    label: str
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    statements: int = 0
    origins: Mapping[str, Location] = field(default_factory=dict)
    # (qualname, aspect) -> where that fact was established (replay's, or a dump's "facts")
    facts: Mapping[tuple[str, str], Location] = field(default_factory=dict)


def sql_files(path: Path) -> list[Path]:
    """The files a path stands for, in apply order."""
    from schemalint.sources.sql.order import migration_files

    if path.is_dir():
        files = migration_files(path)
        if not files:
            raise SourceError("no .sql migration files in this directory", path=str(path))
        return files
    try:
        path.stat()
    except OSError as error:
        raise _path_error(path, error) from None
    return [path]


def read_file(path: Path) -> SqlFile:
    """A .sql file, or the ```sql blocks of a markdown schema document, as a SqlFile."""
    from schemalint.sources.markdown import read_markdown
    from schemalint.sources.sql.parse import read_sql_file

    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return read_markdown(path)
    return read_sql_file(path)


def restrict(model: Model, schemas: Collection[str], exclude: Collection[str], label: str) -> Model:
    """The model with only ``schemas`` (less ``exclude``); an error naming the schemas there are
    when one asked for is not in it (an empty model would pass every check)."""
    if schemas:
        present = set(model.schemas) | {
            o.schema
            for name in OBJECT_MAPPINGS
            if name not in ("schemas", "default_privileges")
            for o in getattr(model, name).values()
        }
        missing = sorted(set(schemas) - present)
        if missing:
            raise SourceError(
                f"Schema {', '.join(missing)} was requested, but {label} has no such schema "
                f"(it has: {', '.join(sorted(present)) or 'none'})"
            )
    return model.restricted(schemas, exclude)


def load(
    spec: str | Source,
    *,
    schemas: Sequence[str] = (),
    exclude_schemas: Sequence[str] = (),
    application_name: str = "schemalint",
    progress: Progress | None = None,
) -> Loaded:
    """Read any source into a model. `progress` is told how far the reading is: files replayed of
    all (statements.Progress), or a database's catalog queries read of all (no statements)."""
    source = spec if isinstance(spec, Source) else detect(spec)
    if source.kind == "database":
        from schemalint.sources.catalog import introspect

        model = introspect(
            source.spec,
            schemas=schemas,
            exclude_schemas=exclude_schemas,
            application_name=application_name,
            progress=None if progress is None else lambda done, total: progress(done, total, 0),
        )
        return Loaded(model, source.label)
    if source.kind == "dump":
        from schemalint.sources.dump import dump_from_json

        try:
            text = source.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SourceError(f"cannot read: {error}", path=source.spec) from None
        model, facts = dump_from_json(text, source.spec)
        return Loaded(restrict(model, schemas, exclude_schemas, source.label), source.label, facts=facts)
    from schemalint.sources.sql.replay import replay_files

    paths = sql_files(source.path)
    # read one by one as they are replayed: a file's text and statements go once it is replayed
    files = (read_file(p) for p in paths)
    result = replay_files(files, any_order=source.kind == "document", progress=progress, total=len(paths))
    return Loaded(
        restrict(result.model, schemas, exclude_schemas, source.label),
        source.label,
        result.findings,
        len(paths),
        result.statements,
        result.origins,
        result.facts,
    )


def load_model(spec: str, *, schemas: Sequence[str] = (), exclude_schemas: Sequence[str] = ()) -> Model:
    return load(spec, schemas=schemas, exclude_schemas=exclude_schemas).model
