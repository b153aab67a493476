//! The durable job queue (`app.job`): enqueue, claim with `FOR UPDATE SKIP LOCKED`, finish, retry
//! with exponential backoff, dead-letter after `max_attempts`, requeue jobs whose worker vanished.
//! Every function takes any executor, so a job can be enqueued in the transaction that causes it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{FromRow, PgExecutor};
use utoipa::ToSchema;

/// The one queue used today; the column allows more (e.g. a slow lane for backups).
pub const DEFAULT_QUEUE: &str = "default";

/// Channel that wakes idle workers when a job is enqueued.
pub const WAKE_CHANNEL: &str = "pmo_jobs";

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub queue: String,
    pub tenant_id: Option<String>,
    pub payload: Value,
    /// Not before this time (default: now).
    pub run_at: Option<DateTime<Utc>>,
    /// Default: `jobs.max_attempts`.
    pub max_attempts: Option<i32>,
    /// At most one queued or running job per key and queue; a duplicate enqueue does nothing.
    pub dedupe_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: &str, payload: Value) -> NewJob {
        NewJob {
            kind: kind.to_owned(),
            queue: DEFAULT_QUEUE.to_owned(),
            tenant_id: None,
            payload,
            run_at: None,
            max_attempts: None,
            dedupe_key: None,
        }
    }

    pub fn dedupe(mut self, key: impl Into<String>) -> NewJob {
        self.dedupe_key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, attempts: i32) -> NewJob {
        self.max_attempts = Some(attempts);
        self
    }
}

#[derive(Debug, Clone, FromRow, Serialize, ToSchema)]
pub struct JobRow {
    pub id: i64,
    pub queue: String,
    pub kind: String,
    pub tenant_id: Option<String>,
    pub payload: Value,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    /// `queued`, `running`, `done` or `dead`.
    pub status: String,
    pub last_error: Option<String>,
    pub locked_by: Option<String>,
    pub locked_ts: Option<DateTime<Utc>>,
    pub dedupe_key: Option<String>,
    pub created_ts: DateTime<Utc>,
    pub updated_ts: DateTime<Utc>,
    pub finished_ts: Option<DateTime<Utc>>,
}

const JOB_COLUMNS: &str = "id, queue, kind, tenant_id, payload, run_at, attempts, max_attempts, status, last_error, \
     locked_by, locked_ts, dedupe_key, created_ts, updated_ts, finished_ts";

/// Queues a job; `None` when an equal `dedupe_key` is already queued or running. Wakes idle
/// workers (at commit, when `db` is a transaction).
pub async fn enqueue<'e>(
    db: impl PgExecutor<'e>,
    job: &NewJob,
    default_max_attempts: u32,
) -> Result<Option<i64>, sqlx::Error> {
    let max_attempts = job
        .max_attempts
        .unwrap_or(i32::try_from(default_max_attempts).unwrap_or(i32::MAX))
        .max(1);
    // One statement, so it runs on a pool or inside the caller's transaction alike.
    sqlx::query_scalar(
        "WITH inserted AS (
           INSERT INTO app.job (queue, kind, tenant_id, payload, run_at, max_attempts, dedupe_key)
           VALUES ($1, $2, $3, $4, coalesce($5, now()), $6, $7)
           ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running')
           DO NOTHING
           RETURNING id)
         SELECT inserted.id FROM inserted, LATERAL (SELECT pg_notify($8, $1)) AS wake",
    )
    .bind(&job.queue)
    .bind(&job.kind)
    .bind(&job.tenant_id)
    .bind(&job.payload)
    .bind(job.run_at)
    .bind(max_attempts)
    .bind(&job.dedupe_key)
    .bind(WAKE_CHANNEL)
    .fetch_optional(db)
    .await
}

/// Claims up to `limit` due jobs for `worker`. Concurrent claimers skip each other's rows, so a
/// job goes to exactly one worker. Each claim counts as an attempt.
pub async fn claim<'e>(
    db: impl PgExecutor<'e>,
    queue: &str,
    worker: &str,
    limit: i64,
) -> Result<Vec<JobRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE app.job SET status = 'running', locked_by = $3, locked_ts = now(),
                attempts = attempts + 1, updated_ts = now()
         WHERE id IN (SELECT id FROM app.job
                      WHERE queue = $1 AND status = 'queued' AND run_at <= now()
                      ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING {JOB_COLUMNS}"
    );
    let mut jobs: Vec<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(queue)
        .bind(limit)
        .bind(worker)
        .fetch_all(db)
        .await?;
    jobs.sort_by_key(|job| (job.run_at, job.id));
    Ok(jobs)
}

/// Marks a claimed job done. False when the claim was lost (requeued as stale meanwhile).
pub async fn complete<'e>(
    db: impl PgExecutor<'e>,
    id: i64,
    worker: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE app.job SET status = 'done', finished_ts = now(), updated_ts = now(), last_error = NULL,
                locked_ts = NULL
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(worker)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a failed attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Queued again, due after the backoff.
    Retry,
    /// Out of attempts: dead-lettered until someone runs `pmo jobs retry`.
    Dead,
    /// The claim was lost meanwhile; nothing changed.
    Lost,
}

/// Records a failed attempt: back to `queued` after `retry_in`, or `dead` when attempts are used up.
pub async fn fail<'e>(
    db: impl PgExecutor<'e>,
    id: i64,
    worker: &str,
    error: &str,
    retry_in: Duration,
) -> Result<FailOutcome, sqlx::Error> {
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE app.job SET
            status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
            run_at = CASE WHEN attempts >= max_attempts THEN run_at
                          ELSE now() + make_interval(secs => $4) END,
            finished_ts = CASE WHEN attempts >= max_attempts THEN now() END,
            last_error = left($3, 4000), locked_by = NULL, locked_ts = NULL, updated_ts = now()
         WHERE id = $1 AND locked_by = $2 AND status = 'running'
         RETURNING status",
    )
    .bind(id)
    .bind(worker)
    .bind(error)
    .bind(retry_in.as_secs_f64())
    .fetch_optional(db)
    .await?;
    Ok(match status.as_deref() {
        Some("dead") => FailOutcome::Dead,
        Some(_) => FailOutcome::Retry,
        None => FailOutcome::Lost,
    })
}

/// Hands out again jobs whose worker stopped without finishing them (crash, kill -9); those that
/// used their last attempt are dead-lettered. Returns how many were touched.
pub async fn requeue_stale<'e>(
    db: impl PgExecutor<'e>,
    older_than: Duration,
) -> Result<u64, sqlx::Error> {
    let touched = sqlx::query(
        "UPDATE app.job SET
            status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
            finished_ts = CASE WHEN attempts >= max_attempts THEN now() END,
            last_error = 'the worker ' || coalesce(locked_by, '?') || ' stopped before finishing it',
            locked_by = NULL, locked_ts = NULL, run_at = now(), updated_ts = now()
         WHERE status = 'running' AND locked_ts < now() - make_interval(secs => $1)",
    )
    .bind(older_than.as_secs_f64())
    .execute(db)
    .await?;
    Ok(touched.rows_affected())
}

/// Filters of `pmo jobs list`.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub limit: i64,
}

/// Newest first.
pub async fn list<'e>(
    db: impl PgExecutor<'e>,
    filter: &JobFilter,
) -> Result<Vec<JobRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {JOB_COLUMNS} FROM app.job
         WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
         ORDER BY id DESC LIMIT $3"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&filter.status)
        .bind(&filter.kind)
        .bind(filter.limit.clamp(1, 10_000))
        .fetch_all(db)
        .await
}

pub async fn get<'e>(db: impl PgExecutor<'e>, id: i64) -> Result<Option<JobRow>, sqlx::Error> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM app.job WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Why `retry` refused.
#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error("no job {0}")]
    NotFound(i64),
    #[error("job {0} is running; wait for it to finish")]
    Running(i64),
    #[error("job {0} already finished successfully")]
    Done(i64),
    #[error("another job with the same dedupe key is already queued or running")]
    Duplicate,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Runs a dead job again with fresh attempts, or a queued job (waiting out its backoff) now.
pub async fn retry(db: &sqlx::PgPool, id: i64) -> Result<JobRow, RetryError> {
    let current = get(db, id).await?.ok_or(RetryError::NotFound(id))?;
    match current.status.as_str() {
        "running" => return Err(RetryError::Running(id)),
        "done" => return Err(RetryError::Done(id)),
        _ => {}
    }
    let sql = format!(
        "UPDATE app.job SET status = 'queued', run_at = now(), finished_ts = NULL, locked_by = NULL,
                locked_ts = NULL, updated_ts = now(),
                attempts = CASE WHEN status = 'dead' THEN 0 ELSE attempts END
         WHERE id = $1 AND status IN ('queued', 'dead')
         RETURNING {JOB_COLUMNS}"
    );
    let row: Option<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db_err) if db_err.constraint() == Some("job_dedupe_uq") => {
                RetryError::Duplicate
            }
            _ => RetryError::Database(err),
        })?;
    let row = row.ok_or(RetryError::Running(id))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(WAKE_CHANNEL)
        .bind(&row.queue)
        .execute(db)
        .await?;
    Ok(row)
}

/// Deletes finished jobs older than `keep_days`.
pub async fn cleanup<'e>(db: impl PgExecutor<'e>, keep_days: u32) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query(
        "DELETE FROM app.job WHERE status IN ('done', 'dead')
           AND finished_ts < now() - make_interval(days => $1)",
    )
    .bind(i32::try_from(keep_days).unwrap_or(i32::MAX))
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}

/// Exponential backoff: `base × 2^(attempt−1)`, capped at `max`, with up to 10 % jitter so
/// retries of many jobs failing together spread out.
pub fn backoff(attempt: i32, base: Duration, max: Duration) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let raw = base.saturating_mul(1u32 << exponent).min(max);
    let jitter = rand::random::<f64>() * 0.1;
    raw.mul_f64(1.0 + jitter).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(3600);
        let first = backoff(1, base, max);
        assert!(first >= base && first <= base.mul_f64(1.1));
        let third = backoff(3, base, max);
        assert!(third >= Duration::from_secs(40) && third <= Duration::from_secs(44));
        assert_eq!(backoff(40, base, max), max);
    }
}
