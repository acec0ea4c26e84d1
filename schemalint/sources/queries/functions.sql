-- Functions, procedures, aggregates and window functions of the selected schemas (not those of
-- extensions). identity_args: the input argument types, as format_type spells them. body: the source
-- text (prosrc); NULL for SQL-standard bodies (BEGIN ATOMIC / RETURN), which the server keeps only
-- as a parsed tree that does not print back as written. Every argument's type, mode and name, and the
-- defaults of the last input arguments (pg_get_expr of the list: comma-separated). Parameter: nsp oid[].
SELECT n.nspname, p.proname,
       pg_catalog.oidvectortypes(p.proargtypes) AS identity_args,
       pg_catalog.pg_get_function_result(p.oid) AS returns,
       l.lanname, p.prokind, p.provolatile, p.prosecdef, p.proisstrict, p.proconfig,
       CASE WHEN p.prosqlbody IS NOT NULL THEN NULL
            ELSE p.prosrc END AS body,
       d.description,
       ARRAY(SELECT pg_catalog.format_type(t.oid, NULL)
               FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS t(oid, ord)
              ORDER BY t.ord) AS argument_types,
       p.proargmodes::text[] AS argument_modes,
       p.proargnames AS argument_names,
       pg_catalog.pg_get_expr(p.proargdefaults, 0) AS argument_defaults
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = p.oid AND d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objsubid = 0
WHERE p.pronamespace = ANY (%(nsp)s::oid[])
  AND NOT EXISTS (
    SELECT FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
ORDER BY n.nspname, p.proname, identity_args
