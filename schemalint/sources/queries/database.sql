-- Facts about the server and the database: one row.
SELECT current_setting('server_version_num')::int AS version_num,
       current_setting('server_version') AS server_version,
       pg_catalog.pg_encoding_to_char(d.encoding) AS encoding,
       current_setting('TimeZone') AS timezone,
       d.datname AS database,
       current_setting('transaction_read_only') AS read_only
FROM pg_catalog.pg_database d
WHERE d.datname = pg_catalog.current_database()
