-- Creates app.d_task. The project and the assignees are links (project->task, task->employee).

CREATE TABLE app.d_task (
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
    -- task columns
    task_stage       integer       NOT NULL DEFAULT 0,
    task_priority    integer       NOT NULL DEFAULT 1,
    estimated_hours  numeric(8,2),
    actual_hours     numeric(8,2)  NOT NULL DEFAULT 0,
    story_points     integer,
    due_date         date,
    CONSTRAINT d_task_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_task_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_task_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_task_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_task_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_task_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_task_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_task_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_task_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_task_version_ck CHECK (version >= 1),
    CONSTRAINT d_task_task_stage_fk FOREIGN KEY (tenant_id, task_stage)
        REFERENCES app.setting_datalabel_task_stage (tenant_id, level_id),
    CONSTRAINT d_task_task_priority_fk FOREIGN KEY (tenant_id, task_priority)
        REFERENCES app.setting_datalabel_task_priority (tenant_id, level_id),
    CONSTRAINT d_task_hours_ck CHECK (estimated_hours >= 0 AND actual_hours >= 0),
    CONSTRAINT d_task_story_points_ck CHECK (story_points >= 0)
);
COMMENT ON TABLE app.d_task IS 'Tasks. Stage/priority are datalabel keys. Project = project->task link; assignees = task->employee links.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_task_updated_ix ON app.d_task (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_task_name_ix ON app.d_task (tenant_id, lower(name), id);

-- Tasks by stage across the tenant (kanban column, stage filter): WHERE tenant_id = $1 AND task_stage = $2
-- ORDER BY updated_ts DESC, id DESC. Also serves the datalabel-in-use check for task_stage.
CREATE INDEX d_task_stage_ix ON app.d_task (tenant_id, task_stage, updated_ts DESC, id DESC);
-- Tasks of a project are found through d_entity_id_map (project -> task) and fetched by primary key.
