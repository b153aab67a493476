-- Creates app.auth_one_time_token: single-use tokens for password reset and invitations (hashes only).

CREATE TABLE app.auth_one_time_token (
    id           uuid         NOT NULL DEFAULT gen_random_uuid(),
    tenant_id    text         NOT NULL,
    employee_id  uuid         NOT NULL,
    purpose      text         NOT NULL,
    token_hash   text         NOT NULL,
    created_ts   timestamptz  NOT NULL DEFAULT now(),
    created_by   uuid,
    expires_ts   timestamptz  NOT NULL,
    used_ts      timestamptz,
    CONSTRAINT auth_one_time_token_pk PRIMARY KEY (id),
    CONSTRAINT auth_one_time_token_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT auth_one_time_token_employee_fk FOREIGN KEY (tenant_id, employee_id)
        REFERENCES app.d_employee (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT auth_one_time_token_purpose_ck CHECK (purpose IN ('password_reset', 'invitation')),
    CONSTRAINT auth_one_time_token_expires_ck CHECK (expires_ts > created_ts)
);
COMMENT ON TABLE app.auth_one_time_token IS 'Password-reset and invitation tokens. Only a hash is stored; used_ts makes them single-use.';

-- Redeem: WHERE token_hash = $1 AND purpose = $2 AND used_ts IS NULL AND expires_ts > now().
CREATE UNIQUE INDEX auth_one_time_token_hash_uq ON app.auth_one_time_token (token_hash);
-- Invalidate earlier tokens when issuing a new one: WHERE tenant_id = $1 AND employee_id = $2 AND purpose = $3
-- AND used_ts IS NULL.
CREATE INDEX auth_one_time_token_employee_ix ON app.auth_one_time_token (tenant_id, employee_id, purpose)
    WHERE used_ts IS NULL;
-- Cleanup job.
CREATE INDEX auth_one_time_token_expires_ix ON app.auth_one_time_token (expires_ts);
