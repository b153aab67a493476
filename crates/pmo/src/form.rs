//! Form submissions and their approval (`app.d_form_data`).
//!
//! - `POST /api/v1/form/{id}/submission`: submit answers to a form the caller may view. The
//!   submission waits for approval, and the form's approvers are told by e-mail in the same
//!   transaction: its author (`created_by`), or the tenant's administrators when it has none.
//! - `GET /api/v1/form/{id}/submission`: newest first, keyset-paginated. Callers with Edit on the
//!   form see every submission; everyone else who may view it sees their own. A deleted form's
//!   submissions stay readable (like a deleted record's children); it takes no new ones.
//! - `POST /api/v1/form/{id}/submission/{submission_id}/decision`: Edit on the form decides
//!   (approved, rejected, or another approval status by key or name); the submitter is told by
//!   e-mail in the same transaction. A decided submission cannot be decided again (409).
//!
//! Statuses are the tenant's datalabels `form_submission_status` and `form_approval_status`,
//! stored by key and answered with their names.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::auth::permissions::{self, Level};
use crate::entity::EntityType;
use crate::entity::records;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::http::cursor;
use crate::http::extract::{AppJson, AppPath, AppQuery, RequestMeta};
use crate::mail::{self, FormApprovalEvent};
use crate::state::AppState;

const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 200;
const MAX_NOTES: usize = 2_000;

// Keys of the seeded datalabels (migration 0005): approval 0 pending, 1 approved, 2 rejected;
// submission 1 submitted, 2 under review, 3 accepted, 4 not accepted.
const APPROVAL_PENDING: i32 = 0;
const APPROVAL_APPROVED: i32 = 1;
const APPROVAL_REJECTED: i32 = 2;
const SUBMISSION_SUBMITTED: i32 = 1;
const SUBMISSION_UNDER_REVIEW: i32 = 2;
const SUBMISSION_ACCEPTED: i32 = 3;
const SUBMISSION_NOT_ACCEPTED: i32 = 4;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_submissions, submit_form))
        .routes(routes!(decide_submission))
}

/// One submission of a form.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Submission {
    pub id: Uuid,
    pub form_id: Uuid,
    /// The form's version when it was submitted.
    pub form_version: i32,
    /// The answers, as submitted.
    #[schema(value_type = Object)]
    pub data: Value,
    pub submission_status: i32,
    pub submission_status_name: String,
    pub approval_status: i32,
    pub approval_status_name: String,
    pub submitted_by: Option<Uuid>,
    pub submitted_by_name: Option<String>,
    pub submitted_ts: Option<DateTime<Utc>>,
    pub approved_by: Option<Uuid>,
    pub approved_by_name: Option<String>,
    pub approved_ts: Option<DateTime<Utc>>,
    pub approval_notes: Option<String>,
    pub created_ts: DateTime<Utc>,
}

const SUBMISSION_SELECT: &str = "SELECT d.id, d.form_id, d.form_version, d.submission_data AS data,
        d.form_submission_status AS submission_status, ss.name AS submission_status_name,
        d.form_approval_status AS approval_status, a.name AS approval_status_name,
        d.submitted_by, sb.name AS submitted_by_name, d.submitted_ts,
        d.approved_by, ab.name AS approved_by_name, d.approved_ts, d.approval_notes, d.created_ts
    FROM app.d_form_data d
    JOIN app.setting_datalabel_form_submission_status ss
      ON ss.tenant_id = d.tenant_id AND ss.level_id = d.form_submission_status
    JOIN app.setting_datalabel_form_approval_status a
      ON a.tenant_id = d.tenant_id AND a.level_id = d.form_approval_status
    LEFT JOIN app.d_employee sb ON sb.tenant_id = d.tenant_id AND sb.id = d.submitted_by
    LEFT JOIN app.d_employee ab ON ab.tenant_id = d.tenant_id AND ab.id = d.approved_by";

async fn fetch_submission(
    conn: &mut PgConnection,
    tenant: &str,
    form: Uuid,
    id: Uuid,
) -> Result<Option<Submission>, sqlx::Error> {
    let sql =
        format!("{SUBMISSION_SELECT} WHERE d.tenant_id = $1 AND d.form_id = $2 AND d.id = $3");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(form)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// The form's name and version, when it exists and is live.
async fn live_form(
    conn: &mut PgConnection,
    tenant: &str,
    form: Uuid,
) -> Result<(String, i32, Option<Uuid>), ApiError> {
    let row: Option<(String, i32, Option<Uuid>)> = sqlx::query_as(
        "SELECT name, version, created_by FROM app.d_form_head
         WHERE tenant_id = $1 AND id = $2 AND active_flag",
    )
    .bind(tenant)
    .bind(form)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| ApiError::not_found("form"))
}

fn form_url(state: &AppState, form: Uuid) -> String {
    format!("{}/form/{form}", state.config.public_base_url())
}

/// Answers to a form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubmission {
    /// The answers: an object of field name → value.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

/// Submit answers to a form. It then waits for approval; the form's approvers are e-mailed.
#[utoipa::path(post, path = "/api/v1/form/{id}/submission", tag = "form",
    operation_id = "submit_form", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "form id")), request_body = NewSubmission,
    responses((status = 201, body = Submission), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope, description = "No such form, or not visible"),
        (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope)))]
async fn submit_form(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath(form): AppPath<Uuid>,
    AppJson(body): AppJson<NewSubmission>,
) -> Result<(StatusCode, axum::Json<Submission>), ApiError> {
    let tenant = user.tenant_id.as_str();
    permissions::require_instance_level(&state.db, &user, EntityType::Form, form, Level::View)
        .await?;
    let mut tx = state.db.begin().await?;
    let (form_name, form_version, author) = live_form(&mut tx, tenant, form).await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO app.d_form_data (tenant_id, form_id, form_version, submission_data,
            form_submission_status, form_approval_status, submitted_by, submitted_ts,
            submission_ip, submission_user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9) RETURNING id",
    )
    .bind(tenant)
    .bind(form)
    .bind(form_version)
    .bind(Value::Object(body.data))
    .bind(SUBMISSION_SUBMITTED)
    .bind(APPROVAL_PENDING)
    .bind(user.employee_id)
    .bind(meta.ip)
    .bind(meta.user_agent.as_deref())
    .fetch_one(&mut *tx)
    .await?;
    // The approvers: the form's author, or the administrators when it has none (or they left).
    let approvers: Vec<(String, String)> = sqlx::query_as(
        "SELECT email, name FROM app.d_employee
         WHERE tenant_id = $1 AND active_flag AND (id = $2
            OR (tenant_admin AND NOT EXISTS (SELECT 1 FROM app.d_employee a
                WHERE a.tenant_id = $1 AND a.id = $2 AND a.active_flag)))
         ORDER BY email",
    )
    .bind(tenant)
    .bind(author)
    .fetch_all(&mut *tx)
    .await?;
    for (email, name) in &approvers {
        mail::notify_form_approval(
            &mut tx,
            &state.config,
            tenant,
            email,
            name,
            &form_name,
            &form_url(&state, form),
            FormApprovalEvent::Requested,
        )
        .await?;
    }
    audit::record(
        &mut *tx,
        &meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: "form.submit",
            target_type: Some("form"),
            target_id: Some(form.to_string()),
            after: Some(json!({ "submission_id": id, "form_version": form_version })),
            ..AuditEntry::default()
        },
    )
    .await?;
    let submission = fetch_submission(&mut tx, tenant, form, id)
        .await?
        .ok_or_else(|| ApiError::not_found("submission"))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(submission)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSubmissionsQuery {
    /// Page size, 1–200 (default 20).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of submissions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionPage {
    pub data: Vec<Submission>,
    pub next_cursor: Option<String>,
}

/// The submissions of a form: all of them with Edit on the form, otherwise the caller's own.
#[utoipa::path(get, path = "/api/v1/form/{id}/submission", tag = "form",
    operation_id = "list_form_submissions", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "form id"), ListSubmissionsQuery),
    responses((status = 200, body = SubmissionPage),
        (status = 400, body = ErrorEnvelope, description = "Bad limit or cursor"),
        (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope, description = "No such form, or not visible")))]
async fn list_submissions(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(form): AppPath<Uuid>,
    AppQuery(query): AppQuery<ListSubmissionsQuery>,
) -> Result<axum::Json<SubmissionPage>, ApiError> {
    let limit = crate::search::check_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = query.cursor.as_deref().map(cursor::decode).transpose()?;
    let levels =
        records::require_record(&state.db, &user, EntityType::Form, form, Level::View).await?;
    let own_only = (!levels.contains(Level::Edit)).then_some(user.employee_id);
    let sql = format!(
        "{SUBMISSION_SELECT} WHERE d.tenant_id = $1 AND d.form_id = $2
           AND ($3::uuid IS NULL OR d.submitted_by = $3)
           AND ($4::timestamptz IS NULL OR (d.created_ts, d.id) < ($4, $5))
         ORDER BY d.created_ts DESC, d.id DESC LIMIT $6"
    );
    let mut rows: Vec<Submission> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&user.tenant_id)
        .bind(form)
        .bind(own_only)
        .bind(after.map(|(ts, _)| ts))
        .bind(after.map(|(_, id)| id))
        .bind(limit + 1)
        .fetch_all(&state.db)
        .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last()
            .map(|row| cursor::encode(row.created_ts, row.id))
    } else {
        None
    };
    Ok(axum::Json(SubmissionPage {
        data: rows,
        next_cursor,
    }))
}

/// An approver's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionDecision {
    /// An approval status other than pending, by key or name (`approved`, `rejected`, `1`…).
    pub decision: String,
    /// Why (at most 2,000 characters); sent to the submitter with the decision.
    pub notes: Option<String>,
}

/// Decide a submission (Edit on the form). The submitter is e-mailed the decision.
#[utoipa::path(post, path = "/api/v1/form/{id}/submission/{submission_id}/decision", tag = "form",
    operation_id = "decide_form_submission", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "form id"),
        ("submission_id" = Uuid, Path, description = "submission id")),
    request_body = SubmissionDecision,
    responses((status = 200, body = Submission), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope, description = "No Edit on the form"),
        (status = 404, body = ErrorEnvelope, description = "No such form or submission, or not visible"),
        (status = 409, body = ErrorEnvelope, description = "Already decided"),
        (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn decide_submission(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath((form, id)): AppPath<(Uuid, Uuid)>,
    AppJson(body): AppJson<SubmissionDecision>,
) -> Result<axum::Json<Submission>, ApiError> {
    let tenant = user.tenant_id.as_str();
    permissions::require_instance_level(&state.db, &user, EntityType::Form, form, Level::Edit)
        .await?;
    let notes = body
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|notes| !notes.is_empty());
    if notes.is_some_and(|notes| notes.chars().count() > MAX_NOTES) {
        return Err(ApiError::validation(
            "the decision is invalid",
            json!({ "notes": format!("at most {MAX_NOTES} characters") }),
        ));
    }
    let mut tx = state.db.begin().await?;
    let (form_name, _, _) = live_form(&mut tx, tenant, form).await?;
    let decision: Option<(i32, String)> = sqlx::query_as(
        "SELECT level_id, name FROM app.setting_datalabel_form_approval_status
         WHERE tenant_id = $1 AND active_flag AND (level_id::text = $2 OR lower(name) = lower($2))",
    )
    .bind(tenant)
    .bind(body.decision.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let (decision, decision_name) = match decision {
        Some((key, _)) if key == APPROVAL_PENDING => {
            return Err(ApiError::validation(
                "the decision is invalid",
                json!({ "decision": "choose an outcome, not pending" }),
            ));
        }
        Some(found) => found,
        None => {
            return Err(ApiError::validation(
                "the decision is invalid",
                json!({ "decision": "not an approval status of this tenant" }),
            ));
        }
    };
    // Locked: of two approvers deciding at once, the second sees the first's decision.
    let current: Option<(i32, bool, Option<Uuid>)> = sqlx::query_as(
        "SELECT d.form_approval_status, a.terminal_flag, d.submitted_by
         FROM app.d_form_data d
         JOIN app.setting_datalabel_form_approval_status a
           ON a.tenant_id = d.tenant_id AND a.level_id = d.form_approval_status
         WHERE d.tenant_id = $1 AND d.form_id = $2 AND d.id = $3
         FOR UPDATE OF d",
    )
    .bind(tenant)
    .bind(form)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (before, decided, submitter) = current.ok_or_else(|| ApiError::not_found("submission"))?;
    if decided {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this submission has already been decided",
        ));
    }
    let submission_status = match decision {
        APPROVAL_APPROVED => SUBMISSION_ACCEPTED,
        APPROVAL_REJECTED => SUBMISSION_NOT_ACCEPTED,
        _ => SUBMISSION_UNDER_REVIEW,
    };
    sqlx::query(
        "UPDATE app.d_form_data SET form_approval_status = $4, form_submission_status = $5,
            approved_by = $6, approved_ts = now(), approval_notes = $7, updated_ts = now()
         WHERE tenant_id = $1 AND form_id = $2 AND id = $3",
    )
    .bind(tenant)
    .bind(form)
    .bind(id)
    .bind(decision)
    .bind(submission_status)
    .bind(user.employee_id)
    .bind(notes)
    .execute(&mut *tx)
    .await?;
    // The submitter is told, unless they decided it themselves.
    let recipient: Option<(String, String)> = sqlx::query_as(
        "SELECT email, name FROM app.d_employee
         WHERE tenant_id = $1 AND id = $2 AND id <> $3 AND active_flag",
    )
    .bind(tenant)
    .bind(submitter)
    .bind(user.employee_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((email, name)) = recipient {
        mail::notify_form_approval(
            &mut tx,
            &state.config,
            tenant,
            &email,
            &name,
            &form_name,
            &form_url(&state, form),
            FormApprovalEvent::Decided {
                decision: decision_name.clone(),
            },
        )
        .await?;
    }
    audit::record(
        &mut *tx,
        &meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: "form.decide",
            target_type: Some("form"),
            target_id: Some(form.to_string()),
            before: Some(json!({ "submission_id": id, "approval_status": before })),
            after: Some(
                json!({ "submission_id": id, "approval_status": decision, "notes": notes }),
            ),
            ..AuditEntry::default()
        },
    )
    .await?;
    let submission = fetch_submission(&mut tx, tenant, form, id)
        .await?
        .ok_or_else(|| ApiError::not_found("submission"))?;
    tx.commit().await?;
    Ok(axum::Json(submission))
}
