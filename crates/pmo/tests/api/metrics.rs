//! Metrics: per-route counts and latency by matched route (never the raw path), status classes,
//! database pool, job queue, outbox and cache series, served on the separate listener.

use std::time::Duration;

use axum::http::StatusCode;
use pmo::jobs::queue::{self, NewJob};
use serde_json::json;
use sqlx::PgPool;

use crate::cache::Instance;
use crate::helpers::free_port;

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn requests_jobs_mail_and_the_pool_show_up_on_the_metrics_listener(pool: PgPool) {
    pmo::metrics::install().unwrap();
    let app = Instance::start(&pool, |_| {}).await;
    let admin = app.tenant_admin("acme").await;
    assert_eq!(app.get("/api/health", None).await.0, StatusCode::OK);
    let id = uuid::Uuid::new_v4();
    assert_eq!(
        app.get(&format!("/api/v1/dev-mailbox/{id}"), Some(&admin))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/no/such/route", None).await.0,
        StatusCode::NOT_FOUND
    );
    queue::enqueue(&pool, &NewJob::new("diagnostics.noop", json!({})), 5)
        .await
        .unwrap();
    app.post(
        "/api/v1/auth/password-reset/request",
        None,
        &json!({"email": "admin@acme.example", "tenant": "acme"}),
    )
    .await;

    // The listener, as `pmo serve` runs it.
    let port = free_port();
    let listener = pmo::metrics::bind(([127, 0, 0, 1], port).into())
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let cached_plans = pmo::db::cached_plan_pool(
        &pool,
        &pmo::config::DatabaseConfig::default(),
        pmo::db::Keep::OnDemand,
    );
    let server = tokio::spawn(pmo::metrics::serve(
        listener,
        pool.clone(),
        cached_plans,
        stopped,
    ));
    let client = reqwest::Client::new();
    let mut text = String::new();
    for _ in 0..300 {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
        {
            assert!(
                response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/plain")
            );
            text = response.text().await.unwrap();
            // The sampled gauges are published together; wait for the last of them.
            if text.contains("pmo_jobs") && text.contains("pmo_mail_outbox_lag_seconds") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for expected in [
        r#"pmo_http_requests_total{method="GET",route="/api/health",status="2xx"}"#,
        r#"pmo_http_requests_total{method="GET",route="/api/v1/dev-mailbox/{id}",status="4xx"}"#,
        r#"pmo_http_requests_total{method="GET",route="unmatched",status="4xx"}"#,
        r#"pmo_http_request_duration_seconds_bucket{method="GET",route="/api/health""#,
        r#"pmo_db_pool_connections{pool="main",state="in_use"}"#,
        r#"pmo_db_pool_connections{pool="main",state="idle"}"#,
        r#"pmo_db_pool_connections{pool="cached_plans",state="idle"}"#,
        r#"pmo_db_pool_max_connections{pool="cached_plans"} 8"#,
        r#"pmo_jobs{queue="default",status="queued"} 1"#,
        "pmo_mail_outbox_lag_seconds",
        "pmo_mail_outbox_pending 0",
        "pmo_build_info",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    assert!(
        !text.contains(&id.to_string()),
        "raw ids never become labels"
    );
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_busy_metrics_port_is_a_start_up_error_naming_the_key() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = busy.local_addr().unwrap();
    let err = pmo::metrics::bind(address).await.unwrap_err().to_string();
    assert!(
        err.contains("metrics.listen") && err.contains(&address.to_string()),
        "{err}"
    );
}

/// Collects what a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn json_request_logs_carry_the_request_id_tenant_and_user(pool: PgPool) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_max_level(tracing::Level::INFO)
        .with_writer(captured.clone())
        .finish();
    // The test runs on one thread (current-thread runtime), so a thread-local default suffices.
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = Instance::start(&pool, |_| {}).await;
    let admin = app.tenant_admin("acme").await;
    let me = app.get("/api/v1/auth/me", Some(&admin)).await.1;
    let user_id = me["id"].as_str().unwrap().to_owned();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let finished: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["span"]["http.route"] == "/api/v1/auth/me")
        .collect();
    assert!(!finished.is_empty(), "no request log lines:\n{text}");
    let span = &finished[0]["span"];
    assert_eq!(span["tenant.id"], "acme", "{span}");
    assert_eq!(span["user.id"], user_id.as_str(), "{span}");
    assert!(
        span["request.id"].as_str().is_some_and(|id| id.len() >= 32),
        "{span}"
    );
}
