-- The granted task's lower(name) and lower(code) on each task grant too, beside the updated_ts
-- copy of migration 0058, so that a caller's task grants can also be read in name order and
-- matched against a picker's text without opening a task.
--
-- Without them a picker (`GET /entity/task/options?q=…`) of a caller holding 300 task grants
-- probed all 300 tasks to find the ones whose name or code contains `q` (1.8–3.0 ms of its
-- ~4.9 ms on the benchmark machine), and a name-sorted task list probed them all for each page.
-- With them the walk reads the grantee's grants from the index alone, keeps those whose copies
-- match, sorts them by the name copy and probes only until the page is full.
--
-- Invariant (0058's, widened): every active task grant with an entity_id holds its task's
-- current updated_ts, lower(name) and lower(code) (NULLs when the task does not exist). The same
-- two triggers keep all three, in the same transaction as the change:
--   * a task's updated_ts, name or code changes: its active grants get the new values;
--   * a grant is made, re-targeted or reactivated: it reads its task's values (locking the task
--     row FOR SHARE, so a racing rename waits for the grant or the grant reads the new name).

ALTER TABLE app.d_entity_id_rbac_map
    ADD COLUMN target_name_lower text,
    ADD COLUMN target_code_lower text;
COMMENT ON COLUMN app.d_entity_id_rbac_map.target_name_lower IS
    'Copy of lower(name) of the granted task (task grants only; triggers d_task_grant_sort_key_tg and d_entity_id_rbac_map_sort_key_tg); never written directly.';
COMMENT ON COLUMN app.d_entity_id_rbac_map.target_code_lower IS
    'Copy of lower(code) of the granted task (task grants only; triggers d_task_grant_sort_key_tg and d_entity_id_rbac_map_sort_key_tg); never written directly.';

UPDATE app.d_entity_id_rbac_map g
   SET target_name_lower = lower(t.name), target_code_lower = lower(t.code)
  FROM app.d_task t
 WHERE g.entity_type = 'task' AND g.entity_id = t.id AND g.tenant_id = t.tenant_id
   AND g.active_flag;

-- The same walk index, now carrying the copies a name-ordered walk filters and sorts on, so that
-- it stays index-only: a grantee's task grants number at most ~1,000 where the walk is used
-- (`PARTS_MAX_IDS`), so sorting their name copies in memory beats a third grantee index that
-- every task update would also have to maintain.
DROP INDEX app.d_entity_id_rbac_map_grantee_order_ix;
CREATE INDEX d_entity_id_rbac_map_grantee_order_ix ON app.d_entity_id_rbac_map
    (tenant_id, grantee_type, grantee_id, entity_type, target_updated_ts DESC, entity_id DESC)
    INCLUDE (expires_ts, target_name_lower, target_code_lower)
    WHERE active_flag AND entity_id IS NOT NULL;

CREATE OR REPLACE FUNCTION app.copy_task_sort_key_to_grants() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE app.d_entity_id_rbac_map
       SET target_updated_ts = NEW.updated_ts,
           target_name_lower = lower(NEW.name),
           target_code_lower = lower(NEW.code)
     WHERE tenant_id = NEW.tenant_id AND entity_type = 'task' AND entity_id = NEW.id
       AND active_flag
       AND (target_updated_ts, target_name_lower, target_code_lower)
           IS DISTINCT FROM (NEW.updated_ts, lower(NEW.name), lower(NEW.code));
    RETURN NULL;
END
$$;

DROP TRIGGER d_task_grant_sort_key_tg ON app.d_task;
-- On any update (see 0058), now also when only the name or the code changed.
CREATE TRIGGER d_task_grant_sort_key_tg
    AFTER UPDATE ON app.d_task
    FOR EACH ROW
    WHEN (OLD.updated_ts IS DISTINCT FROM NEW.updated_ts
          OR OLD.name IS DISTINCT FROM NEW.name
          OR OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION app.copy_task_sort_key_to_grants();

CREATE OR REPLACE FUNCTION app.read_grant_task_sort_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.entity_type = 'task' AND NEW.entity_id IS NOT NULL THEN
        SELECT t.updated_ts, lower(t.name), lower(t.code)
          INTO NEW.target_updated_ts, NEW.target_name_lower, NEW.target_code_lower
          FROM app.d_task t
         WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.entity_id
           FOR SHARE;
    ELSE
        NEW.target_updated_ts := NULL;
        NEW.target_name_lower := NULL;
        NEW.target_code_lower := NULL;
    END IF;
    RETURN NEW;
END
$$;
