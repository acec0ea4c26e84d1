CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(19,4) NOT NULL, updated_at timestamptz);
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER accounts_touch BEFORE INSERT OR UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER accounts_balance AFTER UPDATE OF balance ON accounts
    FOR EACH ROW WHEN (OLD.balance IS DISTINCT FROM NEW.balance) EXECUTE FUNCTION touch_updated_at();
ALTER TABLE accounts DISABLE TRIGGER accounts_balance;
