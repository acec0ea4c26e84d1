"""Static replay agrees with the real catalog, statement kind by statement kind.

Each case is applied to a fresh database, introspected, and replayed from the
same text; the model diff must be empty and replay must understand every
statement (no E001).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from schemalint.drift.diff import diff_models
from schemalint.sources.catalog import introspect
from schemalint.sources.sql.parse import parse_sql
from schemalint.sources.sql.replay import replay_files

LONG = "a" * 40

CASES: dict[str, str] = {
    "implicit names": f"""
        CREATE TABLE orders (id serial PRIMARY KEY, email text UNIQUE, amount int CHECK (amount > 0),
            lo int, hi int, CHECK (lo < hi), CHECK (lo > 0));
        CREATE TABLE items (id bigserial PRIMARY KEY, order_id int REFERENCES orders, sku text,
            UNIQUE (order_id, sku));
        CREATE INDEX ON items (sku);
        CREATE INDEX ON items (sku);
        CREATE INDEX ON items (lower(sku));
        CREATE TABLE {LONG}_{LONG} ({LONG}_{LONG}_col int PRIMARY KEY, {LONG}_x int UNIQUE);
        CREATE INDEX ON {LONG}_{LONG} ({LONG}_x, {LONG}_{LONG}_col);
    """,
    "null defaults": """
        CREATE DOMAIN d_int AS int;
        CREATE DOMAIN d_short AS varchar(10);
        CREATE TABLE t (
            a varchar(64) DEFAULT NULL, b varchar DEFAULT NULL, c numeric(19,4) DEFAULT NULL,
            d numeric DEFAULT NULL, e timestamp(3) DEFAULT NULL, f timestamptz(3) DEFAULT NULL,
            g time(2) DEFAULT NULL, h interval(3) DEFAULT NULL, i interval year DEFAULT NULL,
            j bit(8) DEFAULT NULL, k varbit(8) DEFAULT NULL, l char(3) DEFAULT NULL,
            m varchar(64)[] DEFAULT NULL, n d_short DEFAULT NULL, o text DEFAULT NULL::varchar,
            p varchar(5) DEFAULT NULL::varchar(5), q int DEFAULT NULL::int, r char DEFAULT NULL,
            s timestamp DEFAULT NULL::timestamp(3), u d_int DEFAULT NULL, v d_int DEFAULT NULL::d_int,
            w interval(3) DEFAULT NULL::interval, x text DEFAULT NULL, y int
        );
        ALTER TABLE t ALTER COLUMN y SET DEFAULT NULL, ALTER COLUMN b SET DEFAULT NULL::varchar(3);
        ALTER TABLE t ALTER COLUMN x SET DEFAULT 'x', ALTER COLUMN x SET DEFAULT NULL;
    """,
    "duplicate keys in one CREATE TABLE": """
        CREATE TABLE a (id serial NOT NULL UNIQUE, name text UNIQUE, PRIMARY KEY (id), UNIQUE (name));
        CREATE TABLE b (id int PRIMARY KEY, CONSTRAINT b_named UNIQUE (id), k int, UNIQUE (k),
            CONSTRAINT k_named UNIQUE (k), UNIQUE (k) INCLUDE (id), UNIQUE (k) DEFERRABLE);
        CREATE TABLE c (id int UNIQUE, CONSTRAINT c_pk PRIMARY KEY (id));
        ALTER TABLE a ADD UNIQUE (id);
        CREATE INDEX ON b (k) INCLUDE (id);
        CREATE UNIQUE INDEX ON b (id) INCLUDE (k);
        ALTER TABLE b ADD UNIQUE (id) INCLUDE (k);
    """,
    "foreign tables": """
        CREATE FOREIGN DATA WRAPPER schemalint_dummy;
        CREATE SERVER schemalint_nowhere FOREIGN DATA WRAPPER schemalint_dummy;
        CREATE FOREIGN TABLE remote_items (id int NOT NULL, name text DEFAULT 'x' CHECK (name <> ''),
            seen timestamptz) SERVER schemalint_nowhere OPTIONS (table_name 'items');
        COMMENT ON FOREIGN TABLE remote_items IS 'items on another server';
        ALTER FOREIGN TABLE remote_items ADD COLUMN price numeric(19,4);
        CREATE FOREIGN TABLE IF NOT EXISTS remote_items (id int) SERVER schemalint_nowhere;
        CREATE FOREIGN TABLE gone (id int) SERVER schemalint_nowhere;
        DROP FOREIGN TABLE gone;
    """,
    "views over set-returning functions": """
        CREATE TABLE projects (id int PRIMARY KEY, name text, client_id int);
        CREATE FUNCTION all_projects() RETURNS SETOF projects LANGUAGE sql STABLE AS $$ SELECT * FROM projects $$;
        CREATE FUNCTION projects_above(above int) RETURNS SETOF projects LANGUAGE sql STABLE
            AS $$ SELECT * FROM projects WHERE id > above $$;
        CREATE FUNCTION pairs() RETURNS TABLE ("a, b" int, "Label" text) LANGUAGE sql AS $$ SELECT 1, 'x' $$;
        CREATE VIEW v1 AS SELECT * FROM all_projects();
        CREATE VIEW v2 AS SELECT * FROM projects_above(1);
        CREATE VIEW v3 AS SELECT id FROM all_projects() p;
        CREATE VIEW v4 AS SELECT * FROM all_projects() AS p (pid, pname) WHERE pid > 0;
        CREATE VIEW v5 AS SELECT * FROM pairs() JOIN projects ON projects.id = pairs."a, b";
        CREATE FUNCTION records() RETURNS SETOF record LANGUAGE sql AS $$ SELECT 1, 'x'::text $$;
        CREATE VIEW v6 AS SELECT * FROM records() AS r (n int, "Label" text);
        CREATE FUNCTION sanitized(p projects) RETURNS projects LANGUAGE sql STABLE
            AS $$ SELECT p.id, p.name, NULL::int $$;
        CREATE VIEW v7 AS SELECT (sanitized(projects)).* FROM projects;
        CREATE VIEW v8 AS SELECT id, row_to_json(p) AS doc, (sanitized(p)).name FROM projects p;
    """,
    "create table as": """
        CREATE DOMAIN money4 AS numeric(19,4);
        CREATE TABLE orders (id bigint PRIMARY KEY, total money4 NOT NULL DEFAULT 0, note varchar(20),
            placed timestamptz);
        CREATE TABLE empty_string AS SELECT 1 AS id, ''::text AS string;
        CREATE TABLE some_numbers AS SELECT x::int AS val FROM generate_series(1, 10) x;
        CREATE TABLE constants AS SELECT 3000000000 AS big, 1.5 AS frac, 'x' AS label, true AS flag,
            NULL AS nothing, '2020-01-01'::date AS day, 99999999999999999999 AS huge;
        CREATE UNLOGGED TABLE order_copy (oid, amount) AS SELECT id, o.total, note, placed FROM orders o
            WITH NO DATA;
        CREATE TABLE all_orders AS SELECT * FROM orders;
        CREATE TABLE IF NOT EXISTS all_orders AS SELECT 1 AS x;
    """,
    "timestamp defaults": """
        SET TimeZone = 'UTC';
        CREATE DOMAIN unixtz AS timestamptz;
        CREATE DOMAIN later AS unixtz;
        CREATE DOMAIN d_i AS int;
        CREATE TABLE u (a unixtz DEFAULT '2017-12-14 01:02:30'::timestamptz, b later DEFAULT '2017-12-14 01:02:30',
            c d_i DEFAULT '05', d later DEFAULT NULL);
        CREATE TABLE t (
            a timestamptz DEFAULT '2017-12-14 01:02:30', b timestamptz DEFAULT '2017-12-14 01:02:30+01',
            c timestamptz(3) DEFAULT '2017-12-14T01:02:30.5-0230', d timestamp DEFAULT '2017-12-14 01:02:30+05',
            e timestamp(0) DEFAULT '2017-12-14 01:02:30', f timestamptz DEFAULT 'infinity'
        );
        SET TIME ZONE 'Europe/Berlin';
        CREATE TABLE berlin (a timestamptz DEFAULT '2017-06-14 01:02:30', b timestamptz DEFAULT '2017-12-14 01:02:30',
            c timestamptz DEFAULT '2017-12-14 01:02:30Z', d timestamp DEFAULT '2017-12-14 01:02:30');
        CREATE DOMAIN berlin_time AS timestamptz DEFAULT '2020-03-29 02:30:00';
        SET TIME ZONE -7;
        CREATE TABLE minus_seven (a timestamptz DEFAULT '2017-12-14 01:02:30');
        SET timezone = '+05:30';
        ALTER TABLE minus_seven ADD COLUMN b timestamptz DEFAULT '2017-12-14 01:02:30';
        RESET timezone;
        ALTER TABLE minus_seven ALTER COLUMN a SET DEFAULT '2017-12-14 01:02:30';
    """,
    "tsvector defaults": """
        CREATE DOMAIN words AS tsvector CHECK (VALUE IS NOT NULL);
        CREATE DOMAIN more_words AS words;
        CREATE TABLE t (a tsvector DEFAULT 'b a  b', b words DEFAULT '.', c more_words DEFAULT 'it''s x:3,1A',
            d tsvector DEFAULT '', e tsvector DEFAULT $$'q r' p\\s:2B$$);
        ALTER TABLE t ALTER COLUMN d SET DEFAULT 'zz:1 z';
    """,
    "domains over domains": """
        CREATE DOMAIN d1 AS text CHECK (VALUE <> 'x');
        CREATE DOMAIN d2 AS d1 CHECK (VALUE <> '') CHECK (length(VALUE) > 1) CHECK (VALUE IS NOT NULL)
            CHECK (VALUE ~ '^a') CHECK (VALUE IN ('a', 'b')) CHECK (lower(VALUE) = VALUE) CHECK (VALUE::text <> 'y');
        CREATE DOMAIN i1 AS int;
        CREATE DOMAIN i2 AS i1 CHECK (VALUE > 0) CHECK (VALUE + 1 > 2) CHECK (VALUE BETWEEN 1 AND 5);
        CREATE DOMAIN i3 AS i2 CHECK (VALUE < 4 OR VALUE = 5);
        ALTER DOMAIN i3 ADD CONSTRAINT small CHECK (abs(VALUE) < 9);
    """,
    "views over columns of a domain type": """
        CREATE DOMAIN i1 AS int;
        CREATE DOMAIN i2 AS i1;
        CREATE DOMAIN d1 AS text;
        CREATE TABLE t (c i1, s d1, n int, deep i2);
        CREATE VIEW v AS SELECT c, c / 2 AS h, c + c AS dd, -c AS neg, s || 'x' AS sx, length(s) AS l, c = 1 AS e,
            c IS NULL AS isnull, (c / 2)::i1 AS half, n + 1 AS plain, deep * 2 AS twice, c::int AS cast
            FROM t WHERE c > 0 AND lower(s) <> '';
        CREATE VIEW w AS SELECT x.c % 3 AS m FROM t x;
    """,
    "operators of one integer width: the narrower operand cast": """
        CREATE TABLE books (id int, year smallint, y2 smallint, big bigint, i int);
        CREATE VIEW odd AS WITH o AS (SELECT id, year FROM books WHERE year % 2 <> 0) SELECT o.id FROM o;
        CREATE VIEW ops AS SELECT year % 2 AS m, year & 3 AS a, i % big AS ib, year % y2 AS same,
            year << 2 AS sh, year + 1 AS p, big % 2 AS b2, 2 % big AS b3, year % i AS c, big | i AS d,
            5 # year AS e, year % 2::smallint AS f, (year + 1) % 2 AS g FROM books;
        CREATE VIEW sub AS SELECT s.id FROM (SELECT id FROM books WHERE year # 4 = 0) s;
        CREATE VIEW grouped AS SELECT year % 2 AS m, count(*) FROM books GROUP BY year % 2
            HAVING max(year % 3) > 0 ORDER BY year % 2;
        CREATE VIEW by_name AS SELECT year % 2 AS m, count(*) FROM books GROUP BY m ORDER BY m;
    """,
    "nulls in later branches of a set operation": """
        CREATE TABLE known (r int, y smallint, c int, note text);
        CREATE TABLE unknown (r int, y smallint);
        CREATE VIEW events AS SELECT r, y, c FROM (
            SELECT r, y, c FROM known UNION ALL SELECT r, y, NULL FROM unknown) AS q;
        CREATE VIEW spelled AS SELECT r, note, c FROM known
            UNION SELECT r, NULL, NULL FROM unknown UNION SELECT r, NULL AS n, c FROM known k;
    """,
    "views over xmltable": """
        CREATE VIEW xml AS SELECT * FROM (SELECT ''::xml AS data) _,
            XMLTABLE('' PASSING data COLUMNS id int PATH '@id', premier_name text PATH 'P' DEFAULT 'n', k FOR ORDINALITY);
        CREATE VIEW constant AS SELECT x.* FROM XMLTABLE('/r' PASSING ('<r/>'::xml) COLUMNS a text PATH 'a') AS x;
    """,
    "views ordered by output names": """
        CREATE TABLE s (a int, b text, c int);
        CREATE VIEW v1 AS SELECT a AS x, lower(b) AS lb, 1 AS one, c FROM s ORDER BY x, lb, one DESC, c;
        CREATE VIEW v2 AS SELECT a AS b FROM s ORDER BY b;
        CREATE VIEW v3 AS SELECT a AS x FROM s UNION SELECT c FROM s ORDER BY x;
        CREATE VIEW v4 (p, q) AS SELECT a, b FROM s UNION ALL SELECT c, lower(b) FROM s
            EXCEPT SELECT 1, NULL ORDER BY b DESC, a;
        CREATE VIEW v5 AS SELECT a, b AS label FROM s UNION ALL SELECT NULL, upper(b) FROM s;
        CREATE VIEW v6 AS SELECT a FROM s WHERE a = (SELECT max(a) FROM s) AND c IN (SELECT c FROM public.s);
        CREATE VIEW v7 AS SELECT lower(b) AS lb, a + 1 AS c, count(*) AS n FROM s GROUP BY lb, c, a ORDER BY n;
        CREATE VIEW v8 AS SELECT b AS label, count(*) FROM s x GROUP BY label, x.c HAVING count(*) > 1;
    """,
    "columns and types": """
        CREATE TABLE t (
            a integer NOT NULL DEFAULT 0, b int8, c varchar(255), d character varying, e numeric(19,4),
            f numeric, g timestamp, h timestamptz DEFAULT now(), i timestamp(3) with time zone, j time,
            k interval, l jsonb DEFAULT '{}', m json, n inet, o uuid DEFAULT gen_random_uuid(), p text[],
            q int[][], r boolean DEFAULT true, s char(3), t double precision, u real, v bytea,
            w bit(8), x smallint, y date DEFAULT CURRENT_DATE, z text COLLATE "C",
            gen int GENERATED ALWAYS AS (a * 2) STORED,
            ident bigint GENERATED BY DEFAULT AS IDENTITY
        );
    """,
    "alter table": """
        CREATE TABLE t (id int PRIMARY KEY, a int, b text, c text);
        ALTER TABLE t ADD COLUMN d timestamptz NOT NULL DEFAULT now();
        ALTER TABLE t ALTER COLUMN a SET DEFAULT 5, ALTER COLUMN a SET NOT NULL;
        ALTER TABLE t ALTER COLUMN b TYPE varchar(10);
        ALTER TABLE t ALTER COLUMN b DROP DEFAULT;
        ALTER TABLE t DROP COLUMN c;
        ALTER TABLE t RENAME COLUMN a TO a2;
        ALTER TABLE t ADD CONSTRAINT a2_positive CHECK (a2 > 0) NOT VALID;
        ALTER TABLE t ADD CONSTRAINT b_short CHECK (length(b) < 5) NOT VALID;
        ALTER TABLE t VALIDATE CONSTRAINT b_short;
        ALTER TABLE t RENAME TO t2;
        ALTER TABLE t2 RENAME CONSTRAINT b_short TO b_is_short;
        ALTER TABLE t2 ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
    """,
    "foreign keys": """
        CREATE TABLE parents (id int PRIMARY KEY, code text UNIQUE);
        CREATE TABLE children (id int PRIMARY KEY, parent_id int, code text);
        ALTER TABLE children ADD FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE CASCADE;
        ALTER TABLE children ADD CONSTRAINT children_code_fk FOREIGN KEY (code) REFERENCES parents (code)
            ON DELETE SET NULL ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED NOT VALID;
        ALTER TABLE children VALIDATE CONSTRAINT children_code_fk;
    """,
    "constraint using index": """
        CREATE TABLE t (id int NOT NULL, code text);
        CREATE UNIQUE INDEX t_id_idx ON t (id);
        ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;
        CREATE UNIQUE INDEX CONCURRENTLY t_code_uq ON t (code);
        ALTER TABLE t ADD CONSTRAINT t_code_key UNIQUE USING INDEX t_code_uq;
        ALTER TABLE t DROP CONSTRAINT t_code_key;
    """,
    "indexes": """
        CREATE TABLE t (id int, a text, b int, c timestamptz, deleted_at timestamptz, d jsonb);
        CREATE UNIQUE INDEX uq_t_a ON t (a) WHERE deleted_at IS NULL;
        CREATE INDEX idx_t_b_desc ON t (b DESC NULLS LAST, c);
        CREATE INDEX idx_t_lower ON t (lower(a)) INCLUDE (b);
        CREATE INDEX idx_t_d ON t USING gin (d);
        CREATE INDEX idx_t_d_path ON t USING gin (d jsonb_path_ops);
        CREATE INDEX idx_t_in ON t (b) WHERE a IN ('x', 'y') AND b BETWEEN 1 AND 10;
        CREATE UNIQUE INDEX uq_t_b ON t (b) NULLS NOT DISTINCT;
        DROP INDEX idx_t_d;
        ALTER INDEX idx_t_d_path RENAME TO idx_t_d_jsonb_path;
    """,
    "enums": """
        CREATE TYPE mood AS ENUM ('sad', 'ok');
        ALTER TYPE mood ADD VALUE 'happy';
        ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
        ALTER TYPE mood ADD VALUE 'glad' AFTER 'ok';
        ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
        ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';
        CREATE TABLE people (id int, feeling mood DEFAULT 'ok', feelings mood[]);
        CREATE TYPE temp_enum AS ENUM ('a');
        DROP TYPE temp_enum;
    """,
    "domains": """
        CREATE DOMAIN positive_int AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0);
        CREATE DOMAIN email AS text CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');
        ALTER DOMAIN positive_int ADD CONSTRAINT small CHECK (VALUE < 1000);
        ALTER DOMAIN email SET DEFAULT 'x@y';
        CREATE TABLE t (n positive_int, e email);
    """,
    "views": """
        CREATE TABLE t (id int PRIMARY KEY, name text, amount numeric(19,4), deleted_at timestamptz);
        CREATE VIEW active_t AS SELECT id, name FROM t WHERE deleted_at IS NULL;
        CREATE VIEW all_t AS SELECT * FROM t;
        CREATE VIEW renamed (ident, label) AS SELECT t.id, upper(t.name) FROM t;
        CREATE OR REPLACE VIEW active_t AS SELECT id, name, amount FROM t WHERE deleted_at IS NULL;
        CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(amount) AS total FROM t;
        CREATE UNIQUE INDEX uq_totals_n ON totals (n);
        CREATE VIEW gone AS SELECT 1 AS one;
        DROP VIEW gone;
    """,
    "functions and triggers": """
        CREATE TABLE t (id int PRIMARY KEY, updated_at timestamptz);
        CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
        CREATE FUNCTION add(a integer, b integer DEFAULT 1) RETURNS integer
            LANGUAGE sql IMMUTABLE STRICT AS 'SELECT a + b';
        CREATE FUNCTION secret() RETURNS setof text LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = public AS $$ SELECT 'x' $$;
        CREATE FUNCTION pairs(n int) RETURNS TABLE (a int, b varchar(10)) LANGUAGE sql AS $$ SELECT 1, 'x' $$;
        CREATE FUNCTION odd_names() RETURNS TABLE ("http://x.com/y" bool, "Mixed" int, "select" text)
            LANGUAGE sql AS $$ SELECT true, 1, 'x' $$;
        CREATE PROCEDURE touch(x int) LANGUAGE sql AS $$ SELECT 1 $$;
        CREATE TRIGGER trg_t_updated_at BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION set_updated_at();
        CREATE TRIGGER trg_t_audit AFTER INSERT OR DELETE ON t FOR EACH STATEMENT EXECUTE FUNCTION set_updated_at();
        CREATE TRIGGER trg_t_when BEFORE UPDATE OF id ON t FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
            EXECUTE FUNCTION set_updated_at();
        ALTER TABLE t DISABLE TRIGGER trg_t_audit;
        DROP TRIGGER trg_t_when ON t;
        ALTER FUNCTION add(integer, integer) STABLE;
        CREATE OR REPLACE FUNCTION add(a integer, b integer DEFAULT 1) RETURNS integer
            LANGUAGE sql IMMUTABLE AS 'SELECT a + b + 0';
        DROP PROCEDURE touch(int);
        CREATE FUNCTION old_name(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
        ALTER FUNCTION old_name(int) RENAME TO new_name;
        CREATE SCHEMA elsewhere;
        ALTER FUNCTION new_name(int) SET SCHEMA elsewhere;
    """,
    "row level security": """
        CREATE TABLE docs (id int, tenant_id uuid, owner text);
        ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
        ALTER TABLE docs FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON docs USING (tenant_id = current_setting('app.tenant')::uuid);
        CREATE POLICY owner_insert ON docs AS RESTRICTIVE FOR INSERT TO public
            WITH CHECK (owner = current_user);
        CREATE POLICY readers ON docs FOR SELECT USING (true);
        ALTER POLICY readers ON docs USING (owner IS NOT NULL);
        ALTER POLICY owner_insert ON docs RENAME TO owner_writes;
        DROP POLICY readers ON docs;
        CREATE TABLE notes (id int);
        ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
        ALTER TABLE notes DISABLE ROW LEVEL SECURITY;
    """,
    "sequences": """
        CREATE SEQUENCE counter;
        CREATE SEQUENCE small_counter AS integer INCREMENT BY 5 START WITH 10 CACHE 20;
        CREATE SEQUENCE down INCREMENT BY -1;
        CREATE TABLE t (id int NOT NULL);
        ALTER SEQUENCE counter OWNED BY t.id;
        ALTER SEQUENCE small_counter MAXVALUE 1000 CYCLE;
        ALTER TABLE t ALTER COLUMN id SET DEFAULT nextval('counter');
        CREATE SEQUENCE gone;
        DROP SEQUENCE gone;
    """,
    "comments": """
        CREATE TABLE t (id int PRIMARY KEY, name text);
        COMMENT ON TABLE t IS 'The t table';
        COMMENT ON COLUMN t.name IS 'What it is called';
        COMMENT ON CONSTRAINT t_pkey ON t IS 'identity';
        CREATE TYPE color AS ENUM ('red');
        COMMENT ON TYPE color IS 'colours';
        CREATE SCHEMA app;
        COMMENT ON SCHEMA app IS 'the application';
        COMMENT ON COLUMN t.id IS 'will go';
        COMMENT ON COLUMN t.id IS NULL;
    """,
    "schemas and search_path": """
        CREATE SCHEMA billing;
        CREATE SCHEMA IF NOT EXISTS billing;
        SET search_path = billing, public;
        CREATE TABLE invoices (id int PRIMARY KEY, total numeric(19,4));
        CREATE TYPE status AS ENUM ('open', 'paid');
        CREATE TABLE lines (id int PRIMARY KEY, invoice_id int REFERENCES invoices, st status);
        RESET search_path;
        CREATE TABLE public.customers (id int PRIMARY KEY);
        CREATE TABLE "Quoted Table" ("Mixed Case" int, "select" text);
        CREATE SCHEMA old;
        CREATE TABLE old.moved (id int);
        ALTER TABLE old.moved SET SCHEMA billing;
        DROP SCHEMA old;
    """,
    "partitions": """
        CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, kind text) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE events_old (id bigint NOT NULL, at date NOT NULL, kind text);
        ALTER TABLE events ATTACH PARTITION events_old FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
        CREATE INDEX ON events (at);
        ALTER TABLE events ADD PRIMARY KEY (id, at);
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE events_gone PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        ALTER TABLE events DETACH PARTITION events_gone;
        CREATE TABLE kinds (k text) PARTITION BY LIST (k);
        CREATE TABLE kinds_ab PARTITION OF kinds FOR VALUES IN ('a', 'b');
        CREATE TABLE kinds_rest PARTITION OF kinds DEFAULT;
    """,
    "inheritance and persistence": """
        CREATE TABLE base (id int, created_at timestamptz DEFAULT now(), CHECK (id > 0));
        CREATE TABLE child (extra text) INHERITS (base);
        CREATE UNLOGGED TABLE scratch (id int);
    """,
    "extensions": """
        CREATE EXTENSION IF NOT EXISTS pgcrypto;
        CREATE EXTENSION citext;
        CREATE TABLE t (email citext, token text DEFAULT encode(gen_random_bytes(16), 'hex'));
    """,
    "extensions versions": """
        CREATE EXTENSION citext VERSION '1.4';
        CREATE EXTENSION pg_trgm VERSION '1.3';
        ALTER EXTENSION pg_trgm UPDATE TO '1.5';
        CREATE EXTENSION hstore;
    """,
    "collations": """
        CREATE SCHEMA other;
        CREATE COLLATION c_only (locale = 'C');
        CREATE COLLATION mixed (lc_collate = 'C', lc_ctype = 'POSIX');
        CREATE COLLATION IF NOT EXISTS mixed (locale = 'POSIX');
        CREATE COLLATION copied FROM "C";
        CREATE COLLATION other.copy_of_mine FROM c_only;
        CREATE COLLATION gone (locale = 'POSIX');
        DROP COLLATION gone;
        DROP COLLATION IF EXISTS never_made;
        CREATE COLLATION old_name (locale = 'C');
        CREATE DOMAIN code AS text COLLATE old_name;
        CREATE TABLE t (a text COLLATE c_only, b text COLLATE "C", c text COLLATE old_name, d code,
            e text COLLATE other.copy_of_mine);
        ALTER COLLATION old_name RENAME TO new_name;
        ALTER COLLATION new_name SET SCHEMA other;
        ALTER TABLE t ALTER COLUMN a TYPE varchar(10) COLLATE mixed;
        COMMENT ON COLLATION copied IS 'a copy of C';
    """,
    "collations icu": """
        CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
        CREATE COLLATION icu_copy FROM ci;
        CREATE TABLE tags (name text COLLATE ci);
    """,
    "inheritance": """
        CREATE TABLE parent (id int, name text, note text);
        CREATE TABLE other_parent (id int, extra int);
        CREATE TABLE child (name text, own int) INHERITS (parent);
        CREATE TABLE both_parents (id int) INHERITS (parent, other_parent);
        CREATE TABLE grandchild () INHERITS (child);
        ALTER TABLE parent ADD COLUMN added int;
        ALTER TABLE child ADD COLUMN added2 int;
        ALTER TABLE parent ADD COLUMN added2 int;
        ALTER TABLE parent DROP COLUMN note;
        ALTER TABLE parent DROP COLUMN added2;
        ALTER TABLE ONLY parent DROP COLUMN name;
        CREATE TABLE loose (id int, extra int, mine text);
        ALTER TABLE loose INHERIT other_parent;
        CREATE TABLE leaving (id int, name text) INHERITS (parent);
        ALTER TABLE leaving NO INHERIT parent;
        CREATE TABLE leaving_too () INHERITS (other_parent);
        ALTER TABLE leaving_too NO INHERIT other_parent;
    """,
    "column changes through children": """
        CREATE TABLE parent (id int, name text);
        CREATE TABLE child (own int) INHERITS (parent);
        CREATE TABLE grandchild () INHERITS (child);
        ALTER TABLE parent RENAME COLUMN name TO label;
        ALTER TABLE parent ALTER COLUMN id SET DEFAULT 1;
        ALTER TABLE ONLY parent ALTER COLUMN label SET DEFAULT 'only';
        ALTER TABLE parent ALTER COLUMN id SET NOT NULL;
        ALTER TABLE parent ALTER COLUMN id TYPE bigint;
        ALTER TABLE parent ALTER COLUMN id DROP DEFAULT;
        CREATE TABLE measures (id int, name text) PARTITION BY LIST (id);
        CREATE TABLE measures_1 PARTITION OF measures FOR VALUES IN (1);
        ALTER TABLE measures RENAME COLUMN name TO label;
        ALTER TABLE measures ALTER COLUMN label SET DEFAULT 'x';
        ALTER TABLE measures ALTER COLUMN label SET NOT NULL;
        ALTER TABLE measures ALTER COLUMN label TYPE varchar(10);
    """,
    "function arguments": """
        CREATE FUNCTION f(a int, OUT b text, c text DEFAULT 'x', d int DEFAULT NULL,
            VARIADIC e int[] DEFAULT '{}') LANGUAGE sql AS 'SELECT ''y''';
        CREATE FUNCTION g(int, "Quoted name" text DEFAULT now()::text, n numeric DEFAULT '1.50')
            RETURNS TABLE (q int) LANGUAGE sql AS 'SELECT 1';
        CREATE FUNCTION h(INOUT x int, IN y boolean DEFAULT 'true') LANGUAGE sql AS 'SELECT 1';
        CREATE PROCEDURE p(IN a int, b text DEFAULT 'z') LANGUAGE sql AS 'SELECT 1';
        CREATE FUNCTION g(text, "Quoted name" text DEFAULT 'other', n numeric DEFAULT 2)
            RETURNS TABLE (q int) LANGUAGE sql AS 'SELECT 2';
        CREATE OR REPLACE FUNCTION g(text, "Quoted name" text DEFAULT 'other', n numeric DEFAULT 3)
            RETURNS TABLE (q int) LANGUAGE sql AS 'SELECT 2';
        CREATE AGGREGATE total(amount numeric) (sfunc = numeric_add, stype = numeric);
    """,
    "drops and renames": """
        CREATE TABLE a (id int PRIMARY KEY);
        CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
        DROP TABLE a CASCADE;
        CREATE TABLE c (id int);
        ALTER TABLE c RENAME TO d;
        CREATE INDEX idx_d_id ON d (id);
        ALTER TABLE IF EXISTS missing ADD COLUMN x int;
        DROP TABLE IF EXISTS missing;
        DROP INDEX IF EXISTS missing_idx;
    """,
    "pg_dump style": """
        SELECT pg_catalog.set_config('search_path', '', false);
        CREATE TABLE public.accounts (id integer NOT NULL, name text);
        CREATE SEQUENCE public.accounts_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
        ALTER SEQUENCE public.accounts_id_seq OWNED BY public.accounts.id;
        ALTER TABLE ONLY public.accounts ALTER COLUMN id SET DEFAULT nextval('public.accounts_id_seq'::regclass);
        ALTER TABLE ONLY public.accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
        CREATE INDEX index_accounts_on_name ON public.accounts USING btree (name);
        ALTER TABLE public.accounts OWNER TO CURRENT_USER;
    """,
    "do blocks": """
        CREATE SCHEMA auth;
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'factor_type') THEN
                CREATE TYPE auth.factor_type AS ENUM ('totp', 'webauthn');
            END IF;
        END $$;
        CREATE TABLE auth.factors (id int);
        DO $$ BEGIN
            BEGIN ALTER TABLE auth.factors ADD COLUMN kind auth.factor_type;
            EXCEPTION WHEN duplicate_column THEN NULL; END;
        END $$;
        DO $$ BEGIN
            BEGIN ALTER TABLE auth.factors ADD COLUMN kind auth.factor_type;
            EXCEPTION WHEN duplicate_column THEN NULL; END;
        END $$;
        DO $$ BEGIN EXECUTE 'CREATE INDEX factors_kind_idx ON auth.factors (kind)'; END $$;
        DO $$ DECLARE who text = coalesce(current_setting('app.role', true), 'CURRENT_USER'); BEGIN
            EXECUTE 'GRANT SELECT ON auth.factors TO ' || who;
            EXECUTE format('revoke all on auth.factors from %s', who);
            EXECUTE 'alter default privileges in schema auth grant select on tables to ' || who;
        END $$;
    """,
    "do blocks that loop over known values": """
        CREATE TABLE events (id int, k int) PARTITION BY HASH (k);
        DO $$
        DECLARE
            r record;
            n int := 2;
            prefix text := 'log';
            item text;
            stmt text;
        BEGIN
            FOR i IN 0..3 LOOP
                EXECUTE format('CREATE TABLE events_p%s PARTITION OF events FOR VALUES WITH (MODULUS 4, REMAINDER %s)', i, i);
            END LOOP;
            FOR i IN REVERSE 10..1 BY 4 LOOP EXECUTE 'CREATE TABLE x_' || i || ' (id int)'; END LOOP;
            FOR r IN SELECT format('CREATE TABLE u_%s ()', m) AS ct FROM generate_series(1, n) m LOOP
                EXECUTE r.ct;
            END LOOP;
            FOREACH item IN ARRAY ARRAY['a b', 'c'] LOOP
                EXECUTE format('CREATE TABLE %I (note text DEFAULT %L, at text DEFAULT %L)', prefix || '_' || item,
                    'it''s', concat('a\b', 1 + 2 * 3));
            END LOOP;
            stmt := format('CREATE INDEX %I ON public.%2$I (id)', upper('idx_') || prefix, 'x_10');
            EXECUTE stmt;
            EXECUTE 'COMMENT ON TABLE x_6 IS ' || quote_literal('it''s') ;
        END $$;
    """,
    "do blocks guarded by catalog queries": """
        CREATE SCHEMA auth;
        CREATE TABLE auth.factors (user_id int, phone text);
        CREATE UNIQUE INDEX unique_verified_phone_factor ON auth.factors (user_id, phone);
        DO $$ BEGIN
            IF (SELECT count(*) = 2 FROM pg_indexes
                WHERE indexname IN ('unique_verified_phone_factor', 'unique_phone_factor_per_user')
                AND schemaname = 'auth') THEN
                EXECUTE 'DROP INDEX auth.unique_verified_phone_factor';
            END IF;
            IF EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'unique_verified_phone_factor'
                AND schemaname = 'auth') THEN
                EXECUTE 'ALTER INDEX auth.unique_verified_phone_factor RENAME TO unique_phone_factor_per_user';
            END IF;
            IF NOT EXISTS (SELECT FROM information_schema.columns c
                WHERE c.table_schema = 'auth' AND c.table_name = 'factors' AND c.column_name = 'kind') THEN
                ALTER TABLE auth.factors ADD COLUMN kind text;
            ELSE
                ALTER TABLE auth.factors DROP COLUMN kind;
            END IF;
            IF (SELECT count(*) FROM pg_tables WHERE schemaname = 'auth') > 1 THEN
                CREATE TABLE auth.many ();
            ELSIF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth'::name) THEN
                CREATE TABLE auth.one ();
            ELSE
                CREATE TABLE auth.none ();
            END IF;
        END $$;
    """,
    "do blocks that return under a guard": """
        CREATE SCHEMA app;
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'app') THEN
                RETURN;
            END IF;
            CREATE TABLE app.kept ();
        END $$;
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = 'queue') THEN
                RETURN;
            END IF;
            CREATE FUNCTION queue.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
        END $$;
        DO $$ BEGIN
            CREATE TABLE app.before_return ();
            IF EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'app' AND tablename = 'kept') THEN
                RETURN;
            END IF;
            CREATE TABLE app.after_return ();
        END $$;
    """,
    "do blocks that select from the catalog into variables": """
        CREATE SCHEMA storage;
        CREATE TABLE storage.buckets_analytics (id text PRIMARY KEY, format text NOT NULL);
        DO $$
        DECLARE drop_sql text; missing text; BEGIN
            SELECT concat('ALTER TABLE storage.buckets_analytics DROP CONSTRAINT ', constraint_name)
            INTO drop_sql FROM information_schema.table_constraints
            WHERE table_schema = 'storage' AND table_name = 'buckets_analytics'
              AND constraint_type = 'PRIMARY KEY';
            IF drop_sql IS NOT NULL THEN
                EXECUTE drop_sql;
            END IF;
            SELECT constraint_name INTO missing FROM information_schema.table_constraints
            WHERE table_schema = 'storage' AND constraint_name = 'nothing_here';
            IF missing IS NULL THEN
                ALTER TABLE storage.buckets_analytics ADD COLUMN uid uuid;
                ALTER TABLE storage.buckets_analytics ADD PRIMARY KEY (uid);
            ELSE
                ALTER TABLE storage.buckets_analytics ADD COLUMN never int;
            END IF;
            IF (SELECT count(*) FROM information_schema.table_constraints
                WHERE table_schema = 'storage' AND constraint_type = 'CHECK') = 3 THEN
                CREATE TABLE storage.three_not_null ();
            END IF;
        END $$;
    """,
    "drops if exists with no schema of the search_path": """
        SET search_path = nowhere;
        DROP TYPE IF EXISTS jwt_token CASCADE;
        DROP TABLE IF EXISTS t;
        DROP FUNCTION IF EXISTS f(int);
        SET search_path = public;
        CREATE TABLE t (id int);
    """,
    "triggers on views": """
        CREATE TABLE projects (id int PRIMARY KEY, name text);
        CREATE VIEW projects_view AS SELECT id, name FROM projects;
        COMMENT ON VIEW projects_view IS 'projects, updatable';
        CREATE FUNCTION projects_view_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO projects VALUES (NEW.id, NEW.name); RETURN NEW; END $$;
        CREATE TRIGGER projects_view_insert INSTEAD OF INSERT ON projects_view
            FOR EACH ROW EXECUTE FUNCTION projects_view_write();
        CREATE TRIGGER projects_view_update INSTEAD OF UPDATE ON projects_view
            FOR EACH ROW EXECUTE FUNCTION projects_view_write();
        CREATE TRIGGER projects_view_delete INSTEAD OF DELETE ON public.projects_view
            FOR EACH ROW EXECUTE FUNCTION projects_view_write();
        CREATE TRIGGER projects_view_truncate_note AFTER INSERT ON projects_view
            FOR EACH STATEMENT EXECUTE FUNCTION projects_view_write();
        CREATE OR REPLACE VIEW projects_view AS SELECT id, name FROM projects WHERE id > 0;
        DROP TRIGGER projects_view_delete ON projects_view;
        DROP TRIGGER IF EXISTS nothing_here ON projects_view;
        ALTER TRIGGER projects_view_update ON projects_view RENAME TO projects_view_change;
        ALTER VIEW projects_view RENAME TO project_list;
    """,
    "collated index keys": """
        CREATE TABLE t (a int, b text, c text COLLATE "C");
        CREATE INDEX i1 ON t (a, (b COLLATE "C"));
        CREATE INDEX i2 ON t ((c COLLATE "C"));
        CREATE INDEX i3 ON t ((c COLLATE "POSIX"));
        CREATE INDEX i4 ON t (((b COLLATE "C")) COLLATE "POSIX");
        CREATE INDEX i5 ON t (b COLLATE "C");
    """,
    "typed literal defaults": """
        CREATE TABLE t (a int DEFAULT '0', b boolean DEFAULT 'false', c text DEFAULT NULL,
            d timestamp DEFAULT '1970-01-01 00:00:01+00:00', e jsonb DEFAULT '{ "b": 1, "aa": [1, 2.50] }',
            f numeric(10,2) DEFAULT '1.50', g bigint DEFAULT '-7');
        ALTER TABLE t ALTER COLUMN c SET DEFAULT 'x';
    """,
    "variadic calls": """
        CREATE FUNCTION one_of(v text, VARIADIC options text[]) RETURNS boolean
            LANGUAGE sql IMMUTABLE AS $$ SELECT v = ANY(options) $$;
        CREATE TABLE t (kind text CHECK (one_of(kind, 'a', 'b')));
    """,
    "privileges on objects": """
        CREATE SCHEMA app;
        CREATE TABLE app.orders (id serial PRIMARY KEY, amount numeric, note text);
        CREATE VIEW app.v AS SELECT id FROM app.orders;
        CREATE MATERIALIZED VIEW app.mv AS SELECT id FROM app.orders;
        CREATE SEQUENCE app.s;
        CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql AS 'select $1';
        CREATE PROCEDURE app.p() LANGUAGE sql AS 'select 1';
        CREATE TYPE app.mood AS ENUM ('a');
        CREATE DOMAIN app.posint AS int;
        GRANT SELECT, INSERT ON app.orders TO ROLE_A WITH GRANT OPTION;
        GRANT UPDATE (amount, note), SELECT (id) ON app.orders TO ROLE_B;
        REVOKE GRANT OPTION FOR INSERT ON app.orders FROM ROLE_A;
        REVOKE UPDATE ON app.orders FROM ROLE_B;
        GRANT ALL ON app.v, app.mv TO ROLE_B;
        GRANT USAGE, SELECT ON SEQUENCE app.s TO ROLE_A;
        GRANT ALL ON app.s TO ROLE_B;
        GRANT ALL ON ALL SEQUENCES IN SCHEMA app TO ROLE_A;
        REVOKE EXECUTE ON FUNCTION app.f(int) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION app.f TO ROLE_A;
        GRANT ALL ON PROCEDURE app.p() TO ROLE_B;
        REVOKE ALL ON ROUTINE app.p FROM PUBLIC CASCADE;
        GRANT USAGE, CREATE ON SCHEMA app TO ROLE_A;
        REVOKE CREATE ON SCHEMA app FROM ROLE_A;
        REVOKE USAGE ON SCHEMA public FROM PUBLIC;
        REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
        GRANT USAGE ON DOMAIN app.posint TO ROLE_B;
        GRANT ALL ON ALL TABLES IN SCHEMA app TO ROLE_A;
        REVOKE TRUNCATE ON ALL TABLES IN SCHEMA app FROM ROLE_A;
        GRANT ALL ON ALL FUNCTIONS IN SCHEMA app TO ROLE_B;
        GRANT ALL ON ALL PROCEDURES IN SCHEMA app TO ROLE_A;
        GRANT ROLE_A TO ROLE_B;
        GRANT SELECT ON app.orders TO CURRENT_USER;
        GRANT SELECT ON app.orders TO PUBLIC;
    """,
    "privileges follow renames and drops": """
        CREATE TABLE t (id int, a int, b int);
        GRANT SELECT ON t TO ROLE_A;
        GRANT UPDATE (a), INSERT (b) ON t TO ROLE_B;
        ALTER TABLE t RENAME TO t2;
        ALTER TABLE t2 RENAME COLUMN a TO a2;
        ALTER TABLE t2 DROP COLUMN b;
        ALTER TABLE t2 ALTER COLUMN a2 TYPE bigint;
        CREATE SCHEMA other;
        ALTER TABLE t2 SET SCHEMA other;
        CREATE TABLE gone (id int);
        GRANT ALL ON gone TO ROLE_A;
        CREATE VIEW gone_v AS SELECT id FROM gone;
        GRANT SELECT ON gone_v TO ROLE_B;
        DROP TABLE gone CASCADE;
        CREATE TABLE gone (id int);
        CREATE VIEW kept AS SELECT 1 AS one;
        GRANT SELECT ON kept TO ROLE_A;
        CREATE OR REPLACE VIEW kept AS SELECT 1 AS one, 2 AS two;
        CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';
        REVOKE ALL ON FUNCTION f() FROM PUBLIC;
        CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 2';
        ALTER FUNCTION f() RENAME TO g;
    """,
    "default privileges": """
        CREATE SCHEMA app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO ROLE_A;
        ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON SEQUENCES TO ROLE_A WITH GRANT OPTION;
        ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
        ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO ROLE_B;
        ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO ROLE_B;
        ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO ROLE_A;
        ALTER DEFAULT PRIVILEGES FOR ROLE ROLE_B IN SCHEMA app GRANT INSERT ON TABLES TO ROLE_A;
        ALTER DEFAULT PRIVILEGES FOR ROLE ROLE_B GRANT ALL ON SEQUENCES TO ROLE_A;
        ALTER DEFAULT PRIVILEGES FOR ROLE ROLE_B REVOKE ALL ON SEQUENCES FROM ROLE_A;
        ALTER DEFAULT PRIVILEGES FOR ROLE ROLE_B IN SCHEMA app, public GRANT TRIGGER ON TABLES TO ROLE_A;
        ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM ROLE_A;
        ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, UPDATE ON TABLES TO ROLE_A;
        ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA app GRANT ALL ON ROUTINES TO ROLE_B;
        CREATE TABLE app.orders (id serial PRIMARY KEY, amount numeric);
        CREATE TABLE public.other (id bigint GENERATED ALWAYS AS IDENTITY);
        CREATE VIEW app.v AS SELECT 1 AS one;
        CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'select 1';
        CREATE PROCEDURE app.p() LANGUAGE sql AS 'select 1';
        CREATE TYPE app.mood AS ENUM ('a');
        CREATE DOMAIN app.posint AS int;
        CREATE SCHEMA later;
        CREATE TABLE later.t (a int);
        ALTER TABLE later.t RENAME TO t2;
        ALTER DEFAULT PRIVILEGES REVOKE USAGE ON SCHEMAS FROM ROLE_A;
        CREATE SCHEMA later2;
        GRANT SELECT ON app.orders TO ROLE_B;
    """,
}

# Statements PostgreSQL refuses: each errors on the server, and replay refuses it with the same
# error (E001) and leaves the model as the server leaves the database, the statement undone.
REFUSED: dict[str, str] = {
    "drops that objects depend on": """
        CREATE SCHEMA app;
        CREATE TYPE mood AS ENUM ('ok', 'bad');
        CREATE TABLE items (id int NOT NULL, m mood, updated_at timestamptz);
        CREATE UNIQUE INDEX items_id_key ON items (id);
        CREATE TABLE notes (item_id int REFERENCES items (id));
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE FUNCTION app.is_ok(x mood) RETURNS boolean LANGUAGE sql AS 'SELECT x = ''ok''';
        CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE VIEW item_ids AS SELECT id FROM items;
        CREATE VIEW app.first_ids AS SELECT id FROM item_ids WHERE id < 10;
        CREATE VIEW lonely AS SELECT 1 AS one;
        DROP FUNCTION touch();
        DROP INDEX items_id_key;
        DROP VIEW item_ids;
        DROP TYPE mood;
        DROP VIEW app.first_ids, item_ids;
        DROP VIEW lonely;
        DROP TRIGGER items_touch ON items;
        DROP FUNCTION touch();
    """,
    "foreign keys": """
        CREATE TABLE orders (id int PRIMARY KEY, code text, token int UNIQUE DEFERRABLE, email text);
        CREATE UNIQUE INDEX ON orders (email DESC);
        CREATE VIEW order_view AS SELECT id FROM orders;
        CREATE TABLE refunds (id int PRIMARY KEY, amount int, email text);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (order_id) REFERENCES orders (id);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES orders (ghost);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES nowhere (id);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES public.nowhere;
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES orders (code);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES orders (token);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id, amount) REFERENCES orders (id);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES order_view (id);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES refunds (amount);
        ALTER TABLE refunds ADD CONSTRAINT by_email FOREIGN KEY (email) REFERENCES orders (email);
        ALTER TABLE refunds ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES orders;
    """,
    "CREATE TABLE with a bad foreign key creates nothing": """
        CREATE TABLE orders (id int PRIMARY KEY);
        CREATE TABLE refunds (id serial PRIMARY KEY, order_id int REFERENCES orders (ghost));
        CREATE TABLE refunds (id serial PRIMARY KEY, order_id int, FOREIGN KEY (ghost) REFERENCES orders);
        CREATE TABLE refunds (id serial PRIMARY KEY, order_id int REFERENCES nowhere);
        CREATE TABLE tree (id int, parent int REFERENCES tree);
        CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);
        CREATE INDEX refunds_id_idx ON orders (id);
    """,
    "ALTER TABLE applies no subcommand when one is refused": """
        CREATE TABLE orders (id int PRIMARY KEY);
        CREATE TABLE refunds (id int);
        ALTER TABLE refunds ADD COLUMN order_id int, ADD PRIMARY KEY (id),
            ADD CONSTRAINT f FOREIGN KEY (ghost) REFERENCES orders;
        ALTER TABLE refunds ALTER COLUMN id SET NOT NULL, ADD CHECK (ghost > 0);
        ALTER TABLE nowhere ADD COLUMN x int;
        ALTER TABLE refunds ADD COLUMN order_id int REFERENCES orders;
    """,
    "keys and checks on missing columns": """
        CREATE TABLE t (a int, PRIMARY KEY (b));
        CREATE TABLE t (a int, UNIQUE (b));
        CREATE TABLE t (a int, PRIMARY KEY (a) INCLUDE (b));
        CREATE TABLE t (a int CHECK (b > 0));
        CREATE TABLE t (a int CHECK (b > 0), PRIMARY KEY (b));
        CREATE TABLE t (a int, EXCLUDE USING btree (b WITH =));
        CREATE TABLE t (a int CHECK (a > 0), b int);
        ALTER TABLE t ADD PRIMARY KEY (ghost);
        ALTER TABLE t ADD PRIMARY KEY (a) INCLUDE (ghost);
        ALTER TABLE t ADD UNIQUE (ghost);
        ALTER TABLE t ADD UNIQUE (a) INCLUDE (ghost);
        ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING btree (ghost WITH =);
        ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING btree ((a + ghost) WITH =);
        ALTER TABLE t ADD CHECK (ghost > 0);
        ALTER TABLE t ADD CHECK (a > 0 OR b IS NULL);
    """,
    "indexes on missing columns": """
        CREATE TABLE t (a int, b text);
        CREATE MATERIALIZED VIEW mv AS SELECT a, b AS label FROM t;
        CREATE INDEX ON t (ghost);
        CREATE INDEX ON t (lower(ghost));
        CREATE INDEX ON t (a, lower(ghost));
        CREATE INDEX ON t (a) INCLUDE (ghost);
        CREATE INDEX ON t (ghost) WHERE other > 0;
        CREATE INDEX ON nowhere (a);
        CREATE INDEX ON mv (b);
        CREATE INDEX ON mv (label) WHERE a > 0;
        CREATE INDEX ON t (a) WHERE b <> '';
    """,
    "drops of what a foreign key references": """
        CREATE SCHEMA s1;
        CREATE TABLE s1.x (id int PRIMARY KEY);
        CREATE TABLE orders (id int PRIMARY KEY, code int UNIQUE, x_id int REFERENCES s1.x);
        CREATE TABLE refunds (id int PRIMARY KEY, order_id int REFERENCES orders, code int REFERENCES orders (code));
        CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);
        ALTER TABLE orders DROP COLUMN code;
        DROP TABLE orders;
        DROP TABLE s1.x;
        ALTER TABLE s1.x DROP COLUMN id;
        ALTER TABLE tree DROP COLUMN id;
        ALTER TABLE tree DROP COLUMN parent;
        ALTER TABLE refunds DROP COLUMN code;
        ALTER TABLE orders DROP COLUMN code;
        DROP TABLE refunds, orders;
        DROP TABLE tree;
        CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree);
        CREATE TABLE leaf (id int PRIMARY KEY, tree_id int REFERENCES tree);
        ALTER TABLE tree DROP COLUMN id CASCADE;
        DROP TABLE s1.x CASCADE;
    """,
    "policies and triggers on missing things": """
        CREATE TABLE t (a int, b tsvector);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE FUNCTION takes(int) RETURNS int LANGUAGE sql AS $$SELECT 1$$;
        CREATE POLICY p ON nowhere USING (true);
        CREATE POLICY p ON public.nowhere USING (true);
        CREATE POLICY p ON t USING (a > 0);
        CREATE TRIGGER tr BEFORE INSERT ON nowhere FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION nofunc();
        CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE PROCEDURE public.nofunc('x');
        CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION takes();
        CREATE TRIGGER tr BEFORE UPDATE OF ghost ON t FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TRIGGER tr BEFORE UPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TRIGGER tr2 BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
    """,
}


def _server_errors(dsn: str, statements: str) -> list[str]:
    """Run SQL one statement at a time in autocommit, as psql does; the errors, in order."""
    import postgast
    import psycopg

    errors = []
    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in postgast.split(statements):
            try:
                connection.execute(statement.encode())
            except psycopg.Error as error:
                errors.append(str(error.diag.message_primary))
    return errors


@pytest.mark.catalog
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_replay_refuses_what_the_server_refuses(name: str, pg: str) -> None:
    sql = REFUSED[name]
    errors = _server_errors(pg, sql)
    assert errors, "each case has statements the server refuses"
    live = introspect(pg)
    result = replay_files([parse_sql(sql, f"{name}.sql")])
    expected = [f"Statement not replayed: PostgreSQL refuses it: {error} (" for error in errors]
    assert [f.message[: len(e)] for f, e in zip(result.findings, expected, strict=False)] == expected
    assert len(result.findings) == len(errors), [f.message for f in result.findings]
    assert [str(d) for d in diff_models(result.model, live)] == []


def _has_icu(dsn: str) -> bool:
    """Whether the server can create an ICU collation (its catalog may list one it cannot use)."""
    import psycopg

    with psycopg.connect(dsn) as connection:
        try:
            connection.execute("CREATE COLLATION schemalint_probe (provider = icu, locale = 'und')")
        except psycopg.errors.FeatureNotSupported:
            return False
        finally:
            connection.rollback()
    return True


def _has_xml(dsn: str) -> bool:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        try:
            connection.execute("SELECT '<a/>'::xml")
        except psycopg.errors.FeatureNotSupported:
            return False
    return True


@pytest.fixture
def roles(pg: str, pg_admin: str) -> Iterator[Callable[[str], str]]:
    """Two roles of unique names for a case (roles are cluster-wide): the case's ROLE_A and ROLE_B
    become their names; after the test, what they own or are granted in the database is dropped
    (DROP OWNED: privileges, default privileges), then the roles."""
    import uuid

    import psycopg

    names = {f"ROLE_{letter}": f"sl_role_{letter.lower()}_{uuid.uuid4().hex[:8]}" for letter in "AB"}
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f"CREATE ROLE {name} NOLOGIN".encode())

    def named(sql: str) -> str:
        for token, name in names.items():
            sql = sql.replace(token, name)
        return sql

    yield named
    with psycopg.connect(pg, autocommit=True) as database:
        database.execute(f"DROP OWNED BY {', '.join(names.values())}".encode())
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute(f"DROP ROLE {', '.join(names.values())}".encode())


# the extensions a case creates (the embedded server has most of contrib, not pgcrypto)
_EXTENSIONS = {"extensions": ("pgcrypto", "citext"), "extensions versions": ("citext", "pg_trgm", "hstore")}


@pytest.mark.catalog
@pytest.mark.parametrize("name", sorted(CASES))
def test_replay_equals_catalog(name: str, pg: str, run_sql: Any, request: pytest.FixtureRequest) -> None:
    from conftest import missing_extensions

    sql = CASES[name]
    if "ROLE_" in sql:  # the privilege cases: roles of their own
        sql = request.getfixturevalue("roles")(sql)
    missing = missing_extensions(pg, *_EXTENSIONS.get(name, ()))
    if missing:
        pytest.skip(f"the server has no {', '.join(missing)} extension")
    if "icu" in name and not _has_icu(pg):
        pytest.skip("the server is built without ICU")
    if "xml" in name and not _has_xml(pg):
        pytest.skip("the server is built without libxml (XMLTABLE is not supported)")
    run_sql(pg, sql)
    live = introspect(pg)
    result = replay_files([parse_sql(sql, f"{name}.sql")])
    assert [f.message for f in result.findings] == []
    differences = [str(d) for d in diff_models(result.model, live)]
    assert differences == []


@pytest.mark.catalog
def test_tsvector_text_is_what_tsvector_out_prints(pg: str) -> None:
    """Generated tsvector inputs: where tsvector_text gives a text, PostgreSQL gives the same."""
    import random

    import psycopg

    from schemalint.literals import tsvector_text

    chooser = random.Random(7)
    inputs = ["a b  a", ".", "it''s", "b:1,2A a:3 c\\d", "ab aa a b", "'x y' z", "a:5,3,1B", "é ü a", "a\\"]
    inputs += [
        "".join(chooser.choice("ab 'é\\:,1A") for _ in range(chooser.randint(1, 8))) for _ in range(300)
    ]
    followed = 0
    with psycopg.connect(pg, autocommit=True) as connection:
        for value in inputs:
            ours = tsvector_text(value)
            if ours is None:
                continue
            followed += 1
            assert connection.execute("SELECT %s::tsvector::text", (value,)).fetchone() == (ours,), value
    assert followed > 100
