"""User errors: one line for a person, never a traceback (exit code 2)."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input, config, files or connection.

    The message is one line: where, what was expected, what was found, what to
    do. Passwords never appear in it (mask DSNs with sources.dsn.display_dsn).
    """


class SourceError(UserError):
    """A source (file, directory, DSN, dump) could not be read."""


class ConfigError(UserError):
    """The configuration or a rule pack is invalid."""
