//! Keyset cursors of lists ordered newest first by a timestamp and an id: `"<RFC 3339>_<uuid>"`
//! naming the last row of a page. Opaque to clients; anything else is 400.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::ApiError;

/// The cursor after a row with this timestamp (microseconds kept) and id.
pub fn encode(ts: DateTime<Utc>, id: Uuid) -> String {
    format!(
        "{}_{id}",
        ts.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

pub fn decode(cursor: &str) -> Result<(DateTime<Utc>, Uuid), ApiError> {
    let bad = || ApiError::malformed("cursor is not a cursor of this list");
    let (ts, id) = cursor.rsplit_once('_').ok_or_else(bad)?;
    let ts = DateTime::parse_from_rfc3339(ts).map_err(|_| bad())?;
    let id = id.parse().map_err(|_| bad())?;
    Ok((ts.with_timezone(&Utc), id))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let ts = DateTime::parse_from_rfc3339("2026-11-26T09:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = Uuid::new_v4();
        assert_eq!(decode(&encode(ts, id)).unwrap(), (ts, id));
        assert!(decode("nope").is_err());
        assert!(decode("2026-11-26T09:00:00Z_not-a-uuid").is_err());
    }
}
