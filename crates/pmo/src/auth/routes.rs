//! `/api/v1/auth/*`: sign-in, refresh, sign-out, the caller, password reset, invitations, key rotation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::auth::permissions::{self, Level, PermissionSummary};
use crate::auth::session::{self, EmployeeSummary, Invitation, IssuedTokens};
use crate::entity::EntityType;
use crate::error::{ApiError, ErrorEnvelope};
use crate::http::extract::{AppJson, RequestMeta};
use crate::state::AppState;

/// The web app's refresh-token cookie, sent only to the auth routes.
const REFRESH_COOKIE: &str = "pmo_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(my_permissions))
        .routes(routes!(request_password_reset))
        .routes(routes!(confirm_password_reset))
        .routes(routes!(create_invitation))
        .routes(routes!(accept_invitation))
        .routes(routes!(rotate_signing_key))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Tenant id; the configured default tenant when omitted.
    pub tenant: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Access token for `Authorization: Bearer`.
    pub token: String,
    /// Single-use refresh token (also set as an HttpOnly cookie for the web app).
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub employee: EmployeeSummary,
}

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong e-mail or password (indistinguishable)", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 429, description = "too many failures; see Retry-After", body = ErrorEnvelope)))]
async fn login(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppJson(request): AppJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let mut fields = serde_json::Map::new();
    if request.email.trim().is_empty() || request.email.len() > 320 {
        fields.insert("email".into(), "required, at most 320 characters".into());
    }
    if request.password.is_empty() || request.password.len() > 1024 {
        fields.insert(
            "password".into(),
            "required, at most 1024 characters".into(),
        );
    }
    let tenant = request
        .tenant
        .as_deref()
        .unwrap_or(&state.config.default_tenant)
        .trim()
        .to_lowercase();
    if !crate::config::is_tenant_slug(&tenant) {
        fields.insert("tenant".into(), "not a tenant id".into());
    }
    if !fields.is_empty() {
        return Err(ApiError::validation(
            "the sign-in request is incomplete",
            fields.into(),
        ));
    }
    let issued = session::login(&state, &meta, &request.email, &request.password, &tenant).await?;
    Ok(token_answer(&state, issued))
}

/// The refresh token as an HttpOnly, Secure, SameSite=Strict cookie scoped to the auth routes: the
/// web app never sees it from script.
fn refresh_cookie(value: &str, max_age_secs: u64) -> HeaderValue {
    let cookie = format!(
        "{REFRESH_COOKIE}={value}; Path={REFRESH_COOKIE_PATH}; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Strict"
    );
    HeaderValue::from_str(&cookie)
        .unwrap_or_else(|_| HeaderValue::from_static("pmo_refresh=; Max-Age=0"))
}

fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

fn token_answer(state: &AppState, issued: IssuedTokens) -> Response {
    let cookie = refresh_cookie(
        &issued.refresh_token,
        state.config.auth.refresh_token_ttl_secs,
    );
    let body = LoginResponse {
        token: issued.access_token,
        refresh_token: issued.refresh_token,
        token_type: "Bearer".to_owned(),
        expires_in: issued.expires_in,
        employee: issued.employee,
    };
    (
        [
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        axum::Json(body),
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token; the web app sends none and relies on its cookie.
    pub refresh_token: Option<String>,
}

/// Trade a refresh token (body or cookie) for a new access token and a new refresh token.
/// A refresh token works once; reusing one revokes its whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", operation_id = "refresh_session",
    request_body = RefreshRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorEnvelope)))]
async fn refresh(
    State(state): State<AppState>,
    meta: RequestMeta,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    // The body is optional: the web app sends none and relies on its cookie.
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<RefreshRequest>(&body)
            .map_err(|err| {
                ApiError::malformed(format!("the request body is not a refresh request: {err}"))
            })?
            .refresh_token
    };
    let token = from_body
        .or_else(|| cookie_value(&headers, REFRESH_COOKIE).map(str::to_owned))
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or_else(|| {
            ApiError::unauthenticated("no refresh token: send it in the body or the cookie")
        })?;
    let issued = session::refresh(&state, &meta, &token).await?;
    Ok(token_answer(&state, issued))
}

/// Sign out: the session and all its tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "logout",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorEnvelope)))]
async fn logout(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    session::logout(&state, &meta, &user).await?;
    Ok((
        [(header::SET_COOKIE, refresh_cookie("", 0))],
        StatusCode::NO_CONTENT,
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub tenant: String,
    pub tenant_admin: bool,
}

/// The signed-in employee.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", operation_id = "get_me",
    security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorEnvelope)))]
async fn me(user: CurrentUser) -> axum::Json<MeResponse> {
    axum::Json(MeResponse {
        id: user.employee_id,
        name: user.name,
        email: user.email,
        tenant: user.tenant_id,
        tenant_admin: user.tenant_admin,
    })
}

/// The caller's effective permissions: levels per entity type and grants on single instances.
#[utoipa::path(get, path = "/api/v1/auth/permissions", tag = "auth", operation_id = "get_my_permissions",
    security(("bearer" = [])),
    responses((status = 200, body = PermissionSummary), (status = 401, body = ErrorEnvelope)))]
async fn my_permissions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<PermissionSummary>, ApiError> {
    Ok(axum::Json(permissions::summary(&state.db, &user).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
    pub tenant: Option<String>,
}

/// Ask for a password-reset link by e-mail. Always 202, whether or not the account exists.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/request", tag = "auth", operation_id = "request_password_reset",
    request_body = PasswordResetRequest,
    responses((status = 202), (status = 422, body = ErrorEnvelope)))]
async fn request_password_reset(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppJson(request): AppJson<PasswordResetRequest>,
) -> Result<StatusCode, ApiError> {
    let tenant = request
        .tenant
        .as_deref()
        .unwrap_or(&state.config.default_tenant)
        .trim()
        .to_lowercase();
    if request.email.trim().is_empty()
        || request.email.len() > 320
        || !crate::config::is_tenant_slug(&tenant)
    {
        return Err(ApiError::validation(
            "an e-mail address is required",
            serde_json::json!({ "email": "required" }),
        ));
    }
    session::request_password_reset(&state, &meta, &request.email, &tenant).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// The token from the e-mailed link.
    pub token: String,
    pub password: String,
}

/// Choose a new password with a reset link's token. Ends every session of the account.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", operation_id = "confirm_password_reset",
    request_body = SetPasswordRequest,
    responses((status = 204), (status = 400, description = "invalid, used or expired token", body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
async fn confirm_password_reset(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppJson(request): AppJson<SetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    session::confirm_password_reset(&state, &meta, &request.token, &request.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationRequest {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub tenant_admin: bool,
}

/// Invite a new employee: creates the account without a password and e-mails a link to choose one.
#[utoipa::path(post, path = "/api/v1/auth/invitations", tag = "auth", operation_id = "create_invitation",
    security(("bearer" = [])),
    request_body = InvitationRequest,
    responses((status = 201, body = EmployeeSummary), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn create_invitation(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppJson(request): AppJson<InvitationRequest>,
) -> Result<(StatusCode, axum::Json<EmployeeSummary>), ApiError> {
    permissions::require_type_level(&state.db, &user, EntityType::Employee, Level::Create).await?;
    let invitation = Invitation {
        email: request.email,
        first_name: request.first_name,
        last_name: request.last_name,
        tenant_admin: request.tenant_admin,
    };
    let created = session::invite(&state, &meta, &user, invitation).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Accept an invitation by choosing a password.
#[utoipa::path(post, path = "/api/v1/auth/invitations/accept", tag = "auth", operation_id = "accept_invitation",
    request_body = SetPasswordRequest,
    responses((status = 204), (status = 400, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn accept_invitation(
    State(state): State<AppState>,
    meta: RequestMeta,
    AppJson(request): AppJson<SetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    session::accept_invitation(&state, &meta, &request.token, &request.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateKeyRequest {
    /// Also refuse every token signed with earlier keys (signs everyone out): for a leaked secret.
    #[serde(default)]
    pub revoke_previous: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotateKeyResponse {
    /// The key id that signs new tokens from now on.
    pub kid: String,
}

/// Start signing the tenant's access tokens with a new key (tenant administrators only).
#[utoipa::path(post, path = "/api/v1/auth/keys/rotate", tag = "auth", operation_id = "rotate_signing_key",
    security(("bearer" = [])),
    request_body = RotateKeyRequest,
    responses((status = 200, body = RotateKeyResponse), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)))]
async fn rotate_signing_key(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppJson(request): AppJson<RotateKeyRequest>,
) -> Result<axum::Json<RotateKeyResponse>, ApiError> {
    if !user.tenant_admin {
        return Err(ApiError::forbidden(
            "only tenant administrators can rotate signing keys",
        ));
    }
    let kid = session::rotate_signing_key(&state, &meta, &user, request.revoke_previous).await?;
    Ok(axum::Json(RotateKeyResponse { kid }))
}
