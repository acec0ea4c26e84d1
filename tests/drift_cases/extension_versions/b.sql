CREATE EXTENSION citext VERSION '1.6';
CREATE TABLE users (id int, email citext);
