CREATE FUNCTION greet(who text, greeting text DEFAULT 'hi') RETURNS text LANGUAGE sql
    AS $$ SELECT greeting || ' ' || who $$;
CREATE FUNCTION add_tax(net numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT net * 1.2 $$;
