//! The job queue: exactly-once claims across instances, retries with backoff, dead letters and
//! `retry`, stale claims, dedupe keys, and schedules that run once per cluster.

use std::time::Duration;

use chrono::{DateTime, Utc};
use pmo::jobs::queue::{self, JobFilter, NewJob, RetryError};
use pmo::jobs::{JobContext, schedule, work_once};
use serde_json::json;
use sqlx::PgPool;

use crate::cache::Instance;

fn context(instance: &Instance) -> JobContext {
    JobContext::from_state(&instance.state)
}

fn never_stop() -> tokio::sync::watch::Receiver<bool> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    std::mem::forget(stop);
    stopped
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn each_job_is_claimed_by_exactly_one_of_two_instances(pool: PgPool) {
    let a = Instance::start(&pool, |_| {}).await;
    let b = Instance::start(&pool, |_| {}).await;
    for i in 0..60 {
        queue::enqueue(
            &pool,
            &NewJob::new("diagnostics.noop", json!({ "n": i })),
            5,
        )
        .await
        .unwrap()
        .unwrap();
    }
    let (ctx_a, ctx_b) = (context(&a), context(&b));
    let (mut stop_a, mut stop_b) = (never_stop(), never_stop());
    let (ran_a, ran_b) = tokio::join!(
        work_once(&ctx_a, "instance-a", &mut stop_a),
        work_once(&ctx_b, "instance-b", &mut stop_b)
    );
    let (ran_a, ran_b) = (ran_a.unwrap(), ran_b.unwrap());
    assert_eq!(ran_a + ran_b, 60, "every job ran once in total");
    let rows: Vec<(String, String, i32)> =
        sqlx::query_as("SELECT status, locked_by, attempts FROM app.job ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(
        rows.iter()
            .all(|(status, _, attempts)| status == "done" && *attempts == 1),
        "{rows:?}"
    );
    let by_a = rows
        .iter()
        .filter(|(_, worker, _)| worker == "instance-a")
        .count();
    assert_eq!(by_a, ran_a, "each job's single claim is recorded");

    // Two claims running at the same moment never share a row.
    for i in 0..10 {
        queue::enqueue(
            &pool,
            &NewJob::new("diagnostics.noop", json!({ "m": i })),
            5,
        )
        .await
        .unwrap();
    }
    let mut tx_a = pool.begin().await.unwrap();
    let mut tx_b = pool.begin().await.unwrap();
    let first = queue::claim(&mut *tx_a, queue::DEFAULT_QUEUE, "a", 6)
        .await
        .unwrap();
    let second = queue::claim(&mut *tx_b, queue::DEFAULT_QUEUE, "b", 6)
        .await
        .unwrap();
    assert_eq!(first.len(), 6);
    assert_eq!(
        second.len(),
        4,
        "the rows A holds are skipped, not waited for"
    );
    assert!(
        first
            .iter()
            .all(|job| second.iter().all(|other| other.id != job.id))
    );
    tx_a.commit().await.unwrap();
    tx_b.commit().await.unwrap();
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn failures_back_off_then_dead_letter_and_retry_revives(pool: PgPool) {
    let a = Instance::start(&pool, |config| {
        config.jobs.backoff_base_secs = 30;
        config.jobs.backoff_max_secs = 3600;
    })
    .await;
    let ctx = context(&a);
    let id = queue::enqueue(
        &pool,
        &NewJob::new("diagnostics.fail", json!({"message": "the disk is full"})).max_attempts(2),
        5,
    )
    .await
    .unwrap()
    .unwrap();
    let mut stop = never_stop();
    assert_eq!(work_once(&ctx, "w", &mut stop).await.unwrap(), 1);
    let job = queue::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(job.status, "queued", "retried after a failure");
    assert_eq!(job.attempts, 1);
    assert_eq!(job.last_error.as_deref(), Some("the disk is full"));
    let wait = (job.run_at - Utc::now()).num_seconds();
    assert!(
        (25..=35).contains(&wait),
        "backoff of about 30 s, got {wait}"
    );
    assert_eq!(
        work_once(&ctx, "w", &mut stop).await.unwrap(),
        0,
        "not due yet"
    );

    // Pretend the backoff passed.
    sqlx::query("UPDATE app.job SET run_at = now() WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    work_once(&ctx, "w", &mut stop).await.unwrap();
    let job = queue::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(job.status, "dead", "out of attempts");
    assert!(job.finished_ts.is_some());
    let dead = queue::list(
        &pool,
        &JobFilter {
            status: Some("dead".into()),
            kind: None,
            limit: 10,
        },
    )
    .await
    .unwrap();
    assert_eq!(dead.len(), 1);

    let revived = queue::retry(&pool, id).await.unwrap();
    assert_eq!((revived.status.as_str(), revived.attempts), ("queued", 0));
    assert!(matches!(
        queue::retry(&pool, 999_999).await,
        Err(RetryError::NotFound(_))
    ));

    // Unknown kinds fail with a message that says so.
    let unknown = queue::enqueue(
        &pool,
        &NewJob::new("nobody.handles.this", json!({})).max_attempts(1),
        5,
    )
    .await
    .unwrap()
    .unwrap();
    sqlx::query("DELETE FROM app.job WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    work_once(&ctx, "w", &mut stop).await.unwrap();
    let job = queue::get(&pool, unknown).await.unwrap().unwrap();
    assert_eq!(job.status, "dead");
    assert!(job.last_error.unwrap().contains("no handler for job kind"));
    let done = queue::enqueue(&pool, &NewJob::new("diagnostics.noop", json!({})), 5)
        .await
        .unwrap()
        .unwrap();
    work_once(&ctx, "w", &mut stop).await.unwrap();
    assert!(matches!(
        queue::retry(&pool, done).await,
        Err(RetryError::Done(_))
    ));
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn stale_claims_are_handed_out_again_and_dedupe_keys_hold(pool: PgPool) {
    let job = NewJob::new("diagnostics.noop", json!({})).dedupe("nightly");
    let first = queue::enqueue(&pool, &job, 3).await.unwrap();
    assert!(first.is_some());
    assert_eq!(
        queue::enqueue(&pool, &job, 3).await.unwrap(),
        None,
        "a duplicate while queued"
    );

    let claimed = queue::claim(&pool, queue::DEFAULT_QUEUE, "crashed-worker", 1)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        queue::enqueue(&pool, &job, 3).await.unwrap(),
        None,
        "a duplicate while running"
    );
    // The worker died; its claim is old.
    sqlx::query("UPDATE app.job SET locked_ts = now() - interval '1 hour'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        queue::requeue_stale(&pool, Duration::from_secs(600))
            .await
            .unwrap(),
        1
    );
    let again = queue::get(&pool, first.unwrap()).await.unwrap().unwrap();
    assert_eq!(again.status, "queued");
    assert!(again.last_error.unwrap().contains("crashed-worker"));
    assert!(
        !queue::complete(&pool, again.id, "crashed-worker")
            .await
            .unwrap(),
        "the lost claim cannot finish it"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn recurring_jobs_are_enqueued_once_per_cluster_and_slot(pool: PgPool) {
    let with_backups = |config: &mut pmo::config::Config| {
        config.backup.encryption_key = Some(secrecy::SecretString::from(
            "0123456789abcdef0123456789abcdef-key",
        ));
        config.backup.schedule_hour = 3;
    };
    let a = Instance::start(&pool, with_backups).await;
    let b = Instance::start(&pool, with_backups).await;
    let now: DateTime<Utc> = "2026-11-26T09:41:00Z".parse().unwrap();
    // Several instances tick at the same moment, several times.
    let mut ticks = Vec::new();
    for _ in 0..3 {
        let (x, y) = tokio::join!(
            schedule::tick(&a.state.db, &a.state.config, now),
            schedule::tick(&b.state.db, &b.state.config, now)
        );
        ticks.push(x.unwrap().len() + y.unwrap().len());
    }
    assert_eq!(
        ticks.iter().sum::<usize>(),
        3,
        "cleanup, purge and backup once each: {ticks:?}"
    );
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM app.job ORDER BY kind")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        kinds,
        vec!["backup.create", "jobs.cleanup", "storage.purge"]
    );

    // Even after the jobs finished, the same slot does not run again; the next slot does.
    sqlx::query("UPDATE app.job SET status = 'done', finished_ts = now()")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        schedule::tick(&pool, &a.state.config, now)
            .await
            .unwrap()
            .is_empty()
    );
    let next_hour = now + chrono::Duration::hours(1);
    let later = schedule::tick(&pool, &a.state.config, next_hour)
        .await
        .unwrap();
    assert_eq!(later.len(), 1, "only the hourly purge is due again");
    let next_day = now + chrono::Duration::days(1);
    assert_eq!(
        schedule::tick(&pool, &a.state.config, next_day)
            .await
            .unwrap()
            .len(),
        3
    );

    // Without a backup key the daily backup is not scheduled.
    let c = Instance::start(&pool, |_| {}).await;
    let kinds: Vec<&str> = schedule::recurring(&c.state.config)
        .iter()
        .map(|r| r.kind)
        .collect();
    assert!(!kinds.contains(&"backup.create"));
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn the_background_tasks_run_jobs_and_stop_cleanly(pool: PgPool) {
    let a = Instance::start(&pool, |config| config.jobs.poll_interval_ms = 100).await;
    let tasks = pmo::jobs::BackgroundTasks::start(&a.state).unwrap();
    let id = queue::enqueue(&pool, &NewJob::new("diagnostics.noop", json!({})), 5)
        .await
        .unwrap()
        .unwrap();
    let done = crate::cache::eventually(Duration::from_secs(10), async || {
        queue::get(&pool, id).await.unwrap().unwrap().status == "done"
    })
    .await;
    assert!(done, "the worker inside the server ran the job");
    tokio::time::timeout(Duration::from_secs(10), tasks.shutdown())
        .await
        .expect("background tasks stop promptly");
}

/// The scheduled path end to end: the scheduler enqueues the hourly `storage.purge`, a worker runs
/// it, and an upload abandoned for longer than `storage.pending_upload_ttl_secs` loses its object
/// and its rows; a recent one is kept.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn the_scheduled_storage_purge_removes_aged_abandoned_uploads(pool: PgPool) {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let a = Instance::start(&pool, |_| {}).await;
    let admin = a.tenant_admin("acme").await;
    let (status, project) = a
        .post("/api/v1/project", Some(&admin), &json!({ "name": "Files" }))
        .await;
    assert!(status.is_success(), "{project}");
    let bytes = b"%PDF-1.4 never completed".to_vec();
    let mut uploads = Vec::new();
    for name in ["abandoned.pdf", "recent.pdf"] {
        let (status, upload) = a
            .post(
                "/api/v1/artifact/upload",
                Some(&admin),
                &json!({
                    "entity_type": "project", "entity_id": project["id"], "file_name": name,
                    "content_type": "application/pdf", "size_bytes": bytes.len(),
                }),
            )
            .await;
        assert_eq!(status, axum::http::StatusCode::CREATED, "{upload}");
        // The bytes arrive through the local backend's signed URL; completion never comes.
        let url = url::Url::parse(upload["upload"]["url"].as_str().unwrap()).unwrap();
        let put = a
            .router
            .clone()
            .oneshot(
                Request::put(url.path())
                    .header(header::CONTENT_TYPE, "application/pdf")
                    .body(Body::from(bytes.clone()))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(put.status().is_success(), "{}", put.status());
        let id: uuid::Uuid = upload["artifact"]["id"].as_str().unwrap().parse().unwrap();
        let key: String =
            sqlx::query_scalar("SELECT storage_key FROM app.d_artifact WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(a.state.storage.head(&key).await.unwrap().is_some());
        uploads.push((id, key));
    }
    let (abandoned, recent) = (&uploads[0], &uploads[1]);
    sqlx::query("UPDATE app.d_artifact SET created_ts = now() - interval '8 days' WHERE id = $1")
        .bind(abandoned.0)
        .execute(&pool)
        .await
        .unwrap();

    // The scheduler queues the purge for this hour; one instance's worker runs the queue.
    let enqueued = schedule::tick(&pool, &a.state.config, Utc::now())
        .await
        .unwrap();
    let purge_job: i64 = sqlx::query_scalar(
        "SELECT id FROM app.job WHERE kind = 'storage.purge' AND payload->>'scheduled' = 'true'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(enqueued.contains(&purge_job), "{enqueued:?}");
    let ran = work_once(&context(&a), "instance-a", &mut never_stop())
        .await
        .unwrap();
    assert!(ran >= 1);
    let job = queue::get(&pool, purge_job).await.unwrap().unwrap();
    assert_eq!(job.status, "done", "{job:?}");

    // The aged upload: object, row and registry entry gone, the purge audited.
    assert!(a.state.storage.head(&abandoned.1).await.unwrap().is_none());
    let rows = |id: uuid::Uuid| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT (SELECT count(*) FROM app.d_artifact WHERE id = $1)
                      + (SELECT count(*) FROM app.d_entity_instance_id WHERE entity_id = $1)",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(rows(abandoned.0).await, 0);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.audit_log WHERE action = 'artifact.purge' AND target_id = $1",
    )
    .bind(abandoned.0.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // The recent one: untouched.
    assert!(a.state.storage.head(&recent.1).await.unwrap().is_some());
    assert_eq!(rows(recent.0).await, 2);
}
