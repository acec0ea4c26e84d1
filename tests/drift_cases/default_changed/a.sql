CREATE TABLE jobs (
    id bigint PRIMARY KEY,
    status text DEFAULT 'new',
    attempts integer DEFAULT 0,
    run_at timestamptz,
    priority integer
);
