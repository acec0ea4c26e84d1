CREATE FUNCTION greet(who text, greeting text DEFAULT 'hello') RETURNS text LANGUAGE sql
    AS $$ SELECT greeting || ' ' || who $$;
CREATE FUNCTION add_tax(amount numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT amount * 1.2 $$;
