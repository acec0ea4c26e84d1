-- The owner of each object of the selected schemas that holds privileges, keyed as privileges.sql
-- keys it: relations, functions, the schemas, enums and domains. Drift compares no grant to an
-- object's owner (docs/privileges.md), declared or live. Parameter: nsp oid[].
SELECT n.nspname || '.' || c.relname, pg_catalog.pg_get_userbyid(c.relowner)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = ANY (%(nsp)s::oid[]) AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
UNION ALL
SELECT n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')',
       pg_catalog.pg_get_userbyid(p.proowner)
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.pronamespace = ANY (%(nsp)s::oid[])
UNION ALL
SELECT n.nspname, pg_catalog.pg_get_userbyid(n.nspowner)
FROM pg_catalog.pg_namespace n
WHERE n.oid = ANY (%(nsp)s::oid[])
UNION ALL
SELECT n.nspname || '.' || t.typname, pg_catalog.pg_get_userbyid(t.typowner)
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typnamespace = ANY (%(nsp)s::oid[]) AND t.typtype IN ('e', 'd')
