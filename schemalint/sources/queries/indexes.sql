-- Indexes of the tables and materialized views of the selected schemas, including those backing a
-- constraint, excluding the clones a partition receives from a partitioned index. Parameter: nsp oid[].
-- Per key: the column name or the expression, whether its operator class is the default for the
-- key type (else its name), the DESC / NULLS FIRST bits of indoption, and whether it is an expression.
SELECT i.indrelid, n.nspname, c.relname AS table_name, ic.relname, i.indisunique, am.amname, pg_catalog.pg_indexam_has_property(am.oid, 'can_order') AS can_order,
       (SELECT array_agg(
                 ARRAY[
                   CASE WHEN k.attnum <> 0 THEN ta.attname
                        ELSE pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, false) END,
                   CASE WHEN k.ord > i.indnkeyatts THEN NULL
                        WHEN opc.opcdefault AND (
                               opc.opcintype = coalesce(ta.atttypid, ia.atttypid)
                               OR NOT EXISTS (
                                 SELECT FROM pg_catalog.pg_opclass o2
                                 WHERE o2.opcmethod = opc.opcmethod AND o2.opcdefault
                                   AND o2.opcintype = coalesce(ta.atttypid, ia.atttypid)))
                        THEN ''
                        ELSE CASE WHEN ocn.nspname = 'pg_catalog' THEN opc.opcname
                                  ELSE ocn.nspname || '.' || opc.opcname END
                   END,
                   coalesce(k.option, 0)::text,
                   (k.attnum = 0)::text]
                 ORDER BY k.ord)
          FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indoption::int2[])
               WITH ORDINALITY AS k(attnum, opclass, option, ord)
          LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = i.indrelid AND ta.attnum = k.attnum AND k.attnum <> 0
          LEFT JOIN pg_catalog.pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.ord
          LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = k.opclass
          LEFT JOIN pg_catalog.pg_namespace ocn ON ocn.oid = opc.opcnamespace) AS keys,
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
  AND NOT ic.relispartition
ORDER BY i.indrelid, ic.relname
