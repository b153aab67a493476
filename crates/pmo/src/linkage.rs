//! Linkage: parent→child links between entity instances (`app.d_entity_id_map`).
//!
//! - `GET /api/v1/linkage`: active links, filtered by either end, keyset-paginated by id; only
//!   links whose both ends the caller may view (filtered in the page's SQL).
//! - `POST /api/v1/linkage`: link two instances. The pair must be allowed by the registry
//!   (`EntityDef::children`) and must not be one stored as a column on the child (set that field
//!   instead); both ends must exist in the caller's tenant; Edit is needed on both (SPEC §5).
//!   A new link answers 201, an existing one (reactivated, or already active) 200.
//! - `DELETE /api/v1/linkage/{id}`: soft unlink (active_flag false, to_ts set); Delete is needed on
//!   both ends. Linking again reactivates the same row.
//!
//! Task assignees are task→employee links (`relationship_type` `assigned_to`).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::auth::permissions::{self, Level};
use crate::entity::EntityType;
use crate::entity::records;
use crate::entity::values::FieldErrors;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::http::extract::{AppJson, AppPath, AppQuery, RequestMeta};
use crate::state::AppState;

const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 200;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_links, create_link))
        .routes(routes!(delete_link))
}

/// One link between two instances.
#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub id: Uuid,
    pub parent_entity_type: EntityType,
    pub parent_entity_id: Uuid,
    /// The parent's current name (from the instance registry).
    pub parent_name: Option<String>,
    pub child_entity_type: EntityType,
    pub child_entity_id: Uuid,
    pub child_name: Option<String>,
    /// Descriptive: `contains`, `assigned_to` (task → employee), …
    pub relationship_type: String,
    pub active_flag: bool,
    pub from_ts: DateTime<Utc>,
    pub to_ts: Option<DateTime<Utc>>,
    pub created_ts: DateTime<Utc>,
    pub updated_ts: DateTime<Utc>,
    pub created_by: Option<Uuid>,
}

type LinkRow = (
    Uuid,
    String,
    Uuid,
    Option<String>,
    String,
    Uuid,
    Option<String>,
    String,
    bool,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<Uuid>,
);

const LINK_SELECT: &str = "SELECT m.id, m.parent_entity_type::text, m.parent_entity_id, pi.name,
        m.child_entity_type::text, m.child_entity_id, ci.name, m.relationship_type, m.active_flag,
        m.from_ts, m.to_ts, m.created_ts, m.updated_ts, m.created_by
    FROM app.d_entity_id_map m
    LEFT JOIN app.d_entity_instance_id pi ON pi.tenant_id = m.tenant_id
        AND pi.entity_type = m.parent_entity_type AND pi.entity_id = m.parent_entity_id
    LEFT JOIN app.d_entity_instance_id ci ON ci.tenant_id = m.tenant_id
        AND ci.entity_type = m.child_entity_type AND ci.entity_id = m.child_entity_id";

fn link_from_row(row: LinkRow) -> Option<Link> {
    let (
        id,
        parent_type,
        parent_entity_id,
        parent_name,
        child_type,
        child_entity_id,
        child_name,
        relationship_type,
        active_flag,
        from_ts,
        to_ts,
        created_ts,
        updated_ts,
        created_by,
    ) = row;
    Some(Link {
        id,
        parent_entity_type: parent_type.parse().ok()?,
        parent_entity_id,
        parent_name,
        child_entity_type: child_type.parse().ok()?,
        child_entity_id,
        child_name,
        relationship_type,
        active_flag,
        from_ts,
        to_ts,
        created_ts,
        updated_ts,
        created_by,
    })
}

async fn fetch_link(
    conn: &mut PgConnection,
    tenant: &str,
    id: Uuid,
) -> Result<Option<Link>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(LINK_SELECT);
    qb.push(" WHERE m.tenant_id = ")
        .push_bind(tenant.to_owned())
        .push(" AND m.id = ")
        .push_bind(id);
    let row: Option<LinkRow> = qb.build_query_as().fetch_optional(&mut *conn).await?;
    Ok(row.and_then(link_from_row))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListLinksQuery {
    pub parent_entity_type: Option<EntityType>,
    pub parent_entity_id: Option<Uuid>,
    pub child_entity_type: Option<EntityType>,
    pub child_entity_id: Option<Uuid>,
    /// Page size, 1–200 (default 20).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
}

/// A page of links.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkPage {
    pub data: Vec<Link>,
    pub next_cursor: Option<Uuid>,
}

/// Active links, optionally filtered by either end. Only links whose both ends the caller may view
/// are listed; pages are ordered by link id.
#[utoipa::path(get, path = "/api/v1/linkage", tag = "linkage", operation_id = "list_links",
    security(("bearer" = [])), params(ListLinksQuery),
    responses((status = 200, body = LinkPage), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope)))]
async fn list_links(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<ListLinksQuery>,
) -> Result<axum::Json<LinkPage>, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::malformed(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let visibility = permissions::pair_visibility(&state.db, &user, &[]).await?;
    let mut qb = QueryBuilder::<Postgres>::new(LINK_SELECT);
    qb.push(" WHERE m.tenant_id = ")
        .push_bind(user.tenant_id.clone())
        .push(" AND m.active_flag");
    if let Some(parent_type) = query.parent_entity_type {
        qb.push(" AND m.parent_entity_type = ")
            .push_bind(parent_type.as_str());
    }
    if let Some(parent_id) = query.parent_entity_id {
        qb.push(" AND m.parent_entity_id = ").push_bind(parent_id);
    }
    if let Some(child_type) = query.child_entity_type {
        qb.push(" AND m.child_entity_type = ")
            .push_bind(child_type.as_str());
    }
    if let Some(child_id) = query.child_entity_id {
        qb.push(" AND m.child_entity_id = ").push_bind(child_id);
    }
    permissions::push_pair_visibility_filter(
        &mut qb,
        &user,
        &visibility,
        "m.parent_entity_type",
        "m.parent_entity_id",
    );
    permissions::push_pair_visibility_filter(
        &mut qb,
        &user,
        &visibility,
        "m.child_entity_type",
        "m.child_entity_id",
    );
    if let Some(cursor) = query.cursor {
        qb.push(" AND m.id > ").push_bind(cursor);
    }
    qb.push(" ORDER BY m.id LIMIT ").push_bind(limit + 1);
    let rows: Vec<LinkRow> = qb.build_query_as().fetch_all(&state.db).await?;
    let mut data: Vec<Link> = rows.into_iter().filter_map(link_from_row).collect();
    let next_cursor = if data.len() as i64 > limit {
        data.truncate(usize::try_from(limit).unwrap_or(0));
        data.last().map(|link| link.id)
    } else {
        None
    };
    Ok(axum::Json(LinkPage { data, next_cursor }))
}

/// A link to create. Ids are UUIDs (a malformed one is 400); types are entity type names.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLinkRequest {
    /// One of the 18 entity type names.
    pub parent_entity_type: String,
    #[schema(value_type = Uuid)]
    pub parent_entity_id: String,
    pub child_entity_type: String,
    #[schema(value_type = Uuid)]
    pub child_entity_id: String,
    /// Lower-case letters and underscores (default `contains`; `assigned_to` for task → employee).
    pub relationship_type: Option<String>,
}

/// A checked link request.
struct LinkTarget {
    parent: EntityType,
    parent_id: Uuid,
    child: EntityType,
    child_id: Uuid,
    relationship_type: Option<String>,
}

fn parse_id(field: &str, raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| ApiError::malformed(format!("{field} must be a UUID, not `{raw}`")))
}

fn is_relationship_type(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 50
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || *b == b'_')
}

/// Checks a link request against the registry: 400 for malformed ids, 422 naming each bad field.
fn check_link_request(request: &CreateLinkRequest) -> Result<LinkTarget, ApiError> {
    let parent_id = parse_id("parent_entity_id", &request.parent_entity_id)?;
    let child_id = parse_id("child_entity_id", &request.child_entity_id)?;
    let mut errors = FieldErrors::default();
    let parent = request.parent_entity_type.parse::<EntityType>().ok();
    let child = request.child_entity_type.parse::<EntityType>().ok();
    if parent.is_none() {
        errors.add("parent_entity_type", "unknown entity type");
    }
    if child.is_none() {
        errors.add("child_entity_type", "unknown entity type");
    }
    if let Some(relationship) = &request.relationship_type
        && !is_relationship_type(relationship)
    {
        errors.add(
            "relationship_type",
            "lower-case letters and underscores, starting with a letter, at most 50",
        );
    }
    if let (Some(parent), Some(child)) = (parent, child) {
        if parent == child && parent_id == child_id {
            errors.add("child_entity_id", "a record cannot be linked to itself");
        }
        let parent_def = parent.registry();
        if !parent_def.allows_child(child) {
            let allowed: Vec<&str> = parent_def.children.iter().map(|t| t.as_str()).collect();
            let message = if allowed.is_empty() {
                format!("a {parent} has no linked children")
            } else {
                format!(
                    "a {parent} cannot have {child} children (allowed: {})",
                    allowed.join(", ")
                )
            };
            errors.add("child_entity_type", message);
        } else if let Some(field) = child.registry().parent_reference(parent) {
            errors.add(
                "child_entity_type",
                format!(
                    "a {child}'s {parent} is its `{}` field, not a link: set that field instead \
                     (PATCH /api/v1/{child}/{{id}})",
                    field.name
                ),
            );
        }
    }
    errors.into_result("the link is invalid")?;
    match (parent, child) {
        (Some(parent), Some(child)) => Ok(LinkTarget {
            parent,
            parent_id,
            child,
            child_id,
            relationship_type: request.relationship_type.clone(),
        }),
        // Unreachable: unknown types were reported above.
        _ => Err(ApiError::malformed("unknown entity type")),
    }
}

/// Whether a live instance exists in the tenant.
async fn instance_exists(
    db: &sqlx::PgPool,
    tenant: &str,
    entity: EntityType,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM app.d_entity_instance_id
                        WHERE tenant_id = $1 AND entity_type = $2 AND entity_id = $3 AND active_flag)",
    )
    .bind(tenant)
    .bind(entity.as_str())
    .bind(id)
    .fetch_one(db)
    .await
}

/// Link two instances. Needs Edit on both ends. A new link answers 201; an existing link
/// (reactivated after an unlink, or already active) answers 200.
#[utoipa::path(post, path = "/api/v1/linkage", tag = "linkage", operation_id = "create_link",
    security(("bearer" = [])), request_body = CreateLinkRequest,
    responses((status = 201, body = Link, description = "Linked"),
        (status = 200, body = Link, description = "The link existed: reactivated (or already active)"),
        (status = 400, body = ErrorEnvelope, description = "Malformed JSON or id"),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope, description = "Edit is needed on both ends"),
        (status = 404, body = ErrorEnvelope, description = "An end does not exist or is not visible"),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope, description = "Unknown type, pair not allowed, self-link")))]
async fn create_link(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppJson(request): AppJson<CreateLinkRequest>,
) -> Result<(StatusCode, axum::Json<Link>), ApiError> {
    let target = check_link_request(&request)?;
    let tenant = user.tenant_id.as_str();
    // Missing ends and invisible ends answer alike (404), so existence leaks nothing.
    for (entity, id) in [
        (target.parent, target.parent_id),
        (target.child, target.child_id),
    ] {
        if !instance_exists(&state.db, tenant, entity, id).await? {
            return Err(ApiError::not_found(entity.as_str()));
        }
        permissions::require_instance_level(&state.db, &user, entity, id, Level::Edit).await?;
    }

    let mut tx = state.db.begin().await?;
    let existing: Option<(Uuid, bool, String)> = sqlx::query_as(
        "SELECT id, active_flag, relationship_type FROM app.d_entity_id_map
         WHERE tenant_id = $1 AND parent_entity_type = $2 AND parent_entity_id = $3
           AND child_entity_type = $4 AND child_entity_id = $5
         FOR UPDATE",
    )
    .bind(tenant)
    .bind(target.parent.as_str())
    .bind(target.parent_id)
    .bind(target.child.as_str())
    .bind(target.child_id)
    .fetch_optional(&mut *tx)
    .await?;
    let id = records::insert_link(
        &mut tx,
        &user,
        target.parent,
        target.parent_id,
        target.child,
        target.child_id,
    )
    .await?;
    permissions::link_changed(
        &mut tx,
        user.cache.as_ref(),
        tenant,
        target.parent,
        target.child,
        permissions::LinkedChild::Existing,
    )
    .await?;
    let mut relationship_changed = false;
    if let Some(relationship) = &target.relationship_type {
        relationship_changed = existing
            .as_ref()
            .is_none_or(|(_, _, current)| current != relationship);
        sqlx::query(
            "UPDATE app.d_entity_id_map SET relationship_type = $3, updated_ts = now()
             WHERE tenant_id = $1 AND id = $2 AND relationship_type <> $3",
        )
        .bind(tenant)
        .bind(id)
        .bind(relationship)
        .execute(&mut *tx)
        .await
        .map_err(records::map_write_error)?;
    }
    let link = fetch_link(&mut tx, tenant, id)
        .await?
        .ok_or_else(|| ApiError::not_found("link"))?;
    let (status, changed) = match &existing {
        None => (StatusCode::CREATED, true),
        Some((_, active, _)) => (StatusCode::OK, !active || relationship_changed),
    };
    if changed {
        audit::record(
            &mut *tx,
            &meta,
            AuditEntry {
                tenant_id: Some(tenant),
                actor: Some(user.employee_id),
                action: "linkage.create",
                target_type: Some("linkage"),
                target_id: Some(id.to_string()),
                before: existing.as_ref().map(|(_, active, relationship)| {
                    json!({ "active_flag": active, "relationship_type": relationship })
                }),
                after: Some(link_audit(&link)),
                details: Some(json!({ "reactivated": existing.is_some() })),
            },
        )
        .await?;
    }
    // A task newly assigned to someone else: tell them (outbox row in this transaction).
    let newly_active = existing.as_ref().is_none_or(|(_, active, _)| !active);
    if newly_active
        && target.parent == EntityType::Task
        && target.child == EntityType::Employee
        && target.child_id != user.employee_id
    {
        crate::mail::notify_task_assigned(
            &mut tx,
            &state.config,
            tenant,
            target.parent_id,
            target.child_id,
            &user.name,
        )
        .await?;
    }
    tx.commit().await?;
    Ok((status, axum::Json(link)))
}

fn link_audit(link: &Link) -> serde_json::Value {
    json!({
        "parent_entity_type": link.parent_entity_type,
        "parent_entity_id": link.parent_entity_id,
        "child_entity_type": link.child_entity_type,
        "child_entity_id": link.child_entity_id,
        "relationship_type": link.relationship_type,
        "active_flag": link.active_flag,
    })
}

/// Unlink: the link is kept inactive (`active_flag` false, `to_ts` set) and linking the same pair
/// again reactivates it. Needs Delete on both ends; a link with an end the caller cannot see does
/// not exist for them.
#[utoipa::path(delete, path = "/api/v1/linkage/{id}", tag = "linkage", operation_id = "delete_link",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "link id")),
    responses((status = 204, description = "Unlinked"),
        (status = 400, body = ErrorEnvelope, description = "Malformed id"),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope, description = "Delete is needed on both ends"),
        (status = 404, body = ErrorEnvelope, description = "No such active link, or not visible")))]
async fn delete_link(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let tenant = user.tenant_id.as_str();
    let mut conn = state.db.acquire().await?;
    let link = fetch_link(&mut conn, tenant, id)
        .await?
        .filter(|link| link.active_flag)
        .ok_or_else(|| ApiError::not_found("link"))?;
    drop(conn);
    for (entity, entity_id) in [
        (link.parent_entity_type, link.parent_entity_id),
        (link.child_entity_type, link.child_entity_id),
    ] {
        permissions::require_instance_level(&state.db, &user, entity, entity_id, Level::Delete)
            .await
            .map_err(|err| match err.code() {
                ErrorCode::NotFound => ApiError::not_found("link"),
                _ => err,
            })?;
    }
    let mut tx = state.db.begin().await?;
    let updated = sqlx::query(
        "UPDATE app.d_entity_id_map SET active_flag = false, to_ts = now(), updated_ts = now()
         WHERE tenant_id = $1 AND id = $2 AND active_flag",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(ApiError::not_found("link"));
    }
    // A link's ends never change, so the types read before are the row's.
    permissions::link_changed(
        &mut tx,
        user.cache.as_ref(),
        tenant,
        link.parent_entity_type,
        link.child_entity_type,
        permissions::LinkedChild::Existing,
    )
    .await?;
    audit::record(
        &mut *tx,
        &meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: "linkage.delete",
            target_type: Some("linkage"),
            target_id: Some(id.to_string()),
            before: Some(link_audit(&link)),
            after: Some(json!({ "active_flag": false })),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(parent: &str, child: &str) -> CreateLinkRequest {
        CreateLinkRequest {
            parent_entity_type: parent.to_owned(),
            parent_entity_id: Uuid::new_v4().to_string(),
            child_entity_type: child.to_owned(),
            child_entity_id: Uuid::new_v4().to_string(),
            relationship_type: None,
        }
    }

    /// The per-field messages of a refused request.
    fn refused(parent: &str, child: &str) -> serde_json::Value {
        match check_link_request(&request(parent, child)).err().unwrap() {
            ApiError::Known { code, details, .. } => {
                assert_eq!(code, ErrorCode::ValidationFailed);
                details.unwrap()["fields"].clone()
            }
            ApiError::Internal(err) => panic!("internal: {err}"),
        }
    }

    #[test]
    fn pairs_follow_the_registry() {
        assert!(check_link_request(&request("project", "task")).is_ok());
        assert!(check_link_request(&request("task", "employee")).is_ok());
        assert!(refused("task", "project")["child_entity_type"].is_string());
        // order → invoice is the invoice's order_id column.
        let column = refused("order", "invoice");
        assert!(
            column["child_entity_type"]
                .as_str()
                .is_some_and(|m| m.contains("order_id")),
            "{column}"
        );
        assert!(refused("projects", "task")["parent_entity_type"].is_string());
        let mut bad_id = request("project", "task");
        bad_id.child_entity_id = "nope".into();
        assert!(matches!(
            check_link_request(&bad_id),
            Err(err) if err.code() == ErrorCode::MalformedRequest
        ));
        assert!(is_relationship_type("assigned_to"));
        assert!(!is_relationship_type("Assigned"));
        assert!(!is_relationship_type("_x"));
    }
}
