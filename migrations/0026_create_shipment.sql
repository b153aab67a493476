-- Creates app.d_shipment (header; code = shipment number) and app.d_shipment_line.

CREATE TABLE app.d_shipment (
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
    -- shipment columns
    order_id                 uuid,
    client_id                uuid           NOT NULL,
    office_id                uuid,
    worksite_id              uuid,
    shipment_method          text           NOT NULL DEFAULT 'ground',
    carrier                  text,
    service_level            text,
    tracking_number          text,
    tracking_url             text,
    shipment_status          text           NOT NULL DEFAULT 'pending',
    ship_date                date,
    estimated_delivery_date  date,
    delivered_ts             timestamptz,
    delivery_address_line1   text,
    delivery_address_line2   text,
    delivery_city            text,
    delivery_province        text,
    delivery_postal_code     text,
    delivery_country         text,
    delivery_instructions    text,
    package_count            integer,
    total_weight_kg          numeric(10,3),
    freight_cost             numeric(14,2),
    CONSTRAINT d_shipment_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_shipment_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_shipment_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_shipment_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_shipment_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_shipment_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_shipment_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_shipment_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_shipment_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_shipment_version_ck CHECK (version >= 1),
    CONSTRAINT d_shipment_order_fk FOREIGN KEY (tenant_id, order_id)
        REFERENCES app.d_order (tenant_id, id),
    CONSTRAINT d_shipment_client_fk FOREIGN KEY (tenant_id, client_id)
        REFERENCES app.d_client (tenant_id, id),
    CONSTRAINT d_shipment_office_fk FOREIGN KEY (tenant_id, office_id)
        REFERENCES app.d_office (tenant_id, id),
    CONSTRAINT d_shipment_worksite_fk FOREIGN KEY (tenant_id, worksite_id)
        REFERENCES app.d_worksite (tenant_id, id),
    CONSTRAINT d_shipment_shipment_method_ck CHECK (shipment_method IN
        ('ground', 'air', 'freight', 'courier', 'pickup', 'direct')),
    CONSTRAINT d_shipment_shipment_status_ck CHECK (shipment_status IN
        ('pending', 'picked', 'packed', 'shipped', 'in_transit', 'out_for_delivery', 'delivered',
         'exception', 'returned', 'cancelled')),
    CONSTRAINT d_shipment_estimated_delivery_date_ck CHECK (estimated_delivery_date >= ship_date),
    CONSTRAINT d_shipment_amounts_ck CHECK (package_count >= 0 AND total_weight_kg >= 0 AND freight_cost >= 0)
);
COMMENT ON TABLE app.d_shipment IS 'Shipments (header). code is the shipment number. Lines reference order lines when shipped against an order.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_shipment_updated_ix ON app.d_shipment (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_shipment_name_ix ON app.d_shipment (tenant_id, lower(name), id);

-- Shipments of an order: WHERE tenant_id = $1 AND order_id = $2.
CREATE INDEX d_shipment_order_ix ON app.d_shipment (tenant_id, order_id) WHERE order_id IS NOT NULL;
-- Shipments by status (dispatch board): WHERE tenant_id = $1 AND shipment_status = $2 ORDER BY updated_ts DESC, id DESC.
CREATE INDEX d_shipment_status_ix ON app.d_shipment (tenant_id, shipment_status, updated_ts DESC, id DESC);
-- Shipments of a client: WHERE tenant_id = $1 AND client_id = $2.
CREATE INDEX d_shipment_client_ix ON app.d_shipment (tenant_id, client_id);

CREATE TABLE app.d_shipment_line (
    tenant_id         text           NOT NULL,
    id                uuid           NOT NULL DEFAULT gen_random_uuid(),
    shipment_id       uuid           NOT NULL,
    line_no           integer        NOT NULL,
    order_line_id     uuid,
    product_id        uuid           NOT NULL,
    description       text,
    quantity_shipped  numeric(14,3)  NOT NULL,
    created_ts        timestamptz    NOT NULL DEFAULT now(),
    updated_ts        timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT d_shipment_line_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_shipment_line_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_shipment_line_shipment_fk FOREIGN KEY (tenant_id, shipment_id)
        REFERENCES app.d_shipment (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT d_shipment_line_order_line_fk FOREIGN KEY (tenant_id, order_line_id)
        REFERENCES app.d_order_line (tenant_id, id),
    CONSTRAINT d_shipment_line_product_fk FOREIGN KEY (tenant_id, product_id)
        REFERENCES app.d_product (tenant_id, id),
    -- Also the index for "lines of a shipment".
    CONSTRAINT d_shipment_line_line_no_uq UNIQUE (tenant_id, shipment_id, line_no),
    CONSTRAINT d_shipment_line_line_no_ck CHECK (line_no >= 1),
    CONSTRAINT d_shipment_line_quantity_shipped_ck CHECK (quantity_shipped > 0)
);
COMMENT ON TABLE app.d_shipment_line IS 'Shipment lines; order_line_id ties a line to what was ordered.';

-- Shipped quantity per order line: WHERE tenant_id = $1 AND order_line_id = $2.
CREATE INDEX d_shipment_line_order_line_ix ON app.d_shipment_line (tenant_id, order_line_id)
    WHERE order_line_id IS NOT NULL;
