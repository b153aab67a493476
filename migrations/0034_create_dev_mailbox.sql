-- Creates app.dev_mailbox: messages delivered to the embedded development mailbox (instead of SMTP).

CREATE TABLE app.dev_mailbox (
    id            uuid         NOT NULL DEFAULT gen_random_uuid(),
    tenant_id     text         NOT NULL,
    outbox_id     uuid,
    to_address    text         NOT NULL,
    from_address  text         NOT NULL,
    subject       text         NOT NULL,
    body_text     text         NOT NULL,
    body_html     text,
    received_ts   timestamptz  NOT NULL DEFAULT now(),
    read_ts       timestamptz,
    CONSTRAINT dev_mailbox_pk PRIMARY KEY (id),
    CONSTRAINT dev_mailbox_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT dev_mailbox_outbox_fk FOREIGN KEY (outbox_id) REFERENCES app.mail_outbox (id) ON DELETE SET NULL,
    -- One delivery per outbox message: the mailer inserts ... ON CONFLICT (outbox_id) DO NOTHING.
    CONSTRAINT dev_mailbox_outbox_uq UNIQUE (outbox_id)
);
COMMENT ON TABLE app.dev_mailbox IS 'Development mailbox (the role MailHog plays); readable by tenant admins.';

-- Mailbox view, newest first: WHERE tenant_id = $1 ORDER BY received_ts DESC, id DESC.
CREATE INDEX dev_mailbox_tenant_ix ON app.dev_mailbox (tenant_id, received_ts DESC, id DESC);
