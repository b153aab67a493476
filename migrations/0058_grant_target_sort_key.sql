-- A copy of the granted task's updated_ts on each task grant, so that "every task I may see,
-- newest first" reads the caller's task grants in that order and stops when the page is full.
--
-- Without it the page needs every granted task's sort key: a caller holding 300 task grants
-- probed all 300 tasks for every page of 50 (`permissions::push_parts_source`). With it, one
-- index range per grantee (the caller, each role) walks the grants newest first and probes a
-- task only while the page still needs rows: 52 grant rows and 52 probes for the benchmark's
-- user, and 1.5–1.8x the statements per second (docs/BENCHMARKS.md).
--
-- Invariant: every active task grant with an entity_id holds its task's current updated_ts
-- (NULL when the task does not exist). Two triggers keep it, in the same transaction as the
-- change, whatever the path (API, seeds, bench generator, manual SQL):
--   * a task's updated_ts changes: its active grants get the new value;
--   * a grant is made, re-targeted or reactivated: it reads its task's value.
-- A grant and a task update racing each other cannot leave a stale copy: the grant side locks
-- the task row (FOR SHARE), so either the update waits for the grant to commit and then its own
-- trigger sees the grant, or the grant waits for the update and reads the new value.

ALTER TABLE app.d_entity_id_rbac_map ADD COLUMN target_updated_ts timestamptz;
COMMENT ON COLUMN app.d_entity_id_rbac_map.target_updated_ts IS
    'Copy of the granted task''s updated_ts (task grants only; triggers d_task_grant_sort_key_tg and d_entity_id_rbac_map_sort_key_tg); never written directly.';

UPDATE app.d_entity_id_rbac_map g
   SET target_updated_ts = t.updated_ts
  FROM app.d_task t
 WHERE g.entity_type = 'task' AND g.entity_id = t.id AND g.tenant_id = t.tenant_id
   AND g.active_flag;

-- A grantee's task grants, newest task first (either direction, scanned backward for ASC):
-- WHERE tenant_id = $1 AND grantee_type = $2 AND grantee_id = $3 AND entity_type = 'task'
--   AND entity_id IS NOT NULL AND active_flag ORDER BY target_updated_ts DESC, entity_id DESC
-- Only task grants fill target_updated_ts, but the index holds every instance grant: other types'
-- rows sort as NULLs in their own (grantee, type) ranges and cost nothing to the task ranges.
CREATE INDEX d_entity_id_rbac_map_grantee_order_ix ON app.d_entity_id_rbac_map
    (tenant_id, grantee_type, grantee_id, entity_type, target_updated_ts DESC, entity_id DESC)
    INCLUDE (expires_ts)
    WHERE active_flag AND entity_id IS NOT NULL;

CREATE FUNCTION app.copy_task_sort_key_to_grants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE app.d_entity_id_rbac_map
       SET target_updated_ts = NEW.updated_ts
     WHERE tenant_id = NEW.tenant_id AND entity_type = 'task' AND entity_id = NEW.id
       AND active_flag AND target_updated_ts IS DISTINCT FROM NEW.updated_ts;
    RETURN NULL;
END
$$;

-- On any update, not `UPDATE OF updated_ts`: a column list only sees the statement's SET list, and
-- would miss an updated_ts that a BEFORE trigger changed. WHEN compares the row as written.
CREATE TRIGGER d_task_grant_sort_key_tg
    AFTER UPDATE ON app.d_task
    FOR EACH ROW
    WHEN (OLD.updated_ts IS DISTINCT FROM NEW.updated_ts)
    EXECUTE FUNCTION app.copy_task_sort_key_to_grants();

CREATE FUNCTION app.read_grant_task_sort_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.entity_type = 'task' AND NEW.entity_id IS NOT NULL THEN
        SELECT t.updated_ts INTO NEW.target_updated_ts FROM app.d_task t
         WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.entity_id
           FOR SHARE;
    ELSE
        NEW.target_updated_ts := NULL;
    END IF;
    RETURN NEW;
END
$$;

-- The task trigger only ever sets target_updated_ts, which this one does not watch.
CREATE TRIGGER d_entity_id_rbac_map_sort_key_tg
    BEFORE INSERT OR UPDATE OF entity_type, entity_id, active_flag
    ON app.d_entity_id_rbac_map
    FOR EACH ROW
    EXECUTE FUNCTION app.read_grant_task_sort_key();
