-- Creates app.d_entity_id_rbac_map: permission grants to employees or roles, on a type or one instance.

CREATE TABLE app.d_entity_id_rbac_map (
    tenant_id     text             NOT NULL,
    id            uuid             NOT NULL DEFAULT gen_random_uuid(),
    grantee_type  text             NOT NULL,
    grantee_id    uuid             NOT NULL,
    entity_type   app.entity_type  NOT NULL,
    entity_id     uuid,
    permission    smallint[]       NOT NULL,
    cascade_flag  boolean          NOT NULL DEFAULT false,
    expires_ts    timestamptz,
    granted_by    uuid,
    granted_ts    timestamptz      NOT NULL DEFAULT now(),
    active_flag   boolean          NOT NULL DEFAULT true,
    revoked_ts    timestamptz,
    revoked_by    uuid,
    created_ts    timestamptz      NOT NULL DEFAULT now(),
    updated_ts    timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT d_entity_id_rbac_map_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_entity_id_rbac_map_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_entity_id_rbac_map_grantee_type_ck CHECK (grantee_type IN ('employee', 'role')),
    -- 0 View, 1 Edit, 2 Share, 3 Delete, 4 Create; one-dimensional, non-empty, no NULLs.
    CONSTRAINT d_entity_id_rbac_map_permission_ck CHECK (
        array_ndims(permission) = 1
        AND cardinality(permission) > 0
        AND permission <@ ARRAY[0, 1, 2, 3, 4]::smallint[]
        AND array_position(permission, NULL) IS NULL),
    -- entity_id NULL = every instance of entity_type; only an instance grant can cascade to descendants.
    CONSTRAINT d_entity_id_rbac_map_cascade_ck CHECK (NOT cascade_flag OR entity_id IS NOT NULL),
    CONSTRAINT d_entity_id_rbac_map_revoked_ck CHECK (active_flag OR revoked_ts IS NOT NULL)
);
COMMENT ON TABLE app.d_entity_id_rbac_map IS
    'Grants. Effective permission = union of active, unexpired grants of the employee and of the roles they hold.';

-- All active grants of a grantee (employee, or each role the employee holds):
-- WHERE tenant_id = $1 AND grantee_type = $2 AND grantee_id = ANY($3) AND active_flag [AND entity_type = $4]
-- Covering, so permission checks are index-only.
CREATE INDEX d_entity_id_rbac_map_grantee_ix ON app.d_entity_id_rbac_map
    (tenant_id, grantee_type, grantee_id, entity_type, entity_id)
    INCLUDE (permission, cascade_flag, expires_ts)
    WHERE active_flag;
-- Grants on one instance (sharing dialog, "who can see this"): WHERE tenant_id = $1 AND entity_type = $2
-- AND entity_id = $3 AND active_flag.
CREATE INDEX d_entity_id_rbac_map_instance_ix ON app.d_entity_id_rbac_map
    (tenant_id, entity_type, entity_id)
    WHERE active_flag;
-- No duplicate active grant for the same grantee, target and cascade mode (re-granting = update levels).
CREATE UNIQUE INDEX d_entity_id_rbac_map_active_grant_uq ON app.d_entity_id_rbac_map
    (tenant_id, grantee_type, grantee_id, entity_type,
     coalesce(entity_id, '00000000-0000-0000-0000-000000000000'::uuid), cascade_flag)
    WHERE active_flag;
