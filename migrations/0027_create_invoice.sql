-- Creates app.d_invoice (header; code = invoice number), app.d_invoice_line, app.recompute_invoice_totals()
-- and the app.v_invoice_ageing view (ageing computed at read time, never stored).

CREATE TABLE app.d_invoice (
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
    -- invoice columns
    client_id             uuid           NOT NULL,
    order_id              uuid,
    project_id            uuid,
    office_id             uuid,
    invoice_type          text           NOT NULL DEFAULT 'standard',
    invoice_date          date           NOT NULL DEFAULT current_date,
    due_date              date           NOT NULL,
    service_period_start  date,
    service_period_end    date,
    payment_terms         text           NOT NULL DEFAULT 'net_30',
    po_number             text,
    currency              text           NOT NULL DEFAULT 'CAD',
    invoice_status        text           NOT NULL DEFAULT 'draft',
    subtotal              numeric(14,2)  NOT NULL DEFAULT 0,
    discount_total        numeric(14,2)  NOT NULL DEFAULT 0,
    tax_total             numeric(14,2)  NOT NULL DEFAULT 0,
    total                 numeric(14,2)  NOT NULL DEFAULT 0,
    amount_paid           numeric(14,2)  NOT NULL DEFAULT 0,
    sent_ts               timestamptz,
    paid_ts               timestamptz,
    voided_ts             timestamptz,
    payment_method        text,
    payment_reference     text,
    CONSTRAINT d_invoice_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_invoice_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_invoice_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_invoice_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_invoice_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_invoice_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_invoice_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_invoice_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_invoice_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_invoice_version_ck CHECK (version >= 1),
    CONSTRAINT d_invoice_client_fk FOREIGN KEY (tenant_id, client_id)
        REFERENCES app.d_client (tenant_id, id),
    CONSTRAINT d_invoice_order_fk FOREIGN KEY (tenant_id, order_id)
        REFERENCES app.d_order (tenant_id, id),
    CONSTRAINT d_invoice_project_fk FOREIGN KEY (tenant_id, project_id)
        REFERENCES app.d_project (tenant_id, id),
    CONSTRAINT d_invoice_office_fk FOREIGN KEY (tenant_id, office_id)
        REFERENCES app.d_office (tenant_id, id),
    CONSTRAINT d_invoice_invoice_type_ck CHECK (invoice_type IN
        ('standard', 'progress', 'final', 'credit_memo', 'debit_memo')),
    CONSTRAINT d_invoice_due_date_ck CHECK (due_date >= invoice_date),
    CONSTRAINT d_invoice_service_period_ck CHECK (service_period_end >= service_period_start),
    CONSTRAINT d_invoice_payment_terms_ck CHECK (payment_terms IN
        ('due_on_receipt', 'net_15', 'net_30', 'net_45', 'net_60', 'net_90')),
    CONSTRAINT d_invoice_currency_ck CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT d_invoice_invoice_status_ck CHECK (invoice_status IN
        ('draft', 'sent', 'partial', 'paid', 'void', 'written_off')),
    CONSTRAINT d_invoice_amounts_ck CHECK (discount_total >= 0 AND tax_total >= 0 AND amount_paid >= 0),
    CONSTRAINT d_invoice_total_ck CHECK (total = subtotal + tax_total)
);
COMMENT ON TABLE app.d_invoice IS 'Invoices (header). code is the invoice number. Totals = sums of d_invoice_line. Ageing: app.v_invoice_ageing.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_invoice_updated_ix ON app.d_invoice (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_invoice_name_ix ON app.d_invoice (tenant_id, lower(name), id);

-- Invoices of a client: WHERE tenant_id = $1 AND client_id = $2 ORDER BY invoice_date DESC, id DESC.
CREATE INDEX d_invoice_client_ix ON app.d_invoice (tenant_id, client_id, invoice_date DESC, id DESC);
-- Receivables / ageing: open invoices by due date: WHERE tenant_id = $1 AND invoice_status IN ('sent','partial')
-- ORDER BY due_date.
CREATE INDEX d_invoice_open_ix ON app.d_invoice (tenant_id, due_date) WHERE invoice_status IN ('sent', 'partial');
-- Invoices by status: WHERE tenant_id = $1 AND invoice_status = $2 ORDER BY updated_ts DESC, id DESC.
CREATE INDEX d_invoice_status_ix ON app.d_invoice (tenant_id, invoice_status, updated_ts DESC, id DESC);
-- Invoices of an order: WHERE tenant_id = $1 AND order_id = $2.
CREATE INDEX d_invoice_order_ix ON app.d_invoice (tenant_id, order_id) WHERE order_id IS NOT NULL;

CREATE TABLE app.d_invoice_line (
    tenant_id       text           NOT NULL,
    id              uuid           NOT NULL DEFAULT gen_random_uuid(),
    invoice_id      uuid           NOT NULL,
    line_no         integer        NOT NULL,
    line_item_type  text           NOT NULL DEFAULT 'product',
    product_id      uuid,
    order_line_id   uuid,
    description     text           NOT NULL,
    quantity        numeric(14,3)  NOT NULL,
    unit_of_measure text           NOT NULL DEFAULT 'each',
    unit_price      numeric(14,2)  NOT NULL,
    discount_pct    numeric(5,2)   NOT NULL DEFAULT 0,
    tax_rate        numeric(6,5)   NOT NULL DEFAULT 0,
    line_discount  numeric(14,2) GENERATED ALWAYS AS (round(quantity * unit_price, 2) - round(quantity * unit_price * (100 - discount_pct) / 100, 2)) STORED,
    line_subtotal  numeric(14,2) GENERATED ALWAYS AS (round(quantity * unit_price * (100 - discount_pct) / 100, 2)) STORED,
    line_tax       numeric(14,2) GENERATED ALWAYS AS (round(round(quantity * unit_price * (100 - discount_pct) / 100, 2) * tax_rate, 2)) STORED,
    line_total     numeric(14,2) GENERATED ALWAYS AS (round(quantity * unit_price * (100 - discount_pct) / 100, 2) + round(round(quantity * unit_price * (100 - discount_pct) / 100, 2) * tax_rate, 2)) STORED,
    created_ts      timestamptz    NOT NULL DEFAULT now(),
    updated_ts      timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT d_invoice_line_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_invoice_line_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_invoice_line_invoice_fk FOREIGN KEY (tenant_id, invoice_id)
        REFERENCES app.d_invoice (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT d_invoice_line_product_fk FOREIGN KEY (tenant_id, product_id)
        REFERENCES app.d_product (tenant_id, id),
    CONSTRAINT d_invoice_line_order_line_fk FOREIGN KEY (tenant_id, order_line_id)
        REFERENCES app.d_order_line (tenant_id, id),
    -- Also the index for "lines of an invoice".
    CONSTRAINT d_invoice_line_line_no_uq UNIQUE (tenant_id, invoice_id, line_no),
    CONSTRAINT d_invoice_line_line_no_ck CHECK (line_no >= 1),
    CONSTRAINT d_invoice_line_line_item_type_ck CHECK (line_item_type IN
        ('product', 'labor', 'service', 'expense', 'discount')),
    CONSTRAINT d_invoice_line_product_ck CHECK (line_item_type <> 'product' OR product_id IS NOT NULL),
    CONSTRAINT d_invoice_line_description_ck CHECK (btrim(description) <> ''),
    CONSTRAINT d_invoice_line_quantity_ck CHECK (quantity > 0),
    -- Only discount lines carry a negative unit price.
    CONSTRAINT d_invoice_line_unit_price_ck CHECK (unit_price >= 0 OR line_item_type = 'discount'),
    CONSTRAINT d_invoice_line_discount_pct_ck CHECK (discount_pct BETWEEN 0 AND 100),
    CONSTRAINT d_invoice_line_tax_rate_ck CHECK (tax_rate BETWEEN 0 AND 1)
);
COMMENT ON TABLE app.d_invoice_line IS 'Invoice lines. line_* amounts are generated; header totals are their sums.';

-- Which invoice lines bill a product: WHERE tenant_id = $1 AND product_id = $2.
CREATE INDEX d_invoice_line_product_ix ON app.d_invoice_line (tenant_id, product_id) WHERE product_id IS NOT NULL;

-- Recomputes an invoice header's totals from its lines. Call in the same transaction as any line change.
-- Does not touch amount_paid, invoice_status, version or updated_ts.
CREATE FUNCTION app.recompute_invoice_totals(p_tenant text, p_invoice_id uuid) RETURNS void
LANGUAGE sql AS $$
    UPDATE app.d_invoice i
       SET subtotal       = s.subtotal,
           discount_total = s.discount_total,
           tax_total      = s.tax_total,
           total          = s.subtotal + s.tax_total
      FROM (SELECT coalesce(sum(l.line_subtotal), 0) AS subtotal,
                   coalesce(sum(greatest(l.line_discount, 0)), 0) AS discount_total,
                   coalesce(sum(l.line_tax), 0)      AS tax_total
              FROM app.d_invoice_line l
             WHERE l.tenant_id = p_tenant AND l.invoice_id = p_invoice_id) AS s
     WHERE i.tenant_id = p_tenant AND i.id = p_invoice_id;
$$;

-- Receivables ageing, computed from current_date at read time (never stored).
-- Open = sent or partial with something outstanding. Buckets by days past due.
CREATE VIEW app.v_invoice_ageing AS
SELECT i.tenant_id,
       i.id                                   AS invoice_id,
       i.code                                 AS invoice_number,
       i.client_id,
       i.invoice_status,
       i.invoice_date,
       i.due_date,
       i.currency,
       i.total,
       i.amount_paid,
       i.total - i.amount_paid                AS amount_outstanding,
       o.is_open,
       CASE WHEN o.is_open THEN current_date - i.invoice_date END          AS days_outstanding,
       CASE WHEN o.is_open THEN greatest(current_date - i.due_date, 0) END AS days_past_due,
       CASE
           WHEN NOT o.is_open                   THEN 'closed'
           WHEN current_date <= i.due_date      THEN 'current'
           WHEN current_date - i.due_date <= 30 THEN '1-30'
           WHEN current_date - i.due_date <= 60 THEN '31-60'
           WHEN current_date - i.due_date <= 90 THEN '61-90'
           ELSE '90+'
       END                                    AS ageing_bucket,
       i.active_flag
  FROM app.d_invoice i
  CROSS JOIN LATERAL (SELECT i.invoice_status IN ('sent', 'partial') AND i.total - i.amount_paid > 0 AS is_open) o;
COMMENT ON VIEW app.v_invoice_ageing IS 'Invoice ageing at read time: days_outstanding, days_past_due, ageing_bucket.';
