-- Indexes of the tables and materialized views of the selected schemas, including those backing a
-- constraint and those a partition receives from a partitioned index. Parameter: nsp oid[].
-- Per key: the column name or the expression; '' when its operator class is a default one (for the key
-- type or one it coerces to: migrations name a default class only to spell it out), else its name (unqualified: migrations rarely qualify it); the DESC / NULLS FIRST bits of
-- indoption; whether it is an expression; the collation of a column key when it is not the column's.
-- Unordered (catalog.py sorts by name: sorting these wide rows spills to disk).
-- Per-key lookups are scalar subqueries on the catalogs' oid indexes: joins there let a bad row
-- estimate (catalog statistics are often stale after a schema load) scan pg_opclass per index.
SELECT i.indrelid, n.nspname, c.relname AS table_name, ic.relname, i.indisunique, am.amname,
       pg_catalog.pg_indexam_has_property(am.oid, 'can_order') AS can_order,
       ARRAY(
         SELECT ARRAY[
                  coalesce(col.attname::text, pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, false)),
                  CASE WHEN k.ord > i.indnkeyatts THEN NULL
                       ELSE (SELECT CASE WHEN opc.opcdefault THEN '' ELSE opc.opcname END
                               FROM pg_catalog.pg_opclass opc WHERE opc.oid = k.opclass)
                  END,
                  coalesce(k.option, 0)::text,
                  (k.attnum = 0)::text,
                  CASE WHEN k.attnum <> 0 AND k.coll <> 0 AND k.coll <> col.attcollation THEN
                    (SELECT co.collname FROM pg_catalog.pg_collation co WHERE co.oid = k.coll)
                  END]
         FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indoption::int2[], i.indcollation::oid[])
              WITH ORDINALITY AS k(attnum, opclass, option, coll, ord)
         CROSS JOIN LATERAL (
           SELECT ta.attname, ta.attcollation,
                  coalesce(ta.atttypid, (SELECT ia.atttypid FROM pg_catalog.pg_attribute ia
                                          WHERE ia.attrelid = i.indexrelid AND ia.attnum = k.ord)) AS keytype
           FROM (SELECT) AS one
           LEFT JOIN pg_catalog.pg_attribute ta
             ON ta.attrelid = i.indrelid AND ta.attnum = k.attnum AND k.attnum <> 0
         ) AS col
         ORDER BY k.ord) AS keys,
       i.indnkeyatts,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
       i.indnullsnotdistinct,
       con.conname,
       d.description
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN pg_catalog.pg_constraint con
  ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relnamespace = ANY (%(nsp)s::oid[])
  AND c.relkind IN ('r', 'p', 'm')
