-- A task belongs to at most one project, and the project is also kept on the task row.
--
-- The project -> task link in d_entity_id_map stays the source of truth (permission cascades and
-- the linkage API work on links). d_task.project_id mirrors the task's one active project link so
-- that "a project's tasks, sorted" is a single range scan of d_task_project_ix instead of walking
-- all tasks in sort order and probing the link table for each (113 ms for a 12k-task project among
-- 1M tasks; see docs/BENCHMARKS.md). A trigger keeps the mirror: every path that writes links (API,
-- seeds, bench generator, manual SQL) goes through it, in the same transaction.

-- Existing data: a task linked under several projects keeps its oldest link; the others are
-- unlinked (soft, like an API unlink), so nothing is lost.
UPDATE app.d_entity_id_map m
   SET active_flag = false, to_ts = now(), updated_ts = now()
 WHERE m.parent_entity_type = 'project' AND m.child_entity_type = 'task' AND m.active_flag
   AND EXISTS (
       SELECT 1 FROM app.d_entity_id_map older
        WHERE older.tenant_id = m.tenant_id
          AND older.parent_entity_type = 'project' AND older.child_entity_type = 'task'
          AND older.child_entity_id = m.child_entity_id AND older.active_flag
          AND (older.created_ts, older.id) < (m.created_ts, m.id));

CREATE UNIQUE INDEX d_entity_id_map_one_project_per_task_uq ON app.d_entity_id_map
    (tenant_id, child_entity_id)
    WHERE parent_entity_type = 'project' AND child_entity_type = 'task' AND active_flag;

ALTER TABLE app.d_task ADD COLUMN project_id uuid;
COMMENT ON COLUMN app.d_task.project_id IS
    'Mirror of the active project -> task link (triggers d_entity_id_map_task_project_*tg); never written directly.';

UPDATE app.d_task t
   SET project_id = m.parent_entity_id
  FROM app.d_entity_id_map m
 WHERE m.tenant_id = t.tenant_id AND m.child_entity_id = t.id
   AND m.parent_entity_type = 'project' AND m.child_entity_type = 'task' AND m.active_flag;

ALTER TABLE app.d_task ADD CONSTRAINT d_task_project_fk
    FOREIGN KEY (tenant_id, project_id) REFERENCES app.d_project (tenant_id, id);

-- A project's tasks (live or deleted) in the default order; other sorts read the same range.
-- WHERE tenant_id = $1 AND project_id = $2 AND active_flag = $3 ORDER BY updated_ts DESC, id DESC
CREATE INDEX d_task_project_ix ON app.d_task
    (tenant_id, project_id, active_flag, updated_ts DESC, id DESC);

CREATE FUNCTION app.sync_task_project() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active_flag THEN
        UPDATE app.d_task SET project_id = NULL
         WHERE tenant_id = OLD.tenant_id AND id = OLD.child_entity_id
           AND project_id = OLD.parent_entity_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.active_flag THEN
        UPDATE app.d_task SET project_id = NEW.parent_entity_id
         WHERE tenant_id = NEW.tenant_id AND id = NEW.child_entity_id
           AND project_id IS DISTINCT FROM NEW.parent_entity_id;
    END IF;
    RETURN NULL;
END
$$;

-- Link rows never change their types or ends (relinking reactivates the same row), so the
-- project -> task test on one side is enough.
CREATE TRIGGER d_entity_id_map_task_project_tg
    AFTER INSERT OR UPDATE ON app.d_entity_id_map
    FOR EACH ROW
    WHEN (NEW.parent_entity_type = 'project' AND NEW.child_entity_type = 'task')
    EXECUTE FUNCTION app.sync_task_project();

CREATE TRIGGER d_entity_id_map_task_project_delete_tg
    AFTER DELETE ON app.d_entity_id_map
    FOR EACH ROW
    WHEN (OLD.parent_entity_type = 'project' AND OLD.child_entity_type = 'task')
    EXECUTE FUNCTION app.sync_task_project();
