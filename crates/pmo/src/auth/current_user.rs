//! The `CurrentUser` extractor: a handler that takes it only runs for a valid, unrevoked session.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::auth::tokens::{token_key_id, verify_access_token};
use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller. Every query a handler runs is scoped to `tenant_id`.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub tenant_id: String,
    pub employee_id: Uuid,
    pub session_id: Uuid,
    /// Tenant administrators hold every permission.
    pub tenant_admin: bool,
    pub name: String,
    pub email: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or_else(|| {
            ApiError::unauthenticated("sign in first: send `Authorization: Bearer <access token>`")
        })?;
        let refused = |reason: &dyn std::fmt::Display| {
            tracing::debug!(%reason, "access token refused");
            ApiError::unauthenticated("the access token is invalid or has expired")
        };
        let (tenant, kid) = token_key_id(token).map_err(|e| refused(&e))?;
        if !state.keys.is_verifiable(&state.db, &tenant, &kid).await? {
            return Err(refused(&"unknown or revoked key id"));
        }
        let claims =
            verify_access_token(&state.keys, token, &tenant, &kid).map_err(|e| refused(&e))?;

        // The session is checked on every request, so logout and revocation take effect at once.
        let row: Option<(String, String, bool)> = sqlx::query_as(
            "SELECT e.name, e.email, e.tenant_admin
             FROM app.auth_session s
             JOIN app.d_employee e ON e.tenant_id = s.tenant_id AND e.id = s.employee_id
             WHERE s.id = $1 AND s.tenant_id = $2 AND s.employee_id = $3
               AND s.revoked_ts IS NULL AND s.expires_ts > now() AND e.active_flag",
        )
        .bind(claims.sid)
        .bind(&claims.tid)
        .bind(claims.sub)
        .fetch_optional(&state.db)
        .await?;
        let (name, email, tenant_admin) =
            row.ok_or_else(|| refused(&"session ended or employee inactive"))?;
        // The request span declares these; logs of this request now say who made it.
        let span = tracing::Span::current();
        span.record("tenant.id", claims.tid.as_str());
        span.record("user.id", tracing::field::display(claims.sub));
        Ok(CurrentUser {
            tenant_id: claims.tid,
            employee_id: claims.sub,
            session_id: claims.sid,
            tenant_admin,
            name,
            email,
        })
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 4096)
        .then_some(token)
}
