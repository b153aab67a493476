//! Prometheus metrics on a listener of their own (`metrics.listen`, default 127.0.0.1:9464):
//! per-route request counts and latency, database pool, cache, job queue, outbox and backups.
//! Names and meanings are listed in docs/OBSERVABILITY.md; deploy/grafana/pmo-dashboard.json
//! charts them.
//!
//! The recorder is process-global (the `metrics` facade); without it every recording is a no-op,
//! so CLI commands and tests that do not install it pay nothing.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ::metrics::{counter, gauge, histogram};
use anyhow::Context;
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{Response, header};
use axum::middleware::Next;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;

/// Latency buckets in seconds: 1 ms … 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often the database-derived gauges (queue depth, outbox lag, backup age) are refreshed.
const SAMPLE_EVERY: Duration = Duration::from_secs(15);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global recorder once per process and returns its handle.
pub fn install() -> anyhow::Result<&'static PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle);
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Suffix("duration_seconds".to_owned()),
            LATENCY_BUCKETS,
        )
        .context("metrics buckets")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    gauge!("pmo_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(HANDLE.get_or_init(|| handle))
}

/// The current metrics in Prometheus text format (empty when the recorder is not installed).
pub fn render() -> String {
    HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Serves `GET /metrics` on `listener` until `shutdown` fires; also runs the recorder's upkeep and
/// the database sampler.
pub async fn serve(
    listener: tokio::net::TcpListener,
    pool: PgPool,
    cached_plans: PgPool,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let handle = install()?;
    let app = Router::new().route(
        "/metrics",
        get(move || async move {
            (
                [(
                    header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                handle.render(),
            )
        }),
    );
    let sampler = tokio::spawn(sample_forever(pool, cached_plans, shutdown.clone()));
    let upkeep = {
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(5)) => handle.run_upkeep(),
                    () = crate::jobs::until_stopped(&mut shutdown) => return,
                }
            }
        })
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let () = crate::jobs::until_stopped(&mut shutdown).await;
        })
        .await;
    sampler.abort();
    upkeep.abort();
    served.context("the metrics listener failed")
}

/// Binds the metrics listener, with an error that names the key.
pub async fn bind(address: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address).await.map_err(|err| {
        anyhow::anyhow!(
            "cannot listen for metrics on {address}: {err} (set metrics.listen / PMO_METRICS__LISTEN to another address, or to \"\" to turn metrics off)"
        )
    })
}

/// The HTTP metrics layer: one count and one latency observation per request, labelled with the
/// matched route (never the raw path, so ids do not multiply the series) and the status class.
pub async fn track_http(request: Request<Body>, next: Next) -> Response<Body> {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    counter!("pmo_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    histogram!("pmo_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// An API request refused because `http.max_in_flight` were already running.
pub fn request_shed() {
    counter!("pmo_http_requests_shed_total").increment(1);
}

pub fn cache_lookup(namespace: &'static str, hit: bool) {
    counter!("pmo_cache_requests_total", "namespace" => namespace, "result" => if hit { "hit" } else { "miss" })
        .increment(1);
}

pub fn cache_redis_up(up: bool) {
    gauge!("pmo_cache_redis_up").set(if up { 1.0 } else { 0.0 });
}

/// One finished job run: `done`, `retry` (failed, will run again) or `dead`.
pub fn job_finished(kind: &str, outcome: &'static str, elapsed: Duration) {
    counter!("pmo_job_runs_total", "kind" => kind.to_owned(), "outcome" => outcome).increment(1);
    histogram!("pmo_job_duration_seconds", "kind" => kind.to_owned()).record(elapsed.as_secs_f64());
}

/// One delivery attempt: transport `smtp` or `dev-mailbox`, outcome `sent`, `retry` or `failed`.
pub fn mail_attempt(transport: &'static str, outcome: &'static str) {
    counter!("pmo_mail_deliveries_total", "transport" => transport, "outcome" => outcome)
        .increment(1);
}

pub fn backup_finished(ok: bool, bytes: u64, elapsed: Duration) {
    counter!("pmo_backup_runs_total", "outcome" => if ok { "ok" } else { "failed" }).increment(1);
    if ok {
        gauge!("pmo_backup_last_size_bytes").set(bytes as f64);
        gauge!("pmo_backup_last_duration_seconds").set(elapsed.as_secs_f64());
    }
}

async fn sample_forever(
    pool: PgPool,
    cached_plans: PgPool,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        sample_pool("main", &pool);
        sample_pool("cached_plans", &cached_plans);
        if let Err(err) = sample(&pool).await {
            tracing::debug!(error = %err, "metrics sample failed");
        }
        tokio::select! {
            () = tokio::time::sleep(SAMPLE_EVERY) => {}
            () = crate::jobs::until_stopped(&mut shutdown) => return,
        }
    }
}

/// Refreshes the gauges of one of the instance's pools (`main` or `cached_plans`).
fn sample_pool(name: &'static str, pool: &PgPool) {
    let size = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    gauge!("pmo_db_pool_connections", "pool" => name, "state" => "idle").set(idle);
    gauge!("pmo_db_pool_connections", "pool" => name, "state" => "in_use")
        .set((size - idle).max(0.0));
    gauge!("pmo_db_pool_max_connections", "pool" => name)
        .set(f64::from(pool.options().get_max_connections()));
}

/// Refreshes the gauges that come from the database.
pub async fn sample(pool: &PgPool) -> Result<(), sqlx::Error> {
    let depth: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT queue, status, count(*) FROM app.job
         WHERE status IN ('queued', 'running', 'dead') GROUP BY queue, status",
    )
    .fetch_all(pool)
    .await?;
    for status in ["queued", "running", "dead"] {
        // Report zero for states with no rows, so a cleared queue shows as 0, not as a gap.
        if !depth.iter().any(|(_, s, _)| s == status) {
            gauge!("pmo_jobs", "queue" => "default", "status" => status).set(0.0);
        }
    }
    for (queue, status, count) in depth {
        gauge!("pmo_jobs", "queue" => queue, "status" => status).set(count as f64);
    }
    let (pending, failed, lag): (i64, i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'queued'),
                count(*) FILTER (WHERE status = 'failed'),
                extract(epoch FROM now() - min(created_ts) FILTER (WHERE status = 'queued'))::float8
         FROM app.mail_outbox",
    )
    .fetch_one(pool)
    .await?;
    gauge!("pmo_mail_outbox_pending").set(pending as f64);
    gauge!("pmo_mail_outbox_failed").set(failed as f64);
    gauge!("pmo_mail_outbox_lag_seconds").set(lag.unwrap_or(0.0));
    let last_backup: Option<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM max(finished_ts))::float8 FROM app.job
         WHERE kind = 'backup.create' AND status = 'done'",
    )
    .fetch_one(pool)
    .await?;
    if let Some(at) = last_backup {
        gauge!("pmo_backup_last_success_timestamp_seconds").set(at);
        let age = chrono::Utc::now().timestamp() as f64 - at;
        gauge!("pmo_backup_age_seconds").set(age.max(0.0));
    }
    Ok(())
}
