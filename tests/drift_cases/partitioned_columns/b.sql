CREATE TABLE sources (id integer PRIMARY KEY);
CREATE TABLE events (
    id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    payload jsonb,
    kind text NOT NULL DEFAULT 'click',
    source text,
    region text,
    source_id integer REFERENCES sources (id),
    PRIMARY KEY (id, created_at),
    CONSTRAINT events_kind_known CHECK (kind <> ''),
    CONSTRAINT events_kind_unique UNIQUE (id, created_at, kind)
) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX events_created ON events (created_at);
CREATE TABLE log_base (id integer NOT NULL, message text, level smallint DEFAULT 1, host text,
    CONSTRAINT log_base_level CHECK (level > 0));
CREATE TABLE app_log (source text) INHERITS (log_base);
