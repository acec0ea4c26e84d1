"""The statements that change one attribute of a live object into the declared one.

A change is a (phase, sql, why) triple: ``why`` is None for a safe statement
and says what may go wrong for an unsafe one; ``sql`` None means the change
must be written by hand (``why`` then says what to do).
"""

from __future__ import annotations

from schemalint.model import Column, Domain, Enum, Model, Sequence, Table
from schemalint.sqlgen import (
    collation_sql,
    column_sql,
    literal,
    qname,
    quote_qualified,
    sequence_owned_by_sql,
)
from schemalint.typenorm import quote_ident

Change = tuple[int, str | None, str | None]


_SEQUENCE_CLAUSES = {"increment": "INCREMENT BY", "start": "START WITH", "cache": "CACHE"}


def alter_sequence(sequence: Sequence, attribute: str) -> Change:
    name = qname(sequence.schema, sequence.name)
    if attribute == "owned_by":
        return 49, sequence_owned_by_sql(sequence), None
    if attribute == "type":
        return 34, f"ALTER SEQUENCE {name} AS {sequence.type}", "fails if the current value does not fit"
    if attribute in ("min_value", "max_value"):
        word = attribute.removesuffix("_value").upper() + "VALUE"
        value = getattr(sequence, attribute)
        return (
            34,
            f"ALTER SEQUENCE {name} {word} {value}"
            if value is not None
            else f"ALTER SEQUENCE {name} NO {word}",
            None,
        )
    if attribute == "cycle":
        return 34, f"ALTER SEQUENCE {name} {'CYCLE' if sequence.cycle else 'NO CYCLE'}", None
    return 34, f"ALTER SEQUENCE {name} {_SEQUENCE_CLAUSES[attribute]} {getattr(sequence, attribute)}", None


def domain_changes(domain: Domain, live: Domain, attribute: str) -> list[Change]:
    name = qname(domain.schema, domain.name)
    if attribute == "default":
        if domain.default is None:
            return [(33, f"ALTER DOMAIN {name} DROP DEFAULT", None)]
        return [(33, f"ALTER DOMAIN {name} SET DEFAULT {domain.default}", None)]
    if attribute == "not_null":
        if domain.not_null:
            return [(33, f"ALTER DOMAIN {name} SET NOT NULL", "fails if a column of the domain holds NULL")]
        return [(33, f"ALTER DOMAIN {name} DROP NOT NULL", None)]
    if attribute == "checks":
        declared, current = dict(domain.checks), dict(live.checks)
        changes: list[Change] = []
        for check, expression in sorted(current.items()):
            if declared.get(check) != expression:
                changes.append(
                    (
                        20,
                        f"ALTER DOMAIN {name} DROP CONSTRAINT {quote_ident(check)}",
                        "removes a guarantee the data relies on",
                    )
                )
        for check, expression in sorted(declared.items()):
            if current.get(check) != expression:
                body = expression if expression.upper().startswith("CHECK") else f"CHECK ({expression})"
                changes.append((33, f"ALTER DOMAIN {name} ADD CONSTRAINT {quote_ident(check)} {body}", None))
        return changes
    return [
        (
            33,
            None,
            f"the {attribute} of domain {domain.qualname} cannot be altered: re-create the domain "
            "and the columns that use it",
        )
    ]


def enum_in_place(enum: Enum, live: Enum) -> bool:
    """True when ALTER TYPE … ADD VALUE turns the live enum into the declared one: every live
    value is kept, in its order."""
    return [v for v in enum.values if v in live.values] == list(live.values)


def enum_changes(enum: Enum, live_model: Model) -> list[Change]:
    """ADD VALUE for values added in place; otherwise a new type, its columns converted to it
    through text, the old type dropped and the new one renamed. Defaults and whatever else
    depends on the old type are dropped before and re-created after (rebuild.py)."""
    live = live_model.enums[enum.qualname]
    name = qname(enum.schema, enum.name)
    if enum_in_place(enum, live):
        changes: list[Change] = []
        for i, value in enumerate(enum.values):
            if value in live.values:
                continue
            following = next((v for v in enum.values[i + 1 :] if v in live.values), None)
            where = (
                f" BEFORE {literal(following)}"
                if following is not None
                else (f" AFTER {literal(enum.values[i - 1])}" if i else "")
            )
            changes.append((32, f"ALTER TYPE {name} ADD VALUE {literal(value)}{where}", None))
        return changes
    why = "re-creates the type: fails if a row holds a value the declared type lacks; rewrites its tables"
    new = qname(enum.schema, enum.name + "__new")
    values = ", ".join(literal(v) for v in enum.values)
    changes = [(32, f"CREATE TYPE {new} AS ENUM ({values})", why)]
    for table in sorted(live_model.tables.values(), key=lambda t: t.qualname):
        parents = [live_model.tables.get(p) for p in (table.partition_of, *table.inherits) if p]
        for column in table.columns:  # a partition's or child's column changes with its parent's
            if column.type not in (name, name + "[]") or any(p and p.column(column.name) for p in parents):
                continue
            alter = f"ALTER TABLE {qname(table.schema, table.name)} ALTER COLUMN {quote_ident(column.name)}"
            array = "[]" if column.type.endswith("[]") else ""
            using = f"{quote_ident(column.name)}::text{array}::{new}{array}"
            changes.append((32, f"{alter} TYPE {new}{array} USING {using}", why))
    changes.append((32, f"DROP TYPE {name}", why))
    changes.append((32, f"ALTER TYPE {new} RENAME TO {quote_ident(enum.name)}", why))
    return changes


def add_column(table: Table, column: Column) -> Change:
    text = f"ALTER TABLE {qname(table.schema, table.name)} ADD COLUMN {column_sql(column)}"
    bare = column.default is None and column.identity is None and column.generated is None
    why = "fails if the table has rows: NOT NULL without a default" if column.not_null and bare else None
    return 37, text, why


REORDER = "reordering columns means re-creating the table and copying its rows, by hand"


def appended_out_of_order(table: Table, live: Table, column: Column) -> str | None:
    """Why a manual step follows ADD COLUMN when the declared column comes before a column the
    live table has (ADD COLUMN appends it); None when it is declared after all of them."""
    names = [c.name for c in table.columns]
    later = [n for n in names[names.index(column.name) + 1 :] if live.column(n) is not None]
    if not later:
        return None
    return f"ADD COLUMN appends {table.qualname}.{column.name}, declared before {later[0]}: {REORDER}"


def column_changes(table: Table, declared: Column, live: Column, attribute: str) -> list[Change]:
    """The statements that turn the live column's ATTRIBUTE into the declared one."""
    name = qname(table.schema, table.name)
    alter = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(declared.name)}"
    if attribute in ("type", "collation"):
        text = f"{alter} TYPE {declared.type}"
        if declared.collation != live.collation:
            text += f" COLLATE {collation_sql(declared.collation or 'default')}"
        why = None
        if declared.type != live.type and not type_change_is_widening(live.type, declared.type):
            text += f" USING {quote_ident(declared.name)}::{declared.type}"
            why = f"{live.type} → {declared.type} may narrow or fail to convert values; rewrites the table"
        elif declared.type != live.type and not _binary_coercible(live.type, declared.type):
            why = f"{live.type} → {declared.type} rewrites the table and its indexes under ACCESS EXCLUSIVE"
        elif declared.collation != live.collation:
            why = "changes the sort order of the column; rebuilds its indexes"
        return [(38, text, why)]
    if attribute == "default":
        if declared.default is None:
            return [(38, f"{alter} DROP DEFAULT", None)]
        return [(38, f"{alter} SET DEFAULT {declared.default}", None)]
    if attribute == "not_null":
        if declared.not_null:
            return [
                (
                    38,
                    f"{alter} SET NOT NULL",
                    "fails if a row holds NULL; scans the table under an ACCESS EXCLUSIVE lock",
                )
            ]
        return [(38, f"{alter} DROP NOT NULL", None)]
    if attribute == "identity":
        if declared.identity is None:
            return [(38, f"{alter} DROP IDENTITY", "inserts that rely on the generated value fail")]
        if live.identity is None:
            return [(39, f"{alter} ADD GENERATED {declared.identity.upper()} AS IDENTITY", None)]
        return [(38, f"{alter} SET GENERATED {declared.identity.upper()}", None)]
    if attribute == "local":
        why = (
            f"column {table.qualname}.{declared.name} is {'' if declared.local else 'not '}declared by the "
            "table itself, unlike live: re-create the table"
        )
        return [(37, None, why)]
    if attribute == "generated":
        if declared.generated is None:
            return [(38, f"{alter} DROP EXPRESSION", None)]
        why = "re-creates the column as generated" + ("" if live.generated else ": deletes its data")
        return [
            (16, f"ALTER TABLE {name} DROP COLUMN {quote_ident(declared.name)}", why),
            (37, f"ALTER TABLE {name} ADD COLUMN {column_sql(declared)}", why),
        ]
    return []


def table_changes(declared: Table, live: Table, attribute: str) -> list[Change]:
    """The statements that turn the live table's ATTRIBUTE into the declared one."""
    name = qname(declared.schema, declared.name)
    if attribute == "persistence":
        if declared.persistence == "unlogged":
            return [(39, f"ALTER TABLE {name} SET UNLOGGED", "an unlogged table loses its rows on a crash")]
        if declared.persistence == "permanent":
            return [(39, f"ALTER TABLE {name} SET LOGGED", None)]
    if attribute in ("partition_of", "partition_bound"):
        changes: list[Change] = []
        if live.partition_of:
            changes.append(
                (
                    16,
                    f"ALTER TABLE {quote_qualified(live.partition_of)} DETACH PARTITION {name}",
                    "the rows leave the parent table until the partition is attached again",
                )
            )
        if declared.partition_of:
            bound = declared.partition_bound or "DEFAULT"
            changes.append(
                (
                    39,
                    f"ALTER TABLE {quote_qualified(declared.partition_of)} ATTACH PARTITION {name} {bound}",
                    None,
                )
            )
        return changes
    if attribute == "inherits" and set(declared.inherits) != set(live.inherits):
        changes = [
            (
                16,
                f"ALTER TABLE {name} NO INHERIT {quote_qualified(p)}",
                None,
            )  # before its columns are dropped
            for p in live.inherits
            if p not in declared.inherits
        ]
        changes += [
            (39, f"ALTER TABLE {name} INHERIT {quote_qualified(p)}", None)
            for p in declared.inherits
            if p not in live.inherits
        ]
        return changes
    return [
        (
            36,
            None,
            f"the {attribute.replace('_', ' ')} of table {declared.qualname} cannot be altered: "
            "re-create the table and copy its rows",
        )
    ]


_WIDENING = {
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("integer", "bigint"),
    ("real", "double precision"),
    ("character varying", "text"),
    ("character", "text"),
}


def _base_type(type_: str) -> tuple[str, tuple[int, ...]]:
    name, _, rest = type_.partition("(")
    args = tuple(int(a) for a in rest.rstrip(")").split(",") if a.strip().isdigit()) if rest else ()
    return name.strip(), args


def _binary_coercible(live: str, declared: str) -> bool:
    """True when PostgreSQL changes the type without rewriting the table: varchar(n) to a wider
    varchar or text, numeric(p,s) to a wider precision of the same scale or to numeric."""
    live_name, declared_name = _base_type(live)[0], _base_type(declared)[0]
    if live_name == "character varying" and declared_name in ("text", "character varying"):
        return type_change_is_widening(live, declared)
    return live_name == declared_name == "numeric" and type_change_is_widening(live, declared)


def type_change_is_widening(live: str, declared: str) -> bool:
    """True when every value of the live type fits the declared type unchanged (varchar(n) → text, …)."""
    (live_name, live_args), (declared_name, declared_args) = _base_type(live), _base_type(declared)
    if live.endswith("[]") or declared.endswith("[]"):
        return False
    if (live_name, declared_name) in _WIDENING:
        return True
    if live_name != declared_name:
        return False
    if live_name == "character varying":
        return not declared_args or (bool(live_args) and declared_args[0] >= live_args[0])
    if live_name == "numeric" and not declared_args:
        return True
    if live_name == "numeric" and len(live_args) == 2 and len(declared_args) == 2:
        return live_args[1] == declared_args[1] and declared_args[0] >= live_args[0]
    return False
