-- Creates app.d_client: customers (the original's d_cust), with six datalabel keys and no login fields.

CREATE TABLE app.d_client (
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
    -- client columns
    client_number             text,
    client_type               text        NOT NULL DEFAULT 'residential',
    address_line1 text,
    address_line2 text,
    city          text,
    province      text,
    postal_code   text,
    country       text,
    latitude                  numeric(9,6),
    longitude                 numeric(9,6),
    business_legal_name       text,
    business_type             text,
    gst_hst_number            text,
    business_number           text,
    primary_contact_name      text,
    primary_contact_email     text,
    primary_contact_phone     text,
    secondary_contact_name    text,
    secondary_contact_email   text,
    secondary_contact_phone   text,
    opportunity_funnel_stage  integer,
    industry_sector           integer,
    acquisition_channel       integer,
    customer_tier             integer,
    client_level              integer,
    client_status             integer,
    CONSTRAINT d_client_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_client_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_client_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_client_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_client_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_client_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_client_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_client_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_client_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_client_version_ck CHECK (version >= 1),
    CONSTRAINT d_client_client_type_ck CHECK (client_type IN
        ('residential', 'commercial', 'municipal', 'industrial', 'institutional')),
    CONSTRAINT d_client_geo_ck CHECK ((latitude IS NULL) = (longitude IS NULL)
        AND (latitude IS NULL OR latitude BETWEEN -90 AND 90)
        AND (longitude IS NULL OR longitude BETWEEN -180 AND 180)),
    CONSTRAINT d_client_opportunity_funnel_stage_fk FOREIGN KEY (tenant_id, opportunity_funnel_stage)
        REFERENCES app.setting_datalabel_opportunity_funnel_stage (tenant_id, level_id),
    CONSTRAINT d_client_industry_sector_fk FOREIGN KEY (tenant_id, industry_sector)
        REFERENCES app.setting_datalabel_industry_sector (tenant_id, level_id),
    CONSTRAINT d_client_acquisition_channel_fk FOREIGN KEY (tenant_id, acquisition_channel)
        REFERENCES app.setting_datalabel_acquisition_channel (tenant_id, level_id),
    CONSTRAINT d_client_customer_tier_fk FOREIGN KEY (tenant_id, customer_tier)
        REFERENCES app.setting_datalabel_customer_tier (tenant_id, level_id),
    CONSTRAINT d_client_client_level_fk FOREIGN KEY (tenant_id, client_level)
        REFERENCES app.setting_datalabel_client_level (tenant_id, level_id),
    CONSTRAINT d_client_client_status_fk FOREIGN KEY (tenant_id, client_status)
        REFERENCES app.setting_datalabel_client_status (tenant_id, level_id)
);
COMMENT ON TABLE app.d_client IS 'Clients (customers). Not users: no login fields. Six datalabel keys drive funnel, sector, channel, tier, level, status.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_client_updated_ix ON app.d_client (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_client_name_ix ON app.d_client (tenant_id, lower(name), id);

-- Account number is unique per tenant when present: WHERE tenant_id = $1 AND client_number = $2.
CREATE UNIQUE INDEX d_client_client_number_uq ON app.d_client (tenant_id, client_number) WHERE client_number IS NOT NULL;
-- Sales funnel board / list by funnel stage: WHERE tenant_id = $1 AND opportunity_funnel_stage = $2
-- ORDER BY updated_ts DESC, id DESC.
CREATE INDEX d_client_funnel_ix ON app.d_client (tenant_id, opportunity_funnel_stage, updated_ts DESC, id DESC);
