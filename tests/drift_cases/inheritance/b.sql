CREATE TABLE base (id int, name text);
CREATE TABLE audit (at timestamptz);
CREATE TABLE child (id int, name text, own int) INHERITS (base);
CREATE TABLE child2 (extra int) INHERITS (base);
