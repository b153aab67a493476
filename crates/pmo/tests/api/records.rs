//! The generic record API for every registry type: create, get, list, filter, sort, paginate,
//! update, conflict, delete, restore — and the bad input each must refuse.

use std::collections::HashSet;

use axum::http::{Method, StatusCode, header};
use pmo::entity::EntityType;
use pmo::entity::registry::{EntityDef, FieldDef, FieldKind};
use serde_json::{Map, Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};

/// A sample value for a field, creating the referenced record when the field points at one.
pub(crate) fn sample_value<'a>(
    app: &'a TestApp,
    user: &'a TestUser,
    field: &'a FieldDef,
    unique: &'a str,
) -> std::pin::Pin<Box<dyn Future<Output = Value> + Send + 'a>> {
    Box::pin(async move {
        match field.kind {
            FieldKind::Text | FieldKind::LongText | FieldKind::Phone => {
                let text = format!("Sample {} {unique}", field.name);
                json!(
                    text.chars()
                        .take(field.max_length.unwrap_or(500) as usize)
                        .collect::<String>()
                )
            }
            FieldKind::Email => json!(format!("sample.{unique}@example.com")),
            FieldKind::Url => json!("https://example.com/x"),
            FieldKind::Enum { values } => json!(values[0]),
            FieldKind::Integer => {
                json!(
                    field
                        .min
                        .map_or(1, |m| if field.min_exclusive { m + 1 } else { m.max(1) })
                )
            }
            FieldKind::Decimal { .. } | FieldKind::Money => json!("2.50"),
            FieldKind::Boolean => json!(true),
            FieldKind::Date => json!("2030-06-15"),
            FieldKind::Timestamp => json!("2026-03-15T10:00:00Z"),
            FieldKind::Uuid => json!(Uuid::new_v4()),
            FieldKind::Tags => json!(["sample"]),
            FieldKind::Json => json!({}),
            FieldKind::Datalabel { .. } => json!(0),
            FieldKind::Reference { target } => {
                let record = create(app, user, target, &format!("{unique}r")).await;
                record["id"].clone()
            }
        }
    })
}

/// A valid create body for any type, from the registry: every required field, plus lines.
async fn sample_body(
    app: &TestApp,
    user: &TestUser,
    entity: EntityType,
    unique: &str,
) -> Map<String, Value> {
    let def = entity.registry();
    let mut body = Map::new();
    for field in def
        .fields
        .iter()
        .filter(|f| f.required && !f.read_only && f.generated.is_none())
    {
        body.insert(
            field.name.to_owned(),
            sample_value(app, user, field, unique).await,
        );
    }
    body.insert("name".to_owned(), json!(format!("{} {unique}", def.label)));
    if let Some(lines) = &def.lines {
        let mut line = Map::new();
        // Required fields, plus references (a product line names its product).
        for field in lines.fields.iter().filter(|f| {
            (f.required || f.kind.reference().is_some()) && !f.read_only && f.generated.is_none()
        }) {
            line.insert(
                field.name.to_owned(),
                sample_value(app, user, field, unique).await,
            );
        }
        body.insert("lines".to_owned(), json!([line.clone(), line]));
    }
    body
}

pub(crate) async fn create(
    app: &TestApp,
    user: &TestUser,
    entity: EntityType,
    unique: &str,
) -> Value {
    if entity == EntityType::Artifact {
        return artifact_row(app, user, unique).await;
    }
    let body = sample_body(app, user, entity, unique).await;
    let response = app
        .post_json(
            &format!("/api/v1/{entity}"),
            Some(user),
            &Value::Object(body.clone()),
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "create {entity} {body:?}: {}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

/// Artifacts are created by the upload flow (its own tests); here a finished upload's row.
async fn artifact_row(app: &TestApp, user: &TestUser, unique: &str) -> Value {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO app.d_artifact (tenant_id, id, code, slug, name, file_name, storage_key, upload_status)
         VALUES ($1, $2, $3, $4, $5, 'plan.pdf', 'tenant_id=' || $1 || '/entity=project/entity_id=x/' || $2 || '.pdf', 'available')",
    )
    .bind(&user.tenant)
    .bind(id)
    .bind(format!("ART-{unique}"))
    .bind(format!("art-{}", unique.to_lowercase()))
    .bind(format!("Artifact {unique}"))
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug) VALUES ($1, 'artifact', $2, $3, $4, $5)")
        .bind(&user.tenant)
        .bind(id)
        .bind(format!("Artifact {unique}"))
        .bind(format!("ART-{unique}"))
        .bind(format!("art-{}", unique.to_lowercase()))
        .execute(&app.pool)
        .await
        .unwrap();
    app.get_as(user, &format!("/api/v1/artifact/{id}"))
        .await
        .json()
}

pub(crate) async fn patch(
    app: &TestApp,
    user: &TestUser,
    path: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    app.send_json(Method::PATCH, path, Some(user), Some(&body))
        .await
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn every_type_supports_the_whole_lifecycle(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let stranger = app.tenant_with_admin("other").await;
    for entity in EntityType::ALL {
        let def: &EntityDef = entity.registry();
        let record = create(&app, &admin, entity, "one").await;
        let id = record["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/{entity}/{id}");
        assert_eq!(record["version"], 1, "{entity}");
        assert!(
            record["code"]
                .as_str()
                .unwrap()
                .starts_with(def.code_prefix),
            "{entity}: generated code {}",
            record["code"]
        );
        if entity == EntityType::Artifact {
            let refused = app
                .post_json(
                    "/api/v1/artifact",
                    Some(&admin),
                    &json!({"name": "x", "file_name": "x.pdf"}),
                )
                .await;
            refused.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
        }
        assert!(
            record["slug"].as_str().is_some_and(|s| !s.is_empty()),
            "{entity}"
        );

        let fetched = app.get_as(&admin, &path).await;
        assert_eq!(fetched.status, StatusCode::OK, "{entity}");
        assert_eq!(
            fetched.headers[header::CONTENT_TYPE],
            "application/json",
            "{entity}"
        );
        // The record as created, with the caller's levels on it (the GET writes them into the
        // record's text; types with lines take the other path).
        let mut fetched = fetched.json();
        let levels = fetched.as_object_mut().unwrap().remove("_permissions");
        assert_eq!(
            levels,
            Some(json!(["view", "edit", "share", "delete", "create"])),
            "{entity}"
        );
        // (An artifact's create answers through its upload flow, which adds the levels too.)
        let mut created = record.clone();
        created.as_object_mut().unwrap().remove("_permissions");
        assert_eq!(fetched, created, "{entity}");

        // Listed, and found by search.
        let listed = app
            .get_as(&admin, &format!("/api/v1/{entity}?q=one&total=true"))
            .await;
        assert_eq!(
            listed.status,
            StatusCode::OK,
            "{entity}: {}",
            String::from_utf8_lossy(&listed.body)
        );
        let listed = listed.json();
        assert!(
            listed["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == record["id"]),
            "{entity}: {listed}"
        );
        assert!(listed["total"].as_i64().unwrap() >= 1);

        // Update at the right version; a stale version is refused and writes nothing.
        let renamed = patch(
            &app,
            &admin,
            &path,
            json!({"name": format!("{} renamed", def.label), "version": 1}),
        )
        .await;
        assert_eq!(
            renamed.status,
            StatusCode::OK,
            "{entity}: {}",
            String::from_utf8_lossy(&renamed.body)
        );
        assert_eq!(renamed.json()["version"], 2);
        let stale = patch(
            &app,
            &admin,
            &path,
            json!({"name": "lost update", "version": 1}),
        )
        .await;
        let conflict = stale.assert_error(StatusCode::CONFLICT, "version_conflict");
        assert_eq!(conflict["error"]["details"]["current_version"], 2);
        assert_eq!(
            app.get_as(&admin, &path).await.json()["name"],
            format!("{} renamed", def.label)
        );

        // Other tenants see nothing and change nothing.
        app.get_as(&stranger, &path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
        patch(
            &app,
            &stranger,
            &path,
            json!({"name": "hijack", "version": 2}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
        app.delete_as(&stranger, &path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");

        // Soft delete and restore.
        assert_eq!(
            app.delete_as(&admin, &path).await.status,
            StatusCode::NO_CONTENT,
            "{entity}"
        );
        let deleted = app.get_as(&admin, &path).await.json();
        assert_eq!(deleted["active_flag"], false);
        assert!(deleted["to_ts"].is_string());
        let live = app
            .get_as(&admin, &format!("/api/v1/{entity}?q=renamed"))
            .await
            .json();
        assert!(
            !live["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == record["id"]),
            "{entity}: deleted rows leave the list"
        );
        let trash = app
            .get_as(&admin, &format!("/api/v1/{entity}?deleted=true"))
            .await
            .json();
        assert!(
            trash["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == record["id"]),
            "{entity}"
        );
        app.delete_as(&admin, &path)
            .await
            .assert_error(StatusCode::CONFLICT, "conflict");
        let restored = app
            .post_json(&format!("{path}/restore"), Some(&admin), &json!({}))
            .await;
        assert_eq!(restored.status, StatusCode::OK, "{entity}");
        assert_eq!(restored.json()["active_flag"], true);
        assert_eq!(restored.json()["version"], 4);

        let registry: bool = sqlx::query_scalar(
            "SELECT active_flag FROM app.d_entity_instance_id WHERE tenant_id = 'acme' AND entity_type = $1 AND entity_id = $2::uuid",
        )
        .bind(entity.as_str())
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert!(
            registry,
            "{entity}: the registry follows delete and restore"
        );
    }
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT action) FROM app.audit_log WHERE action LIKE '%.update'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 18, "every type's updates are audited");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn datalabels_are_stored_by_key_and_shown_by_name(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let by_name = app
        .post_json(
            "/api/v1/task",
            Some(&admin),
            &json!({"name": "Fix boiler", "task_stage": "in progress"}),
        )
        .await;
    assert_eq!(
        by_name.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&by_name.body)
    );
    let task = by_name.json();
    assert_eq!(task["task_stage"], 2);
    assert_eq!(task["task_stage_name"], "In Progress");

    // Renaming the label changes what every record shows (the server keeps the names in memory:
    // the rename's invalidation is what reaches them, so it goes through the API).
    let renamed = app
        .send_json(
            Method::PATCH,
            "/api/v1/setting/task_stage/2",
            Some(&admin),
            Some(&json!({"name": "Doing"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json());
    let path = format!("/api/v1/task/{}", task["id"].as_str().unwrap());
    assert_eq!(
        app.get_as(&admin, &path).await.json()["task_stage_name"],
        "Doing"
    );

    for bad in [
        json!({"name": "x", "task_stage": "Nonexistent"}),
        json!({"name": "x", "task_stage": 99}),
        json!({"name": "x", "task_stage": true}),
    ] {
        let response = app.post_json("/api/v1/task", Some(&admin), &bad).await;
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            error["error"]["details"]["fields"]["task_stage"].is_string(),
            "{error}"
        );
    }
    // Filters accept the key or the name.
    let by_key = app.get_as(&admin, "/api/v1/task?task_stage=2").await.json();
    let by_label = app
        .get_as(&admin, "/api/v1/task?task_stage=Doing")
        .await
        .json();
    assert_eq!(by_key["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_key["data"], by_label["data"]);
    assert_eq!(
        app.get_as(&admin, "/api/v1/task?task_stage=Nope")
            .await
            .json()["data"],
        json!([])
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn order_lines_travel_with_the_header_and_totals_follow(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let client = create(&app, &admin, EntityType::Client, "c").await;
    let product = create(&app, &admin, EntityType::Product, "p").await;
    let line = |qty: &str, price: &str| json!({"product_id": product["id"], "description": "Furnace filter", "quantity": qty, "unit_price": price});
    let order = app
        .post_json(
            "/api/v1/order",
            Some(&admin),
            &json!({"name": "Spring order", "client_id": client["id"], "lines": [line("2", "10.00"), line("1", "5.50")]}),
        )
        .await;
    assert_eq!(
        order.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&order.body)
    );
    let order = order.json();
    assert_eq!(order["lines"].as_array().unwrap().len(), 2);
    assert_eq!(order["subtotal"], "25.50");
    assert_eq!(order["lines"][0]["line_no"], 1);

    let path = format!("/api/v1/order/{}", order["id"].as_str().unwrap());
    let updated = patch(
        &app,
        &admin,
        &path,
        json!({"version": order["version"], "lines": [line("3", "10.00")]}),
    )
    .await;
    assert_eq!(
        updated.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&updated.body)
    );
    let updated = updated.json();
    assert_eq!(updated["lines"].as_array().unwrap().len(), 1);
    assert_eq!(updated["subtotal"], "30.00");

    // Totals are the server's: a client cannot set them.
    patch(
        &app,
        &admin,
        &path,
        json!({"version": updated["version"], "subtotal": "1.00"}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let bad_line = patch(&app, &admin, &path, json!({"version": updated["version"], "lines": [{"description": "x", "quantity": "-1", "unit_price": "1"}]})).await;
    bad_line.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        app.get_as(&admin, &path).await.json()["subtotal"],
        "30.00",
        "a refused write changes nothing"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn sensitive_fields_need_edit_and_are_encrypted_at_rest(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let viewer = app.employee("acme", "viewer").await;
    let created = app
        .post_json(
            "/api/v1/employee",
            Some(&admin),
            &json!({"name": "Sam Worker", "first_name": "Sam", "last_name": "Worker", "email": "sam@acme.example",
                    "government_id": "123-456-789", "salary_band": "B4"}),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["government_id"], "123-456-789");

    let stored: Vec<u8> = sqlx::query_scalar(
        "SELECT government_id_encrypted FROM app.d_employee WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !String::from_utf8_lossy(&stored).contains("123-456-789"),
        "never stored in plain text"
    );

    let list = app
        .get_as(&admin, "/api/v1/employee?limit=200")
        .await
        .json();
    for row in list["data"].as_array().unwrap() {
        assert!(
            row.get("government_id").is_none() && row.get("salary_band").is_none(),
            "never in lists: {row}"
        );
    }
    sqlx::query("INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission) VALUES ('acme', 'employee', $1, 'employee', $2::uuid, '{0}')")
        .bind(viewer.id)
        .bind(&id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.forget_cached_access().await;
    let seen = app
        .get_as(&viewer, &format!("/api/v1/employee/{id}"))
        .await
        .json();
    assert_eq!(seen["name"], "Sam Worker");
    assert!(
        seen.get("government_id").is_none() && seen.get("salary_band").is_none(),
        "View only: {seen}"
    );
    let audit: String = sqlx::query_scalar(
        "SELECT after::text FROM app.audit_log WHERE action = 'employee.create'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !audit.contains("123-456-789") && !audit.contains("B4"),
        "the audit log holds no sensitive values"
    );
    app.get_as(&admin, "/api/v1/employee?sort=salary_band")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn walking_every_page_as_a_user_with_instance_grants(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    app.exec(
        "INSERT INTO app.d_project (tenant_id, id, code, slug, name) SELECT 'acme', gen_random_uuid(), 'P-' || p, 'p-' || p, 'Project ' || p FROM generate_series(1, 10) p;
         INSERT INTO app.d_task (tenant_id, id, code, slug, name, due_date, updated_ts)
           SELECT 'acme', gen_random_uuid(), 'T-' || t, 't-' || t, 'Task ' || (t % 97),
                  CASE WHEN t % 5 = 0 THEN NULL ELSE date '2026-01-01' + (t % 40) END,
                  timestamptz '2026-01-01' + (t % 13) * interval '1 hour'
           FROM generate_series(1, 1000) t;
         INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
           SELECT tenant_id, 'task', id, name, code, slug FROM app.d_task UNION ALL
           SELECT tenant_id, 'project', id, name, code, slug FROM app.d_project;
         INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
           SELECT 'acme', 'project', p.id, 'task', t.id FROM app.d_task t
           JOIN app.d_project p ON p.code = 'P-' || (1 + (substring(t.code from 3)::int - 1) / 100);",
    )
    .await;
    // Visible: all tasks of P-2 and P-5 through cascade, and every 7th task by an instance grant.
    sqlx::query(
        "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag)
         SELECT 'acme', 'employee', $1, 'project', id, '{0}'::smallint[], true FROM app.d_project WHERE code IN ('P-2', 'P-5')
         UNION ALL
         SELECT 'acme', 'employee', $1, 'task', id, '{0}'::smallint[], false FROM app.d_task WHERE substring(code from 3)::int % 7 = 0",
    )
    .bind(pat.id)
    .execute(&app.pool)
    .await
    .unwrap();
    app.forget_cached_access().await;
    let expected: HashSet<String> = sqlx::query_scalar(
        "SELECT id::text FROM app.d_task WHERE substring(code from 3)::int % 7 = 0
            OR (substring(code from 3)::int - 1) / 100 + 1 IN (2, 5)",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();

    for sort in [
        "",
        "&sort=name",
        "&sort=name&order=desc",
        "&sort=due_date",
        "&sort=due_date&order=desc",
        "&sort=updated_ts&order=asc",
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let url = match &cursor {
                Some(c) => format!("/api/v1/task?limit=37{sort}&cursor={c}"),
                None => format!("/api/v1/task?limit=37{sort}&total=true"),
            };
            let response = app.get_as(&pat, &url).await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{url}: {}",
                String::from_utf8_lossy(&response.body)
            );
            let page = response.json();
            if cursor.is_none() {
                assert_eq!(
                    page["total"].as_u64().unwrap() as usize,
                    expected.len(),
                    "total {sort}"
                );
            }
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_str().unwrap().to_owned()),
            );
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(pages < 100, "runaway pagination");
        }
        let unique: HashSet<String> = seen.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{sort}: a row repeated across pages"
        );
        assert_eq!(
            unique, expected,
            "{sort}: rows skipped or invisible rows shown"
        );
    }
    // A cursor made for one sort is refused for another.
    let first = app
        .get_as(&pat, "/api/v1/task?limit=5&sort=name")
        .await
        .json();
    let cursor = first["next_cursor"].as_str().unwrap();
    app.get_as(
        &pat,
        &format!("/api/v1/task?limit=5&sort=due_date&cursor={cursor}"),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    // The child list of a visible project is the same contract.
    let p2: String = sqlx::query_scalar("SELECT id::text FROM app.d_project WHERE code = 'P-2'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let children = app
        .get_as(
            &pat,
            &format!("/api/v1/project/{p2}/task?limit=200&total=true"),
        )
        .await
        .json();
    assert_eq!(children["total"], 100);
    let p3: String = sqlx::query_scalar("SELECT id::text FROM app.d_project WHERE code = 'P-3'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.get_as(&pat, &format!("/api/v1/project/{p3}/task"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let tabs = app
        .get_as(&pat, &format!("/api/v1/entity/project/{p2}/child-tabs"))
        .await
        .json();
    let task_tab = tabs["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["entity"] == "task")
        .unwrap()
        .clone();
    assert_eq!(task_tab["count"], 100);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn create_under_a_parent_links_in_one_transaction_and_checks_both_sides(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pm = app.employee("acme", "pm").await;
    let project = create(&app, &admin, EntityType::Project, "p").await;
    let project_id = project["id"].as_str().unwrap();
    let create_task = |user: &TestUser| {
        let user = user.clone();
        let path = format!("/api/v1/project/{project_id}/task");
        let app = &app;
        async move {
            app.post_json(&path, Some(&user), &json!({"name": "Install heat pump"}))
                .await
        }
    };
    // No rights: the project is invisible.
    create_task(&pm)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // View only on the project: visible but not editable.
    sqlx::query("INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission) VALUES ('acme', 'employee', $1, 'project', $2::uuid, '{0}')")
        .bind(pm.id)
        .bind(project_id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.forget_cached_access().await;
    create_task(&pm)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // A cascading grant with Create and Edit on the project lets the PM create tasks inside it.
    sqlx::query("INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag) VALUES ('acme', 'employee', $1, 'project', $2::uuid, '{0,1,4}', true)")
        .bind(pm.id)
        .bind(project_id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.forget_cached_access().await;
    let created = create_task(&pm).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let task_id = created.json()["id"].as_str().unwrap().to_owned();
    let linked: i64 = sqlx::query_scalar("SELECT count(*) FROM app.d_entity_id_map WHERE parent_entity_id = $1::uuid AND child_entity_id = $2::uuid AND active_flag")
        .bind(project_id)
        .bind(&task_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(linked, 1);
    // ... and the new task is visible to them through the cascade.
    assert_eq!(
        app.get_as(&pm, &format!("/api/v1/task/{task_id}"))
            .await
            .status,
        StatusCode::OK
    );
    // Creating outside the project still needs Create on tasks.
    app.post_json("/api/v1/task", Some(&pm), &json!({"name": "Loose task"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // A type that may not be a child of a project has no such route.
    app.post_json(
        &format!("/api/v1/project/{project_id}/invoice_line"),
        Some(&admin),
        &json!({"name": "x"}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "route_not_found");
    // A failed create leaves neither a row nor a link.
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM app.d_task")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let bad = app
        .post_json(
            &format!("/api/v1/project/{project_id}/task"),
            Some(&admin),
            &json!({"name": "x", "story_points": -4}),
        )
        .await;
    bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM app.d_task")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(before, after);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn bad_input_is_always_a_4xx_and_writes_nothing(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |config| config.http.body_limit_bytes = 64 * 1024).await;
    let admin = app.tenant_with_admin("acme").await;
    let task = create(&app, &admin, EntityType::Task, "t").await;
    let task_path = format!("/api/v1/task/{}", task["id"].as_str().unwrap());
    let injection = "'; DROP TABLE app.d_task; --";

    let gets = [
        ("/api/v1/spaceship", StatusCode::NOT_FOUND),
        ("/api/v1/task/not-a-uuid", StatusCode::BAD_REQUEST),
        ("/api/v1/task?limit=0", StatusCode::BAD_REQUEST),
        ("/api/v1/task?limit=-5", StatusCode::BAD_REQUEST),
        ("/api/v1/task?limit=100000", StatusCode::BAD_REQUEST),
        ("/api/v1/task?limit=ten", StatusCode::BAD_REQUEST),
        ("/api/v1/task?sort=password_hash", StatusCode::BAD_REQUEST),
        ("/api/v1/task?sort=name;DROP", StatusCode::BAD_REQUEST),
        ("/api/v1/task?order=sideways", StatusCode::BAD_REQUEST),
        ("/api/v1/task?cursor=garbage", StatusCode::BAD_REQUEST),
        (
            "/api/v1/task?cursor=eyJzIjoibmFtZSJ9",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/task?no_such_field=1", StatusCode::BAD_REQUEST),
        (
            "/api/v1/task?due_date=lots",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/task?due_date.gte=yesterday",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/api/v1/task?name.gte=a", StatusCode::BAD_REQUEST),
        ("/api/v1/task?total=maybe", StatusCode::BAD_REQUEST),
        (
            "/api/v1/task?due_date.between=1",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (path, status) in gets {
        let response = app.get_as(&admin, path).await;
        assert!(
            response.status == status
                || (status == StatusCode::BAD_REQUEST
                    && response.status == StatusCode::UNPROCESSABLE_ENTITY),
            "{path}: {} {}",
            response.status,
            String::from_utf8_lossy(&response.body)
        );
        assert!(response.json()["error"]["code"].is_string(), "{path}");
    }
    // SQL metacharacters are data, never SQL.
    for path in [
        format!("/api/v1/task?q={}", urlencode(injection)),
        format!("/api/v1/task?code={}", urlencode(injection)),
        format!("/api/v1/task?tags={}", urlencode(injection)),
        format!("/api/v1/task?q={}", urlencode("%_\\")),
    ] {
        let response = app.get_as(&admin, &path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.json()["data"], json!([]), "{path}");
    }

    let writes = [
        (json!({"name": "x", "spaceship": 1}), "spaceship"),
        (json!({"name": 42}), "name"),
        (json!({"name": "x".repeat(501)}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x", "story_points": "many"}), "story_points"),
        (
            json!({"name": "x", "estimated_hours": "1.234"}),
            "estimated_hours",
        ),
        (json!({"name": "x", "due_date": "31/12/2026"}), "due_date"),
        (json!({"name": "x", "tags": "not-a-list"}), "tags"),
        (json!({"name": "x", "id": Uuid::new_v4()}), "id"),
        (
            json!({"name": "x", "version": 7, "created_ts": "2020-01-01T00:00:00Z"}),
            "created_ts",
        ),
        (json!({"name": "x", "slug": "Not A Slug"}), "slug"),
        (json!({"name": injection, "code": injection}), ""),
    ];
    let count = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM app.d_task")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let before = count(&app).await;
    for (body, field) in writes {
        let response = app.post_json("/api/v1/task", Some(&admin), &body).await;
        if field.is_empty() {
            // Harmless text is stored verbatim.
            assert_eq!(response.status, StatusCode::CREATED);
            app.exec("DELETE FROM app.d_entity_instance_id WHERE code LIKE '''%'")
                .await;
            continue;
        }
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            error["error"]["details"]["fields"][field].is_string(),
            "{body}: {error}"
        );
    }
    assert_eq!(
        count(&app).await,
        before + 1,
        "only the harmless record was written"
    );

    for (body, content_type, status) in [
        (
            "{not json",
            Some("application/json"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "[1, 2]",
            Some("application/json"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"name":"x"}"#,
            Some("text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (r#"{"name":"x"}"#, None, StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ] {
        let response = app.request(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/task")
                .header("authorization", format!("Bearer {}", admin.token))
                .header("content-type", content_type.unwrap_or(""))
                .body(axum::body::Body::from(body))
                .unwrap(),
        );
        let response = response.await;
        assert_eq!(response.status, status, "{body}");
        assert!(response.json()["error"]["code"].is_string());
    }
    let huge = json!({"name": "x", "descr": "y".repeat(100_000)});
    app.post_json("/api/v1/task", Some(&admin), &huge)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // Updates: version required, bad If-Match, empty change.
    patch(&app, &admin, &task_path, json!({"name": "no version"}))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    let response = app
        .request(
            axum::http::Request::builder()
                .method(Method::PATCH)
                .uri(&task_path)
                .header("authorization", format!("Bearer {}", admin.token))
                .header("content-type", "application/json")
                .header("if-match", "\"abc\"")
                .body(axum::body::Body::from(r#"{"name":"y"}"#))
                .unwrap(),
        )
        .await;
    response.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    patch(&app, &admin, &task_path, json!({"version": 1}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    // If-Match works as well as the body's version.
    let response = app
        .request(
            axum::http::Request::builder()
                .method(Method::PATCH)
                .uri(&task_path)
                .header("authorization", format!("Bearer {}", admin.token))
                .header("content-type", "application/json")
                .header("if-match", "\"1\"")
                .body(axum::body::Body::from(r#"{"name":"via if-match"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    // Duplicate codes are a conflict, not a 500.
    let dup = app
        .post_json(
            "/api/v1/task",
            Some(&admin),
            &json!({"name": "dup", "code": task["code"]}),
        )
        .await;
    dup.assert_error(StatusCode::CONFLICT, "conflict");
    // Without a token nothing is reachable.
    app.get("/api/v1/task")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every type, every sortable field, both directions: walking the pages as a user who sees a third
/// of the rows through instance grants yields exactly those rows, none twice; names come in
/// order; an equality filter finds a visible row and never an invisible one.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn every_type_pages_sorts_and_filters_exactly_the_visible_rows(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let viewer = app.employee("acme", "viewer").await;
    for entity in EntityType::ALL {
        let def: &EntityDef = entity.registry();
        let mut visible = HashSet::new();
        let mut hidden_code = None;
        let mut visible_code = None;
        for i in 0..15 {
            // Mixed case, so name order must be case-insensitive.
            let unique = if i % 2 == 0 {
                format!("walk{i:02}")
            } else {
                format!("WALK{i:02}")
            };
            let record = create(&app, &admin, entity, &unique).await;
            let id: Uuid = record["id"].as_str().unwrap().parse().unwrap();
            let code = record["code"].as_str().unwrap().to_owned();
            if i % 3 == 0 {
                crate::linkage::grant(
                    &app,
                    &admin,
                    viewer.id,
                    entity.as_str(),
                    Some(id),
                    &[0],
                    false,
                )
                .await;
                visible.insert(id.to_string());
                visible_code = Some(code);
            } else {
                hidden_code = Some(code);
            }
        }
        let sorts = def.fields.iter().filter(|f| f.sortable).map(|f| f.name);
        for sort in sorts {
            for order in ["asc", "desc"] {
                let mut seen = Vec::new();
                let mut names = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let mut path =
                        format!("/api/v1/{entity}?q=walk&limit=2&sort={sort}&order={order}");
                    if let Some(cursor) = &cursor {
                        path.push_str(&format!("&cursor={cursor}"));
                    }
                    let page = app.get_as(&viewer, &path).await;
                    assert_eq!(
                        page.status,
                        StatusCode::OK,
                        "{entity} {sort} {order}: {}",
                        String::from_utf8_lossy(&page.body)
                    );
                    let page = page.json();
                    for row in page["data"].as_array().unwrap() {
                        seen.push(row["id"].as_str().unwrap().to_owned());
                        names.push(row["name"].as_str().unwrap().to_lowercase());
                    }
                    match page["next_cursor"].as_str() {
                        Some(next) => cursor = Some(next.to_owned()),
                        None => break,
                    }
                    assert!(seen.len() <= 15, "{entity} {sort} {order}: endless pages");
                }
                let unique: HashSet<String> = seen.iter().cloned().collect();
                assert_eq!(
                    unique.len(),
                    seen.len(),
                    "{entity} {sort} {order}: a row repeated"
                );
                assert_eq!(unique, visible, "{entity} {sort} {order}: wrong rows");
                if sort == "name" {
                    let mut expected = names.clone();
                    expected.sort();
                    if order == "desc" {
                        expected.reverse();
                    }
                    assert_eq!(names, expected, "{entity}: name order {order}");
                }
            }
        }
        let by_code = |code: String| {
            let app = &app;
            let viewer = &viewer;
            async move {
                let page = app
                    .get_as(viewer, &format!("/api/v1/{entity}?code={code}"))
                    .await;
                assert_eq!(page.status, StatusCode::OK, "{entity} code filter");
                page.json()["data"].as_array().unwrap().len()
            }
        };
        assert_eq!(
            by_code(visible_code.unwrap()).await,
            1,
            "{entity}: visible by code"
        );
        assert_eq!(
            by_code(hidden_code.unwrap()).await,
            0,
            "{entity}: hidden by code"
        );
    }
}

/// Creates of one type running at once each get their own generated code (the counter is bumped
/// outside the create's transaction), and every create lands with its registry entry.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn concurrent_creates_get_distinct_codes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let creates = (0..24).map(|n| {
        let (app, admin) = (&app, &admin);
        async move {
            let body = json!({ "name": format!("Parallel task {n}") });
            app.post_json("/api/v1/task", Some(admin), &body).await
        }
    });
    let responses = futures::future::join_all(creates).await;
    let mut codes = HashSet::new();
    for response in &responses {
        assert_eq!(response.status, StatusCode::CREATED);
        let code = response.json()["code"].as_str().unwrap().to_owned();
        let number = code.strip_prefix("TSK-").expect("a task code");
        assert!(
            number.len() >= 4 && number.bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        assert!(codes.insert(code.clone()), "{code} handed out twice");
    }
    let registered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_entity_instance_id
         WHERE tenant_id = 'acme' AND entity_type = 'task' AND code = ANY($1)",
    )
    .bind(codes.iter().cloned().collect::<Vec<_>>())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(registered, 24);
}
