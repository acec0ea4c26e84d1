-- Tables, partitioned tables and foreign tables of the selected schemas. Parameter: nsp oid[].
-- Partition keys: the strategy, per key the column name (NULL for an expression), and the key
-- expressions (pg_get_expr of the list: comma-separated).
SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence,
       c.relrowsecurity, c.relforcerowsecurity,
       pt.partstrat,
       ARRAY(SELECT CASE WHEN k.attnum = 0 THEN NULL ELSE a.attname END
               FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
               LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
              ORDER BY k.ord) AS partition_columns,
       pg_catalog.pg_get_expr(pt.partexprs, c.oid) AS partition_expressions,
       c.relispartition,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       (SELECT array_agg(pn.nspname || '.' || pc.relname ORDER BY i.inhseqno)
          FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
          JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid) AS parents,
       d.description
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = c.oid
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relnamespace = ANY (%(nsp)s::oid[])
  AND c.relkind IN ('r', 'p', 'f')
  AND NOT EXISTS (
    SELECT FROM pg_catalog.pg_depend e
    WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY n.nspname, c.relname
