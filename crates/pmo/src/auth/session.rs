//! Sign-in, refresh, sign-out, password reset and invitations.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::current_user::sessions_changed;
use crate::auth::password;
use crate::auth::tokens::{issue_access_token, random_token, token_hash};
use crate::auth::{CurrentUser, keys};
use crate::cache::Cache;
use crate::error::{ApiError, ErrorCode};
use crate::http::extract::RequestMeta;
use crate::mail::{self, TemplateMail};
use crate::state::AppState;

/// What a successful sign-in or refresh hands out.
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub refresh_expires_in: u64,
    pub employee: EmployeeSummary,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EmployeeSummary {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// Both wrong e-mail and wrong password give this, so accounts cannot be discovered.
fn invalid_credentials() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidCredentials,
        "the e-mail address or password is incorrect",
    )
}

fn too_many_attempts(retry_after_secs: u64) -> ApiError {
    ApiError::rate_limited(
        "too many failed sign-in attempts; try again later",
        retry_after_secs,
    )
}

struct LoginCandidate {
    id: Uuid,
    name: String,
    email: String,
    password_hash: Option<String>,
    active: bool,
    locked_until: Option<DateTime<Utc>>,
}

pub async fn login(
    state: &AppState,
    meta: &RequestMeta,
    email: &str,
    password: &str,
    tenant: &str,
) -> Result<IssuedTokens, ApiError> {
    let auth = &state.config.auth;
    let email = email.trim().to_lowercase();
    let account_key = format!("{tenant}\0{email}");
    if let Some(ip) = meta.ip
        && let Some(secs) = state.throttle.per_ip.retry_after(&ip.to_string()).await
    {
        return Err(too_many_attempts(secs));
    }
    if let Some(secs) = state.throttle.per_account.retry_after(&account_key).await {
        return Err(too_many_attempts(secs));
    }

    let candidate: Option<LoginCandidate> = sqlx::query_as::<
        _,
        (
            Uuid,
            String,
            String,
            Option<String>,
            bool,
            Option<DateTime<Utc>>,
        ),
    >(
        "SELECT id, name, email, password_hash, active_flag, account_locked_until
         FROM app.d_employee WHERE tenant_id = $1 AND lower(email) = $2",
    )
    .bind(tenant)
    .bind(&email)
    .fetch_optional(&state.db)
    .await?
    .map(
        |(id, name, email, password_hash, active, locked_until)| LoginCandidate {
            id,
            name,
            email,
            password_hash,
            active,
            locked_until,
        },
    );

    if let Some(locked_until) = candidate
        .as_ref()
        .and_then(|c| c.locked_until)
        .filter(|until| *until > Utc::now())
    {
        let secs = u64::try_from((locked_until - Utc::now()).num_seconds()).unwrap_or(1);
        return Err(too_many_attempts(secs));
    }

    // Always run one argon2 verification, so an unknown e-mail takes as long as a wrong password.
    let stored_hash = candidate
        .as_ref()
        .filter(|c| c.active)
        .and_then(|c| c.password_hash.clone())
        .unwrap_or_else(|| state.throttle.dummy_hash.clone());
    let password_ok = password::verify_password_blocking(stored_hash, password.to_owned()).await?;
    let account = candidate.filter(|c| c.active && c.password_hash.is_some());

    let Some(account) = account.filter(|_| password_ok) else {
        record_failed_login(state, meta, tenant, &email, &account_key).await?;
        return Err(invalid_credentials());
    };

    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE app.d_employee SET failed_login_attempts = 0, account_locked_until = NULL, last_login_ts = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(account.id)
    .execute(&mut *tx)
    .await?;
    let session_id: Uuid = sqlx::query_scalar(
        "INSERT INTO app.auth_session (tenant_id, employee_id, expires_ts, user_agent, ip)
         VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5) RETURNING id",
    )
    .bind(tenant)
    .bind(account.id)
    .bind(auth.session_max_age_secs as f64)
    .bind(meta.user_agent.as_deref())
    .bind(meta.ip)
    .fetch_one(&mut *tx)
    .await?;
    let refresh_token =
        insert_refresh_token(&mut tx, state, tenant, account.id, session_id, meta).await?;
    let kid = keys::current_kid(&mut tx, tenant).await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(account.id),
            action: "auth.login",
            target_type: Some("employee"),
            target_id: Some(account.id.to_string()),
            details: Some(json!({ "session_id": session_id })),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    state.throttle.per_account.clear(&account_key).await;

    let access_token = issue_access_token(
        &state.keys,
        &kid,
        tenant,
        account.id,
        session_id,
        auth.access_token_ttl_secs,
    )?;
    Ok(IssuedTokens {
        access_token,
        refresh_token,
        expires_in: auth.access_token_ttl_secs,
        refresh_expires_in: auth.refresh_token_ttl_secs,
        employee: EmployeeSummary {
            id: account.id,
            name: account.name,
            email: account.email,
        },
    })
}

/// Counts a failure against the address, the account name and (for a real account) the database
/// lock, and audits it. The database lock is shared by every instance.
async fn record_failed_login(
    state: &AppState,
    meta: &RequestMeta,
    tenant: &str,
    email: &str,
    account_key: &str,
) -> Result<(), ApiError> {
    let auth = &state.config.auth;
    if let Some(ip) = meta.ip {
        state.throttle.per_ip.record_failure(ip.to_string()).await;
    }
    state
        .throttle
        .per_account
        .record_failure(account_key.to_owned())
        .await;
    let mut tx = state.db.begin().await?;
    let locked: Option<(Uuid, bool)> = sqlx::query_as(
        "UPDATE app.d_employee SET
            failed_login_attempts = CASE WHEN failed_login_attempts + 1 >= $3 THEN 0 ELSE failed_login_attempts + 1 END,
            account_locked_until = CASE WHEN failed_login_attempts + 1 >= $3
                                        THEN now() + make_interval(secs => $4) ELSE account_locked_until END
         WHERE tenant_id = $1 AND lower(email) = $2
         RETURNING id, account_locked_until IS NOT NULL AND account_locked_until > now()",
    )
    .bind(tenant)
    .bind(email)
    .bind(i32::try_from(auth.max_failed_logins).unwrap_or(i32::MAX))
    .bind(auth.lockout_secs as f64)
    .fetch_optional(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: locked.map(|(id, _)| id),
            action: "auth.login_failed",
            target_type: Some("employee"),
            target_id: locked.map(|(id, _)| id.to_string()),
            details: Some(
                json!({ "email": email, "account_locked": locked.is_some_and(|(_, l)| l) }),
            ),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_refresh_token(
    conn: &mut PgConnection,
    state: &AppState,
    tenant: &str,
    employee: Uuid,
    session: Uuid,
    meta: &RequestMeta,
) -> Result<String, ApiError> {
    let token = random_token();
    sqlx::query(
        "INSERT INTO app.auth_refresh_token (tenant_id, employee_id, family_id, token_hash, expires_ts, user_agent, ip)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6, $7)",
    )
    .bind(tenant)
    .bind(employee)
    .bind(session)
    .bind(token_hash(&token))
    .bind(state.config.auth.refresh_token_ttl_secs as f64)
    .bind(meta.user_agent.as_deref())
    .bind(meta.ip)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// A refresh token with its session and employee, as `refresh` reads it.
#[derive(sqlx::FromRow)]
struct RefreshRow {
    token_id: Uuid,
    tenant_id: String,
    employee_id: Uuid,
    session_id: Uuid,
    used: bool,
    live: bool,
    active: bool,
    name: String,
    email: String,
}

/// Trades a refresh token for new tokens. Each refresh token works once: presenting a used one
/// again means it was stolen or replayed, so the whole session is revoked.
pub async fn refresh(
    state: &AppState,
    meta: &RequestMeta,
    refresh_token: &str,
) -> Result<IssuedTokens, ApiError> {
    let auth = &state.config.auth;
    let refused =
        || ApiError::unauthenticated("the refresh token is invalid or has expired; sign in again");
    let mut tx = state.db.begin().await?;
    // Lock the token row: of two concurrent refreshes with one token, the second sees it used.
    let row: Option<RefreshRow> = sqlx::query_as(
        "SELECT t.id AS token_id, t.tenant_id, t.employee_id, t.family_id AS session_id,
                t.used_ts IS NOT NULL AS used,
                (t.revoked_ts IS NULL AND t.expires_ts > now() AND s.revoked_ts IS NULL AND s.expires_ts > now()) AS live,
                e.active_flag AS active, e.name, e.email
         FROM app.auth_refresh_token t
         JOIN app.auth_session s ON s.id = t.family_id
         JOIN app.d_employee e ON e.tenant_id = t.tenant_id AND e.id = t.employee_id
         WHERE t.token_hash = $1
         FOR UPDATE OF t",
    )
    .bind(token_hash(refresh_token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(RefreshRow {
        token_id,
        tenant_id: tenant,
        employee_id: employee,
        session_id: session,
        used,
        live,
        active,
        name,
        email,
    }) = row
    else {
        return Err(refused());
    };
    if !live || !active {
        return Err(refused());
    }
    if used {
        revoke_session(
            &mut tx,
            &state.cache,
            &tenant,
            session,
            "refresh_token_reuse",
        )
        .await?;
        audit::record(
            &mut *tx,
            meta,
            AuditEntry {
                tenant_id: Some(&tenant),
                actor: Some(employee),
                action: "auth.refresh_reuse",
                target_type: Some("employee"),
                target_id: Some(employee.to_string()),
                details: Some(json!({ "session_id": session })),
                ..AuditEntry::default()
            },
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(tenant.id = %tenant, employee.id = %employee, "refresh token reused; session revoked");
        return Err(refused());
    }
    let new_token = insert_refresh_token(&mut tx, state, &tenant, employee, session, meta).await?;
    sqlx::query(
        "UPDATE app.auth_refresh_token SET used_ts = now(),
            replaced_by_id = (SELECT id FROM app.auth_refresh_token WHERE token_hash = $2)
         WHERE id = $1",
    )
    .bind(token_id)
    .bind(token_hash(&new_token))
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE app.auth_session SET last_refreshed_ts = now() WHERE id = $1")
        .bind(session)
        .execute(&mut *tx)
        .await?;
    let kid = keys::current_kid(&mut tx, &tenant).await?;
    tx.commit().await?;

    let access_token = issue_access_token(
        &state.keys,
        &kid,
        &tenant,
        employee,
        session,
        auth.access_token_ttl_secs,
    )?;
    Ok(IssuedTokens {
        access_token,
        refresh_token: new_token,
        expires_in: auth.access_token_ttl_secs,
        refresh_expires_in: auth.refresh_token_ttl_secs,
        employee: EmployeeSummary {
            id: employee,
            name,
            email,
        },
    })
}

async fn revoke_session(
    conn: &mut PgConnection,
    cache: &Cache,
    tenant: &str,
    session: Uuid,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sessions_changed(conn, Some(cache), tenant, Some(session)).await?;
    sqlx::query("UPDATE app.auth_session SET revoked_ts = now(), revoked_reason = $2 WHERE id = $1 AND revoked_ts IS NULL")
        .bind(session)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE app.auth_refresh_token SET revoked_ts = now(), revoked_reason = $2 WHERE family_id = $1 AND revoked_ts IS NULL",
    )
    .bind(session)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends every session of an employee (password change, deactivation): two statements, however
/// many sessions there are.
async fn revoke_all_sessions(
    conn: &mut PgConnection,
    cache: &Cache,
    tenant: &str,
    employee: Uuid,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sessions_changed(conn, Some(cache), tenant, None).await?;
    sqlx::query(
        "UPDATE app.auth_session SET revoked_ts = now(), revoked_reason = $3
         WHERE tenant_id = $1 AND employee_id = $2 AND revoked_ts IS NULL",
    )
    .bind(tenant)
    .bind(employee)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE app.auth_refresh_token SET revoked_ts = now(), revoked_reason = $3
         WHERE tenant_id = $1 AND employee_id = $2 AND revoked_ts IS NULL",
    )
    .bind(tenant)
    .bind(employee)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn logout(
    state: &AppState,
    meta: &RequestMeta,
    user: &CurrentUser,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    revoke_session(
        &mut tx,
        &state.cache,
        &user.tenant_id,
        user.session_id,
        "logout",
    )
    .await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(&user.tenant_id),
            actor: Some(user.employee_id),
            action: "auth.logout",
            target_type: Some("employee"),
            target_id: Some(user.employee_id.to_string()),
            details: Some(json!({ "session_id": user.session_id })),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Issues a single-use token for `purpose`, voiding earlier unused ones, and returns it.
async fn issue_one_time_token(
    conn: &mut PgConnection,
    tenant: &str,
    employee: Uuid,
    purpose: &str,
    ttl_secs: u64,
    created_by: Option<Uuid>,
) -> Result<String, sqlx::Error> {
    sqlx::query(
        "UPDATE app.auth_one_time_token SET used_ts = now()
         WHERE tenant_id = $1 AND employee_id = $2 AND purpose = $3 AND used_ts IS NULL",
    )
    .bind(tenant)
    .bind(employee)
    .bind(purpose)
    .execute(&mut *conn)
    .await?;
    let token = random_token();
    sqlx::query(
        "INSERT INTO app.auth_one_time_token (tenant_id, employee_id, purpose, token_hash, expires_ts, created_by)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), $6)",
    )
    .bind(tenant)
    .bind(employee)
    .bind(purpose)
    .bind(token_hash(&token))
    .bind(ttl_secs as f64)
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// Redeems a single-use token: returns its tenant and employee, and marks it used.
async fn redeem_one_time_token(
    conn: &mut PgConnection,
    token: &str,
    purpose: &str,
) -> Result<(String, Uuid), ApiError> {
    let row: Option<(String, Uuid)> = sqlx::query_as(
        "UPDATE app.auth_one_time_token SET used_ts = now()
         WHERE token_hash = $1 AND purpose = $2 AND used_ts IS NULL AND expires_ts > now()
         RETURNING tenant_id, employee_id",
    )
    .bind(token_hash(token))
    .bind(purpose)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidToken,
            "this link is invalid, was already used or has expired",
        )
    })
}

/// Sends a reset link when the account exists. The answer is the same either way.
pub async fn request_password_reset(
    state: &AppState,
    meta: &RequestMeta,
    email: &str,
    tenant: &str,
) -> Result<(), ApiError> {
    let email = email.trim().to_lowercase();
    let mut tx = state.db.begin().await?;
    let employee: Option<(Uuid, String)> = sqlx::query_as(
        "SELECT id, email FROM app.d_employee WHERE tenant_id = $1 AND lower(email) = $2 AND active_flag",
    )
    .bind(tenant)
    .bind(&email)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((employee, address)) = employee {
        let token = issue_one_time_token(
            &mut tx,
            tenant,
            employee,
            "password_reset",
            state.config.auth.password_reset_ttl_secs,
            None,
        )
        .await?;
        let link = format!(
            "{}/reset-password?token={token}",
            state.config.public_base_url()
        );
        let minutes = state.config.auth.password_reset_ttl_secs / 60;
        let mut variables = serde_json::Map::new();
        variables.insert("email".into(), json!(address));
        variables.insert("minutes".into(), json!(minutes));
        variables.insert("link".into(), json!(link));
        mail::enqueue_template(
            &mut tx,
            &state.config,
            TemplateMail {
                tenant_id: tenant,
                to: &address,
                template_code: "password_reset",
                variables: &variables,
            },
        )
        .await?;
        audit::record(
            &mut *tx,
            meta,
            AuditEntry {
                tenant_id: Some(tenant),
                actor: Some(employee),
                action: "auth.password_reset_requested",
                target_type: Some("employee"),
                target_id: Some(employee.to_string()),
                ..AuditEntry::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn confirm_password_reset(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    validate_new_password(new_password)?;
    let hash = password::hash_password_blocking(new_password.to_owned()).await?;
    let mut tx = state.db.begin().await?;
    let (tenant, employee) = redeem_one_time_token(&mut tx, token, "password_reset").await?;
    set_password(&mut tx, &tenant, employee, &hash).await?;
    revoke_all_sessions(&mut tx, &state.cache, &tenant, employee, "password_reset").await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(&tenant),
            actor: Some(employee),
            action: "auth.password_reset",
            target_type: Some("employee"),
            target_id: Some(employee.to_string()),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn set_password(
    conn: &mut PgConnection,
    tenant: &str,
    employee: Uuid,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE app.d_employee SET password_hash = $3, password_changed_ts = now(), failed_login_attempts = 0,
            account_locked_until = NULL
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(employee)
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub fn validate_new_password(password: &str) -> Result<(), ApiError> {
    let length = password.chars().count();
    if length < 8 {
        return Err(ApiError::validation(
            "the password is too short",
            json!({ "password": "at least 8 characters" }),
        ));
    }
    if length > 256 {
        return Err(ApiError::validation(
            "the password is too long",
            json!({ "password": "at most 256 characters" }),
        ));
    }
    Ok(())
}

pub struct Invitation {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub tenant_admin: bool,
}

/// Creates an employee without a password and mails them a single-use link to choose one.
pub async fn invite(
    state: &AppState,
    meta: &RequestMeta,
    inviter: &CurrentUser,
    invitation: Invitation,
) -> Result<EmployeeSummary, ApiError> {
    let email = invitation.email.trim().to_lowercase();
    let mut fields = serde_json::Map::new();
    if !crate::tenancy::is_plausible_email(&email) {
        fields.insert("email".into(), json!("not a valid e-mail address"));
    }
    for (key, value) in [
        ("first_name", &invitation.first_name),
        ("last_name", &invitation.last_name),
    ] {
        let length = value.trim().chars().count();
        if length == 0 || length > 100 {
            fields.insert(key.into(), json!("required, at most 100 characters"));
        }
    }
    if !fields.is_empty() {
        return Err(ApiError::validation(
            "the invitation is incomplete",
            fields.into(),
        ));
    }
    if invitation.tenant_admin && !inviter.tenant_admin {
        return Err(ApiError::forbidden(
            "only tenant administrators can invite administrators",
        ));
    }
    let tenant = inviter.tenant_id.as_str();
    let mut tx = state.db.begin().await?;
    let created = crate::tenancy::insert_employee_row(
        &mut tx,
        tenant,
        &email,
        invitation.first_name.trim(),
        invitation.last_name.trim(),
        None,
        invitation.tenant_admin,
        Some(inviter.employee_id),
    )
    .await
    .map_err(
        |err| match err.downcast_ref::<crate::tenancy::TenancyError>() {
            Some(crate::tenancy::TenancyError::EmailTaken(_)) => ApiError::new(
                ErrorCode::Conflict,
                "an employee with this e-mail address already exists",
            ),
            _ => ApiError::Internal(err),
        },
    )?;
    let token = issue_one_time_token(
        &mut tx,
        tenant,
        created.id,
        "invitation",
        state.config.auth.invitation_ttl_secs,
        Some(inviter.employee_id),
    )
    .await?;
    let link = format!(
        "{}/accept-invitation?token={token}",
        state.config.public_base_url()
    );
    let days = (state.config.auth.invitation_ttl_secs / 86_400).max(1);
    let mut variables = serde_json::Map::new();
    variables.insert("inviter_name".into(), json!(inviter.name));
    variables.insert("days".into(), json!(days));
    variables.insert("link".into(), json!(link));
    mail::enqueue_template(
        &mut tx,
        &state.config,
        TemplateMail {
            tenant_id: tenant,
            to: &email,
            template_code: "invitation",
            variables: &variables,
        },
    )
    .await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(inviter.employee_id),
            action: "auth.invitation_sent",
            target_type: Some("employee"),
            target_id: Some(created.id.to_string()),
            after: Some(json!({ "email": email, "tenant_admin": invitation.tenant_admin })),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    let name = format!(
        "{} {}",
        invitation.first_name.trim(),
        invitation.last_name.trim()
    );
    Ok(EmployeeSummary {
        id: created.id,
        name,
        email,
    })
}

pub async fn accept_invitation(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    validate_new_password(new_password)?;
    let hash = password::hash_password_blocking(new_password.to_owned()).await?;
    let mut tx = state.db.begin().await?;
    let (tenant, employee) = redeem_one_time_token(&mut tx, token, "invitation").await?;
    set_password(&mut tx, &tenant, employee, &hash).await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(&tenant),
            actor: Some(employee),
            action: "auth.invitation_accepted",
            target_type: Some("employee"),
            target_id: Some(employee.to_string()),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Starts signing the caller's tenant's tokens with a new key (admins only; checked by the route).
pub async fn rotate_signing_key(
    state: &AppState,
    meta: &RequestMeta,
    user: &CurrentUser,
    revoke_previous: bool,
) -> Result<String, ApiError> {
    let mut tx = state.db.begin().await?;
    let kid = keys::rotate(&mut tx, &user.tenant_id, revoke_previous).await?;
    // Every instance forgets its cached key statuses when this commits.
    state
        .cache
        .invalidate(
            &mut *tx,
            crate::cache::Invalidation::namespace(
                crate::cache::SIGNING_KEYS,
                Some(&user.tenant_id),
            ),
        )
        .await?;
    audit::record(
        &mut *tx,
        meta,
        AuditEntry {
            tenant_id: Some(&user.tenant_id),
            actor: Some(user.employee_id),
            action: "auth.signing_key_rotated",
            details: Some(json!({ "kid": kid, "revoke_previous": revoke_previous })),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    state.keys.forget();
    Ok(kid)
}
