-- Creates app.auth_session (one per sign-in; refresh-token families hang off it) and
-- app.auth_signing_key (per-tenant access-token key ids; the key material is derived, never stored).

CREATE TABLE app.auth_session (
    id                 uuid         NOT NULL DEFAULT gen_random_uuid(),
    tenant_id          text         NOT NULL,
    employee_id        uuid         NOT NULL,
    created_ts         timestamptz  NOT NULL DEFAULT now(),
    last_refreshed_ts  timestamptz  NOT NULL DEFAULT now(),
    -- Absolute end of the session, whatever the refreshes.
    expires_ts         timestamptz  NOT NULL,
    revoked_ts         timestamptz,
    revoked_reason     text,
    user_agent         text,
    ip                 inet,
    CONSTRAINT auth_session_pk PRIMARY KEY (id),
    CONSTRAINT auth_session_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT auth_session_employee_fk FOREIGN KEY (tenant_id, employee_id)
        REFERENCES app.d_employee (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT auth_session_expires_ck CHECK (expires_ts > created_ts),
    CONSTRAINT auth_session_user_agent_ck CHECK (char_length(user_agent) <= 500)
);
COMMENT ON TABLE app.auth_session IS
    'Sign-in sessions. Every request checks its session (by primary key), so logout and reuse detection take effect at once.';

-- Revoke every session of an employee (password change, deactivation):
-- WHERE tenant_id = $1 AND employee_id = $2 AND revoked_ts IS NULL.
CREATE INDEX auth_session_employee_ix ON app.auth_session (tenant_id, employee_id) WHERE revoked_ts IS NULL;

-- A refresh-token family is a session.
ALTER TABLE app.auth_refresh_token
    ADD CONSTRAINT auth_refresh_token_session_fk FOREIGN KEY (family_id) REFERENCES app.auth_session (id) ON DELETE CASCADE;

CREATE TABLE app.auth_signing_key (
    tenant_id   text         NOT NULL,
    kid         text         NOT NULL,
    created_ts  timestamptz  NOT NULL DEFAULT now(),
    -- Retired keys no longer sign but still verify until the tokens they signed expire.
    retired_ts  timestamptz,
    -- Revoked keys no longer verify: every token they signed is refused at once.
    revoked_ts  timestamptz,
    CONSTRAINT auth_signing_key_pk PRIMARY KEY (tenant_id, kid),
    CONSTRAINT auth_signing_key_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT auth_signing_key_kid_ck CHECK (kid ~ '^[a-z0-9]{8,32}$')
);
COMMENT ON TABLE app.auth_signing_key IS
    'Key ids of access-token signing keys per tenant. Key = HMAC(server secret, tenant, kid); rotation adds a row.';

-- The signing key of a tenant: WHERE tenant_id = $1 AND retired_ts IS NULL AND revoked_ts IS NULL ORDER BY created_ts DESC.
CREATE INDEX auth_signing_key_current_ix ON app.auth_signing_key (tenant_id, created_ts DESC)
    WHERE retired_ts IS NULL AND revoked_ts IS NULL;
