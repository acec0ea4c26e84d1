"""Migrations whose replay must follow dependencies as PostgreSQL does (issue 14), as data.

Each case is a name and the SQL of one migration, nothing else: a harness applies the SQL to
an empty PostgreSQL database, introspects it, replays the same SQL, and expects no difference.
Every case runs on PostgreSQL 15 as written (psql, ON_ERROR_STOP). Grouped by the construct of
issue 14 they check, several variants each (schema-qualified, quoted names, several dependants).
Not a test module: no test functions here.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    name: str
    sql: str


_TRIGGER_SETUP = """
CREATE TABLE items (id integer PRIMARY KEY, note text, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
"""

DROP_FUNCTION_CASCADE = (
    Case(
        "drop-function-cascade/two-functions-drop-their-triggers",
        _TRIGGER_SETUP
        + """
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER items_audit AFTER INSERT OR UPDATE ON items FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER items_audit_delete AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION audit();
DROP FUNCTION touch(), audit() CASCADE;
""",
    ),
    Case(
        "drop-function-cascade/one-of-two-keeps-the-other-trigger",
        _TRIGGER_SETUP
        + """
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER items_audit AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION audit();
DROP FUNCTION touch() CASCADE;
""",
    ),
    Case(
        "drop-function-cascade/schema-qualified-triggers-on-two-tables",
        """
CREATE SCHEMA app;
CREATE TABLE app.a (id integer, updated_at timestamptz);
CREATE TABLE app.b (id integer, updated_at timestamptz);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE TRIGGER a_touch BEFORE UPDATE ON app.a FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE TRIGGER b_touch BEFORE UPDATE ON app.b FOR EACH ROW EXECUTE FUNCTION app.touch();
DROP FUNCTION app.touch() CASCADE;
""",
    ),
    Case(
        "drop-function-cascade/quoted-names",
        """
CREATE TABLE "Items" ("Id" integer, "UpdatedAt" timestamptz);
CREATE FUNCTION "Touch"() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW."UpdatedAt" := now(); RETURN NEW; END$$;
CREATE TRIGGER "Items Touch" BEFORE UPDATE ON "Items" FOR EACH ROW EXECUTE FUNCTION "Touch"();
DROP FUNCTION "Touch"() CASCADE;
""",
    ),
    Case(
        "drop-function-cascade/instead-of-trigger-on-a-view",
        """
CREATE TABLE items (id integer PRIMARY KEY, note text);
CREATE VIEW item_notes AS SELECT id, note FROM items;
CREATE FUNCTION item_notes_insert() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO items VALUES (NEW.id, NEW.note); RETURN NEW; END$$;
CREATE TRIGGER item_notes_insert INSTEAD OF INSERT ON item_notes FOR EACH ROW EXECUTE FUNCTION item_notes_insert();
DROP FUNCTION item_notes_insert() CASCADE;
""",
    ),
)

_FK_SETUP = """
CREATE TABLE users (id integer NOT NULL, email text NOT NULL);
CREATE UNIQUE INDEX users_id_key ON users (id);
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer CONSTRAINT orders_user_fk REFERENCES users (id));
"""

DROP_INDEX_CASCADE = (
    Case(
        "drop-index-cascade/drops-the-foreign-key-then-re-adds-it",
        _FK_SETUP
        + """
DROP INDEX users_id_key CASCADE;
ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (id);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
""",
    ),
    Case(
        "drop-index-cascade/foreign-keys-from-two-tables",
        _FK_SETUP
        + """
CREATE TABLE payments (id integer PRIMARY KEY, payer integer REFERENCES users (id));
DROP INDEX users_id_key CASCADE;
""",
    ),
    Case(
        "drop-index-cascade/schema-qualified",
        """
CREATE SCHEMA app;
CREATE TABLE app.users (id integer NOT NULL);
CREATE UNIQUE INDEX users_id_key ON app.users (id);
CREATE TABLE app.orders (id integer, user_id integer REFERENCES app.users (id));
DROP INDEX app.users_id_key CASCADE;
CREATE UNIQUE INDEX users_id_key ON app.users (id);
ALTER TABLE app.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES app.users (id);
""",
    ),
    Case(
        "drop-index-cascade/quoted-names-two-columns",
        """
CREATE TABLE "Accounts" ("Tenant" integer NOT NULL, "Id" integer NOT NULL);
CREATE UNIQUE INDEX "Accounts_Key" ON "Accounts" ("Tenant", "Id");
CREATE TABLE "Invoices" ("Tenant" integer, "AccountId" integer,
  CONSTRAINT "Invoices_Account" FOREIGN KEY ("Tenant", "AccountId") REFERENCES "Accounts" ("Tenant", "Id"));
DROP INDEX "Accounts_Key" CASCADE;
""",
    ),
    Case(
        "drop-index-cascade/other-unique-index-stays",
        _FK_SETUP
        + """
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TABLE logins (email text REFERENCES users (email));
DROP INDEX users_id_key CASCADE;
""",
    ),
)

_VIEWS_SETUP = """
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer, total numeric);
CREATE VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;
CREATE VIEW big_spenders AS SELECT user_id FROM order_totals WHERE total > 1000;
CREATE MATERIALIZED VIEW spender_count AS SELECT count(*) AS n FROM big_spenders;
"""

DROP_CASCADE = (
    Case(
        "drop-cascade/view-drops-views-and-matviews-recursively",
        _VIEWS_SETUP + "DROP VIEW order_totals CASCADE;\n",
    ),
    Case("drop-cascade/table-drops-every-view-on-it", _VIEWS_SETUP + "DROP TABLE orders CASCADE;\n"),
    Case(
        "drop-cascade/table-drops-foreign-keys-to-it-not-the-tables",
        """
CREATE TABLE users (id integer PRIMARY KEY);
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));
CREATE VIEW user_ids AS SELECT id FROM users;
DROP TABLE users CASCADE;
""",
    ),
    Case(
        "drop-cascade/schema-qualified-and-quoted-across-schemas",
        """
CREATE SCHEMA app;
CREATE SCHEMA "Reports";
CREATE TABLE app.orders (id integer PRIMARY KEY, total numeric);
CREATE VIEW "Reports"."Order Totals" AS SELECT sum(total) AS total FROM app.orders;
CREATE MATERIALIZED VIEW "Reports".snapshot AS SELECT total FROM "Reports"."Order Totals";
CREATE VIEW app.kept AS SELECT id FROM app.orders;
DROP VIEW "Reports"."Order Totals" CASCADE;
""",
    ),
    Case(
        "drop-cascade/view-drops-views-on-its-columns-only",
        """
CREATE TABLE t (a integer, b integer);
CREATE VIEW v AS SELECT a, b FROM t;
CREATE VIEW va AS SELECT a FROM v;
CREATE VIEW vb AS SELECT b FROM v;
ALTER TABLE t DROP COLUMN b CASCADE;
""",
    ),
    Case(
        "drop-cascade/drop-type-drops-columns-and-functions",
        """
CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE TABLE people (id integer, name text, m mood DEFAULT 'ok');
CREATE FUNCTION is_ok(x mood) RETURNS boolean LANGUAGE sql AS 'SELECT x = ''ok''';
CREATE FUNCTION any_mood() RETURNS mood LANGUAGE sql AS 'SELECT ''ok''::mood';
DROP TYPE mood CASCADE;
""",
    ),
    Case(
        "drop-cascade/drop-type-drops-domains-views-and-array-columns",
        """
CREATE SCHEMA app;
CREATE TYPE app."Mood" AS ENUM ('ok', 'bad');
CREATE DOMAIN app.mood_not_null AS app."Mood" NOT NULL;
CREATE TABLE app.people (id integer, m app.mood_not_null, history app."Mood"[]);
CREATE VIEW app.moods AS SELECT id, m FROM app.people;
DROP TYPE app."Mood" CASCADE;
""",
    ),
    Case(
        "drop-cascade/drop-domain-drops-columns",
        """
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE stock (id integer, qty posint, reserved posint);
CREATE FUNCTION half(x posint) RETURNS integer LANGUAGE sql AS 'SELECT x / 2';
DROP DOMAIN posint CASCADE;
""",
    ),
)

ALTER_CONSTRAINT = (
    Case(
        "alter-constraint/deferrable-initially-deferred",
        """
CREATE TABLE users (id integer PRIMARY KEY);
CREATE TABLE orders (id integer, user_id integer CONSTRAINT orders_user_fk REFERENCES users (id));
ALTER TABLE orders ALTER CONSTRAINT orders_user_fk DEFERRABLE INITIALLY DEFERRED;
""",
    ),
    Case(
        "alter-constraint/deferrable-initially-immediate",
        """
CREATE TABLE users (id integer PRIMARY KEY);
CREATE TABLE orders (id integer, user_id integer REFERENCES users (id));
ALTER TABLE orders ALTER CONSTRAINT orders_user_id_fkey DEFERRABLE;
""",
    ),
    Case(
        "alter-constraint/back-to-not-deferrable",
        """
CREATE TABLE users (id integer PRIMARY KEY);
CREATE TABLE orders (id integer, user_id integer REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE orders ALTER CONSTRAINT orders_user_id_fkey NOT DEFERRABLE;
""",
    ),
    Case(
        "alter-constraint/schema-qualified-quoted",
        """
CREATE SCHEMA app;
CREATE TABLE app."Users" ("Id" integer PRIMARY KEY);
CREATE TABLE app."Orders" ("UserId" integer CONSTRAINT "Orders User" REFERENCES app."Users" ("Id"));
ALTER TABLE ONLY app."Orders" ALTER CONSTRAINT "Orders User" DEFERRABLE INITIALLY DEFERRED;
""",
    ),
)

SEQUENCE_RENAMES = (
    Case(
        "sequence-rename/defaults-follow",
        """
CREATE SEQUENCE ticket_seq;
CREATE TABLE tickets (id bigint DEFAULT nextval('ticket_seq') PRIMARY KEY, other bigint DEFAULT nextval('ticket_seq'::regclass));
ALTER SEQUENCE ticket_seq RENAME TO ticket_number_seq;
""",
    ),
    Case(
        "sequence-rename/serial-sequence-schema-qualified",
        """
CREATE SCHEMA app;
CREATE TABLE app.orders (id serial PRIMARY KEY);
ALTER SEQUENCE app.orders_id_seq RENAME TO order_numbers;
""",
    ),
    Case(
        "sequence-rename/owning-table-renamed",
        """
CREATE TABLE orders (id serial PRIMARY KEY, note text);
ALTER TABLE orders RENAME TO purchases;
""",
    ),
    Case(
        "sequence-rename/serial-column-renamed",
        """
CREATE TABLE orders (id bigserial PRIMARY KEY);
ALTER TABLE orders RENAME COLUMN id TO order_id;
""",
    ),
    Case(
        "sequence-rename/owning-table-set-schema-moves-its-sequence",
        """
CREATE SCHEMA archive;
CREATE TABLE orders (id serial PRIMARY KEY);
ALTER TABLE orders SET SCHEMA archive;
""",
    ),
    Case(
        "sequence-rename/quoted-sequence-set-schema",
        """
CREATE SCHEMA app;
CREATE SEQUENCE "Ticket Seq";
CREATE TABLE tickets (id bigint DEFAULT nextval('"Ticket Seq"'));
ALTER SEQUENCE "Ticket Seq" SET SCHEMA app;
""",
    ),
)

TYPE_RENAMES = (
    Case(
        "type-rename/enum-columns-defaults-functions-follow",
        """
CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE TABLE people (id integer, m mood DEFAULT 'ok'::mood, ms mood[]);
CREATE FUNCTION is_ok(x mood) RETURNS boolean LANGUAGE sql AS 'SELECT x = ''ok''';
ALTER TYPE mood RENAME TO feeling;
""",
    ),
    Case(
        "type-rename/domain-over-enum-follows",
        """
CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE DOMAIN known_mood AS mood NOT NULL;
CREATE TABLE people (id integer, m known_mood);
ALTER TYPE mood RENAME TO feeling;
""",
    ),
    Case(
        "type-rename/domain-renamed",
        """
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE stock (qty posint DEFAULT 1);
CREATE FUNCTION twice(x posint) RETURNS posint LANGUAGE sql AS 'SELECT (x * 2)::posint';
ALTER DOMAIN posint RENAME TO positive_integer;
""",
    ),
    Case(
        "type-rename/enum-set-schema",
        """
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE TABLE people (id integer, m mood DEFAULT 'ok');
CREATE FUNCTION pick(x mood) RETURNS mood LANGUAGE sql AS 'SELECT x';
ALTER TYPE mood SET SCHEMA app;
""",
    ),
    Case(
        "type-rename/quoted-schema-qualified",
        """
CREATE SCHEMA app;
CREATE TYPE app."Mood" AS ENUM ('ok', 'bad');
CREATE TABLE app.people (m app."Mood" DEFAULT 'bad'::app."Mood");
ALTER TYPE app."Mood" RENAME TO "Feeling";
""",
    ),
    Case(
        "type-rename/domain-set-schema-with-check-using-cast",
        """
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE DOMAIN good_mood AS mood CHECK (VALUE <> 'bad'::mood);
CREATE TABLE people (m good_mood DEFAULT 'ok'::mood);
ALTER DOMAIN good_mood SET SCHEMA app;
ALTER TYPE mood SET SCHEMA app;
""",
    ),
)

ENUM_VALUE_RENAMES = (
    Case(
        "enum-value-rename/default-follows",
        """
CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE tasks (id integer, s status NOT NULL DEFAULT 'new');
ALTER TYPE status RENAME VALUE 'new' TO 'open';
""",
    ),
    Case(
        "enum-value-rename/check-follows",
        """
CREATE TYPE status AS ENUM ('new', 'done', 'void');
CREATE TABLE tasks (id integer, s status, CONSTRAINT tasks_not_void CHECK (s <> 'void'));
ALTER TYPE status RENAME VALUE 'void' TO 'cancelled';
""",
    ),
    Case(
        "enum-value-rename/in-list-and-default-schema-qualified",
        """
CREATE SCHEMA app;
CREATE TYPE app.status AS ENUM ('new', 'done', 'void');
CREATE TABLE app.tasks (s app.status DEFAULT 'new'::app.status CHECK (s IN ('new', 'done')));
ALTER TYPE app.status RENAME VALUE 'new' TO 'open';
""",
    ),
    Case(
        "enum-value-rename/quoted-type-value-with-space",
        """
CREATE TYPE "Task Status" AS ENUM ('to do', 'done');
CREATE TABLE tasks (s "Task Status" DEFAULT 'to do');
ALTER TYPE "Task Status" RENAME VALUE 'to do' TO 'open';
""",
    ),
    Case(
        "enum-value-rename/view-and-partial-index-follow",
        """
CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE tasks (id integer, s status);
CREATE INDEX tasks_new ON tasks (id) WHERE s = 'new';
CREATE VIEW new_tasks AS SELECT id FROM tasks WHERE s = 'new';
ALTER TYPE status RENAME VALUE 'new' TO 'open';
""",
    ),
)

EXPRESSION_SPELLINGS = (
    Case(
        "expression-spelling/interval-one-year-default",
        "CREATE TABLE plans (period interval DEFAULT interval '1 year', grace interval DEFAULT '12 months');\n",
    ),
    Case(
        "expression-spelling/interval-in-check",
        "CREATE TABLE plans (period interval CHECK (period <= interval '1 year' AND period >= '1 mon'::interval));\n",
    ),
    Case(
        "expression-spelling/case-without-else-in-generated-column",
        """
CREATE TABLE scores (points integer,
  grade text GENERATED ALWAYS AS (CASE WHEN points >= 90 THEN 'A' WHEN points >= 80 THEN 'B' END) STORED);
""",
    ),
    Case(
        "expression-spelling/simple-case-in-generated-column",
        """
CREATE TABLE flags (code integer,
  label text GENERATED ALWAYS AS (CASE code WHEN 1 THEN 'one' WHEN 2 THEN 'two' END) STORED);
""",
    ),
    Case(
        "expression-spelling/row-to-json-in-matview",
        """
CREATE TABLE users (id integer, email text);
CREATE MATERIALIZED VIEW user_docs AS SELECT u.id, row_to_json(u) AS doc FROM users u;
""",
    ),
    Case(
        "expression-spelling/whole-row-in-view-schema-qualified",
        """
CREATE SCHEMA app;
CREATE TABLE app.users (id integer, email text);
CREATE VIEW app.user_docs AS SELECT to_jsonb(users) AS doc, users.id FROM app.users;
CREATE MATERIALIZED VIEW app.user_json AS SELECT row_to_json(t) AS doc FROM (SELECT id, email FROM app.users) t;
""",
    ),
)

TABLE_FROM_QUERY = (
    Case(
        "table-from-query/create-table-as-select",
        """
CREATE TABLE orders (id integer, total numeric(19,4), placed timestamptz, note varchar(200));
CREATE TABLE order_archive AS SELECT id, total, placed, note FROM orders WHERE placed < now();
""",
    ),
    Case(
        "table-from-query/select-into",
        """
CREATE TABLE orders (id integer, total numeric(19,4), placed timestamptz);
SELECT id, total AS amount, placed::date AS day INTO order_days FROM orders;
""",
    ),
    Case(
        "table-from-query/create-table-as-with-column-names-and-casts",
        """
CREATE TABLE orders (id integer, total numeric);
CREATE TABLE totals (order_id, amount, label) AS SELECT id, total::numeric(12,2), 'x'::text FROM orders;
""",
    ),
    Case(
        "table-from-query/schema-qualified-unlogged-with-no-data",
        """
CREATE SCHEMA app;
CREATE TABLE app.orders (id bigint, email text);
CREATE UNLOGGED TABLE app.emails AS SELECT DISTINCT email FROM app.orders WITH NO DATA;
""",
    ),
    Case(
        "table-from-query/select-into-from-a-join",
        """
CREATE TABLE users (id integer, email text);
CREATE TABLE orders (id integer, user_id integer, total numeric);
SELECT o.id AS order_id, u.email, o.total INTO TABLE order_emails FROM orders o JOIN users u ON u.id = o.user_id;
""",
    ),
)

RULES = (
    Case(
        "create-rule/instead-notify-and-select",
        """
CREATE TABLE events (id integer, payload text);
CREATE RULE r AS ON INSERT TO events DO INSTEAD (NOTIFY foo; SELECT 1;);
""",
    ),
    Case(
        "create-rule/also-two-actions-without-last-semicolon",
        """
CREATE TABLE events (id integer, payload text);
CREATE TABLE event_log (id integer);
CREATE RULE log_events AS ON INSERT TO events DO ALSO (INSERT INTO event_log VALUES (NEW.id); NOTIFY events_changed);
""",
    ),
    Case(
        "create-rule/schema-qualified-quoted-instead-nothing-and-list",
        """
CREATE SCHEMA app;
CREATE TABLE app."Events" (id integer);
CREATE RULE "No Deletes" AS ON DELETE TO app."Events" DO INSTEAD NOTHING;
CREATE RULE "Update Notes" AS ON UPDATE TO app."Events" DO INSTEAD (NOTIFY a; NOTIFY b;);
""",
    ),
)

CASES: tuple[Case, ...] = (
    *DROP_FUNCTION_CASCADE,
    *DROP_INDEX_CASCADE,
    *DROP_CASCADE,
    *ALTER_CONSTRAINT,
    *SEQUENCE_RENAMES,
    *TYPE_RENAMES,
    *ENUM_VALUE_RENAMES,
    *EXPRESSION_SPELLINGS,
    *TABLE_FROM_QUERY,
    *RULES,
)
