//! Form submissions and approval: who may submit, list and decide, the e-mails each step sends
//! (written in the same transaction), and refusals that write nothing.

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, TestUser};

/// (recipient, subject) of every queued message, in order of queueing.
async fn outbox(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT to_address, subject FROM app.mail_outbox ORDER BY created_ts, id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

async fn submissions(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM app.d_form_data")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn grant_view(app: &TestApp, admin: &TestUser, employee: &TestUser, form: &str) {
    let response = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(admin),
            &json!({"grantee_type": "employee", "grantee_id": employee.id,
                    "entity_type": "form", "entity_id": form, "levels": [0]}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_submission_is_approved_with_mail_at_each_step(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let kim = app.employee("acme", "kim").await;
    let created = app
        .post_json(
            "/api/v1/form",
            Some(&admin),
            &json!({"name": "Site safety check"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let form = created.json()["id"].as_str().unwrap().to_owned();
    let submit_path = format!("/api/v1/form/{form}/submission");

    // Nobody sees the form yet but its author: 404 for pat, nothing written.
    app.post_json(&submit_path, Some(&pat), &json!({"data": {"ok": true}}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    grant_view(&app, &admin, &pat, &form).await;
    grant_view(&app, &admin, &kim, &form).await;

    // Answers must be an object.
    app.post_json(&submit_path, Some(&pat), &json!({"data": [1, 2]}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    app.post_json(&submit_path, Some(&pat), &json!({"answers": {}}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(submissions(&app).await, 0);
    assert!(outbox(&app).await.is_empty());

    let submitted = app
        .post_json(
            &submit_path,
            Some(&pat),
            &json!({"data": {"helmets": "yes", "notes": "<b>all good</b>"}}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::CREATED);
    let submission = submitted.json();
    assert_eq!(submission["approval_status_name"], "pending");
    assert_eq!(submission["submission_status_name"], "submitted");
    assert_eq!(submission["data"]["notes"], "<b>all good</b>");
    assert_eq!(submission["submitted_by"], json!(pat.id));
    // The form's author is asked to approve, in the submission's transaction.
    assert_eq!(
        outbox(&app).await,
        vec![(
            "admin@acme.example".to_owned(),
            "Approval needed: Site safety check".to_owned()
        )]
    );
    let kims = app
        .post_json(
            &submit_path,
            Some(&kim),
            &json!({"data": {"helmets": "no"}}),
        )
        .await;
    assert_eq!(kims.status, StatusCode::CREATED);

    // Listing: the author (Edit) sees both, newest first and page by page; a viewer only their own.
    let page = app
        .get_as(&admin, &format!("{submit_path}?limit=1"))
        .await
        .json();
    assert_eq!(page["data"][0]["submitted_by"], json!(kim.id));
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = app
        .get_as(&admin, &format!("{submit_path}?limit=1&cursor={cursor}"))
        .await
        .json();
    assert_eq!(next["data"][0]["submitted_by"], json!(pat.id));
    assert_eq!(next["next_cursor"], Value::Null);
    let own = app.get_as(&pat, &submit_path).await.json();
    let own: Vec<&Value> = own["data"].as_array().unwrap().iter().collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["submitted_by"], json!(pat.id));
    app.get_as(&admin, &format!("{submit_path}?cursor=nope"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    app.get_as(&admin, &format!("{submit_path}?limit=0"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");

    // Deciding needs Edit on the form, an outcome that is not pending, short notes.
    let id = submission["id"].as_str().unwrap();
    let decide = format!("{submit_path}/{id}/decision");
    app.post_json(&decide, Some(&pat), &json!({"decision": "approved"}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    for bad in [
        json!({"decision": "pending"}),
        json!({"decision": "maybe"}),
        json!({"decision": "approved", "notes": "x".repeat(2001)}),
    ] {
        app.post_json(&decide, Some(&admin), &bad)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    app.post_json(
        &format!("{submit_path}/{}/decision", uuid::Uuid::new_v4()),
        Some(&admin),
        &json!({"decision": "approved"}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(outbox(&app).await.len(), 2, "refusals send nothing");

    let decided = app
        .post_json(
            &decide,
            Some(&admin),
            &json!({"decision": "Approved", "notes": "Thanks"}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK);
    let decided = decided.json();
    assert_eq!(decided["approval_status_name"], "approved");
    assert_eq!(decided["submission_status_name"], "approved");
    assert_eq!(decided["approved_by"], json!(admin.id));
    assert_eq!(decided["approval_notes"], "Thanks");
    let mail = outbox(&app).await;
    assert_eq!(
        mail.last().unwrap(),
        &(
            "pat@acme.example".to_owned(),
            "Site safety check: approved".to_owned()
        )
    );
    // Decided once: a second decision is a conflict and changes nothing.
    app.post_json(&decide, Some(&admin), &json!({"decision": "rejected"}))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(outbox(&app).await.len(), mail.len());
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM app.audit_log WHERE action IN ('form.submit', 'form.decide') ORDER BY occurred_ts",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, vec!["form.submit", "form.submit", "form.decide"]);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn another_tenants_form_and_forms_without_an_author_are_handled(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let other = app.tenant_with_admin("globex").await;
    let created = app
        .post_json("/api/v1/form", Some(&admin), &json!({"name": "Intake"}))
        .await;
    let form = created.json()["id"].as_str().unwrap().to_owned();
    app.post_json(
        &format!("/api/v1/form/{form}/submission"),
        Some(&other),
        &json!({"data": {}}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get_as(&other, &format!("/api/v1/form/{form}/submission"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.post_json(
        "/api/v1/form/not-a-uuid/submission",
        Some(&admin),
        &json!({"data": {}}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "malformed_request");

    // A form whose author is gone: the administrators are asked instead.
    app.exec(&format!(
        "UPDATE app.d_form_head SET created_by = NULL WHERE id = '{form}'"
    ))
    .await;
    let second_admin = app.employee("acme", "boss").await;
    app.exec(&format!(
        "UPDATE app.d_employee SET tenant_admin = true WHERE id = '{}'",
        second_admin.id
    ))
    .await;
    let submitted = app
        .post_json(
            &format!("/api/v1/form/{form}/submission"),
            Some(&admin),
            &json!({"data": {}}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::CREATED);
    let mut recipients: Vec<String> = outbox(&app).await.into_iter().map(|(to, _)| to).collect();
    recipients.sort();
    assert_eq!(recipients, vec!["admin@acme.example", "boss@acme.example"]);
}
