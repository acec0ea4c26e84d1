CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    display_name varchar(100),
    created_at timestamptz NOT NULL DEFAULT now()
);
