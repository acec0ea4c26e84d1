-- The privileges on the objects of the selected schemas that have an ACL (NULL: the built-in
-- default, read as none): relations, columns, functions, schemas, enums and domains, one row per
-- grant to a role other than the owner (MAINTAIN left out: see sources/acl.py), and one row with
-- a NULL grantee per object, so that an ACL granting nothing is seen. Parameter: nsp oid[].
WITH acls (kind, name, column_name, acl, owner) AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END, n.nspname || '.' || c.relname, NULL,
         c.relacl, c.relowner
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relnamespace = ANY (%(nsp)s::oid[]) AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
    AND c.relacl IS NOT NULL
  UNION ALL
  SELECT 'column', n.nspname || '.' || c.relname, a.attname, a.attacl, c.relowner
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relnamespace = ANY (%(nsp)s::oid[]) AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
    AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  UNION ALL
  SELECT 'function',
         n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')',
         NULL, p.proacl, p.proowner
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE p.pronamespace = ANY (%(nsp)s::oid[]) AND p.proacl IS NOT NULL
  UNION ALL
  SELECT 'schema', n.nspname, NULL, n.nspacl, n.nspowner
  FROM pg_catalog.pg_namespace n
  WHERE n.oid = ANY (%(nsp)s::oid[]) AND n.nspacl IS NOT NULL
  UNION ALL
  SELECT 'type', n.nspname || '.' || t.typname, NULL, t.typacl, t.typowner
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typnamespace = ANY (%(nsp)s::oid[]) AND t.typtype IN ('e', 'd') AND t.typacl IS NOT NULL
)
SELECT o.kind, o.name, o.column_name,
       CASE WHEN g.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(g.grantee) END,
       g.privilege_type, g.is_grantable
FROM acls o
LEFT JOIN LATERAL (
  SELECT x.grantee, x.privilege_type, x.is_grantable
  FROM pg_catalog.aclexplode(o.acl) x
  WHERE x.grantee <> o.owner AND x.privilege_type <> 'MAINTAIN'
) g ON true
ORDER BY 1, 2, 3, 4, 5
