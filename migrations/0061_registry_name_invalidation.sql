-- Every change to a registered record's name tells every server instance, at commit.
--
-- A page of records shows the name of each record its rows reference (`project_id_name`, …),
-- read from this registry. Servers keep those names in memory (`records::reference_names`,
-- cache namespace `ref_name`): asking the database for them cost a second statement per page,
-- ~9 % of a task page's throughput (docs/BENCHMARKS.md). A name may only be kept while it is
-- current, so the registry itself announces renames and removals on the cache's channel,
-- whatever the writer (the record API, artifacts, seeds, `pmo db query`, manual SQL). NOTIFY is
-- transactional: the instances hear of it at commit, never before the new name is visible.
--
-- The payloads are `cache::Invalidation`s. A rename forgets one key, `ref_name/<tenant>/<type>:<id>`.
-- A DELETE statement forgets the names of each tenant it touched, once per statement: removals
-- are purges and whole tenants (`pmo bench generate --force` deletes a million rows), where one
-- notification per row would queue a million. TRUNCATE forgets every tenant's names. Absence is
-- never cached, so a new row needs no notification. A bulk rename in SQL sends one notification
-- per renamed row (the row trigger keeps the per-write upsert free of any trigger cost).

CREATE FUNCTION app.notify_registry_name_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pmo_cache', json_build_object(
        'scope', 'key',
        'key', 'ref_name/' || OLD.tenant_id || '/' || OLD.entity_type || ':' || OLD.entity_id
    )::text);
    RETURN NULL;
END
$$;

-- The WHEN clause keeps the registry's upsert on every record write free of notifications unless
-- the name (or, never in practice, the row's identity) changed.
CREATE TRIGGER d_entity_instance_id_name_change_tg
    AFTER UPDATE ON app.d_entity_instance_id
    FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name
          OR OLD.entity_id IS DISTINCT FROM NEW.entity_id
          OR OLD.entity_type IS DISTINCT FROM NEW.entity_type
          OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
    EXECUTE FUNCTION app.notify_registry_name_change();

CREATE FUNCTION app.notify_registry_removals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('pmo_cache', '{"scope":"namespace","namespace":"ref_name","tenant":null}');
    ELSE
        PERFORM pg_notify('pmo_cache', json_build_object(
            'scope', 'namespace', 'namespace', 'ref_name', 'tenant', removed.tenant_id
        )::text)
          FROM (SELECT DISTINCT tenant_id FROM removed_rows) removed;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER d_entity_instance_id_removal_tg
    AFTER DELETE ON app.d_entity_instance_id
    REFERENCING OLD TABLE AS removed_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION app.notify_registry_removals();

CREATE TRIGGER d_entity_instance_id_truncate_tg
    AFTER TRUNCATE ON app.d_entity_instance_id
    FOR EACH STATEMENT
    EXECUTE FUNCTION app.notify_registry_removals();
