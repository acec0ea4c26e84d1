-- The statements that take a scratch database back to empty after a shadow replay (empty_database):
-- extensions, schemas other than public, then what is left in public. Run in this order, CASCADE.
-- Default privileges of every schema (ALTER DEFAULT PRIVILEGES without IN SCHEMA) go first: each
-- grant revoked, the role's own privileges and PUBLIC's built-in ones granted back, which is the
-- built-in default, and PostgreSQL forgets the entry (those of one schema go with the schema).
SELECT 1 AS step, format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON %s FROM %s',
                         pg_catalog.pg_get_userbyid(d.defaclrole), k.word,
                         CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                              ELSE quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END)
  FROM pg_catalog.pg_default_acl d
  JOIN (VALUES ('r', 'TABLES'), ('S', 'SEQUENCES'), ('f', 'FUNCTIONS'), ('T', 'TYPES'), ('n', 'SCHEMAS'),
               ('L', 'LARGE OBJECTS'))
       AS k (objtype, word) ON k.objtype = d.defaclobjtype::text
  CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a
 WHERE d.defaclnamespace = 0 AND a.grantee <> d.defaclrole
UNION ALL
SELECT 2, format('ALTER DEFAULT PRIVILEGES FOR ROLE %1$I GRANT ALL ON %2$s TO %1$I',
                 pg_catalog.pg_get_userbyid(d.defaclrole), k.word)
  FROM pg_catalog.pg_default_acl d
  JOIN (VALUES ('r', 'TABLES'), ('S', 'SEQUENCES'), ('f', 'FUNCTIONS'), ('T', 'TYPES'), ('n', 'SCHEMAS'),
               ('L', 'LARGE OBJECTS'))
       AS k (objtype, word) ON k.objtype = d.defaclobjtype::text
 WHERE d.defaclnamespace = 0
UNION ALL
SELECT 3, format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT %s TO PUBLIC',
                 pg_catalog.pg_get_userbyid(d.defaclrole),
                 CASE d.defaclobjtype WHEN 'f' THEN 'EXECUTE ON FUNCTIONS' ELSE 'USAGE ON TYPES' END)
  FROM pg_catalog.pg_default_acl d
 WHERE d.defaclnamespace = 0 AND d.defaclobjtype IN ('f', 'T')
UNION ALL
SELECT 10, format('DROP EXTENSION IF EXISTS %I CASCADE', x.extname)
  FROM pg_catalog.pg_extension x WHERE x.extname <> 'plpgsql'
UNION ALL
SELECT 20, format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname)
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname NOT IN ('public', 'information_schema') AND n.nspname !~ '^pg_'
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 32 WHEN 'c' THEN 33 ELSE 31 END,
       format('DROP %s IF EXISTS public.%I CASCADE',
                 CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, c.relname)
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
   -- identity sequences go with their table (only sequences: a partitioned table has an internal
   -- dependency of its own, on its partitioned row type, and must be dropped here)
   AND (c.relkind <> 'S' OR NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i'))
UNION ALL
SELECT 40, format('DROP %s IF EXISTS %s CASCADE',
                 CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                 p.oid::regprocedure)
  FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'public'::regnamespace
UNION ALL
SELECT 50, format('DROP TYPE IF EXISTS public.%I CASCADE', t.typname)
  FROM pg_catalog.pg_type t
 WHERE t.typnamespace = 'public'::regnamespace AND t.typrelid = 0 AND t.typtype IN ('e', 'd', 'r', 'b')
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
UNION ALL
SELECT 60, format('DROP COLLATION IF EXISTS public.%I CASCADE', co.collname)
  FROM pg_catalog.pg_collation co WHERE co.collnamespace = 'public'::regnamespace
ORDER BY 1
