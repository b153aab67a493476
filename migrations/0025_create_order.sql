-- Creates app.d_order (header; code = order number) and app.d_order_line, plus app.recompute_order_totals().

CREATE TABLE app.d_order (
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
    -- order columns
    client_id                uuid           NOT NULL,
    project_id               uuid,
    office_id                uuid,
    worksite_id              uuid,
    sales_rep_employee_id    uuid,
    order_type               text           NOT NULL DEFAULT 'standard',
    order_source             text,
    order_date               date           NOT NULL DEFAULT current_date,
    requested_delivery_date  date,
    promised_delivery_date   date,
    order_status             text           NOT NULL DEFAULT 'pending',
    payment_terms            text           NOT NULL DEFAULT 'net_30',
    po_number                text,
    currency                 text           NOT NULL DEFAULT 'CAD',
    subtotal                 numeric(14,2)  NOT NULL DEFAULT 0,
    discount_total           numeric(14,2)  NOT NULL DEFAULT 0,
    tax_total                numeric(14,2)  NOT NULL DEFAULT 0,
    shipping_total           numeric(14,2)  NOT NULL DEFAULT 0,
    total                    numeric(14,2)  NOT NULL DEFAULT 0,
    CONSTRAINT d_order_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_order_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_order_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_order_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_order_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_order_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_order_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_order_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_order_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_order_version_ck CHECK (version >= 1),
    CONSTRAINT d_order_client_fk FOREIGN KEY (tenant_id, client_id)
        REFERENCES app.d_client (tenant_id, id),
    CONSTRAINT d_order_project_fk FOREIGN KEY (tenant_id, project_id)
        REFERENCES app.d_project (tenant_id, id),
    CONSTRAINT d_order_office_fk FOREIGN KEY (tenant_id, office_id)
        REFERENCES app.d_office (tenant_id, id),
    CONSTRAINT d_order_worksite_fk FOREIGN KEY (tenant_id, worksite_id)
        REFERENCES app.d_worksite (tenant_id, id),
    CONSTRAINT d_order_sales_rep_employee_fk FOREIGN KEY (tenant_id, sales_rep_employee_id)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_order_order_type_ck CHECK (order_type IN ('quote', 'standard', 'rush', 'backorder', 'standing')),
    CONSTRAINT d_order_order_source_ck CHECK (order_source IN
        ('phone', 'email', 'web', 'in_person', 'field', 'contract')),
    CONSTRAINT d_order_delivery_dates_ck CHECK (requested_delivery_date >= order_date
        AND promised_delivery_date >= order_date),
    CONSTRAINT d_order_order_status_ck CHECK (order_status IN
        ('quote', 'pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'returned')),
    CONSTRAINT d_order_payment_terms_ck CHECK (payment_terms IN
        ('due_on_receipt', 'net_15', 'net_30', 'net_45', 'net_60', 'net_90')),
    CONSTRAINT d_order_currency_ck CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT d_order_amounts_ck CHECK (discount_total >= 0 AND tax_total >= 0 AND shipping_total >= 0),
    CONSTRAINT d_order_total_ck CHECK (total = subtotal + tax_total + shipping_total)
);
COMMENT ON TABLE app.d_order IS 'Sales orders (header). code is the order number. Totals = sums of d_order_line, kept by app.recompute_order_totals().';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_order_updated_ix ON app.d_order (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_order_name_ix ON app.d_order (tenant_id, lower(name), id);

-- Orders of a client, newest first: WHERE tenant_id = $1 AND client_id = $2 ORDER BY order_date DESC, id DESC.
CREATE INDEX d_order_client_ix ON app.d_order (tenant_id, client_id, order_date DESC, id DESC);
-- Orders by status (work queues): WHERE tenant_id = $1 AND order_status = $2 ORDER BY updated_ts DESC, id DESC.
CREATE INDEX d_order_status_ix ON app.d_order (tenant_id, order_status, updated_ts DESC, id DESC);
-- Orders of a project: WHERE tenant_id = $1 AND project_id = $2.
CREATE INDEX d_order_project_ix ON app.d_order (tenant_id, project_id) WHERE project_id IS NOT NULL;

CREATE TABLE app.d_order_line (
    tenant_id     text           NOT NULL,
    id            uuid           NOT NULL DEFAULT gen_random_uuid(),
    order_id      uuid           NOT NULL,
    line_no       integer        NOT NULL,
    product_id    uuid           NOT NULL,
    description   text           NOT NULL,
    quantity      numeric(14,3)  NOT NULL,
    unit_of_measure text         NOT NULL DEFAULT 'each',
    unit_price    numeric(14,2)  NOT NULL,
    unit_cost     numeric(14,2),
    discount_pct  numeric(5,2)   NOT NULL DEFAULT 0,
    tax_rate      numeric(6,5)   NOT NULL DEFAULT 0,
    line_discount  numeric(14,2) GENERATED ALWAYS AS (round(quantity * unit_price, 2) - round(quantity * unit_price * (100 - discount_pct) / 100, 2)) STORED,
    line_subtotal  numeric(14,2) GENERATED ALWAYS AS (round(quantity * unit_price * (100 - discount_pct) / 100, 2)) STORED,
    line_tax       numeric(14,2) GENERATED ALWAYS AS (round(round(quantity * unit_price * (100 - discount_pct) / 100, 2) * tax_rate, 2)) STORED,
    line_total     numeric(14,2) GENERATED ALWAYS AS (round(quantity * unit_price * (100 - discount_pct) / 100, 2) + round(round(quantity * unit_price * (100 - discount_pct) / 100, 2) * tax_rate, 2)) STORED,
    quantity_shipped numeric(14,3) NOT NULL DEFAULT 0,
    created_ts    timestamptz    NOT NULL DEFAULT now(),
    updated_ts    timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT d_order_line_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_order_line_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_order_line_order_fk FOREIGN KEY (tenant_id, order_id)
        REFERENCES app.d_order (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT d_order_line_product_fk FOREIGN KEY (tenant_id, product_id)
        REFERENCES app.d_product (tenant_id, id),
    -- Also the index for "lines of an order": WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_no.
    CONSTRAINT d_order_line_line_no_uq UNIQUE (tenant_id, order_id, line_no),
    CONSTRAINT d_order_line_line_no_ck CHECK (line_no >= 1),
    CONSTRAINT d_order_line_description_ck CHECK (btrim(description) <> ''),
    CONSTRAINT d_order_line_quantity_ck CHECK (quantity > 0 AND quantity_shipped >= 0),
    CONSTRAINT d_order_line_prices_ck CHECK (unit_price >= 0 AND unit_cost >= 0),
    CONSTRAINT d_order_line_discount_pct_ck CHECK (discount_pct BETWEEN 0 AND 100),
    CONSTRAINT d_order_line_tax_rate_ck CHECK (tax_rate BETWEEN 0 AND 1)
);
COMMENT ON TABLE app.d_order_line IS 'Order lines. line_* amounts are generated; header totals are their sums.';

-- Which order lines sell a product: WHERE tenant_id = $1 AND product_id = $2 (also serves product purges).
CREATE INDEX d_order_line_product_ix ON app.d_order_line (tenant_id, product_id);

-- Recomputes an order header's totals from its lines. Call in the same transaction as any line change.
-- Does not touch version/updated_ts (the app maintains those).
CREATE FUNCTION app.recompute_order_totals(p_tenant text, p_order_id uuid) RETURNS void
LANGUAGE sql AS $$
    UPDATE app.d_order o
       SET subtotal       = s.subtotal,
           discount_total = s.discount_total,
           tax_total      = s.tax_total,
           total          = s.subtotal + s.tax_total + o.shipping_total
      FROM (SELECT coalesce(sum(l.line_subtotal), 0) AS subtotal,
                   coalesce(sum(l.line_discount), 0) AS discount_total,
                   coalesce(sum(l.line_tax), 0)      AS tax_total
              FROM app.d_order_line l
             WHERE l.tenant_id = p_tenant AND l.order_id = p_order_id) AS s
     WHERE o.tenant_id = p_tenant AND o.id = p_order_id;
$$;
