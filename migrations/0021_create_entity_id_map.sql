-- Creates app.d_entity_id_map: parent -> child links between entity instances (polymorphic, no FKs).

CREATE TABLE app.d_entity_id_map (
    tenant_id           text             NOT NULL,
    id                  uuid             NOT NULL DEFAULT gen_random_uuid(),
    parent_entity_type  app.entity_type  NOT NULL,
    parent_entity_id    uuid             NOT NULL,
    child_entity_type   app.entity_type  NOT NULL,
    child_entity_id     uuid             NOT NULL,
    relationship_type   text             NOT NULL DEFAULT 'contains',
    active_flag         boolean          NOT NULL DEFAULT true,
    from_ts             timestamptz      NOT NULL DEFAULT now(),
    to_ts               timestamptz,
    created_ts          timestamptz      NOT NULL DEFAULT now(),
    updated_ts          timestamptz      NOT NULL DEFAULT now(),
    created_by          uuid,
    CONSTRAINT d_entity_id_map_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_entity_id_map_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    -- One row per pair; unlink = active_flag false, relink = reactivate the same row.
    CONSTRAINT d_entity_id_map_pair_uq UNIQUE
        (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id),
    CONSTRAINT d_entity_id_map_self_ck CHECK
        (NOT (parent_entity_type = child_entity_type AND parent_entity_id = child_entity_id)),
    CONSTRAINT d_entity_id_map_relationship_type_ck CHECK (relationship_type ~ '^[a-z][a-z_]{0,49}$')
);
COMMENT ON TABLE app.d_entity_id_map IS
    'Instance links parent -> child. Polymorphic: the app validates both ends (and the allowed type pair) in the same transaction.';

-- Children of a parent (child lists, child-tab counts as index-only scans, cascade resolution):
-- WHERE tenant_id = $1 AND parent_entity_type = $2 AND parent_entity_id = $3 [AND child_entity_type = $4]
--   AND active_flag            <- write the literal predicate so the planner can use this partial index
CREATE INDEX d_entity_id_map_parent_ix ON app.d_entity_id_map
    (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
    WHERE active_flag;
-- Parents of a child (a task's project, an employee's roles, breadcrumbs, upward cascade checks):
-- WHERE tenant_id = $1 AND child_entity_type = $2 AND child_entity_id = $3 [AND parent_entity_type = $4] AND active_flag
CREATE INDEX d_entity_id_map_child_ix ON app.d_entity_id_map
    (tenant_id, child_entity_type, child_entity_id, parent_entity_type)
    WHERE active_flag;
