CREATE TABLE projects (id bigint PRIMARY KEY, name text NOT NULL);
CREATE FUNCTION projects_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO projects VALUES (NEW.id, NEW.name);
    RETURN NEW;
END;
$$;
CREATE VIEW project_list AS SELECT id, name FROM projects;
CREATE TRIGGER project_list_insert INSTEAD OF INSERT ON project_list FOR EACH ROW EXECUTE FUNCTION projects_write();
CREATE TRIGGER project_list_delete INSTEAD OF DELETE ON project_list FOR EACH ROW EXECUTE FUNCTION projects_write();
CREATE VIEW project_names AS SELECT name FROM projects;
