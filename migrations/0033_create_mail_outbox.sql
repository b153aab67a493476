-- Creates app.mail_outbox: transactional outbox of e-mails, written with the change that causes them.

CREATE TABLE app.mail_outbox (
    id               uuid         NOT NULL DEFAULT gen_random_uuid(),
    tenant_id        text         NOT NULL,
    to_address       text         NOT NULL,
    subject          text         NOT NULL,
    body_text        text         NOT NULL,
    body_html        text,
    template_code    text,
    status           text         NOT NULL DEFAULT 'queued',
    attempts         integer      NOT NULL DEFAULT 0,
    last_error       text,
    next_attempt_ts  timestamptz  NOT NULL DEFAULT now(),
    created_ts       timestamptz  NOT NULL DEFAULT now(),
    sent_ts          timestamptz,
    CONSTRAINT mail_outbox_pk PRIMARY KEY (id),
    CONSTRAINT mail_outbox_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT mail_outbox_status_ck CHECK (status IN ('queued', 'sent', 'failed')),
    CONSTRAINT mail_outbox_attempts_ck CHECK (attempts >= 0),
    CONSTRAINT mail_outbox_to_address_ck CHECK (to_address ~ '^[^@\s]+@[^@\s]+$')
);
COMMENT ON TABLE app.mail_outbox IS 'Outgoing mail. The mailer delivers queued rows (SMTP or the dev mailbox) with retries.';

-- Delivery loop: WHERE status = 'queued' AND next_attempt_ts <= now() ORDER BY next_attempt_ts
-- LIMIT $1 FOR UPDATE SKIP LOCKED.
CREATE INDEX mail_outbox_pending_ix ON app.mail_outbox (next_attempt_ts) WHERE status = 'queued';
-- Admin view of a tenant's mail: WHERE tenant_id = $1 ORDER BY created_ts DESC.
CREATE INDEX mail_outbox_tenant_ix ON app.mail_outbox (tenant_id, created_ts DESC);
