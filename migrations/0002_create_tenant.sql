-- Creates app.d_tenant: one row per tenant; every tenant-owned table references it.

CREATE TABLE app.d_tenant (
    id          text        NOT NULL,
    name        text        NOT NULL,
    settings    jsonb       NOT NULL DEFAULT '{}',
    active_flag boolean     NOT NULL DEFAULT true,
    created_ts  timestamptz NOT NULL DEFAULT now(),
    updated_ts  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT d_tenant_pk PRIMARY KEY (id),
    CONSTRAINT d_tenant_id_ck CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    CONSTRAINT d_tenant_name_ck CHECK (char_length(name) <= 200 AND btrim(name) <> ''),
    CONSTRAINT d_tenant_settings_ck CHECK (jsonb_typeof(settings) = 'object')
);
COMMENT ON TABLE app.d_tenant IS 'Tenants. id is the slug used in URLs, object keys and logins (e.g. demo).';
