CREATE TABLE measurements (id bigint NOT NULL, taken_at date NOT NULL, value numeric);
CREATE INDEX measurements_taken ON measurements (taken_at);
CREATE TABLE stations (id integer PRIMARY KEY);
INSERT INTO measurements VALUES (1, '2024-05-01', 3.5);
