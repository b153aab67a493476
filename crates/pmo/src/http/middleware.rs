//! The middleware stack, assembled in one function.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, Response, header};
use axum::middleware::map_response;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Config;
use crate::error::{ErrorCode, envelope_response};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Serves an API request only while fewer than `http.max_in_flight` are running; otherwise answers
/// 503 with Retry-After at once. Queued requests would each hold their connection and buffers
/// while the box falls further behind (343 MiB at twice the rate it could serve —
/// docs/BENCHMARKS.md); a quick refusal tells the client, or the load balancer, to go elsewhere.
/// Health checks and the web app's files are never refused.
async fn shed_beyond_capacity(
    request: Request,
    next: axum::middleware::Next,
    in_flight: Arc<Semaphore>,
) -> Response<Body> {
    let path = request.uri().path();
    if !path.starts_with("/api/") || path.starts_with("/api/health") {
        return next.run(request).await;
    }
    match in_flight.try_acquire_owned() {
        Ok(_permit) => next.run(request).await,
        Err(_) => {
            crate::metrics::request_shed();
            let mut response = envelope_response(
                ErrorCode::ServiceUnavailable,
                "the server is at capacity; retry in a moment".to_owned(),
                None,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}

/// Content-Security-Policy for everything we serve: no inline script, no framing. The browser may
/// connect to this origin and, with the S3 backend, to the storage origin of presigned URLs.
fn content_security_policy(config: &Config) -> HeaderValue {
    let policy = |connect: &str| {
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: blob:; font-src 'self' data:; connect-src {connect}; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
    };
    let connect = match crate::storage::presigned_origin(config) {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    // An origin serialised by `url` is always a valid header value; were it not, the policy keeps
    // every other directive and stays same-origin.
    HeaderValue::from_str(&policy(&connect))
        .or_else(|_| HeaderValue::from_str(&policy("'self'")))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
}

/// Wraps the router in the stack, outermost first: request id, trace, security headers, error
/// envelope, CORS (only when configured), in-flight bound, panic catcher, timeout, body limit.
pub fn apply(router: Router, config: &Config) -> Router {
    let http = &config.http;
    let body_limit = http.body_limit_bytes;
    let in_flight = Arc::new(Semaphore::new(http.max_in_flight));
    let inner = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(
            move |request: Request, next: axum::middleware::Next| {
                shed_beyond_capacity(request, next, in_flight.clone())
            },
        ))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                tracing::error!("a request handler panicked");
                envelope_response(
                    ErrorCode::Internal,
                    "an internal error occurred".to_owned(),
                    None,
                )
            },
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(http.request_timeout_secs),
        ))
        .layer(axum::middleware::from_fn(
            move |request: Request, next: axum::middleware::Next| {
                refuse_declared_oversize(request, next, body_limit)
            },
        ))
        .layer(DefaultBodyLimit::max(http.body_limit_bytes));
    let router = router.layer(inner);
    let router = match cors_layer(&http.cors_allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    let outer = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(crate::metrics::track_http))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(make_request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(config),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(map_response(ensure_error_envelope));
    router.layer(outer)
}

/// Bodies whose declared length exceeds the limit are refused before any handler runs. Uploads to
/// the local storage backend are exempt: their signed URL fixes the size, which the handler
/// enforces while streaming. Bodies without a declared length are capped by `DefaultBodyLimit`
/// in the extractors.
async fn refuse_declared_oversize(
    request: Request,
    next: axum::middleware::Next,
    limit: usize,
) -> Response<Body> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let exempt = request.uri().path().starts_with("/api/v1/storage/local/");
    if !exempt && declared.is_some_and(|length| length > limit as u64) {
        return envelope_response(
            ErrorCode::PayloadTooLarge,
            "the request body is too large".to_owned(),
            None,
        );
    }
    next.run(request).await
}

fn make_request_span(request: &Request<Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // tenant.id and user.id are filled in by the CurrentUser extractor once the caller is known.
    tracing::info_span!(
        "request",
        http.method = %request.method(),
        http.route = route,
        request.id = request_id,
        tenant.id = tracing::field::Empty,
        user.id = tracing::field::Empty
    )
}

/// Cross-origin access only for the exact origins configured; none by default.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
            ])
            .allow_credentials(true)
            .max_age(Duration::from_secs(600)),
    )
}

/// Error answers produced outside our handlers (axum's 405, tower-http's 413 and timeouts) carry no
/// JSON body. Give them the envelope so every error looks the same.
async fn ensure_error_envelope(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let code = ErrorCode::for_status(status);
    let message = match code {
        ErrorCode::MethodNotAllowed => "this route does not accept that method",
        ErrorCode::PayloadTooLarge => "the request body is too large",
        ErrorCode::ServiceUnavailable => "the request took too long or a dependency is unavailable",
        ErrorCode::Internal => "an internal error occurred",
        _ => status.canonical_reason().unwrap_or("request failed"),
    };
    let mut enveloped = envelope_response(code, message.to_owned(), None);
    *enveloped.status_mut() = status;
    // Keep headers such as Allow and Retry-After from the original answer.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            enveloped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    enveloped
}
