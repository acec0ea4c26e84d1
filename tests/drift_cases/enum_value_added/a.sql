CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TYPE priority AS ENUM ('low', 'high');
CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL DEFAULT 'new', prio priority);
