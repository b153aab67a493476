-- A refresh token's session must be of the token's own tenant: the database says so, not only the
-- code that writes both. (The dev mailbox's link to its outbox message stays a single-column key:
-- it is cleared with ON DELETE SET NULL, which a composite key could only do on PostgreSQL 15+.)
ALTER TABLE app.auth_session ADD CONSTRAINT auth_session_tenant_id_uq UNIQUE (tenant_id, id);

ALTER TABLE app.auth_refresh_token DROP CONSTRAINT auth_refresh_token_session_fk;
ALTER TABLE app.auth_refresh_token
    ADD CONSTRAINT auth_refresh_token_session_fk FOREIGN KEY (tenant_id, family_id)
        REFERENCES app.auth_session (tenant_id, id) ON DELETE CASCADE;
