//! The permission matrix (SPEC §5) through the real record routes: for every entity type, View,
//! Edit, Share, Delete and Create under grants on `all`, on one instance, via a role, via a cascade
//! from a parent, expired, and none — plus a View-only grant that must refuse the rest.

use axum::http::{Method, StatusCode};
use pmo::entity::EntityType;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    All,
    Instance,
    Role,
    Cascade,
    Expired,
    None,
}

/// A record of `entity` made by SQL (every type, including artifacts), registered, optionally
/// linked under a parent.
async fn record(app: &TestApp, entity: EntityType, tag: &str) -> Uuid {
    let id = Uuid::new_v4();
    let def = entity.registry();
    let code = format!("M-{tag}-{}", &id.simple().to_string()[..8]);
    let mut columns = String::from("tenant_id, id, code, slug, name");
    let mut values = String::from("'acme', $1, $2, lower($2), $3");
    // Required columns beyond the common ones get simple valid values.
    for field in def
        .fields
        .iter()
        .filter(|f| f.required && f.generated.is_none() && f.name != "name")
    {
        columns.push_str(&format!(", {}", field.column()));
        let value = match field.kind {
            pmo::entity::registry::FieldKind::Datalabel { .. } => "0".to_owned(),
            pmo::entity::registry::FieldKind::Email => {
                format!("'{}@acme.example'", code.to_lowercase())
            }
            pmo::entity::registry::FieldKind::Date => "date '2030-01-01'".to_owned(),
            // Stock is unique per (office, product): each inventory row gets its own product.
            pmo::entity::registry::FieldKind::Reference {
                target: EntityType::Product,
            } if entity == EntityType::Inventory => {
                let product = Box::pin(record(app, EntityType::Product, tag)).await;
                format!("'{product}'::uuid")
            }
            pmo::entity::registry::FieldKind::Reference { target } => {
                format!(
                    "(SELECT entity_id FROM app.d_entity_instance_id WHERE tenant_id = 'acme' AND entity_type = '{target}' LIMIT 1)"
                )
            }
            _ => format!("'{code}'"),
        };
        values.push_str(&format!(", {value}"));
    }
    if entity == EntityType::Artifact {
        // storage_key is server-only (not in the registry); file_name came with the required fields.
        columns.push_str(", storage_key, upload_status");
        values.push_str(", 'tenant_id=acme/entity=task/entity_id=x/' || $2 || '.pdf', 'available'");
    }
    let sql = format!("INSERT INTO {} ({columns}) VALUES ({values})", def.table);
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(&code)
        .bind(format!("{entity} {tag}"))
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug) VALUES ('acme', $1, $2, $3, $4, lower($4))")
        .bind(entity.as_str())
        .bind(id)
        .bind(format!("{entity} {tag}"))
        .bind(&code)
        .execute(&app.pool)
        .await
        .unwrap();
    id
}

async fn link(
    app: &TestApp,
    parent: EntityType,
    parent_id: Uuid,
    child: EntityType,
    child_id: Uuid,
) {
    sqlx::query("INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id) VALUES ('acme', $1, $2, $3, $4)")
        .bind(parent.as_str())
        .bind(parent_id)
        .bind(child.as_str())
        .bind(child_id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.forget_cached_access().await;
}

async fn grant(
    app: &TestApp,
    grantee: (&str, Uuid),
    entity: EntityType,
    id: Option<Uuid>,
    levels: &[i16],
    cascade: bool,
    expired: bool,
) {
    sqlx::query(
        "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag, expires_ts)
         VALUES ('acme', $1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() - interval '1 hour' END)",
    )
    .bind(grantee.0)
    .bind(grantee.1)
    .bind(entity.as_str())
    .bind(id)
    .bind(levels)
    .bind(cascade)
    .bind(expired)
    .execute(&app.pool)
    .await
    .unwrap();
    app.forget_cached_access().await;
}

/// A parent type whose link cascades into `entity` (a containment link, not a column).
fn cascade_parent(entity: EntityType) -> Option<EntityType> {
    if entity == EntityType::Employee {
        return None; // cascades never reach people
    }
    entity
        .parent_types()
        .find(|parent| entity.registry().parent_reference(*parent).is_none())
}

struct Outcome {
    view: StatusCode,
    edit: StatusCode,
    share: StatusCode,
    delete: StatusCode,
}

async fn exercise(
    app: &TestApp,
    user: &TestUser,
    other: &TestUser,
    entity: EntityType,
    id: Uuid,
) -> Outcome {
    let path = format!("/api/v1/{entity}/{id}");
    let view = app.get_as(user, &path).await.status;
    let edit = app
        .send_json(
            Method::PATCH,
            &path,
            Some(user),
            Some(&json!({"name": "changed", "version": 1})),
        )
        .await
        .status;
    let share = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(user),
            &json!({"grantee_type": "employee", "grantee_id": other.id, "entity_type": entity, "entity_id": id, "levels": [0]}),
        )
        .await
        .status;
    let delete = app.delete_as(user, &path).await.status;
    Outcome {
        view,
        edit,
        share,
        delete,
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn every_type_every_level_every_grant_shape(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.tenant_with_admin("acme").await;
    let other = app.employee("acme", "other").await;
    // Reference targets must exist before records that require them.
    for entity in [
        EntityType::Office,
        EntityType::Product,
        EntityType::Client,
        EntityType::Order,
    ] {
        record(&app, entity, "fixture").await;
    }
    let mut failures = Vec::new();
    for entity in EntityType::ALL {
        for shape in [
            Shape::All,
            Shape::Instance,
            Shape::Role,
            Shape::Cascade,
            Shape::Expired,
            Shape::None,
        ] {
            let parent = cascade_parent(entity);
            if shape == Shape::Cascade && parent.is_none() {
                continue;
            }
            let user = app
                .employee("acme", &format!("u-{entity}-{shape:?}").to_lowercase())
                .await;
            let id = record(&app, entity, &format!("{shape:?}")).await;
            let all_levels = [0i16, 1, 2, 3, 4];
            match shape {
                Shape::All => {
                    grant(
                        &app,
                        ("employee", user.id),
                        entity,
                        None,
                        &all_levels,
                        false,
                        false,
                    )
                    .await
                }
                Shape::Instance => {
                    grant(
                        &app,
                        ("employee", user.id),
                        entity,
                        Some(id),
                        &all_levels,
                        false,
                        false,
                    )
                    .await
                }
                Shape::Role => {
                    let role = record(&app, EntityType::Role, &format!("{entity}")).await;
                    link(&app, EntityType::Role, role, EntityType::Employee, user.id).await;
                    grant(
                        &app,
                        ("role", role),
                        entity,
                        Some(id),
                        &all_levels,
                        false,
                        false,
                    )
                    .await;
                }
                Shape::Cascade => {
                    let parent = parent.unwrap_or(EntityType::Project);
                    let parent_id = record(&app, parent, &format!("{entity}-parent")).await;
                    link(&app, parent, parent_id, entity, id).await;
                    grant(
                        &app,
                        ("employee", user.id),
                        parent,
                        Some(parent_id),
                        &all_levels,
                        true,
                        false,
                    )
                    .await;
                }
                Shape::Expired => {
                    grant(
                        &app,
                        ("employee", user.id),
                        entity,
                        Some(id),
                        &all_levels,
                        false,
                        true,
                    )
                    .await
                }
                Shape::None => {}
            }
            let outcome = exercise(&app, &user, &other, entity, id).await;
            let granted = !matches!(shape, Shape::Expired | Shape::None);
            let expect = |ok: StatusCode| if granted { ok } else { StatusCode::NOT_FOUND };
            for (level, got, want) in [
                ("view", outcome.view, expect(StatusCode::OK)),
                ("edit", outcome.edit, expect(StatusCode::OK)),
                ("share", outcome.share, expect(StatusCode::CREATED)),
                ("delete", outcome.delete, expect(StatusCode::NO_CONTENT)),
            ] {
                if got != want {
                    failures.push(format!(
                        "{entity} {shape:?} {level}: got {got}, want {want}"
                    ));
                }
            }
            // Create comes only from a grant on the type (or a cascade reaching the parent).
            if entity != EntityType::Artifact && matches!(shape, Shape::All | Shape::None) {
                let status = app
                    .post_json(
                        &format!("/api/v1/{entity}"),
                        Some(&user),
                        &json!({"name": "probe"}),
                    )
                    .await
                    .status;
                let refused = status == StatusCode::FORBIDDEN;
                let expected_refused = shape == Shape::None;
                if refused != expected_refused {
                    failures.push(format!("{entity} {shape:?} create: got {status}"));
                }
            }
        }

        // View only: visible, and every other action refused with 403 (not 404).
        let viewer = app.employee("acme", &format!("viewer-{entity}")).await;
        let id = record(&app, entity, "viewonly").await;
        grant(
            &app,
            ("employee", viewer.id),
            entity,
            Some(id),
            &[0],
            false,
            false,
        )
        .await;
        let outcome = exercise(&app, &viewer, &other, entity, id).await;
        for (level, got, want) in [
            ("view", outcome.view, StatusCode::OK),
            ("edit", outcome.edit, StatusCode::FORBIDDEN),
            ("share", outcome.share, StatusCode::FORBIDDEN),
            ("delete", outcome.delete, StatusCode::FORBIDDEN),
        ] {
            if got != want {
                failures.push(format!(
                    "{entity} view-only {level}: got {got}, want {want}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Nothing the refused calls attempted was written.
    let untouched: Value = sqlx::query_scalar(
        "SELECT to_jsonb(count(*)) FROM app.d_entity_instance_id WHERE tenant_id = 'acme' AND name = 'changed' AND code LIKE 'M-None%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(untouched, json!(0));
}
