//! The datalabel API (`/api/v1/setting/{datalabel}`): read by everyone, written by tenant admins;
//! renames show in records; colours, names, keys, reorder and deactivation are checked.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestResponse, TestUser};
use crate::linkage::create;

async fn patch(app: &TestApp, user: &TestUser, path: &str, body: Value) -> TestResponse {
    app.send_json(Method::PATCH, path, Some(user), Some(&body))
        .await
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect()
}

fn keys(list: &Value) -> Vec<i64> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_i64().unwrap())
        .collect()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM app.audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn every_employee_reads_only_admins_write(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;

    let stages = app.get_as(&pat, "/api/v1/setting/task_stage").await;
    assert_eq!(stages.status, StatusCode::OK);
    let stages = stages.json();
    assert_eq!(stages["datalabel"], "task_stage");
    assert_eq!(
        names(&stages),
        [
            "Backlog",
            "To Do",
            "In Progress",
            "In Review",
            "Blocked",
            "Done",
            "Cancelled"
        ]
    );
    let done = &stages["data"][5];
    assert_eq!(done["key"], 5);
    assert_eq!(done["parent_key"], 3);
    assert_eq!(done["color_code"], "#10B981");
    assert_eq!(done["terminal_flag"], true);
    assert_eq!(done["active_flag"], true);
    assert!(done["sort_order"].is_i64() && done["descr"].is_string());
    // All 16 datalabels answer.
    for datalabel in pmo::datalabel::DATALABELS {
        let list = app
            .get_as(&pat, &format!("/api/v1/setting/{datalabel}"))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{datalabel}");
        assert!(
            !list.json()["data"].as_array().unwrap().is_empty(),
            "{datalabel}"
        );
    }

    // Unknown datalabels are 404 for every verb; signed-out callers are 401.
    app.get_as(&pat, "/api/v1/setting/task_stages")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.post_json(
        "/api/v1/setting/nope",
        Some(&admin),
        &json!({ "name": "X" }),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/setting/task_stage")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.get_as(&pat, "/api/v1/setting/task_stage?include_inactive=maybe")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");

    // Writes are for tenant administrators.
    app.post_json(
        "/api/v1/setting/task_stage",
        Some(&pat),
        &json!({ "name": "Waiting" }),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    patch(
        &app,
        &pat,
        "/api/v1/setting/task_stage/1",
        json!({ "name": "Ready" }),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.post_json(
        "/api/v1/setting/task_stage/reorder",
        Some(&pat),
        &json!({ "keys": [6, 5, 4, 3, 2, 1, 0] }),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    for action in ["deactivate", "activate"] {
        app.post_json(
            &format!("/api/v1/setting/task_stage/4/{action}"),
            Some(&pat),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
    let unchanged = app
        .get_as(&admin, "/api/v1/setting/task_stage")
        .await
        .json();
    assert_eq!(unchanged["data"], stages["data"]);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn values_are_created_and_updated_and_renames_show_in_records(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let other = app.tenant_with_admin("other").await;

    // Create: next key, placed last, colour normalised.
    let created = app
        .post_json(
            "/api/v1/setting/task_stage",
            Some(&admin),
            &json!({ "name": "Waiting on parts", "color_code": "#ff8800", "parent_key": 2,
                     "descr": "Supplier delay" }),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let created = created.json();
    assert_eq!(created["key"], 7);
    assert_eq!(created["sort_order"], 8);
    assert_eq!(created["color_code"], "#FF8800");
    assert_eq!(created["parent_key"], 2);
    assert_eq!(created["terminal_flag"], false);
    let explicit = app
        .post_json(
            "/api/v1/setting/task_stage",
            Some(&admin),
            &json!({ "key": 20, "name": "Archived", "terminal_flag": true, "sort_order": 99 }),
        )
        .await;
    assert_eq!(explicit.status, StatusCode::CREATED);
    assert_eq!(explicit.json()["color_code"], "#6B7280");

    // Conflicts: names case-insensitively, keys exactly.
    let taken = app
        .post_json(
            "/api/v1/setting/task_stage",
            Some(&admin),
            &json!({ "name": "waiting ON parts" }),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(taken["error"]["details"]["fields"]["name"], "already taken");
    let key_taken = app
        .post_json(
            "/api/v1/setting/task_stage",
            Some(&admin),
            &json!({ "key": 0, "name": "Zero" }),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(
        key_taken["error"]["details"]["fields"]["key"],
        "already taken"
    );
    // Another tenant's values are its own: the same name is free there.
    let elsewhere = app
        .post_json(
            "/api/v1/setting/task_stage",
            Some(&other),
            &json!({ "name": "Waiting on parts" }),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::CREATED);

    // Validation: 422 naming each field.
    for (body, field) in [
        (json!({ "name": "Red", "color_code": "red" }), "color_code"),
        (
            json!({ "name": "Red", "color_code": "#12345G" }),
            "color_code",
        ),
        (json!({ "name": "   " }), "name"),
        (json!({ "name": "x".repeat(101) }), "name"),
        (json!({ "name": "Neg", "key": -1 }), "key"),
        (json!({ "name": "Orphan", "parent_key": 99 }), "parent_key"),
        (
            json!({ "name": "Self", "key": 30, "parent_key": 30 }),
            "parent_key",
        ),
    ] {
        let refused = app
            .post_json("/api/v1/setting/task_stage", Some(&admin), &body)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["details"]["fields"][field].is_string(),
            "{body}: {refused}"
        );
    }
    app.post_json(
        "/api/v1/setting/task_stage",
        Some(&admin),
        &json!({ "name": "Typo", "colour": "#FFFFFF" }),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // A rename changes what every record shows.
    let task = create(
        &app,
        &admin,
        "task",
        json!({ "name": "Replace valve", "task_stage": 2 }),
    )
    .await;
    let before = app
        .get_as(&admin, &format!("/api/v1/task/{task}"))
        .await
        .json();
    assert_eq!(before["task_stage_name"], "In Progress");
    let renamed = patch(
        &app,
        &admin,
        "/api/v1/setting/task_stage/2",
        json!({ "name": "Doing", "color_code": "#00aa00", "descr": null }),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK);
    let renamed = renamed.json();
    assert_eq!(renamed["name"], "Doing");
    assert_eq!(renamed["color_code"], "#00AA00");
    assert!(renamed["descr"].is_null());
    assert_eq!(renamed["parent_key"], 1, "absent fields stay");
    let after = app
        .get_as(&admin, &format!("/api/v1/task/{task}"))
        .await
        .json();
    assert_eq!(after["task_stage"], 2);
    assert_eq!(after["task_stage_name"], "Doing");
    // Writes accept the new name.
    let by_name = create(
        &app,
        &admin,
        "task",
        json!({ "name": "Second valve", "task_stage": "doing" }),
    )
    .await;
    let by_name = app
        .get_as(&admin, &format!("/api/v1/task/{by_name}"))
        .await
        .json();
    assert_eq!(by_name["task_stage"], 2);
    // The other tenant still has its own name.
    let theirs = app
        .get_as(&other, "/api/v1/setting/task_stage")
        .await
        .json();
    assert_eq!(theirs["data"][2]["name"], "In Progress");

    // Update rules.
    patch(
        &app,
        &admin,
        "/api/v1/setting/task_stage/2",
        json!({ "name": "DONE" }),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
    // Renaming to its own name in another case is fine.
    let recased = patch(
        &app,
        &admin,
        "/api/v1/setting/task_stage/2",
        json!({ "name": "doing" }),
    )
    .await;
    assert_eq!(recased.status, StatusCode::OK);
    for (body, field) in [
        (json!({ "color_code": "#12345" }), "color_code"),
        (json!({ "parent_key": 2 }), "parent_key"),
        (json!({ "parent_key": 99 }), "parent_key"),
        (json!({}), "body"),
    ] {
        let refused = patch(&app, &admin, "/api/v1/setting/task_stage/2", body.clone())
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["details"]["fields"][field].is_string(),
            "{body}: {refused}"
        );
    }
    let cleared = patch(
        &app,
        &admin,
        "/api/v1/setting/task_stage/2",
        json!({ "parent_key": null, "terminal_flag": true }),
    )
    .await
    .json();
    assert!(cleared["parent_key"].is_null());
    assert_eq!(cleared["terminal_flag"], true);
    patch(
        &app,
        &admin,
        "/api/v1/setting/task_stage/99",
        json!({ "name": "Ghost" }),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    patch(
        &app,
        &admin,
        "/api/v1/setting/task_stage/abc",
        json!({ "name": "Ghost" }),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "malformed_request");

    assert_eq!(audit_count(&app, "datalabel.create").await, 3);
    assert_eq!(audit_count(&app, "datalabel.update").await, 3);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn reorder_takes_a_permutation_of_the_active_keys(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let reorder = |keys: Value| {
        let app = &app;
        let admin = &admin;
        async move {
            app.post_json(
                "/api/v1/setting/project_stage/reorder",
                Some(admin),
                &json!({ "keys": keys }),
            )
            .await
        }
    };

    let reordered = reorder(json!([6, 5, 4, 3, 2, 1, 0])).await;
    assert_eq!(reordered.status, StatusCode::OK);
    assert_eq!(keys(&reordered.json()), [6, 5, 4, 3, 2, 1, 0]);
    let listed = app
        .get_as(&admin, "/api/v1/setting/project_stage")
        .await
        .json();
    assert_eq!(keys(&listed), [6, 5, 4, 3, 2, 1, 0]);
    assert_eq!(listed["data"][0]["sort_order"], 1);

    for bad in [
        json!([6, 5, 4, 3, 2, 1]),
        json!([6, 5, 4, 3, 2, 1, 1]),
        json!([6, 5, 4, 3, 2, 1, 0, 7]),
        json!([]),
        json!([6, 5, 4, 3, 2, 1, -1]),
    ] {
        let refused = reorder(bad.clone())
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            refused["error"]["details"]["fields"]["keys"].is_string(),
            "{bad}"
        );
    }
    reorder(json!("6,5"))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // Deactivated values are not part of the order.
    let deactivated = app
        .post_json(
            "/api/v1/setting/project_stage/6/deactivate",
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK);
    reorder(json!([0, 1, 2, 3, 4, 5, 6]))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let ok = reorder(json!([0, 1, 2, 3, 4, 5])).await;
    assert_eq!(ok.status, StatusCode::OK);
    let all = app
        .get_as(
            &admin,
            "/api/v1/setting/project_stage?include_inactive=true",
        )
        .await
        .json();
    assert_eq!(
        keys(&all),
        [0, 1, 2, 3, 4, 5, 6],
        "the inactive value sorts last"
    );
    assert_eq!(audit_count(&app, "datalabel.reorder").await, 2);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn deactivation_is_refused_while_a_key_is_in_use(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let task = create(
        &app,
        &admin,
        "task",
        json!({ "name": "Review drawings", "task_stage": 3 }),
    )
    .await;

    // In use by a task: 409 with the count, nothing changed.
    let refused = app
        .post_json(
            "/api/v1/setting/task_stage/3/deactivate",
            Some(&admin),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(refused["error"]["details"]["in_use_count"], 1);
    assert_eq!(refused["error"]["details"]["usage"][0]["table"], "d_task");
    let listed = app
        .get_as(&admin, "/api/v1/setting/task_stage")
        .await
        .json();
    assert_eq!(listed["data"][3]["active_flag"], true);

    // Columns outside the registry count too (task updates: stage_to and the update type).
    sqlx::query(
        "INSERT INTO app.d_task_data (tenant_id, task_id, task_update_type, stage_from, stage_to)
         VALUES ('acme', $1, 1, 3, 5)",
    )
    .bind(task)
    .execute(&app.pool)
    .await
    .unwrap();
    let refused = app
        .post_json(
            "/api/v1/setting/task_stage/5/deactivate",
            Some(&admin),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(refused["error"]["details"]["in_use_count"], 1);
    assert_eq!(
        refused["error"]["details"]["usage"][0]["column"],
        "stage_to"
    );
    let refused = app
        .post_json(
            "/api/v1/setting/task_stage/3/deactivate",
            Some(&admin),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(refused["error"]["details"]["in_use_count"], 2);
    app.post_json(
        "/api/v1/setting/task_update_type/1/deactivate",
        Some(&admin),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");

    // The default of new rows stays active.
    let default = app
        .post_json(
            "/api/v1/setting/task_stage/0/deactivate",
            Some(&admin),
            &json!({}),
        )
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(
        default["error"]["details"]["default_of"],
        json!(["d_task.task_stage"])
    );

    // Unused: deactivated, then hidden unless asked for, and refused for new records.
    let deactivated = app
        .post_json(
            "/api/v1/setting/task_stage/4/deactivate",
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK);
    assert_eq!(deactivated.json()["active_flag"], false);
    let active = app
        .get_as(&admin, "/api/v1/setting/task_stage")
        .await
        .json();
    assert!(!keys(&active).contains(&4));
    let all = app
        .get_as(&admin, "/api/v1/setting/task_stage?include_inactive=true")
        .await
        .json();
    assert!(keys(&all).contains(&4));
    app.post_json(
        "/api/v1/task",
        Some(&admin),
        &json!({ "name": "Blocked task", "task_stage": 4 }),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    app.post_json(
        "/api/v1/setting/task_stage/4/deactivate",
        Some(&admin),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
    app.post_json(
        "/api/v1/setting/task_stage/42/deactivate",
        Some(&admin),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");

    // Activate again.
    let activated = app
        .post_json(
            "/api/v1/setting/task_stage/4/activate",
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(activated.status, StatusCode::OK);
    assert_eq!(activated.json()["active_flag"], true);
    app.post_json(
        "/api/v1/setting/task_stage/4/activate",
        Some(&admin),
        &json!({}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(audit_count(&app, "datalabel.deactivate").await, 1);
    assert_eq!(audit_count(&app, "datalabel.activate").await, 1);
}

/// The in-use check must know every column that stores datalabel keys: each foreign key into a
/// datalabel table (other than a table's own parent key) must be among `datalabel::usages`.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn usages_cover_every_foreign_key_into_datalabels(pool: PgPool) {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT substring(c.confrelid::regclass::text FROM 'setting_datalabel_(.*)$'),
                c.conrelid::regclass::text, a.attname::text
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[2]
         WHERE c.contype = 'f' AND c.confrelid::regclass::text LIKE 'app.setting_datalabel_%'
           AND c.conrelid <> c.confrelid
         ORDER BY 1, 2, 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(rows.len() >= 18, "{rows:?}");
    let mut expected = Vec::new();
    for datalabel in pmo::datalabel::DATALABELS {
        for (table, column) in pmo::datalabel::usages(datalabel) {
            expected.push((datalabel.to_owned(), table.to_owned(), column.to_owned()));
        }
    }
    expected.sort();
    assert_eq!(rows, expected);
}
