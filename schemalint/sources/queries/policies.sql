-- Row-level security policies on the tables of the selected schemas. Parameter: nsp oid[].
SELECT pol.polrelid, pol.polname, pol.polcmd, pol.polpermissive,
       (SELECT array_agg(CASE WHEN r.oid = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.oid) END)
          FROM unnest(pol.polroles) AS r(oid)) AS roles,
       pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
       pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check
FROM pg_catalog.pg_policy pol
JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
WHERE c.relnamespace = ANY (%(nsp)s::oid[])
ORDER BY pol.polrelid, pol.polname
