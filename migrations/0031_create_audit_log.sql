-- Creates app.audit_log: append-only record of mutations, logins and permission changes.

CREATE TABLE app.audit_log (
    id                 bigint       GENERATED ALWAYS AS IDENTITY,
    -- NULL for events without a known tenant (e.g. a failed login for an unknown e-mail).
    -- No foreign key: the log outlives what it describes.
    tenant_id          text,
    occurred_ts        timestamptz  NOT NULL DEFAULT now(),
    actor_employee_id  uuid,
    actor_ip           inet,
    actor_user_agent   text,
    action             text         NOT NULL,
    target_type        text,
    target_id          text,
    before             jsonb,
    after              jsonb,
    details            jsonb        NOT NULL DEFAULT '{}',
    request_id         text,
    CONSTRAINT audit_log_pk PRIMARY KEY (id),
    -- e.g. project.create, task.update, auth.login, auth.login_failed, rbac.grant, linkage.delete
    CONSTRAINT audit_log_action_ck CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$' AND char_length(action) <= 100),
    CONSTRAINT audit_log_details_ck CHECK (jsonb_typeof(details) = 'object')
);
COMMENT ON TABLE app.audit_log IS
    'Audit trail; append-only (UPDATE refused; DELETE only inside a transaction that set pmo.allow_purge = on).';

-- Tenant audit view, newest first: WHERE tenant_id = $1 ORDER BY occurred_ts DESC, id DESC.
CREATE INDEX audit_log_tenant_ix ON app.audit_log (tenant_id, occurred_ts DESC);
-- History of one record: WHERE tenant_id = $1 AND target_type = $2 AND target_id = $3 ORDER BY occurred_ts DESC.
CREATE INDEX audit_log_target_ix ON app.audit_log (tenant_id, target_type, target_id, occurred_ts DESC);
-- What did this person do: WHERE tenant_id = $1 AND actor_employee_id = $2 ORDER BY occurred_ts DESC.
CREATE INDEX audit_log_actor_ix ON app.audit_log (tenant_id, actor_employee_id, occurred_ts DESC)
    WHERE actor_employee_id IS NOT NULL;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON app.audit_log
    FOR EACH ROW EXECUTE FUNCTION app.forbid_mutation();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON app.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION app.forbid_mutation();
