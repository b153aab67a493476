//! The linkage API (`/api/v1/linkage`): registry pair rules, tenant isolation, Edit/Delete on both
//! ends, soft unlink and reactivation, and a list that shows only links whose ends the caller sees.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};

/// Creates a record through the API (as a caller allowed to) and returns its id.
pub async fn create(app: &TestApp, user: &TestUser, entity: &str, body: Value) -> Uuid {
    let response = app
        .post_json(&format!("/api/v1/{entity}"), Some(user), &body)
        .await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "create {entity}: {}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["id"].as_str().unwrap().parse().unwrap()
}

/// Grants levels through the RBAC API (as an administrator).
pub async fn grant(
    app: &TestApp,
    admin: &TestUser,
    grantee: Uuid,
    entity: &str,
    id: Option<Uuid>,
    levels: &[i64],
    cascade: bool,
) {
    let response = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(admin),
            &json!({ "grantee_type": "employee", "grantee_id": grantee, "entity_type": entity,
                     "entity_id": id, "levels": levels, "cascade": cascade }),
        )
        .await;
    assert!(
        response.status == StatusCode::CREATED || response.status == StatusCode::OK,
        "grant: {}",
        String::from_utf8_lossy(&response.body)
    );
}

fn link_body(parent: &str, parent_id: Uuid, child: &str, child_id: Uuid) -> Value {
    json!({ "parent_entity_type": parent, "parent_entity_id": parent_id,
            "child_entity_type": child, "child_entity_id": child_id })
}

async fn link(
    app: &TestApp,
    user: &TestUser,
    parent: (&str, Uuid),
    child: (&str, Uuid),
) -> crate::helpers::TestResponse {
    app.post_json(
        "/api/v1/linkage",
        Some(user),
        &link_body(parent.0, parent.1, child.0, child.1),
    )
    .await
}

async fn count(app: &TestApp, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|link| link["id"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn links_follow_the_registry_rules(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let project = create(
        &app,
        &admin,
        "project",
        json!({ "name": "Boiler retrofit" }),
    )
    .await;
    let task = create(&app, &admin, "task", json!({ "name": "Remove old boiler" })).await;
    let worker = app.employee("acme", "worker").await;

    // An allowed pair: 201 with both ends named.
    let created = link(&app, &admin, ("project", project), ("task", task)).await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let body = created.json();
    let link_id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(body["parent_entity_type"], "project");
    assert_eq!(body["parent_name"], "Boiler retrofit");
    assert_eq!(body["child_name"], "Remove old boiler");
    assert_eq!(body["relationship_type"], "contains");
    assert_eq!(body["active_flag"], true);
    // The generic child list now shows the task under the project.
    let children = app
        .get_as(&admin, &format!("/api/v1/project/{project}/task"))
        .await
        .json();
    assert_eq!(children["data"].as_array().unwrap().len(), 1);
    // Linking an already linked pair changes nothing.
    let again = link(&app, &admin, ("project", project), ("task", task)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"], body["id"]);

    // Task assignees are task → employee links.
    let assigned = link(&app, &admin, ("task", task), ("employee", worker.id)).await;
    assert_eq!(assigned.status, StatusCode::CREATED);
    assert_eq!(assigned.json()["relationship_type"], "assigned_to");

    // Pairs outside the registry, pairs stored as a column, unknown types, self-links: 422.
    let refused = link(&app, &admin, ("task", task), ("project", project))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(refused["error"]["details"]["fields"]["child_entity_type"].is_string());
    let column = link(
        &app,
        &admin,
        ("order", Uuid::new_v4()),
        ("invoice", Uuid::new_v4()),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        column["error"]["details"]["fields"]["child_entity_type"]
            .as_str()
            .unwrap()
            .contains("order_id"),
        "{column}"
    );
    let unknown = app
        .post_json(
            "/api/v1/linkage",
            Some(&admin),
            &link_body("projects", project, "task", task),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(unknown["error"]["details"]["fields"]["parent_entity_type"].is_string());
    let unknown_child = app
        .post_json(
            "/api/v1/linkage",
            Some(&admin),
            &link_body("project", project, "tasks", task),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(unknown_child["error"]["details"]["fields"]["child_entity_type"].is_string());
    let itself = link(&app, &admin, ("project", project), ("project", project))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(itself["error"]["details"]["fields"]["child_entity_id"].is_string());
    let mut bad_relationship = link_body("project", project, "task", task);
    bad_relationship["relationship_type"] = json!("Not Valid");
    app.post_json("/api/v1/linkage", Some(&admin), &bad_relationship)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let mut extra = link_body("project", project, "task", task);
    extra["colour"] = json!("red");
    app.post_json("/api/v1/linkage", Some(&admin), &extra)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // Malformed ids are 400; ids that do not exist are 404.
    app.post_json(
        "/api/v1/linkage",
        Some(&admin),
        &json!({ "parent_entity_type": "project", "parent_entity_id": "not-a-uuid",
                 "child_entity_type": "task", "child_entity_id": task }),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    link(&app, &admin, ("project", project), ("task", Uuid::new_v4()))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.delete_as(&admin, "/api/v1/linkage/not-a-uuid")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    // A body that is not JSON.
    app.request(
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/linkage")
            .header(header::AUTHORIZATION, format!("Bearer {}", admin.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{"))
            .unwrap(),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "malformed_request");

    // Another tenant's ids behave as non-existent, both ways, and nothing is written.
    let other = app.tenant_with_admin("other").await;
    let foreign_task = create(&app, &other, "task", json!({ "name": "Foreign task" })).await;
    link(&app, &admin, ("project", project), ("task", foreign_task))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    link(&app, &other, ("project", project), ("task", foreign_task))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM app.d_entity_id_map WHERE child_entity_id = $1",
            foreign_task
        )
        .await,
        0
    );
    app.delete_as(&other, &format!("/api/v1/linkage/{link_id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(
        ids(&app.get_as(&other, "/api/v1/linkage?limit=200").await.json())
            .iter()
            .all(|id| *id != link_id.to_string())
    );

    // Unlink: soft, hidden from lists; a second unlink finds nothing.
    let deleted = app
        .delete_as(&admin, &format!("/api/v1/linkage/{link_id}"))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.delete_as(&admin, &format!("/api/v1/linkage/{link_id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let row: (bool, bool) = sqlx::query_as(
        "SELECT active_flag, to_ts IS NOT NULL FROM app.d_entity_id_map WHERE id = $1",
    )
    .bind(link_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(row, (false, true));
    let listed = app
        .get_as(
            &admin,
            &format!("/api/v1/linkage?parent_entity_id={project}"),
        )
        .await
        .json();
    assert!(listed["data"].as_array().unwrap().is_empty());
    let children = app
        .get_as(&admin, &format!("/api/v1/project/{project}/task"))
        .await
        .json();
    assert!(children["data"].as_array().unwrap().is_empty());

    // Relinking reactivates the same row (200).
    let relinked = link(&app, &admin, ("project", project), ("task", task)).await;
    assert_eq!(relinked.status, StatusCode::OK);
    let relinked = relinked.json();
    assert_eq!(relinked["id"], json!(link_id));
    assert_eq!(relinked["active_flag"], true);
    assert!(relinked["to_ts"].is_null());

    // Every change is audited; the no-op relink of an active pair is not.
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM app.audit_log WHERE target_type = 'linkage' AND target_id = $1 ORDER BY id",
    )
    .bind(link_id.to_string())
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        ["linkage.create", "linkage.delete", "linkage.create"]
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn linking_needs_edit_on_both_ends_and_unlinking_delete(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let project = create(&app, &admin, "project", json!({ "name": "Solar array" })).await;
    let task = create(&app, &admin, "task", json!({ "name": "Mount panels" })).await;

    // Cannot see the project: 404, as if it did not exist.
    link(&app, &pat, ("project", project), ("task", task))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // Sees the project but may not edit it: 403.
    grant(&app, &admin, pat.id, "project", Some(project), &[0], false).await;
    link(&app, &pat, ("project", project), ("task", task))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // May edit the project but cannot see the task: 404.
    grant(&app, &admin, pat.id, "project", Some(project), &[1], false).await;
    link(&app, &pat, ("project", project), ("task", task))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // Sees the task, may not edit it: 403.
    grant(&app, &admin, pat.id, "task", Some(task), &[0], false).await;
    link(&app, &pat, ("project", project), ("task", task))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM app.d_entity_id_map WHERE child_entity_id = $1",
            task
        )
        .await,
        0,
        "refused links write nothing"
    );
    // Edit on both ends: linked.
    grant(&app, &admin, pat.id, "task", Some(task), &[1], false).await;
    let created = link(&app, &pat, ("project", project), ("task", task)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let link_id = created.json()["id"].as_str().unwrap().to_owned();

    // Unlinking needs Delete on both ends.
    app.delete_as(&pat, &format!("/api/v1/linkage/{link_id}"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    grant(
        &app,
        &admin,
        pat.id,
        "project",
        Some(project),
        &[1, 3],
        false,
    )
    .await;
    app.delete_as(&pat, &format!("/api/v1/linkage/{link_id}"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    grant(&app, &admin, pat.id, "task", Some(task), &[1, 3], false).await;
    let deleted = app
        .delete_as(&pat, &format!("/api/v1/linkage/{link_id}"))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    // A link whose end the caller cannot see does not exist for them.
    let hidden = create(&app, &admin, "task", json!({ "name": "Hidden task" })).await;
    let hidden_link = link(&app, &admin, ("project", project), ("task", hidden))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete_as(&pat, &format!("/api/v1/linkage/{hidden_link}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn list_shows_only_links_whose_both_ends_are_visible(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let worker = app.employee("acme", "worker").await;
    let project = create(&app, &admin, "project", json!({ "name": "Roof" })).await;
    let other_project = create(&app, &admin, "project", json!({ "name": "Drain" })).await;
    let t1 = create(&app, &admin, "task", json!({ "name": "Shingles" })).await;
    let t2 = create(&app, &admin, "task", json!({ "name": "Flashing" })).await;
    let t3 = create(&app, &admin, "task", json!({ "name": "Pipes" })).await;
    for (parent, child) in [
        (("project", project), ("task", t1)),
        (("project", project), ("task", t2)),
        (("project", other_project), ("task", t3)),
        (("task", t1), ("employee", worker.id)),
    ] {
        assert_eq!(
            link(&app, &admin, parent, child).await.status,
            StatusCode::CREATED
        );
    }

    // No grants: no links.
    let none = app.get_as(&pat, "/api/v1/linkage").await.json();
    assert!(none["data"].as_array().unwrap().is_empty());

    // A cascading grant on the project: its task links; the assignee link needs the employee too.
    grant(&app, &admin, pat.id, "project", Some(project), &[0], true).await;
    let seen = app.get_as(&pat, "/api/v1/linkage").await.json();
    let pairs: Vec<(String, String)> = seen["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["parent_entity_type"].as_str().unwrap().to_owned(),
                l["child_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    assert!(pairs.iter().all(|(parent, _)| parent == "project"));
    grant(&app, &admin, pat.id, "employee", None, &[0], false).await;
    let assignees = app
        .get_as(&pat, "/api/v1/linkage?child_entity_type=employee")
        .await
        .json();
    let assignees = assignees["data"].as_array().unwrap();
    // Role/office links of other employees are invisible too (their parents are not visible).
    assert_eq!(assignees.len(), 1, "{assignees:?}");
    assert_eq!(assignees[0]["child_entity_id"], json!(worker.id));

    // Filters and keyset pages.
    let first = app
        .get_as(
            &pat,
            &format!(
                "/api/v1/linkage?parent_entity_type=project&parent_entity_id={project}&limit=1"
            ),
        )
        .await
        .json();
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_as(
            &pat,
            &format!("/api/v1/linkage?parent_entity_id={project}&limit=1&cursor={cursor}"),
        )
        .await
        .json();
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    assert_ne!(ids(&first), ids(&second));
    let by_child = app
        .get_as(&admin, &format!("/api/v1/linkage?child_entity_id={t3}"))
        .await
        .json();
    assert_eq!(
        by_child["data"][0]["parent_entity_id"],
        json!(other_project)
    );

    // Bad filters are 400.
    for query in [
        "parent_entity_type=projects",
        "parent_entity_id=nope",
        "limit=0",
        "limit=201",
        "cursor=x",
        "unknown=1",
    ] {
        app.get_as(&pat, &format!("/api/v1/linkage?{query}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }

    // Another tenant never sees these links.
    let other = app.tenant_with_admin("other").await;
    let theirs = app.get_as(&other, "/api/v1/linkage?limit=200").await.json();
    assert!(
        theirs["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["parent_entity_id"] != json!(project)
                && l["parent_entity_id"] != json!(other_project))
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_task_belongs_to_one_project_and_carries_it(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let first = create(&app, &admin, "project", json!({ "name": "First" })).await;
    let second = create(&app, &admin, "project", json!({ "name": "Second" })).await;
    let project_of = |task: Uuid| {
        let app = &app;
        let admin = &admin;
        async move {
            app.get_as(admin, &format!("/api/v1/task/{task}"))
                .await
                .json()["project_id"]
                .clone()
        }
    };
    let task_ids_under = |project: Uuid| {
        let app = &app;
        let admin = &admin;
        async move {
            ids(&app
                .get_as(admin, &format!("/api/v1/project/{project}/task"))
                .await
                .json())
        }
    };

    // Created under a project: the task row names it.
    let created = app
        .post_json(
            &format!("/api/v1/project/{first}/task"),
            Some(&admin),
            &json!({ "name": "Survey" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.json()["project_id"], json!(first.to_string()));
    let task: Uuid = created.json()["id"].as_str().unwrap().parse().unwrap();

    // The column is the server's: a write naming it is refused and changes nothing.
    let refused = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/task/{task}"),
            Some(&admin),
            Some(&json!({ "project_id": second, "version": 1 })),
        )
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(refused["error"]["details"]["fields"]["project_id"].is_string());
    assert_eq!(project_of(task).await, json!(first.to_string()));

    // A second project is a conflict, and nothing is written.
    let conflict = link(&app, &admin, ("project", second), ("task", task))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert!(
        conflict["error"]["message"]
            .as_str()
            .unwrap()
            .contains("one project"),
        "{conflict}"
    );
    assert_eq!(task_ids_under(second).await, Vec::<String>::new());
    assert_eq!(project_of(task).await, json!(first.to_string()));

    // Moving it: unlink, then link under the other project; lists and the column follow.
    let links = app
        .get_as(
            &admin,
            &format!("/api/v1/linkage?child_entity_type=task&child_entity_id={task}"),
        )
        .await
        .json();
    let link_id = links["data"][0]["id"].as_str().unwrap().to_owned();
    let unlinked = app
        .delete_as(&admin, &format!("/api/v1/linkage/{link_id}"))
        .await;
    assert!(unlinked.status.is_success(), "{}", unlinked.status);
    assert_eq!(project_of(task).await, Value::Null);
    assert_eq!(task_ids_under(first).await, Vec::<String>::new());
    let moved = link(&app, &admin, ("project", second), ("task", task)).await;
    assert_eq!(moved.status, StatusCode::CREATED);
    assert_eq!(project_of(task).await, json!(second.to_string()));
    assert_eq!(task_ids_under(second).await, vec![task.to_string()]);
    // Filtering all tasks by project reads the same column.
    let filtered = app
        .get_as(&admin, &format!("/api/v1/task?project_id={second}"))
        .await
        .json();
    assert_eq!(ids(&filtered), vec![task.to_string()]);

    // Relinking the first project (reactivating its old link row) is refused while in the second.
    link(&app, &admin, ("project", first), ("task", task))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(project_of(task).await, json!(second.to_string()));
}
