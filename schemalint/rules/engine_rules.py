"""Engine rules (E): what replay and the engine itself report.

They are not run like other rules: replay reports E001, the engine reports
E002 to E004. They are classes so that they are registered, selected,
documented and explained like every other rule.
"""

from __future__ import annotations

from schemalint.rules.base import Rule


class EngineRule(Rule):
    """A rule the engine (or replay) reports itself; it has no check method."""


class UnparsedStatement(EngineRule):
    """Statement that schemalint could not parse or does not understand.

    ## Why
    A statement that is not understood is not checked, and the model built
    from the migrations may miss what it does. schemalint says so instead of
    skipping it silently, so that a passing run means the whole file was read.

    ## Bad
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY,);
    ```

    ## Good
    ```sql
    CREATE TABLE orders (id uuid PRIMARY KEY);
    ```

    ## Notes
    If the statement is valid PostgreSQL, please report it; meanwhile
    suppress it with `-- schemalint: ignore[E001] reason`.
    """

    code = "E001"
    slug = "unparsed-statement"
    severity = "warning"
    tags = ("engine",)


class RuleCrashed(EngineRule):
    """A rule raised an exception (a bug in schemalint).

    ## Why
    One broken rule must not hide the findings of all the others, and must
    not pass silently either: the run goes on and the crash is reported with
    the rule, the statement or object, and the exception.

    ## Notes
    This is always a bug in schemalint. Please report it with the message;
    meanwhile ignore the crashing rule with `--ignore CODE`.
    """

    code = "E002"
    slug = "rule-crashed"
    severity = "error"
    tags = ("engine",)


class UnusedSuppression(EngineRule):
    """Suppression comment that suppresses nothing.

    ## Why
    A stale `-- schemalint: ignore[…]` comment hides the next real finding of
    that rule on the statement, and misleads readers about what is wrong.

    ## Bad
    ```sql
    -- schemalint: ignore[T003] payload is written once, never queried
    CREATE TABLE events (id uuid PRIMARY KEY, payload jsonb);
    ```

    ## Good
    ```sql
    -- schemalint: ignore[T003] payload is written once, never queried
    CREATE TABLE events (id uuid PRIMARY KEY, payload json);
    ```

    ## Notes
    Suppressions of rules that are not selected in this run are not reported.
    """

    code = "E003"
    slug = "unused-suppression"
    severity = "warning"
    tags = ("engine", "suppression")


class InvalidSuppression(EngineRule):
    """Suppression comment without rule codes, or with unknown ones.

    ## Why
    A blanket `-- schemalint: ignore` would hide every current and future
    finding on the statement, including ones nobody reviewed. Suppressions
    must name the rules they silence, and the names must exist.

    ## Bad
    ```sql
    -- schemalint: ignore legacy table
    CREATE TABLE events (id uuid PRIMARY KEY, payload json);
    ```

    ## Good
    ```sql
    -- schemalint: ignore[T003] legacy table, migrated in PROJ-12
    CREATE TABLE events (id uuid PRIMARY KEY, payload json);
    ```
    """

    code = "E004"
    slug = "invalid-suppression"
    severity = "error"
    tags = ("engine", "suppression")


RULES: tuple[type[Rule], ...] = (UnparsedStatement, RuleCrashed, UnusedSuppression, InvalidSuppression)
