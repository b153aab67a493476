//! `pmo bench run`: drives the hot endpoints of a running server over loopback as the benchmark's
//! non-admin user, closed-loop at fixed concurrencies and open-loop at a fixed rate; repeats each
//! read as the tenant's admin (no permission filter: what the filter costs); and runs the same work
//! directly against PostgreSQL (the library functions the handlers call, without HTTP, JSON or
//! authentication) as the floor the API is compared with.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::entity::EntityType;
use crate::entity::records::{self, FieldKey, Scope};

pub struct RunOptions {
    /// Base URL of the server, e.g. http://127.0.0.1:4000
    pub url: String,
    pub tenant: String,
    pub password: String,
    pub duration: Duration,
    pub concurrency: Vec<usize>,
    /// Offered rate of the open-loop run (requests per second); 0 skips it.
    pub rate: u32,
    /// Only endpoints whose name contains this.
    pub only: Option<String>,
}

/// One measured series.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub endpoint: String,
    pub mode: String,
    /// Answered with success; the latency figures are theirs alone.
    pub requests: u64,
    /// Failed: an error status other than 503, a broken connection, a wrong answer.
    pub errors: u64,
    /// Refused with 503 beyond the server's capacity (`http.max_in_flight`).
    pub refused: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// Why a request did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// 503: the server refused it at once for want of capacity.
    Refused,
    Error,
}

impl Failure {
    /// What an unsuccessful answer's status says.
    fn of(status: reqwest::StatusCode) -> Failure {
        if status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            Failure::Refused
        } else {
            Failure::Error
        }
    }
}

type Outcome = Result<(), Failure>;

/// Tallies of one series: successes go to the histogram, the rest are counted.
#[derive(Default)]
struct Tally {
    errors: std::sync::atomic::AtomicU64,
    refused: std::sync::atomic::AtomicU64,
}

impl Tally {
    fn count(&self, failure: Failure) {
        let counter = match failure {
            Failure::Refused => &self.refused,
            Failure::Error => &self.errors,
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn load(&self) -> (u64, u64) {
        (
            self.errors.load(std::sync::atomic::Ordering::Relaxed),
            self.refused.load(std::sync::atomic::Ordering::Relaxed),
        )
    }
}

/// The fixtures requests refer to, discovered once.
struct Fixtures {
    big_project: Uuid,
    deep_cursor: String,
    task: Uuid,
    user: CurrentUser,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Endpoint {
    ProjectTasks,
    ProjectTasksDeep,
    ProjectsByStage,
    MyTasks,
    GetTask,
    Options,
    Search,
    CreateTask,
    MoveTask,
}

impl Endpoint {
    const ALL: [Endpoint; 9] = [
        Endpoint::ProjectTasks,
        Endpoint::ProjectTasksDeep,
        Endpoint::ProjectsByStage,
        Endpoint::MyTasks,
        Endpoint::GetTask,
        Endpoint::Options,
        Endpoint::Search,
        Endpoint::CreateTask,
        Endpoint::MoveTask,
    ];

    fn name(self) -> &'static str {
        match self {
            Endpoint::ProjectTasks => "project tasks, page 1",
            Endpoint::ProjectTasksDeep => "project tasks, deep cursor",
            Endpoint::ProjectsByStage => "projects by stage",
            Endpoint::MyTasks => "my tasks, newest first",
            Endpoint::GetTask => "get task by id",
            Endpoint::Options => "options search",
            Endpoint::Search => "global search",
            Endpoint::CreateTask => "create task",
            Endpoint::MoveTask => "move task stage",
        }
    }

    fn is_read(self) -> bool {
        !matches!(self, Endpoint::CreateTask | Endpoint::MoveTask)
    }
}

/// `pool` and `cached_plans` are the server's two pools (`db::cached_plan_pool`), for the floor.
pub async fn run(
    pool: &PgPool,
    cached_plans: &PgPool,
    options: &RunOptions,
) -> anyhow::Result<Vec<Measurement>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let health = client
        .get(format!("{}/api/health", options.url))
        .send()
        .await;
    if !health.as_ref().is_ok_and(|r| r.status().is_success()) {
        anyhow::bail!(
            "no server answers at {} — start one with `pmo serve` first",
            options.url
        );
    }
    // Idle is before this run's first request: signing in hashes a password (argon2 takes tens
    // of MiB for a moment), which the allocator returns only after its decay time (~10 s).
    let server_pid = server_pid(&options.url);
    let rss_idle = server_pid.and_then(rss_kib);
    let (login, token) = sign_in(&client, options, super::generate::BENCH_USER_LOCAL).await?;
    // The same lists as the tenant's admin, who needs no permission filter: the 1.3× comparison.
    let (_, admin_token) = sign_in(&client, options, super::generate::BENCH_ADMIN_LOCAL).await?;
    let removed = remove_created_tasks(pool, &options.tenant).await?;
    if removed > 0 {
        eprintln!("removed {removed} tasks an earlier run's \"create task\" left behind");
    }
    let fixtures = Arc::new(discover(pool, &client, options, &token, &login).await?);
    // Sample the server's memory through the whole run and keep the peak.
    let rss_peak = Arc::new(std::sync::atomic::AtomicU64::new(rss_idle.unwrap_or(0)));
    let sampler = server_pid.map(|pid| {
        let peak = rss_peak.clone();
        tokio::spawn(async move {
            loop {
                if let Some(kib) = rss_kib(pid) {
                    peak.fetch_max(kib, std::sync::atomic::Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    });

    let mut results = Vec::new();
    let key = FieldKey(String::new());
    for endpoint in Endpoint::ALL {
        if options
            .only
            .as_ref()
            .is_some_and(|only| !endpoint.name().contains(only.as_str()))
        {
            continue;
        }
        // The same request as the benchmark user, and (reads) as the tenant's admin.
        let as_user = ApiCaller {
            client: client.clone(),
            url: options.url.clone(),
            token: token.clone(),
            fixtures: fixtures.clone(),
            endpoint,
        };
        let as_admin = ApiCaller {
            token: admin_token.clone(),
            ..as_user.clone()
        };
        for &concurrency in &options.concurrency {
            let mut callers = vec![("api", &as_user)];
            if endpoint.is_read() {
                callers.push(("admin", &as_admin));
            }
            for (kind, caller) in callers {
                let caller = caller.clone();
                let series = measure(endpoint, concurrency, options.duration, move |worker| {
                    caller.clone().call(worker)
                })
                .await;
                eprintln!("{}", describe(&series, kind, concurrency));
                results.push(Measurement {
                    mode: format!("{kind} c={concurrency}"),
                    ..series
                });
            }
            if endpoint.is_read() && direct_floor_supported(endpoint) {
                let floor = measure(endpoint, concurrency, options.duration, {
                    let pools = (pool.clone(), cached_plans.clone());
                    let (fixtures, key) = (fixtures.clone(), key.clone());
                    move |_| call_direct(pools.clone(), fixtures.clone(), key.clone(), endpoint)
                })
                .await;
                eprintln!("{}", describe(&floor, "sql", concurrency));
                results.push(Measurement {
                    mode: format!("sql c={concurrency}"),
                    ..floor
                });
            }
        }
        if options.rate > 0 && endpoint.is_read() {
            let caller = as_user.clone();
            let open = measure_open_loop(endpoint, options.rate, options.duration, move || {
                caller.clone().call(0)
            })
            .await;
            eprintln!("{}", describe(&open, "open", 0));
            results.push(open);
        }
    }
    if let Some(sampler) = sampler {
        sampler.abort();
    }
    let removed = remove_created_tasks(pool, &options.tenant).await?;
    eprintln!("removed the {removed} tasks this run created");
    let peak = rss_peak.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "server RSS: idle {} MiB, peak under load {} MiB (pid {})",
        rss_idle.map_or("?".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0)),
        if peak == 0 {
            "?".to_owned()
        } else {
            format!("{:.1}", peak as f64 / 1024.0)
        },
        server_pid.map_or("not found: RSS not measured".to_owned(), |p| p.to_string()),
    );
    Ok(results)
}

/// What "create task" names its tasks; generated tasks are `Task <n> <verb>`.
const CREATED_TASK_PREFIX: &str = "bench task ";

/// Deletes the tasks "create task" added, with their links, registry rows and updates (the
/// audit log keeps its entries), and vacuums what the run writes, so each run measures the
/// generated dataset: left in place, tens of thousands of them sorted first in the big project's
/// pages and pickers.
async fn remove_created_tasks(pool: &PgPool, tenant: &str) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let created: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM app.d_task WHERE tenant_id = $1 AND starts_with(name, $2)",
    )
    .bind(tenant)
    .bind(CREATED_TASK_PREFIX)
    .fetch_all(&mut *tx)
    .await?;
    for statement in [
        "DELETE FROM app.d_task_data WHERE tenant_id = $1 AND task_id = ANY($2)",
        "DELETE FROM app.d_entity_id_map WHERE tenant_id = $1 AND ((child_entity_type = 'task' AND child_entity_id = ANY($2)) OR (parent_entity_type = 'task' AND parent_entity_id = ANY($2)))",
        "DELETE FROM app.d_entity_id_rbac_map WHERE tenant_id = $1 AND entity_type = 'task' AND entity_id = ANY($2)",
        "DELETE FROM app.d_entity_instance_id WHERE tenant_id = $1 AND entity_type = 'task' AND entity_id = ANY($2)",
        "DELETE FROM app.d_task WHERE tenant_id = $1 AND id = ANY($2)",
    ] {
        sqlx::query(statement)
            .bind(tenant)
            .bind(&created)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("removing the tasks earlier runs created: {statement}"))?;
    }
    tx.commit().await?;
    // Every run starts from the same table state: the removals above, and move-task's updates
    // (none is HOT: `updated_ts` is indexed), leave dead index entries exactly where "newest
    // first" pages start reading — 740 buffers for a page of 51 instead of 52 after 90k of them.
    // Index cleanup is forced: those dead rows fill few pages, and below 2 % of the table's pages
    // a vacuum would leave the indexes as they are.
    sqlx::query(
        "VACUUM (ANALYZE, INDEX_CLEANUP ON) app.d_task, app.d_task_data, app.d_entity_id_map, app.d_entity_instance_id",
    )
    .execute(pool)
    .await
    .context("vacuuming the tables a run writes")?;
    Ok(created.len() as u64)
}

/// Signs in as one of the generated users (`bench.user`, `bench.admin`): the login answer and token.
async fn sign_in(
    client: &reqwest::Client,
    options: &RunOptions,
    local_part: &str,
) -> anyhow::Result<(Value, String)> {
    let email = super::generate::bench_email(local_part, &options.tenant);
    let login: Value = client
        .post(format!("{}/api/v1/auth/login", options.url))
        .json(&json!({ "email": email, "password": options.password, "tenant": options.tenant }))
        .send()
        .await?
        .error_for_status()
        .with_context(|| {
            format!(
                "signing in as {email} failed — was the tenant generated with `pmo bench generate`?"
            )
        })?
        .json()
        .await?;
    let token = login["token"]
        .as_str()
        .context("no token in the login answer")?
        .to_owned();
    Ok((login, token))
}

fn describe(m: &Measurement, kind: &str, concurrency: usize) -> String {
    format!(
        "{:<28} {:<5} c={:<3} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}  refused {}",
        m.endpoint, kind, concurrency, m.rps, m.p50_ms, m.p99_ms, m.errors, m.refused
    )
}

fn direct_floor_supported(endpoint: Endpoint) -> bool {
    matches!(
        endpoint,
        Endpoint::ProjectTasks
            | Endpoint::ProjectTasksDeep
            | Endpoint::ProjectsByStage
            | Endpoint::MyTasks
            | Endpoint::GetTask
    )
}

async fn discover(
    pool: &PgPool,
    client: &reqwest::Client,
    options: &RunOptions,
    token: &str,
    login: &Value,
) -> anyhow::Result<Fixtures> {
    let tenant = &options.tenant;
    // The biggest project the user reaches through a cascading grant.
    let big_project: Uuid = sqlx::query_scalar(
        "SELECT g.entity_id FROM app.d_entity_id_rbac_map g
         JOIN app.d_employee e ON e.tenant_id = g.tenant_id AND e.id = g.grantee_id
         WHERE g.tenant_id = $1 AND e.email = $2 AND g.cascade_flag AND g.entity_type = 'project'
         ORDER BY (SELECT count(*) FROM app.d_entity_id_map m WHERE m.tenant_id = g.tenant_id AND m.parent_entity_type = 'project'
                   AND m.parent_entity_id = g.entity_id AND m.child_entity_type = 'task' AND m.active_flag) DESC
         LIMIT 1",
    )
    .bind(tenant)
    .bind(super::generate::bench_email(super::generate::BENCH_USER_LOCAL, tenant))
    .fetch_one(pool)
    .await
    .context("the benchmark user has no cascading project grant — regenerate the tenant")?;
    // Walk 20 pages to get a deep cursor.
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let mut url = format!(
            "{}/api/v1/project/{big_project}/task?limit=50&sort=updated_ts&order=desc",
            options.url
        );
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let task: Uuid = sqlx::query_scalar(
        "SELECT child_entity_id FROM app.d_entity_id_map WHERE tenant_id = $1 AND parent_entity_type = 'project'
         AND parent_entity_id = $2 AND child_entity_type = 'task' AND active_flag LIMIT 1",
    )
    .bind(tenant)
    .bind(big_project)
    .fetch_one(pool)
    .await?;
    let employee_id = login["employee"]["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .context("employee id")?;
    Ok(Fixtures {
        big_project,
        deep_cursor: cursor.context("the big project has fewer than 2 pages of tasks")?,
        task,
        user: CurrentUser {
            tenant_id: tenant.clone(),
            employee_id,
            session_id: Uuid::nil(),
            tenant_admin: false,
            name: "bench".to_owned(),
            email: String::new(),
            // The floor runs the SQL a warm server runs: the caller's permission answers are
            // read once and reused, so each call is the list's own query.
            cache: Some(crate::cache::Cache::from_config(
                &crate::config::Config::default(),
            )?),
        },
    })
}

/// Who sends which request, for `call_api`.
#[derive(Clone)]
struct ApiCaller {
    client: reqwest::Client,
    url: String,
    token: String,
    fixtures: Arc<Fixtures>,
    endpoint: Endpoint,
}

impl ApiCaller {
    fn call(self, worker: usize) -> impl Future<Output = Outcome> + Send + 'static {
        call_api(
            self.client,
            self.url,
            self.token,
            self.fixtures,
            self.endpoint,
            worker,
        )
    }
}

/// One API request; Ok(()) for a 2xx answer.
async fn call_api(
    client: reqwest::Client,
    url: String,
    token: String,
    fixtures: Arc<Fixtures>,
    endpoint: Endpoint,
    worker: usize,
) -> Outcome {
    let f = &fixtures;
    let request = match endpoint {
        Endpoint::ProjectTasks => client.get(format!(
            "{url}/api/v1/project/{}/task?limit=50&sort=updated_ts&order=desc",
            f.big_project
        )),
        Endpoint::ProjectTasksDeep => client.get(format!(
            "{url}/api/v1/project/{}/task?limit=50&sort=updated_ts&order=desc&cursor={}",
            f.big_project, f.deep_cursor
        )),
        Endpoint::ProjectsByStage => {
            client.get(format!("{url}/api/v1/project?project_stage=2&limit=50"))
        }
        // Every task the user may see (grants, role, cascades), newest first: SPEC §9's user-wide list.
        Endpoint::MyTasks => client.get(format!(
            "{url}/api/v1/task?limit=50&sort=updated_ts&order=desc"
        )),
        Endpoint::GetTask => client.get(format!("{url}/api/v1/task/{}", f.task)),
        Endpoint::Options => {
            client.get(format!("{url}/api/v1/entity/task/options?q=inst&limit=20"))
        }
        Endpoint::Search => client.get(format!("{url}/api/v1/search?q=boiler&limit=20")),
        Endpoint::CreateTask => client
            .post(format!("{url}/api/v1/project/{}/task", f.big_project))
            .json(&json!({ "name": format!("{CREATED_TASK_PREFIX}{worker}"), "task_stage": 0 })),
        Endpoint::MoveTask => return move_task(client, url, token, fixtures.clone(), worker).await,
    };
    match request.bearer_auth(&token).send().await {
        Ok(response) if response.status().is_success() => response
            .bytes()
            .await
            .map(|_| ())
            .map_err(|_| Failure::Error),
        Ok(response) => Err(Failure::of(response.status())),
        Err(_) => Err(Failure::Error),
    }
}

/// Moves one task through the stages: read its version, PATCH the next stage at that version.
async fn move_task(
    client: reqwest::Client,
    url: String,
    token: String,
    fixtures: Arc<Fixtures>,
    worker: usize,
) -> Outcome {
    let path = format!("{url}/api/v1/task/{}", fixtures.task);
    let read = client
        .get(&path)
        .bearer_auth(&token)
        .send()
        .await
        .map_err(|_| Failure::Error)?;
    if !read.status().is_success() {
        return Err(Failure::of(read.status()));
    }
    let current: Value = read.json().await.map_err(|_| Failure::Error)?;
    let stage = (current["task_stage"].as_i64().unwrap_or(0) + 1 + worker as i64) % 7;
    let response = client
        .patch(&path)
        .bearer_auth(&token)
        .json(&json!({ "task_stage": stage, "version": current["version"] }))
        .send()
        .await
        .map_err(|_| Failure::Error)?;
    // A conflict with another worker is the concurrency control working, not an error.
    if response.status().is_success() || response.status() == reqwest::StatusCode::CONFLICT {
        Ok(())
    } else {
        Err(Failure::of(response.status()))
    }
}

/// The same work straight against PostgreSQL, as the handlers do it.
async fn call_direct(
    (pool, cached_plans): (PgPool, PgPool),
    fixtures: Arc<Fixtures>,
    key: FieldKey,
    endpoint: Endpoint,
) -> Outcome {
    let f = &fixtures;
    let params = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<std::collections::HashMap<_, _>>()
    };
    let newest_first = [("limit", "50"), ("sort", "updated_ts"), ("order", "desc")];
    // Every list read is the same call: which type, under which parent, with which parameters.
    let (entity, scope, mut query) = match endpoint {
        Endpoint::ProjectTasks | Endpoint::ProjectTasksDeep => (
            EntityType::Task,
            Scope::ChildrenOf {
                parent: EntityType::Project,
                parent_id: f.big_project,
            },
            params(&newest_first),
        ),
        Endpoint::ProjectsByStage => (
            EntityType::Project,
            Scope::All,
            params(&[("limit", "50"), ("project_stage", "2")]),
        ),
        Endpoint::MyTasks => (EntityType::Task, Scope::All, params(&newest_first)),
        Endpoint::GetTask => {
            return records::get_record(&pool, &f.user, EntityType::Task, f.task, &key)
                .await
                .map(|_| ())
                .map_err(|_| Failure::Error);
        }
        _ => return Err(Failure::Error),
    };
    if endpoint == Endpoint::ProjectTasksDeep {
        query.insert("cursor".to_owned(), f.deep_cursor.clone());
    }
    let def = entity.registry();
    let request = records::parse_list_request(def, &query).map_err(|_| Failure::Error)?;
    records::list_records(&pool, &cached_plans, &f.user, def, scope, &request, &key)
        .await
        .map(|_| ())
        .map_err(|_| Failure::Error)
}

/// Closed loop: `concurrency` workers each send the next request when the last one answered.
async fn measure<F, Fut>(
    endpoint: Endpoint,
    concurrency: usize,
    duration: Duration,
    call: F,
) -> Measurement
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Outcome> + Send,
{
    let histogram = Arc::new(Mutex::new(new_histogram()));
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (call, histogram, tally) = (call.clone(), histogram.clone(), tally.clone());
        workers.push(tokio::spawn(async move {
            let mut local = new_histogram();
            while Instant::now() < deadline {
                let sent = Instant::now();
                match call(worker).await {
                    Ok(()) => {
                        let _ = local.record(
                            u64::try_from(sent.elapsed().as_micros())
                                .unwrap_or(u64::MAX)
                                .max(1),
                        );
                    }
                    Err(failure) => tally.count(failure),
                }
            }
            let _ = histogram.lock().await.add(&local);
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let histogram = histogram.lock().await;
    summarize(endpoint, "closed", &histogram, tally.load(), elapsed)
}

/// Open loop: requests are started at a fixed rate whatever the answers do; latency counts from
/// the scheduled start, so a slow server cannot hide queueing (no coordinated omission).
async fn measure_open_loop<F, Fut>(
    endpoint: Endpoint,
    rate: u32,
    duration: Duration,
    call: F,
) -> Measurement
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let histogram = Arc::new(Mutex::new(new_histogram()));
    let tally = Arc::new(Tally::default());
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    let started = Instant::now();
    let total = (duration.as_secs_f64() * f64::from(rate)) as u64;
    let in_flight = Arc::new(tokio::sync::Semaphore::new(4096));
    let mut tasks = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for i in 0..total {
        let scheduled = started + interval.mul_f64(i as f64);
        tokio::time::sleep_until(tokio::time::Instant::from_std(scheduled)).await;
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let (call, histogram, tally) = (call.clone(), histogram.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let outcome = call().await;
            let latency = u64::try_from(scheduled.elapsed().as_micros())
                .unwrap_or(u64::MAX)
                .max(1);
            match outcome {
                Ok(()) => {
                    let _ = histogram.lock().await.record(latency);
                }
                Err(failure) => tally.count(failure),
            }
            drop(permit);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let histogram = histogram.lock().await;
    let mut m = summarize(endpoint, "open", &histogram, tally.load(), elapsed);
    m.mode = format!("open {rate}/s");
    m
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3)
        .unwrap_or_else(|_| unreachable!("constant bounds are valid"))
}

fn summarize(
    endpoint: Endpoint,
    mode: &str,
    histogram: &Histogram<u64>,
    (errors, refused): (u64, u64),
    elapsed: f64,
) -> Measurement {
    Measurement {
        endpoint: endpoint.name().to_owned(),
        mode: mode.to_owned(),
        requests: histogram.len(),
        errors,
        refused,
        rps: histogram.len() as f64 / elapsed.max(1e-9),
        p50_ms: histogram.value_at_quantile(0.5) as f64 / 1000.0,
        p99_ms: histogram.value_at_quantile(0.99) as f64 / 1000.0,
    }
}

/// The pid listening on the URL's port (Linux: /proc/net/tcp inode → /proc/<pid>/fd).
fn server_pid(url: &str) -> Option<u32> {
    let port: u16 = url.rsplit(':').next()?.trim_end_matches('/').parse().ok()?;
    let tcp = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let inode = tcp.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let local_port = u16::from_str_radix(cols.get(1)?.rsplit(':').next()?, 16).ok()?;
        (local_port == port && cols.get(3) == Some(&"0A"))
            .then(|| cols.get(9).map(|s| (*s).to_owned()))?
    })?;
    let needle = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|target| target.to_string_lossy() == needle)
            {
                return Some(pid);
            }
        }
    }
    None
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
}

/// The measurements as a Markdown table.
pub fn markdown(results: &[Measurement]) -> String {
    let mut out = String::from(
        "| endpoint | mode | answered | errors | refused (503) | req/s answered | p50 ms | p99 ms |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for m in results {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0} | {:.2} | {:.2} |\n",
            m.endpoint, m.mode, m.requests, m.errors, m.refused, m.rps, m.p50_ms, m.p99_ms
        ));
    }
    out
}
