//! The one error type at the HTTP edge.
//!
//! Every failure answers with `{"error":{"code":"snake_case","message":"…","details":{…}}}`. Codes
//! come from a fixed catalogue; each fixes its HTTP status. Internal errors are logged with their
//! cause chain and answered with a generic message.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The catalogue of error codes. Adding a code means adding it here, with its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MalformedRequest,
    InvalidToken,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    Conflict,
    VersionConflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    RateLimited,
    Internal,
    ServiceUnavailable,
    Timeout,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            Self::MalformedRequest | Self::InvalidToken => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict | Self::VersionConflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ServiceUnavailable | Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedRequest => "malformed_request",
            Self::InvalidToken => "invalid_token",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::VersionConflict => "version_conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ValidationFailed => "validation_failed",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal_error",
            Self::ServiceUnavailable => "service_unavailable",
            Self::Timeout => "request_timeout",
        }
    }

    /// The code a bare status maps to, for answers produced outside our handlers (axum's own
    /// rejections, tower-http layers).
    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status {
            StatusCode::BAD_REQUEST => Self::MalformedRequest,
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::NOT_FOUND => Self::RouteNotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::CONFLICT => Self::Conflict,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => Self::ValidationFailed,
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited,
            StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => Self::Timeout,
            StatusCode::SERVICE_UNAVAILABLE => Self::ServiceUnavailable,
            s if s.is_client_error() => Self::MalformedRequest,
            _ => Self::Internal,
        }
    }
}

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    Known {
        code: ErrorCode,
        message: String,
        details: Option<Value>,
        retry_after_secs: Option<u64>,
    },
    /// Anything unexpected: logged in full, answered as a bare 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code from the catalogue in docs/API-DESIGN.md.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Per-field validation errors and other structured context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Known {
            code,
            message: message.into(),
            details: None,
            retry_after_secs: None,
        }
    }

    pub fn with_details(self, details: Value) -> Self {
        match self {
            Self::Known {
                code,
                message,
                retry_after_secs,
                ..
            } => Self::Known {
                code,
                message,
                details: Some(details),
                retry_after_secs,
            },
            other => other,
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::MalformedRequest, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn validation(message: impl Into<String>, fields: Value) -> Self {
        Self::new(ErrorCode::ValidationFailed, message)
            .with_details(serde_json::json!({ "fields": fields }))
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::Known {
            code: ErrorCode::RateLimited,
            message: message.into(),
            details: None,
            retry_after_secs: Some(retry_after_secs.max(1)),
        }
    }

    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ServiceUnavailable, message)
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Known { code, .. } => *code,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            // The pool could not hand out a connection in time: the database is down or saturated.
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
                tracing::error!(error = %err, "database unavailable");
                ApiError::service_unavailable("the database is unavailable; try again shortly")
            }
            _ => ApiError::Internal(anyhow::Error::new(err)),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "expected a request body with `Content-Type: application/json`",
            ),
            JsonRejection::JsonSyntaxError(err) => ApiError::malformed(format!(
                "the request body is not valid JSON: {}",
                err.body_text()
            )),
            JsonRejection::JsonDataError(err) => ApiError::new(
                ErrorCode::ValidationFailed,
                format!("the request body does not match: {}", err.body_text()),
            ),
            JsonRejection::BytesRejection(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
            }
            other => ApiError::malformed(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::malformed(format!("invalid query string: {}", rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::malformed(format!("invalid path parameter: {}", rejection.body_text()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Known {
                code,
                message,
                details,
                retry_after_secs,
            } => {
                let mut response = envelope_response(code, message, details);
                if let Some(secs) = retry_after_secs {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                if code.status() == StatusCode::UNAUTHORIZED {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                response
            }
            ApiError::Internal(err) => {
                // The one place internal errors are logged; the client learns nothing inside.
                tracing::error!(error = ?err, "internal error");
                envelope_response(
                    ErrorCode::Internal,
                    "an internal error occurred".to_owned(),
                    None,
                )
            }
        }
    }
}

/// Builds the envelope answer for a code. Used by `ApiError` and by the middleware that wraps
/// non-JSON error answers from outside our handlers.
pub fn envelope_response(code: ErrorCode, message: String, details: Option<Value>) -> Response {
    let body = ErrorEnvelope {
        error: ErrorBody {
            code: code.as_str().to_owned(),
            message,
            details,
        },
    };
    (code.status(), Json(body)).into_response()
}
