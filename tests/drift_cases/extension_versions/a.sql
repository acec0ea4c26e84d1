CREATE EXTENSION citext VERSION '1.4';
CREATE TABLE users (id int, email citext);
