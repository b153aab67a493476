//! Background work inside `pmo serve`: the job worker (queue.rs), the outbox mailer (mailer.rs), the
//! scheduler of recurring jobs (schedule.rs, e.g. the daily backup in backup.rs) and the cache
//! invalidation listener. Every instance runs all of them; the database makes that safe (jobs and
//! mail claimed with `FOR UPDATE SKIP LOCKED`, schedules decided under an advisory lock).
//!
//! Shutdown: `BackgroundTasks::shutdown` signals every loop; a job in progress gets
//! `http.shutdown_grace_secs` to finish, else it is interrupted and queued again at once.

pub mod backup;
pub mod commands;
pub mod mailer;
pub mod queue;
pub mod schedule;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::jobs::queue::{FailOutcome, JobRow};
use crate::state::AppState;
use crate::storage::Storage;

/// How often each worker looks for jobs whose worker vanished.
const REAPER_EVERY: Duration = Duration::from_secs(60);
/// How often the scheduler ticks.
const SCHEDULE_EVERY: Duration = Duration::from_secs(30);

/// What a job handler gets.
#[derive(Clone)]
pub struct JobContext {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub storage: Storage,
}

impl JobContext {
    pub fn from_state(state: &AppState) -> JobContext {
        JobContext {
            db: state.db.clone(),
            config: state.config.clone(),
            storage: state.storage.clone(),
        }
    }
}

/// Runs one job. Unknown kinds fail (and so end dead-lettered, visible in `pmo jobs list`).
pub async fn run_job(ctx: &JobContext, job: &JobRow) -> anyhow::Result<()> {
    match job.kind.as_str() {
        "backup.create" => {
            let manifest = backup::create(
                &ctx.db,
                &ctx.config,
                &ctx.storage,
                backup::Progress::hidden(),
            )
            .await
            .context("backup failed")?;
            let pruned = backup::prune(&ctx.storage, ctx.config.backup.keep_days)
                .await
                .context("backup succeeded, pruning old backups failed")?;
            tracing::info!(backup.id = %manifest.id, pruned = pruned.deleted.len(), "daily backup done");
            Ok(())
        }
        "backup.prune" => {
            let days = job
                .payload
                .get("keep_days")
                .and_then(serde_json::Value::as_u64)
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(ctx.config.backup.keep_days);
            backup::prune(&ctx.storage, days).await?;
            Ok(())
        }
        "jobs.cleanup" => {
            let jobs = queue::cleanup(&ctx.db, ctx.config.jobs.keep_finished_days).await?;
            let mail = mailer::cleanup(&ctx.db, ctx.config.jobs.keep_finished_days).await?;
            tracing::info!(jobs, mail, "finished jobs and sent mail cleaned up");
            Ok(())
        }
        "storage.purge" => {
            let report = crate::artifact::purge(&ctx.db, &ctx.storage, &ctx.config.storage).await?;
            if !report.failures.is_empty() {
                anyhow::bail!(
                    "{} item(s) could not be purged: {}",
                    report.failures.len(),
                    report.failures.join("; ")
                );
            }
            Ok(())
        }
        // Operators' probes of the pipeline (`pmo jobs enqueue` is not exposed; tests and SQL use them).
        "diagnostics.noop" => Ok(()),
        "diagnostics.fail" => {
            let message = job
                .payload
                .get("message")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("diagnostics.fail always fails");
            anyhow::bail!("{message}")
        }
        other => anyhow::bail!("no handler for job kind `{other}`"),
    }
}

/// Claims and runs due jobs until none is left. Returns how many ran. Used by the worker loop and
/// by tests (one instance's worth of work).
pub async fn work_once(
    ctx: &JobContext,
    worker: &str,
    shutdown: &mut watch::Receiver<bool>,
) -> anyhow::Result<usize> {
    let mut ran = 0;
    loop {
        let stopping = *shutdown.borrow();
        if stopping {
            return Ok(ran);
        }
        let claimed = queue::claim(&ctx.db, queue::DEFAULT_QUEUE, worker, 1).await?;
        let Some(job) = claimed.into_iter().next() else {
            return Ok(ran);
        };
        run_claimed(ctx, worker, job, shutdown).await?;
        ran += 1;
    }
}

async fn run_claimed(
    ctx: &JobContext,
    worker: &str,
    job: JobRow,
    shutdown: &mut watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let span = tracing::info_span!("job", job.id = job.id, job.kind = %job.kind, job.attempt = job.attempts);
    let task_ctx = ctx.clone();
    let task_job = job.clone();
    let mut task = tokio::spawn(tracing::Instrument::instrument(
        async move { run_job(&task_ctx, &task_job).await },
        span.clone(),
    ));
    let grace = Duration::from_secs(ctx.config.http.shutdown_grace_secs);
    let outcome = tokio::select! {
        joined = &mut task => joined,
        () = until_stopped(shutdown) => {
            match tokio::time::timeout(grace, &mut task).await {
                Ok(joined) => joined,
                Err(_) => {
                    task.abort();
                    // Interrupted at shutdown: give the attempt back and run it again soon.
                    sqlx::query(
                        "UPDATE app.job SET status = 'queued', locked_by = NULL, locked_ts = NULL,
                                attempts = greatest(attempts - 1, 0), run_at = now(),
                                last_error = 'interrupted by shutdown', updated_ts = now()
                         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
                    )
                    .bind(job.id)
                    .bind(worker)
                    .execute(&ctx.db)
                    .await?;
                    span.in_scope(|| tracing::warn!("job interrupted by shutdown; queued again"));
                    return Ok(());
                }
            }
        }
    };
    let result = match outcome {
        Ok(result) => result,
        Err(join_error) => Err(anyhow::anyhow!("the job panicked: {join_error}")),
    };
    match result {
        Ok(()) => {
            queue::complete(&ctx.db, job.id, worker).await?;
            crate::metrics::job_finished(&job.kind, "done", started.elapsed());
            span.in_scope(|| {
                tracing::info!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "job done"
                )
            });
        }
        Err(err) => {
            let retry_in = queue::backoff(
                job.attempts,
                Duration::from_secs(ctx.config.jobs.backoff_base_secs),
                Duration::from_secs(ctx.config.jobs.backoff_max_secs),
            );
            let message = format!("{err:#}");
            match queue::fail(&ctx.db, job.id, worker, &message, retry_in).await? {
                FailOutcome::Dead => {
                    crate::metrics::job_finished(&job.kind, "dead", started.elapsed());
                    span.in_scope(
                        || tracing::error!(error = %message, "job failed for good (dead-lettered)"),
                    );
                }
                FailOutcome::Retry => {
                    crate::metrics::job_finished(&job.kind, "retry", started.elapsed());
                    span.in_scope(|| tracing::warn!(error = %message, retry_in_secs = retry_in.as_secs(), "job failed; will retry"));
                }
                FailOutcome::Lost => {
                    span.in_scope(
                        || tracing::warn!(error = %message, "job failed after its claim was lost"),
                    );
                }
            }
        }
    }
    Ok(())
}

/// A name for this instance's worker, unique per process.
pub fn worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".to_owned());
    format!(
        "{host}:{}:{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// The background loops of one instance.
pub struct BackgroundTasks {
    stop: watch::Sender<bool>,
    handles: Vec<(&'static str, JoinHandle<()>)>,
}

impl BackgroundTasks {
    /// Starts the cache invalidation listener always, and the worker, mailer and scheduler when
    /// `jobs.worker` is on.
    pub fn start(state: &AppState) -> anyhow::Result<BackgroundTasks> {
        let (stop, stopped) = watch::channel(false);
        let mut handles = Vec::new();
        handles.push((
            "cache invalidation listener",
            crate::cache::spawn_invalidation_listener(
                state.cache.clone(),
                state.db.clone(),
                stopped.clone(),
            ),
        ));
        if state.config.jobs.worker {
            let ctx = JobContext::from_state(state);
            let worker = worker_id();
            tracing::info!(worker = %worker, "job worker, mailer and scheduler starting");
            handles.push((
                "job worker",
                tokio::spawn(worker_loop(ctx.clone(), worker, stopped.clone())),
            ));
            handles.push((
                "mailer",
                tokio::spawn(mailer_loop(
                    ctx.clone(),
                    state.mail.clone(),
                    stopped.clone(),
                )),
            ));
            handles.push((
                "scheduler",
                tokio::spawn(scheduler_loop(ctx, stopped.clone())),
            ));
        }
        Ok(BackgroundTasks { stop, handles })
    }

    /// Signals every loop and waits for them (each stops at a safe point).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for (name, handle) in self.handles {
            if let Err(err) = handle.await {
                tracing::warn!(task = name, error = %err, "background task ended abnormally");
            }
        }
    }
}

/// Completes once `stopped` says stop (or its sender is gone). Holds no borrow across awaits.
pub async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

async fn sleep_or_stop(pause: Duration, stopped: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(pause) => false,
        () = until_stopped(stopped) => true,
    }
}

async fn worker_loop(ctx: JobContext, worker: String, mut stopped: watch::Receiver<bool>) {
    let poll = Duration::from_millis(ctx.config.jobs.poll_interval_ms);
    let mut wake = match sqlx::postgres::PgListener::connect_with(&ctx.db).await {
        Ok(mut listener) => match listener.listen(queue::WAKE_CHANNEL).await {
            Ok(()) => Some(listener),
            Err(_) => None,
        },
        Err(_) => None,
    };
    let mut last_reap = Instant::now() - REAPER_EVERY;
    loop {
        let stopping = *stopped.borrow();
        if stopping {
            return;
        }
        if last_reap.elapsed() >= REAPER_EVERY {
            last_reap = Instant::now();
            match queue::requeue_stale(
                &ctx.db,
                Duration::from_secs(ctx.config.jobs.stale_after_secs),
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => tracing::warn!(jobs = n, "requeued jobs whose worker stopped"),
                Err(err) => tracing::warn!(error = %err, "requeueing stale jobs failed"),
            }
        }
        match work_once(&ctx, &worker, &mut stopped).await {
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "job worker round failed"),
        }
        // Idle: wait for a wake-up (a job was enqueued) or the poll interval.
        let woken = async {
            match wake.as_mut() {
                Some(listener) => {
                    let _ = listener.try_recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(poll) => {}
            () = crate::jobs::until_stopped(&mut stopped) => return,
        }
    }
}

async fn mailer_loop(
    ctx: JobContext,
    transport: Arc<mailer::Transport>,
    mut stopped: watch::Receiver<bool>,
) {
    let poll = Duration::from_millis(ctx.config.jobs.poll_interval_ms);
    loop {
        let delivered = match mailer::deliver_round(&ctx.db, &ctx.config, &transport).await {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!(error = %err, "mail delivery round failed");
                0
            }
        };
        // Keep going while there is work; otherwise wait a poll interval.
        let pause = if delivered > 0 { Duration::ZERO } else { poll };
        if sleep_or_stop(pause, &mut stopped).await {
            return;
        }
    }
}

async fn scheduler_loop(ctx: JobContext, mut stopped: watch::Receiver<bool>) {
    if ctx.config.backup.schedule_enabled && ctx.config.backup.encryption_key.is_none() {
        tracing::warn!(
            "daily backups are off: backup.encryption_key is not set (PMO_BACKUP__ENCRYPTION_KEY)"
        );
    }
    loop {
        if let Err(err) = schedule::tick(&ctx.db, &ctx.config, chrono::Utc::now()).await {
            tracing::warn!(error = %err, "scheduler tick failed");
        }
        if sleep_or_stop(SCHEDULE_EVERY, &mut stopped).await {
            return;
        }
    }
}
