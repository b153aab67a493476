//! The `CurrentUser` extractor: a handler that takes it only runs for a valid, unrevoked session.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use uuid::Uuid;

use chrono::{DateTime, Utc};

use crate::auth::tokens::{token_key_id, verify_access_token};
use crate::cache::{self, Cache, CacheKey, Invalidation};
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
    /// This instance's cache, where the caller's session and permission answers are kept
    /// (`None`: compute every answer from the database, as the benchmark's direct-SQL floor does).
    pub cache: Option<Cache>,
}

/// A session as every request checks it, kept per instance (`cache::SESSIONS`) until it ends,
/// expires, or its employee is written to.
#[derive(Debug)]
struct SessionCheck {
    /// `None`: revoked, unknown, or its employee is inactive.
    live: Option<LiveSession>,
}

#[derive(Debug)]
struct LiveSession {
    employee_id: Uuid,
    name: String,
    email: String,
    tenant_admin: bool,
    expires_ts: DateTime<Utc>,
}

/// Key of a session in `cache::SESSIONS`.
fn session_key(tenant: &str, session: Uuid) -> CacheKey {
    CacheKey::new(cache::SESSIONS, Some(tenant), session.to_string())
}

/// Call in the transaction that ends one session (`Some`), or that ends several or writes to an
/// employee (`None`: every session of the tenant is checked against the database again). This
/// instance forgets at once, every other one at commit.
pub async fn sessions_changed(
    conn: &mut sqlx::PgConnection,
    cache: Option<&Cache>,
    tenant: &str,
    session: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let what = match session {
        Some(session) => Invalidation::key(&session_key(tenant, session)),
        None => Invalidation::namespace(cache::SESSIONS, Some(tenant)),
    };
    cache::invalidate_with(cache, conn, what).await
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

        // The session is checked on every request (from this instance's cache: logout,
        // revocation and employee writes invalidate it everywhere), so they take effect at once.
        let db = &state.db;
        let check = state
            .cache
            .load_local(
                &session_key(&claims.tid, claims.sid),
                |check: &SessionCheck| {
                    64 + check
                        .live
                        .as_ref()
                        .map_or(0, |live| live.name.len() + live.email.len())
                },
                || async {
                    let row: Option<(Uuid, String, String, bool, DateTime<Utc>)> = sqlx::query_as(
                        "SELECT s.employee_id, e.name, e.email, e.tenant_admin, s.expires_ts
                         FROM app.auth_session s
                         JOIN app.d_employee e ON e.tenant_id = s.tenant_id AND e.id = s.employee_id
                         WHERE s.id = $1 AND s.tenant_id = $2 AND s.revoked_ts IS NULL AND e.active_flag",
                    )
                    .bind(claims.sid)
                    .bind(&claims.tid)
                    .fetch_optional(db)
                    .await?;
                    let live = row.map(|(employee_id, name, email, tenant_admin, expires_ts)| {
                        LiveSession {
                            employee_id,
                            name,
                            email,
                            tenant_admin,
                            expires_ts,
                        }
                    });
                    Ok::<_, sqlx::Error>(SessionCheck { live })
                },
            )
            .await?;
        let live = check
            .live
            .as_ref()
            .filter(|live| live.employee_id == claims.sub && live.expires_ts > Utc::now())
            .ok_or_else(|| refused(&"session ended or employee inactive"))?;
        // The request span declares these; logs of this request now say who made it.
        let span = tracing::Span::current();
        span.record("tenant.id", claims.tid.as_str());
        span.record("user.id", tracing::field::display(claims.sub));
        Ok(CurrentUser {
            tenant_id: claims.tid,
            employee_id: claims.sub,
            session_id: claims.sid,
            tenant_admin: live.tenant_admin,
            name: live.name.clone(),
            email: live.email.clone(),
            cache: Some(state.cache.clone()),
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
