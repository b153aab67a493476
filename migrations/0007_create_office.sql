-- Creates app.d_office: the physical office hierarchy (office -> district -> region -> corporate).

CREATE TABLE app.d_office (
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
    -- office columns
    parent_id     uuid,
    office_level  integer     NOT NULL,
    address_line1 text,
    address_line2 text,
    city          text,
    province      text,
    postal_code   text,
    country       text,
    phone         text,
    time_zone     text,
    CONSTRAINT d_office_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_office_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_office_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_office_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_office_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_office_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_office_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_office_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_office_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_office_version_ck CHECK (version >= 1),
    CONSTRAINT d_office_parent_fk FOREIGN KEY (tenant_id, parent_id) REFERENCES app.d_office (tenant_id, id),
    CONSTRAINT d_office_office_level_fk FOREIGN KEY (tenant_id, office_level)
        REFERENCES app.setting_datalabel_office_level (tenant_id, level_id),
    CONSTRAINT d_office_parent_ck CHECK (parent_id <> id)
);
COMMENT ON TABLE app.d_office IS 'Physical offices in a hierarchy (parent_id) with a level (setting_datalabel_office_level).';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_office_updated_ix ON app.d_office (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_office_name_ix ON app.d_office (tenant_id, lower(name), id);

-- Hierarchy children: WHERE tenant_id = $1 AND parent_id = $2.
CREATE INDEX d_office_parent_ix ON app.d_office (tenant_id, parent_id);
