-- Everything a freshly created database does not have (check_empty), named the way a person would.
SELECT 'schema ' || n.nspname
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname !~ '^pg_'
UNION ALL
SELECT CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'v' THEN 'view '
                      WHEN 'm' THEN 'materialized view ' WHEN 'S' THEN 'sequence '
                      WHEN 'f' THEN 'foreign table ' WHEN 'c' THEN 'type ' ELSE 'relation ' END
       || n.nspname || '.' || c.relname
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
UNION ALL
SELECT 'type ' || n.nspname || '.' || t.typname
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' AND t.typrelid = 0 AND t.typtype <> 'm'
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
UNION ALL
SELECT 'function ' || n.nspname || '.' || p.proname
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
UNION ALL
SELECT 'collation ' || n.nspname || '.' || co.collname
  FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
UNION ALL
SELECT 'extension ' || x.extname FROM pg_catalog.pg_extension x WHERE x.extname <> 'plpgsql'
UNION ALL
SELECT 'default privileges of ' || pg_catalog.pg_get_userbyid(d.defaclrole)
  FROM pg_catalog.pg_default_acl d WHERE d.defaclnamespace = 0
ORDER BY 1
