-- Enum types of the selected schemas, labels in their sort order. Parameter: nsp oid[].
SELECT n.nspname, t.typname,
       (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder)
          FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) AS labels,
       d.description
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass AND d.objsubid = 0
WHERE t.typnamespace = ANY (%(nsp)s::oid[])
  AND t.typtype = 'e'
  AND NOT EXISTS (
    SELECT FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
ORDER BY n.nspname, t.typname
