//! Organisation: business units, offices, worksites and clients.

use super::common::{
    ADDRESS_LINE1, ADDRESS_LINE2, CITY, COUNTRY, LATITUDE, LONGITUDE, POSTAL_CODE, PROVINCE,
    TIME_ZONE,
};
use super::{EntityDef, EntityType, FieldDef, NavGroup, RECENTLY_UPDATED};

pub(super) static BUSINESS: EntityDef = EntityDef {
    entity_type: EntityType::Business,
    table: "app.d_business",
    label: "Business unit",
    plural_label: "Business units",
    icon: "Building2",
    display_order: 10,
    nav_group: NavGroup::Organisation,
    code_prefix: "BIZ",
    children: &[EntityType::Project],
    fields: entity_fields![
        FieldDef::reference("parent_id", "Parent unit", EntityType::Business),
        FieldDef::datalabel("business_level", "Level").required(),
        FieldDef::reference("office_id", "Office", EntityType::Office),
        FieldDef::money("budget_allocated", "Budget").min(0),
        FieldDef::reference("manager_employee_id", "Manager", EntityType::Employee),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

pub(super) static OFFICE: EntityDef = EntityDef {
    entity_type: EntityType::Office,
    table: "app.d_office",
    label: "Office",
    plural_label: "Offices",
    icon: "MapPin",
    display_order: 20,
    nav_group: NavGroup::Organisation,
    code_prefix: "OFC",
    // SPEC: task, artifact, wiki, form, project, employee. Added: business (the original's seed
    // linked them), worksite and inventory (stored as the child's office_id column).
    children: &[
        EntityType::Task,
        EntityType::Artifact,
        EntityType::Wiki,
        EntityType::Form,
        EntityType::Project,
        EntityType::Employee,
        EntityType::Business,
        EntityType::Worksite,
        EntityType::Inventory,
    ],
    fields: entity_fields![
        FieldDef::reference("parent_id", "Parent office", EntityType::Office),
        FieldDef::datalabel("office_level", "Level").required(),
        ADDRESS_LINE1,
        ADDRESS_LINE2,
        CITY,
        PROVINCE,
        POSTAL_CODE,
        COUNTRY,
        FieldDef::phone("phone", "Phone"),
        TIME_ZONE,
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

pub(super) static WORKSITE: EntityDef = EntityDef {
    entity_type: EntityType::Worksite,
    table: "app.d_worksite",
    label: "Worksite",
    plural_label: "Worksites",
    icon: "HardHat",
    display_order: 30,
    nav_group: NavGroup::Organisation,
    code_prefix: "WKS",
    // Added (SPEC lists none): the tasks done at a site and its documents (permits, inspections).
    children: &[EntityType::Task, EntityType::Artifact],
    fields: entity_fields![
        FieldDef::enumeration(
            "worksite_type",
            "Type",
            &[
                "headquarters",
                "branch",
                "service_center",
                "project",
                "storage",
                "seasonal",
                "client_site"
            ],
        ),
        FieldDef::reference("office_id", "Office", EntityType::Office),
        ADDRESS_LINE1,
        ADDRESS_LINE2,
        CITY,
        PROVINCE,
        POSTAL_CODE,
        COUNTRY,
        LATITUDE,
        LONGITUDE,
        TIME_ZONE,
        FieldDef::integer("capacity_workers", "Worker capacity").min(0),
        FieldDef::integer("indoor_space_sqft", "Indoor space (sq ft)").min(0),
        FieldDef::integer("outdoor_space_sqft", "Outdoor space (sq ft)").min(0),
        FieldDef::boolean("equipment_storage", "Equipment storage"),
        FieldDef::boolean("vehicle_parking", "Vehicle parking"),
        FieldDef::boolean("security_required", "Security required"),
        FieldDef::boolean("office_space", "Office space"),
        FieldDef::boolean("washroom_facilities", "Washrooms"),
        FieldDef::boolean("power_available", "Power"),
        FieldDef::boolean("water_available", "Water"),
        FieldDef::integer("safety_rating", "Safety rating")
            .range(1, 5)
            .filterable(),
        FieldDef::date("safety_last_inspection", "Last safety inspection"),
        FieldDef::json("environmental_permits", "Environmental permits"),
        FieldDef::boolean("seasonal_use", "Seasonal use"),
        FieldDef::text("seasonal_period", "Seasonal period"),
        FieldDef::json("emergency_contact", "Emergency contact"),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

pub(super) static CLIENT: EntityDef = EntityDef {
    entity_type: EntityType::Client,
    table: "app.d_client",
    label: "Client",
    plural_label: "Clients",
    // The original used Users for customers and employees alike; a distinct icon tells them apart.
    icon: "Handshake",
    display_order: 40,
    nav_group: NavGroup::Organisation,
    code_prefix: "CLI",
    // SPEC: project, artifact, form. Added: order, invoice and shipment (the child's client_id).
    children: &[
        EntityType::Project,
        EntityType::Artifact,
        EntityType::Form,
        EntityType::Order,
        EntityType::Invoice,
        EntityType::Shipment,
    ],
    fields: entity_fields![
        FieldDef::text("client_number", "Client number")
            .filterable()
            .sortable()
            .searchable(),
        FieldDef::enumeration(
            "client_type",
            "Type",
            &[
                "residential",
                "commercial",
                "municipal",
                "industrial",
                "institutional"
            ],
        ),
        ADDRESS_LINE1,
        ADDRESS_LINE2,
        CITY,
        PROVINCE,
        POSTAL_CODE,
        COUNTRY,
        LATITUDE,
        LONGITUDE,
        FieldDef::text("business_legal_name", "Legal name").searchable(),
        FieldDef::text("business_type", "Business type").filterable(),
        FieldDef::text("gst_hst_number", "GST/HST number"),
        FieldDef::text("business_number", "Business number"),
        FieldDef::text("primary_contact_name", "Primary contact"),
        FieldDef::email("primary_contact_email", "Primary contact e-mail"),
        FieldDef::phone("primary_contact_phone", "Primary contact phone"),
        FieldDef::text("secondary_contact_name", "Secondary contact"),
        FieldDef::email("secondary_contact_email", "Secondary contact e-mail"),
        FieldDef::phone("secondary_contact_phone", "Secondary contact phone"),
        FieldDef::datalabel("opportunity_funnel_stage", "Funnel stage"),
        FieldDef::datalabel("industry_sector", "Industry"),
        FieldDef::datalabel("acquisition_channel", "Acquisition channel"),
        FieldDef::datalabel("customer_tier", "Tier"),
        FieldDef::datalabel("client_level", "Level"),
        FieldDef::datalabel("client_status", "Status"),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: Some("opportunity_funnel_stage"),
    lines: None,
};
