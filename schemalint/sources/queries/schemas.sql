-- The schemas to read: the requested ones (all user schemas when none are requested), minus the excluded.
-- Parameters: include text[] (empty = all), exclude text[].
SELECT n.oid, n.nspname, d.description
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = n.oid AND d.classoid = 'pg_catalog.pg_namespace'::regclass AND d.objsubid = 0
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT starts_with(n.nspname, 'pg_toast')
  AND NOT starts_with(n.nspname, 'pg_temp')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND NOT n.nspname = ANY (%(exclude)s::text[])
  AND NOT EXISTS (
    SELECT FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
ORDER BY n.nspname
