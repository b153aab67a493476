//! Content: artifacts (files), wiki pages, forms and reports.

use super::common::VISIBILITY;
use super::{EntityDef, EntityType, FieldDef, NavGroup, RECENTLY_UPDATED};

/// The upload flow sets the file facts, the owner and the version chain; `storage_key` stays
/// inside the server (downloads go through presigned URLs).
pub(super) static ARTIFACT: EntityDef = EntityDef {
    entity_type: EntityType::Artifact,
    table: "app.d_artifact",
    label: "Artifact",
    plural_label: "Artifacts",
    icon: "Paperclip",
    display_order: 160,
    nav_group: NavGroup::Content,
    code_prefix: "ART",
    children: &[],
    fields: entity_fields![
        FieldDef::enumeration(
            "artifact_type",
            "Type",
            &[
                "document",
                "template",
                "image",
                "video",
                "spreadsheet",
                "presentation",
                "archive",
                "other"
            ],
        ),
        FieldDef::text("file_name", "File name")
            .required()
            .max_length(255)
            .sortable()
            .searchable(),
        FieldDef::text("file_format", "Format")
            .pattern("^[a-z0-9]{1,16}$")
            .filterable(),
        FieldDef::text("content_type", "Content type").filterable(),
        FieldDef::integer("file_size_bytes", "Size (bytes)")
            .min(0)
            .read_only(),
        FieldDef::text("sha256", "SHA-256")
            .pattern("^[0-9a-f]{64}$")
            .read_only(),
        FieldDef::enumeration(
            "upload_status",
            "Upload status",
            &["pending", "available", "failed"]
        )
        .read_only(),
        FieldDef::timestamp("uploaded_ts", "Uploaded").read_only(),
        FieldDef::enumeration("entity_type", "Owner type", &EntityType::NAMES).read_only(),
        FieldDef::uuid("entity_id", "Owner")
            .filterable()
            .read_only(),
        FieldDef::enumeration("visibility", "Visibility", VISIBILITY),
        FieldDef::enumeration(
            "security_classification",
            "Classification",
            &["general", "confidential", "restricted"]
        ),
        FieldDef::reference("root_artifact_id", "First version", EntityType::Artifact).read_only(),
        FieldDef::integer("file_version", "File version")
            .min(1)
            .read_only(),
        FieldDef::boolean("is_latest_version", "Latest version").read_only(),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

/// Page content lives in `d_wiki_data` revisions, served by the wiki routes, not by the registry.
pub(super) static WIKI: EntityDef = EntityDef {
    entity_type: EntityType::Wiki,
    table: "app.d_wiki",
    label: "Wiki page",
    plural_label: "Wiki",
    icon: "BookOpen",
    display_order: 150,
    nav_group: NavGroup::Content,
    code_prefix: "WIKI",
    // Added (SPEC lists none): files attached to a page.
    children: &[EntityType::Artifact],
    fields: entity_fields![
        FieldDef::enumeration(
            "wiki_type",
            "Type",
            &["page", "template", "workflow", "guide", "policy"]
        ),
        FieldDef::text("category", "Category")
            .filterable()
            .sortable(),
        FieldDef::text("page_path", "Path").sortable(),
        FieldDef::reference("parent_wiki_id", "Parent page", EntityType::Wiki),
        FieldDef::integer("sort_order", "Sort order"),
        FieldDef::datalabel("wiki_publication_status", "Publication status"),
        // Set by the publish action.
        FieldDef::timestamp("published_ts", "Published").read_only(),
        FieldDef::reference("published_by", "Published by", EntityType::Employee).read_only(),
        FieldDef::enumeration("visibility", "Visibility", VISIBILITY),
        FieldDef::long_text("summary", "Summary"),
        FieldDef::tags("keywords", "Keywords"),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

/// Submissions live in `d_form_data`, served by the form routes.
pub(super) static FORM: EntityDef = EntityDef {
    entity_type: EntityType::Form,
    table: "app.d_form_head",
    label: "Form",
    plural_label: "Forms",
    icon: "FileText",
    display_order: 170,
    nav_group: NavGroup::Content,
    code_prefix: "FRM",
    children: &[EntityType::Artifact],
    fields: entity_fields![
        FieldDef::text("form_type", "Type")
            .pattern("^[a-z][a-z0-9_]{0,49}$")
            .filterable()
            .sortable(),
        FieldDef::json("form_schema", "Form definition"),
        // Publishing sets is_public, public_token and public_since_ts together (a CHECK ties
        // is_public to the token), so they change through the publish action only.
        FieldDef::boolean("is_public", "Public").read_only(),
        FieldDef::text("public_token", "Public link token")
            .pattern("^[A-Za-z0-9_-]{16,128}$")
            .read_only(),
        FieldDef::timestamp("public_since_ts", "Public since").read_only(),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};

/// Runs live in `d_report_data`; the last_run_* columns summarise the newest one.
pub(super) static REPORT: EntityDef = EntityDef {
    entity_type: EntityType::Report,
    table: "app.d_reports",
    label: "Report",
    plural_label: "Reports",
    icon: "BarChart3",
    display_order: 180,
    nav_group: NavGroup::Content,
    code_prefix: "RPT",
    children: &[],
    fields: entity_fields![
        FieldDef::enumeration(
            "report_type",
            "Type",
            &["dashboard", "chart", "table", "summary", "kpi"]
        ),
        FieldDef::text("report_category", "Category")
            .filterable()
            .sortable(),
        FieldDef::json("data_source_config", "Data source"),
        FieldDef::json("query_definition", "Query"),
        FieldDef::json("visualization_config", "Visualisation"),
        FieldDef::enumeration(
            "chart_type",
            "Chart type",
            &[
                "bar", "line", "area", "pie", "donut", "scatter", "table", "kpi"
            ],
        ),
        FieldDef::enumeration(
            "refresh_frequency",
            "Refresh",
            &["manual", "hourly", "daily", "weekly", "monthly"]
        ),
        FieldDef::boolean("auto_refresh_enabled", "Auto refresh"),
        FieldDef::timestamp("last_run_ts", "Last run").read_only(),
        FieldDef::integer("last_run_duration_ms", "Last run duration (ms)")
            .min(0)
            .read_only(),
        FieldDef::integer("last_run_row_count", "Last run rows")
            .min(0)
            .read_only(),
        FieldDef::text("last_run_error", "Last run error").read_only(),
    ],
    default_sort: RECENTLY_UPDATED,
    title_field: "name",
    kanban_field: None,
    lines: None,
};
