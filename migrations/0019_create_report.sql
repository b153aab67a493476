-- Creates app.d_reports (report definitions, entity type report) and app.d_report_data (runs).

CREATE TABLE app.d_reports (
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
    -- reports columns
    report_type            text     NOT NULL DEFAULT 'table',
    report_category        text,
    data_source_config     jsonb    NOT NULL DEFAULT '{}',
    query_definition       jsonb    NOT NULL DEFAULT '{}',
    visualization_config   jsonb    NOT NULL DEFAULT '{}',
    chart_type             text,
    refresh_frequency      text     NOT NULL DEFAULT 'manual',
    auto_refresh_enabled   boolean  NOT NULL DEFAULT false,
    last_run_ts            timestamptz,
    last_run_duration_ms   integer,
    last_run_row_count     integer,
    last_run_error         text,
    CONSTRAINT d_reports_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_reports_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_reports_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_reports_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_reports_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_reports_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_reports_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_reports_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_reports_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_reports_version_ck CHECK (version >= 1),
    CONSTRAINT d_reports_report_type_ck CHECK (report_type IN ('dashboard', 'chart', 'table', 'summary', 'kpi')),
    CONSTRAINT d_reports_chart_type_ck CHECK (chart_type IN
        ('bar', 'line', 'area', 'pie', 'donut', 'scatter', 'table', 'kpi')),
    CONSTRAINT d_reports_refresh_frequency_ck CHECK (refresh_frequency IN
        ('manual', 'hourly', 'daily', 'weekly', 'monthly')),
    CONSTRAINT d_reports_data_source_config_ck CHECK (jsonb_typeof(data_source_config) = 'object'),
    CONSTRAINT d_reports_query_definition_ck CHECK (jsonb_typeof(query_definition) = 'object'),
    CONSTRAINT d_reports_visualization_config_ck CHECK (jsonb_typeof(visualization_config) = 'object'),
    CONSTRAINT d_reports_last_run_ck CHECK (last_run_duration_ms >= 0 AND last_run_row_count >= 0)
);
COMMENT ON TABLE app.d_reports IS 'Report definitions (entity type report). Runs and their results are d_report_data rows.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_reports_updated_ix ON app.d_reports (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_reports_name_ix ON app.d_reports (tenant_id, lower(name), id);

CREATE TABLE app.d_report_data (
    tenant_id          text         NOT NULL,
    id                 uuid         NOT NULL DEFAULT gen_random_uuid(),
    report_id          uuid         NOT NULL,
    executed_ts        timestamptz  NOT NULL DEFAULT now(),
    executed_by        uuid,
    execution_trigger  text         NOT NULL DEFAULT 'manual',
    run_status         text         NOT NULL DEFAULT 'succeeded',
    report_data        jsonb,
    row_count          integer,
    duration_ms        integer,
    error_message      text,
    created_ts         timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT d_report_data_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_report_data_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_report_data_report_fk FOREIGN KEY (tenant_id, report_id)
        REFERENCES app.d_reports (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT d_report_data_executed_by_fk FOREIGN KEY (tenant_id, executed_by)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_report_data_execution_trigger_ck CHECK (execution_trigger IN ('manual', 'scheduled', 'api', 'event')),
    CONSTRAINT d_report_data_run_status_ck CHECK (run_status IN ('running', 'succeeded', 'failed')),
    CONSTRAINT d_report_data_counts_ck CHECK (row_count >= 0 AND duration_ms >= 0)
);
COMMENT ON TABLE app.d_report_data IS 'Report runs (snapshots of results).';

-- Runs of a report, newest first: WHERE tenant_id = $1 AND report_id = $2 ORDER BY executed_ts DESC, id DESC.
CREATE INDEX d_report_data_report_ix ON app.d_report_data (tenant_id, report_id, executed_ts DESC, id DESC);
