-- User triggers on the tables and views of the selected schemas, those a partition receives from
-- its parent included; not internal ones such as foreign key triggers. Parameter: nsp oid[].
-- tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of.
SELECT t.tgrelid, t.tgname, t.tgtype,
       fn.nspname || '.' || p.proname AS function,
       t.tgnargs, t.tgargs,
       ARRAY(SELECT (SELECT a.attname FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = t.tgrelid AND a.attnum = k.attnum)
                FROM unnest(t.tgattr::int2[]) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord) AS update_columns,
       CASE WHEN t.tgqual IS NOT NULL THEN pg_catalog.pg_get_triggerdef(t.oid, false) END AS definition,
       t.tgconstraint <> 0 AS is_constraint,
       t.tgenabled
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
WHERE c.relnamespace = ANY (%(nsp)s::oid[])
  AND c.relkind IN ('r', 'p', 'f', 'v')
  AND NOT t.tgisinternal
ORDER BY t.tgrelid, t.tgname
