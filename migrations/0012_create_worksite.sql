-- Creates app.d_worksite: physical work locations (HQ, service centres, yards, project sites).

CREATE TABLE app.d_worksite (
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
    -- worksite columns
    worksite_type           text        NOT NULL DEFAULT 'project',
    office_id               uuid,
    address_line1 text,
    address_line2 text,
    city          text,
    province      text,
    postal_code   text,
    country       text,
    latitude                numeric(9,6),
    longitude               numeric(9,6),
    time_zone               text,
    capacity_workers        integer,
    indoor_space_sqft       integer,
    outdoor_space_sqft      integer,
    equipment_storage       boolean     NOT NULL DEFAULT false,
    vehicle_parking         boolean     NOT NULL DEFAULT false,
    security_required       boolean     NOT NULL DEFAULT false,
    office_space            boolean     NOT NULL DEFAULT false,
    washroom_facilities     boolean     NOT NULL DEFAULT false,
    power_available         boolean     NOT NULL DEFAULT false,
    water_available         boolean     NOT NULL DEFAULT false,
    safety_rating           smallint,
    safety_last_inspection  date,
    environmental_permits   jsonb       NOT NULL DEFAULT '[]',
    seasonal_use            boolean     NOT NULL DEFAULT false,
    seasonal_period         text,
    emergency_contact       jsonb       NOT NULL DEFAULT '{}',
    CONSTRAINT d_worksite_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_worksite_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_worksite_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_worksite_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_worksite_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_worksite_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_worksite_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_worksite_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_worksite_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_worksite_version_ck CHECK (version >= 1),
    CONSTRAINT d_worksite_worksite_type_ck CHECK (worksite_type IN
        ('headquarters', 'branch', 'service_center', 'project', 'storage', 'seasonal', 'client_site')),
    CONSTRAINT d_worksite_office_fk FOREIGN KEY (tenant_id, office_id)
        REFERENCES app.d_office (tenant_id, id),
    CONSTRAINT d_worksite_geo_ck CHECK ((latitude IS NULL) = (longitude IS NULL)
        AND (latitude IS NULL OR latitude BETWEEN -90 AND 90)
        AND (longitude IS NULL OR longitude BETWEEN -180 AND 180)),
    CONSTRAINT d_worksite_capacity_workers_ck CHECK (capacity_workers >= 0),
    CONSTRAINT d_worksite_space_ck CHECK (indoor_space_sqft >= 0 AND outdoor_space_sqft >= 0),
    CONSTRAINT d_worksite_safety_rating_ck CHECK (safety_rating BETWEEN 1 AND 5),
    CONSTRAINT d_worksite_environmental_permits_ck CHECK (jsonb_typeof(environmental_permits) = 'array'),
    CONSTRAINT d_worksite_emergency_contact_ck CHECK (jsonb_typeof(emergency_contact) = 'object')
);
COMMENT ON TABLE app.d_worksite IS 'Work sites: where crews work or store equipment; optionally attached to an office.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_worksite_updated_ix ON app.d_worksite (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_worksite_name_ix ON app.d_worksite (tenant_id, lower(name), id);
