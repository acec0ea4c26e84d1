-- Collations of the selected schemas (not those of extensions). provider: c libc, i icu, b builtin;
-- libc collations have lc_collate and lc_ctype, the others a locale. Parameter: nsp oid[].
SELECT n.nspname, co.collname, co.collprovider, co.collcollate, co.collctype, co.colllocale,
       co.collisdeterministic, d.description
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = co.oid AND d.classoid = 'pg_catalog.pg_collation'::regclass AND d.objsubid = 0
WHERE co.collnamespace = ANY (%(nsp)s::oid[])
  AND NOT EXISTS (
    SELECT FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.pg_collation'::regclass AND e.objid = co.oid AND e.deptype = 'e')
ORDER BY n.nspname, co.collname
