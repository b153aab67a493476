//! A record's JSON object built in Rust from the columns of its projection.
//!
//! PostgreSQL's `to_jsonb(r)` looks up every column's type on every row: about 15 µs a row,
//! 0.8 ms of a 1.6 ms page of 50 tasks. Reading the columns in the binary protocol and building
//! the object here gives the same JSON for a fraction of that (docs/BENCHMARKS.md).

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde_json::{Map, Value};
use sqlx::postgres::PgRow;
use sqlx::{Column, Row, TypeInfo, ValueRef};
use uuid::Uuid;

/// The first `count` columns of `row` as a JSON object keyed by column name, in the forms
/// `to_jsonb` gives them: uuids, text, dates and timestamps as strings, numbers, booleans, JSON
/// as itself, NULL as null. Money and decimals are projected as text already
/// (`records::push_field_projection`), so a NUMERIC column here is a projection bug: an error.
pub fn record_from_row(row: &PgRow, count: usize) -> Result<Map<String, Value>, sqlx::Error> {
    let mut record = Map::new();
    for (index, column) in row.columns().iter().take(count).enumerate() {
        let value = if row.try_get_raw(index)?.is_null() {
            Value::Null
        } else {
            match column.type_info().name() {
                "UUID" => Value::String(row.try_get::<Uuid, _>(index)?.to_string()),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::String(row.try_get(index)?),
                "INT2" => row.try_get::<i16, _>(index)?.into(),
                "INT4" => row.try_get::<i32, _>(index)?.into(),
                "INT8" => row.try_get::<i64, _>(index)?.into(),
                "BOOL" => row.try_get::<bool, _>(index)?.into(),
                "JSONB" | "JSON" => row.try_get::<sqlx::types::Json<Value>, _>(index)?.0,
                "TIMESTAMPTZ" => Value::String(timestamp_text(row.try_get(index)?)),
                "DATE" => Value::String(row.try_get::<NaiveDate, _>(index)?.to_string()),
                other => {
                    return Err(sqlx::Error::ColumnDecode {
                        index: column.name().to_owned(),
                        source: format!("no JSON form for a column of type {other}").into(),
                    });
                }
            }
        };
        record.insert(column.name().to_owned(), value);
    }
    Ok(record)
}

/// RFC 3339 in UTC as `to_jsonb` writes it: microseconds without trailing zeros, none when zero.
fn timestamp_text(at: DateTime<Utc>) -> String {
    let mut text = at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let micros = at.nanosecond() / 1_000 % 1_000_000;
    if micros != 0 {
        let fraction = format!("{micros:06}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text.push_str("+00:00");
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn timestamps_read_like_postgres_writes_them() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            timestamp_text(at("2026-11-26T19:21:32.123456Z")),
            "2026-11-26T19:21:32.123456+00:00"
        );
        assert_eq!(
            timestamp_text(at("2026-11-26T19:21:32.120Z")),
            "2026-11-26T19:21:32.12+00:00"
        );
        assert_eq!(
            timestamp_text(at("2026-01-02T03:04:05Z")),
            "2026-01-02T03:04:05+00:00"
        );
        assert_eq!(
            timestamp_text(at("2026-01-02T05:04:05.000001+02:00")),
            "2026-01-02T03:04:05.000001+00:00"
        );
    }
}
