-- Creates app.d_business: organisational units (corporate -> division -> department).

CREATE TABLE app.d_business (
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
    -- business columns
    parent_id            uuid,
    business_level       integer       NOT NULL,
    office_id            uuid,
    budget_allocated     numeric(14,2),
    manager_employee_id  uuid,
    CONSTRAINT d_business_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_business_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_business_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_business_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_business_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_business_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_business_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_business_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_business_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_business_version_ck CHECK (version >= 1),
    CONSTRAINT d_business_parent_fk FOREIGN KEY (tenant_id, parent_id) REFERENCES app.d_business (tenant_id, id),
    CONSTRAINT d_business_business_level_fk FOREIGN KEY (tenant_id, business_level)
        REFERENCES app.setting_datalabel_business_level (tenant_id, level_id),
    CONSTRAINT d_business_office_fk FOREIGN KEY (tenant_id, office_id)
        REFERENCES app.d_office (tenant_id, id),
    CONSTRAINT d_business_manager_employee_fk FOREIGN KEY (tenant_id, manager_employee_id)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_business_parent_ck CHECK (parent_id <> id),
    CONSTRAINT d_business_budget_allocated_ck CHECK (budget_allocated >= 0)
);
COMMENT ON TABLE app.d_business IS 'Business units in a hierarchy (parent_id) with a level (setting_datalabel_business_level).';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_business_updated_ix ON app.d_business (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_business_name_ix ON app.d_business (tenant_id, lower(name), id);

-- Hierarchy children: WHERE tenant_id = $1 AND parent_id = $2.
CREATE INDEX d_business_parent_ix ON app.d_business (tenant_id, parent_id);
