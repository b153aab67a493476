-- Creates the 16 setting_datalabel_* vocabularies (stages, levels, statuses…), all with one shape.
-- Entities store the stable integer key (level_id) in a column named like the suffix, with a
-- composite foreign key, so renaming a label never touches entity rows.


CREATE TABLE app.setting_datalabel_office_level (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_office_level_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_office_level_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_office_level_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_office_level_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_office_level (tenant_id, level_id),
    CONSTRAINT setting_datalabel_office_level_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_office_level_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_office_level_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_office_level_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_business_level (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_business_level_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_business_level_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_business_level_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_business_level_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_business_level (tenant_id, level_id),
    CONSTRAINT setting_datalabel_business_level_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_business_level_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_business_level_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_business_level_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_project_stage (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_project_stage_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_project_stage_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_project_stage_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_project_stage_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_project_stage (tenant_id, level_id),
    CONSTRAINT setting_datalabel_project_stage_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_project_stage_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_project_stage_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_project_stage_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_task_stage (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_task_stage_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_task_stage_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_task_stage_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_task_stage_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_task_stage (tenant_id, level_id),
    CONSTRAINT setting_datalabel_task_stage_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_task_stage_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_task_stage_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_task_stage_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_position_level (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_position_level_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_position_level_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_position_level_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_position_level_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_position_level (tenant_id, level_id),
    CONSTRAINT setting_datalabel_position_level_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_position_level_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_position_level_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_position_level_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_opportunity_funnel_stage (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_opportunity_funnel_stage (tenant_id, level_id),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_opportunity_funnel_stage_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_industry_sector (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_industry_sector_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_industry_sector_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_industry_sector_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_industry_sector_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_industry_sector (tenant_id, level_id),
    CONSTRAINT setting_datalabel_industry_sector_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_industry_sector_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_industry_sector_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_industry_sector_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_acquisition_channel (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_acquisition_channel_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_acquisition_channel_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_acquisition_channel_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_acquisition_channel_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_acquisition_channel (tenant_id, level_id),
    CONSTRAINT setting_datalabel_acquisition_channel_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_acquisition_channel_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_acquisition_channel_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_acquisition_channel_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_customer_tier (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_customer_tier_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_customer_tier_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_customer_tier_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_customer_tier_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_customer_tier (tenant_id, level_id),
    CONSTRAINT setting_datalabel_customer_tier_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_customer_tier_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_customer_tier_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_customer_tier_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_client_level (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_client_level_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_client_level_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_client_level_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_client_level_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_client_level (tenant_id, level_id),
    CONSTRAINT setting_datalabel_client_level_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_client_level_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_client_level_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_client_level_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_client_status (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_client_status_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_client_status_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_client_status_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_client_status_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_client_status (tenant_id, level_id),
    CONSTRAINT setting_datalabel_client_status_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_client_status_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_client_status_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_client_status_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_task_priority (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_task_priority_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_task_priority_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_task_priority_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_task_priority_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_task_priority (tenant_id, level_id),
    CONSTRAINT setting_datalabel_task_priority_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_task_priority_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_task_priority_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_task_priority_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_task_update_type (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_task_update_type_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_task_update_type_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_task_update_type_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_task_update_type_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_task_update_type (tenant_id, level_id),
    CONSTRAINT setting_datalabel_task_update_type_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_task_update_type_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_task_update_type_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_task_update_type_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_wiki_publication_status (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_wiki_publication_status_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_wiki_publication_status_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_wiki_publication_status_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_wiki_publication_status_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_wiki_publication_status (tenant_id, level_id),
    CONSTRAINT setting_datalabel_wiki_publication_status_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_wiki_publication_status_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_wiki_publication_status_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_wiki_publication_status_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_form_approval_status (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_form_approval_status_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_form_approval_status_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_form_approval_status_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_form_approval_status_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_form_approval_status (tenant_id, level_id),
    CONSTRAINT setting_datalabel_form_approval_status_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_form_approval_status_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_form_approval_status_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_form_approval_status_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);

CREATE TABLE app.setting_datalabel_form_submission_status (
    tenant_id     text        NOT NULL,
    level_id      integer     NOT NULL,
    name          text        NOT NULL,
    descr         text,
    sort_order    integer     NOT NULL,
    parent_id     integer,
    color_code    text        NOT NULL,
    terminal_flag boolean     NOT NULL DEFAULT false,
    active_flag   boolean     NOT NULL DEFAULT true,
    created_ts    timestamptz NOT NULL DEFAULT now(),
    updated_ts    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT setting_datalabel_form_submission_status_pk PRIMARY KEY (tenant_id, level_id),
    CONSTRAINT setting_datalabel_form_submission_status_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT setting_datalabel_form_submission_status_name_uq UNIQUE (tenant_id, name),
    CONSTRAINT setting_datalabel_form_submission_status_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES app.setting_datalabel_form_submission_status (tenant_id, level_id),
    CONSTRAINT setting_datalabel_form_submission_status_level_id_ck CHECK (level_id >= 0),
    CONSTRAINT setting_datalabel_form_submission_status_name_ck CHECK (char_length(name) <= 100 AND btrim(name) <> ''),
    CONSTRAINT setting_datalabel_form_submission_status_parent_ck CHECK (parent_id <> level_id),
    CONSTRAINT setting_datalabel_form_submission_status_color_code_ck CHECK (color_code ~ '^#[0-9A-Fa-f]{6}$')
);
