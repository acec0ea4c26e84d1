CREATE COLLATION sortable (locale = 'C');
CREATE COLLATION legacy (locale = 'POSIX');
CREATE COLLATION leftover (locale = 'C');
CREATE TABLE names (id int, label text COLLATE sortable);
