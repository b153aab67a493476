-- Creates app.d_task_data: the task updates timeline (comments, logged hours, stage changes, attachments).

CREATE TABLE app.d_task_data (
    tenant_id           text          NOT NULL,
    id                  uuid          NOT NULL DEFAULT gen_random_uuid(),
    task_id             uuid          NOT NULL,
    author_employee_id  uuid,
    task_update_type    integer       NOT NULL,
    body_markdown       text,
    hours_logged        numeric(6,2),
    stage_from          integer,
    stage_to            integer,
    artifact_id         uuid,
    metadata            jsonb         NOT NULL DEFAULT '{}',
    active_flag         boolean       NOT NULL DEFAULT true,
    created_ts          timestamptz   NOT NULL DEFAULT now(),
    updated_ts          timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT d_task_data_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_task_data_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_task_data_task_fk FOREIGN KEY (tenant_id, task_id)
        REFERENCES app.d_task (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT d_task_data_author_fk FOREIGN KEY (tenant_id, author_employee_id)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_task_data_task_update_type_fk FOREIGN KEY (tenant_id, task_update_type)
        REFERENCES app.setting_datalabel_task_update_type (tenant_id, level_id),
    CONSTRAINT d_task_data_stage_from_fk FOREIGN KEY (tenant_id, stage_from)
        REFERENCES app.setting_datalabel_task_stage (tenant_id, level_id),
    CONSTRAINT d_task_data_stage_to_fk FOREIGN KEY (tenant_id, stage_to)
        REFERENCES app.setting_datalabel_task_stage (tenant_id, level_id),
    CONSTRAINT d_task_data_artifact_fk FOREIGN KEY (tenant_id, artifact_id)
        REFERENCES app.d_artifact (tenant_id, id),
    CONSTRAINT d_task_data_hours_logged_ck CHECK (hours_logged >= 0),
    CONSTRAINT d_task_data_stage_ck CHECK (stage_from IS NULL OR stage_to IS NOT NULL),
    CONSTRAINT d_task_data_metadata_ck CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE app.d_task_data IS 'Task updates (timeline). body_markdown is rendered and sanitised by the app.';

-- Timeline of a task, newest first: WHERE tenant_id = $1 AND task_id = $2 ORDER BY created_ts DESC, id DESC.
-- Also the index behind the ON DELETE CASCADE from d_task.
CREATE INDEX d_task_data_task_ix ON app.d_task_data (tenant_id, task_id, created_ts DESC, id DESC);
