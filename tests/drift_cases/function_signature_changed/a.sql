CREATE FUNCTION with_tax(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT $1 * 1.2 $$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE items (
    id integer PRIMARY KEY,
    price numeric NOT NULL,
    floor_price numeric DEFAULT with_tax(1),
    CONSTRAINT items_gross_cap CHECK (with_tax(price) < 1000000)
);
ALTER TABLE items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_priced ON items USING (with_tax(price) > 0);
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW WHEN (with_tax(NEW.price) > 10)
    EXECUTE FUNCTION touch();
CREATE VIEW gross_prices AS SELECT id, with_tax(price) AS gross FROM items;
CREATE VIEW dear_items AS SELECT id FROM gross_prices WHERE gross > 100;
INSERT INTO items VALUES (1, 5);
