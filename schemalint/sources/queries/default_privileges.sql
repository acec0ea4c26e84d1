-- ALTER DEFAULT PRIVILEGES of every role, in every schema (schema '') or in a selected one: one
-- row per grant to a role other than the one whose defaults they are, and one with a NULL grantee
-- per entry, so that an entry granting nothing is seen. Parameter: nsp oid[].
SELECT coalesce(n.nspname, ''), d.defaclobjtype, pg_catalog.pg_get_userbyid(d.defaclrole),
       CASE WHEN g.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(g.grantee) END,
       g.privilege_type, g.is_grantable
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL (
  SELECT x.grantee, x.privilege_type, x.is_grantable
  FROM pg_catalog.aclexplode(d.defaclacl) x
  WHERE x.grantee <> d.defaclrole AND x.privilege_type <> 'MAINTAIN'
) g ON true
WHERE d.defaclnamespace = 0 OR d.defaclnamespace = ANY (%(nsp)s::oid[])
ORDER BY 1, 2, 3, 4, 5
