-- Creates the app.entity_type domain: the 18 entity type names used by links, registry and grants.

CREATE DOMAIN app.entity_type AS text
    CONSTRAINT entity_type_ck CHECK (VALUE IN (
        'project', 'task', 'employee', 'client', 'business', 'office', 'role', 'position', 'worksite',
        'artifact', 'wiki', 'form', 'report',
        'product', 'inventory', 'order', 'shipment', 'invoice'
    ));
COMMENT ON DOMAIN app.entity_type IS 'Entity type names; the registry in code uses exactly these strings.';
