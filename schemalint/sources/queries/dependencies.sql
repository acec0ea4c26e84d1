-- Dependencies between the objects of the selected schemas (pg_depend, deptype n/a/i), each object
-- named as schemalint.dependencies names it: (kind, name, referenced kind, referenced name, deptype).
-- A view's _RETURN rule is its view; a column default (pg_attrdef) is 'default'; the array type of
-- an enum or domain is that type; a relation's row type is its relation. Objects of extensions,
-- identity sequences, internal triggers and other rules are left out. Every column of a table or
-- view depends (auto) on its relation. Run with search_path = ''
-- (function arguments print schema-qualified). Parameter: nsp oid[].
WITH nsp AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace WHERE oid = ANY (%(nsp)s::oid[])
), member AS (
  SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
), rel AS (
  SELECT c.oid, c.reltype, n.nspname || '.' || c.relname AS name, c.relkind,
         CASE WHEN c.relkind IN ('v', 'm') THEN 'view' WHEN c.relkind IN ('i', 'I') THEN 'index'
              WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END AS kind
  FROM pg_catalog.pg_class c JOIN nsp n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'i', 'I', 'S')
    AND NOT EXISTS (SELECT FROM member e WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid)
    AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT FROM pg_catalog.pg_depend i
      WHERE i.classid = 'pg_catalog.pg_class'::regclass AND i.objid = c.oid AND i.deptype = 'i'))
), typ AS (
  SELECT t.oid, t.typarray, n.nspname || '.' || t.typname AS name
  FROM pg_catalog.pg_type t JOIN nsp n ON n.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd')
    AND NOT EXISTS (SELECT FROM member e WHERE e.classid = 'pg_catalog.pg_type'::regclass AND e.objid = t.oid)
), obj (classid, objid, objsubid, kind, name) AS (
  SELECT 'pg_catalog.pg_class'::regclass, oid, 0, kind, name FROM rel
  UNION ALL
  SELECT 'pg_catalog.pg_class'::regclass, r.oid, a.attnum, 'column', r.name || '.' || a.attname
  FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
  WHERE r.kind IN ('table', 'view') AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass, r.reltype, 0, r.kind, r.name FROM rel r
  WHERE r.kind IN ('table', 'view') AND r.reltype <> 0
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass, t.typarray, 0, r.kind, r.name
  FROM rel r JOIN pg_catalog.pg_type t ON t.oid = r.reltype WHERE r.kind IN ('table', 'view') AND t.typarray <> 0
  UNION ALL
  SELECT 'pg_catalog.pg_attrdef'::regclass, d.oid, 0, 'default', r.name || '.' || a.attname
  FROM pg_catalog.pg_attrdef d JOIN rel r ON r.oid = d.adrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass, oid, 0, 'type', name FROM typ
  UNION ALL
  SELECT 'pg_catalog.pg_type'::regclass, typarray, 0, 'type', name FROM typ WHERE typarray <> 0
  UNION ALL
  SELECT 'pg_catalog.pg_proc'::regclass, p.oid, 0, 'function',
         n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')'
  FROM pg_catalog.pg_proc p JOIN nsp n ON n.oid = p.pronamespace
  WHERE NOT EXISTS (SELECT FROM member e WHERE e.classid = 'pg_catalog.pg_proc'::regclass AND e.objid = p.oid)
  UNION ALL
  SELECT 'pg_catalog.pg_constraint'::regclass, k.oid, 0, 'constraint', r.name || '.' || k.conname
  FROM pg_catalog.pg_constraint k JOIN rel r ON r.oid = k.conrelid
  WHERE k.contype <> 'n'  -- PostgreSQL 18's NOT NULL constraints: the model keeps them as columns' not_null
  UNION ALL
  SELECT 'pg_catalog.pg_constraint'::regclass, k.oid, 0, 'constraint', t.name || '.' || k.conname
  FROM pg_catalog.pg_constraint k JOIN typ t ON t.oid = k.contypid
  UNION ALL
  SELECT 'pg_catalog.pg_trigger'::regclass, g.oid, 0, 'trigger', r.name || '.' || g.tgname
  FROM pg_catalog.pg_trigger g JOIN rel r ON r.oid = g.tgrelid WHERE NOT g.tgisinternal
  UNION ALL
  SELECT 'pg_catalog.pg_policy'::regclass, p.oid, 0, 'policy', r.name || '.' || p.polname
  FROM pg_catalog.pg_policy p JOIN rel r ON r.oid = p.polrelid
  UNION ALL
  SELECT 'pg_catalog.pg_rewrite'::regclass, w.oid, 0, 'view', r.name
  FROM pg_catalog.pg_rewrite w JOIN rel r ON r.oid = w.ev_class
  WHERE w.rulename = '_RETURN' AND r.kind = 'view'
)
SELECT o.kind, o.name, r.kind, r.name, d.deptype
FROM pg_catalog.pg_depend d
JOIN obj o ON o.classid = d.classid AND o.objid = d.objid AND o.objsubid = d.objsubid
JOIN obj r ON r.classid = d.refclassid AND r.objid = d.refobjid AND r.objsubid = d.refobjsubid
WHERE d.deptype IN ('n', 'a', 'i')
UNION
SELECT 'column', r.name || '.' || a.attname, r.kind, r.name, 'a'
FROM rel r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
WHERE r.kind IN ('table', 'view') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2, 3, 4, 5
