CREATE TYPE order_status AS ENUM ('draft', 'new', 'paid', 'shipped', 'delivered');
CREATE TYPE priority AS ENUM ('low', 'medium', 'high');
CREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL DEFAULT 'new', prio priority);
