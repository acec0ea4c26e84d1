"""Any source to a model: a .sql file, a migration directory, a markdown schema
document, a DSN, or a model JSON dump (schemalint inspect --format json)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from schemalint.errors import SourceError
from schemalint.findings import Finding
from schemalint.model import Location, Model
from schemalint.sources.sql.statements import SqlFile

MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class Loaded:
    """A model and what reading it said (E001 findings, files and statements read)."""

    model: Model
    label: str
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    statements: int = 0
    origins: dict[str, Location] = field(default_factory=dict)


def sql_files(path: Path) -> list[Path]:
    """The files a path stands for, in apply order."""
    from schemalint.sources.sql.order import migration_files

    if path.is_dir():
        files = migration_files(path)
        if not files:
            raise SourceError(f"{path}: no .sql migration files in this directory")
        return files
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    return [path]


def read_file(path: Path) -> SqlFile:
    """A .sql file, or the ```sql blocks of a markdown schema document, as a SqlFile."""
    from schemalint.sources.markdown import read_markdown
    from schemalint.sources.sql.parse import read_sql_file

    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return read_markdown(path)
    return read_sql_file(path)


def load(
    spec: str,
    *,
    schemas: Sequence[str] = (),
    exclude_schemas: Sequence[str] = (),
    application_name: str = "schemalint",
) -> Loaded:
    """Read any source into a model."""
    from schemalint.sources.dsn import is_dsn, mask_dsn

    if is_dsn(spec):
        from schemalint.sources.catalog import introspect

        model = introspect(
            spec, schemas=schemas, exclude_schemas=exclude_schemas, application_name=application_name
        )
        return Loaded(model, mask_dsn(spec))
    path = Path(spec)
    if path.is_file() and path.suffix.lower() == ".json":
        from schemalint.sources.dump import model_from_json

        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SourceError(f"{path}: cannot read: {error}") from None
        return Loaded(model_from_json(text, str(path)).restricted(schemas, exclude_schemas), str(path))
    from schemalint.sources.sql.replay import replay_files

    files = [read_file(p) for p in sql_files(path)]
    result = replay_files(files)
    return Loaded(
        result.model.restricted(schemas, exclude_schemas),
        str(path),
        result.findings,
        len(files),
        result.statements,
        dict(result.origins),
    )


def load_model(spec: str, *, schemas: Sequence[str] = (), exclude_schemas: Sequence[str] = ()) -> Model:
    return load(spec, schemas=schemas, exclude_schemas=exclude_schemas).model
