"""The drift rule on privileges: D018."""

from __future__ import annotations

from schemalint.drift.diff import Difference
from schemalint.drift.rulebase import DriftRule


class PrivilegeDiffers(DriftRule):
    """A privilege (GRANT) on a table, column, view, sequence, function, schema or type, or a
    default privilege (ALTER DEFAULT PRIVILEGES), is granted on one side and not the other, or
    with another grant option.

    Grants to an object's owner are not compared (owners differ between environments), nor the
    grantor, nor MAINTAIN (PostgreSQL 17). A built-in default (EXECUTE for PUBLIC on functions,
    USAGE for PUBLIC on types) compares equal to no GRANT at all; REVOKE of it is a difference.

    ## Why

    A grant in production that no migration declares is access nobody reviewed: a reporting
    role that can write, PUBLIC that can run a SECURITY DEFINER function. One that is missing
    breaks the role that needs it. Either way it is a security difference.

    ## Bad

    ```sql
    -- declared
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4));
    GRANT SELECT ON orders TO PUBLIC;
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4));
    GRANT SELECT, UPDATE ON orders TO PUBLIC;
    ```

    ## Good

    ```sql
    -- declared: the role running the migrations owns the table; a grant to it is no difference
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4));
    GRANT ALL ON orders TO CURRENT_USER;
    ```

    ```sql
    -- live
    CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(19,4));
    ```
    """

    code = "D018"
    slug = "privilege-differs"
    severity = "error"
    tags = ("drift", "security")
    help = "GRANT or REVOKE the privilege with a migration, or declare the grant production has."

    def message(self, difference: Difference, declared_label: str, live_label: str) -> str:
        what = f"{(difference.attribute or '').capitalize()} {difference.object}: privilege"
        declared, live = difference.declared, difference.live
        if difference.change == "missing":
            return f"{what} {declared} is declared in {declared_label} but not granted in {live_label}."
        if difference.change == "extra":
            return f"{what} {live} is granted in {live_label} but not declared in {declared_label}."
        return f"{what} differs: {declared_label} declares {declared}, {live_label} has {live}."
