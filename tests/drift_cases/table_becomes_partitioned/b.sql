CREATE TABLE measurements (id bigint NOT NULL, taken_at date NOT NULL, value numeric)
    PARTITION BY RANGE (taken_at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX measurements_taken ON measurements (taken_at);
CREATE TABLE stations (id integer PRIMARY KEY, name text);
