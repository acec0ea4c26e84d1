CREATE COLLATION sortable (locale = 'C');
CREATE COLLATION bytewise (lc_collate = 'C', lc_ctype = 'POSIX');
CREATE COLLATION legacy (locale = 'C');
COMMENT ON COLLATION legacy IS 'byte order, whatever the server locale';
CREATE TABLE names (id int, label text COLLATE sortable, code text COLLATE bytewise);
