"""User errors: one line for a person, never a traceback (exit code 2)."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input, config, files or connection.

    The message is one line: where, what was expected, what was found, what to
    do. Passwords never appear in it (mask DSNs with sources.dsn.display_dsn).
    """


class SourceError(UserError):
    """A source (file, directory, DSN, dump) could not be read.

    Raised with ``path`` (and ``line``), the message is what went wrong there
    and ``str(error)`` is ``path:line: message``, so that a report can place
    the error in the file (RunError.of) and a person still reads one line.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = path if line is None or path is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.detail = message
        self.path = path
        self.line = line


class ConfigError(UserError):
    """The configuration or a rule pack is invalid."""
