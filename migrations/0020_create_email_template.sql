-- Creates app.d_email_template: per-tenant e-mail templates, looked up by code.

CREATE TABLE app.d_email_template (
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
    -- email_template columns
    subject          text   NOT NULL,
    preview_text     text,
    body_markdown    text,
    body_html        text,
    body_text        text,
    template_schema  jsonb  NOT NULL DEFAULT '{}',
    variables        jsonb  NOT NULL DEFAULT '[]',
    from_name        text,
    from_email       text,
    reply_to_email   text,
    status           text   NOT NULL DEFAULT 'draft',
    CONSTRAINT d_email_template_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_email_template_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_email_template_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_email_template_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_email_template_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_email_template_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_email_template_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_email_template_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_email_template_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_email_template_version_ck CHECK (version >= 1),
    CONSTRAINT d_email_template_subject_ck CHECK (char_length(subject) <= 500 AND btrim(subject) <> ''),
    CONSTRAINT d_email_template_template_schema_ck CHECK (jsonb_typeof(template_schema) = 'object'),
    CONSTRAINT d_email_template_variables_ck CHECK (jsonb_typeof(variables) = 'array'),
    CONSTRAINT d_email_template_status_ck CHECK (status IN ('draft', 'published', 'archived'))
);
COMMENT ON TABLE app.d_email_template IS 'E-mail templates (transactional and marketing). The mailer looks templates up by (tenant_id, code).';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_email_template_updated_ix ON app.d_email_template (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_email_template_name_ix ON app.d_email_template (tenant_id, lower(name), id);
