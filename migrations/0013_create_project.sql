-- Creates app.d_project. Parents (business, office, client) are links in d_entity_id_map, not columns.

CREATE TABLE app.d_project (
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
    -- project columns
    project_stage        integer        NOT NULL DEFAULT 0,
    budget_allocated     numeric(14,2),
    budget_spent         numeric(14,2)  NOT NULL DEFAULT 0,
    planned_start_date   date,
    planned_end_date     date,
    actual_start_date    date,
    actual_end_date      date,
    manager_employee_id  uuid,
    sponsor_employee_id  uuid,
    CONSTRAINT d_project_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_project_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_project_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_project_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_project_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_project_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_project_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_project_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_project_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_project_version_ck CHECK (version >= 1),
    CONSTRAINT d_project_project_stage_fk FOREIGN KEY (tenant_id, project_stage)
        REFERENCES app.setting_datalabel_project_stage (tenant_id, level_id),
    CONSTRAINT d_project_manager_employee_fk FOREIGN KEY (tenant_id, manager_employee_id)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_project_sponsor_employee_fk FOREIGN KEY (tenant_id, sponsor_employee_id)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_project_budget_ck CHECK (budget_allocated >= 0 AND budget_spent >= 0),
    CONSTRAINT d_project_planned_dates_ck CHECK (planned_end_date >= planned_start_date),
    CONSTRAINT d_project_actual_dates_ck CHECK (actual_end_date >= actual_start_date)
);
COMMENT ON TABLE app.d_project IS 'Projects. Stage is a key of setting_datalabel_project_stage. Parents are links (business/office/client -> project).';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_project_updated_ix ON app.d_project (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_project_name_ix ON app.d_project (tenant_id, lower(name), id);

-- Projects by stage (kanban column, stage filter): WHERE tenant_id = $1 AND project_stage = $2
-- ORDER BY updated_ts DESC, id DESC (keyset). Also serves the datalabel-in-use check.
CREATE INDEX d_project_stage_ix ON app.d_project (tenant_id, project_stage, updated_ts DESC, id DESC);
-- "Projects I manage": WHERE tenant_id = $1 AND manager_employee_id = $2.
CREATE INDEX d_project_manager_ix ON app.d_project (tenant_id, manager_employee_id);
