//! Generic records: list, get, create, update, delete and restore for every registry type.
//!
//! SQL is built from the compiled-in registry: table and column names come only from it, every
//! value is a bound parameter. Reads project each field in SQL (money and decimals as text), write
//! the JSON objects from those columns in Rust (`row_json`), with the names of referenced records
//! and of datalabel values from this instance's memory or one query per result (`rows_json`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sqlx::postgres::PgRow;
use sqlx::{Connection, PgConnection, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::auth::permissions::{self, Level, Levels, PartsBranch, PartsOrder, Visibility};
use crate::cache::{self, Cache, CacheKey, Invalidation};
use crate::entity::registry::{
    EntityDef, EntityType, FieldDef, FieldKind, LinesDef, SortDirection, Storage,
};
use crate::entity::row_json;
use crate::entity::values::{self, FieldErrors, ParsedValue, SqlValue};
use crate::error::{ApiError, ErrorCode};

/// Page size bounds of every list.
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 200;

/// Columns that are never NULL in any entity table, so keyset comparisons on them can use plain
/// row comparison (and their indexes).
const NOT_NULL_SORTS: &[&str] = &[
    "id",
    "code",
    "slug",
    "name",
    "created_ts",
    "updated_ts",
    "from_ts",
    "version",
];

/// Query parameters every list understands; every other parameter must be a field filter.
const LIST_PARAMS: &[&str] = &["limit", "cursor", "q", "sort", "order", "total", "deleted"];

/// The server-side key that encrypts sensitive columns (derived from the server secret).
#[derive(Clone)]
pub struct FieldKey(pub String);

// ---------------------------------------------------------------------------------------------
// Projection

/// Pushes `, LATERAL (SELECT <fields>) r` for the row alias `t`: the JSON shape of a record.
fn push_projection(
    qb: &mut QueryBuilder<Postgres>,
    def: &EntityDef,
    include_sensitive: bool,
    key: &FieldKey,
) {
    qb.push(" CROSS JOIN LATERAL (SELECT ");
    let mut first = true;
    for field in def
        .fields
        .iter()
        .filter(|f| include_sensitive || !f.sensitive)
    {
        if !first {
            qb.push(", ");
        }
        first = false;
        push_field_projection(qb, field, key);
    }
    qb.push(") r");
}

fn push_field_projection(qb: &mut QueryBuilder<Postgres>, field: &FieldDef, key: &FieldKey) {
    let name = field.name;
    match (field.storage, field.kind) {
        (Storage::Encrypted { column }, _) => {
            qb.push(format!("app.pgp_sym_decrypt(t.{column}, "));
            qb.push_bind(key.0.clone());
            qb.push(format!(") AS {name}"));
        }
        (_, FieldKind::Money | FieldKind::Decimal { .. }) => {
            qb.push(format!("t.{name}::text AS {name}"));
        }
        // References and datalabels get their `<field>_name` from `rows_json`.
        _ => {
            qb.push(format!("t.{name}"));
        }
    }
}

/// Where a read finds the names it shows beside keys (`rows_json`). Datalabel names come from
/// this instance's cache whenever it has one: no record write changes them. Referenced records'
/// names do only outside a writer's transaction, which may have renamed one it has not committed
/// (`reference_names`).
#[derive(Clone, Copy)]
struct NameCaches<'a> {
    records: Option<&'a Cache>,
    labels: Option<&'a Cache>,
}

impl<'a> NameCaches<'a> {
    /// For a read outside any write.
    fn reading(cache: Option<&'a Cache>) -> Self {
        NameCaches {
            records: cache,
            labels: cache,
        }
    }

    /// For a read inside a writer's transaction.
    fn writing(cache: Option<&'a Cache>) -> Self {
        NameCaches {
            records: None,
            labels: cache,
        }
    }
}

/// The rows of one result as a JSON array of objects (`row_json::RecordWriter`): their first
/// `count` columns and `<field>_name` for every reference and datalabel field among them — the
/// referenced record's name or the value's display name, null when the value is null or names
/// nothing. The names come from this instance's memory, or one query for the ones it lacks:
/// a subquery per row and field cost 0.5 ms of a page of 50 tasks for references (most of it
/// asking for the same project and the same few people again), and a third of the "my tasks"
/// statement's 0.7 ms for the two datalabels (docs/BENCHMARKS.md).
async fn rows_json(
    conn: &mut PgConnection,
    caches: NameCaches<'_>,
    tenant: &str,
    fields: &[FieldDef],
    rows: &[PgRow],
    count: usize,
) -> Result<Vec<u8>, sqlx::Error> {
    let Some(first) = rows.first() else {
        return Ok(b"[]".to_vec());
    };
    let references: Vec<(&str, EntityType)> = fields
        .iter()
        .filter_map(|field| match field.kind {
            FieldKind::Reference { target } => Some((field.name, target)),
            _ => None,
        })
        .collect();
    let labels: Vec<(&str, &'static str)> = fields
        .iter()
        .filter_map(|field| Some((field.name, field.kind.datalabel()?)))
        .collect();
    let writer = row_json::RecordWriter::new(first, count, &references, &labels)?;
    let mut names = row_json::Names {
        references: reference_names(conn, caches.records, tenant, writer.references_in(rows)?)
            .await?,
        ..row_json::Names::default()
    };
    for datalabel in writer.datalabels() {
        let values = crate::datalabel::value_names(conn, caches.labels, tenant, datalabel).await?;
        names.labels.insert(datalabel, values);
    }
    // A task is ~700 bytes of JSON: one allocation for most pages.
    let mut out = Vec::with_capacity(rows.len() * 700);
    out.push(b'[');
    for (position, row) in rows.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        writer.write(row, &names, &mut out)?;
    }
    out.push(b']');
    Ok(out)
}

/// The registry's names of the `wanted` (type, id) pairs that exist in the tenant.
///
/// With `names_cache` (every read outside a writer's transaction), names this instance already
/// holds are not asked for again: without the second statement a page used to send, project
/// tasks ran 24–38 % more pages a second at c=64 (docs/BENCHMARKS.md). The registry announces
/// every rename and removal at commit (migration 0061), and `update_record` forgets a renamed
/// record here before it answers. A writer passes `None` and reads its own transaction, which
/// may have renamed what it shows.
async fn reference_names(
    conn: &mut PgConnection,
    names_cache: Option<&Cache>,
    tenant: &str,
    wanted: HashSet<(EntityType, Uuid)>,
) -> Result<row_json::ReferenceNames, sqlx::Error> {
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let Some(cache) = names_cache else {
        let names = read_reference_names(conn, tenant, wanted.into_iter().collect()).await?;
        return Ok(names
            .into_iter()
            .map(|(reference, name)| (reference, Arc::new(name)))
            .collect());
    };
    let keys = wanted.into_iter().map(|(target, id)| {
        let key = reference_name_key(tenant, target, id);
        ((target, id), key)
    });
    // A name's weight: its bytes and the entry's own ~100.
    let weigh = |name: &String| name.len() + 100;
    cache
        .load_local_many(keys, weigh, |missing| {
            read_reference_names(conn, tenant, missing)
        })
        .await
}

/// Where this instance keeps the name of `target`'s record `id` (`cache::REFERENCE_NAMES`). The
/// registry's triggers (migration 0061) build the same key: `<type>:<id>`.
fn reference_name_key(tenant: &str, target: EntityType, id: Uuid) -> CacheKey {
    CacheKey::new(
        cache::REFERENCE_NAMES,
        Some(tenant),
        format!("{target}:{id}"),
    )
}

/// One statement for the registry's names of `wanted`; pairs that name nothing are left out.
async fn read_reference_names(
    conn: &mut PgConnection,
    tenant: &str,
    wanted: Vec<(EntityType, Uuid)>,
) -> Result<Vec<((EntityType, Uuid), String)>, sqlx::Error> {
    #[derive(Serialize)]
    struct Wanted {
        t: &'static str,
        id: Uuid,
    }
    let wanted: Vec<Wanted> = wanted
        .into_iter()
        .map(|(target, id)| Wanted {
            t: target.as_str(),
            id,
        })
        .collect();
    // The pairs travel as one JSON array, not as two arrays to `unnest`: PostgreSQL sizes an
    // `unnest` of known arrays exactly, so for the few references of one record a plan made for
    // those values always looked cheaper than the cached one — and it planned the statement on
    // every call (0.1–0.2 ms, more than running it). A JSON record set is sized the same whatever
    // it holds, so the cached plan is used.
    let rows = sqlx::query_as::<_, (String, Uuid, String)>(
        "SELECT i.entity_type::text, i.entity_id, i.name \
         FROM jsonb_to_recordset($2) AS k (t text, id uuid) \
         JOIN app.d_entity_instance_id i ON i.tenant_id = $1 \
         AND i.entity_type::text = k.t AND i.entity_id = k.id",
    )
    .bind(tenant)
    .bind(sqlx::types::Json(wanted))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(target, id, name)| Some(((target.parse().ok()?, id), name)))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Reading one record

/// One record as JSON, with its lines for header/line types. `None` when absent in the tenant.
async fn fetch_record(
    conn: &mut PgConnection,
    caches: NameCaches<'_>,
    def: &EntityDef,
    tenant: &str,
    id: Uuid,
    include_sensitive: bool,
    key: &FieldKey,
) -> Result<Option<Value>, sqlx::Error> {
    let Some(json) =
        fetch_record_text(conn, caches, def, tenant, id, include_sensitive, key).await?
    else {
        return Ok(None);
    };
    let mut record =
        serde_json::from_slice::<Value>(&json).map_err(|err| sqlx::Error::Decode(err.into()))?;
    if let Some(lines) = &def.lines {
        record["lines"] = fetch_lines(conn, caches, lines, tenant, id).await?;
    }
    Ok(Some(record))
}

/// One record's own columns as a JSON object's text (`rows_json`), without its lines.
async fn fetch_record_text(
    conn: &mut PgConnection,
    caches: NameCaches<'_>,
    def: &EntityDef,
    tenant: &str,
    id: Uuid,
    include_sensitive: bool,
    key: &FieldKey,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let mut qb = QueryBuilder::new("SELECT r.* FROM ");
    qb.push(def.table).push(" t");
    push_projection(&mut qb, def, include_sensitive, key);
    qb.push(" WHERE t.tenant_id = ")
        .push_bind(tenant.to_owned())
        .push(" AND t.id = ")
        .push_bind(id);
    let Some(row) = qb.build().fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let rows = [row];
    let array = rows_json(conn, caches, tenant, def.fields, &rows, rows[0].len()).await?;
    // `[{…}]`: the one object inside.
    Ok(Some(array[1..array.len() - 1].to_vec()))
}

async fn fetch_lines(
    conn: &mut PgConnection,
    caches: NameCaches<'_>,
    lines: &LinesDef,
    tenant: &str,
    header: Uuid,
) -> Result<Value, sqlx::Error> {
    let mut qb = QueryBuilder::new("SELECT r.* FROM ");
    qb.push(lines.table).push(" t CROSS JOIN LATERAL (SELECT ");
    for (i, field) in lines.fields.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        push_field_projection(&mut qb, field, &FieldKey(String::new()));
    }
    qb.push(") r WHERE t.tenant_id = ")
        .push_bind(tenant.to_owned())
        .push(format!(" AND t.{} = ", lines.parent_column))
        .push_bind(header)
        .push(" ORDER BY t.line_no");
    let rows = qb.build().fetch_all(&mut *conn).await?;
    let count = rows.first().map_or(0, PgRow::len);
    let json = rows_json(conn, caches, tenant, lines.fields, &rows, count).await?;
    serde_json::from_slice(&json).map_err(|err| sqlx::Error::Decode(err.into()))
}

/// JSON text written here (`rows_json`), answered as it is: a record, a page.
#[derive(Debug)]
pub struct JsonText(pub Vec<u8>);

impl axum::response::IntoResponse for JsonText {
    fn into_response(self) -> axum::response::Response {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            self.0,
        )
            .into_response()
    }
}

/// GET one record: View needed; sensitive fields only for callers with Edit. The record with
/// `_permissions`, the caller's levels on it.
pub async fn get_record(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
    key: &FieldKey,
) -> Result<JsonText, ApiError> {
    let levels = permissions::require_instance_level(db, user, entity, id, Level::View).await?;
    let mut conn = db.acquire().await?;
    let def = entity.registry();
    let include_sensitive = levels.contains(Level::Edit);
    let not_found = || ApiError::not_found(entity.as_str());
    let (caches, tenant) = (
        NameCaches::reading(user.cache.as_ref()),
        user.tenant_id.as_str(),
    );
    if def.lines.is_some() {
        let mut record = fetch_record(&mut conn, caches, def, tenant, id, include_sensitive, key)
            .await?
            .ok_or_else(not_found)?;
        record["_permissions"] = json!(levels.to_vec());
        let mut out = Vec::new();
        // Writing a `Value` to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &record);
        return Ok(JsonText(out));
    }
    // Written into the object's text rather than parsed and written again (parsing alone was 4 %
    // of a GET's server CPU): `_permissions` sorts before every field name, so it goes first,
    // where a sorted map would put it.
    let object = fetch_record_text(&mut conn, caches, def, tenant, id, include_sensitive, key)
        .await?
        .ok_or_else(not_found)?;
    let mut out = Vec::with_capacity(object.len() + 48);
    out.extend_from_slice(b"{\"_permissions\":");
    // Writing a list of levels to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut out, &levels.to_vec());
    if object.len() > 2 {
        out.push(b',');
    }
    out.extend_from_slice(&object[1..]);
    Ok(JsonText(out))
}

/// The caller's levels on a record named in a path as the owner of what is asked for (its
/// children, its tabs): 404 when it does not exist in the tenant, exactly as when it is invisible —
/// admins and `all` grants hold levels on any id, so the row itself is checked too.
pub async fn require_record(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
    level: Level,
) -> Result<Levels, ApiError> {
    let levels = permissions::require_instance_level(db, user, entity, id, level).await?;
    require_existing(db, &user.tenant_id, entity, id).await?;
    Ok(levels)
}

/// 404 unless the record exists in the tenant, live or deleted.
pub async fn require_existing(
    db: &sqlx::PgPool,
    tenant: &str,
    entity: EntityType,
    id: Uuid,
) -> Result<(), ApiError> {
    match record_state(db, tenant, entity, id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(entity.as_str())),
    }
}

/// Whether a record exists in the tenant, and if so whether it is live.
async fn record_state(
    db: &sqlx::PgPool,
    tenant: &str,
    entity: EntityType,
    id: Uuid,
) -> Result<Option<bool>, ApiError> {
    let sql = format!(
        "SELECT active_flag FROM {} WHERE tenant_id = $1 AND id = $2",
        entity.registry().table
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(id)
        .fetch_optional(db)
        .await?)
}

// ---------------------------------------------------------------------------------------------
// Lists

/// A parsed list request.
#[derive(Debug)]
pub struct ListRequest {
    pub limit: i64,
    pub cursor: Option<Cursor>,
    pub q: Option<String>,
    pub sort: &'static FieldDef,
    pub direction: SortDirection,
    pub total: bool,
    pub deleted: bool,
    pub filters: Vec<Filter>,
}

#[derive(Debug)]
pub struct Filter {
    pub field: &'static FieldDef,
    pub op: FilterOp,
}

#[derive(Debug)]
pub enum FilterOp {
    Eq(ParsedValue),
    In(Vec<ParsedValue>),
    Gte(SqlValue),
    Lte(SqlValue),
    /// Tags: the array holds this tag.
    HasTag(String),
    IsNull(bool),
}

/// The position after the last row of a page: bound to the sort it was made for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "d")]
    pub direction: String,
    /// The sort value as PostgreSQL text, or None for NULL.
    #[serde(rename = "v")]
    pub value: Option<String>,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Option<Cursor> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

fn direction_name(direction: SortDirection) -> &'static str {
    match direction {
        SortDirection::Asc => "asc",
        SortDirection::Desc => "desc",
    }
}

/// Parses the query string of a list. Unknown parameters, unknown or non-sortable sort fields,
/// bad limits and foreign cursors are 400s naming what is wrong.
pub fn parse_list_request(
    def: &'static EntityDef,
    params: &HashMap<String, String>,
) -> Result<ListRequest, ApiError> {
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::malformed(format!(
                    "limit must be a whole number from 1 to {MAX_LIMIT}"
                ))
            })?,
    };
    let sort = match params.get("sort") {
        None => def
            .field(def.default_sort.field)
            .unwrap_or(&crate::entity::registry::common::ID),
        Some(name) => def
            .field(name)
            .filter(|f| f.sortable && !f.sensitive)
            .ok_or_else(|| {
                ApiError::malformed(format!("cannot sort {} by `{name}`", def.entity_type))
            })?,
    };
    let direction = match params.get("order").map(String::as_str) {
        None if params.contains_key("sort") => SortDirection::Asc,
        None => def.default_sort.direction,
        Some("asc") => SortDirection::Asc,
        Some("desc") => SortDirection::Desc,
        Some(other) => {
            return Err(ApiError::malformed(format!(
                "order must be asc or desc, not `{other}`"
            )));
        }
    };
    let cursor = match params.get("cursor") {
        None => None,
        Some(raw) => {
            let cursor = Cursor::decode(raw)
                .ok_or_else(|| ApiError::malformed("the cursor is not valid"))?;
            if cursor.sort != sort.name || cursor.direction != direction_name(direction) {
                return Err(ApiError::malformed(
                    "the cursor belongs to another sort order; start again without it",
                ));
            }
            Some(cursor)
        }
    };
    let q = params
        .get("q")
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::malformed("q is at most 200 characters"));
    }
    let flag = |name: &str| -> Result<bool, ApiError> {
        match params.get(name).map(String::as_str) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::malformed(format!(
                "{name} must be true or false, not `{other}`"
            ))),
        }
    };
    let total = flag("total")?;
    let deleted = flag("deleted")?;

    let mut filters = Vec::new();
    let mut errors = FieldErrors::default();
    for (key, raw) in params {
        if LIST_PARAMS.contains(&key.as_str()) {
            continue;
        }
        let (name, op) = key.split_once('.').unwrap_or((key.as_str(), "eq"));
        let Some(field) = def.field(name).filter(|f| f.filterable && !f.sensitive) else {
            return Err(ApiError::malformed(format!(
                "unknown query parameter `{key}` (not a filterable field of {})",
                def.entity_type
            )));
        };
        // Like `q`: a filter value is something a person typed or picked, never a document.
        if raw.chars().count() > MAX_FILTER_CHARS {
            return Err(ApiError::malformed(format!(
                "{key}: a filter value is at most {MAX_FILTER_CHARS} characters"
            )));
        }
        match parse_filter(field, op, raw) {
            Ok(op) => filters.push(Filter { field, op }),
            Err(message) => errors.add(key.clone(), message),
        }
    }
    errors.into_result("invalid filter")?;
    filters.sort_by_key(|f| f.field.name);
    Ok(ListRequest {
        limit,
        cursor,
        q,
        sort,
        direction,
        total,
        deleted,
        filters,
    })
}

/// Longest filter value (an `.in` list of uuids included: 50 of them fit).
const MAX_FILTER_CHARS: usize = 2_000;

fn parse_filter(field: &'static FieldDef, op: &str, raw: &str) -> Result<FilterOp, String> {
    let scalar = |text: &str| -> Result<ParsedValue, String> {
        let value = match field.kind {
            FieldKind::Integer => {
                Value::from(text.parse::<i64>().map_err(|_| "must be a whole number")?)
            }
            FieldKind::Boolean => {
                Value::from(text.parse::<bool>().map_err(|_| "must be true or false")?)
            }
            FieldKind::Datalabel { .. } => text
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(text)),
            _ => Value::from(text),
        };
        // Filters never require a value: parse as if the field were optional.
        let optional = FieldDef {
            required: false,
            ..*field
        };
        values::parse_value(&optional, &value)
    };
    let ready = |parsed: ParsedValue| match parsed {
        ParsedValue::Ready(v) => Ok(v),
        _ => Err("range filters apply to numbers, dates and timestamps".to_owned()),
    };
    match (op, field.kind) {
        ("eq", FieldKind::Tags) => Ok(FilterOp::HasTag(raw.to_owned())),
        ("eq", _) => Ok(FilterOp::Eq(scalar(raw)?)),
        ("in", _) => {
            let items: Vec<&str> = raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if items.is_empty() || items.len() > 100 {
                return Err("give 1–100 comma-separated values".to_owned());
            }
            Ok(FilterOp::In(
                items.into_iter().map(scalar).collect::<Result<_, _>>()?,
            ))
        }
        (
            "gte" | "lte",
            FieldKind::Integer
            | FieldKind::Decimal { .. }
            | FieldKind::Money
            | FieldKind::Date
            | FieldKind::Timestamp,
        ) => {
            let value = ready(scalar(raw)?)?;
            Ok(if op == "gte" {
                FilterOp::Gte(value)
            } else {
                FilterOp::Lte(value)
            })
        }
        ("null", _) => match raw {
            "true" => Ok(FilterOp::IsNull(true)),
            "false" => Ok(FilterOp::IsNull(false)),
            _ => Err("must be true or false".to_owned()),
        },
        ("gte" | "lte", _) => {
            Err("range filters apply to numbers, dates and timestamps".to_owned())
        }
        _ => Err(format!(
            "unknown filter operator `{op}` (use eq, in, gte, lte, null)"
        )),
    }
}

/// A page of records.
#[derive(Debug)]
pub struct Page {
    /// The records: a JSON array, written once (`rows_json`) and sent as it is.
    pub data: Vec<u8>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
    /// How many records `data` holds.
    rows: usize,
}

impl Page {
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

impl axum::response::IntoResponse for Page {
    /// `{"data":[…],"next_cursor":…,"total":…}` (no `total` unless asked) around the array as it
    /// was written: embedding it through serde would parse the whole page again to check it.
    fn into_response(self) -> axum::response::Response {
        let mut body = Vec::with_capacity(self.data.len() + 64);
        body.extend_from_slice(b"{\"data\":");
        body.extend_from_slice(&self.data);
        body.extend_from_slice(b",\"next_cursor\":");
        // Writing a string or a number to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut body, &self.next_cursor);
        if let Some(total) = self.total {
            body.extend_from_slice(b",\"total\":");
            let _ = serde_json::to_writer(&mut body, &total);
        }
        body.push(b'}');
        JsonText(body).into_response()
    }
}

/// How a list is scoped beyond the tenant: all rows, or the children of one parent.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    All,
    ChildrenOf { parent: EntityType, parent_id: Uuid },
}

/// Lists records the caller may view, filtered, searched, sorted and keyset-paginated.
pub async fn list_records(
    db: &sqlx::PgPool,
    cached_plans: &sqlx::PgPool,
    user: &CurrentUser,
    def: &'static EntityDef,
    scope: Scope,
    request: &ListRequest,
    key: &FieldKey,
) -> Result<Page, ApiError> {
    // Permission pre-queries run on the pool before this list takes its own connection: holding
    // one while waiting for another deadlocks a busy pool (every worker holds one, none frees).
    let visibility = list_visibility(db, user, def, scope).await?;
    let sort_key = sort_expression(request.sort);
    let parts = match (
        &visibility,
        PartsOrder::of(
            def.entity_type,
            request.sort.name,
            &sort_key,
            request.direction == SortDirection::Desc,
        ),
    ) {
        (Visibility::Dense(Some(parts)), Some(parts_order)) => Some((parts, parts_order)),
        _ => None,
    };
    // A page read by parts runs on a cached generic plan: every branch walks one parent's index
    // in the page's order whatever the values, and the statement costs more to plan (up to 2 ms)
    // than to run (`db::cached_plan_pool`).
    let mut conn = if parts.is_some() {
        cached_plans.acquire().await?
    } else {
        db.acquire().await?
    };
    // Resolve datalabel names in filters to keys first (a name that does not exist matches nothing).
    let filters = resolve_filter_values(&mut conn, &user.tenant_id, &request.filters).await?;

    let dir = if request.direction == SortDirection::Asc {
        "ASC"
    } else {
        "DESC"
    };
    // Columns that are never NULL take PostgreSQL's default NULLS placement, which is what their
    // indexes are built with (`DESC` = `DESC NULLS FIRST`): spelling `NULLS LAST` there would keep
    // the planner from reading the index in order and make it sort every matching row.
    let nulls = if NOT_NULL_SORTS.contains(&request.sort.name) {
        ""
    } else {
        " NULLS LAST"
    };
    let order = format!(" ORDER BY {sort_key} {dir}{nulls}, t.id {dir}");
    // The page's rows before projection: the table under every condition, or — for a dense
    // caller whose visibility splits into a few parents and ids, in an order the per-parent index
    // delivers — one short branch per parent (`permissions::push_parts_source`).
    let conditions = |qb: &mut QueryBuilder<Postgres>, visibility: &Visibility| {
        push_list_conditions(qb, user, def, scope, request, &filters, visibility);
        if let Some(cursor) = &request.cursor {
            let key = (sort_key.as_str(), "t.id");
            push_cursor_condition(qb, request.sort, request.direction, cursor, key);
        }
    };
    // The record's columns, then the sort value as text for the cursor.
    let mut qb = QueryBuilder::new("SELECT r.*, ");
    push_sort_expression(&mut qb, request.sort);
    qb.push("::text FROM ");
    match parts {
        // Each branch is already restricted to what the caller sees.
        Some((parts, parts_order)) => permissions::push_parts_source(
            &mut qb,
            user,
            def.entity_type,
            parts,
            |qb, branch| {
                conditions(qb, &Visibility::Everything);
                // A grant walk also tests the cursor on the grant's copy of the sort key, so a
                // deep page skips the grants before it in the index instead of probing their tasks.
                if let (PartsBranch::Grants { sort_copy }, Some(cursor)) = (branch, &request.cursor)
                {
                    let key = format!("g.{sort_copy}");
                    push_cursor_condition(
                        qb,
                        request.sort,
                        request.direction,
                        cursor,
                        (&key, "g.entity_id"),
                    );
                }
            },
            parts_order,
            request.limit + 1,
        ),
        None => {
            qb.push(def.table);
        }
    }
    qb.push(" t");
    push_projection(&mut qb, def, false, key);
    if parts.is_none() {
        conditions(&mut qb, &visibility);
    }
    qb.push(&order).push(" LIMIT ").push_bind(request.limit + 1);

    let rows = qb.build().fetch_all(&mut *conn).await?;
    let has_more = rows.len() as i64 > request.limit;
    let page = &rows[..rows.len().min(usize::try_from(request.limit).unwrap_or(0))];
    // The record's columns, then the sort value as text (the cursor's).
    let record_columns = page.first().map_or(0, |row| row.len() - 1);
    let data = rows_json(
        &mut conn,
        NameCaches::reading(user.cache.as_ref()),
        &user.tenant_id,
        def.fields,
        page,
        record_columns,
    )
    .await?;
    let last: Option<(Option<String>, Uuid)> = match page.last() {
        Some(row) => Some((row.try_get(record_columns)?, row.try_get("id")?)),
        None => None,
    };
    let next_cursor = match (has_more, last) {
        (true, Some((value, id))) => Some(
            Cursor {
                sort: request.sort.name.to_owned(),
                direction: direction_name(request.direction).to_owned(),
                value,
                id,
            }
            .encode(),
        ),
        _ => None,
    };
    let total = if request.total {
        // On the main pool: a count is not read by parts, and its plan depends on the filters'
        // values (a pattern in `q`), which only a custom plan sees.
        drop(conn);
        let mut count = QueryBuilder::new("SELECT count(*) FROM ");
        count.push(def.table).push(" t");
        push_list_conditions(&mut count, user, def, scope, request, &filters, &visibility);
        Some(count.build_query_scalar::<i64>().fetch_one(db).await?)
    } else {
        None
    };
    Ok(Page {
        data,
        next_cursor,
        total,
        rows: page.len(),
    })
}

/// The sort key: names sort case-insensitively (matching their `lower(name)` indexes).
fn push_sort_expression(qb: &mut QueryBuilder<Postgres>, sort: &FieldDef) {
    qb.push(sort_expression(sort));
}

fn sort_expression(sort: &FieldDef) -> String {
    if sort.name == "name" {
        "lower(t.name)".to_owned()
    } else {
        format!("t.{}", sort.name)
    }
}

/// The SQL type a sort key's text form is cast back to.
fn sort_cast(sort: &FieldDef) -> &'static str {
    match sort.kind {
        FieldKind::Integer | FieldKind::Datalabel { .. } => "bigint",
        FieldKind::Decimal { .. } | FieldKind::Money => "numeric",
        FieldKind::Boolean => "boolean",
        FieldKind::Date => "date",
        FieldKind::Timestamp => "timestamptz",
        FieldKind::Uuid | FieldKind::Reference { .. } => "uuid",
        _ => "text",
    }
}

/// Rows after the cursor in (sort NULLS LAST, id) order, reading the sort key and the id from
/// `key` and `id`: the row's own (`lower(t.name)`, `t.id`) or a task grant's copies of them.
fn push_cursor_condition(
    qb: &mut QueryBuilder<Postgres>,
    sort: &FieldDef,
    direction: SortDirection,
    cursor: &Cursor,
    (key, id): (&str, &str),
) {
    let cmp = if direction == SortDirection::Asc {
        ">"
    } else {
        "<"
    };
    let cast = sort_cast(sort);
    match &cursor.value {
        Some(value) if NOT_NULL_SORTS.contains(&sort.name) => {
            qb.push(" AND (");
            qb.push(key);
            qb.push(format!(", {id}) "))
                .push(cmp)
                .push(" (")
                .push_bind(value.clone())
                .push(format!("::{cast}, "))
                .push_bind(cursor.id)
                .push(")");
        }
        Some(value) => {
            // Nullable key: past the value, or equal and past the id, or in the NULL group at the end.
            qb.push(" AND (");
            qb.push(key);
            qb.push(format!(" {cmp} "))
                .push_bind(value.clone())
                .push(format!("::{cast} OR ("));
            qb.push(key);
            qb.push(" = ")
                .push_bind(value.clone())
                .push(format!("::{cast} AND {id} {cmp} "))
                .push_bind(cursor.id)
                .push(") OR ");
            qb.push(key);
            qb.push(" IS NULL)");
        }
        None => {
            qb.push(" AND ");
            qb.push(key);
            qb.push(format!(" IS NULL AND {id} {cmp} "))
                .push_bind(cursor.id);
        }
    }
}

/// How a list's rows are restricted to what the caller may view: one decision per request, used
/// by the page and by its count.
async fn list_visibility(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    def: &'static EntityDef,
    scope: Scope,
) -> Result<Visibility, ApiError> {
    if let Scope::ChildrenOf { parent, parent_id } = scope
        && cascade_covers_children(def, parent)
        && permissions::cascades_through(db, user, parent, parent_id).await?
    {
        return Ok(Visibility::Everything);
    }
    permissions::list_visibility(db, user, def.entity_type).await
}

/// Whether a cascading View grant on a `parent` reaches all of its `def` children: true for
/// children linked under it (the cascade follows those very links), except employees, whom
/// cascades never reach. Their list under such a parent then needs no visibility filter.
fn cascade_covers_children(def: &EntityDef, parent: EntityType) -> bool {
    def.parent_reference(parent).is_none() && def.entity_type != EntityType::Employee
}

/// WHERE: tenant, live/deleted, scope, permission, search and field filters.
fn push_list_conditions(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    def: &'static EntityDef,
    scope: Scope,
    request: &ListRequest,
    filters: &[(&'static FieldDef, ResolvedOp)],
    visibility: &Visibility,
) {
    qb.push(" WHERE t.tenant_id = ")
        .push_bind(user.tenant_id.clone());
    qb.push(" AND t.active_flag = ").push_bind(!request.deleted);
    if let Scope::ChildrenOf { parent, parent_id } = scope {
        // Children of a record that does not exist are none, whatever links or references point
        // at it. Uncorrelated, so PostgreSQL probes the parent once per statement (a one-time
        // filter): a child list needs no statement of its own to ask whether its parent exists,
        // except when its page comes back empty (`record_routes::list_children`).
        qb.push(format!(
            " AND EXISTS (SELECT 1 FROM {} p WHERE p.tenant_id = ",
            parent.registry().table
        ))
        .push_bind(user.tenant_id.clone())
        .push(" AND p.id = ")
        .push_bind(parent_id)
        .push(")");
        match def
            .parent_reference(parent)
            .or_else(|| def.link_mirror(parent))
        {
            Some(column) => {
                qb.push(format!(" AND t.{} = ", column.column()))
                    .push_bind(parent_id);
            }
            None => {
                qb.push(" AND t.id IN (SELECT m.child_entity_id FROM app.d_entity_id_map m WHERE m.tenant_id = ")
                    .push_bind(user.tenant_id.clone())
                    .push(" AND m.parent_entity_type = ")
                    .push_bind(parent.as_str())
                    .push(" AND m.parent_entity_id = ")
                    .push_bind(parent_id)
                    .push(" AND m.child_entity_type = ")
                    .push_bind(def.entity_type.as_str())
                    .push(" AND m.active_flag)");
            }
        }
    }
    permissions::push_visibility_filter(qb, user, def.entity_type, "t", visibility);
    if let Some(q) = &request.q {
        let pattern = format!("%{}%", escape_like(q));
        qb.push(" AND (");
        for (i, field) in def.searchable_fields().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push(format!("t.{} ILIKE ", field.column()))
                .push_bind(pattern.clone());
        }
        qb.push(")");
    }
    for (field, op) in filters {
        push_filter(qb, field, op);
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A filter whose datalabel names and references are resolved.
#[derive(Debug)]
enum ResolvedOp {
    Eq(SqlValue),
    In(Vec<SqlValue>),
    Gte(SqlValue),
    Lte(SqlValue),
    HasTag(String),
    IsNull(bool),
    /// A datalabel name that does not exist: matches nothing.
    Nothing,
}

async fn resolve_filter_values(
    conn: &mut PgConnection,
    tenant: &str,
    filters: &[Filter],
) -> Result<Vec<(&'static FieldDef, ResolvedOp)>, ApiError> {
    let mut resolved = Vec::with_capacity(filters.len());
    for filter in filters {
        let op = match &filter.op {
            FilterOp::Eq(value) => match resolve_scalar(conn, tenant, filter.field, value).await? {
                Some(value) => ResolvedOp::Eq(value),
                None => ResolvedOp::Nothing,
            },
            FilterOp::In(items) => {
                let mut values = Vec::new();
                for item in items {
                    if let Some(value) = resolve_scalar(conn, tenant, filter.field, item).await? {
                        values.push(value);
                    }
                }
                if values.is_empty() {
                    ResolvedOp::Nothing
                } else {
                    ResolvedOp::In(values)
                }
            }
            FilterOp::Gte(value) => ResolvedOp::Gte(value.clone()),
            FilterOp::Lte(value) => ResolvedOp::Lte(value.clone()),
            FilterOp::HasTag(tag) => ResolvedOp::HasTag(tag.clone()),
            FilterOp::IsNull(flag) => ResolvedOp::IsNull(*flag),
        };
        resolved.push((filter.field, op));
    }
    Ok(resolved)
}

async fn resolve_scalar(
    conn: &mut PgConnection,
    tenant: &str,
    field: &FieldDef,
    value: &ParsedValue,
) -> Result<Option<SqlValue>, ApiError> {
    Ok(match value {
        ParsedValue::Ready(value) => Some(value.clone()),
        ParsedValue::Reference(id) => Some(SqlValue::Uuid(*id)),
        ParsedValue::Datalabel(input) => {
            let datalabel = field.kind.datalabel().unwrap_or(field.name);
            match input {
                values::DatalabelInput::Key(key) => Some(SqlValue::Integer(*key)),
                values::DatalabelInput::Name(_) => {
                    values::resolve_datalabel(conn, tenant, datalabel, input)
                        .await?
                        .ok()
                        .map(SqlValue::Integer)
                }
            }
        }
    })
}

fn push_filter(qb: &mut QueryBuilder<Postgres>, field: &FieldDef, op: &ResolvedOp) {
    let column = field.column();
    match op {
        ResolvedOp::Eq(value) => {
            qb.push(format!(" AND t.{column} = "));
            value.push_bind(qb);
        }
        ResolvedOp::In(values) => {
            qb.push(format!(" AND t.{column} IN ("));
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                value.push_bind(qb);
            }
            qb.push(")");
        }
        ResolvedOp::Gte(value) => {
            qb.push(format!(" AND t.{column} >= "));
            value.push_bind(qb);
        }
        ResolvedOp::Lte(value) => {
            qb.push(format!(" AND t.{column} <= "));
            value.push_bind(qb);
        }
        ResolvedOp::HasTag(tag) => {
            qb.push(format!(" AND t.{column} @> jsonb_build_array("))
                .push_bind(tag.clone())
                .push("::text)");
        }
        ResolvedOp::IsNull(true) => {
            qb.push(format!(" AND t.{column} IS NULL"));
        }
        ResolvedOp::IsNull(false) => {
            qb.push(format!(" AND t.{column} IS NOT NULL"));
        }
        ResolvedOp::Nothing => {
            qb.push(" AND false");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writes

/// Checked column values of a write, in registry order.
struct CheckedWrite {
    columns: Vec<(&'static FieldDef, SqlValue)>,
    lines: Option<Vec<Map<String, Value>>>,
}

/// Validates a write body against the registry. `creating` adds required-field checks and
/// generated values. Datalabels resolve to keys; references must name a live record of the tenant
/// that the caller may view (an invisible one is refused exactly as a missing one).
async fn check_write(
    conn: &mut PgConnection,
    user: &CurrentUser,
    def: &EntityDef,
    body: &Map<String, Value>,
    creating: bool,
) -> Result<CheckedWrite, ApiError> {
    let tenant = user.tenant_id.as_str();
    let mut errors = FieldErrors::default();
    let mut columns = Vec::new();
    for (name, value) in body {
        if name == "version" || (name == "lines" && def.lines.is_some()) {
            continue;
        }
        let Some(field) = def.field(name) else {
            errors.add(name.clone(), format!("not a field of {}", def.entity_type));
            continue;
        };
        if field.read_only {
            errors.add(name.clone(), "is set by the server");
            continue;
        }
        match values::parse_value(field, value) {
            Err(message) => errors.add(name.clone(), message),
            Ok(ParsedValue::Ready(value)) => columns.push((field, value)),
            Ok(ParsedValue::Datalabel(input)) => {
                let datalabel = field.kind.datalabel().unwrap_or(field.name);
                match values::resolve_datalabel(conn, tenant, datalabel, &input).await? {
                    Ok(key) => columns.push((field, SqlValue::Integer(key))),
                    Err(message) => errors.add(name.clone(), message),
                }
            }
            Ok(ParsedValue::Reference(id)) => {
                let target = field.kind.reference().unwrap_or(def.entity_type);
                if values::reference_visible(conn, user, target, id).await? {
                    columns.push((field, SqlValue::Uuid(id)));
                } else {
                    errors.add(name.clone(), format!("no such {target}"));
                }
            }
        }
    }
    if creating {
        for field in def
            .fields
            .iter()
            .filter(|f| f.required && f.generated.is_none())
        {
            if !body.contains_key(field.name) {
                errors.add(field.name, "is required");
            }
        }
    }
    let lines = match (def.lines.as_ref(), body.get("lines")) {
        (Some(_), Some(Value::Array(items))) => {
            let mut lines = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_object() {
                    Some(object) => lines.push(object.clone()),
                    None => errors.add(format!("lines[{i}]"), "must be an object"),
                }
            }
            if lines.len() > 500 {
                errors.add("lines", "at most 500 lines");
            }
            Some(lines)
        }
        (Some(_), Some(_)) => {
            errors.add("lines", "must be an array of line objects");
            None
        }
        _ => None,
    };
    errors.into_result(&format!("the {} is invalid", def.entity_type))?;
    Ok(CheckedWrite { columns, lines })
}

/// Checks and writes the lines of a header, replacing the previous set, then recomputes totals.
async fn write_lines(
    conn: &mut PgConnection,
    user: &CurrentUser,
    def: &EntityDef,
    header: Uuid,
    lines: &[Map<String, Value>],
) -> Result<(), ApiError> {
    let tenant = user.tenant_id.as_str();
    let Some(lines_def) = def.lines.as_ref() else {
        return Ok(());
    };
    let mut errors = FieldErrors::default();
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut columns: Vec<(&'static FieldDef, SqlValue)> = Vec::new();
        for (name, value) in line {
            let Some(field) = lines_def.field(name) else {
                errors.add(format!("lines[{i}].{name}"), "not a line field");
                continue;
            };
            if field.read_only {
                errors.add(format!("lines[{i}].{name}"), "is set by the server");
                continue;
            }
            match values::parse_value(field, value) {
                Err(message) => errors.add(format!("lines[{i}].{name}"), message),
                Ok(ParsedValue::Ready(value)) => columns.push((field, value)),
                Ok(ParsedValue::Reference(id)) => {
                    let target = field.kind.reference().unwrap_or(def.entity_type);
                    if values::reference_visible(conn, user, target, id).await? {
                        columns.push((field, SqlValue::Uuid(id)));
                    } else {
                        errors.add(format!("lines[{i}].{name}"), format!("no such {target}"));
                    }
                }
                Ok(ParsedValue::Datalabel(_)) => {
                    errors.add(format!("lines[{i}].{name}"), "not supported on lines")
                }
            }
        }
        for field in lines_def
            .fields
            .iter()
            .filter(|f| f.required && f.generated.is_none())
        {
            if !line.contains_key(field.name) {
                errors.add(format!("lines[{i}].{}", field.name), "is required");
            }
        }
        rows.push(columns);
    }
    errors.into_result("the lines are invalid")?;

    let mut delete = QueryBuilder::new("DELETE FROM ");
    delete
        .push(lines_def.table)
        .push(" WHERE tenant_id = ")
        .push_bind(tenant.to_owned());
    delete
        .push(format!(" AND {} = ", lines_def.parent_column))
        .push_bind(header);
    delete
        .build()
        .execute(&mut *conn)
        .await
        .map_err(map_write_error)?;
    for (i, columns) in rows.iter().enumerate() {
        let mut insert = QueryBuilder::new("INSERT INTO ");
        insert
            .push(lines_def.table)
            .push(format!(" (tenant_id, {}, line_no", lines_def.parent_column));
        for (field, _) in columns.iter().filter(|(f, _)| f.name != "line_no") {
            insert.push(format!(", {}", field.column()));
        }
        insert
            .push(") VALUES (")
            .push_bind(tenant.to_owned())
            .push(", ")
            .push_bind(header)
            .push(", ");
        let line_no = columns
            .iter()
            .find(|(f, _)| f.name == "line_no")
            .map(|(_, v)| v.clone());
        match line_no {
            Some(value) => value.push_bind(&mut insert),
            None => {
                insert.push_bind(i64::try_from(i + 1).unwrap_or(i64::MAX));
            }
        }
        for (_, value) in columns.iter().filter(|(f, _)| f.name != "line_no") {
            insert.push(", ");
            value.push_bind(&mut insert);
        }
        insert.push(")");
        insert
            .build()
            .execute(&mut *conn)
            .await
            .map_err(map_write_error)?;
    }
    recompute_totals(conn, def.entity_type, tenant, header).await
}

/// Header totals are sums of the lines, recomputed in the same transaction as any line change.
async fn recompute_totals(
    conn: &mut PgConnection,
    entity: EntityType,
    tenant: &str,
    header: Uuid,
) -> Result<(), ApiError> {
    let sql = match entity {
        EntityType::Order => "SELECT app.recompute_order_totals($1, $2)",
        EntityType::Invoice => "SELECT app.recompute_invoice_totals($1, $2)",
        _ => return Ok(()),
    };
    sqlx::query(sql)
        .bind(tenant)
        .bind(header)
        .execute(&mut *conn)
        .await
        .map_err(map_write_error)?;
    Ok(())
}

/// Maps constraint violations to client errors; anything else stays internal.
pub fn map_write_error(err: sqlx::Error) -> ApiError {
    if let Some(db_err) = err.as_database_error() {
        let constraint = db_err.constraint().unwrap_or("").to_owned();
        let column = db_err
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .and_then(|e| e.column())
            .map(str::to_owned);
        let field = column.unwrap_or_else(|| constraint_field(&constraint));
        match db_err.code().as_deref() {
            Some("23505") => {
                return ApiError::new(
                    ErrorCode::Conflict,
                    format!("another record already has this {field}"),
                )
                .with_details(
                    json!({ "fields": { field: "already taken" }, "constraint": constraint }),
                );
            }
            Some("23502") => {
                return ApiError::validation(
                    format!("{field} must have a value"),
                    json!({ field: "must have a value" }),
                );
            }
            Some("23514") | Some("22001") | Some("22003") | Some("22007") | Some("22008") => {
                return ApiError::validation(
                    format!("the value of {field} is not allowed"),
                    json!({ field: format!("violates {constraint}") }),
                );
            }
            Some("23503") => {
                return ApiError::validation(
                    format!("{field} refers to a record that does not exist"),
                    json!({ field: "no such record" }),
                );
            }
            _ => {}
        }
    }
    ApiError::from(err)
}

/// `d_project_code_uq` → `code`: the field part of our constraint names.
fn constraint_field(constraint: &str) -> String {
    let trimmed = constraint
        .trim_end_matches("_uq")
        .trim_end_matches("_ck")
        .trim_end_matches("_fk");
    let field = trimmed
        .split_once('_')
        .map(|(_, rest)| rest)
        .unwrap_or(trimmed);
    // Drop the table part (d_project_code → code) using the known table prefixes.
    let field = [
        "project_",
        "task_",
        "employee_",
        "client_",
        "business_",
        "office_",
        "role_",
        "position_",
        "worksite_",
        "artifact_",
        "wiki_",
        "form_head_",
        "reports_",
        "product_",
        "inventory_",
        "order_line_",
        "order_",
        "shipment_line_",
        "shipment_",
        "invoice_line_",
        "invoice_",
    ]
    .iter()
    .find_map(|prefix| field.strip_prefix(prefix))
    .unwrap_or(field);
    if field.is_empty() {
        "value".to_owned()
    } else {
        field.to_owned()
    }
}

/// Next generated code for a type, e.g. `PRJ-0042`, from the tenant's counter. Outside a
/// transaction, the counter's row lock lasts one statement.
async fn next_code(
    conn: &mut PgConnection,
    tenant: &str,
    def: &EntityDef,
) -> Result<String, ApiError> {
    let bump = || {
        sqlx::query_scalar::<_, i64>(
            "UPDATE app.entity_code_counter SET last_value = last_value + 1
             WHERE tenant_id = $1 AND entity_type = $2 RETURNING last_value",
        )
        .bind(tenant)
        .bind(def.entity_type.as_str())
    };
    if let Some(next) = bump().fetch_optional(&mut *conn).await? {
        return Ok(format!("{}-{next:04}", def.code_prefix));
    }
    // First use in a tenant: start after the highest existing generated code of that prefix. This
    // scans the type's codes once per tenant; every later create only bumps the counter row.
    let seed_sql = format!(
        "INSERT INTO app.entity_code_counter (tenant_id, entity_type, last_value)
         SELECT $1, $2, coalesce(max(substring(code FROM '^{prefix}-([0-9]{{1,12}})$')::bigint), 0)
         FROM {table} WHERE tenant_id = $1
         ON CONFLICT DO NOTHING",
        prefix = def.code_prefix,
        table = def.table
    );
    sqlx::query(sqlx::AssertSqlSafe(seed_sql))
        .bind(tenant)
        .bind(def.entity_type.as_str())
        .execute(&mut *conn)
        .await?;
    let next = bump().fetch_one(&mut *conn).await?;
    Ok(format!("{}-{next:04}", def.code_prefix))
}

/// A slug from a name: lower-case ASCII letters and digits joined by dashes.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 150 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "item".to_owned()
    } else {
        slug
    }
}

async fn unique_slug(
    conn: &mut PgConnection,
    tenant: &str,
    def: &EntityDef,
    name: &str,
    code: &str,
) -> Result<String, ApiError> {
    let base = slugify(name);
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE tenant_id = $1 AND slug = $2)",
        def.table
    );
    let taken: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(&base)
        .fetch_one(&mut *conn)
        .await?;
    if !taken {
        return Ok(base);
    }
    // The code is unique in the tenant, so name + code is too.
    Ok(format!(
        "{}-{}",
        base.chars().take(150).collect::<String>(),
        slugify(code)
    ))
}

/// Who is writing, and what a write needs besides the record: the pool, the caller, the field
/// encryption key and the request's audit details.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub db: &'a sqlx::PgPool,
    pub user: &'a CurrentUser,
    pub key: &'a FieldKey,
    pub meta: &'a crate::http::extract::RequestMeta,
}

/// The parent link to create with a record (`POST /{parent}/{id}/{child}`).
#[derive(Debug, Clone, Copy)]
pub struct ParentLink {
    pub parent: EntityType,
    pub parent_id: Uuid,
}

/// Creates a record (and its lines, registry entry and parent link) in one transaction.
pub async fn create_record(
    caller: Caller<'_>,
    entity: EntityType,
    parent: Option<ParentLink>,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let Caller {
        db,
        user,
        key,
        meta,
    } = caller;
    let def = entity.registry();
    if entity == EntityType::Artifact {
        // An artifact is a stored file: it comes to be through an upload, never bare.
        return Err(ApiError::malformed(
            "artifacts are created by uploading a file: POST /api/v1/artifact/upload",
        ));
    }
    if let Some(link) = parent
        && !link.parent.registry().allows_child(entity)
    {
        return Err(ApiError::not_found(&format!(
            "{} children of a {}",
            entity, link.parent
        )));
    }
    permissions::require_create(db, user, entity, parent.map(|p| (p.parent, p.parent_id))).await?;
    if let Some(link) = parent {
        match record_state(db, &user.tenant_id, link.parent, link.parent_id).await? {
            Some(true) => {}
            Some(false) => {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("this {} is deleted: restore it first", link.parent),
                ));
            }
            None => return Err(ApiError::not_found(link.parent.as_str())),
        }
    }
    let tenant = user.tenant_id.as_str();
    // One connection for the whole create. Its checks (reads) and the generated code come before
    // the transaction: the code's counter row is then locked for one statement, not until the
    // create commits, so creates of a type no longer queue behind each other (docs/BENCHMARKS.md).
    // A create that fails after taking a code leaves a gap: codes are unique and increasing, not
    // gapless.
    let mut conn = db.acquire().await?;
    let checked = check_write(&mut conn, user, def, body, true).await?;
    let mut columns = checked.columns;
    if let Some(link) = parent
        && let Some(reference) = def.parent_reference(link.parent)
    {
        columns.retain(|(f, _)| f.name != reference.name);
        columns.push((reference, SqlValue::Uuid(link.parent_id)));
    }
    let name = columns
        .iter()
        .find(|(f, _)| f.name == "name")
        .and_then(|(_, v)| match v {
            SqlValue::Text(text) => Some(text.clone()),
            _ => None,
        });
    if !columns.iter().any(|(f, _)| f.name == "code")
        && let Some(field) = def.field("code")
    {
        let code = next_code(&mut conn, tenant, def).await?;
        columns.push((field, SqlValue::Text(code)));
    }
    let mut tx = conn.begin().await?;
    if !columns.iter().any(|(f, _)| f.name == "slug")
        && let Some(field) = def.field("slug")
    {
        let code = columns
            .iter()
            .find(|(f, _)| f.name == "code")
            .and_then(|(_, v)| match v {
                SqlValue::Text(t) => Some(t.clone()),
                _ => None,
            });
        let slug = unique_slug(
            &mut tx,
            tenant,
            def,
            name.as_deref().unwrap_or("item"),
            code.as_deref().unwrap_or("x"),
        )
        .await?;
        columns.push((field, SqlValue::Text(slug)));
    }

    let id = Uuid::now_v7();
    let mut insert = QueryBuilder::new("INSERT INTO ");
    insert
        .push(def.table)
        .push(" (tenant_id, id, created_by, updated_by");
    for (field, _) in &columns {
        insert.push(format!(", {}", field.column()));
    }
    insert
        .push(") VALUES (")
        .push_bind(tenant.to_owned())
        .push(", ")
        .push_bind(id)
        .push(", ");
    insert
        .push_bind(user.employee_id)
        .push(", ")
        .push_bind(user.employee_id);
    for (field, value) in &columns {
        insert.push(", ");
        push_write_value(&mut insert, field, value, key);
    }
    insert.push(")");
    insert
        .build()
        .execute(&mut *tx)
        .await
        .map_err(map_write_error)?;

    if let Some(lines) = &checked.lines {
        write_lines(&mut tx, user, def, id, lines).await?;
    }
    sync_registry(&mut tx, def, tenant, id).await?;
    if let Some(link) = parent
        && def.parent_reference(link.parent).is_none()
    {
        insert_link(&mut tx, user, link.parent, link.parent_id, entity, id).await?;
        permissions::link_changed(
            &mut tx,
            user.cache.as_ref(),
            tenant,
            link.parent,
            entity,
            permissions::LinkedChild::New,
        )
        .await?;
    }
    let record = fetch_record(
        &mut tx,
        NameCaches::writing(user.cache.as_ref()),
        def,
        tenant,
        id,
        true,
        key,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(entity.as_str()))?;
    crate::audit::record(
        &mut *tx,
        meta,
        crate::audit::AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: &format!("{entity}.create"),
            target_type: Some(entity.as_str()),
            target_id: Some(id.to_string()),
            after: Some(redact_sensitive(def, &record)),
            details: parent.map(|p| json!({ "parent_type": p.parent, "parent_id": p.parent_id })),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

fn push_write_value(
    qb: &mut QueryBuilder<Postgres>,
    field: &FieldDef,
    value: &SqlValue,
    key: &FieldKey,
) {
    match (field.storage, value) {
        (Storage::Encrypted { .. }, SqlValue::Text(text)) => {
            qb.push("app.pgp_sym_encrypt(")
                .push_bind(text.clone())
                .push(", ")
                .push_bind(key.0.clone())
                .push(")");
        }
        _ => value.push_bind(qb),
    }
}

/// Audit records never hold sensitive values.
fn redact_sensitive(def: &EntityDef, record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(object) = record.as_object_mut() {
        for field in def.fields.iter().filter(|f| f.sensitive) {
            if object.contains_key(field.name) {
                object.insert(field.name.to_owned(), json!("[redacted]"));
            }
        }
    }
    record
}

/// Keeps the instance registry (search, pickers, link validation) in step with the record.
async fn sync_registry(
    conn: &mut PgConnection,
    def: &EntityDef,
    tenant: &str,
    id: Uuid,
) -> Result<(), ApiError> {
    let sql = format!(
        "INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug, active_flag)
         SELECT t.tenant_id, $3, t.id, t.{title}, t.code, t.slug, t.active_flag FROM {table} t
         WHERE t.tenant_id = $1 AND t.id = $2
         ON CONFLICT (tenant_id, entity_type, entity_id) DO UPDATE
            SET name = EXCLUDED.name, code = EXCLUDED.code, slug = EXCLUDED.slug,
                active_flag = EXCLUDED.active_flag, updated_ts = now()",
        title = def.title_field,
        table = def.table
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(id)
        .bind(def.entity_type.as_str())
        .execute(&mut *conn)
        .await
        .map_err(map_write_error)?;
    Ok(())
}

/// Creates (or reactivates) a parent→child link. The caller then tells the permission cache
/// (`permissions::link_changed`), knowing whether the child is new.
pub async fn insert_link(
    conn: &mut PgConnection,
    user: &CurrentUser,
    parent: EntityType,
    parent_id: Uuid,
    child: EntityType,
    child_id: Uuid,
) -> Result<Uuid, ApiError> {
    let tenant = user.tenant_id.as_str();
    let relationship = if child == EntityType::Employee && parent == EntityType::Task {
        "assigned_to"
    } else {
        "contains"
    };
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO app.d_entity_id_map
           (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id, relationship_type, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
         DO UPDATE SET active_flag = true, to_ts = NULL, updated_ts = now()
         RETURNING id",
    )
    .bind(tenant)
    .bind(parent.as_str())
    .bind(parent_id)
    .bind(child.as_str())
    .bind(child_id)
    .bind(relationship)
    .bind(user.employee_id)
    .fetch_one(&mut *conn)
    .await
    .map_err(|err| {
        if crate::db::violates(&err, "d_entity_id_map_one_project_per_task_uq") {
            ApiError::new(
                ErrorCode::Conflict,
                "a task belongs to one project: unlink it from its current project first",
            )
            .with_details(json!({ "fields": { "parent_entity_id": "task already in a project" } }))
        } else {
            map_write_error(err)
        }
    })?;
    Ok(id)
}

/// Sessions carry their employee's name, e-mail and active flag: after a write to an employee,
/// every instance reads the tenant's sessions again (deactivation ends them at once).
async fn sessions_follow(
    conn: &mut PgConnection,
    user: &CurrentUser,
    entity: EntityType,
) -> Result<(), sqlx::Error> {
    if entity != EntityType::Employee {
        return Ok(());
    }
    crate::auth::current_user::sessions_changed(conn, user.cache.as_ref(), &user.tenant_id, None)
        .await
}

/// The version a write was based on: `If-Match` or the body's `version`.
pub fn expected_version(
    if_match: Option<&str>,
    body: &Map<String, Value>,
) -> Result<Option<i64>, ApiError> {
    if let Some(raw) = if_match {
        let raw = raw.trim().trim_start_matches("W/").trim_matches('"');
        return raw
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::malformed("If-Match must be the record's version, e.g. \"3\""));
    }
    match body.get("version") {
        None => Ok(None),
        Some(value) => value.as_i64().filter(|v| *v >= 1).map(Some).ok_or_else(|| {
            ApiError::validation(
                "version must be a positive whole number",
                json!({ "version": "must be a positive whole number" }),
            )
        }),
    }
}

/// Updates fields (and lines) of a record at the version the caller saw. A stale version is 409
/// and nothing is written.
pub async fn update_record(
    caller: Caller<'_>,
    entity: EntityType,
    id: Uuid,
    body: &Map<String, Value>,
    expected: Option<i64>,
) -> Result<Value, ApiError> {
    let Caller {
        db,
        user,
        key,
        meta,
    } = caller;
    let def = entity.registry();
    let levels = permissions::require_instance_level(db, user, entity, id, Level::Edit).await?;
    let expected = expected.ok_or_else(|| {
        ApiError::new(
            ErrorCode::MalformedRequest,
            "send the version you edited (If-Match header or `version` in the body)",
        )
    })?;
    let tenant = user.tenant_id.as_str();
    let mut tx = db.begin().await?;
    let before = fetch_record(
        &mut tx,
        NameCaches::writing(user.cache.as_ref()),
        def,
        tenant,
        id,
        true,
        key,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(entity.as_str()))?;
    let checked = check_write(&mut tx, user, def, body, false).await?;
    if checked.columns.is_empty() && checked.lines.is_none() {
        return Err(ApiError::validation(
            "nothing to change",
            json!({ "body": "name at least one field" }),
        ));
    }
    let mut update = QueryBuilder::new("UPDATE ");
    update
        .push(def.table)
        .push(" t SET version = t.version + 1, updated_ts = now(), updated_by = ")
        .push_bind(user.employee_id);
    for (field, value) in &checked.columns {
        update.push(format!(", {} = ", field.column()));
        push_write_value(&mut update, field, value, key);
    }
    update
        .push(" WHERE t.tenant_id = ")
        .push_bind(tenant.to_owned())
        .push(" AND t.id = ")
        .push_bind(id);
    update
        .push(" AND t.version = ")
        .push_bind(expected)
        .push(" RETURNING t.version");
    let updated: Option<i32> = update
        .build_query_scalar()
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_write_error)?;
    if updated.is_none() {
        return Err(version_conflict(&before, expected));
    }
    if let Some(lines) = &checked.lines {
        write_lines(&mut tx, user, def, id, lines).await?;
    }
    sync_registry(&mut tx, def, tenant, id).await?;
    sessions_follow(&mut tx, user, entity).await?;
    let mut after = fetch_record(
        &mut tx,
        NameCaches::writing(user.cache.as_ref()),
        def,
        tenant,
        id,
        true,
        key,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(entity.as_str()))?;
    let (changed_before, changed_after) = changed_fields(def, &before, &after);
    crate::audit::record(
        &mut *tx,
        meta,
        crate::audit::AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: &format!("{entity}.update"),
            target_type: Some(entity.as_str()),
            target_id: Some(id.to_string()),
            before: Some(changed_before),
            after: Some(changed_after),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    // The registry announced a rename at commit, but this instance's listener may hear of it
    // after the caller's next request: forget the name here before answering.
    let renamed = checked
        .columns
        .iter()
        .any(|(field, _)| field.column() == def.title_field);
    if renamed && let Some(cache) = &user.cache {
        let key = reference_name_key(tenant, entity, id);
        cache.apply(&Invalidation::key(&key)).await;
    }
    if !levels.contains(Level::Edit) {
        strip_sensitive(def, &mut after);
    }
    after["_permissions"] = json!(levels.to_vec());
    Ok(after)
}

fn version_conflict(current: &Value, expected: i64) -> ApiError {
    ApiError::new(
        ErrorCode::VersionConflict,
        format!(
            "the record changed since version {expected}; reload it and apply your change again"
        ),
    )
    .with_details(json!({ "current_version": current["version"], "current": current }))
}

fn strip_sensitive(def: &EntityDef, record: &mut Value) {
    if let Some(object) = record.as_object_mut() {
        for field in def.fields.iter().filter(|f| f.sensitive) {
            object.remove(field.name);
        }
    }
}

/// The fields that differ between two states of a record (sensitive values redacted).
fn changed_fields(def: &EntityDef, before: &Value, after: &Value) -> (Value, Value) {
    let mut old = Map::new();
    let mut new = Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (key, value) in a {
            if b.get(key) != Some(value) && key != "updated_ts" {
                let sensitive = def.field(key).is_some_and(|f| f.sensitive);
                let redact = |v: &Value| {
                    if sensitive {
                        json!("[redacted]")
                    } else {
                        v.clone()
                    }
                };
                old.insert(key.clone(), b.get(key).map(redact).unwrap_or(Value::Null));
                new.insert(key.clone(), redact(value));
            }
        }
    }
    (Value::Object(old), Value::Object(new))
}

/// Soft delete (Delete level) or restore (Delete level), bumping the version.
pub async fn set_active(
    caller: Caller<'_>,
    entity: EntityType,
    id: Uuid,
    active: bool,
    expected: Option<i64>,
) -> Result<Value, ApiError> {
    let Caller {
        db,
        user,
        key,
        meta,
    } = caller;
    let def = entity.registry();
    let levels: Levels =
        permissions::require_instance_level(db, user, entity, id, Level::Delete).await?;
    let tenant = user.tenant_id.as_str();
    let mut tx = db.begin().await?;
    let before = fetch_record(
        &mut tx,
        NameCaches::writing(user.cache.as_ref()),
        def,
        tenant,
        id,
        true,
        key,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(entity.as_str()))?;
    if before["active_flag"] == json!(active) {
        let state = if active {
            "is not deleted"
        } else {
            "is already deleted"
        };
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("this {entity} {state}"),
        ));
    }
    let mut update = QueryBuilder::new("UPDATE ");
    update
        .push(def.table)
        .push(" t SET version = t.version + 1, updated_ts = now(), updated_by = ")
        .push_bind(user.employee_id);
    update.push(", active_flag = ").push_bind(active);
    update.push(if active {
        ", to_ts = NULL"
    } else {
        ", to_ts = now()"
    });
    update
        .push(" WHERE t.tenant_id = ")
        .push_bind(tenant.to_owned())
        .push(" AND t.id = ")
        .push_bind(id);
    if let Some(expected) = expected {
        update.push(" AND t.version = ").push_bind(expected);
    }
    update.push(" RETURNING t.version");
    let updated: Option<i32> = update
        .build_query_scalar()
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_write_error)?;
    if updated.is_none() {
        return Err(version_conflict(&before, expected.unwrap_or_default()));
    }
    sync_registry(&mut tx, def, tenant, id).await?;
    sessions_follow(&mut tx, user, entity).await?;
    let mut after = fetch_record(
        &mut tx,
        NameCaches::writing(user.cache.as_ref()),
        def,
        tenant,
        id,
        true,
        key,
    )
    .await?
    .ok_or_else(|| ApiError::not_found(entity.as_str()))?;
    crate::audit::record(
        &mut *tx,
        meta,
        crate::audit::AuditEntry {
            tenant_id: Some(tenant),
            actor: Some(user.employee_id),
            action: &format!("{entity}.{}", if active { "restore" } else { "delete" }),
            target_type: Some(entity.as_str()),
            target_id: Some(id.to_string()),
            before: Some(json!({ "active_flag": !active, "version": before["version"] })),
            after: Some(json!({ "active_flag": active, "version": after["version"] })),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    if !levels.contains(Level::Edit) {
        strip_sensitive(def, &mut after);
    }
    Ok(after)
}

/// The child types of a record with how many of each the caller may see.
pub async fn child_counts(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
) -> Result<BTreeMap<EntityType, i64>, ApiError> {
    permissions::require_instance_level(db, user, entity, id, Level::View).await?;
    let def = entity.registry();
    let mut counts = BTreeMap::new();
    if def.children.is_empty() {
        require_existing(db, &user.tenant_id, entity, id).await?;
        return Ok(counts);
    }
    // Two permission reads for all tabs: does a cascade reach the parent, which types are visible in full.
    let parent_cascades = permissions::cascades_through(db, user, entity, id).await?;
    let full_types = permissions::types_viewable_in_full(db, user).await?;
    let mut qb = QueryBuilder::new("SELECT * FROM (");
    for (i, child) in def.children.iter().enumerate() {
        if i > 0 {
            qb.push(" UNION ALL ");
        }
        let child_def = child.registry();
        qb.push("SELECT ")
            .push_bind(child.as_str())
            .push("::text, count(*) FROM ")
            .push(child_def.table)
            .push(" t");
        let request = ListRequest {
            limit: 1,
            cursor: None,
            q: None,
            sort: &crate::entity::registry::common::ID,
            direction: SortDirection::Asc,
            total: false,
            deleted: false,
            filters: Vec::new(),
        };
        // One parent's children are few: check them against the caller's reach row by row.
        let covered = parent_cascades && cascade_covers_children(child_def, entity);
        let visibility = if covered || full_types.contains(child) {
            Visibility::Everything
        } else {
            Visibility::Dense(None)
        };
        push_list_conditions(
            &mut qb,
            user,
            child_def,
            Scope::ChildrenOf {
                parent: entity,
                parent_id: id,
            },
            &request,
            &[],
            &visibility,
        );
        // A file tab counts files: each version chain once, by its latest version.
        if *child == EntityType::Artifact {
            qb.push(" AND t.is_latest_version");
        }
    }
    qb.push(") counts");
    let rows: Vec<(String, i64)> = qb.build_query_as().fetch_all(db).await?;
    // Each count tests that the record exists (`push_list_conditions`, as a child list's page
    // does): only when nothing is counted is it asked apart, to answer 404 rather than no tabs.
    if rows.iter().all(|(_, count)| *count == 0) {
        require_existing(db, &user.tenant_id, entity, id).await?;
    }
    for (name, count) in rows {
        if let Ok(child) = name.parse::<EntityType>() {
            counts.insert(child, count);
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_constraint_fields() {
        assert_eq!(
            slugify("Website Redesign — Phase 2!"),
            "website-redesign-phase-2"
        );
        assert_eq!(slugify("Ünïcode ✓"), "n-code");
        assert_eq!(slugify("!!!"), "item");
        assert_eq!(constraint_field("d_project_code_uq"), "code");
        assert_eq!(constraint_field("d_order_line_quantity_ck"), "quantity");
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            sort: "name".into(),
            direction: "asc".into(),
            value: Some("x".into()),
            id: Uuid::nil(),
        };
        let decoded = Cursor::decode(&cursor.encode()).map(|c| (c.sort, c.value));
        assert_eq!(decoded, Some(("name".into(), Some("x".into()))));
        assert!(Cursor::decode("not base64 !").is_none());
        assert!(Cursor::decode("e30").is_none());
    }
}
