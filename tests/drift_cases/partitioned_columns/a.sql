CREATE TABLE sources (id integer PRIMARY KEY);
CREATE TABLE events (
    id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    payload json,
    kind text,
    note text,
    region text NOT NULL DEFAULT 'eu',
    source_id integer,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX events_kind ON events (kind);
CREATE TABLE log_base (id integer NOT NULL, message varchar(20), level smallint);
CREATE TABLE app_log (source text) INHERITS (log_base);
INSERT INTO events VALUES (1, '2024-03-01', '{}', 'click', 'n');
INSERT INTO app_log VALUES (1, 'hi', 1, 'web');
