-- Creates app.d_entity_instance_id: registry of every entity instance (search, pickers, existence checks).

CREATE TABLE app.d_entity_instance_id (
    tenant_id    text             NOT NULL,
    entity_type  app.entity_type  NOT NULL,
    entity_id    uuid             NOT NULL,
    name         text             NOT NULL,
    code         text,
    slug         text,
    active_flag  boolean          NOT NULL DEFAULT true,
    created_ts   timestamptz      NOT NULL DEFAULT now(),
    updated_ts   timestamptz      NOT NULL DEFAULT now(),
    search_tsv   tsvector GENERATED ALWAYS AS
        (to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(code, ''))) STORED,
    CONSTRAINT d_entity_instance_id_pk PRIMARY KEY (tenant_id, entity_type, entity_id),
    CONSTRAINT d_entity_instance_id_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id)
);
COMMENT ON TABLE app.d_entity_instance_id IS
    'One row per entity instance; kept in step with the entity row in the same transaction (name, code, slug, active_flag).';

-- The trigram operator class comes from pg_trgm (installed in app, or already present in public).
SET LOCAL search_path = app, public, pg_catalog;

-- Global search by words: WHERE tenant_id = $1 AND search_tsv @@ websearch_to_tsquery('simple', $2).
CREATE INDEX d_entity_instance_id_search_ix ON app.d_entity_instance_id USING gin (search_tsv);
-- Substring / prefix search in pickers and search: WHERE tenant_id = $1 AND lower(name) LIKE '%' || lower($2) || '%'
-- (escape % and _ in $2). Works for ILIKE too.
CREATE INDEX d_entity_instance_id_name_trgm_ix ON app.d_entity_instance_id USING gin (lower(name) gin_trgm_ops);
-- Picker without a query, by name: WHERE tenant_id = $1 AND entity_type = $2 AND active_flag
-- ORDER BY lower(name), entity_id (keyset).
CREATE INDEX d_entity_instance_id_type_name_ix ON app.d_entity_instance_id (tenant_id, entity_type, lower(name), entity_id);
