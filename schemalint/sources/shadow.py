"""Shadow replay: apply SQL files to an empty scratch database and introspect the result.

schemalint writes only to a database it created (``--shadow embedded``) or one it
was handed as scratch, found empty, and proved to be none of the live databases of the run
(another server, or another database of it: ``--shadow DSN``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources

import psycopg
from psycopg import sql

from schemalint.errors import SourceError
from schemalint.model import Model
from schemalint.sources.catalog import error_text
from schemalint.sources.dsn import display_dsn, is_dsn, looks_like_dsn, with_database
from schemalint.statements import SqlFile, Statement

EMBEDDED = "embedded"


_IDENTITY = "SELECT system_identifier::text, current_database() FROM pg_catalog.pg_control_system()"


def _identity(dsn: str, role: str) -> tuple[str, str]:
    """(the server's system_identifier, the database name): what a database is, whatever the
    DSN that names it (another host name, a socket, a pooler)."""
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as connection:
            row = connection.execute(_IDENTITY).fetchone()
    except psycopg.Error as error:
        raise SourceError(
            f"Cannot tell whether the shadow database is the {role} database {display_dsn(dsn)}: "
            f"{error_text(error, dsn)}; schemalint writes to a shadow only when it can prove it is not"
        ) from None
    assert row is not None
    return str(row[0]), str(row[1])


def check_not_live(shadow: str, live: Sequence[str]) -> None:
    """Raise SourceError when the shadow is one of the live databases (same server, same name)."""
    if not live:
        return
    mine = _identity(shadow, "shadow")
    for dsn in live:
        if _identity(dsn, "live") == mine:
            raise SourceError(
                f"The shadow database {display_dsn(shadow)} is the live database {display_dsn(dsn)} "
                f"(server {mine[0]}, database {mine[1]}); --shadow takes a scratch database that "
                "schemalint may fill and empty: create one, or use --shadow embedded"
            )


def check_empty(dsn: str) -> None:
    """Raise SourceError naming what is there unless the database holds no user object."""
    target = display_dsn(dsn)
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as connection:
            query = resources.files("schemalint.sources.queries").joinpath("user_objects.sql").read_text()
            found = [row[0] for row in connection.execute(query.encode()).fetchall()]
    except psycopg.Error as error:
        reason = error_text(error, dsn)
        raise SourceError(f"Cannot connect to the shadow database {target}: {reason}") from None
    if found:
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise SourceError(
            f"The shadow database {target} is not empty ({', '.join(found[:5])}{more}); "
            "schemalint applies migrations only to an empty scratch database: create one, "
            "or use --shadow embedded"
        )


def _is_copy_data(statement: Statement) -> bool:
    """COPY … FROM stdin / TO stdout: data for psql, not schema."""
    node = statement.node
    return statement.kind == "copy_stmt" and node is not None and not node.filename


def _error_line(statement: Statement, error: psycopg.Error) -> int:
    """The line of the error inside the statement when the server says where, else its first line."""
    position = error.diag.statement_position if isinstance(error, psycopg.DatabaseError) else None
    if not position or not position.isdigit():
        return statement.location.line
    return statement.location.line + statement.text[: int(position) - 1].count("\n")


def apply_files(dsn: str, files: Sequence[SqlFile]) -> list[str]:
    """Execute every statement of the files in order, in autocommit, one statement at a time.

    Goes on after an error, as ``psql`` without ON_ERROR_STOP does. Returns one-line
    messages ``path:line: …`` for statements that failed and for psql meta-commands,
    which are skipped. COPY data (FROM stdin) is skipped: it carries no schema.
    """
    messages: list[str] = []
    target = display_dsn(dsn)
    for file in files:
        try:
            with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as connection:
                for statement in file.statements:
                    where = f"{file.path}:{statement.location.line}"
                    if statement.kind == "psql":
                        command = statement.text.strip().split("\n", 1)[0]
                        messages.append(f"{where}: skipped psql meta-command {command}")
                        continue
                    if _is_copy_data(statement):
                        continue
                    try:
                        connection.execute(statement.text.encode())
                    except psycopg.Error as error:
                        if connection.broken:
                            raise
                        line = _error_line(statement, error)
                        messages.append(f"{file.path}:{line}: {error_text(error, dsn)}")
        except psycopg.Error as error:
            raise SourceError(
                f"Cannot apply {file.path} to the shadow database {target}: {error_text(error, dsn)}"
            ) from None
    return messages


@contextmanager
def scratch_database(shadow: str, *, live: Sequence[str] = ()) -> Iterator[str]:
    """The DSN of an empty scratch database for the duration: a new database of a throwaway
    embedded server (``embedded``), or the DSN given, after proving it is none of the ``live``
    databases and is empty; emptied again after use."""
    if shadow == EMBEDDED:
        from schemalint.sources.embedded import embedded_server

        with embedded_server() as admin:
            name = f"schemalint_shadow_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            yield with_database(admin, name)
        return
    if not is_dsn(shadow):
        raise SourceError(
            "--shadow takes the DSN of an empty scratch database (postgresql://…) or 'embedded', "
            f"not {display_dsn(shadow) if looks_like_dsn(shadow) else repr(shadow)}"
        )
    check_not_live(shadow, live)
    check_empty(shadow)
    try:
        yield shadow
    finally:
        empty_database(shadow)


def shadow_model(
    files: Sequence[SqlFile], shadow: str, *, schemas: Sequence[str] = (), live: Sequence[str] = ()
) -> tuple[Model, list[str]]:
    """Apply the files to a scratch database (a DSN, or ``embedded``) and introspect it.

    A DSN shadow must be none of the ``live`` databases and empty; it is emptied again after.
    Returns the model and the messages of apply_files.
    """
    from schemalint.sources.catalog import introspect

    with scratch_database(shadow, live=live) as dsn:
        messages = apply_files(dsn, files)
        return introspect(dsn, schemas=schemas), messages


def empty_database(dsn: str) -> None:
    """Take the scratch database back to empty, so that the next shadow run can use it.

    Only ever called on a database check_empty found empty before schemalint wrote to it.
    Roles the migrations created are cluster-wide and are left alone.
    """
    query = resources.files("schemalint.sources.queries").joinpath("empty_statements.sql").read_text()
    try:
        with psycopg.connect(dsn, autocommit=True) as connection:
            for _step, statement in connection.execute(query).fetchall():
                connection.execute(statement)
    except psycopg.Error as error:
        raise SourceError(
            f"Cannot empty the shadow database {display_dsn(dsn)} after use: {error_text(error, dsn)}"
        ) from None
