-- Primary key, unique, foreign key, check and exclusion constraints of the tables of the selected
-- schemas, those a partition receives from its parent included. Not included: the internal rows a
-- foreign key to a partitioned table gets for each partition (they sit on the referencing table
-- itself). Exclusion constraints: the operators, in key order (the keys come from the index).
-- Parameter: nsp oid[].
SELECT con.conrelid, con.conname, con.contype,
       ARRAY(SELECT (SELECT a.attname FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = con.conrelid AND a.attnum = k.attnum)
                FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord) AS columns,
       CASE WHEN con.contype = 'f' THEN fn.nspname || '.' || fc.relname END AS ref_table,
       ARRAY(SELECT (SELECT a.attname FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = con.confrelid AND a.attnum = k.attnum)
                FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord) AS ref_columns,
       con.confdeltype, con.confupdtype, con.confmatchtype,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       CASE WHEN con.contype = 'x' THEN
         ARRAY(SELECT o.oprname FROM unnest(con.conexclop) WITH ORDINALITY AS x(op, ord)
                 JOIN pg_catalog.pg_operator o ON o.oid = x.op ORDER BY x.ord)
       END AS exclusion_ops,
       con.condeferrable, con.condeferred, con.convalidated, con.contype = 'c' AND con.connoinherit AS no_inherit,
       coalesce(ix.indnullsnotdistinct, false) AS nulls_not_distinct,
       d.description
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = con.conindid AND con.contype = 'u'
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = con.oid AND d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objsubid = 0
WHERE c.relnamespace = ANY (%(nsp)s::oid[])
  AND c.relkind IN ('r', 'p', 'f')
  AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND NOT (con.conparentid <> 0 AND EXISTS (
    SELECT FROM pg_catalog.pg_constraint parent
    WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid))
ORDER BY con.conrelid, con.conname
