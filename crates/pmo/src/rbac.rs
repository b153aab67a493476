//! Permission administration: list, grant and revoke grants; check levels on an instance.
//! The decisions themselves are in `auth::permissions`.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::auth::permissions::{self, Level, Levels};
use crate::entity::EntityType;
use crate::error::{ApiError, ErrorEnvelope};
use crate::http::extract::{AppJson, AppPath, AppQuery, RequestMeta};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_grants, create_grant))
        .routes(routes!(revoke_grant))
        .routes(routes!(check_levels))
        .routes(routes!(list_grantees))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GranteeType {
    Employee,
    Role,
}

impl GranteeType {
    fn as_str(self) -> &'static str {
        match self {
            GranteeType::Employee => "employee",
            GranteeType::Role => "role",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Grant {
    pub id: Uuid,
    pub grantee_type: GranteeType,
    pub grantee_id: Uuid,
    pub grantee_name: Option<String>,
    pub entity_type: EntityType,
    /// `null`: every instance of the type.
    pub entity_id: Option<Uuid>,
    pub entity_name: Option<String>,
    pub levels: Vec<Level>,
    pub cascade: bool,
    pub expires_ts: Option<DateTime<Utc>>,
    pub granted_by: Option<Uuid>,
    pub granted_ts: DateTime<Utc>,
}

type GrantRow = (
    Uuid,
    String,
    Uuid,
    Option<String>,
    String,
    Option<Uuid>,
    Option<String>,
    Vec<i16>,
    bool,
    Option<DateTime<Utc>>,
    Option<Uuid>,
    DateTime<Utc>,
);

const GRANT_SELECT: &str = "SELECT g.id, g.grantee_type, g.grantee_id,
        coalesce(e.name, r.name), g.entity_type::text, g.entity_id, i.name, g.permission, g.cascade_flag,
        g.expires_ts, g.granted_by, g.granted_ts
    FROM app.d_entity_id_rbac_map g
    LEFT JOIN app.d_employee e ON g.grantee_type = 'employee' AND e.tenant_id = g.tenant_id AND e.id = g.grantee_id
    LEFT JOIN app.d_role r ON g.grantee_type = 'role' AND r.tenant_id = g.tenant_id AND r.id = g.grantee_id
    LEFT JOIN app.d_entity_instance_id i ON i.tenant_id = g.tenant_id AND i.entity_type = g.entity_type AND i.entity_id = g.entity_id";

fn grant_from_row(row: GrantRow) -> Option<Grant> {
    let (
        id,
        grantee_type,
        grantee_id,
        grantee_name,
        entity_type,
        entity_id,
        entity_name,
        permission,
        cascade,
        expires_ts,
        granted_by,
        granted_ts,
    ) = row;
    let levels: Vec<Level> = permission
        .iter()
        .filter_map(|l| Level::from_number(i64::from(*l)))
        .collect();
    Some(Grant {
        id,
        grantee_type: if grantee_type == "role" {
            GranteeType::Role
        } else {
            GranteeType::Employee
        },
        grantee_id,
        grantee_name,
        entity_type: entity_type.parse().ok()?,
        entity_id,
        entity_name,
        levels: Levels::from_levels(&levels).to_vec(),
        cascade,
        expires_ts,
        granted_by,
        granted_ts,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListGrantsQuery {
    pub grantee_type: Option<GranteeType>,
    pub grantee_id: Option<Uuid>,
    pub entity_type: Option<EntityType>,
    pub entity_id: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantPage {
    pub data: Vec<Grant>,
    pub next_cursor: Option<Uuid>,
}

/// Active grants. Administrators see all; others see their own grants and the grants on instances
/// they may share.
#[utoipa::path(get, path = "/api/v1/rbac/grants", tag = "rbac", operation_id = "list_grants",
    security(("bearer" = [])), params(ListGrantsQuery),
    responses((status = 200, body = GrantPage), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)))]
async fn list_grants(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<ListGrantsQuery>,
) -> Result<axum::Json<GrantPage>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::malformed("limit must be between 1 and 200"));
    }
    if !user.tenant_admin {
        let own = query.grantee_type == Some(GranteeType::Employee)
            && query.grantee_id == Some(user.employee_id);
        let shareable = match (query.entity_type, query.entity_id) {
            (Some(entity), Some(id)) => {
                permissions::levels_on_instance(&state.db, &user, entity, id)
                    .await?
                    .contains(Level::Share)
            }
            _ => false,
        };
        if !own && !shareable {
            return Err(ApiError::forbidden(
                "list your own grants (grantee_type=employee&grantee_id=<you>) or those of an instance you may share",
            ));
        }
    }
    let mut qb = sqlx::QueryBuilder::new(GRANT_SELECT);
    qb.push(" WHERE g.tenant_id = ")
        .push_bind(user.tenant_id.clone())
        .push(" AND g.active_flag");
    if let Some(grantee_type) = query.grantee_type {
        qb.push(" AND g.grantee_type = ")
            .push_bind(grantee_type.as_str());
    }
    if let Some(grantee_id) = query.grantee_id {
        qb.push(" AND g.grantee_id = ").push_bind(grantee_id);
    }
    if let Some(entity) = query.entity_type {
        qb.push(" AND g.entity_type = ").push_bind(entity.as_str());
    }
    if let Some(entity_id) = query.entity_id {
        qb.push(" AND g.entity_id = ").push_bind(entity_id);
    }
    if let Some(cursor) = query.cursor {
        qb.push(" AND g.id > ").push_bind(cursor);
    }
    qb.push(" ORDER BY g.id LIMIT ").push_bind(limit + 1);
    let rows: Vec<GrantRow> = qb.build_query_as().fetch_all(&state.db).await?;
    let mut data: Vec<Grant> = rows.into_iter().filter_map(grant_from_row).collect();
    let next_cursor = if data.len() as i64 > limit {
        data.truncate(usize::try_from(limit).unwrap_or(0));
        data.last().map(|g| g.id)
    } else {
        None
    };
    Ok(axum::Json(GrantPage { data, next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGrantRequest {
    pub grantee_type: GranteeType,
    pub grantee_id: Uuid,
    /// One of the 18 entity type names.
    pub entity_type: String,
    /// Omit (or null) for every instance of the type.
    pub entity_id: Option<Uuid>,
    /// Level numbers 0 View, 1 Edit, 2 Share, 3 Delete, 4 Create (View is implied by any).
    pub levels: Vec<i64>,
    /// Also reach the instance's descendants through links (instance grants only).
    #[serde(default)]
    pub cascade: bool,
    pub expires_ts: Option<DateTime<Utc>>,
}

/// Grant levels to an employee or a role. Granting again to the same grantee and target replaces
/// the levels and expiry (200); a new grant answers 201.
#[utoipa::path(post, path = "/api/v1/rbac/grants", tag = "rbac", operation_id = "create_grant",
    security(("bearer" = [])), request_body = CreateGrantRequest,
    responses((status = 201, body = Grant), (status = 200, body = Grant), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn create_grant(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppJson(request): AppJson<CreateGrantRequest>,
) -> Result<(StatusCode, axum::Json<Grant>), ApiError> {
    let mut fields = serde_json::Map::new();
    let entity = request.entity_type.parse::<EntityType>();
    if entity.is_err() {
        fields.insert("entity_type".into(), json!("unknown entity type"));
    }
    let levels: Vec<Level> = request
        .levels
        .iter()
        .filter_map(|l| Level::from_number(*l))
        .collect();
    if request.levels.is_empty() || levels.len() != request.levels.len() {
        fields.insert(
            "levels".into(),
            json!("one or more of 0 View, 1 Edit, 2 Share, 3 Delete, 4 Create"),
        );
    }
    if request.cascade && request.entity_id.is_none() {
        fields.insert(
            "cascade".into(),
            json!("only a grant on one instance can cascade"),
        );
    }
    if request.expires_ts.is_some_and(|ts| ts <= Utc::now()) {
        fields.insert("expires_ts".into(), json!("must be in the future"));
    }
    let Ok(entity) = entity else {
        return Err(ApiError::validation("the grant is invalid", fields.into()));
    };
    let tenant = user.tenant_id.as_str();
    let grantee_exists: bool = match request.grantee_type {
        GranteeType::Employee => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app.d_employee WHERE tenant_id = $1 AND id = $2 AND active_flag)"),
        GranteeType::Role => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app.d_role WHERE tenant_id = $1 AND id = $2 AND active_flag)"),
    }
    .bind(tenant)
    .bind(request.grantee_id)
    .fetch_one(&state.db)
    .await?;
    if !grantee_exists {
        fields.insert(
            "grantee_id".into(),
            json!(format!("no such {}", request.grantee_type.as_str())),
        );
    }
    if let Some(entity_id) = request.entity_id {
        let instance_exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM app.d_entity_instance_id WHERE tenant_id = $1 AND entity_type = $2 AND entity_id = $3)",
        )
        .bind(tenant)
        .bind(entity.as_str())
        .bind(entity_id)
        .fetch_one(&state.db)
        .await?;
        if !instance_exists {
            fields.insert(
                "entity_id".into(),
                json!(format!("no such {}", entity.as_str())),
            );
        }
    }
    if !fields.is_empty() {
        return Err(ApiError::validation("the grant is invalid", fields.into()));
    }
    let levels = Levels::from_levels(&levels);
    permissions::require_can_grant(
        &state.db,
        &user,
        entity,
        request.entity_id,
        levels,
        request.cascade,
    )
    .await?;

    let mut tx = state.db.begin().await?;
    let existing: Option<(Uuid, Vec<i16>, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT id, permission, expires_ts FROM app.d_entity_id_rbac_map
         WHERE tenant_id = $1 AND grantee_type = $2 AND grantee_id = $3 AND entity_type = $4
           AND entity_id IS NOT DISTINCT FROM $5 AND cascade_flag = $6 AND active_flag
         FOR UPDATE",
    )
    .bind(tenant)
    .bind(request.grantee_type.as_str())
    .bind(request.grantee_id)
    .bind(entity.as_str())
    .bind(request.entity_id)
    .bind(request.cascade)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, status, before) = match existing {
        Some((id, permission, expires_ts)) => {
            sqlx::query(
                "UPDATE app.d_entity_id_rbac_map SET permission = $3, expires_ts = $4, granted_by = $5, granted_ts = now(), updated_ts = now()
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant)
            .bind(id)
            .bind(levels.to_numbers())
            .bind(request.expires_ts)
            .bind(user.employee_id)
            .execute(&mut *tx)
            .await?;
            (
                id,
                StatusCode::OK,
                Some(json!({ "levels": permission, "expires_ts": expires_ts })),
            )
        }
        None => {
            let id: Uuid = sqlx::query_scalar(
                "INSERT INTO app.d_entity_id_rbac_map
                   (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag, expires_ts, granted_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(tenant)
            .bind(request.grantee_type.as_str())
            .bind(request.grantee_id)
            .bind(entity.as_str())
            .bind(request.entity_id)
            .bind(levels.to_numbers())
            .bind(request.cascade)
            .bind(request.expires_ts)
            .bind(user.employee_id)
            .fetch_one(&mut *tx)
            .await?;
            (id, StatusCode::CREATED, None)
        }
    };
    permissions::access_changed(&mut tx, user.cache.as_ref(), tenant).await?;
    audit::record(
        &mut *tx,
        &meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: "rbac.grant",
            target_type: Some(entity.as_str()),
            target_id: request.entity_id.map(|id| id.to_string()),
            before,
            after: Some(json!({
                "grant_id": id, "grantee_type": request.grantee_type, "grantee_id": request.grantee_id,
                "levels": levels.to_numbers(), "cascade": request.cascade, "expires_ts": request.expires_ts,
            })),
            ..AuditEntry::default()
        },
    )
    .await?;
    let grant = fetch_grant(&mut tx, tenant, id)
        .await?
        .ok_or_else(|| ApiError::not_found("grant"))?;
    tx.commit().await?;
    Ok((status, axum::Json(grant)))
}

async fn fetch_grant(
    conn: &mut sqlx::PgConnection,
    tenant: &str,
    id: Uuid,
) -> Result<Option<Grant>, sqlx::Error> {
    let sql = format!("{GRANT_SELECT} WHERE g.tenant_id = $1 AND g.id = $2 AND g.active_flag");
    let row: Option<GrantRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.and_then(grant_from_row))
}

/// Revoke a grant. Needs the same rights as granting it.
#[utoipa::path(delete, path = "/api/v1/rbac/grants/{id}", tag = "rbac", operation_id = "revoke_grant",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "grant id")),
    responses((status = 204), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
async fn revoke_grant(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let tenant = user.tenant_id.as_str();
    // Read and check on the pool, then write in a transaction: holding a transaction's connection
    // while the permission check waits for another can starve a busy pool.
    let grant = fetch_grant(&mut *state.db.acquire().await?, tenant, id)
        .await?
        .ok_or_else(|| ApiError::not_found("grant"))?;
    permissions::require_can_grant(
        &state.db,
        &user,
        grant.entity_type,
        grant.entity_id,
        Levels::from_levels(&grant.levels),
        grant.cascade,
    )
    .await
    // A grant the caller may not even see the target of does not exist for them.
    .map_err(|err| {
        if user.tenant_admin {
            err
        } else {
            hide_forbidden_target(err)
        }
    })?;
    let mut tx = state.db.begin().await?;
    let revoked = sqlx::query(
        "UPDATE app.d_entity_id_rbac_map SET active_flag = false, revoked_ts = now(), revoked_by = $3, updated_ts = now()
         WHERE tenant_id = $1 AND id = $2 AND active_flag",
    )
    .bind(tenant)
    .bind(id)
    .bind(user.employee_id)
    .execute(&mut *tx)
    .await?;
    if revoked.rows_affected() == 0 {
        // Revoked by someone else since it was read.
        return Err(ApiError::not_found("grant"));
    }
    permissions::access_changed(&mut tx, user.cache.as_ref(), tenant).await?;
    audit::record(
        &mut *tx,
        &meta,
        AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: "rbac.revoke",
            target_type: Some(grant.entity_type.as_str()),
            target_id: grant.entity_id.map(|id| id.to_string()),
            before: Some(json!({
                "grant_id": id, "grantee_type": grant.grantee_type, "grantee_id": grant.grantee_id,
                "levels": Levels::from_levels(&grant.levels).to_numbers(), "cascade": grant.cascade,
            })),
            ..AuditEntry::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn hide_forbidden_target(err: ApiError) -> ApiError {
    match err.code() {
        crate::error::ErrorCode::NotFound => ApiError::not_found("grant"),
        _ => err,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    pub entity_type: EntityType,
    pub entity_id: Uuid,
    /// Whose levels (administrators only; default: the caller).
    pub employee_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    pub entity_type: EntityType,
    pub entity_id: Uuid,
    pub employee_id: Uuid,
    pub levels: Vec<Level>,
}

/// The effective levels of the caller (or, for administrators, of any employee) on one instance.
#[utoipa::path(get, path = "/api/v1/rbac/check", tag = "rbac", operation_id = "check_levels",
    security(("bearer" = [])), params(CheckQuery),
    responses((status = 200, body = CheckResponse), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
async fn check_levels(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<CheckQuery>,
) -> Result<axum::Json<CheckResponse>, ApiError> {
    let subject = match query.employee_id {
        Some(other) if other != user.employee_id => {
            if !user.tenant_admin {
                return Err(ApiError::forbidden(
                    "only administrators can check another employee's levels",
                ));
            }
            let row: Option<(String, String, bool)> = sqlx::query_as(
                "SELECT name, email, tenant_admin FROM app.d_employee WHERE tenant_id = $1 AND id = $2 AND active_flag",
            )
            .bind(&user.tenant_id)
            .bind(other)
            .fetch_optional(&state.db)
            .await?;
            let (name, email, tenant_admin) = row.ok_or_else(|| ApiError::not_found("employee"))?;
            CurrentUser {
                employee_id: other,
                name,
                email,
                tenant_admin,
                ..user.clone()
            }
        }
        _ => user.clone(),
    };
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM app.d_entity_instance_id WHERE tenant_id = $1 AND entity_type = $2 AND entity_id = $3)",
    )
    .bind(&user.tenant_id)
    .bind(query.entity_type.as_str())
    .bind(query.entity_id)
    .fetch_one(&state.db)
    .await?;
    let levels =
        permissions::levels_on_instance(&state.db, &subject, query.entity_type, query.entity_id)
            .await?;
    // Missing, or invisible to the caller: the same answer.
    let caller_sees =
        subject.employee_id == user.employee_id && !levels.is_empty() || user.tenant_admin;
    if !exists || !caller_sees {
        return Err(ApiError::not_found(query.entity_type.as_str()));
    }
    Ok(axum::Json(CheckResponse {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        employee_id: subject.employee_id,
        levels: levels.to_vec(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GranteeQuery {
    /// Part of a name or code (at most 200 characters); omit for the first by name.
    pub q: Option<String>,
    /// Only employees, or only roles.
    pub grantee_type: Option<GranteeType>,
    /// 1–50 (default 20).
    pub limit: Option<i64>,
}

/// Someone a grant can go to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Grantee {
    pub grantee_type: GranteeType,
    pub id: Uuid,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Grantees {
    pub data: Vec<Grantee>,
}

/// Employees and roles a grant can go to, by name. For administrators and for anyone holding Share
/// on something: they may pass on what they hold, so they must be able to name the receiver even
/// when they cannot view employee records. Names and codes only.
#[utoipa::path(get, path = "/api/v1/rbac/grantees", tag = "rbac", operation_id = "list_grantees",
    security(("bearer" = [])), params(GranteeQuery),
    responses((status = 200, body = Grantees), (status = 400, body = ErrorEnvelope, description = "q too long, bad limit"),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope, description = "The caller holds Share on nothing")))]
async fn list_grantees(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<GranteeQuery>,
) -> Result<axum::Json<Grantees>, ApiError> {
    let q = crate::search::check_query(query.q.as_deref(), false)?;
    let limit = crate::search::check_limit(query.limit, 20, 50)?;
    if !permissions::holds_share_anywhere(&state.db, &user).await? {
        return Err(ApiError::forbidden(
            "choosing who receives a grant needs Share on something",
        ));
    }
    let rows: Vec<(String, Uuid, String, Option<String>)> = sqlx::query_as(
        "SELECT i.entity_type::text, i.entity_id, i.name, i.code FROM app.d_entity_instance_id i
         WHERE i.tenant_id = $1 AND i.entity_type::text = ANY($2) AND i.active_flag
           AND ($3::text IS NULL OR lower(i.name) LIKE lower($3) OR lower(i.code) LIKE lower($3))
         ORDER BY lower(i.name), i.entity_id LIMIT $4",
    )
    .bind(&user.tenant_id)
    .bind(match query.grantee_type {
        Some(only) => vec![only.as_str()],
        None => vec!["employee", "role"],
    })
    .bind(q.as_deref().map(crate::search::contains_pattern))
    .bind(limit)
    .fetch_all(&state.db)
    .await?;
    let data = rows
        .into_iter()
        .map(|(kind, id, name, code)| Grantee {
            grantee_type: if kind == "role" {
                GranteeType::Role
            } else {
                GranteeType::Employee
            },
            id,
            name,
            code,
        })
        .collect();
    Ok(axum::Json(Grantees { data }))
}
