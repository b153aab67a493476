-- Creates app.auth_refresh_token: rotating refresh tokens (only their hashes), grouped in families.

CREATE TABLE app.auth_refresh_token (
    id              uuid         NOT NULL DEFAULT gen_random_uuid(),
    tenant_id       text         NOT NULL,
    employee_id     uuid         NOT NULL,
    family_id       uuid         NOT NULL,
    token_hash      text         NOT NULL,
    issued_ts       timestamptz  NOT NULL DEFAULT now(),
    expires_ts      timestamptz  NOT NULL,
    used_ts         timestamptz,
    revoked_ts      timestamptz,
    revoked_reason  text,
    replaced_by_id  uuid,
    user_agent      text,
    ip              inet,
    CONSTRAINT auth_refresh_token_pk PRIMARY KEY (id),
    CONSTRAINT auth_refresh_token_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT auth_refresh_token_employee_fk FOREIGN KEY (tenant_id, employee_id)
        REFERENCES app.d_employee (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT auth_refresh_token_expires_ck CHECK (expires_ts > issued_ts)
);
COMMENT ON TABLE app.auth_refresh_token IS
    'Refresh tokens. Only a hash is stored. A used token presented again revokes its whole family (reuse detection).';

-- Refresh: WHERE token_hash = $1 (the token carries no tenant). Hashes of random secrets: unique globally.
CREATE UNIQUE INDEX auth_refresh_token_hash_uq ON app.auth_refresh_token (token_hash);
-- Reuse detection / logout: UPDATE ... WHERE family_id = $1 AND revoked_ts IS NULL.
CREATE INDEX auth_refresh_token_family_ix ON app.auth_refresh_token (family_id);
-- Revoke everything of an employee (password change, lock, deactivation): WHERE tenant_id = $1 AND employee_id = $2
-- AND revoked_ts IS NULL.
CREATE INDEX auth_refresh_token_employee_ix ON app.auth_refresh_token (tenant_id, employee_id) WHERE revoked_ts IS NULL;
-- Cleanup job: DELETE ... WHERE expires_ts < now() - interval '...'.
CREATE INDEX auth_refresh_token_expires_ix ON app.auth_refresh_token (expires_ts);
