-- Creates schema app, the pg_trgm extension and the shared append-only trigger function.

CREATE SCHEMA IF NOT EXISTS app;

-- pg_trgm is a trusted extension: the database owner may create it without superuser. It backs the
-- trigram indexes used for substring/prefix search (ILIKE '%q%'). If the extension already exists in
-- another schema this is a no-op; migrations that use its operator classes put `app, public` on
-- their local search_path so either location works.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA app;

-- Trigger function for append-only tables (audit log, inventory ledger).
-- UPDATE is always refused. DELETE/TRUNCATE are refused unless the transaction explicitly opted in
-- with SELECT set_config('pmo.allow_purge', 'on', true) (retention purges, tenant purge).
CREATE FUNCTION app.forbid_mutation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('pmo.allow_purge', true) = 'on' THEN
        RETURN CASE WHEN TG_LEVEL = 'ROW' THEN OLD ELSE NULL END;
    END IF;
    RAISE EXCEPTION 'app.% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'object_not_in_prerequisite_state';
END
$$;
