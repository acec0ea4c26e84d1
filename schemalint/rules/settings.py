"""Database settings a live server knows: encoding and time zone. Silent on models read from files."""

from __future__ import annotations

from collections.abc import Iterator

from schemalint.rules.astutil import quote_ident
from schemalint.rules.base import Finding, Model, ModelRule, Option, Rule, RuleContext

_UTC_NAMES = ("UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu")


def _database(model: Model) -> str:
    return model.database.database or "database"


class DatabaseEncodingNotUtf8(ModelRule):
    """The database's encoding is not UTF8.

    ## Why
    A database in `SQL_ASCII` or a single-byte encoding such as `LATIN1`
    rejects (or, worse, stores unchecked) text it cannot represent: customer
    names, addresses, emoji. The encoding is fixed when the database is
    created.

    ## Bad
    ```sql
    CREATE DATABASE shop ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
    ```

    ## Good
    ```sql
    CREATE DATABASE shop ENCODING 'UTF8' TEMPLATE template0;
    ```

    ## Options
    - `expected` (default `UTF8`): the encoding the database must have.

    ## Notes
    Checked only on live databases (`schemalint lint postgresql://…`); a
    model read from files does not know its database's encoding.
    """

    code = "S001"
    slug = "database-encoding-not-utf8"
    severity = "warning"
    tags = ("settings", "live-only")
    options = (Option("expected", str, "UTF8", "The encoding the database must have."),)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        expected: str = self.opts["expected"]
        encoding = model.database.encoding
        if not ctx.live or encoding is None or encoding.upper() == expected.upper():
            return
        name = _database(model)
        yield self.finding(
            f"Database {name} has encoding {encoding}; expected {expected}.",
            object=name,
            help=f"CREATE DATABASE {quote_ident(name + '_utf8')} ENCODING '{expected}' TEMPLATE template0; "
            "then pg_dump and restore into it (the encoding of a database cannot be changed).",
        )


class TimezoneNotUtc(ModelRule):
    """The database's time zone setting is not UTC.

    ## Why
    `now()::date`, `date_trunc('day', …)` and every cast between `timestamptz`
    and `timestamp` or `date` use the session time zone. A database that
    defaults to a local zone gives different answers on different servers and
    jumps at daylight saving changes.

    ## Bad
    ```sql
    ALTER DATABASE shop SET timezone TO 'Europe/Berlin';
    ```

    ## Good
    ```sql
    ALTER DATABASE shop SET timezone TO 'UTC';
    ```

    ## Options
    - `allowed` (default the names of UTC: `UTC`, `Etc/UTC`, `UCT`, `Universal`, `Zulu`, …):
      accepted values of the `TimeZone` setting.

    ## Notes
    Checked only on live databases; the value is the `TimeZone` setting a new
    session of schemalint's connection gets.
    """

    code = "S002"
    slug = "timezone-not-utc"
    severity = "warning"
    tags = ("settings", "live-only")
    options = (Option("allowed", list, list(_UTC_NAMES), "Accepted values of the TimeZone setting."),)

    def check(self, model: Model, ctx: RuleContext) -> Iterator[Finding]:
        allowed = [str(value).lower() for value in self.opts["allowed"]]
        timezone = model.database.timezone
        if not ctx.live or timezone is None or timezone.lower() in allowed:
            return
        name = _database(model)
        yield self.finding(
            f"Database {name} has time zone {timezone}; expected UTC.",
            object=name,
            help=f"ALTER DATABASE {quote_ident(name)} SET timezone TO 'UTC';",
        )


RULES: tuple[type[Rule], ...] = (DatabaseEncodingNotUtf8, TimezoneNotUtc)
