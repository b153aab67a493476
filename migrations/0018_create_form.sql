-- Creates app.d_form_head (form definitions) and app.d_form_data (submissions).

CREATE TABLE app.d_form_head (
    tenant_id   text        NOT NULL,
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    code        text        NOT NULL,
    slug        text        NOT NULL,
    name        text        NOT NULL,
    descr       text,
    tags        jsonb       NOT NULL DEFAULT '[]',
    metadata    jsonb       NOT NULL DEFAULT '{}',
    active_flag boolean     NOT NULL DEFAULT true,
    from_ts     timestamptz NOT NULL DEFAULT now(),
    to_ts       timestamptz,
    created_ts  timestamptz NOT NULL DEFAULT now(),
    updated_ts  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid,
    updated_by  uuid,
    version     integer     NOT NULL DEFAULT 1,
    -- form_head columns
    form_type        text     NOT NULL DEFAULT 'multi_step',
    form_schema      jsonb    NOT NULL DEFAULT '{"steps": []}',
    is_public        boolean  NOT NULL DEFAULT false,
    public_token     text,
    public_since_ts  timestamptz,
    CONSTRAINT d_form_head_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_form_head_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_form_head_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_form_head_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_form_head_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_form_head_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_form_head_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_form_head_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_form_head_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_form_head_version_ck CHECK (version >= 1),
    CONSTRAINT d_form_head_form_type_ck CHECK (form_type ~ '^[a-z][a-z0-9_]{0,49}$'),
    CONSTRAINT d_form_head_form_schema_ck CHECK (jsonb_typeof(form_schema) = 'object'),
    CONSTRAINT d_form_head_public_token_ck CHECK (public_token ~ '^[A-Za-z0-9_-]{16,128}$'),
    CONSTRAINT d_form_head_public_ck CHECK (NOT is_public OR public_token IS NOT NULL)
);
COMMENT ON TABLE app.d_form_head IS 'Form definitions (entity type form). A form is reachable anonymously only when is_public and via public_token.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_form_head_updated_ix ON app.d_form_head (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_form_head_name_ix ON app.d_form_head (tenant_id, lower(name), id);

-- Public form page resolves the token without knowing the tenant: WHERE public_token = $1 AND is_public.
-- Random tokens are unique globally (the one kind of uniqueness without tenant_id: a secret lookup key).
CREATE UNIQUE INDEX d_form_head_public_token_uq ON app.d_form_head (public_token) WHERE public_token IS NOT NULL;

CREATE TABLE app.d_form_data (
    tenant_id               text         NOT NULL,
    id                      uuid         NOT NULL DEFAULT gen_random_uuid(),
    form_id                 uuid         NOT NULL,
    form_version            integer      NOT NULL,
    submission_data         jsonb        NOT NULL DEFAULT '{}',
    form_submission_status  integer      NOT NULL DEFAULT 1,
    form_approval_status    integer      NOT NULL DEFAULT 0,
    submitted_by            uuid,
    submitted_ts            timestamptz,
    submission_ip           inet,
    submission_user_agent   text,
    approved_by             uuid,
    approval_notes          text,
    approved_ts             timestamptz,
    created_ts              timestamptz  NOT NULL DEFAULT now(),
    updated_ts              timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT d_form_data_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_form_data_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_form_data_form_fk FOREIGN KEY (tenant_id, form_id)
        REFERENCES app.d_form_head (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT d_form_data_form_submission_status_fk FOREIGN KEY (tenant_id, form_submission_status)
        REFERENCES app.setting_datalabel_form_submission_status (tenant_id, level_id),
    CONSTRAINT d_form_data_form_approval_status_fk FOREIGN KEY (tenant_id, form_approval_status)
        REFERENCES app.setting_datalabel_form_approval_status (tenant_id, level_id),
    -- NULL submitted_by = anonymous submission through a public form.
    CONSTRAINT d_form_data_submitted_by_fk FOREIGN KEY (tenant_id, submitted_by)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_form_data_approved_by_fk FOREIGN KEY (tenant_id, approved_by)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_form_data_form_version_ck CHECK (form_version >= 1),
    CONSTRAINT d_form_data_submission_data_ck CHECK (jsonb_typeof(submission_data) = 'object')
);
COMMENT ON TABLE app.d_form_data IS 'Form submissions. form_version = d_form_head.version at submission time.';

-- Submissions of a form, newest first: WHERE tenant_id = $1 AND form_id = $2 ORDER BY created_ts DESC, id DESC.
CREATE INDEX d_form_data_form_ix ON app.d_form_data (tenant_id, form_id, created_ts DESC, id DESC);
-- Approval queue: WHERE tenant_id = $1 AND form_approval_status = $2 ORDER BY created_ts.
CREATE INDEX d_form_data_approval_ix ON app.d_form_data (tenant_id, form_approval_status, created_ts);
