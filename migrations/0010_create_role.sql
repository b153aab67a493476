-- Creates app.d_role: organisational roles; employees hold roles through role->employee links.

CREATE TABLE app.d_role (
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
    -- role columns
    role_code                  text,
    role_category              text     NOT NULL DEFAULT 'operational',
    is_system_role             boolean  NOT NULL DEFAULT false,
    is_management_role         boolean  NOT NULL DEFAULT false,
    is_client_facing           boolean  NOT NULL DEFAULT false,
    is_safety_critical         boolean  NOT NULL DEFAULT false,
    requires_background_check  boolean  NOT NULL DEFAULT false,
    requires_bonding           boolean  NOT NULL DEFAULT false,
    requires_licensing         boolean  NOT NULL DEFAULT false,
    department_scope           text,
    location_scope             text,
    reporting_level            integer,
    required_certifications    jsonb    NOT NULL DEFAULT '[]',
    required_skills            jsonb    NOT NULL DEFAULT '[]',
    required_experience_years  integer,
    education_requirements     text,
    CONSTRAINT d_role_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_role_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_role_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_role_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_role_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_role_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_role_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_role_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_role_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_role_version_ck CHECK (version >= 1),
    CONSTRAINT d_role_role_category_ck CHECK (role_category IN
        ('executive', 'management', 'operational', 'technical', 'administrative')),
    CONSTRAINT d_role_reporting_level_ck CHECK (reporting_level >= 0),
    CONSTRAINT d_role_required_experience_years_ck CHECK (required_experience_years >= 0),
    CONSTRAINT d_role_required_certifications_ck CHECK (jsonb_typeof(required_certifications) = 'array'),
    CONSTRAINT d_role_required_skills_ck CHECK (jsonb_typeof(required_skills) = 'array')
);
COMMENT ON TABLE app.d_role IS 'Roles. Members are role->employee links in d_entity_id_map; grants may target a role (grantee_type = role).';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_role_updated_ix ON app.d_role (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_role_name_ix ON app.d_role (tenant_id, lower(name), id);
