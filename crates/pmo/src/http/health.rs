//! Liveness, readiness and storage health.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// How long one dependency check may take before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(readiness))
        .routes(routes!(storage_health))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// Always `ok` when the process answers.
    pub status: String,
    /// Server time, RFC 3339.
    pub timestamp: String,
}

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/api/health", tag = "health", operation_id = "get_health",
    responses((status = 200, body = HealthResponse)))]
async fn health() -> Json<HealthResponse> {
    Json(HealthResponse {
        status: "ok".to_owned(),
        timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessResponse {
    /// `ready` when every dependency answers; `degraded` (still 200) when only an optional one
    /// (cache, mail) is down — the platform then reads the database and queues mail; `not_ready`
    /// (503) when a required one (database, storage) is down.
    pub status: String,
    pub timestamp: String,
    /// One entry per dependency: database, storage, cache, mail.
    pub checks: BTreeMap<String, DependencyCheck>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DependencyCheck {
    /// `ok` or `down`.
    pub status: String,
    /// Which backend serves this dependency (e.g. `local`, `in-process`, `dev-mailbox`).
    pub backend: String,
    pub latency_ms: u64,
    /// Whether the platform can serve without it (false: readiness fails when it is down).
    pub optional: bool,
    /// Why the check failed (never includes credentials).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Readiness: 200 when the database and storage answer (`degraded` when the cache or mail is down);
/// 503 with the failing checks otherwise.
#[utoipa::path(get, path = "/api/health/ready", tag = "health", operation_id = "get_readiness",
    responses((status = 200, body = ReadinessResponse), (status = 503, body = ReadinessResponse)))]
async fn readiness(State(state): State<AppState>) -> (StatusCode, Json<ReadinessResponse>) {
    let (database, storage, cache, mail) = tokio::join!(
        timed("postgresql", async {
            sqlx::query("SELECT 1")
                .execute(&state.db)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
        timed(state.storage.backend_name(), async {
            state.storage.check().await.map_err(|e| e.to_string())
        }),
        timed(state.cache.backend_name(), state.cache.check()),
        timed(state.mail.name(), state.mail.check(&state.db)),
    );
    // Without Redis the platform reads the database; without SMTP mail waits in the outbox.
    let cache = DependencyCheck {
        optional: true,
        ..cache
    };
    let mail = DependencyCheck {
        optional: true,
        ..mail
    };

    let checks = BTreeMap::from([
        ("database".to_owned(), database),
        ("storage".to_owned(), storage),
        ("cache".to_owned(), cache),
        ("mail".to_owned(), mail),
    ]);
    let ready = checks
        .values()
        .all(|check| check.optional || check.status == "ok");
    let degraded = checks.values().any(|check| check.status != "ok");
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = match (ready, degraded) {
        (false, _) => "not_ready",
        (true, true) => "degraded",
        (true, false) => "ready",
    };
    let body = ReadinessResponse {
        status: word.to_owned(),
        timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        checks,
    };
    (status, Json(body))
}

async fn timed(backend: &str, check: impl Future<Output = Result<(), String>>) -> DependencyCheck {
    let started = Instant::now();
    let outcome = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(result) => result,
        Err(_) => Err(format!("no answer within {} ms", CHECK_TIMEOUT.as_millis())),
    };
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match outcome {
        Ok(()) => DependencyCheck {
            status: "ok".to_owned(),
            backend: backend.to_owned(),
            latency_ms,
            optional: false,
            error: None,
        },
        Err(error) => {
            tracing::warn!(dependency.backend = backend, error = %error, "readiness check failed");
            DependencyCheck {
                status: "down".to_owned(),
                backend: backend.to_owned(),
                latency_ms,
                optional: false,
                error: Some(error),
            }
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorageHealthResponse {
    /// `healthy` or `unhealthy`.
    pub status: String,
    pub bucket: String,
    pub connected: bool,
}

/// Object-storage health, in the shape of the seed's `/api/v1/s3-backend/health`.
#[utoipa::path(get, path = "/api/v1/s3-backend/health", tag = "health", operation_id = "get_storage_health",
    responses((status = 200, body = StorageHealthResponse), (status = 503, body = StorageHealthResponse)))]
async fn storage_health(
    State(state): State<AppState>,
) -> (StatusCode, Json<StorageHealthResponse>) {
    let check = timed(state.storage.backend_name(), async {
        state.storage.check().await.map_err(|e| e.to_string())
    })
    .await;
    let connected = check.status == "ok";
    let status = if connected {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = StorageHealthResponse {
        status: if connected { "healthy" } else { "unhealthy" }.to_owned(),
        bucket: state.storage.bucket().to_owned(),
        connected,
    };
    (status, Json(body))
}
