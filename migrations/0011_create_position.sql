-- Creates app.d_position: the position chart (parent chain) with levels and pay bands.

CREATE TABLE app.d_position (
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
    -- position columns
    position_level      integer        NOT NULL,
    parent_id           uuid,
    is_management       boolean        NOT NULL DEFAULT false,
    is_executive        boolean        NOT NULL DEFAULT false,
    salary_band_min     numeric(12,2),
    salary_band_max     numeric(12,2),
    bonus_target_pct    numeric(5,2),
    equity_eligible     boolean        NOT NULL DEFAULT false,
    approval_limit      numeric(14,2),
    direct_reports_max  integer,
    remote_eligible     boolean        NOT NULL DEFAULT false,
    CONSTRAINT d_position_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_position_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_position_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_position_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_position_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_position_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_position_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_position_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_position_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_position_version_ck CHECK (version >= 1),
    CONSTRAINT d_position_position_level_fk FOREIGN KEY (tenant_id, position_level)
        REFERENCES app.setting_datalabel_position_level (tenant_id, level_id),
    CONSTRAINT d_position_parent_fk FOREIGN KEY (tenant_id, parent_id) REFERENCES app.d_position (tenant_id, id),
    CONSTRAINT d_position_parent_ck CHECK (parent_id <> id),
    CONSTRAINT d_position_salary_band_ck CHECK (salary_band_min >= 0 AND salary_band_max >= salary_band_min),
    CONSTRAINT d_position_bonus_target_pct_ck CHECK (bonus_target_pct BETWEEN 0 AND 100),
    CONSTRAINT d_position_approval_limit_ck CHECK (approval_limit >= 0),
    CONSTRAINT d_position_direct_reports_max_ck CHECK (direct_reports_max >= 0)
);
COMMENT ON TABLE app.d_position IS 'Positions in a reporting chain (parent_id) with a level (setting_datalabel_position_level).';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_position_updated_ix ON app.d_position (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_position_name_ix ON app.d_position (tenant_id, lower(name), id);

-- Chain children: WHERE tenant_id = $1 AND parent_id = $2.
CREATE INDEX d_position_parent_ix ON app.d_position (tenant_id, parent_id);
