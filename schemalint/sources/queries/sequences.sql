-- Sequences of the selected schemas, except those owned by identity columns, with the column that
-- owns them (serial, OWNED BY). Parameter: nsp oid[].
SELECT n.nspname, c.relname,
       pg_catalog.format_type(s.seqtypid, NULL) AS type,
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
       (SELECT tn.nspname || '.' || tc.relname || '.' || ta.attname
          FROM pg_catalog.pg_depend dep
          JOIN pg_catalog.pg_class tc ON tc.oid = dep.refobjid
          JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
          JOIN pg_catalog.pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
         WHERE dep.classid = 'pg_catalog.pg_class'::regclass AND dep.objid = c.oid
           AND dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjsubid > 0
           AND dep.deptype = 'a'
         LIMIT 1) AS owned_by,
       d.description
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relnamespace = ANY (%(nsp)s::oid[])
  AND c.relkind = 'S'
  AND NOT EXISTS (
    SELECT FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype IN ('e', 'i'))
ORDER BY n.nspname, c.relname
