use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn health_answers_ok_with_an_rfc3339_timestamp(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/api/health").await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["status"], "ok");
    let timestamp = body["timestamp"].as_str().expect("timestamp");
    chrono::DateTime::parse_from_rfc3339(timestamp).expect("RFC 3339 timestamp");
    assert_eq!(
        body.as_object().map(|o| o.len()),
        Some(2),
        "exactly status and timestamp: {body}"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn readiness_reports_every_dependency(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/api/health/ready").await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["status"], "ready");
    for dependency in ["database", "storage", "cache", "mail"] {
        assert_eq!(
            body["checks"][dependency]["status"], "ok",
            "{dependency}: {body}"
        );
    }
    assert_eq!(body["checks"]["storage"]["backend"], "local");
    assert_eq!(body["checks"]["cache"]["backend"], "in-process");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn readiness_is_503_when_the_database_is_gone(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    pool.close().await;
    let response = app.get("/api/health/ready").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    let body = response.json();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["checks"]["database"]["status"], "down");
    assert!(body["checks"]["database"]["error"].is_string());
    assert_eq!(
        body["checks"]["cache"]["status"], "ok",
        "other checks still run: {body}"
    );
    // Liveness does not depend on the database.
    assert_eq!(app.get("/api/health").await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn storage_health_names_the_bucket(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |config| {
        config.storage.bucket = "huron-attachments".to_owned()
    })
    .await;
    let response = app.get("/api/v1/s3-backend/health").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.json(),
        serde_json::json!({"status": "healthy", "bucket": "huron-attachments", "connected": true})
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn openapi_document_is_served_and_matches_the_cli(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status, StatusCode::OK);
    let served = response.json();
    assert_eq!(served["openapi"], "3.1.0");
    assert!(served["paths"]["/api/health/ready"]["get"].is_object());
    let generated: serde_json::Value = serde_json::from_str(
        &pmo::http::openapi::document_json(&pmo::http::router::openapi_document()).unwrap(),
    )
    .unwrap();
    assert_eq!(served, generated);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn the_api_reference_page_is_self_hosted(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.get("/api/docs").await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = String::from_utf8(response.body.to_vec()).unwrap();
    assert!(page.contains("/api/v1/auth/login") && page.contains("create_task"));
    assert!(
        !page.contains("<script") && !page.contains("src=\"http") && !page.contains("href=\"http"),
        "no scripts, nothing from a CDN"
    );
}

#[test]
fn every_schema_reference_in_the_openapi_document_resolves() {
    let doc: serde_json::Value = serde_json::from_str(
        &pmo::http::openapi::document_json(&pmo::http::router::openapi_document()).unwrap(),
    )
    .unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "unresolved $ref to {name}");
    }
}
