CREATE FUNCTION add_tax(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT $1 * 1.20 $$;
CREATE FUNCTION now_utc() RETURNS timestamp LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
    AS $$ SELECT now() AT TIME ZONE 'utc' $$;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW := NEW; RETURN NEW; END $$;
CREATE PROCEDURE purge(integer) LANGUAGE sql AS $$ SELECT $1 $$;
