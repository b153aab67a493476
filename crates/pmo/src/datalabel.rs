//! Datalabels: the 16 `app.setting_datalabel_<name>` vocabularies (stages, levels, statuses…).
//!
//! - `GET /api/v1/setting/{datalabel}`: every signed-in employee; ordered by `sort_order`;
//!   deactivated values only with `include_inactive=true`.
//! - Tenant administrators only: create, update (rename, recolour, description, terminal flag,
//!   usual predecessor), reorder, deactivate (refused with 409 while any row still uses the key, or
//!   while the key is the column default of new rows), activate.
//!
//! Records store the stable integer key and show the display name beside it at read time
//! (`value_names`), so a rename changes what every record shows. Writes to one tenant's datalabel
//! are serialised by a transaction-scoped advisory lock, which makes the case-insensitive name rule
//! and `max + 1` keys race-free; every write bumps `updated_ts` and is audited in the same
//! transaction.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, PgConnection};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, AuditEntry};
use crate::auth::CurrentUser;
use crate::cache::{self, CacheKey, Invalidation};
use crate::entity::EntityType;
use crate::entity::records::map_write_error;
use crate::entity::values::FieldErrors;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::http::extract::{AppJson, AppPath, AppQuery, RequestMeta};
use crate::state::AppState;

/// The datalabel names: the table suffixes of `app.setting_datalabel_<name>`.
pub const DATALABELS: [&str; 16] = [
    "office_level",
    "business_level",
    "project_stage",
    "task_stage",
    "position_level",
    "opportunity_funnel_stage",
    "industry_sector",
    "acquisition_channel",
    "customer_tier",
    "client_level",
    "client_status",
    "task_priority",
    "task_update_type",
    "wiki_publication_status",
    "form_approval_status",
    "form_submission_status",
];

/// The datalabel names as an OpenAPI enum (the `{datalabel}` path segment); the same names as
/// `DATALABELS`, in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatalabelName {
    OfficeLevel,
    BusinessLevel,
    ProjectStage,
    TaskStage,
    PositionLevel,
    OpportunityFunnelStage,
    IndustrySector,
    AcquisitionChannel,
    CustomerTier,
    ClientLevel,
    ClientStatus,
    TaskPriority,
    TaskUpdateType,
    WikiPublicationStatus,
    FormApprovalStatus,
    FormSubmissionStatus,
}

/// Columns holding datalabel keys outside the entity registry (detail tables): datalabel, table,
/// column. Together with the registry's datalabel fields they are every foreign key into the
/// datalabel tables (`tests/api/datalabels.rs` checks this against the schema).
const DETAIL_USAGES: &[(&str, &str, &str)] = &[
    ("task_update_type", "app.d_task_data", "task_update_type"),
    ("task_stage", "app.d_task_data", "stage_from"),
    ("task_stage", "app.d_task_data", "stage_to"),
    (
        "form_submission_status",
        "app.d_form_data",
        "form_submission_status",
    ),
    (
        "form_approval_status",
        "app.d_form_data",
        "form_approval_status",
    ),
];

/// Colour given to a new value when the request names none.
const DEFAULT_COLOR: &str = "#6B7280";
const MAX_NAME: usize = 100;
const MAX_DESCR: usize = 2000;

/// The tables and columns (schema-qualified table, column) that store keys of `datalabel`: the
/// registry's datalabel fields (entities and their lines) plus the detail tables' columns.
pub fn usages(datalabel: &str) -> Vec<(&'static str, &'static str)> {
    let mut found = Vec::new();
    for entity in EntityType::ALL {
        let def = entity.registry();
        for field in def.fields {
            if field.kind.datalabel() == Some(datalabel) {
                found.push((def.table, field.column()));
            }
        }
        if let Some(lines) = &def.lines {
            for field in lines.fields {
                if field.kind.datalabel() == Some(datalabel) {
                    found.push((lines.table, field.column()));
                }
            }
        }
    }
    for (name, table, column) in DETAIL_USAGES {
        if *name == datalabel {
            found.push((table, column));
        }
    }
    found
}

/// The datalabel named in a path, or the 404 envelope.
fn datalabel(name: &str) -> Result<&'static str, ApiError> {
    DATALABELS
        .into_iter()
        .find(|known| *known == name)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no datalabel named `{name}`")))
}

fn table(datalabel: &'static str) -> String {
    crate::entity::values::datalabel_table(datalabel)
}

fn require_admin(user: &CurrentUser) -> Result<(), ApiError> {
    if user.tenant_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only tenant administrators can change datalabels",
        ))
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_datalabel_values, create_datalabel_value))
        .routes(routes!(update_datalabel_value))
        .routes(routes!(reorder_datalabel_values))
        .routes(routes!(deactivate_datalabel_value))
        .routes(routes!(activate_datalabel_value))
}

/// One value of a datalabel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DatalabelValue {
    /// The stable integer key records store.
    pub key: i32,
    pub name: String,
    pub descr: Option<String>,
    pub sort_order: i32,
    /// The usual predecessor (e.g. the stage before this one).
    pub parent_key: Option<i32>,
    /// `#RRGGBB`.
    pub color_code: String,
    /// Ends a workflow (Done, Cancelled, Closed…).
    pub terminal_flag: bool,
    pub active_flag: bool,
    pub created_ts: DateTime<Utc>,
    pub updated_ts: DateTime<Utc>,
}

type ValueRow = (
    i32,
    String,
    Option<String>,
    i32,
    Option<i32>,
    String,
    bool,
    bool,
    DateTime<Utc>,
    DateTime<Utc>,
);

const COLUMNS: &str = "level_id, name, descr, sort_order, parent_id, color_code, terminal_flag, active_flag, created_ts, updated_ts";

impl From<ValueRow> for DatalabelValue {
    fn from(row: ValueRow) -> Self {
        let (
            key,
            name,
            descr,
            sort_order,
            parent_key,
            color_code,
            terminal_flag,
            active_flag,
            created_ts,
            updated_ts,
        ) = row;
        DatalabelValue {
            key,
            name,
            descr,
            sort_order,
            parent_key,
            color_code,
            terminal_flag,
            active_flag,
            created_ts,
            updated_ts,
        }
    }
}

impl DatalabelValue {
    fn audit(&self) -> Value {
        json!({
            "key": self.key, "name": self.name, "descr": self.descr, "sort_order": self.sort_order,
            "parent_key": self.parent_key, "color_code": self.color_code,
            "terminal_flag": self.terminal_flag, "active_flag": self.active_flag,
        })
    }
}

/// The values of a datalabel.
#[derive(Debug, Serialize, ToSchema)]
pub struct DatalabelList {
    pub datalabel: String,
    pub data: Vec<DatalabelValue>,
}

async fn fetch_values(
    conn: &mut PgConnection,
    tenant: &str,
    datalabel: &'static str,
    include_inactive: bool,
) -> Result<Vec<DatalabelValue>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {} WHERE tenant_id = $1 AND (active_flag OR $2)
         ORDER BY sort_order, level_id",
        table(datalabel)
    );
    let rows: Vec<ValueRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(tenant)
        .bind(include_inactive)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(DatalabelValue::from).collect())
}

/// Every value's display name of `datalabel` in the tenant by key, deactivated ones included: what
/// record pages show beside the keys their rows hold (`records::rows_json`). Kept in this
/// instance's memory when `cache` is given; every write to the tenant's datalabels invalidates it
/// with the value lists.
pub async fn value_names(
    conn: &mut PgConnection,
    cache: Option<&cache::Cache>,
    tenant: &str,
    datalabel: &'static str,
) -> Result<Arc<HashMap<i32, String>>, sqlx::Error> {
    let read = move || async move {
        let sql = format!(
            "SELECT level_id, name FROM {} WHERE tenant_id = $1",
            table(datalabel)
        );
        let rows: Vec<(i32, String)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(tenant)
            .fetch_all(conn)
            .await?;
        Ok(rows.into_iter().collect::<HashMap<i32, String>>())
    };
    match cache {
        Some(cache) => {
            let key = CacheKey::new(
                cache::DATALABELS,
                Some(tenant),
                format!("{datalabel}:names"),
            );
            let weigh = |names: &HashMap<i32, String>| {
                64 + names.values().map(|name| name.len() + 48).sum::<usize>()
            };
            cache.load_local(&key, weigh, read).await
        }
        None => Ok(Arc::new(read().await?)),
    }
}

/// One value, locked for the rest of the transaction. `FOR UPDATE` also waits for (and then
/// blocks) record writes that reference the key, whose foreign-key checks hold `FOR KEY SHARE`.
async fn lock_value(
    conn: &mut PgConnection,
    tenant: &str,
    datalabel: &'static str,
    key: i64,
) -> Result<DatalabelValue, ApiError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {} WHERE tenant_id = $1 AND level_id = $2 FOR UPDATE",
        table(datalabel)
    );
    let row: Option<ValueRow> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(tenant)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(DatalabelValue::from)
        .ok_or_else(|| ApiError::not_found(&format!("{datalabel} value {key}")))
}

/// Serialises writes to one tenant's datalabel until the transaction ends.
async fn lock_datalabel(
    conn: &mut PgConnection,
    tenant: &str,
    datalabel: &'static str,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("pmo.datalabel/{tenant}/{datalabel}"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// 409 when another value of the datalabel already has this name (case-insensitively).
async fn check_name_free(
    conn: &mut PgConnection,
    tenant: &str,
    datalabel: &'static str,
    name: &str,
    except_key: Option<i32>,
) -> Result<(), ApiError> {
    let sql = format!(
        "SELECT level_id FROM {} WHERE tenant_id = $1 AND lower(name) = lower($2)
           AND level_id IS DISTINCT FROM $3 LIMIT 1",
        table(datalabel)
    );
    let taken: Option<i32> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(tenant)
        .bind(name)
        .bind(except_key)
        .fetch_optional(&mut *conn)
        .await?;
    match taken {
        None => Ok(()),
        Some(key) => Err(ApiError::new(
            ErrorCode::Conflict,
            format!("another {datalabel} value (key {key}) is already named `{name}`"),
        )
        .with_details(json!({ "fields": { "name": "already taken" }, "key": key }))),
    }
}

async fn key_exists(
    conn: &mut PgConnection,
    tenant: &str,
    datalabel: &'static str,
    key: i32,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE tenant_id = $1 AND level_id = $2)",
        table(datalabel)
    );
    sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(tenant)
        .bind(key)
        .fetch_one(&mut *conn)
        .await
}

/// One audited datalabel change.
struct Change {
    action: &'static str,
    datalabel: &'static str,
    key: Option<i32>,
    before: Option<Value>,
    after: Option<Value>,
}

async fn record_audit(
    conn: &mut PgConnection,
    meta: &RequestMeta,
    user: &CurrentUser,
    change: Change,
) -> Result<(), sqlx::Error> {
    // Every datalabel write passes here: the tenant's cached value lists go, everywhere.
    let lists = Invalidation::namespace(cache::DATALABELS, Some(&user.tenant_id));
    cache::invalidate_with(user.cache.as_ref(), &mut *conn, lists).await?;
    let target_type = format!("setting_datalabel_{}", change.datalabel);
    audit::record(
        &mut *conn,
        meta,
        AuditEntry {
            tenant_id: Some(&user.tenant_id),
            actor: Some(user.employee_id),
            action: change.action,
            target_type: Some(&target_type),
            target_id: change.key.map(|key| key.to_string()),
            before: change.before,
            after: change.after,
            details: Some(json!({ "datalabel": change.datalabel })),
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Field checks

/// A name: trimmed, 1–100 characters, no control characters.
fn check_name(errors: &mut FieldErrors, name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        errors.add("name", "must not be empty");
        None
    } else if name.chars().count() > MAX_NAME {
        errors.add("name", format!("at most {MAX_NAME} characters"));
        None
    } else if name.chars().any(char::is_control) {
        errors.add("name", "must not contain control characters");
        None
    } else {
        Some(name.to_owned())
    }
}

fn check_descr(errors: &mut FieldErrors, descr: Option<&str>) -> Option<String> {
    let descr = descr.map(str::trim).filter(|d| !d.is_empty())?;
    if descr.chars().count() > MAX_DESCR {
        errors.add("descr", format!("at most {MAX_DESCR} characters"));
    } else if descr
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add("descr", "must not contain control characters");
    }
    Some(descr.to_owned())
}

/// `#RRGGBB`, stored upper-case.
fn check_color(errors: &mut FieldErrors, color: &str) -> String {
    let valid = color.len() == 7
        && color.starts_with('#')
        && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        errors.add("color_code", "must be a colour as #RRGGBB");
    }
    color.to_ascii_uppercase()
}

fn check_integer(errors: &mut FieldErrors, field: &str, value: i64) -> i32 {
    match i32::try_from(value) {
        Ok(number) if number >= 0 => number,
        _ => {
            errors.add(field, "must be a whole number from 0 to 2147483647");
            0
        }
    }
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

// ---------------------------------------------------------------------------------------------
// Routes

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListValuesQuery {
    /// Also list deactivated values (default false).
    pub include_inactive: Option<bool>,
}

/// The values of a datalabel, in display order. Every signed-in employee may read them.
#[utoipa::path(get, path = "/api/v1/setting/{datalabel}", tag = "setting",
    operation_id = "list_datalabel_values", security(("bearer" = [])),
    params(("datalabel" = DatalabelName, Path, description = "Datalabel name, e.g. `task_stage`"), ListValuesQuery),
    responses((status = 200, body = DatalabelList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope, description = "No such datalabel")))]
async fn list_datalabel_values(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(name): AppPath<String>,
    AppQuery(query): AppQuery<ListValuesQuery>,
) -> Result<axum::Json<DatalabelList>, ApiError> {
    let datalabel = datalabel(&name)?;
    let include_inactive = query.include_inactive.unwrap_or(false);
    let shown = if include_inactive { "all" } else { "active" };
    let key = CacheKey::new(
        cache::DATALABELS,
        Some(&user.tenant_id),
        format!("{datalabel}:{shown}"),
    );
    let data = state
        .cache
        .load(&key, cache::DEFAULT_TTL, || async {
            let mut conn = state.db.acquire().await?;
            fetch_values(&mut conn, &user.tenant_id, datalabel, include_inactive).await
        })
        .await?;
    Ok(axum::Json(DatalabelList {
        datalabel: datalabel.to_owned(),
        data,
    }))
}

/// A new datalabel value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDatalabelValue {
    /// The stable key (default: the highest key + 1).
    pub key: Option<i64>,
    /// Unique in the datalabel, case-insensitively; 1–100 characters.
    pub name: String,
    pub descr: Option<String>,
    /// Default: after every existing value.
    pub sort_order: Option<i64>,
    /// The usual predecessor; must be an existing key.
    pub parent_key: Option<i64>,
    /// `#RRGGBB` (default `#6B7280`).
    pub color_code: Option<String>,
    #[serde(default)]
    pub terminal_flag: bool,
}

/// Add a value to a datalabel (tenant administrators).
#[utoipa::path(post, path = "/api/v1/setting/{datalabel}", tag = "setting",
    operation_id = "create_datalabel_value", security(("bearer" = [])),
    params(("datalabel" = DatalabelName, Path, description = "Datalabel name")),
    request_body = CreateDatalabelValue,
    responses((status = 201, body = DatalabelValue), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "Key or name taken"),
        (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn create_datalabel_value(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath(name): AppPath<String>,
    AppJson(request): AppJson<CreateDatalabelValue>,
) -> Result<(StatusCode, axum::Json<DatalabelValue>), ApiError> {
    let datalabel = datalabel(&name)?;
    require_admin(&user)?;
    let mut errors = FieldErrors::default();
    let key = request
        .key
        .map(|key| check_integer(&mut errors, "key", key));
    let name = check_name(&mut errors, &request.name);
    let descr = check_descr(&mut errors, request.descr.as_deref());
    let sort_order = request
        .sort_order
        .map(|sort| check_integer(&mut errors, "sort_order", sort));
    let parent_key = request
        .parent_key
        .map(|parent| check_integer(&mut errors, "parent_key", parent));
    let color = check_color(
        &mut errors,
        request.color_code.as_deref().unwrap_or(DEFAULT_COLOR),
    );
    if key.is_some() && key == parent_key {
        errors.add("parent_key", "a value cannot be its own predecessor");
    }
    errors.into_result(&format!("the {datalabel} value is invalid"))?;
    let name = name.unwrap_or_default();

    let tenant = user.tenant_id.as_str();
    let mut tx = state.db.begin().await?;
    lock_datalabel(&mut tx, tenant, datalabel).await?;
    let table = table(datalabel);
    let (max_key, max_sort): (Option<i32>, Option<i32>) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT max(level_id), max(sort_order) FROM {table} WHERE tenant_id = $1"
    )))
    .bind(tenant)
    .fetch_one(&mut *tx)
    .await?;
    let key = match key {
        Some(key) => {
            if key_exists(&mut tx, tenant, datalabel, key).await? {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("{datalabel} already has a value with key {key}"),
                )
                .with_details(json!({ "fields": { "key": "already taken" } })));
            }
            key
        }
        None => max_key.map_or(Ok(0), |max| {
            max.checked_add(1)
                .ok_or_else(|| ApiError::validation("no key left", json!({ "key": "give a key" })))
        })?,
    };
    check_name_free(&mut tx, tenant, datalabel, &name, None).await?;
    if let Some(parent) = parent_key
        && !key_exists(&mut tx, tenant, datalabel, parent).await?
    {
        return Err(ApiError::validation(
            "the parent does not exist",
            json!({ "parent_key": format!("no {datalabel} value with key {parent}") }),
        ));
    }
    let sort_order = sort_order.unwrap_or_else(|| max_sort.unwrap_or(0).saturating_add(1));
    let row: ValueRow = sqlx::query_as(AssertSqlSafe(format!(
        "INSERT INTO {table} (tenant_id, level_id, name, descr, sort_order, parent_id, color_code, terminal_flag)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    )))
    .bind(tenant)
    .bind(key)
    .bind(&name)
    .bind(&descr)
    .bind(sort_order)
    .bind(parent_key)
    .bind(&color)
    .bind(request.terminal_flag)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_write_error)?;
    let value = DatalabelValue::from(row);
    record_audit(
        &mut tx,
        &meta,
        &user,
        Change {
            action: "datalabel.create",
            datalabel,
            key: Some(value.key),
            before: None,
            after: Some(value.audit()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(value)))
}

/// Changes to a datalabel value; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDatalabelValue {
    /// Renaming changes what every record using the key shows.
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub descr: Option<Option<String>>,
    pub color_code: Option<String>,
    pub terminal_flag: Option<bool>,
    /// The usual predecessor; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_key: Option<Option<i64>>,
    pub sort_order: Option<i64>,
}

/// Rename, recolour, describe or re-link a value (tenant administrators).
#[utoipa::path(patch, path = "/api/v1/setting/{datalabel}/{key}", tag = "setting",
    operation_id = "update_datalabel_value", security(("bearer" = [])),
    params(("datalabel" = DatalabelName, Path, description = "Datalabel name"),
        ("key" = i64, Path, description = "The value's key")),
    request_body = UpdateDatalabelValue,
    responses((status = 200, body = DatalabelValue), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "Name taken"),
        (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn update_datalabel_value(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath((name, key)): AppPath<(String, i64)>,
    AppJson(request): AppJson<UpdateDatalabelValue>,
) -> Result<axum::Json<DatalabelValue>, ApiError> {
    let datalabel = datalabel(&name)?;
    require_admin(&user)?;
    let mut errors = FieldErrors::default();
    let name = request
        .name
        .as_deref()
        .map(|name| check_name(&mut errors, name));
    let descr = request
        .descr
        .as_ref()
        .map(|descr| check_descr(&mut errors, descr.as_deref()));
    let color = request
        .color_code
        .as_deref()
        .map(|color| check_color(&mut errors, color));
    let parent_key = request
        .parent_key
        .map(|parent| parent.map(|parent| check_integer(&mut errors, "parent_key", parent)));
    let sort_order = request
        .sort_order
        .map(|sort| check_integer(&mut errors, "sort_order", sort));
    if parent_key == Some(Some(i32::try_from(key).unwrap_or(-1))) {
        errors.add("parent_key", "a value cannot be its own predecessor");
    }
    let nothing = name.is_none()
        && descr.is_none()
        && color.is_none()
        && request.terminal_flag.is_none()
        && parent_key.is_none()
        && sort_order.is_none();
    if nothing {
        errors.add("body", "name at least one field to change");
    }
    errors.into_result(&format!("the {datalabel} value is invalid"))?;

    let tenant = user.tenant_id.as_str();
    let mut tx = state.db.begin().await?;
    lock_datalabel(&mut tx, tenant, datalabel).await?;
    let before = lock_value(&mut tx, tenant, datalabel, key).await?;
    let name = name.flatten();
    if let Some(name) = &name {
        check_name_free(&mut tx, tenant, datalabel, name, Some(before.key)).await?;
    }
    if let Some(Some(parent)) = parent_key
        && !key_exists(&mut tx, tenant, datalabel, parent).await?
    {
        return Err(ApiError::validation(
            "the parent does not exist",
            json!({ "parent_key": format!("no {datalabel} value with key {parent}") }),
        ));
    }
    let table = table(datalabel);
    let row: ValueRow = sqlx::query_as(AssertSqlSafe(format!(
        "UPDATE {table} SET
            name = coalesce($3, name),
            descr = CASE WHEN $4 THEN $5 ELSE descr END,
            color_code = coalesce($6, color_code),
            terminal_flag = coalesce($7, terminal_flag),
            parent_id = CASE WHEN $8 THEN $9 ELSE parent_id END,
            sort_order = coalesce($10, sort_order),
            updated_ts = now()
         WHERE tenant_id = $1 AND level_id = $2
         RETURNING {COLUMNS}"
    )))
    .bind(tenant)
    .bind(before.key)
    .bind(&name)
    .bind(descr.is_some())
    .bind(descr.clone().flatten())
    .bind(&color)
    .bind(request.terminal_flag)
    .bind(parent_key.is_some())
    .bind(parent_key.flatten())
    .bind(sort_order)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_write_error)?;
    let after = DatalabelValue::from(row);
    record_audit(
        &mut tx,
        &meta,
        &user,
        Change {
            action: "datalabel.update",
            datalabel,
            key: Some(after.key),
            before: Some(before.audit()),
            after: Some(after.audit()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(after))
}

/// The new display order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderDatalabelValues {
    /// Every active key exactly once, in the new order. Deactivated values keep their relative
    /// order after the active ones.
    pub keys: Vec<i64>,
}

/// Reorder the active values of a datalabel (tenant administrators). Answers the active values
/// in their new order.
#[utoipa::path(post, path = "/api/v1/setting/{datalabel}/reorder", tag = "setting",
    operation_id = "reorder_datalabel_values", security(("bearer" = [])),
    params(("datalabel" = DatalabelName, Path, description = "Datalabel name")),
    request_body = ReorderDatalabelValues,
    responses((status = 200, body = DatalabelList), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope, description = "Not a permutation of the active keys")))]
async fn reorder_datalabel_values(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath(name): AppPath<String>,
    AppJson(request): AppJson<ReorderDatalabelValues>,
) -> Result<axum::Json<DatalabelList>, ApiError> {
    let datalabel = datalabel(&name)?;
    require_admin(&user)?;
    let tenant = user.tenant_id.as_str();
    let mut tx = state.db.begin().await?;
    lock_datalabel(&mut tx, tenant, datalabel).await?;
    let before = fetch_values(&mut tx, tenant, datalabel, false).await?;
    let active: Vec<i32> = before.iter().map(|value| value.key).collect();
    let mut given: Vec<i64> = request.keys.clone();
    given.sort_unstable();
    let mut expected: Vec<i64> = active.iter().map(|key| i64::from(*key)).collect();
    expected.sort_unstable();
    if given != expected {
        return Err(ApiError::validation(
            "keys must list every active key exactly once",
            json!({ "keys": format!("a permutation of the active keys {active:?}") }),
        ));
    }
    let keys: Vec<i32> = request
        .keys
        .iter()
        .filter_map(|key| i32::try_from(*key).ok())
        .collect();
    let table = table(datalabel);
    sqlx::query(AssertSqlSafe(format!(
        "WITH ordered (level_id, sort_order) AS (
            SELECT v.key, v.ord::int FROM unnest($2::int[]) WITH ORDINALITY AS v (key, ord)
            UNION ALL
            SELECT level_id, (cardinality($2::int[]) + row_number() OVER (ORDER BY sort_order, level_id))::int
            FROM {table} WHERE tenant_id = $1 AND NOT active_flag)
         UPDATE {table} t SET sort_order = o.sort_order, updated_ts = now()
         FROM ordered o
         WHERE t.tenant_id = $1 AND t.level_id = o.level_id AND t.sort_order <> o.sort_order"
    )))
    .bind(tenant)
    .bind(&keys)
    .execute(&mut *tx)
    .await
    .map_err(map_write_error)?;
    let data = fetch_values(&mut tx, tenant, datalabel, false).await?;
    record_audit(
        &mut tx,
        &meta,
        &user,
        Change {
            action: "datalabel.reorder",
            datalabel,
            key: None,
            before: Some(json!({ "keys": active })),
            after: Some(json!({ "keys": keys })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(DatalabelList {
        datalabel: datalabel.to_owned(),
        data,
    }))
}

/// Deactivate a value (tenant administrators). Refused with 409 while any row of any table still
/// uses the key (`details.in_use_count`, `details.usage`), or while it is the default of new rows.
#[utoipa::path(post, path = "/api/v1/setting/{datalabel}/{key}/deactivate", tag = "setting",
    operation_id = "deactivate_datalabel_value", security(("bearer" = [])),
    params(("datalabel" = DatalabelName, Path, description = "Datalabel name"),
        ("key" = i64, Path, description = "The value's key")),
    responses((status = 200, body = DatalabelValue), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "In use, a column default, or already inactive")))]
async fn deactivate_datalabel_value(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath((name, key)): AppPath<(String, i64)>,
) -> Result<axum::Json<DatalabelValue>, ApiError> {
    let datalabel = datalabel(&name)?;
    require_admin(&user)?;
    let tenant = user.tenant_id.as_str();
    let mut tx = state.db.begin().await?;
    lock_datalabel(&mut tx, tenant, datalabel).await?;
    let before = lock_value(&mut tx, tenant, datalabel, key).await?;
    if !before.active_flag {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("{datalabel} value {key} is already deactivated"),
        ));
    }
    let mut usage = Vec::new();
    let mut in_use_count: i64 = 0;
    for (used_in, column) in usages(datalabel) {
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT count(*) FROM {used_in} WHERE tenant_id = $1 AND {column} = $2"
        )))
        .bind(tenant)
        .bind(before.key)
        .fetch_one(&mut *tx)
        .await?;
        if count > 0 {
            in_use_count += count;
            usage.push(json!({
                "table": used_in.trim_start_matches("app."), "column": column, "count": count,
            }));
        }
    }
    if in_use_count > 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "`{}` is still used by {in_use_count} record(s); move them to another value first",
                before.name
            ),
        )
        .with_details(json!({ "in_use_count": in_use_count, "usage": usage })));
    }
    let defaults = column_defaults_using(&mut tx, datalabel, before.key).await?;
    if !defaults.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "`{}` is what new records get when they name no {datalabel}; it stays active \
                 (rename it instead)",
                before.name
            ),
        )
        .with_details(json!({ "in_use_count": 0, "default_of": defaults })));
    }
    let after = set_active(&mut tx, tenant, datalabel, before.key, false).await?;
    record_audit(
        &mut tx,
        &meta,
        &user,
        Change {
            action: "datalabel.deactivate",
            datalabel,
            key: Some(after.key),
            before: Some(json!({ "active_flag": true })),
            after: Some(json!({ "active_flag": false })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(after))
}

/// `table.column` of every using column whose default (for new rows) is this key.
async fn column_defaults_using(
    conn: &mut PgConnection,
    datalabel: &'static str,
    key: i32,
) -> Result<Vec<String>, sqlx::Error> {
    let (tables, columns): (Vec<&str>, Vec<&str>) = usages(datalabel)
        .into_iter()
        .map(|(used_in, column)| (used_in.trim_start_matches("app."), column))
        .unzip();
    sqlx::query_scalar(
        "SELECT c.table_name::text || '.' || c.column_name::text
         FROM information_schema.columns c
         JOIN unnest($1::text[], $2::text[]) AS u (table_name, column_name)
           ON c.table_name = u.table_name AND c.column_name = u.column_name
         WHERE c.table_schema = 'app' AND c.column_default = $3
         ORDER BY 1",
    )
    .bind(tables)
    .bind(columns)
    .bind(key.to_string())
    .fetch_all(&mut *conn)
    .await
}

async fn set_active(
    conn: &mut PgConnection,
    tenant: &str,
    datalabel: &'static str,
    key: i32,
    active: bool,
) -> Result<DatalabelValue, ApiError> {
    let row: ValueRow = sqlx::query_as(AssertSqlSafe(format!(
        "UPDATE {} SET active_flag = $3, updated_ts = now() WHERE tenant_id = $1 AND level_id = $2
         RETURNING {COLUMNS}",
        table(datalabel)
    )))
    .bind(tenant)
    .bind(key)
    .bind(active)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_write_error)?;
    Ok(DatalabelValue::from(row))
}

/// Activate a deactivated value again (tenant administrators).
#[utoipa::path(post, path = "/api/v1/setting/{datalabel}/{key}/activate", tag = "setting",
    operation_id = "activate_datalabel_value", security(("bearer" = [])),
    params(("datalabel" = DatalabelName, Path, description = "Datalabel name"),
        ("key" = i64, Path, description = "The value's key")),
    responses((status = 200, body = DatalabelValue), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "Already active")))]
async fn activate_datalabel_value(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    AppPath((name, key)): AppPath<(String, i64)>,
) -> Result<axum::Json<DatalabelValue>, ApiError> {
    let datalabel = datalabel(&name)?;
    require_admin(&user)?;
    let tenant = user.tenant_id.as_str();
    let mut tx = state.db.begin().await?;
    lock_datalabel(&mut tx, tenant, datalabel).await?;
    let before = lock_value(&mut tx, tenant, datalabel, key).await?;
    if before.active_flag {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("{datalabel} value {key} is already active"),
        ));
    }
    let after = set_active(&mut tx, tenant, datalabel, before.key, true).await?;
    record_audit(
        &mut tx,
        &meta,
        &user,
        Change {
            action: "datalabel.activate",
            datalabel,
            key: Some(after.key),
            before: Some(json!({ "active_flag": false })),
            after: Some(json!({ "active_flag": true })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registry_datalabel_is_known() {
        for entity in EntityType::ALL {
            for field in entity.registry().fields {
                if let Some(name) = field.kind.datalabel() {
                    assert!(DATALABELS.contains(&name), "{entity}.{}", field.name);
                }
            }
        }
        for (name, _, _) in DETAIL_USAGES {
            assert!(DATALABELS.contains(name));
        }
        assert_eq!(
            usages("task_stage"),
            vec![
                ("app.d_task", "task_stage"),
                ("app.d_task_data", "stage_from"),
                ("app.d_task_data", "stage_to")
            ]
        );
    }

    #[test]
    fn the_openapi_enum_lists_every_datalabel() {
        use DatalabelName::*;
        let names = [
            OfficeLevel,
            BusinessLevel,
            ProjectStage,
            TaskStage,
            PositionLevel,
            OpportunityFunnelStage,
            IndustrySector,
            AcquisitionChannel,
            CustomerTier,
            ClientLevel,
            ClientStatus,
            TaskPriority,
            TaskUpdateType,
            WikiPublicationStatus,
            FormApprovalStatus,
            FormSubmissionStatus,
        ]
        .map(|name| serde_json::to_value(name).unwrap_or_default());
        assert_eq!(
            names.map(|v| v.as_str().unwrap_or("").to_owned()),
            DATALABELS.map(String::from)
        );
    }

    #[test]
    fn fields_are_checked() {
        let mut errors = FieldErrors::default();
        assert_eq!(check_color(&mut errors, "#a1b2c3"), "#A1B2C3");
        assert_eq!(check_name(&mut errors, "  Done "), Some("Done".to_owned()));
        assert!(errors.is_empty());
        for bad in ["red", "#12345", "#1234567", "#GGGGGG", "123456#"] {
            let mut errors = FieldErrors::default();
            check_color(&mut errors, bad);
            assert!(!errors.is_empty(), "{bad}");
        }
        let mut errors = FieldErrors::default();
        assert_eq!(check_name(&mut errors, "   "), None);
        assert_eq!(check_integer(&mut errors, "key", -1), 0);
        assert_eq!(check_integer(&mut errors, "key", i64::MAX), 0);
        assert!(!errors.is_empty());
    }
}
