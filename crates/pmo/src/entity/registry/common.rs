//! The columns every entity table shares (SPEC §3), defined once and placed around each type's
//! own fields by `entity_fields!`; `id`, `created_ts` and `updated_ts` also serve the line tables.

use super::{EntityType, FieldDef, Generated};

/// `slug` CHECK: lower-case letters, digits and dashes, at most 200 characters.
pub const SLUG_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,199}$";
/// ISO 4217 currency code CHECK of products, orders and invoices.
pub const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

pub const ID: FieldDef = FieldDef::uuid("id", "ID").read_only();
pub const CODE: FieldDef = FieldDef::text("code", "Code")
    .max_length(100)
    .generated(Generated::Code)
    .filterable()
    .sortable()
    .searchable();
pub const SLUG: FieldDef = FieldDef::text("slug", "Slug")
    .max_length(200)
    .pattern(SLUG_PATTERN)
    .generated(Generated::SlugFromName)
    .filterable();
pub const NAME: FieldDef = FieldDef::text("name", "Name")
    .required()
    .max_length(500)
    .sortable()
    .searchable();
pub const DESCR: FieldDef = FieldDef::long_text("descr", "Description");
pub const TAGS: FieldDef = FieldDef::tags("tags", "Tags");
pub const METADATA: FieldDef = FieldDef::json("metadata", "Metadata");
/// Changed by delete and restore, never by an update.
pub const ACTIVE_FLAG: FieldDef = FieldDef::boolean("active_flag", "Active").read_only();
pub const FROM_TS: FieldDef = FieldDef::timestamp("from_ts", "Valid from");
/// Set by delete, cleared by restore.
pub const TO_TS: FieldDef = FieldDef::timestamp("to_ts", "Valid to").read_only();
pub const CREATED_TS: FieldDef = FieldDef::timestamp("created_ts", "Created").read_only();
pub const UPDATED_TS: FieldDef = FieldDef::timestamp("updated_ts", "Updated").read_only();
pub const CREATED_BY: FieldDef =
    FieldDef::reference("created_by", "Created by", EntityType::Employee).read_only();
pub const UPDATED_BY: FieldDef =
    FieldDef::reference("updated_by", "Updated by", EntityType::Employee).read_only();
pub const VERSION: FieldDef = FieldDef::integer("version", "Version")
    .min(1)
    .read_only()
    .not_sortable();

/// Every entity's shared fields, in table column order (`tenant_id` is never exposed).
pub const FIELDS: [FieldDef; 15] = [
    ID,
    CODE,
    SLUG,
    NAME,
    DESCR,
    TAGS,
    METADATA,
    ACTIVE_FLAG,
    FROM_TS,
    TO_TS,
    CREATED_TS,
    UPDATED_TS,
    CREATED_BY,
    UPDATED_BY,
    VERSION,
];

/// A line's position in its header, from 1.
pub const LINE_NO: FieldDef = FieldDef::integer("line_no", "Line")
    .min(1)
    .generated(Generated::LineNumber)
    .filterable();

/// Postal address columns shared by employees, clients, offices and worksites.
pub const ADDRESS_LINE1: FieldDef = FieldDef::text("address_line1", "Address line 1");
pub const ADDRESS_LINE2: FieldDef = FieldDef::text("address_line2", "Address line 2");
pub const CITY: FieldDef = FieldDef::text("city", "City").filterable().sortable();
pub const PROVINCE: FieldDef = FieldDef::text("province", "Province")
    .filterable()
    .sortable();
pub const POSTAL_CODE: FieldDef = FieldDef::text("postal_code", "Postal code");
pub const COUNTRY: FieldDef = FieldDef::text("country", "Country").filterable().sortable();

/// Geographic position (both or neither, CHECK-ed together).
pub const LATITUDE: FieldDef = FieldDef::decimal("latitude", "Latitude", 6).range(-90, 90);
pub const LONGITUDE: FieldDef = FieldDef::decimal("longitude", "Longitude", 6).range(-180, 180);

pub const TIME_ZONE: FieldDef = FieldDef::text("time_zone", "Time zone");

/// Values of `visibility` on artifacts and wiki pages.
pub const VISIBILITY: &[&str] = &["public", "internal", "restricted", "private"];
/// Values of `payment_terms` on orders and invoices.
pub const PAYMENT_TERMS: &[&str] = &[
    "due_on_receipt",
    "net_15",
    "net_30",
    "net_45",
    "net_60",
    "net_90",
];
