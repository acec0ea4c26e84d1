-- Views and materialized views of the selected schemas. Parameter: nsp oid[].
SELECT c.oid, n.nspname, c.relname, c.relkind = 'm' AS materialized,
       pg_catalog.pg_get_viewdef(c.oid, false) AS definition,
       d.description
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relnamespace = ANY (%(nsp)s::oid[])
  AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (
    SELECT FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY n.nspname, c.relname
