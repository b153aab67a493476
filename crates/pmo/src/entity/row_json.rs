//! Records' JSON written in Rust straight from the columns of their projection.
//!
//! PostgreSQL's `to_jsonb(r)` looks up every column's type on every row: about 15 µs a row,
//! 0.8 ms of a 1.6 ms page of 50 tasks. Reading the columns in the binary protocol and writing the
//! JSON text here gives the same JSON for a fraction of that. Text, not `serde_json::Value`:
//! building a map per row (a key string per cell, a sorted tree, then serialising it again) was
//! half of the server's CPU on a list page at c=64 (docs/BENCHMARKS.md).

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde_json::Value;
use sqlx::postgres::{PgRow, PgValueRef};
use sqlx::{Column, Row, TypeInfo, ValueRef};
use uuid::Uuid;

use crate::entity::EntityType;

/// Names of referenced records by (entity type, id), as `records` reads them from the registry.
pub type ReferenceNames = HashMap<(EntityType, Uuid), Arc<String>>;

/// Display names of datalabel values by key, per datalabel (`datalabel::value_names`).
pub type LabelNames = HashMap<&'static str, Arc<HashMap<i32, String>>>;

/// The names a page shows beside the keys its rows hold.
#[derive(Default)]
pub struct Names {
    pub references: ReferenceNames,
    pub labels: LabelNames,
}

/// How the rows of one result become JSON objects: the first `count` columns, in the forms
/// `to_jsonb` gives them (uuids, text, dates and timestamps as strings, numbers, booleans, JSON as
/// itself, NULL as null), plus `<field>_name` for every reference column (the referenced record's
/// name) and every datalabel column (the value's display name). Money and decimals are projected
/// as text already (`records::push_field_projection`), so a NUMERIC column here is a projection
/// bug: an error. Decided once per result (every row has the same columns), with the keys in the
/// order a sorted map writes them.
pub struct RecordWriter {
    cells: Vec<Cell>,
}

struct Cell {
    /// `"key":`, escaped once.
    key: Vec<u8>,
    index: usize,
    content: Content,
}

#[derive(Clone, Copy)]
enum Content {
    Column(Form),
    /// The name of the record the uuid in the column names, of this type.
    NameOf(EntityType),
    /// The display name of the datalabel value whose key (an integer) is in the column.
    LabelOf(&'static str),
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

impl RecordWriter {
    /// The writer for `row`'s result; `references` are (column name, target type) of the reference
    /// fields and `labels` (column name, datalabel) of the datalabel fields, of which those among
    /// the columns get a `<name>_name` key.
    pub fn new(
        row: &PgRow,
        count: usize,
        references: &[(&str, EntityType)],
        labels: &[(&str, &'static str)],
    ) -> Result<RecordWriter, sqlx::Error> {
        let mut cells = Vec::with_capacity(count + references.len() + labels.len());
        for (index, column) in row.columns().iter().take(count).enumerate() {
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
            cells.push((column.name().to_owned(), index, Content::Column(form)));
            if let Some(&(_, target)) = references.iter().find(|(name, _)| *name == column.name()) {
                cells.push((
                    format!("{}_name", column.name()),
                    index,
                    Content::NameOf(target),
                ));
            }
            if let Some(&(_, datalabel)) = labels.iter().find(|(name, _)| *name == column.name()) {
                if !matches!(form, Form::Int4) {
                    return Err(sqlx::Error::ColumnDecode {
                        index: column.name().to_owned(),
                        source: "a datalabel column holds an integer key".into(),
                    });
                }
                cells.push((
                    format!("{}_name", column.name()),
                    index,
                    Content::LabelOf(datalabel),
                ));
            }
        }
        cells.sort_by(|a, b| a.0.cmp(&b.0));
        let cells = cells
            .into_iter()
            .map(|(key, index, content)| {
                let mut rendered = serde_json::to_vec(&key).map_err(json_error)?;
                rendered.push(b':');
                Ok(Cell {
                    key: rendered,
                    index,
                    content,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(RecordWriter { cells })
    }

    /// The distinct (type, id) pairs the reference columns of `rows` name.
    pub fn references_in(
        &self,
        rows: &[PgRow],
    ) -> Result<HashSet<(EntityType, Uuid)>, sqlx::Error> {
        let mut wanted = HashSet::new();
        for row in rows {
            for cell in &self.cells {
                if let Content::NameOf(target) = cell.content
                    && let Some(id) = row.try_get_unchecked::<Option<Uuid>, _>(cell.index)?
                {
                    wanted.insert((target, id));
                }
            }
        }
        Ok(wanted)
    }

    /// The datalabels whose names the rows need, each once.
    pub fn datalabels(&self) -> Vec<&'static str> {
        let mut datalabels: Vec<&'static str> = self
            .cells
            .iter()
            .filter_map(|cell| match cell.content {
                Content::LabelOf(datalabel) => Some(datalabel),
                _ => None,
            })
            .collect();
        datalabels.sort_unstable();
        datalabels.dedup();
        datalabels
    }

    /// Appends `row` as a JSON object to `out`.
    pub fn write(&self, row: &PgRow, names: &Names, out: &mut Vec<u8>) -> Result<(), sqlx::Error> {
        out.push(b'{');
        for (position, cell) in self.cells.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&cell.key);
            // One lookup per cell: `Row::try_get_unchecked` would look the column up again.
            let value = row.try_get_raw(cell.index)?;
            if value.is_null() {
                out.extend_from_slice(b"null");
                continue;
            }
            // The types were checked once by `new`: decoding needs no further check per cell.
            match cell.content {
                Content::NameOf(target) => {
                    let id = decode::<Uuid>(value, cell.index)?;
                    match names.references.get(&(target, id)) {
                        Some(name) => write_json(out, name)?,
                        None => out.extend_from_slice(b"null"),
                    }
                }
                Content::LabelOf(datalabel) => {
                    let key = decode::<i32>(value, cell.index)?;
                    match names
                        .labels
                        .get(datalabel)
                        .and_then(|names| names.get(&key))
                    {
                        Some(name) => write_json(out, name)?,
                        None => out.extend_from_slice(b"null"),
                    }
                }
                Content::Column(Form::Uuid) => {
                    let id = decode::<Uuid>(value, cell.index)?;
                    let mut buffer = Uuid::encode_buffer();
                    out.push(b'"');
                    out.extend_from_slice(id.hyphenated().encode_lower(&mut buffer).as_bytes());
                    out.push(b'"');
                }
                Content::Column(Form::Text) => {
                    write_json(out, decode::<&str>(value, cell.index)?)?;
                }
                Content::Column(Form::Int2) => {
                    write_json(out, &decode::<i16>(value, cell.index)?)?;
                }
                Content::Column(Form::Int4) => {
                    write_json(out, &decode::<i32>(value, cell.index)?)?;
                }
                Content::Column(Form::Int8) => {
                    write_json(out, &decode::<i64>(value, cell.index)?)?;
                }
                Content::Column(Form::Bool) => {
                    let flag = decode::<bool>(value, cell.index)?;
                    out.extend_from_slice(if flag { b"true" } else { b"false" });
                }
                Content::Column(Form::Json) => {
                    // Through a `Value`, so objects come out as every other answer writes them.
                    let json = decode::<sqlx::types::Json<Value>>(value, cell.index)?;
                    write_json(out, &json.0)?;
                }
                Content::Column(Form::Timestamp) => {
                    out.push(b'"');
                    write_timestamp(out, decode(value, cell.index)?);
                    out.push(b'"');
                }
                Content::Column(Form::Date) => {
                    out.push(b'"');
                    write_date(out, decode::<NaiveDate>(value, cell.index)?);
                    out.push(b'"');
                }
            }
        }
        out.push(b'}');
        Ok(())
    }
}

/// A cell's value, of the type `RecordWriter::new` checked for its column.
fn decode<'r, T: sqlx::Decode<'r, sqlx::Postgres>>(
    value: PgValueRef<'r>,
    index: usize,
) -> Result<T, sqlx::Error> {
    T::decode(value).map_err(|source| sqlx::Error::ColumnDecode {
        index: index.to_string(),
        source,
    })
}

fn write_json<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), sqlx::Error> {
    serde_json::to_writer(out, value).map_err(json_error)
}

fn json_error(err: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(err.into())
}

/// RFC 3339 in UTC as `to_jsonb` writes it: microseconds without trailing zeros, none when zero.
/// Digit by digit: `write!` with padded fields was a quarter of writing a page of 50 tasks, which
/// holds 150 timestamps (docs/BENCHMARKS.md).
fn write_timestamp(out: &mut Vec<u8>, at: DateTime<Utc>) {
    write_date(out, at.date_naive());
    out.push(b'T');
    push_padded(out, at.hour(), 2);
    out.push(b':');
    push_padded(out, at.minute(), 2);
    out.push(b':');
    push_padded(out, at.second(), 2);
    let micros = at.nanosecond() / 1_000 % 1_000_000;
    if micros != 0 {
        out.push(b'.');
        push_padded(out, micros, 6);
        // Not empty: the fraction is not zero.
        while out.last() == Some(&b'0') {
            out.pop();
        }
    }
    out.extend_from_slice(b"+00:00");
}

/// `YYYY-MM-DD`. Years outside 0–9999, which PostgreSQL accepts, keep `write!`'s form.
fn write_date(out: &mut Vec<u8>, date: NaiveDate) {
    match u32::try_from(date.year()) {
        Ok(year) if year <= 9999 => push_padded(out, year, 4),
        _ => {
            // Writing to a Vec cannot fail.
            let _ = write!(out, "{:04}", date.year());
        }
    }
    out.push(b'-');
    push_padded(out, date.month(), 2);
    out.push(b'-');
    push_padded(out, date.day(), 2);
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_padded(out: &mut Vec<u8>, value: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    let mut rest = value;
    for digit in out[start..].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn timestamps_read_like_postgres_writes_them() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let timestamp_text = |at: DateTime<Utc>| {
            let mut out = Vec::new();
            write_timestamp(&mut out, at);
            String::from_utf8(out).unwrap()
        };
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
        assert_eq!(
            timestamp_text(at("0031-12-31T23:59:59.9Z")),
            "0031-12-31T23:59:59.9+00:00"
        );
    }

    #[test]
    fn dates_pad_each_field() {
        let date_text = |y, m, d| {
            let mut out = Vec::new();
            write_date(&mut out, NaiveDate::from_ymd_opt(y, m, d).unwrap());
            String::from_utf8(out).unwrap()
        };
        assert_eq!(date_text(2026, 3, 7), "2026-03-07");
        assert_eq!(date_text(7, 10, 31), "0007-10-31");
        assert_eq!(date_text(12345, 1, 1), "12345-01-01");
    }
}
