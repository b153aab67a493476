//! The entity registry: consistency with the migrated schema, and `GET /api/v1/entity/types`.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{StatusCode, header};
use pmo::entity::registry::common;
use pmo::entity::{EntityType, FieldDef, FieldKind, Storage};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::TestApp;

/// Columns the API never exposes nor accepts. `*` = every table.
const NOT_EXPOSED: &[(&str, &str)] = &[
    // From the caller's tenant.
    ("*", "tenant_id"),
    // Login and lock-out state: the auth module's alone.
    ("app.d_employee", "password_hash"),
    ("app.d_employee", "password_changed_ts"),
    ("app.d_employee", "failed_login_attempts"),
    ("app.d_employee", "account_locked_until"),
    // Object key: downloads go through presigned URLs.
    ("app.d_artifact", "storage_key"),
    // The header of a line, taken from the URL.
    ("app.d_order_line", "order_id"),
    ("app.d_shipment_line", "shipment_id"),
    ("app.d_invoice_line", "invoice_id"),
];

/// NOT NULL columns without a default that a create need not carry: the server sets them.
/// A new such column in a migration fails the test until the registry (or this list) knows it.
const SERVER_SET: &[(&str, &str)] = &[
    ("*", "tenant_id"),
    // Generated from the type's code prefix / the name when a create omits them.
    ("*", "code"),
    ("*", "slug"),
    // Next line number of the header when omitted.
    ("*", "line_no"),
    ("app.d_artifact", "storage_key"),
    // Set by the d_artifact_default_root trigger for a first upload, by the server for a new version.
    ("app.d_artifact", "root_artifact_id"),
    ("app.d_order_line", "order_id"),
    ("app.d_shipment_line", "shipment_id"),
    ("app.d_invoice_line", "invoice_id"),
];

/// Numeric columns with a CHECK that is not a plain bound (so the registry states none).
const CONDITIONAL_BOUNDS: &[(&str, &str)] = &[
    // salary_band_max >= salary_band_min
    ("app.d_position", "salary_band_max"),
    // unit_price >= 0 OR line_item_type = 'discount'
    ("app.d_invoice_line", "unit_price"),
];

fn listed(list: &[(&str, &str)], table: &str, column: &str) -> bool {
    list.iter()
        .any(|&(t, c)| (t == "*" || t == table) && c == column)
}

#[derive(Debug)]
struct Column {
    data_type: String,
    numeric_scale: Option<i32>,
    nullable: bool,
    has_default: bool,
    generated_always: bool,
    domain: Option<String>,
}

/// column, data type, numeric scale, nullable, has default, generated always, domain.
type ColumnRow = (
    String,
    String,
    Option<i32>,
    bool,
    bool,
    bool,
    Option<String>,
);

async fn columns(pool: &PgPool, table: &str) -> BTreeMap<String, Column> {
    let (schema, name) = table.split_once('.').unwrap();
    let rows: Vec<ColumnRow> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, numeric_scale::int4, is_nullable::text = 'YES',
                column_default IS NOT NULL, is_generated::text = 'ALWAYS', domain_name::text
           FROM information_schema.columns
          WHERE table_schema = $1 AND table_name = $2",
    )
    .bind(schema)
    .bind(name)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!rows.is_empty(), "table {table} does not exist");
    rows.into_iter()
        .map(
            |(
                column,
                data_type,
                numeric_scale,
                nullable,
                has_default,
                generated_always,
                domain,
            )| {
                (
                    column,
                    Column {
                        data_type,
                        numeric_scale,
                        nullable,
                        has_default,
                        generated_always,
                        domain,
                    },
                )
            },
        )
        .collect()
}

async fn check_constraints(pool: &PgPool, table: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conrelid = $1::text::regclass")
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// column → tables its foreign keys point at.
async fn foreign_keys(pool: &PgPool, table: &str) -> BTreeMap<String, BTreeSet<String>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.attname::text, c.confrelid::regclass::text
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
          WHERE c.contype = 'f' AND c.conrelid = $1::text::regclass",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (column, target) in rows {
        map.entry(column).or_default().insert(target);
    }
    map
}

async fn table_exists(pool: &PgPool, table: &str) -> bool {
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(table)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn compatible(field: &FieldDef, column: &Column) -> bool {
    if let Storage::Encrypted { .. } = field.storage {
        return column.data_type == "bytea";
    }
    let data_type = column.data_type.as_str();
    match field.kind {
        FieldKind::Text
        | FieldKind::LongText
        | FieldKind::Email
        | FieldKind::Url
        | FieldKind::Phone
        | FieldKind::Enum { .. } => data_type == "text",
        FieldKind::Integer => matches!(data_type, "integer" | "smallint" | "bigint"),
        FieldKind::Datalabel { .. } => data_type == "integer",
        FieldKind::Decimal { scale } => {
            data_type == "numeric" && column.numeric_scale == Some(i32::from(scale))
        }
        FieldKind::Money => data_type == "numeric" && column.numeric_scale == Some(2),
        FieldKind::Boolean => data_type == "boolean",
        FieldKind::Date => data_type == "date",
        FieldKind::Timestamp => data_type == "timestamp with time zone",
        FieldKind::Uuid | FieldKind::Reference { .. } => data_type == "uuid",
        FieldKind::Tags | FieldKind::Json => data_type == "jsonb",
    }
}

/// The quoted values of the first `ARRAY[...]` after `marker` in a constraint definition.
fn array_values(definition: &str, marker: &str) -> Option<Vec<String>> {
    let start = definition.find(marker)?;
    let rest = &definition[start..];
    let array = &rest[rest.find("ARRAY[")?..=rest.find(']')?];
    Some(
        array
            .split('\'')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect(),
    )
}

/// A constraint definition without casts and parentheses: `(x >= (0)::numeric)` → `x >= 0`.
fn normalised(definition: &str) -> String {
    let mut text = definition.to_owned();
    for noise in [
        "::numeric",
        "::integer",
        "::smallint",
        "::bigint",
        "(",
        ")",
        "'",
    ] {
        text = text.replace(noise, "");
    }
    text
}

/// `needle` occurs in `haystack` as a whole expression starting with a column name.
fn contains_term(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        !haystack[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Records a problem instead of stopping at the first, so one run lists every disagreement.
macro_rules! check {
    ($problems:expr, $condition:expr, $($message:tt)+) => {
        if !$condition {
            $problems.push(format!($($message)+));
        }
    };
}

/// Checks one table against the fields the registry gives it.
async fn check_table(
    pool: &PgPool,
    owner: &str,
    table: &str,
    fields: &[FieldDef],
    problems: &mut Vec<String>,
) {
    let columns = columns(pool, table).await;
    let checks = check_constraints(pool, table).await;
    let plain_checks: Vec<String> = checks.iter().map(|check| normalised(check)).collect();
    let foreign_keys = foreign_keys(pool, table).await;
    let mut exposed = BTreeSet::new();

    for field in fields {
        let at = format!("{owner}.{} ({table})", field.name);
        let column_name = field.column();
        exposed.insert(column_name);
        let Some(column) = columns.get(column_name) else {
            problems.push(format!("{at}: no column {column_name}"));
            continue;
        };
        check!(
            problems,
            compatible(field, column),
            "{at}: {:?} does not fit column type {column:?}",
            field.kind
        );
        if field.required {
            check!(
                problems,
                !column.nullable,
                "{at}: required but the column is nullable"
            );
        }
        if !column.nullable
            && !column.has_default
            && !column.generated_always
            && !listed(SERVER_SET, table, column_name)
        {
            check!(
                problems,
                field.required,
                "{at}: NOT NULL without default, so it must be required"
            );
        }
        if column.has_default || column.nullable {
            check!(
                problems,
                !field.required,
                "{at}: the column has a default or is nullable, so it is not required"
            );
        }
        if column.generated_always {
            check!(
                problems,
                field.read_only,
                "{at}: generated column must be read-only"
            );
        }
        if listed(SERVER_SET, table, column_name) {
            check!(
                problems,
                !field.required,
                "{at}: server-set fields are not required"
            );
            check!(
                problems,
                field.read_only || field.generated.is_some(),
                "{at}: server-set but writable without a generator"
            );
        }

        match field.kind {
            FieldKind::Datalabel { datalabel } => {
                let setting = format!("app.setting_datalabel_{datalabel}");
                check!(
                    problems,
                    table_exists(pool, &setting).await,
                    "{at}: no table {setting}"
                );
                check!(
                    problems,
                    foreign_keys
                        .get(column_name)
                        .is_some_and(|targets| targets.contains(&setting)),
                    "{at}: no foreign key to {setting}"
                );
            }
            FieldKind::Reference { target } => {
                let target_table = target.registry().table;
                check!(
                    problems,
                    table_exists(pool, target_table).await,
                    "{at}: no table {target_table}"
                );
                // The audit columns carry no foreign key in the schema.
                if !matches!(field.name, "created_by" | "updated_by") {
                    check!(
                        problems,
                        foreign_keys
                            .get(column_name)
                            .is_some_and(|targets| targets.contains(target_table)),
                        "{at}: no foreign key to {target_table}"
                    );
                }
            }
            FieldKind::Enum { values } => {
                let allowed = if column.domain.as_deref() == Some("entity_type") {
                    domain_values(pool).await
                } else {
                    let marker = format!("({column_name} = ANY (ARRAY[");
                    checks
                        .iter()
                        .find_map(|check| array_values(check, &marker))
                        .unwrap_or_default()
                };
                check!(
                    problems,
                    values == allowed.as_slice(),
                    "{at}: enum values {values:?} differ from the CHECK {allowed:?}"
                );
            }
            FieldKind::Tags => {
                let marker = format!("jsonb_typeof({column_name}) = 'array'");
                check!(
                    problems,
                    checks.iter().any(|check| check.contains(&marker)),
                    "{at}: no CHECK that it is an array"
                );
            }
            _ => {}
        }

        // Text limits match the CHECKs, both ways.
        let length_term = format!("char_length({column_name}) <= ");
        match (field.pattern, field.max_length) {
            (Some(pattern), _) => {
                let term = format!("{column_name} ~ '{pattern}'");
                check!(
                    problems,
                    checks.iter().any(|check| check.contains(&term)),
                    "{at}: no CHECK with pattern {pattern}"
                );
            }
            (None, Some(max)) => {
                let term = format!("{length_term}{max}");
                check!(
                    problems,
                    checks.iter().any(|check| check.contains(&term)),
                    "{at}: no CHECK {term}"
                );
            }
            (None, None) => {
                check!(
                    problems,
                    !checks.iter().any(|check| check.contains(&length_term)),
                    "{at}: the CHECK limits its length"
                );
            }
        }
        if field.pattern.is_none() && field.kind != FieldKind::Email {
            let term = format!("{column_name} ~ ");
            check!(
                problems,
                !plain_checks.iter().any(|check| contains_term(check, &term)),
                "{at}: the CHECK has a pattern"
            );
        }

        // Numeric bounds match the CHECKs, both ways.
        if matches!(
            field.kind,
            FieldKind::Integer | FieldKind::Decimal { .. } | FieldKind::Money
        ) {
            if let Some(min) = field.min {
                let op = if field.min_exclusive { ">" } else { ">=" };
                let term = format!("{column_name} {op} {min}");
                check!(
                    problems,
                    plain_checks.iter().any(|check| contains_term(check, &term)),
                    "{at}: no CHECK {term}"
                );
            } else if !listed(CONDITIONAL_BOUNDS, table, column_name) {
                let (ge, gt) = (format!("{column_name} >= "), format!("{column_name} > "));
                check!(
                    problems,
                    !plain_checks
                        .iter()
                        .any(|check| contains_term(check, &ge) || contains_term(check, &gt)),
                    "{at}: the CHECK sets a minimum the registry lacks"
                );
            }
            if let Some(max) = field.max {
                let term = format!("{column_name} <= {max}");
                check!(
                    problems,
                    plain_checks.iter().any(|check| contains_term(check, &term)),
                    "{at}: no CHECK {term}"
                );
            } else {
                let le = format!("{column_name} <= ");
                check!(
                    problems,
                    !plain_checks.iter().any(|check| contains_term(check, &le)),
                    "{at}: the CHECK sets a maximum"
                );
            }
        }
    }

    for (name, column) in &columns {
        if exposed.contains(name.as_str()) {
            continue;
        }
        check!(
            problems,
            listed(NOT_EXPOSED, table, name),
            "{owner}: column {table}.{name} is neither in the registry nor listed as not exposed"
        );
        if !column.nullable && !column.has_default && !column.generated_always {
            check!(
                problems,
                listed(SERVER_SET, table, name),
                "{owner}: {table}.{name} is NOT NULL without default and not server-set"
            );
        }
    }
}

async fn domain_values(pool: &PgPool) -> Vec<String> {
    let definition: String =
        sqlx::query_scalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = 'app.entity_type'::regtype")
            .fetch_one(pool)
            .await
            .unwrap();
    array_values(&definition, "(VALUE = ANY (ARRAY[").unwrap()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn the_registry_matches_the_schema(pool: PgPool) {
    assert_eq!(
        domain_values(&pool).await,
        EntityType::NAMES,
        "EntityType names = the app.entity_type domain"
    );

    let mut problems = Vec::new();
    for entity_type in EntityType::ALL {
        let def = entity_type.registry();
        check_table(
            &pool,
            entity_type.as_str(),
            def.table,
            def.fields,
            &mut problems,
        )
        .await;
        if let Some(lines) = def.lines {
            check_table(
                &pool,
                entity_type.as_str(),
                lines.table,
                lines.fields,
                &mut problems,
            )
            .await;
            let line_columns = columns(&pool, lines.table).await;
            assert!(
                line_columns.contains_key(lines.parent_column),
                "{entity_type}: no {}",
                lines.parent_column
            );
            let line_keys = foreign_keys(&pool, lines.table).await;
            assert!(
                line_keys
                    .get(lines.parent_column)
                    .is_some_and(|targets| targets.contains(def.table)),
                "{entity_type}: {} does not reference {}",
                lines.parent_column,
                def.table
            );
        }
    }
    assert!(
        problems.is_empty(),
        "the registry disagrees with the schema:\n{}",
        problems.join("\n")
    );
}

#[test]
fn common_fields_are_shared_by_every_type() {
    for entity_type in EntityType::ALL {
        let def = entity_type.registry();
        for field in common::FIELDS {
            assert_eq!(
                def.field(field.name),
                Some(&field),
                "{entity_type}.{}",
                field.name
            );
        }
    }
}

#[test]
fn child_types_are_consistent() {
    for parent in EntityType::ALL {
        let def = parent.registry();
        let unique: BTreeSet<EntityType> = def.children.iter().copied().collect();
        assert_eq!(
            unique.len(),
            def.children.len(),
            "{parent}: duplicate child types"
        );
        // Hierarchies of one type (office → office) are parent_id columns, not links.
        assert!(
            !def.allows_child(parent),
            "{parent} lists itself as a child"
        );
        for &child in def.children {
            assert!(
                child.parent_types().any(|p| p == parent),
                "{parent} → {child}: parent_types disagrees"
            );
            let references = child
                .registry()
                .fields
                .iter()
                .filter(|field| field.is_writable() && field.kind.reference() == Some(parent))
                .count();
            assert!(
                references <= 1,
                "{parent} → {child}: {references} candidate parent columns"
            );
        }
    }
    // SPEC §3 pairs are all allowed.
    let spec = [
        (EntityType::Business, &[EntityType::Project][..]),
        (
            EntityType::Office,
            &[
                EntityType::Task,
                EntityType::Artifact,
                EntityType::Wiki,
                EntityType::Form,
                EntityType::Project,
                EntityType::Employee,
            ][..],
        ),
        (
            EntityType::Project,
            &[
                EntityType::Task,
                EntityType::Wiki,
                EntityType::Artifact,
                EntityType::Form,
            ][..],
        ),
        (
            EntityType::Client,
            &[EntityType::Project, EntityType::Artifact, EntityType::Form][..],
        ),
        (EntityType::Role, &[EntityType::Employee][..]),
        (
            EntityType::Task,
            &[EntityType::Form, EntityType::Artifact, EntityType::Employee][..],
        ),
        (EntityType::Form, &[EntityType::Artifact][..]),
        (
            EntityType::Order,
            &[EntityType::Invoice, EntityType::Shipment][..],
        ),
    ];
    for (parent, children) in spec {
        for &child in children {
            assert!(
                parent.registry().allows_child(child),
                "SPEC pair {parent} → {child} missing"
            );
        }
    }
    let order_invoice = EntityType::Invoice
        .registry()
        .parent_reference(EntityType::Order)
        .map(|field| field.name);
    assert_eq!(order_invoice, Some("order_id"));
    assert_eq!(
        EntityType::Employee
            .registry()
            .parent_reference(EntityType::Role),
        None,
        "role → employee is a link"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn entity_types_lists_all_types_in_display_order(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/api/v1/entity/types").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.headers[header::CACHE_CONTROL],
        "private, max-age=300"
    );
    assert_eq!(response.headers[header::CONTENT_TYPE], "application/json");
    let body = response.json();
    let types = body["data"].as_array().unwrap();
    assert_eq!(types.len(), 18);

    let orders: Vec<u64> = types
        .iter()
        .map(|t| t["display_order"].as_u64().unwrap())
        .collect();
    assert!(
        orders.windows(2).all(|pair| pair[0] < pair[1]),
        "display order: {orders:?}"
    );
    let names: BTreeSet<&str> = types.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, EntityType::NAMES.into_iter().collect());

    let by_name: BTreeMap<&str, &Value> = types
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t))
        .collect();
    let children = |name: &str| -> Vec<&str> {
        by_name[name]["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect()
    };
    assert_eq!(
        children("project"),
        [
            "task", "wiki", "artifact", "form", "employee", "order", "invoice"
        ]
    );
    assert_eq!(children("task"), ["form", "artifact", "employee"]);
    assert_eq!(
        children("office"),
        [
            "task",
            "artifact",
            "wiki",
            "form",
            "project",
            "employee",
            "business",
            "worksite",
            "inventory"
        ]
    );
    assert_eq!(
        by_name["project"]["children"][0],
        json!({"name": "task", "label": "Task", "plural_label": "Tasks", "icon": "CheckSquare", "parent_field": null})
    );
    assert_eq!(by_name["order"]["children"][0]["parent_field"], "order_id");

    let project = by_name["project"];
    assert_eq!(project["label"], "Project");
    assert_eq!(project["plural_label"], "Projects");
    assert_eq!(project["icon"], "FolderOpen");
    assert_eq!(project["nav_group"], "work");
    assert_eq!(project["title_field"], "name");
    assert_eq!(
        project["default_sort"],
        json!({"field": "updated_ts", "direction": "desc"})
    );
    assert_eq!(project["kanban_field"], "project_stage");
    assert_eq!(project["lines"], Value::Null);
    assert_eq!(
        by_name["client"]["kanban_field"],
        "opportunity_funnel_stage"
    );
    assert!(
        !by_name.values().any(|t| t.get("table").is_some()),
        "table names stay inside the server"
    );

    let order_lines = &by_name["order"]["lines"];
    assert_eq!(order_lines["label"], "Order line");
    assert_eq!(
        order_lines["default_sort"],
        json!({"field": "line_no", "direction": "asc"})
    );
    let line_total = order_lines["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "line_total")
        .unwrap();
    assert_eq!(line_total["read_only"], true);
    assert_eq!(line_total["kind"], json!({"type": "money"}));

    // The single-type answer is the same object.
    let single = app.get("/api/v1/entity/types/task").await;
    assert_eq!(single.status, StatusCode::OK);
    assert_eq!(
        single.headers[header::CACHE_CONTROL],
        "private, max-age=300"
    );
    assert_eq!(&single.json(), by_name["task"]);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn an_unknown_entity_type_is_404_never_400(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for path in [
        "nope",
        "Project",
        "reports",
        "form_head",
        "%FF",
        "project%20",
        "1",
    ] {
        let response = app.get(&format!("/api/v1/entity/types/{path}")).await;
        response.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn fields_carry_kinds_bindings_and_sensitivity(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let field = |entity: &Value, name: &str| -> Option<Value> {
        entity["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
    };

    let task = app.get("/api/v1/entity/types/task").await.json();
    let stage = field(&task, "task_stage").unwrap();
    assert_eq!(
        stage["kind"],
        json!({"type": "datalabel", "datalabel": "task_stage"})
    );
    assert_eq!(stage["datalabel"], "task_stage");
    assert_eq!(stage["reference"], Value::Null);
    assert_eq!(stage["required"], false, "the column has a default stage");
    assert_eq!(stage["filterable"], true);
    assert_eq!(
        field(&task, "estimated_hours").unwrap()["kind"],
        json!({"type": "decimal", "scale": 2})
    );

    let project = app.get("/api/v1/entity/types/project").await.json();
    let stage = field(&project, "project_stage").unwrap();
    assert_eq!(
        stage["kind"],
        json!({"type": "datalabel", "datalabel": "project_stage"})
    );
    let manager = field(&project, "manager_employee_id").unwrap();
    assert_eq!(
        manager["kind"],
        json!({"type": "reference", "target": "employee"})
    );
    assert_eq!(manager["reference"], "employee");
    let name = field(&project, "name").unwrap();
    assert_eq!(
        (
            name["required"].clone(),
            name["max_length"].clone(),
            name["searchable"].clone()
        ),
        (json!(true), json!(500), json!(true))
    );
    let code = field(&project, "code").unwrap();
    assert_eq!(
        (code["required"].clone(), code["generated"].clone()),
        (json!(false), json!("code"))
    );
    let id = field(&project, "id").unwrap();
    assert_eq!(
        (id["read_only"].clone(), id["kind"].clone()),
        (json!(true), json!({"type": "uuid"}))
    );

    let employee = app.get("/api/v1/entity/types/employee").await.json();
    for sensitive in ["government_id", "birth_date", "salary_band", "pay_grade"] {
        let field = field(&employee, sensitive).unwrap_or_else(|| panic!("{sensitive} missing"));
        assert_eq!(field["sensitive"], true, "{sensitive}");
        assert_eq!(
            (field["filterable"].clone(), field["sortable"].clone()),
            (json!(false), json!(false))
        );
    }
    assert_eq!(field(&employee, "email").unwrap()["sensitive"], false);
    for hidden in [
        "password_hash",
        "password_changed_ts",
        "failed_login_attempts",
        "account_locked_until",
        "government_id_encrypted",
        "tenant_id",
    ] {
        assert!(
            field(&employee, hidden).is_none(),
            "{hidden} must not be in the registry"
        );
    }
    assert_eq!(field(&employee, "tenant_admin").unwrap()["read_only"], true);
    let employee_type = field(&employee, "employee_type").unwrap();
    assert_eq!(employee_type["kind"]["type"], "enum");
    assert_eq!(employee_type["kind"]["values"][0], "full-time");

    let order = app.get("/api/v1/entity/types/order").await.json();
    let quantity = order["lines"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "quantity")
        .unwrap();
    assert_eq!(
        (quantity["min"].clone(), quantity["min_exclusive"].clone()),
        (json!(0), json!(true))
    );
    assert_eq!(field(&order, "total").unwrap()["read_only"], true);
    assert_eq!(field(&order, "shipping_total").unwrap()["read_only"], false);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn entity_routes_are_in_the_openapi_document(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let doc = app.get("/api/openapi.json").await.json();
    assert_eq!(
        doc["paths"]["/api/v1/entity/types"]["get"]["operationId"],
        "list_entity_types"
    );
    assert_eq!(
        doc["paths"]["/api/v1/entity/types"]["get"]["tags"],
        json!(["entity"])
    );
    assert_eq!(
        doc["paths"]["/api/v1/entity/types/{entity}"]["get"]["operationId"],
        "get_entity_type"
    );
    assert!(doc["components"]["schemas"]["EntityTypeInfo"].is_object());
    assert!(doc["components"]["schemas"]["FieldKind"].is_object());
}
