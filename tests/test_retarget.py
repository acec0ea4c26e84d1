"""Schema-per-tenant drift: a tenant's declared model moved to each live schema, and the live
model split by schema in one pass."""

from __future__ import annotations

from pathlib import Path

from schemalint.model import Model
from schemalint.retarget import with_schema
from schemalint.sources.load import detect, load

TENANT = """
CREATE SCHEMA {s};
CREATE TYPE {s}.status AS ENUM ('new', 'done');
CREATE SEQUENCE {s}.ticket_no;
CREATE TABLE {s}.accounts (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE {s}.orders (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES {s}.accounts (id),
    status {s}.status NOT NULL DEFAULT 'new',
    ticket bigint DEFAULT nextval('{s}.ticket_no')
);
CREATE INDEX idx_orders_account_id ON {s}.orders (account_id);
CREATE VIEW {s}.open_orders AS SELECT id FROM {s}.orders WHERE status = 'new';
CREATE FUNCTION {s}.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON {s}.orders FOR EACH ROW EXECUTE FUNCTION {s}.touch();
ALTER TABLE {s}.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON {s}.orders USING (account_id = 1);
GRANT SELECT ON {s}.orders TO PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT ON TABLES TO PUBLIC;
"""


def _model(tmp_path: Path, *schemas: str) -> Model:
    path = tmp_path / f"{'_'.join(schemas)}.sql"
    path.write_text(
        "".join(TENANT.format(s=s) for s in schemas)
        + "ALTER DEFAULT PRIVILEGES GRANT SELECT ON SEQUENCES TO PUBLIC;\n",
        encoding="utf-8",
    )
    return load(detect(str(path))).model


def _without_locations(model: Model) -> str:
    """The model as text without where things were declared (the two files differ there)."""
    import re

    return re.sub(r"location=Location\([^)]*\)", "", repr(model))


def test_a_tenant_moved_to_another_schema_is_the_tenant_declared_there(tmp_path: Path) -> None:
    moved = with_schema(_model(tmp_path, "tenant_a"), "tenant_a", "tenant_b")
    assert _without_locations(moved) == _without_locations(_model(tmp_path, "tenant_b"))
    assert "tenant_a" not in _without_locations(moved)


def test_a_model_moved_to_its_own_schema_is_itself(tmp_path: Path) -> None:
    model = _model(tmp_path, "tenant_a")
    assert with_schema(model, "tenant_a", "tenant_a") == model


def test_per_schema_is_restricted_to_each_schema(tmp_path: Path) -> None:
    model = _model(tmp_path, "tenant_a", "tenant_b", "tenant_c")
    parts = model.per_schema(["tenant_a", "tenant_c", "nowhere"])
    assert list(parts) == ["tenant_a", "tenant_c", "nowhere"]
    for schema, part in parts.items():
        assert part == model.restricted((schema,))
    assert parts["tenant_a"].tables.keys() == {"tenant_a.accounts", "tenant_a.orders"}
    # default privileges of every schema go with each of them
    assert any(not d.schema for d in parts["nowhere"].default_privileges.values())
