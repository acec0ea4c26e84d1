-- Extensions installed in the selected schemas, except plpgsql. Parameter: nsp oid[].
SELECT x.extname, n.nspname, x.extversion, d.description
FROM pg_catalog.pg_extension x
JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = x.oid AND d.classoid = 'pg_catalog.pg_extension'::regclass AND d.objsubid = 0
WHERE x.extnamespace = ANY (%(nsp)s::oid[])
  AND x.extname <> 'plpgsql'
ORDER BY x.extname
