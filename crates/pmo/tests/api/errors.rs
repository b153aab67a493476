//! The error envelope for answers produced everywhere: our fallback, axum's rejections, tower-http's limits.

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::post;
use pmo::http::extract::AppJson;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn unknown_routes_get_the_envelope(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for path in [
        "/api/v1/nothing-here",
        "/api/v1/project/../../etc/passwd",
        "/api/health/ready/extra",
    ] {
        let body = app
            .get(path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "route_not_found");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no route"),
            "{body}"
        );
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn wrong_method_gets_405_envelope_with_allow(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let response = app.send_raw(Method::DELETE, "/api/health", None, "").await;
    response.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert!(response.headers.get("allow").is_some(), "Allow header kept");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn oversize_bodies_get_413_envelope(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |config| config.http.body_limit_bytes = 4096).await;
    // Declared too large: refused before any handler runs, on every route.
    let declared = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/health")
        .header("content-type", "application/json")
        .header("content-length", "10000")
        .body(axum::body::Body::from(vec![b' '; 10_000]))
        .unwrap();
    app.request(declared)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // Streamed without a length: the JSON extractor stops at the limit.
    let app = json_app_with_limit(app, 4096);
    let padded = format!(r#"{{"name":"{}","count":1}}"#, "x".repeat(10_000));
    let response = app
        .send_raw(
            Method::POST,
            "/api/v1/echo",
            Some("application/json"),
            padded,
        )
        .await;
    response.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn every_answer_carries_security_headers_and_a_request_id(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for path in ["/api/health", "/api/missing"] {
        let response = app.get(path).await;
        let csp = response.headers["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-eval")
        );
        assert_eq!(response.headers["x-content-type-options"], "nosniff");
        assert!(response.headers.contains_key("referrer-policy"));
        assert!(response.headers.contains_key("x-request-id"));
        assert!(
            !response.headers.contains_key("access-control-allow-origin"),
            "no CORS unless configured"
        );
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn with_s3_the_browser_may_connect_to_the_storage_origin_only(pool: PgPool) {
    // Presigned uploads and downloads go from the browser straight to storage: without its origin
    // in connect-src the browser refuses them.
    let local = TestApp::spawn(pool.clone()).await;
    let csp = async |app: &TestApp| {
        let response = app.get("/api/health").await;
        response.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(csp(&local).await.contains("connect-src 'self';"));
    let garage = TestApp::spawn_with(pool, |config| {
        config.storage.backend = pmo::config::StorageBackend::S3;
        config.storage.endpoint = Some("http://127.0.0.1:3900/".to_owned());
        config.storage.bucket = "files".to_owned();
        config.storage.path_style = true;
    })
    .await;
    assert!(
        csp(&garage)
            .await
            .contains("connect-src 'self' http://127.0.0.1:3900;")
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn cors_answers_only_configured_origins(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |config| {
        config.http.cors_allowed_origins = vec!["https://app.example.com".to_owned()];
    })
    .await;
    let request = |origin: &'static str| {
        axum::http::Request::builder()
            .uri("/api/health")
            .header("origin", origin)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let allowed = app.request(request("https://app.example.com")).await;
    assert_eq!(
        allowed.headers["access-control-allow-origin"],
        "https://app.example.com"
    );
    // The original's defect: any origin containing "localhost" was accepted.
    let refused = app
        .request(request("https://app.example.com.localhost.evil"))
        .await;
    assert!(!refused.headers.contains_key("access-control-allow-origin"));
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Probe {
    name: String,
    count: u32,
}

async fn echo(AppJson(probe): AppJson<Probe>) -> AppJson<Probe> {
    AppJson(probe)
}

/// The JSON extractor every write route uses, mounted on a router with the same middleware.
async fn json_app(pool: PgPool) -> TestApp {
    let app = TestApp::spawn(pool).await;
    let limit = app.config.http.body_limit_bytes;
    json_app_with_limit(app, limit)
}

fn json_app_with_limit(mut app: TestApp, limit: usize) -> TestApp {
    let mut config = (*app.config).clone();
    config.http.body_limit_bytes = limit;
    let router: Router = Router::new().route("/api/v1/echo", post(echo));
    app.router = pmo::http::middleware::apply(router, &config);
    app
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn malformed_json_bodies_get_clear_4xx(pool: PgPool) {
    let app = json_app(pool).await;
    let ok = app
        .send_raw(
            Method::POST,
            "/api/v1/echo",
            Some("application/json"),
            r#"{"name":"a","count":1}"#,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);

    let cases: [(&str, Option<&str>, StatusCode, &str); 5] = [
        (
            r#"{"name":"a","count":"#,
            Some("application/json"),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        (
            "not json at all",
            Some("application/json"),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        (
            r#"{"name":"a","count":"many"}"#,
            Some("application/json"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            r#"{"name":"a"}"#,
            Some("application/json"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            r#"{"name":"a","count":1}"#,
            Some("text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ];
    for (body, content_type, status, code) in cases {
        let response = app
            .send_raw(Method::POST, "/api/v1/echo", content_type, body)
            .await;
        response.assert_error(status, code);
    }
}

/// Beyond `http.max_in_flight` running API requests, the next is answered 503 with Retry-After at
/// once (not queued); health checks still answer; capacity returns when the request finishes.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn requests_beyond_capacity_are_refused_at_once(pool: PgPool) {
    use tower::ServiceExt;

    let app = TestApp::spawn_with(pool, |config| config.http.max_in_flight = 1).await;
    let admin = app.tenant_with_admin("acme").await;
    let project = app
        .post_json(
            "/api/v1/project",
            Some(&admin),
            &serde_json::json!({"name": "Held"}),
        )
        .await
        .json();
    let id = project["id"].as_str().unwrap().to_owned();

    // Hold the project's row: a PATCH of it waits on the lock while holding the only slot.
    let mut holder = app.pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM app.d_project WHERE id = $1::uuid FOR UPDATE")
        .bind(&id)
        .execute(&mut *holder)
        .await
        .unwrap();
    let patch = axum::http::Request::builder()
        .method(Method::PATCH)
        .uri(format!("/api/v1/project/{id}"))
        .header("authorization", format!("Bearer {}", admin.token))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            r#"{"name": "Renamed", "version": 1}"#,
        ))
        .unwrap();
    let router = app.router.clone();
    let waiting = tokio::spawn(async move { router.oneshot(patch).await.unwrap().status() });
    // Until the PATCH is parked on the lock.
    for _ in 0..100 {
        let parked: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if parked > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let refused = app.get_as(&admin, "/api/v1/auth/me").await;
    refused.assert_error(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    assert_eq!(refused.headers.get("retry-after").unwrap(), "1");
    assert_eq!(app.get("/api/health").await.status, StatusCode::OK);

    holder.rollback().await.unwrap();
    assert_eq!(
        waiting.await.unwrap(),
        StatusCode::OK,
        "the held request finished"
    );
    assert_eq!(
        app.get_as(&admin, "/api/v1/auth/me").await.status,
        StatusCode::OK,
        "the slot is free again"
    );
}
