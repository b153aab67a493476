//! Turning request JSON into checked values for one entity's fields, and back.
//!
//! Every value a write carries is checked against its `FieldDef` (kind, length, pattern, range,
//! enum values) before any SQL runs; all problems of a body are reported together as 422 with one
//! message per field. Datalabels may be given by key or by name; references must name a live
//! record of the target type in the caller's tenant, one the caller may view (`reference_visible`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::auth::permissions;
use crate::entity::registry::{FieldDef, FieldKind};
use crate::error::ApiError;

/// A checked value, ready to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Text(String),
    Integer(i64),
    /// Decimal numbers travel as text and are cast by PostgreSQL, so no precision is lost.
    Numeric(String),
    Boolean(bool),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    Uuid(Uuid),
    Json(Value),
}

impl SqlValue {
    /// Binds the value with the cast its column needs.
    pub fn push_bind(&self, qb: &mut QueryBuilder<Postgres>) {
        match self {
            SqlValue::Null => {
                qb.push("NULL");
            }
            SqlValue::Text(text) => {
                qb.push_bind(text.clone());
            }
            SqlValue::Integer(number) => {
                qb.push_bind(*number);
            }
            SqlValue::Numeric(text) => {
                qb.push_bind(text.clone()).push("::numeric");
            }
            SqlValue::Boolean(flag) => {
                qb.push_bind(*flag);
            }
            SqlValue::Date(date) => {
                qb.push_bind(*date);
            }
            SqlValue::Timestamp(ts) => {
                qb.push_bind(*ts);
            }
            SqlValue::Uuid(id) => {
                qb.push_bind(*id);
            }
            SqlValue::Json(value) => {
                qb.push_bind(sqlx::types::Json(value.clone()))
                    .push("::jsonb");
            }
        }
    }
}

/// Per-field problems of one request body.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// 422 listing every field when there is any problem.
    pub fn into_result(self, message: &str) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            let fields: Map<String, Value> = self
                .0
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            Err(ApiError::validation(message, Value::Object(fields)))
        }
    }
}

/// A datalabel value as written: the key, or a name still to be resolved.
#[derive(Debug, Clone)]
pub enum DatalabelInput {
    Key(i64),
    Name(String),
}

/// Checks one JSON value against its field. Datalabels given by name come back as
/// `Err(DatalabelInput::Name)` for the caller to resolve with `resolve_datalabels`.
pub fn parse_value(field: &FieldDef, value: &Value) -> Result<ParsedValue, String> {
    if value.is_null() {
        return if field.required {
            Err("is required".to_owned())
        } else {
            Ok(ParsedValue::Ready(SqlValue::Null))
        };
    }
    let ready = |v| Ok(ParsedValue::Ready(v));
    match field.kind {
        FieldKind::Text
        | FieldKind::LongText
        | FieldKind::Email
        | FieldKind::Url
        | FieldKind::Phone => {
            let text = value.as_str().ok_or("must be a string")?;
            check_text(field, text)?;
            match field.kind {
                FieldKind::Email if !crate::tenancy::is_plausible_email(text) => {
                    Err("must be an e-mail address".to_owned())
                }
                FieldKind::Url
                    if !(text.starts_with("https://") || text.starts_with("http://")) =>
                {
                    Err("must be an http(s) URL".to_owned())
                }
                _ => ready(SqlValue::Text(text.to_owned())),
            }
        }
        FieldKind::Enum { values } => {
            let text = value.as_str().ok_or("must be a string")?;
            if values.contains(&text) {
                ready(SqlValue::Text(text.to_owned()))
            } else {
                Err(format!("must be one of: {}", values.join(", ")))
            }
        }
        FieldKind::Integer => {
            let number = value.as_i64().ok_or("must be a whole number")?;
            check_range(field, number as f64)?;
            ready(SqlValue::Integer(number))
        }
        FieldKind::Decimal { scale } => {
            parse_decimal(field, value, scale).map(|v| ParsedValue::Ready(SqlValue::Numeric(v)))
        }
        FieldKind::Money => {
            parse_decimal(field, value, 2).map(|v| ParsedValue::Ready(SqlValue::Numeric(v)))
        }
        FieldKind::Boolean => ready(SqlValue::Boolean(
            value.as_bool().ok_or("must be true or false")?,
        )),
        FieldKind::Date => {
            let text = value.as_str().ok_or("must be a date (YYYY-MM-DD)")?;
            let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| "must be a date (YYYY-MM-DD)")?;
            ready(SqlValue::Date(date))
        }
        FieldKind::Timestamp => {
            let text = value.as_str().ok_or("must be an RFC 3339 timestamp")?;
            let ts =
                DateTime::parse_from_rfc3339(text).map_err(|_| "must be an RFC 3339 timestamp")?;
            ready(SqlValue::Timestamp(ts.with_timezone(&Utc)))
        }
        FieldKind::Uuid | FieldKind::Reference { .. } => {
            let text = value.as_str().ok_or("must be a UUID")?;
            let id = Uuid::parse_str(text).map_err(|_| "must be a UUID")?;
            match field.kind.reference() {
                Some(_) => Ok(ParsedValue::Reference(id)),
                None => ready(SqlValue::Uuid(id)),
            }
        }
        FieldKind::Tags => {
            let items = value.as_array().ok_or("must be an array of strings")?;
            if items.len() > 50 {
                return Err("at most 50 tags".to_owned());
            }
            let mut tags = Vec::with_capacity(items.len());
            for item in items {
                let tag = item.as_str().ok_or("must be an array of strings")?.trim();
                if tag.is_empty() || tag.chars().count() > 100 {
                    return Err("tags must be 1–100 characters".to_owned());
                }
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            ready(SqlValue::Json(json!(tags)))
        }
        FieldKind::Json => {
            if !(value.is_object() || value.is_array()) {
                return Err("must be a JSON object or array".to_owned());
            }
            if value.to_string().len() > 64 * 1024 {
                return Err("at most 64 KiB of JSON".to_owned());
            }
            if field.name == "metadata" && !value.is_object() {
                return Err("must be a JSON object".to_owned());
            }
            ready(SqlValue::Json(value.clone()))
        }
        FieldKind::Datalabel { .. } => match value {
            Value::Number(n) => Ok(ParsedValue::Datalabel(DatalabelInput::Key(
                n.as_i64().ok_or("must be a datalabel key or name")?,
            ))),
            Value::String(name) if !name.trim().is_empty() && name.len() <= 100 => Ok(
                ParsedValue::Datalabel(DatalabelInput::Name(name.trim().to_owned())),
            ),
            _ => Err("must be a datalabel key (number) or name (text)".to_owned()),
        },
    }
}

/// A parsed value, possibly still needing a lookup.
#[derive(Debug, Clone)]
pub enum ParsedValue {
    Ready(SqlValue),
    Datalabel(DatalabelInput),
    Reference(Uuid),
}

fn check_text(field: &FieldDef, text: &str) -> Result<(), String> {
    let length = text.chars().count();
    if field.required && text.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    if let Some(max) = field.max_length
        && length > max as usize
    {
        return Err(format!("at most {max} characters"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("must not contain control characters".to_owned());
    }
    if let Some(pattern) = field.pattern
        && !matches_pattern(pattern, text)
    {
        return Err(format!("must match {pattern}"));
    }
    Ok(())
}

/// The registry's patterns are simple anchored classes; checking them here gives a field message
/// instead of a constraint error. PostgreSQL's CHECK stays the final word.
fn matches_pattern(pattern: &str, text: &str) -> bool {
    match pattern {
        crate::entity::registry::common::SLUG_PATTERN => {
            let bytes = text.as_bytes();
            !bytes.is_empty()
                && bytes.len() <= 200
                && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        }
        crate::entity::registry::common::CURRENCY_PATTERN => {
            text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase())
        }
        _ => true,
    }
}

fn check_range(field: &FieldDef, number: f64) -> Result<(), String> {
    if let Some(min) = field.min {
        let min = min as f64;
        if field.min_exclusive && number <= min {
            return Err(format!("must be greater than {min}"));
        }
        if !field.min_exclusive && number < min {
            return Err(format!("must be at least {min}"));
        }
    }
    if let Some(max) = field.max
        && number > max as f64
    {
        return Err(format!("must be at most {max}"));
    }
    Ok(())
}

/// A decimal from a JSON number or string, with at most `scale` digits after the point and a
/// sane magnitude, normalised to text.
fn parse_decimal(field: &FieldDef, value: &Value, scale: u8) -> Result<String, String> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => return Err("must be a decimal number".to_owned()),
    };
    let unsigned = text.strip_prefix('-').unwrap_or(&text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok {
        return Err("must be a decimal number".to_owned());
    }
    if fraction.len() > scale as usize {
        return Err(format!("at most {scale} decimal places"));
    }
    if whole.trim_start_matches('0').len() > 12 {
        return Err("is too large".to_owned());
    }
    let number: f64 = text.parse().map_err(|_| "must be a decimal number")?;
    check_range(field, number)?;
    Ok(text)
}

/// Resolves a datalabel given by key or name to its key: it must exist in the tenant and be active.
pub async fn resolve_datalabel(
    conn: &mut PgConnection,
    tenant: &str,
    datalabel: &str,
    input: &DatalabelInput,
) -> Result<Result<i64, String>, sqlx::Error> {
    let table = datalabel_table(datalabel);
    let found: Option<(i64, bool)> = match input {
        DatalabelInput::Key(key) => {
            let sql = format!(
                "SELECT level_id::bigint, active_flag FROM {table} WHERE tenant_id = $1 AND level_id = $2"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(tenant)
                .bind(*key)
                .fetch_optional(&mut *conn)
                .await?
        }
        DatalabelInput::Name(name) => {
            let sql = format!(
                "SELECT level_id::bigint, active_flag FROM {table} WHERE tenant_id = $1 AND lower(name) = lower($2)"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(tenant)
                .bind(name)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    Ok(match found {
        Some((key, true)) => Ok(key),
        Some((_, false)) => Err(format!("`{datalabel}` value is deactivated")),
        None => Err(format!("not a {datalabel} value")),
    })
}

/// The table of a datalabel. The name comes from the compiled-in registry, never from a request.
pub fn datalabel_table(datalabel: &str) -> String {
    format!("app.setting_datalabel_{datalabel}")
}

/// Whether the caller may name a record in a reference field: it exists, is live, is in their
/// tenant, and they may view it (`permissions::views_instance_on`, on the write's own connection).
/// A record they cannot view answers exactly as a missing one, so a write cannot probe for ids it
/// may not see.
pub async fn reference_visible(
    conn: &mut PgConnection,
    user: &CurrentUser,
    target: crate::entity::EntityType,
    id: Uuid,
) -> Result<bool, ApiError> {
    let live: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM app.d_entity_instance_id
                        WHERE tenant_id = $1 AND entity_type = $2::app.entity_type
                          AND entity_id = $3 AND active_flag)",
    )
    .bind(&user.tenant_id)
    .bind(target.as_str())
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(live && permissions::views_instance_on(conn, user, target, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::EntityType;

    fn ready(field: &FieldDef, value: Value) -> Result<SqlValue, String> {
        match parse_value(field, &value)? {
            ParsedValue::Ready(v) => Ok(v),
            other => Err(format!("not ready: {other:?}")),
        }
    }

    #[test]
    fn values_are_checked_against_their_fields() {
        let name = FieldDef::text("name", "Name").required().max_length(5);
        assert_eq!(ready(&name, json!("abc")), Ok(SqlValue::Text("abc".into())));
        assert!(ready(&name, json!("abcdef")).is_err());
        assert!(ready(&name, json!("  ")).is_err());
        assert!(ready(&name, Value::Null).is_err());
        assert!(ready(&name, json!(5)).is_err());
        assert!(ready(&name, json!("a\u{0}b")).is_err());

        let money = FieldDef::money("budget", "Budget").min(0);
        assert_eq!(
            ready(&money, json!("12.50")),
            Ok(SqlValue::Numeric("12.50".into()))
        );
        assert_eq!(
            ready(&money, json!(12.5)),
            Ok(SqlValue::Numeric("12.5".into()))
        );
        assert!(ready(&money, json!("1.234")).is_err());
        assert!(ready(&money, json!("-1")).is_err());
        assert!(ready(&money, json!("1e9")).is_err());
        assert!(ready(&money, json!("9999999999999")).is_err());
        assert!(ready(&money, json!("'; DROP TABLE x; --")).is_err());

        let stage = FieldDef::datalabel("task_stage", "Stage");
        assert!(matches!(
            parse_value(&stage, &json!(2)),
            Ok(ParsedValue::Datalabel(DatalabelInput::Key(2)))
        ));
        assert!(matches!(
            parse_value(&stage, &json!("Done")),
            Ok(ParsedValue::Datalabel(DatalabelInput::Name(_)))
        ));
        assert!(parse_value(&stage, &json!(true)).is_err());

        let manager = FieldDef::reference("manager_employee_id", "Manager", EntityType::Employee);
        assert!(matches!(
            parse_value(&manager, &json!(Uuid::nil().to_string())),
            Ok(ParsedValue::Reference(_))
        ));
        assert!(parse_value(&manager, &json!("not-a-uuid")).is_err());

        let tags = FieldDef::tags("tags", "Tags");
        assert_eq!(
            ready(&tags, json!(["a", "b", "a"])),
            Ok(SqlValue::Json(json!(["a", "b"])))
        );
        assert!(ready(&tags, json!([1])).is_err());
        assert!(ready(&tags, json!("a")).is_err());

        let date = FieldDef::date("due", "Due");
        assert!(ready(&date, json!("2026-02-30")).is_err());
        assert!(ready(&date, json!("2026-02-28")).is_ok());
        let kind = FieldDef::enumeration("kind", "Kind", &["a", "b"]);
        assert!(ready(&kind, json!("c")).is_err());
    }
}
