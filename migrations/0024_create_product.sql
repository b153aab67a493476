-- Creates app.d_product: the product catalogue (code = SKU) with prices.

CREATE TABLE app.d_product (
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
    -- product columns
    product_level      smallint       NOT NULL DEFAULT 4,
    department         text,
    product_class      text,
    product_subclass   text,
    unit_of_measure    text           NOT NULL DEFAULT 'each',
    units_per_package  integer,
    package_type       text,
    unit_price         numeric(14,2)  NOT NULL DEFAULT 0,
    unit_cost          numeric(14,2),
    currency           text           NOT NULL DEFAULT 'CAD',
    taxable_flag       boolean        NOT NULL DEFAULT true,
    weight_kg          numeric(10,3),
    dimensions_cm      text,
    featured_flag      boolean        NOT NULL DEFAULT false,
    seasonal_flag      boolean        NOT NULL DEFAULT false,
    backordered_flag   boolean        NOT NULL DEFAULT false,
    discontinued_flag  boolean        NOT NULL DEFAULT false,
    CONSTRAINT d_product_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_product_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_product_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_product_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_product_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_product_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_product_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_product_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_product_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_product_version_ck CHECK (version >= 1),
    CONSTRAINT d_product_product_level_ck CHECK (product_level BETWEEN 1 AND 4),
    CONSTRAINT d_product_unit_of_measure_ck CHECK (unit_of_measure IN
        ('each', 'pair', 'set', 'box', 'case', 'bag', 'bundle', 'roll', 'sheet', 'length',
         'ft', 'm', 'sqft', 'sqm', 'lb', 'kg', 'gal', 'l', 'hour')),
    CONSTRAINT d_product_units_per_package_ck CHECK (units_per_package > 0),
    CONSTRAINT d_product_prices_ck CHECK (unit_price >= 0 AND unit_cost >= 0),
    CONSTRAINT d_product_currency_ck CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT d_product_weight_kg_ck CHECK (weight_kg >= 0)
);
COMMENT ON TABLE app.d_product IS 'Products. code is the SKU. Hierarchy: department > product_class > product_subclass; product_level 4 = sellable item.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_product_updated_ix ON app.d_product (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_product_name_ix ON app.d_product (tenant_id, lower(name), id);

-- Catalogue browsing by hierarchy: WHERE tenant_id = $1 AND department = $2 [AND product_class = $3 ...].
CREATE INDEX d_product_hierarchy_ix ON app.d_product (tenant_id, department, product_class, product_subclass);
