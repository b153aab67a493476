//! Recurring jobs, run once per cluster however many instances serve.
//!
//! Every instance ticks (every 30 s). A tick takes a transaction-scoped advisory lock with
//! `pg_try_advisory_xact_lock`; the instance that gets it computes, for each schedule, the latest
//! slot that has started (this hour, or today at the configured hour) and enqueues the slot's job
//! unless a job with that slot's dedupe key exists in any state. The lock serialises the
//! check-then-insert, the key records that the slot ran; the queue then gives the job to exactly
//! one worker. An instance that was down during a slot catches up at its next tick (only the
//! latest slot — a missed daily backup runs once, not once per missed day).

use chrono::{DateTime, Duration as ChronoDuration, Timelike, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::config::Config;
use crate::jobs::queue::{self, NewJob};

/// Key of the scheduler's advisory lock ("pmo-sche" in ASCII).
pub const SCHEDULER_LOCK: i64 = 0x706d_6f2d_7363_6865;

/// How often a schedule comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Hourly,
    /// Every day at this hour (UTC).
    Daily {
        hour: u32,
    },
}

/// One recurring job.
#[derive(Debug, Clone)]
pub struct Recurring {
    pub kind: &'static str,
    pub cadence: Cadence,
}

/// The schedules this configuration enables.
pub fn recurring(config: &Config) -> Vec<Recurring> {
    let mut schedules = vec![
        Recurring {
            kind: "jobs.cleanup",
            cadence: Cadence::Daily { hour: 4 },
        },
        Recurring {
            kind: "storage.purge",
            cadence: Cadence::Hourly,
        },
    ];
    if config.backup.schedule_enabled && config.backup.encryption_key.is_some() {
        schedules.push(Recurring {
            kind: "backup.create",
            cadence: Cadence::Daily {
                hour: config.backup.schedule_hour,
            },
        });
    }
    schedules
}

/// The start of the latest slot at or before `now`.
pub fn current_slot(cadence: Cadence, now: DateTime<Utc>) -> DateTime<Utc> {
    let hour_start = now
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now);
    match cadence {
        Cadence::Hourly => hour_start,
        Cadence::Daily { hour } => {
            let today = now
                .date_naive()
                .and_hms_opt(hour.min(23), 0, 0)
                .map_or(hour_start, |t| t.and_utc());
            if today <= now {
                today
            } else {
                today - ChronoDuration::days(1)
            }
        }
    }
}

/// One scheduling pass. Returns the ids of the jobs it enqueued (empty when another instance
/// holds the lock or nothing was due).
pub async fn tick(
    db: &PgPool,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(SCHEDULER_LOCK)
        .fetch_one(&mut *tx)
        .await?;
    if !locked {
        return Ok(Vec::new());
    }
    let mut enqueued = Vec::new();
    for schedule in recurring(config) {
        let slot = current_slot(schedule.cadence, now);
        let key = format!(
            "schedule:{}:{}",
            schedule.kind,
            slot.format("%Y-%m-%dT%H:%MZ")
        );
        let seen: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM app.job WHERE queue = $1 AND dedupe_key = $2)",
        )
        .bind(queue::DEFAULT_QUEUE)
        .bind(&key)
        .fetch_one(&mut *tx)
        .await?;
        if seen {
            continue;
        }
        let job =
            NewJob::new(schedule.kind, json!({ "slot": slot, "scheduled": true })).dedupe(key);
        if let Some(id) = queue::enqueue(&mut *tx, &job, config.jobs.max_attempts).await? {
            tracing::info!(job.id = id, job.kind = schedule.kind, %slot, "scheduled job enqueued");
            enqueued.push(id);
        }
    }
    tx.commit().await?;
    Ok(enqueued)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn slots() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            current_slot(Cadence::Hourly, at("2026-11-26T09:41:12Z")),
            at("2026-11-26T09:00:00Z")
        );
        assert_eq!(
            current_slot(Cadence::Daily { hour: 3 }, at("2026-11-26T09:41:12Z")),
            at("2026-11-26T03:00:00Z")
        );
        assert_eq!(
            current_slot(Cadence::Daily { hour: 3 }, at("2026-11-26T02:59:59Z")),
            at("2026-11-25T03:00:00Z")
        );
        assert_eq!(
            current_slot(Cadence::Daily { hour: 0 }, at("2026-03-01T00:00:00Z")),
            at("2026-03-01T00:00:00Z")
        );
    }
}
