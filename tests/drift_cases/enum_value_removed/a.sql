CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'meh');
CREATE TABLE people (name text PRIMARY KEY, mood mood NOT NULL DEFAULT 'ok', past mood[]);
CREATE INDEX people_mood ON people (mood);
CREATE VIEW happy_people AS SELECT name FROM people WHERE mood = 'happy';
CREATE FUNCTION is_happy(m mood) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT m = 'happy' $$;
INSERT INTO people VALUES ('ann', 'happy', '{sad,ok}');
