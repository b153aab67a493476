//! The development mailbox, read through the API (the role MailHog plays in the seed). With no SMTP
//! configured every outgoing message lands in `app.dev_mailbox`; tenant administrators read their
//! tenant's messages here.
//!
//! - `GET /api/v1/dev-mailbox?limit=&cursor=&to=`: newest first, keyset-paginated.
//! - `GET /api/v1/dev-mailbox/{id}`: one message with its bodies; the first read sets `read_ts`.
//!
//! Tenant administrators only (403 for others); another tenant's message is 404.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorEnvelope};
use crate::http::cursor;
use crate::http::extract::{AppPath, AppQuery};
use crate::state::AppState;

const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 200;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages))
        .routes(routes!(get_message))
}

/// A message in a list (no bodies).
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct MailboxMessageSummary {
    pub id: Uuid,
    pub to_address: String,
    pub from_address: String,
    pub subject: String,
    pub received_ts: DateTime<Utc>,
    /// When a tenant administrator first opened it.
    pub read_ts: Option<DateTime<Utc>>,
}

/// One message with its bodies.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct MailboxMessage {
    pub id: Uuid,
    /// The outbox row it was delivered from.
    pub outbox_id: Option<Uuid>,
    pub to_address: String,
    pub from_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub received_ts: DateTime<Utc>,
    pub read_ts: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListMailboxQuery {
    /// Only messages to this address (case-insensitive).
    pub to: Option<String>,
    /// Page size, 1–200 (default 20).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of messages.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxPage {
    pub data: Vec<MailboxMessageSummary>,
    pub next_cursor: Option<String>,
}

fn require_admin(user: &CurrentUser) -> Result<(), ApiError> {
    if user.tenant_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only tenant administrators can read the development mailbox",
        ))
    }
}

/// The tenant's development mailbox, newest first.
#[utoipa::path(get, path = "/api/v1/dev-mailbox", tag = "mail", operation_id = "list_dev_mailbox",
    security(("bearer" = [])), params(ListMailboxQuery),
    responses((status = 200, body = MailboxPage),
        (status = 400, body = ErrorEnvelope, description = "Bad limit or cursor"),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope, description = "Not a tenant administrator")))]
async fn list_messages(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<ListMailboxQuery>,
) -> Result<axum::Json<MailboxPage>, ApiError> {
    require_admin(&user)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::malformed(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let after = query.cursor.as_deref().map(cursor::decode).transpose()?;
    let mut rows = list_rows(
        &state.db,
        &user.tenant_id,
        query.to.as_deref(),
        after,
        limit + 1,
    )
    .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last()
            .map(|row| cursor::encode(row.received_ts, row.id))
    } else {
        None
    };
    Ok(axum::Json(MailboxPage {
        data: rows,
        next_cursor,
    }))
}

async fn list_rows(
    db: &sqlx::PgPool,
    tenant: &str,
    to: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<MailboxMessageSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, to_address, from_address, subject, received_ts, read_ts FROM app.dev_mailbox
         WHERE tenant_id = $1
           AND ($2::text IS NULL OR lower(to_address) = lower($2))
           AND ($3::timestamptz IS NULL OR (received_ts, id) < ($3, $4))
         ORDER BY received_ts DESC, id DESC LIMIT $5",
    )
    .bind(tenant)
    .bind(to)
    .bind(after.map(|(ts, _)| ts))
    .bind(after.map(|(_, id)| id))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One message of the tenant's development mailbox, with its text and HTML bodies.
#[utoipa::path(get, path = "/api/v1/dev-mailbox/{id}", tag = "mail", operation_id = "get_dev_mailbox_message",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "Message id")),
    responses((status = 200, body = MailboxMessage),
        (status = 400, body = ErrorEnvelope, description = "Malformed id"),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope, description = "Not a tenant administrator"),
        (status = 404, body = ErrorEnvelope)))]
async fn get_message(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
) -> Result<axum::Json<MailboxMessage>, ApiError> {
    require_admin(&user)?;
    let message = read_message(&state.db, &user.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    Ok(axum::Json(message))
}

/// Returns the message and marks it read (first read only).
async fn read_message(
    db: &sqlx::PgPool,
    tenant: &str,
    id: Uuid,
) -> Result<Option<MailboxMessage>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE app.dev_mailbox SET read_ts = coalesce(read_ts, now())
         WHERE tenant_id = $1 AND id = $2
         RETURNING id, outbox_id, to_address, from_address, subject, body_text, body_html, received_ts, read_ts",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(db)
    .await
}
