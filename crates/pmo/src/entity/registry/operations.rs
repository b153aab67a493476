//! Operations: products, inventory, and the header/line documents order, shipment and invoice.
//!
//! Header totals are sums of the lines, recomputed by the server (`app.recompute_*_totals`) in the
//! transaction that changes a line, and line amounts are generated columns: both are read-only.

use super::common::{CURRENCY_PATTERN, PAYMENT_TERMS};
use super::{
    DefaultSort, EntityDef, EntityType, FieldDef, LinesDef, NavGroup, RECENTLY_UPDATED,
    SortDirection,
};

/// Units of measure accepted by products (lines copy them from the product).
const UNITS_OF_MEASURE: &[&str] = &[
    "each", "pair", "set", "box", "case", "bag", "bundle", "roll", "sheet", "length", "ft", "m",
    "sqft", "sqm", "lb", "kg", "gal", "l", "hour",
];

const BY_LINE_NO: DefaultSort = DefaultSort {
    field: "line_no",
    direction: SortDirection::Asc,
};

pub(super) static PRODUCT: EntityDef = EntityDef {
    entity_type: EntityType::Product,
    table: "app.d_product",
    label: "Product",
    plural_label: "Products",
    icon: "Package",
    display_order: 100,
    nav_group: NavGroup::Operations,
    // The code is the SKU.
    code_prefix: "SKU",
    // Added (SPEC lists none): stock of the product at each office (the child's product_id).
    children: &[EntityType::Inventory],
    fields: entity_fields![
        FieldDef::integer("product_level", "Level")
            .range(1, 4)
            .filterable(),
        FieldDef::text("department", "Department")
            .filterable()
            .sortable(),
        FieldDef::text("product_class", "Class")
            .filterable()
            .sortable(),
        FieldDef::text("product_subclass", "Subclass")
            .filterable()
            .sortable(),
        FieldDef::enumeration("unit_of_measure", "Unit", UNITS_OF_MEASURE),
        FieldDef::integer("units_per_package", "Units per package").greater_than(0),
        FieldDef::text("package_type", "Package type"),
        FieldDef::money("unit_price", "Unit price").min(0),
        FieldDef::money("unit_cost", "Unit cost").min(0),
        FieldDef::text("currency", "Currency")
            .pattern(CURRENCY_PATTERN)
            .filterable(),
        FieldDef::boolean("taxable_flag", "Taxable"),
        FieldDef::decimal("weight_kg", "Weight (kg)", 3).min(0),
        FieldDef::text("dimensions_cm", "Dimensions (cm)"),
        FieldDef::boolean("featured_flag", "Featured"),
        FieldDef::boolean("seasonal_flag", "Seasonal"),
        FieldDef::boolean("backordered_flag", "Backordered"),
        FieldDef::boolean("discontinued_flag", "Discontinued"),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

/// One product at one office. The quantity on hand moves only through ledger postings
/// (`d_inventory_movement`), so it is read-only here.
pub(super) static INVENTORY: EntityDef = EntityDef {
    entity_type: EntityType::Inventory,
    table: "app.d_inventory",
    label: "Stock item",
    plural_label: "Inventory",
    icon: "Warehouse",
    display_order: 110,
    nav_group: NavGroup::Operations,
    code_prefix: "STK",
    children: &[],
    fields: entity_fields![
        FieldDef::reference("office_id", "Office", EntityType::Office).required(),
        FieldDef::reference("product_id", "Product", EntityType::Product).required(),
        FieldDef::decimal("qty_on_hand", "On hand", 3)
            .min(0)
            .filterable()
            .read_only(),
        FieldDef::decimal("reorder_point", "Reorder point", 3).min(0),
        FieldDef::decimal("reorder_qty", "Reorder quantity", 3).greater_than(0),
        FieldDef::text("bin_location", "Bin"),
        FieldDef::timestamp("last_counted_ts", "Last counted").read_only(),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

static ORDER_LINE_FIELDS: &[FieldDef] = line_fields![
    FieldDef::reference("product_id", "Product", EntityType::Product).required(),
    FieldDef::text("description", "Description").required(),
    FieldDef::decimal("quantity", "Quantity", 3)
        .greater_than(0)
        .required(),
    FieldDef::text("unit_of_measure", "Unit"),
    FieldDef::money("unit_price", "Unit price")
        .min(0)
        .required(),
    FieldDef::money("unit_cost", "Unit cost").min(0),
    FieldDef::decimal("discount_pct", "Discount (%)", 2).range(0, 100),
    FieldDef::decimal("tax_rate", "Tax rate", 5).range(0, 1),
    FieldDef::money("line_discount", "Discount").read_only(),
    FieldDef::money("line_subtotal", "Subtotal").read_only(),
    FieldDef::money("line_tax", "Tax").read_only(),
    FieldDef::money("line_total", "Total").read_only(),
    // Maintained by shipments against the order.
    FieldDef::decimal("quantity_shipped", "Shipped", 3)
        .min(0)
        .read_only(),
];

pub(super) static ORDER: EntityDef = EntityDef {
    entity_type: EntityType::Order,
    table: "app.d_order",
    label: "Order",
    plural_label: "Orders",
    icon: "ShoppingCart",
    display_order: 120,
    nav_group: NavGroup::Operations,
    // The code is the order number.
    code_prefix: "ORD",
    // Both stored as the child's order_id column.
    children: &[EntityType::Invoice, EntityType::Shipment],
    fields: entity_fields![
        FieldDef::reference("client_id", "Client", EntityType::Client).required(),
        FieldDef::reference("project_id", "Project", EntityType::Project),
        FieldDef::reference("office_id", "Office", EntityType::Office),
        FieldDef::reference("worksite_id", "Worksite", EntityType::Worksite),
        FieldDef::reference("sales_rep_employee_id", "Sales rep", EntityType::Employee),
        FieldDef::enumeration(
            "order_type",
            "Type",
            &["quote", "standard", "rush", "backorder", "standing"]
        ),
        FieldDef::enumeration(
            "order_source",
            "Source",
            &["phone", "email", "web", "in_person", "field", "contract"]
        ),
        FieldDef::date("order_date", "Order date"),
        FieldDef::date("requested_delivery_date", "Requested delivery"),
        FieldDef::date("promised_delivery_date", "Promised delivery"),
        FieldDef::enumeration(
            "order_status",
            "Status",
            &[
                "quote",
                "pending",
                "confirmed",
                "processing",
                "shipped",
                "delivered",
                "cancelled",
                "returned"
            ],
        ),
        FieldDef::enumeration("payment_terms", "Payment terms", PAYMENT_TERMS),
        FieldDef::text("po_number", "PO number")
            .filterable()
            .searchable(),
        FieldDef::text("currency", "Currency")
            .pattern(CURRENCY_PATTERN)
            .filterable(),
        FieldDef::money("subtotal", "Subtotal").read_only(),
        FieldDef::money("discount_total", "Discounts")
            .min(0)
            .read_only(),
        FieldDef::money("tax_total", "Tax").min(0).read_only(),
        // The one header amount the caller sets; total = subtotal + tax + shipping.
        FieldDef::money("shipping_total", "Shipping").min(0),
        FieldDef::money("total", "Total").read_only(),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: Some(LinesDef {
        table: "app.d_order_line",
        parent_column: "order_id",
        label: "Order line",
        plural_label: "Order lines",
        fields: ORDER_LINE_FIELDS,
        default_sort: BY_LINE_NO,
    }),
};

static SHIPMENT_LINE_FIELDS: &[FieldDef] = line_fields![
    // The order line shipped, when shipping against an order (lines are not entities).
    FieldDef::uuid("order_line_id", "Order line").filterable(),
    FieldDef::reference("product_id", "Product", EntityType::Product).required(),
    FieldDef::text("description", "Description"),
    FieldDef::decimal("quantity_shipped", "Quantity", 3)
        .greater_than(0)
        .required(),
];

pub(super) static SHIPMENT: EntityDef = EntityDef {
    entity_type: EntityType::Shipment,
    table: "app.d_shipment",
    label: "Shipment",
    plural_label: "Shipments",
    icon: "Truck",
    display_order: 130,
    nav_group: NavGroup::Operations,
    // The code is the shipment number.
    code_prefix: "SHP",
    children: &[],
    fields: entity_fields![
        FieldDef::reference("order_id", "Order", EntityType::Order),
        FieldDef::reference("client_id", "Client", EntityType::Client).required(),
        FieldDef::reference("office_id", "Ships from", EntityType::Office),
        FieldDef::reference("worksite_id", "Worksite", EntityType::Worksite),
        FieldDef::enumeration(
            "shipment_method",
            "Method",
            &["ground", "air", "freight", "courier", "pickup", "direct"],
        ),
        FieldDef::text("carrier", "Carrier").filterable().sortable(),
        FieldDef::text("service_level", "Service level"),
        FieldDef::text("tracking_number", "Tracking number")
            .filterable()
            .searchable(),
        FieldDef::url("tracking_url", "Tracking link"),
        FieldDef::enumeration(
            "shipment_status",
            "Status",
            &[
                "pending",
                "picked",
                "packed",
                "shipped",
                "in_transit",
                "out_for_delivery",
                "delivered",
                "exception",
                "returned",
                "cancelled",
            ],
        ),
        FieldDef::date("ship_date", "Ship date"),
        FieldDef::date("estimated_delivery_date", "Estimated delivery"),
        FieldDef::timestamp("delivered_ts", "Delivered"),
        FieldDef::text("delivery_address_line1", "Delivery address line 1"),
        FieldDef::text("delivery_address_line2", "Delivery address line 2"),
        FieldDef::text("delivery_city", "Delivery city").filterable(),
        FieldDef::text("delivery_province", "Delivery province").filterable(),
        FieldDef::text("delivery_postal_code", "Delivery postal code"),
        FieldDef::text("delivery_country", "Delivery country").filterable(),
        FieldDef::long_text("delivery_instructions", "Delivery instructions"),
        FieldDef::integer("package_count", "Packages").min(0),
        FieldDef::decimal("total_weight_kg", "Weight (kg)", 3).min(0),
        FieldDef::money("freight_cost", "Freight cost").min(0),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: Some(LinesDef {
        table: "app.d_shipment_line",
        parent_column: "shipment_id",
        label: "Shipment line",
        plural_label: "Shipment lines",
        fields: SHIPMENT_LINE_FIELDS,
        default_sort: BY_LINE_NO,
    }),
};

static INVOICE_LINE_FIELDS: &[FieldDef] = line_fields![
    FieldDef::enumeration(
        "line_item_type",
        "Line type",
        &["product", "labor", "service", "expense", "discount"]
    ),
    // Required when the line type is `product` (CHECK), optional otherwise.
    FieldDef::reference("product_id", "Product", EntityType::Product),
    FieldDef::uuid("order_line_id", "Order line").filterable(),
    FieldDef::text("description", "Description").required(),
    FieldDef::decimal("quantity", "Quantity", 3)
        .greater_than(0)
        .required(),
    FieldDef::text("unit_of_measure", "Unit"),
    // Negative only on discount lines (CHECK), so no fixed minimum.
    FieldDef::money("unit_price", "Unit price").required(),
    FieldDef::decimal("discount_pct", "Discount (%)", 2).range(0, 100),
    FieldDef::decimal("tax_rate", "Tax rate", 5).range(0, 1),
    FieldDef::money("line_discount", "Discount").read_only(),
    FieldDef::money("line_subtotal", "Subtotal").read_only(),
    FieldDef::money("line_tax", "Tax").read_only(),
    FieldDef::money("line_total", "Total").read_only(),
];

/// Ageing (days outstanding, bucket) is computed at read time by `app.v_invoice_ageing`.
pub(super) static INVOICE: EntityDef = EntityDef {
    entity_type: EntityType::Invoice,
    table: "app.d_invoice",
    label: "Invoice",
    plural_label: "Invoices",
    icon: "Receipt",
    display_order: 140,
    nav_group: NavGroup::Operations,
    // The code is the invoice number.
    code_prefix: "INV",
    children: &[],
    fields: entity_fields![
        FieldDef::reference("client_id", "Client", EntityType::Client).required(),
        FieldDef::reference("order_id", "Order", EntityType::Order),
        FieldDef::reference("project_id", "Project", EntityType::Project),
        FieldDef::reference("office_id", "Office", EntityType::Office),
        FieldDef::enumeration(
            "invoice_type",
            "Type",
            &["standard", "progress", "final", "credit_memo", "debit_memo"],
        ),
        FieldDef::date("invoice_date", "Invoice date"),
        FieldDef::date("due_date", "Due date").required(),
        FieldDef::date("service_period_start", "Service period start"),
        FieldDef::date("service_period_end", "Service period end"),
        FieldDef::enumeration("payment_terms", "Payment terms", PAYMENT_TERMS),
        FieldDef::text("po_number", "PO number")
            .filterable()
            .searchable(),
        FieldDef::text("currency", "Currency")
            .pattern(CURRENCY_PATTERN)
            .filterable(),
        FieldDef::enumeration(
            "invoice_status",
            "Status",
            &["draft", "sent", "partial", "paid", "void", "written_off"],
        ),
        FieldDef::money("subtotal", "Subtotal").read_only(),
        FieldDef::money("discount_total", "Discounts")
            .min(0)
            .read_only(),
        FieldDef::money("tax_total", "Tax").min(0).read_only(),
        FieldDef::money("total", "Total").read_only(),
        FieldDef::money("amount_paid", "Paid").min(0),
        // Stamped by the server when the status changes (sent, paid, void).
        FieldDef::timestamp("sent_ts", "Sent").read_only(),
        FieldDef::timestamp("paid_ts", "Paid on").read_only(),
        FieldDef::timestamp("voided_ts", "Voided").read_only(),
        FieldDef::text("payment_method", "Payment method"),
        FieldDef::text("payment_reference", "Payment reference"),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: Some(LinesDef {
        table: "app.d_invoice_line",
        parent_column: "invoice_id",
        label: "Invoice line",
        plural_label: "Invoice lines",
        fields: INVOICE_LINE_FIELDS,
        default_sort: BY_LINE_NO,
    }),
};
