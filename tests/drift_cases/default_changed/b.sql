CREATE TABLE jobs (
    id bigint PRIMARY KEY,
    status text DEFAULT 'queued',
    attempts integer,
    run_at timestamptz DEFAULT now(),
    priority integer DEFAULT 5 NOT NULL
);
