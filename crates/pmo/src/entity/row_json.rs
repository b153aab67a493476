//! A record's JSON object built in Rust from the columns of its projection.
//!
//! PostgreSQL's `to_jsonb(r)` looks up every column's type on every row: about 15 µs a row,
//! 0.8 ms of a 1.6 ms page of 50 tasks. Reading the columns in the binary protocol and building
//! the object here gives the same JSON for a fraction of that (docs/BENCHMARKS.md).

use std::fmt::Write;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde_json::{Map, Value};
use sqlx::postgres::PgRow;
use sqlx::{Column, Row, TypeInfo, ValueRef};
use uuid::Uuid;

/// The first `count` columns of `row` as a JSON object keyed by column name (see `RecordLayout`).
pub fn record_from_row(row: &PgRow, count: usize) -> Result<Map<String, Value>, sqlx::Error> {
    RecordLayout::new(row, count)?.record(row)
}

/// The first `count` columns of every row of a result as JSON objects, with one layout for all.
pub fn records_from_rows(rows: &[PgRow], count: usize) -> Result<Vec<Value>, sqlx::Error> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let layout = RecordLayout::new(first, count)?;
    rows.iter()
        .map(|row| layout.record(row).map(Value::Object))
        .collect()
}

/// How the first `count` columns of a result's rows become JSON objects, in the forms `to_jsonb`
/// gives them: uuids, text, dates and timestamps as strings, numbers, booleans, JSON as itself,
/// NULL as null. Money and decimals are projected as text already
/// (`records::push_field_projection`), so a NUMERIC column here is a projection bug: an error.
///
/// Decided once per result (every row has the same columns) and kept in key order, so a row's
/// object is built in one pass: looking up each cell's type by name and inserting it into the
/// sorted map one key at a time cost more than the values themselves on a page of 50 tasks.
struct RecordLayout {
    /// (column index, key, JSON form), sorted by key.
    columns: Vec<(usize, String, Form)>,
}

#[derive(Clone, Copy)]
enum Form {
    Uuid,
    Text,
    Int2,
    Int4,
    Int8,
    Bool,
    Json,
    Timestamp,
    Date,
}

impl RecordLayout {
    /// The layout of the first `count` columns of `row`'s result.
    fn new(row: &PgRow, count: usize) -> Result<RecordLayout, sqlx::Error> {
        let mut columns = row
            .columns()
            .iter()
            .take(count)
            .enumerate()
            .map(|(index, column)| {
                let form = match column.type_info().name() {
                    "UUID" => Form::Uuid,
                    "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Form::Text,
                    "INT2" => Form::Int2,
                    "INT4" => Form::Int4,
                    "INT8" => Form::Int8,
                    "BOOL" => Form::Bool,
                    "JSONB" | "JSON" => Form::Json,
                    "TIMESTAMPTZ" => Form::Timestamp,
                    "DATE" => Form::Date,
                    other => {
                        return Err(sqlx::Error::ColumnDecode {
                            index: column.name().to_owned(),
                            source: format!("no JSON form for a column of type {other}").into(),
                        });
                    }
                };
                Ok((index, column.name().to_owned(), form))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        columns.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(RecordLayout { columns })
    }

    /// One row of the result as a JSON object.
    fn record(&self, row: &PgRow) -> Result<Map<String, Value>, sqlx::Error> {
        let mut cells = Vec::with_capacity(self.columns.len());
        for &(index, ref key, form) in &self.columns {
            // The types were checked once by `new`: decoding needs no further check per cell.
            let value = if row.try_get_raw(index)?.is_null() {
                Value::Null
            } else {
                match form {
                    Form::Uuid => {
                        Value::String(row.try_get_unchecked::<Uuid, _>(index)?.to_string())
                    }
                    Form::Text => Value::String(row.try_get_unchecked(index)?),
                    Form::Int2 => row.try_get_unchecked::<i16, _>(index)?.into(),
                    Form::Int4 => row.try_get_unchecked::<i32, _>(index)?.into(),
                    Form::Int8 => row.try_get_unchecked::<i64, _>(index)?.into(),
                    Form::Bool => row.try_get_unchecked::<bool, _>(index)?.into(),
                    Form::Json => {
                        row.try_get_unchecked::<sqlx::types::Json<Value>, _>(index)?
                            .0
                    }
                    Form::Timestamp => Value::String(timestamp_text(row.try_get_unchecked(index)?)),
                    Form::Date => {
                        Value::String(row.try_get_unchecked::<NaiveDate, _>(index)?.to_string())
                    }
                }
            };
            cells.push((key.clone(), value));
        }
        // Already in key order: the map is built from the sorted run in one pass.
        Ok(cells.into_iter().collect())
    }
}

/// RFC 3339 in UTC as `to_jsonb` writes it: microseconds without trailing zeros, none when zero.
/// Written field by field: a `format("%Y-…")` string is parsed again on every call, and a page
/// of 50 tasks formats 150 timestamps.
fn timestamp_text(at: DateTime<Utc>) -> String {
    let mut text = String::with_capacity(32);
    // Writing to a String cannot fail.
    let _ = write!(
        text,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let micros = at.nanosecond() / 1_000 % 1_000_000;
    if micros != 0 {
        let _ = write!(text, ".{micros:06}");
        // Not empty: the fraction is not zero.
        while text.ends_with('0') {
            text.pop();
        }
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
