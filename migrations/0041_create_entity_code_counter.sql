-- Creates app.entity_code_counter (per-tenant, per-type counters for generated codes such as PRJ-0042)
-- and enables pgcrypto (encryption of sensitive employee fields with a key held by the server).

CREATE TABLE app.entity_code_counter (
    tenant_id    text             NOT NULL,
    entity_type  app.entity_type  NOT NULL,
    last_value   bigint           NOT NULL,
    CONSTRAINT entity_code_counter_pk PRIMARY KEY (tenant_id, entity_type),
    CONSTRAINT entity_code_counter_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT entity_code_counter_value_ck CHECK (last_value >= 0)
);
COMMENT ON TABLE app.entity_code_counter IS
    'Last number handed out per tenant and type for generated codes. UPDATE ... RETURNING makes it atomic.';

-- pgcrypto is a trusted extension: the database owner may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA app;
