-- Creates app.d_inventory (stock level per office x product) and app.d_inventory_movement (append-only ledger).

CREATE TABLE app.d_inventory (
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
    -- inventory columns
    office_id        uuid           NOT NULL,
    product_id       uuid           NOT NULL,
    qty_on_hand      numeric(14,3)  NOT NULL DEFAULT 0,
    reorder_point    numeric(14,3),
    reorder_qty      numeric(14,3),
    bin_location     text,
    last_counted_ts  timestamptz,
    CONSTRAINT d_inventory_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_inventory_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_inventory_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_inventory_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_inventory_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_inventory_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_inventory_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_inventory_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_inventory_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_inventory_version_ck CHECK (version >= 1),
    CONSTRAINT d_inventory_office_fk FOREIGN KEY (tenant_id, office_id)
        REFERENCES app.d_office (tenant_id, id),
    CONSTRAINT d_inventory_product_fk FOREIGN KEY (tenant_id, product_id)
        REFERENCES app.d_product (tenant_id, id),
    CONSTRAINT d_inventory_office_product_uq UNIQUE (tenant_id, office_id, product_id),
    CONSTRAINT d_inventory_qty_on_hand_ck CHECK (qty_on_hand >= 0),
    CONSTRAINT d_inventory_reorder_ck CHECK (reorder_point >= 0 AND reorder_qty > 0)
);
COMMENT ON TABLE app.d_inventory IS 'Stock level of one product at one office. qty_on_hand = sum of its d_inventory_movement quantities.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_inventory_updated_ix ON app.d_inventory (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_inventory_name_ix ON app.d_inventory (tenant_id, lower(name), id);

-- Stock of a product across offices: WHERE tenant_id = $1 AND product_id = $2.
-- (Stock of an office is served by d_inventory_office_product_uq.)
CREATE INDEX d_inventory_product_ix ON app.d_inventory (tenant_id, product_id);
-- Reorder report: WHERE tenant_id = $1 AND qty_on_hand <= reorder_point.
CREATE INDEX d_inventory_reorder_ix ON app.d_inventory (tenant_id, office_id) WHERE qty_on_hand <= reorder_point;

CREATE TABLE app.d_inventory_movement (
    tenant_id          text           NOT NULL,
    id                 uuid           NOT NULL DEFAULT gen_random_uuid(),
    inventory_id       uuid           NOT NULL,
    movement_type      text           NOT NULL,
    quantity           numeric(14,3)  NOT NULL,
    unit_cost          numeric(14,2),
    order_id           uuid,
    shipment_id        uuid,
    transfer_group_id  uuid,
    reason             text,
    performed_by       uuid,
    posted_ts          timestamptz    NOT NULL DEFAULT now(),
    created_ts         timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT d_inventory_movement_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_inventory_movement_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_inventory_movement_inventory_fk FOREIGN KEY (tenant_id, inventory_id)
        REFERENCES app.d_inventory (tenant_id, id),
    CONSTRAINT d_inventory_movement_order_fk FOREIGN KEY (tenant_id, order_id)
        REFERENCES app.d_order (tenant_id, id),
    CONSTRAINT d_inventory_movement_shipment_fk FOREIGN KEY (tenant_id, shipment_id)
        REFERENCES app.d_shipment (tenant_id, id),
    CONSTRAINT d_inventory_movement_performed_by_fk FOREIGN KEY (tenant_id, performed_by)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_inventory_movement_movement_type_ck CHECK (movement_type IN
        ('receipt', 'issue', 'adjustment', 'transfer_out', 'transfer_in', 'return', 'cycle_count')),
    -- Signed quantity: stock in is positive, stock out negative, corrections either way.
    CONSTRAINT d_inventory_movement_quantity_ck CHECK (quantity <> 0 AND CASE
        WHEN movement_type IN ('receipt', 'transfer_in', 'return') THEN quantity > 0
        WHEN movement_type IN ('issue', 'transfer_out') THEN quantity < 0
        ELSE true END),
    CONSTRAINT d_inventory_movement_unit_cost_ck CHECK (unit_cost >= 0)
);
COMMENT ON TABLE app.d_inventory_movement IS
    'Append-only stock ledger. Post a movement and update d_inventory.qty_on_hand in the same transaction.';

-- Ledger of a stock line, newest first: WHERE tenant_id = $1 AND inventory_id = $2 ORDER BY posted_ts DESC, id DESC.
CREATE INDEX d_inventory_movement_inventory_ix ON app.d_inventory_movement (tenant_id, inventory_id, posted_ts DESC, id DESC);
-- Movements caused by a shipment / order: WHERE tenant_id = $1 AND shipment_id = $2 (resp. order_id).
CREATE INDEX d_inventory_movement_shipment_ix ON app.d_inventory_movement (tenant_id, shipment_id) WHERE shipment_id IS NOT NULL;
CREATE INDEX d_inventory_movement_order_ix ON app.d_inventory_movement (tenant_id, order_id) WHERE order_id IS NOT NULL;

CREATE TRIGGER d_inventory_movement_append_only BEFORE UPDATE OR DELETE ON app.d_inventory_movement
    FOR EACH ROW EXECUTE FUNCTION app.forbid_mutation();
CREATE TRIGGER d_inventory_movement_no_truncate BEFORE TRUNCATE ON app.d_inventory_movement
    FOR EACH STATEMENT EXECUTE FUNCTION app.forbid_mutation();
