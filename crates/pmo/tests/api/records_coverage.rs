//! Gaps an audit of the generic record API found (issue 4): references to records the caller
//! cannot view, typed filters and non-name sorts with exact answers, what a PATCH stamps, the
//! registry row and the audit trail of every write, restore rules, operations lines, child routes
//! of several parents, hostile input, and the 1,000-row page walk for every one of the 18 types.

use std::collections::HashSet;

use axum::http::{Method, StatusCode};
use pmo::auth::CurrentUser;
use pmo::entity::EntityType;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse, TestUser};
use crate::linkage::grant;
use crate::records::{create, patch, urlencode};

// ---------------------------------------------------------------------------------------------
// Helpers

fn text(response: &TestResponse) -> String {
    String::from_utf8_lossy(&response.body).into_owned()
}

fn id_of(record: &Value) -> Uuid {
    record["id"].as_str().unwrap().parse().unwrap()
}

/// Any 4xx with the error envelope (never a 500, never a bare body).
fn assert_client_error(response: &TestResponse, what: &str) {
    assert!(
        response.status.is_client_error(),
        "{what}: {} {}",
        response.status,
        text(response)
    );
    let body = response.json();
    assert!(
        body["error"]["code"].is_string() && body["error"]["message"].is_string(),
        "{what}: no envelope: {body}"
    );
}

/// A new record of `entity` that `editor` may view, edit and delete (an instance grant): the
/// record, its id and its path.
async fn editable_record(
    app: &TestApp,
    admin: &TestUser,
    editor: &TestUser,
    entity: EntityType,
    label: &str,
) -> (Value, Uuid, String) {
    let record = create(app, admin, entity, label).await;
    let id = id_of(&record);
    grant(
        app,
        admin,
        editor.id,
        entity.as_str(),
        Some(id),
        &[0, 1, 3],
        false,
    )
    .await;
    (record, id, format!("/api/v1/{entity}/{id}"))
}

/// Every page of `path` (which has a query string) as `user`: the ids in the order served.
async fn walk(app: &TestApp, user: &TestUser, path: &str, max_rows: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_owned(),
        };
        let response = app.get_as(user, &url).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "{url}: {}",
            text(&response)
        );
        let page = response.json();
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(seen.len() <= max_rows, "{path}: runaway pagination");
    }
    seen
}

/// The ids of one page (no cursor walk).
async fn ids(app: &TestApp, user: &TestUser, path: &str) -> HashSet<String> {
    let response = app.get_as(user, path).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{path}: {}",
        text(&response)
    );
    response.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The `CurrentUser` a request of `user` would carry (no cache: every answer from the database).
fn current_user(user: &TestUser, admin: bool) -> CurrentUser {
    CurrentUser {
        tenant_id: user.tenant.clone(),
        employee_id: user.id,
        session_id: Uuid::nil(),
        tenant_admin: admin,
        name: String::new(),
        email: user.email.clone(),
        cache: None,
    }
}

// ---------------------------------------------------------------------------------------------
// 1. References go through the permission path

/// `values::reference_visible` on a write's own connection: an invisible record answers exactly
/// as a missing one; View (by instance grant, cascade or type grant) makes it nameable; admins
/// name anything live in their tenant and nothing in another tenant's.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn reference_visibility_follows_the_permission_path(pool: PgPool) {
    use pmo::entity::values::reference_visible;
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let other = app.tenant_with_admin("other").await;
    let clerk = app.employee("acme", "clerk").await;
    let project = id_of(&create(&app, &admin, EntityType::Project, "hidden").await);
    let granted = id_of(&create(&app, &admin, EntityType::Project, "granted").await);
    let under = id_of(
        &app.post_json(
            &format!("/api/v1/project/{granted}/task"),
            Some(&admin),
            &json!({"name": "Task under granted"}),
        )
        .await
        .json(),
    );
    let foreign = id_of(&create(&app, &other, EntityType::Project, "foreign").await);
    grant(&app, &admin, clerk.id, "project", Some(granted), &[0], true).await;

    let as_clerk = current_user(&clerk, false);
    let as_admin = current_user(&admin, true);
    // On one connection inside a transaction, as a write holds it.
    let mut tx = app.pool.begin().await.unwrap();
    let mut check = async |user: &CurrentUser, entity: EntityType, id: Uuid| -> bool {
        reference_visible(&mut tx, user, entity, id).await.unwrap()
    };
    assert!(!check(&as_clerk, EntityType::Project, project).await);
    assert!(!check(&as_clerk, EntityType::Project, Uuid::new_v4()).await);
    assert!(check(&as_clerk, EntityType::Project, granted).await);
    // The cascade reaches the task under the granted project (its mirrored parent).
    assert!(check(&as_clerk, EntityType::Task, under).await);
    assert!(!check(&as_clerk, EntityType::Project, foreign).await);
    // The right id under the wrong type is no reference either.
    assert!(!check(&as_clerk, EntityType::Client, granted).await);
    assert!(check(&as_admin, EntityType::Project, project).await);
    assert!(check(&as_admin, EntityType::Task, under).await);
    assert!(!check(&as_admin, EntityType::Project, foreign).await);
    assert!(!check(&as_admin, EntityType::Project, Uuid::new_v4()).await);
    tx.rollback().await.unwrap();

    // It never needs a second connection: on a pool of one, inside that one's transaction.
    let single = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with((*app.pool.connect_options()).clone())
        .await
        .unwrap();
    let mut tx = single.begin().await.unwrap();
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        reference_visible(&mut tx, &as_clerk, EntityType::Task, under),
    )
    .await
    .expect("waited for a second connection");
    assert!(answer.unwrap());
    tx.rollback().await.unwrap();

    // A type-wide View grant makes every live project nameable, and still no deleted one.
    grant(&app, &admin, clerk.id, "project", None, &[0], false).await;
    assert_eq!(
        app.delete_as(&admin, &format!("/api/v1/project/{granted}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let mut conn = app.pool.acquire().await.unwrap();
    assert!(
        reference_visible(&mut conn, &as_clerk, EntityType::Project, project)
            .await
            .unwrap()
    );
    assert!(
        !reference_visible(&mut conn, &as_clerk, EntityType::Project, granted)
            .await
            .unwrap(),
        "a deleted record is no reference"
    );
}

/// Through the API: a caller who may create orders but cannot view project P (or client C) gets
/// for P exactly the answer a random id gets, on create and on PATCH, and nothing is written; with
/// View on P the write goes through; an administrator's always does.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_reference_to_an_invisible_record_is_refused_like_a_missing_one(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let clerk = app.employee("acme", "clerk").await;
    let project = create(&app, &admin, EntityType::Project, "secret").await;
    let hidden_client = create(&app, &admin, EntityType::Client, "secret").await;
    let client = create(&app, &admin, EntityType::Client, "shared").await;
    grant(&app, &admin, clerk.id, "order", None, &[0, 1, 4], false).await;
    grant(
        &app,
        &admin,
        clerk.id,
        "client",
        Some(id_of(&client)),
        &[0],
        false,
    )
    .await;

    let orders = || {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM app.d_order")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let refused = |response: TestResponse, field: &str| {
        let body = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            body["error"]["details"]["fields"][field].is_string(),
            "{body}"
        );
        body["error"].clone()
    };
    let order = |client: Value, project: Value| {
        let app = &app;
        let clerk = &clerk;
        async move {
            app.post_json(
                "/api/v1/order",
                Some(clerk),
                &json!({"name": "Probe order", "client_id": client, "project_id": project}),
            )
            .await
        }
    };
    let before = orders().await;
    let invisible = refused(
        order(client["id"].clone(), project["id"].clone()).await,
        "project_id",
    );
    let missing = refused(
        order(client["id"].clone(), json!(Uuid::new_v4())).await,
        "project_id",
    );
    assert_eq!(
        invisible, missing,
        "an invisible project answers as a missing one"
    );
    assert_eq!(
        invisible["details"]["fields"]["project_id"],
        "no such project"
    );
    assert_eq!(
        refused(
            order(hidden_client["id"].clone(), Value::Null).await,
            "client_id"
        ),
        refused(order(json!(Uuid::new_v4()), Value::Null).await, "client_id"),
        "an invisible client answers as a missing one"
    );
    assert_eq!(orders().await, before, "nothing written");

    // PATCH: the same.
    let own = order(client["id"].clone(), Value::Null).await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", text(&own));
    let own_path = format!("/api/v1/order/{}", own.json()["id"].as_str().unwrap());
    let patched_invisible = refused(
        patch(
            &app,
            &clerk,
            &own_path,
            json!({"version": 1, "project_id": project["id"]}),
        )
        .await,
        "project_id",
    );
    let patched_missing = refused(
        patch(
            &app,
            &clerk,
            &own_path,
            json!({"version": 1, "project_id": Uuid::new_v4()}),
        )
        .await,
        "project_id",
    );
    assert_eq!(patched_invisible, patched_missing);
    assert!(app.get_as(&clerk, &own_path).await.json()["project_id"].is_null());

    // With View on the project the writes go through.
    grant(
        &app,
        &admin,
        clerk.id,
        "project",
        Some(id_of(&project)),
        &[0],
        false,
    )
    .await;
    let created = order(client["id"].clone(), project["id"].clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", text(&created));
    assert_eq!(created.json()["project_id"], project["id"]);
    let patched = patch(
        &app,
        &clerk,
        &own_path,
        json!({"version": 1, "project_id": project["id"]}),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", text(&patched));

    // An administrator names any record of the tenant.
    let by_admin = app
        .post_json(
            "/api/v1/order",
            Some(&admin),
            &json!({"name": "Admin order", "client_id": hidden_client["id"], "project_id": project["id"]}),
        )
        .await;
    assert_eq!(by_admin.status, StatusCode::CREATED, "{}", text(&by_admin));
}

// ---------------------------------------------------------------------------------------------
// i. The 1,000-row walk, for every type

/// One `INSERT … SELECT generate_series` of 1,000 rows of `entity` in tenant `acme`, coded
/// `<prefix>-W<n>` and named `Walk <n % 97>` (name ties, so the id tiebreak is exercised), with
/// the NOT NULL columns each table needs; then their registry rows. Inventory needs 1,000
/// distinct (office, product) pairs: one walk office with each walk product, so products and
/// offices are inserted first (`EntityType::ALL` order is not relied on).
fn bulk_insert_sql(entity: EntityType) -> String {
    let def = entity.registry();
    let prefix = def.code_prefix;
    let office = "(SELECT id FROM app.d_office WHERE tenant_id = 'acme' AND code = 'OFC-W1')";
    let client = "(SELECT id FROM app.d_client WHERE tenant_id = 'acme' AND code = 'CLI-W1')";
    let (columns, values, from) = match entity {
        EntityType::Business | EntityType::Office | EntityType::Position => {
            let level = match entity {
                EntityType::Business => "business_level",
                EntityType::Office => "office_level",
                _ => "position_level",
            };
            (format!(", {level}"), ", 0".to_owned(), String::new())
        }
        EntityType::Employee => (
            ", email".to_owned(),
            ", 'walk' || n || '@acme.example'".to_owned(),
            String::new(),
        ),
        EntityType::Artifact => (
            ", file_name, storage_key, upload_status".to_owned(),
            ", 'walk.pdf', 'tenant_id=acme/walk/' || n || '.pdf', 'available'".to_owned(),
            String::new(),
        ),
        EntityType::Inventory => (
            ", office_id, product_id".to_owned(),
            format!(", {office}, p.id"),
            " JOIN app.d_product p ON p.tenant_id = 'acme' AND p.code = 'SKU-W' || n".to_owned(),
        ),
        EntityType::Order | EntityType::Shipment => (
            ", client_id".to_owned(),
            format!(", {client}"),
            String::new(),
        ),
        EntityType::Invoice => (
            ", client_id, due_date".to_owned(),
            format!(", {client}, current_date + n % 50"),
            String::new(),
        ),
        _ => (String::new(), String::new(), String::new()),
    };
    format!(
        "INSERT INTO {table} (tenant_id, id, code, slug, name{columns})
           SELECT 'acme', gen_random_uuid(), '{prefix}-W' || n, 'walk-{entity}-' || n, 'Walk ' || (n % 97){values}
           FROM generate_series(1, 1000) n{from};
         INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
           SELECT tenant_id, '{entity}', id, name, code, slug FROM {table}
           WHERE tenant_id = 'acme' AND code LIKE '{prefix}-W%';",
        table = def.table,
    )
}

/// Every type, as a user who sees every third of 1,000 rows through instance grants: walking all
/// pages (37 a page) by the default sort — all rows tie on `updated_ts`, so only the id tiebreak
/// keeps pages apart — and by name (97 names over 1,000 rows) yields exactly the granted rows,
/// none twice, none missing, none invisible; `total` agrees.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn every_type_walks_a_thousand_rows_as_a_user_with_instance_grants(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    // Dependencies first: inventory needs the walk products and office, documents a client.
    let first = [EntityType::Product, EntityType::Office, EntityType::Client];
    let mut order = first.to_vec();
    order.extend(
        EntityType::ALL
            .into_iter()
            .filter(|entity| !first.contains(entity)),
    );
    assert_eq!(order.len(), 18);
    let script: String = order
        .iter()
        .map(|entity| bulk_insert_sql(*entity))
        .collect();
    app.exec(&script).await;
    for entity in EntityType::ALL {
        let def = entity.registry();
        let inserted: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM {} WHERE code LIKE '{}-W%'",
            def.table, def.code_prefix
        )))
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(inserted, 1000, "{entity}");
    }
    // Every third walk row of every type, as instance grants with View.
    let grants: String = EntityType::ALL
        .into_iter()
        .map(|entity| {
            let def = entity.registry();
            format!(
                "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission)
                   SELECT 'acme', 'employee', '{pat}', '{entity}', id, '{{0}}' FROM {table}
                   WHERE code LIKE '{prefix}-W%' AND substring(code from '-W([0-9]+)$')::int % 3 = 0;",
                pat = pat.id,
                table = def.table,
                prefix = def.code_prefix,
            )
        })
        .collect();
    app.exec(&grants).await;
    app.forget_cached_access().await;

    for entity in EntityType::ALL {
        let def = entity.registry();
        let expected: HashSet<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id::text FROM {} WHERE code LIKE '{}-W%' AND substring(code from '-W([0-9]+)$')::int % 3 = 0",
            def.table, def.code_prefix
        )))
        .fetch_all(&app.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        assert_eq!(expected.len(), 333, "{entity}");
        for sort in ["", "&sort=name", "&sort=name&order=desc"] {
            let first = app
                .get_as(&pat, &format!("/api/v1/{entity}?limit=37&total=true{sort}"))
                .await;
            assert_eq!(first.status, StatusCode::OK, "{entity}: {}", text(&first));
            assert_eq!(
                first.json()["total"].as_u64(),
                Some(333),
                "{entity}{sort}: total"
            );
            let seen = walk(
                &app,
                &pat,
                &format!("/api/v1/{entity}?limit=37{sort}"),
                1000,
            )
            .await;
            let unique: HashSet<String> = seen.iter().cloned().collect();
            assert_eq!(unique.len(), seen.len(), "{entity}{sort}: a row repeated");
            let invisible: Vec<&String> = unique.difference(&expected).collect();
            assert!(
                invisible.is_empty(),
                "{entity}{sort}: invisible rows {invisible:?}"
            );
            assert_eq!(
                unique.len(),
                expected.len(),
                "{entity}{sort}: {} rows skipped",
                expected.len() - unique.len()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// a. Typed filters

/// Ranges on a number and a date, `.in` on a datalabel (keys and names), `.null` both ways,
/// boolean equality, tags, a reference, and filters combined: each returns exactly the rows that
/// match and none that do not.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn typed_filters_return_exactly_the_matching_rows(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let project = create(&app, &admin, EntityType::Project, "filters").await;
    let under_project = format!("/api/v1/project/{}/task", project["id"].as_str().unwrap());
    // `project_id` mirrors the project link: a task gets it by being created under the project.
    let task = |name: &str, body: Value| {
        let app = &app;
        let admin = &admin;
        let mut body = body;
        body["name"] = json!(name);
        let path = match body.as_object_mut().unwrap().remove("project_id") {
            Some(_) => under_project.clone(),
            None => "/api/v1/task".to_owned(),
        };
        async move {
            let response = app.post_json(&path, Some(admin), &body).await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", text(&response));
            response.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let t1 = task(
        "Jan",
        json!({"due_date": "2026-01-10", "task_stage": 0, "tags": ["urgent", "roof"], "project_id": project["id"]}),
    )
    .await;
    let t2 = task(
        "Feb",
        json!({"due_date": "2026-02-15", "task_stage": "In Progress", "tags": ["roof"]}),
    )
    .await;
    let t3 = task(
        "Mar",
        json!({"due_date": "2026-03-20", "task_stage": 5, "tags": [], "project_id": project["id"]}),
    )
    .await;
    let t4 = task("Undated", json!({"task_stage": 2})).await;
    let set =
        |items: &[&String]| -> HashSet<String> { items.iter().map(|s| (*s).clone()).collect() };
    let cases: Vec<(String, HashSet<String>)> = vec![
        ("due_date.gte=2026-02-15".into(), set(&[&t2, &t3])),
        ("due_date.lte=2026-02-15".into(), set(&[&t1, &t2])),
        (
            "due_date.gte=2026-01-11&due_date.lte=2026-03-19".into(),
            set(&[&t2]),
        ),
        ("due_date=2026-03-20".into(), set(&[&t3])),
        ("due_date.null=true".into(), set(&[&t4])),
        ("due_date.null=false".into(), set(&[&t1, &t2, &t3])),
        ("task_stage.in=0,5".into(), set(&[&t1, &t3])),
        ("task_stage.in=Backlog,Done".into(), set(&[&t1, &t3])),
        ("task_stage=2".into(), set(&[&t2, &t4])),
        ("task_stage.in=3,4,6".into(), set(&[])),
        ("tags=roof".into(), set(&[&t1, &t2])),
        ("tags=urgent".into(), set(&[&t1])),
        ("tags=Roof".into(), set(&[])),
        (
            format!("project_id={}", project["id"].as_str().unwrap()),
            set(&[&t1, &t3]),
        ),
        ("project_id.null=true".into(), set(&[&t2, &t4])),
        (
            "task_stage.in=0,2,5&due_date.gte=2026-02-01&tags=roof".into(),
            set(&[&t2]),
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(
            ids(&app, &admin, &format!("/api/v1/task?limit=200&{query}")).await,
            expected,
            "task?{query}"
        );
    }

    // Numbers and booleans: worksites' safety rating (integer) and parking flag.
    let site = |name: &str, rating: Value, parking: Value| {
        let app = &app;
        let admin = &admin;
        let body = json!({"name": name, "safety_rating": rating, "vehicle_parking": parking});
        async move {
            let response = app.post_json("/api/v1/worksite", Some(admin), &body).await;
            assert_eq!(response.status, StatusCode::CREATED, "{}", text(&response));
            response.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let w1 = site("Yard", json!(1), json!(true)).await;
    let w3 = site("Depot", json!(3), json!(false)).await;
    let w5 = site("Plant", json!(5), json!(true)).await;
    // Booleans are NOT NULL columns: an unrated site parks nobody.
    let wn = site("Field", Value::Null, json!(false)).await;
    for (query, expected) in [
        ("safety_rating.gte=3", set(&[&w3, &w5])),
        ("safety_rating.lte=3", set(&[&w1, &w3])),
        ("safety_rating.gte=2&safety_rating.lte=4", set(&[&w3])),
        ("safety_rating=5", set(&[&w5])),
        ("safety_rating.in=1,5", set(&[&w1, &w5])),
        ("safety_rating.null=true", set(&[&wn])),
        ("vehicle_parking=true", set(&[&w1, &w5])),
        ("vehicle_parking=false", set(&[&w3, &wn])),
        ("vehicle_parking.null=true", set(&[])),
    ] {
        assert_eq!(
            ids(&app, &admin, &format!("/api/v1/worksite?limit=200&{query}")).await,
            expected,
            "worksite?{query}"
        );
    }
    // Filter values of the wrong type are a 422 naming the filter, never a silent empty list.
    for query in [
        "safety_rating.gte=high",
        "vehicle_parking=yes",
        "due_date.gte=2026-13-01",
        "task_stage.in=",
        "due_date.null=maybe",
        "tags.gte=a",
    ] {
        let entity = if query.starts_with("safety") || query.starts_with("vehicle") {
            "worksite"
        } else {
            "task"
        };
        let body = app
            .get_as(&admin, &format!("/api/v1/{entity}?{query}"))
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let key = query.split('=').next().unwrap();
        assert!(
            body["error"]["details"]["fields"][key].is_string(),
            "{query}: {body}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// b. Sorts on non-name fields

/// A sorted task as stored: id, updated hour, due day, story points, stage key.
type SortedRow = (Uuid, i64, Option<i64>, Option<i64>, i64);

/// Tasks with known values, walked 2, 3 and 5 to a page by a timestamp, a nullable date, a nullable
/// number and a datalabel key, both ways: the exact order is value, then id, in the direction
/// asked, NULLs last in both directions.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn non_name_sorts_walk_pages_in_exact_order(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    // 14 rows: distinct timestamps, dates with ties and NULLs, points with ties and NULLs,
    // stages with ties.
    app.exec(
        "INSERT INTO app.d_task (tenant_id, id, code, slug, name, updated_ts, due_date, story_points, task_stage)
         SELECT 'acme', gen_random_uuid(), 'S-' || n, 's-' || n, 'Sorted ' || n,
                timestamptz '2026-01-01' + ((n * 5) % 14) * interval '1 hour',
                CASE WHEN n % 4 = 0 THEN NULL ELSE date '2026-02-01' + (n % 3) END,
                CASE WHEN n % 5 = 0 THEN NULL ELSE n % 3 END,
                n % 4
         FROM generate_series(1, 14) n;
         INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
         SELECT tenant_id, 'task', id, name, code, slug FROM app.d_task;",
    )
    .await;
    // (id, updated hour, due day, points, stage) as stored.
    let rows: Vec<SortedRow> = sqlx::query_as(
        "SELECT id, extract(epoch FROM updated_ts)::bigint / 3600,
                (due_date - date '2026-01-01')::bigint, story_points::bigint, task_stage::bigint
         FROM app.d_task",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 14);
    type Key = fn(&SortedRow) -> Option<i64>;
    let sorts: [(&str, Key); 4] = [
        ("updated_ts", |r| Some(r.1)),
        ("due_date", |r| r.2),
        ("story_points", |r| r.3),
        ("task_stage", |r| Some(r.4)),
    ];
    for (sort, key) in sorts {
        for order in ["asc", "desc"] {
            let mut expected = rows.clone();
            expected.sort_by(|a, b| {
                let (ka, kb) = (key(a), key(b));
                match (ka, kb) {
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (Some(_), None) => std::cmp::Ordering::Less,
                    _ => {
                        let by_value = ka.cmp(&kb).then(a.0.cmp(&b.0));
                        if order == "asc" {
                            by_value
                        } else {
                            by_value.reverse()
                        }
                    }
                }
            });
            let expected: Vec<String> = expected.iter().map(|r| r.0.to_string()).collect();
            // Several page sizes, so some cursors sit on a tie, on the last value before the
            // NULLs, and on a NULL row itself.
            for limit in [2, 3, 5] {
                let seen = walk(
                    &app,
                    &admin,
                    &format!("/api/v1/task?limit={limit}&sort={sort}&order={order}"),
                    14,
                )
                .await;
                assert_eq!(seen, expected, "sort={sort}&order={order}&limit={limit}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// c. What a write stamps, and the registry row that follows it

/// For every type: a PATCH by another employee bumps `updated_ts` and `version`, sets
/// `updated_by` to them (not the creator), and a rename reaches `d_entity_instance_id` (what
/// search and pickers read); delete clears the registry row's active flag and restore sets it.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn writes_stamp_the_writer_and_the_registry_follows(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let editor = app.employee("acme", "editor").await;
    let registry = |entity: EntityType, id: Uuid| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (String, bool)>(
                "SELECT name, active_flag FROM app.d_entity_instance_id
                 WHERE tenant_id = 'acme' AND entity_type = $1 AND entity_id = $2",
            )
            .bind(entity.as_str())
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    for entity in EntityType::ALL {
        let (record, id, path) = editable_record(&app, &admin, &editor, entity, "stamp").await;
        // Timestamps have microsecond resolution; make "later" unambiguous.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let renamed = patch(
            &app,
            &editor,
            &path,
            json!({"name": format!("Renamed {entity} zq"), "version": record["version"]}),
        )
        .await;
        assert_eq!(
            renamed.status,
            StatusCode::OK,
            "{entity}: {}",
            text(&renamed)
        );
        let renamed = renamed.json();
        assert_eq!(renamed["version"], record["version"].as_i64().unwrap() + 1);
        assert_eq!(renamed["updated_by"], json!(editor.id), "{entity}");
        assert_eq!(renamed["created_by"], record["created_by"], "{entity}");
        let before: chrono::DateTime<chrono::Utc> =
            record["updated_ts"].as_str().unwrap().parse().unwrap();
        let after: chrono::DateTime<chrono::Utc> =
            renamed["updated_ts"].as_str().unwrap().parse().unwrap();
        assert!(after > before, "{entity}: updated_ts {before} -> {after}");
        assert_eq!(
            registry(entity, id).await,
            (format!("Renamed {entity} zq"), true),
            "{entity}: the registry has the new name"
        );
        // Pickers read the registry: the new name finds it.
        let options = app
            .get_as(&admin, &format!("/api/v1/entity/{entity}/options?q=zq"))
            .await;
        assert_eq!(
            options.status,
            StatusCode::OK,
            "{entity}: {}",
            text(&options)
        );
        assert!(
            text(&options).contains(&id.to_string()),
            "{entity}: options by the new name: {}",
            text(&options)
        );

        assert_eq!(
            app.delete_as(&editor, &path).await.status,
            StatusCode::NO_CONTENT,
            "{entity}"
        );
        assert!(
            !registry(entity, id).await.1,
            "{entity}: deleted in the registry"
        );
        let deleted = app.get_as(&admin, &path).await.json();
        assert_eq!(deleted["updated_by"], json!(editor.id));
        let restored = app
            .post_json(&format!("{path}/restore"), Some(&editor), &json!({}))
            .await;
        assert_eq!(
            restored.status,
            StatusCode::OK,
            "{entity}: {}",
            text(&restored)
        );
        assert!(
            registry(entity, id).await.1,
            "{entity}: restored in the registry"
        );
        assert!(
            restored.json()["to_ts"].is_null(),
            "{entity}: restore clears to_ts"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// d. The audit trail of every write

/// An audit row as read: action, actor, target type, before, after.
type AuditRow = (
    String,
    Option<Uuid>,
    Option<String>,
    Option<Value>,
    Option<Value>,
);

/// For every type, create, update, delete and restore each leave one audit row naming the actor,
/// the target type and id; the update's row holds the changed field before and after. (Artifacts
/// are created by the upload flow, audited by its own tests; here their row is made in SQL.)
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn every_write_of_every_type_is_audited(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let editor = app.employee("acme", "editor").await;
    for entity in EntityType::ALL {
        let (record, id, path) = editable_record(&app, &admin, &editor, entity, "audit").await;
        let renamed = patch(
            &app,
            &editor,
            &path,
            json!({"name": "Audited name", "version": record["version"]}),
        )
        .await;
        assert_eq!(
            renamed.status,
            StatusCode::OK,
            "{entity}: {}",
            text(&renamed)
        );
        assert_eq!(
            app.delete_as(&admin, &path).await.status,
            StatusCode::NO_CONTENT
        );
        let restored = app
            .post_json(&format!("{path}/restore"), Some(&editor), &json!({}))
            .await;
        assert_eq!(
            restored.status,
            StatusCode::OK,
            "{entity}: {}",
            text(&restored)
        );

        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT action, actor_employee_id, target_type, before, after FROM app.audit_log
                 WHERE tenant_id = 'acme' AND target_id = $1 AND action LIKE $2 ORDER BY id",
        )
        .bind(id.to_string())
        // The grants above are audited against the same id, as `rbac.grant`.
        .bind(format!("{entity}.%"))
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let mut expected = vec![
            format!("{entity}.update"),
            format!("{entity}.delete"),
            format!("{entity}.restore"),
        ];
        if entity != EntityType::Artifact {
            expected.insert(0, format!("{entity}.create"));
        }
        assert_eq!(actions, expected, "{entity}");
        let by_action = |action: &str| {
            rows.iter()
                .find(|r| r.0 == format!("{entity}.{action}"))
                .unwrap()
        };
        for (action, actor) in [
            ("update", editor.id),
            ("delete", admin.id),
            ("restore", editor.id),
        ] {
            let row = by_action(action);
            assert_eq!(row.1, Some(actor), "{entity}.{action}: actor");
            assert_eq!(row.2.as_deref(), Some(entity.as_str()), "{entity}.{action}");
        }
        if entity != EntityType::Artifact {
            let created = by_action("create");
            assert_eq!(created.1, Some(admin.id));
            assert_eq!(created.4.as_ref().unwrap()["name"], record["name"]);
        }
        let update = by_action("update");
        assert_eq!(
            update.3.as_ref().unwrap()["name"],
            record["name"],
            "{entity}: before"
        );
        assert_eq!(
            update.4.as_ref().unwrap()["name"],
            "Audited name",
            "{entity}: after"
        );
        assert_eq!(
            by_action("delete").4.as_ref().unwrap()["active_flag"],
            false
        );
        assert_eq!(
            by_action("restore").4.as_ref().unwrap()["active_flag"],
            true
        );
    }
}

// ---------------------------------------------------------------------------------------------
// e. Restore rules

/// Restore needs Delete: 404 for a caller who cannot see the record, 403 for one who sees it
/// without Delete; a live record is a 409; another tenant's id is a 404 — and none of them
/// changes anything.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn restore_checks_permission_state_and_tenant(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let stranger = app.tenant_with_admin("other").await;
    let viewer = app.employee("acme", "viewer").await;
    let nobody = app.employee("acme", "nobody").await;
    let deleter = app.employee("acme", "deleter").await;
    for entity in [EntityType::Task, EntityType::Client, EntityType::Invoice] {
        let record = create(&app, &admin, entity, "restore").await;
        let id = id_of(&record);
        let path = format!("/api/v1/{entity}/{id}");
        let restore = format!("{path}/restore");
        grant(
            &app,
            &admin,
            viewer.id,
            entity.as_str(),
            Some(id),
            &[0, 1],
            false,
        )
        .await;
        grant(
            &app,
            &admin,
            deleter.id,
            entity.as_str(),
            Some(id),
            &[3],
            false,
        )
        .await;

        // A live record cannot be restored.
        app.post_json(&restore, Some(&admin), &json!({}))
            .await
            .assert_error(StatusCode::CONFLICT, "conflict");
        assert_eq!(
            app.delete_as(&admin, &path).await.status,
            StatusCode::NO_CONTENT
        );
        let deleted = app.get_as(&admin, &path).await.json();
        let state = || {
            let pool = app.pool.clone();
            let table = entity.registry().table;
            async move {
                sqlx::query_as::<_, (bool, i32)>(sqlx::AssertSqlSafe(format!(
                    "SELECT active_flag, version FROM {table} WHERE id = $1"
                )))
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };
        let deleted_state = state().await;
        assert!(!deleted_state.0);

        app.post_json(&restore, Some(&nobody), &json!({}))
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
        app.post_json(&restore, Some(&viewer), &json!({}))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
        app.post_json(&restore, Some(&stranger), &json!({}))
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
        app.post_json(
            &format!("/api/v1/{entity}/{}/restore", Uuid::new_v4()),
            Some(&admin),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
        assert_eq!(
            state().await,
            deleted_state,
            "{entity}: refusals change nothing"
        );
        assert_eq!(app.get_as(&admin, &path).await.json(), deleted);

        let restored = app.post_json(&restore, Some(&deleter), &json!({})).await;
        assert_eq!(
            restored.status,
            StatusCode::OK,
            "{entity}: {}",
            text(&restored)
        );
        assert_eq!(state().await, (true, deleted_state.1 + 1));
        app.post_json(&restore, Some(&deleter), &json!({}))
            .await
            .assert_error(StatusCode::CONFLICT, "conflict");
    }
}

// ---------------------------------------------------------------------------------------------
// f. Operations lines

/// Invoice lines: line discount, subtotal, tax and total are computed by the server, and so are
/// the header's totals; shipment lines are stored and returned; a line naming another tenant's
/// product is refused and writes nothing.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn operations_lines_are_computed_stored_and_checked(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let stranger = app.tenant_with_admin("other").await;
    let client = create(&app, &admin, EntityType::Client, "ops").await;
    let product = create(&app, &admin, EntityType::Product, "ops").await;
    let foreign_product = create(&app, &stranger, EntityType::Product, "theirs").await;

    let invoice = app
        .post_json(
            "/api/v1/invoice",
            Some(&admin),
            &json!({"name": "Spring invoice", "client_id": client["id"], "due_date": "2099-01-31", "lines": [
                {"product_id": product["id"], "description": "Filters", "quantity": "2", "unit_price": "10.00",
                 "discount_pct": "10", "tax_rate": "0.13"},
                {"line_item_type": "labor", "description": "Install", "quantity": "1.5", "unit_price": "40.00",
                 "tax_rate": "0.05"}
            ]}),
        )
        .await;
    assert_eq!(invoice.status, StatusCode::CREATED, "{}", text(&invoice));
    let invoice = invoice.json();
    let lines = invoice["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    // 2 × 10.00 less 10 % = 18.00, tax 13 % = 2.34; 1.5 × 40.00 = 60.00, tax 5 % = 3.00.
    assert_eq!(
        (
            &lines[0]["line_discount"],
            &lines[0]["line_subtotal"],
            &lines[0]["line_tax"],
            &lines[0]["line_total"]
        ),
        (
            &json!("2.00"),
            &json!("18.00"),
            &json!("2.34"),
            &json!("20.34")
        )
    );
    assert_eq!(
        (
            &lines[1]["line_subtotal"],
            &lines[1]["line_tax"],
            &lines[1]["line_total"]
        ),
        (&json!("60.00"), &json!("3.00"), &json!("63.00"))
    );
    assert_eq!(invoice["subtotal"], "78.00");
    assert_eq!(invoice["discount_total"], "2.00");
    assert_eq!(invoice["tax_total"], "5.34");
    assert_eq!(invoice["total"], "83.34");
    // The server's totals cannot be written, nor line amounts.
    let path = format!("/api/v1/invoice/{}", invoice["id"].as_str().unwrap());
    patch(
        &app,
        &admin,
        &path,
        json!({"version": invoice["version"], "total": "1.00"}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    patch(
        &app,
        &admin,
        &path,
        json!({"version": invoice["version"], "lines": [{"description": "x", "quantity": "1", "unit_price": "1", "line_total": "9"}]}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // A line naming another tenant's product: refused, nothing written (header nor lines).
    let counts = || {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (i64, i64, i64, i64)>(
                "SELECT (SELECT count(*) FROM app.d_invoice), (SELECT count(*) FROM app.d_invoice_line),
                        (SELECT count(*) FROM app.d_shipment), (SELECT count(*) FROM app.d_shipment_line)",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = counts().await;
    let cross = app
        .post_json(
            "/api/v1/invoice",
            Some(&admin),
            &json!({"name": "Cross", "client_id": client["id"], "due_date": "2099-01-31", "lines": [
                {"product_id": foreign_product["id"], "description": "Theirs", "quantity": "1", "unit_price": "1.00"}
            ]}),
        )
        .await;
    let error = cross.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        error["error"]["details"]["fields"]["lines[0].product_id"].is_string(),
        "{error}"
    );
    let cross_shipment = app
        .post_json(
            "/api/v1/shipment",
            Some(&admin),
            &json!({"name": "Cross", "client_id": client["id"], "lines": [
                {"product_id": foreign_product["id"], "quantity_shipped": "1"}
            ]}),
        )
        .await;
    assert_client_error(
        &cross_shipment,
        "shipment line with another tenant's product",
    );
    // Replacing the lines of an existing invoice with a foreign product leaves the old ones.
    patch(
        &app,
        &admin,
        &path,
        json!({"version": invoice["version"], "lines": [
            {"product_id": foreign_product["id"], "description": "Theirs", "quantity": "1", "unit_price": "1.00"}
        ]}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(counts().await, before, "nothing written");
    let unchanged = app.get_as(&admin, &path).await.json();
    assert_eq!(unchanged["total"], "83.34");
    assert_eq!(unchanged["lines"].as_array().unwrap().len(), 2);

    // Shipment lines are stored and come back with the header, in order.
    let shipment = app
        .post_json(
            "/api/v1/shipment",
            Some(&admin),
            &json!({"name": "Spring delivery", "client_id": client["id"], "lines": [
                {"product_id": product["id"], "description": "Filters", "quantity_shipped": "2"},
                {"product_id": product["id"], "quantity_shipped": "0.5"}
            ]}),
        )
        .await;
    assert_eq!(shipment.status, StatusCode::CREATED, "{}", text(&shipment));
    let shipment = shipment.json();
    let shipment_path = format!("/api/v1/shipment/{}", shipment["id"].as_str().unwrap());
    let fetched = app.get_as(&admin, &shipment_path).await.json();
    let lines = fetched["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{fetched}");
    assert_eq!(lines[0]["line_no"], 1);
    assert_eq!(lines[0]["description"], "Filters");
    assert_eq!(lines[0]["quantity_shipped"], "2.000");
    assert_eq!(lines[1]["line_no"], 2);
    assert_eq!(lines[1]["quantity_shipped"], "0.500");
    assert_eq!(lines[1]["product_id"], product["id"]);
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM app.d_shipment_line WHERE shipment_id = $1::uuid")
            .bind(shipment["id"].as_str().unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, 2);
}

// ---------------------------------------------------------------------------------------------
// g. Child routes and tabs beyond project → task

/// `GET/POST /api/v1/{parent}/{id}/{child}` and child-tab counts for a linked pair (client →
/// project), a linked pair cascades never reach (office → employee) and a column-stored pair
/// (order → invoice, shipment): the created child is under its parent, and a restricted caller's
/// lists and counts hold exactly the children they may see.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn child_routes_and_tabs_hold_what_the_caller_sees(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let viewer = app.employee("acme", "viewer").await;
    let tab_count = |tabs: &Value, child: &str| -> i64 {
        tabs["tabs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["entity"] == child)
            .unwrap_or_else(|| panic!("no {child} tab: {tabs}"))["count"]
            .as_i64()
            .unwrap()
    };
    let children = |parent: &'static str, id: Uuid, child: &'static str, n: usize, extra: Value| {
        let app = &app;
        let admin = &admin;
        let path = format!("/api/v1/{parent}/{id}/{child}");
        async move {
            let mut made = Vec::new();
            for i in 0..n {
                let mut body = extra.clone();
                body["name"] = json!(format!("{child} {i} of {parent}"));
                if child == "employee" {
                    body["email"] = json!(format!("{parent}{i}@acme.example"));
                }
                let response = app.post_json(&path, Some(admin), &body).await;
                assert_eq!(
                    response.status,
                    StatusCode::CREATED,
                    "{path}: {}",
                    text(&response)
                );
                made.push(id_of(&response.json()));
            }
            made
        }
    };

    // client → project: linked.
    let client = id_of(&create(&app, &admin, EntityType::Client, "kids").await);
    let projects = children("client", client, "project", 3, json!({})).await;
    let links: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_entity_id_map WHERE parent_entity_id = $1 AND child_entity_type = 'project' AND active_flag",
    )
    .bind(client)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(links, 3);
    let list = format!("/api/v1/client/{client}/project?limit=200&total=true");
    let tabs = format!("/api/v1/entity/client/{client}/child-tabs");
    app.get_as(&viewer, &list)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get_as(&viewer, &tabs)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    grant(&app, &admin, viewer.id, "client", Some(client), &[0], false).await;
    grant(
        &app,
        &admin,
        viewer.id,
        "project",
        Some(projects[1]),
        &[0],
        false,
    )
    .await;
    let page = app.get_as(&viewer, &list).await.json();
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(
        ids(&app, &viewer, &list).await,
        HashSet::from([projects[1].to_string()])
    );
    assert_eq!(
        tab_count(&app.get_as(&viewer, &tabs).await.json(), "project"),
        1
    );
    assert_eq!(
        tab_count(&app.get_as(&admin, &tabs).await.json(), "project"),
        3
    );
    assert_eq!(app.get_as(&admin, &list).await.json()["total"], 3);
    // A cascading grant on the client reaches every project linked under it.
    grant(&app, &admin, viewer.id, "client", Some(client), &[0], true).await;
    assert_eq!(ids(&app, &viewer, &list).await.len(), 3);
    assert_eq!(
        tab_count(&app.get_as(&viewer, &tabs).await.json(), "project"),
        3
    );
    // View on the parent is not Edit: no creating under it.
    app.post_json(
        &format!("/api/v1/client/{client}/project"),
        Some(&viewer),
        &json!({"name": "Sneaky"}),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // A pair the registry does not allow has no route.
    app.get_as(&admin, &format!("/api/v1/client/{client}/task"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "route_not_found");

    // office → employee: linked, and cascades never reach employees.
    let office = id_of(&create(&app, &admin, EntityType::Office, "staff").await);
    let staff = children(
        "office",
        office,
        "employee",
        2,
        json!({"government_id": "999-000-111", "salary_band": "S1"}),
    )
    .await;
    grant(&app, &admin, viewer.id, "office", Some(office), &[0], true).await;
    let list = format!("/api/v1/office/{office}/employee?limit=200&total=true");
    let tabs = format!("/api/v1/entity/office/{office}/child-tabs");
    assert_eq!(ids(&app, &viewer, &list).await, HashSet::new());
    assert_eq!(
        tab_count(&app.get_as(&viewer, &tabs).await.json(), "employee"),
        0
    );
    grant(
        &app,
        &admin,
        viewer.id,
        "employee",
        Some(staff[0]),
        &[0],
        false,
    )
    .await;
    let page = app.get_as(&viewer, &list).await;
    assert_eq!(page.json()["total"], 1);
    assert_eq!(
        ids(&app, &viewer, &list).await,
        HashSet::from([staff[0].to_string()])
    );
    assert_eq!(
        tab_count(&app.get_as(&viewer, &tabs).await.json(), "employee"),
        1
    );
    let admin_page = app.get_as(&admin, &list).await;
    assert_eq!(admin_page.json()["total"], 2);
    for body in [text(&page), text(&admin_page)] {
        assert!(
            !body.contains("government_id")
                && !body.contains("salary_band")
                && !body.contains("999-000-111"),
            "child lists carry no sensitive fields: {body}"
        );
    }

    // order → invoice and shipment: stored as the child's order_id.
    let order = create(&app, &admin, EntityType::Order, "kids").await;
    let order_id = id_of(&order);
    let invoices = children(
        "order",
        order_id,
        "invoice",
        2,
        json!({"client_id": order["client_id"], "due_date": "2099-12-31"}),
    )
    .await;
    let stored: Vec<Option<Uuid>> =
        sqlx::query_scalar("SELECT order_id FROM app.d_invoice WHERE id = ANY($1)")
            .bind(&invoices)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, vec![Some(order_id); 2]);
    let tabs = format!("/api/v1/entity/order/{order_id}/child-tabs");
    let admin_tabs = app.get_as(&admin, &tabs).await.json();
    assert_eq!(
        (
            tab_count(&admin_tabs, "invoice"),
            tab_count(&admin_tabs, "shipment")
        ),
        (2, 0)
    );
    children(
        "order",
        order_id,
        "shipment",
        1,
        json!({"client_id": order["client_id"]}),
    )
    .await;
    assert_eq!(
        tab_count(&app.get_as(&admin, &tabs).await.json(), "shipment"),
        1
    );
    grant(
        &app,
        &admin,
        viewer.id,
        "order",
        Some(order_id),
        &[0],
        false,
    )
    .await;
    grant(
        &app,
        &admin,
        viewer.id,
        "invoice",
        Some(invoices[1]),
        &[0],
        false,
    )
    .await;
    let viewer_tabs = app.get_as(&viewer, &tabs).await.json();
    assert_eq!(
        (
            tab_count(&viewer_tabs, "invoice"),
            tab_count(&viewer_tabs, "shipment")
        ),
        (1, 0)
    );
    assert_eq!(
        ids(
            &app,
            &viewer,
            &format!("/api/v1/order/{order_id}/invoice?limit=200")
        )
        .await,
        HashSet::from([invoices[1].to_string()])
    );
    assert_eq!(
        ids(&app, &viewer, &format!("/api/v1/order/{order_id}/shipment")).await,
        HashSet::new()
    );
}

// ---------------------------------------------------------------------------------------------
// h. Hostile input

/// Invalid UUIDs wherever an id goes, SQL metacharacters in every string parameter, oversize
/// search and filter values, and filters on sensitive fields: each a 4xx with the envelope or an
/// empty answer — never a 500, never a write — and sensitive fields never in a list.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn hostile_input_gets_a_4xx_envelope_or_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let project = id_of(&create(&app, &admin, EntityType::Project, "h").await);
    let client = create(&app, &admin, EntityType::Client, "h").await;
    let employee = app
        .post_json(
            "/api/v1/employee",
            Some(&admin),
            &json!({"name": "Sam Secret", "email": "sam@acme.example", "government_id": "123-45-678",
                    "birth_date": "1990-04-01", "salary_band": "B7", "pay_grade": "G3"}),
        )
        .await;
    assert_eq!(employee.status, StatusCode::CREATED, "{}", text(&employee));
    let counts = || {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (i64, i64, i64)>(
                "SELECT (SELECT count(*) FROM app.d_task), (SELECT count(*) FROM app.d_order),
                        (SELECT count(*) FROM app.d_entity_id_map)",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    // Rows a LIKE pattern or an injected condition would match if metacharacters reached SQL.
    let task = app
        .post_json(
            "/api/v1/task",
            Some(&admin),
            &json!({"name": "Plain task", "code": "PLAIN-1"}),
        )
        .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", text(&task));
    let city = patch(
        &app,
        &admin,
        &format!("/api/v1/client/{}", client["id"].as_str().unwrap()),
        json!({"version": client["version"], "city": "Springfield"}),
    )
    .await;
    assert_eq!(city.status, StatusCode::OK, "{}", text(&city));
    let before = counts().await;

    // Invalid UUIDs: in a body's reference, a child route's parent, restore and child-tabs
    // paths, and a uuid filter.
    let bad_ids = [
        "not-a-uuid",
        "1234",
        "'%3B--",
        "00000000-0000-0000-0000-00000000000g",
    ];
    for bad in bad_ids {
        let order = app
            .post_json(
                "/api/v1/order",
                Some(&admin),
                &json!({"name": "x", "client_id": bad, "project_id": project}),
            )
            .await;
        let error = order.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            error["error"]["details"]["fields"]["client_id"].is_string(),
            "{error}"
        );
        let order = app
            .post_json(
                "/api/v1/order",
                Some(&admin),
                &json!({"name": "x", "client_id": client["id"], "project_id": bad}),
            )
            .await;
        order.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        for path in [
            format!("/api/v1/project/{bad}/task"),
            format!("/api/v1/entity/project/{bad}/child-tabs"),
            format!("/api/v1/order?client_id={bad}"),
            format!("/api/v1/artifact?entity_id={bad}"),
            format!("/api/v1/task?project_id.in={project},{bad}"),
        ] {
            assert_client_error(&app.get_as(&admin, &path).await, &path);
        }
        for path in [
            format!("/api/v1/project/{bad}/task"),
            format!("/api/v1/task/{bad}/restore"),
        ] {
            let response = app
                .post_json(&path, Some(&admin), &json!({"name": "x"}))
                .await;
            assert_client_error(&response, &path);
        }
    }

    // SQL metacharacters: refused or matched as plain data.
    for nasty in ["'; DROP TABLE app.d_task; --", "%", "_", "\\", "%_\\'\""] {
        let encoded = urlencode(nasty);
        for path in [
            format!("/api/v1/task?order={encoded}"),
            format!("/api/v1/task?sort={encoded}"),
            format!("/api/v1/task?cursor={encoded}"),
            format!("/api/v1/setting/{encoded}"),
            format!("/api/v1/task?limit={encoded}"),
            format!("/api/v1/task?total={encoded}"),
        ] {
            let response = app.get_as(&admin, &path).await;
            assert_client_error(&response, &path);
        }
        for path in [
            format!("/api/v1/task?task_stage={encoded}"),
            format!("/api/v1/task?task_stage.in=1,{encoded}"),
            format!("/api/v1/task?q={encoded}"),
            format!("/api/v1/task?code={encoded}"),
            format!("/api/v1/client?city={encoded}"),
            format!("/api/v1/entity/task/options?q={encoded}"),
            format!("/api/v1/search?q={encoded}"),
        ] {
            let response = app.get_as(&admin, &path).await;
            assert!(
                response.status == StatusCode::OK || response.status.is_client_error(),
                "{path}: {} {}",
                response.status,
                text(&response)
            );
            if response.status == StatusCode::OK {
                assert!(
                    !text(&response).contains("\"id\""),
                    "{path}: metacharacters matched rows: {}",
                    text(&response)
                );
            } else {
                assert_client_error(&response, &path);
            }
        }
        let encoded_path = format!("/api/v1/setting/task_stage/{encoded}");
        let response = app
            .send_json(
                Method::PATCH,
                &encoded_path,
                Some(&admin),
                Some(&json!({"name": "x"})),
            )
            .await;
        assert_client_error(&response, &encoded_path);
    }

    // Oversize search and filter values.
    let long = "x".repeat(201);
    for path in [
        format!("/api/v1/task?q={long}"),
        format!("/api/v1/client?q={long}"),
    ] {
        app.get_as(&admin, &path)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    // Longer than the field itself may be: the filter is invalid (422 naming it).
    let code = app
        .get_as(&admin, &format!("/api/v1/task?code={}", "x".repeat(101)))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        code["error"]["details"]["fields"]["code"].is_string(),
        "{code}"
    );
    // A text filter whose field has no length limit of its own is capped like every filter value.
    app.get_as(&admin, &format!("/api/v1/client?city={}", "x".repeat(5000)))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");

    // An explicit null for a field the database requires: a 422 naming the field.
    let null_flag = app
        .post_json(
            "/api/v1/worksite",
            Some(&admin),
            &json!({"name": "Yard", "vehicle_parking": null}),
        )
        .await;
    let body = null_flag.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(
        body["error"]["details"]["fields"]["vehicle_parking"], "must have a value",
        "{body}"
    );

    // Sensitive employee fields: never a filter or a sort, never in a list.
    for query in [
        "government_id=123-45-678",
        "government_id.null=false",
        "birth_date.gte=1900-01-01",
        "birth_date=1990-04-01",
        "salary_band=B7",
        "pay_grade.in=G3",
        "sort=birth_date",
        "sort=pay_grade",
    ] {
        app.get_as(&admin, &format!("/api/v1/employee?{query}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    let list = app.get_as(&admin, "/api/v1/employee?limit=200&q=sam").await;
    assert_eq!(list.status, StatusCode::OK);
    let body = text(&list);
    assert!(body.contains("Sam Secret"), "{body}");
    for secret in [
        "government_id",
        "birth_date",
        "salary_band",
        "pay_grade",
        "123-45-678",
        "1990-04-01",
        "B7",
    ] {
        assert!(!body.contains(secret), "`{secret}` in a list: {body}");
    }

    assert_eq!(counts().await, before, "no hostile request wrote anything");
}

// ---------------------------------------------------------------------------------------------
// Display names of datalabels and references (read once per page, `records::attach_names`)

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn names_of_labels_and_references_follow_their_sources_in_lists_gets_and_lines(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let project = create(&app, &admin, EntityType::Project, "names").await;
    let project_path = format!("/api/v1/project/{}", id_of(&project));
    let stages: Value = app
        .get_as(&admin, "/api/v1/setting/task_stage")
        .await
        .json();
    let stage_name = |key: i64| {
        stages["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .map(|s| s["name"].clone())
            .unwrap()
    };
    for (name, stage) in [("Linked one", 2), ("Linked two", 3)] {
        let created = app
            .post_json(
                &format!("{project_path}/task"),
                Some(&admin),
                &json!({"name": name, "task_stage": stage}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", text(&created));
    }
    let loose = app
        .post_json(
            "/api/v1/task",
            Some(&admin),
            &json!({"name": "Loose one", "task_stage": 0}),
        )
        .await;
    assert_eq!(loose.status, StatusCode::CREATED, "{}", text(&loose));

    let tasks = task_page(&app, &admin).await;
    assert_eq!(tasks.len(), 3);
    for task in &tasks {
        let linked = task["name"].as_str().unwrap().starts_with("Linked");
        assert_eq!(
            task["project_id_name"],
            if linked {
                project["name"].clone()
            } else {
                Value::Null
            },
            "{task}"
        );
        assert_eq!(
            task["task_stage_name"],
            stage_name(task["task_stage"].as_i64().unwrap())
        );
        assert_eq!(task["created_by_name"], "Ada Admin", "{task}");
    }

    // A rename shows in every record that names the project, in lists and in a GET.
    let renamed = patch(
        &app,
        &admin,
        &project_path,
        json!({"version": project["version"], "name": "Renamed project"}),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", text(&renamed));
    let tasks = task_page(&app, &admin).await;
    let linked: Vec<&Value> = tasks
        .iter()
        .filter(|t| t["project_id"] == project["id"])
        .collect();
    assert_eq!(linked.len(), 2);
    assert!(
        linked
            .iter()
            .all(|t| t["project_id_name"] == "Renamed project")
    );
    let one = app
        .get_as(&admin, &format!("/api/v1/task/{}", id_of(linked[0])))
        .await
        .json();
    assert_eq!(one["project_id_name"], "Renamed project");
    assert_eq!(one["task_stage_name"], linked[0]["task_stage_name"]);

    // Lines name their product; a line without one names nothing.
    let client = create(&app, &admin, EntityType::Client, "names").await;
    let product = create(&app, &admin, EntityType::Product, "names").await;
    let invoice = app
        .post_json(
            "/api/v1/invoice",
            Some(&admin),
            &json!({"name": "Named lines", "client_id": client["id"], "due_date": "2099-01-31", "lines": [
                {"product_id": product["id"], "description": "Filters", "quantity": "1", "unit_price": "5.00"},
                {"line_item_type": "labor", "description": "Fit", "quantity": "1", "unit_price": "9.00"}
            ]}),
        )
        .await;
    assert_eq!(invoice.status, StatusCode::CREATED, "{}", text(&invoice));
    let invoice = app
        .get_as(
            &admin,
            &format!("/api/v1/invoice/{}", id_of(&invoice.json())),
        )
        .await
        .json();
    assert_eq!(invoice["client_id_name"], client["name"]);
    let lines = invoice["lines"].as_array().unwrap();
    assert_eq!(lines[0]["product_id_name"], product["name"], "{invoice}");
    assert_eq!(lines[1]["product_id_name"], Value::Null, "{invoice}");
}

/// Every task of the tenant by name, as the admin sees the list.
async fn task_page(app: &TestApp, admin: &TestUser) -> Vec<Value> {
    let page = app.get_as(admin, "/api/v1/task?sort=name&order=asc").await;
    assert_eq!(page.status, StatusCode::OK, "{}", text(&page));
    page.json()["data"].as_array().unwrap().clone()
}

/// Records are written as JSON text straight from the row (`entity::row_json`): every column reads
/// as PostgreSQL's own `to_jsonb` writes it — escapes, unicode, nested JSON, dates, timestamps,
/// nulls — and the text is exactly what a sorted JSON map would give, in lists and in a GET.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn records_read_as_postgres_writes_them_in_lists_and_gets(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let admin = app.tenant_with_admin("acme").await;
    let project = create(&app, &admin, EntityType::Project, "json forms").await;
    let created = app
        .post_json(
            &format!("/api/v1/project/{}/task", id_of(&project)),
            Some(&admin),
            &json!({
                "name": "Quote \" backslash \\ tab \t — ünïcødé 🚧 </script>",
                "descr": "line one\nline two, \u{2028} separator",
                "tags": ["a\"b", "ü"],
                "metadata": {"nested": {"list": [1, 2.5, null, true, "x"]}, "z": "é", "empty": {}},
                "due_date": "2026-02-03",
                "story_points": 5,
                "estimated_hours": "12.50",
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", text(&created));
    let id = id_of(&created.json());
    // Microseconds with a trailing zero, and a whole second, as PostgreSQL trims them.
    // Control characters the API refuses can still come from older data or imports.
    sqlx::query(
        "UPDATE app.d_task SET from_ts = '2026-03-04 05:06:07.120+00', \
         to_ts = '2026-03-04 05:06:08+00', descr = descr || E' \\x07 bell' WHERE id = $1",
    )
    .bind(id)
    .execute(&pool)
    .await
    .unwrap();

    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('TimeZone', 'UTC', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let postgres: Value = sqlx::query_scalar("SELECT to_jsonb(t) FROM app.d_task t WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let list = app
        .get_as(&admin, &format!("/api/v1/project/{}/task", id_of(&project)))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", text(&list));
    let get = app.get_as(&admin, &format!("/api/v1/task/{id}")).await;
    assert_eq!(get.status, StatusCode::OK, "{}", text(&get));
    let listed = list.json()["data"][0].clone();
    for record in [&listed, &get.json()] {
        let mut compared = 0;
        for (key, value) in record.as_object().unwrap() {
            // Money and decimals are text on purpose; everything else reads as PostgreSQL writes it.
            if let Some(expected) = postgres.get(key)
                && !matches!(key.as_str(), "estimated_hours" | "actual_hours")
            {
                assert_eq!(value, expected, "{key}");
                compared += 1;
            }
        }
        assert!(compared >= 18, "only {compared} columns compared: {record}");
        assert_eq!(record["project_id_name"], project["name"]);
        assert_eq!(record["estimated_hours"], "12.50");
        assert_eq!(record["from_ts"], "2026-03-04T05:06:07.12+00:00");
        assert_eq!(record["to_ts"], "2026-03-04T05:06:08+00:00");
    }
    // The page's text is exactly what serialising its parsed value writes: keys in order, no
    // spaces, the same escapes.
    let body = text(&list);
    assert_eq!(
        serde_json::to_string(&serde_json::from_str::<Value>(&body).unwrap()).unwrap(),
        body
    );
}
