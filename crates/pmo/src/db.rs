//! The database connection: an external PostgreSQL from configuration, or the managed cluster in
//! the data directory. Every command opens it through `Database::open`; a server opens its
//! connections before it serves and keeps them (`Keep`).

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use managed_postgres::{ClusterLease, ClusterOptions, ReleaseOutcome};
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgPool};

use crate::config::{Config, DatabaseConfig};

/// Migrations compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Name of the database and role inside the managed cluster.
const MANAGED_DATABASE: &str = "pmo";
const MANAGED_ROLE: &str = "pmo";

/// The connection pools, plus the lease on the managed cluster when there is one.
pub struct Database {
    pub pool: PgPool,
    /// Connections whose statements run on their cached generic plan (`cached_plan_pool`).
    pub cached_plans: PgPool,
    lease: Option<ClusterLease>,
    /// Where the pool points, for messages (never contains a password).
    pub description: String,
}

impl Database {
    /// Connects to the configured database, starting the managed cluster first when no URL is set.
    /// Fails within the connect timeout when the database cannot be reached, and, with
    /// [`Keep::Configured`], when the pools' kept connections cannot all be opened.
    pub async fn open(config: &Config, keep: Keep) -> anyhow::Result<Database> {
        if config.database.replica_url.is_some() {
            // Accepted so a deployment can pass it ahead of time (the Terraform does); nothing
            // reads from it yet, and the operator should not believe otherwise.
            tracing::warn!(
                "database.replica_url is set but not used yet: every query goes to the primary"
            );
        }
        let (options, lease, description) = match &config.database.url {
            Some(url) => {
                let options = PgConnectOptions::from_str(url.expose_secret())
                    .context("configuration key `database.url` is not a valid PostgreSQL URL")?;
                let description = describe_target(&options);
                (options, None, description)
            }
            None => {
                prepare_data_dir(&config.data_dir)?;
                let cluster_options = managed_cluster_options(config);
                let lease =
                    tokio::task::spawn_blocking(move || ClusterLease::acquire(&cluster_options))
                        .await
                        .context("the managed PostgreSQL task failed")??;
                let options = PgConnectOptions::new()
                    .socket(lease.socket_dir())
                    .port(lease.port())
                    .username(lease.role())
                    .database(lease.database());
                let description = format!("managed PostgreSQL in {}", lease.socket_dir().display());
                (options, Some(lease), description)
            }
        };
        let options = options
            .application_name("pmo")
            .options([("statement_timeout", "30s")]);
        let pools = connect_pools(config, options, keep, &description).await;
        let (pool, cached_plans) = match pools {
            Ok(pools) => pools,
            Err(err) => {
                if let Some(lease) = lease {
                    release_lease(lease).await;
                }
                return Err(err);
            }
        };
        Ok(Database {
            pool,
            cached_plans,
            lease,
            description,
        })
    }

    /// Closes the pool and, when this was the last user of the managed cluster, stops it cleanly.
    pub async fn close(self) {
        self.cached_plans.close().await;
        self.pool.close().await;
        if let Some(lease) = self.lease {
            release_lease(lease).await;
        }
    }

    pub fn is_managed(&self) -> bool {
        self.lease.is_some()
    }
}

/// How long a pooled connection may sit idle before it is pinged on acquire.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// Which connections a pool keeps open between requests.
///
/// A connection opened while requests are being served is slow to open: sqlx computes the
/// SCRAM proof (4,096 rounds of HMAC) in steps that yield to the runtime every 5 rounds, and
/// each yield waits its turn behind every runnable request, so at c=64 a new connection took
/// 2–5 s to authenticate and the request waiting for it got 503 after the acquire timeout
/// (docs/BENCHMARKS.md, Next 8). A server therefore opens its connections before it serves and
/// keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// `database.min_connections` of each pool (unset: all of them), opened before this
    /// returns and kept: a server.
    Configured,
    /// None: connections open on demand and close after the idle timeout. One-shot commands,
    /// which need one or two, and tests.
    OnDemand,
}

async fn connect_pools(
    config: &Config,
    options: PgConnectOptions,
    keep: Keep,
    description: &str,
) -> anyhow::Result<(PgPool, PgPool)> {
    let db = &config.database;
    // Every query here is a short indexed read or write: JIT compilation only adds latency (a
    // global search whose estimate crossed `jit_above_cost` spent 22 ms compiling for a 10 ms
    // run — docs/BENCHMARKS.md).
    let options = options.options([("jit", "off")]);
    let pool = pool_options(db, db.max_connections, keep).connect_lazy_with(options);
    let cached_plans = cached_plan_pool(&pool, db, keep);
    // Prove the database answers now, so a wrong URL fails start-up instead of the first
    // request, and open the connections the pools keep.
    let opening = async {
        open_connections(&pool, kept_connections(db, db.max_connections, keep).max(1)).await?;
        open_connections(
            &cached_plans,
            kept_connections(db, db.cached_plan_connections, keep),
        )
        .await
    };
    match tokio::time::timeout(Duration::from_secs(db.connect_timeout_secs), opening).await {
        Ok(Ok(())) => Ok((pool, cached_plans)),
        Ok(Err(err)) => Err(anyhow::anyhow!(
            "cannot connect to the database at {description}: {}",
            root_message(&err)
        )),
        Err(_) => Err(anyhow::anyhow!(
            "cannot connect to the database at {description}: no answer within {} s",
            db.connect_timeout_secs
        )),
    }
}

/// Opens `count` connections of `pool` at once and returns them to it idle.
async fn open_connections(pool: &PgPool, count: u32) -> Result<(), sqlx::Error> {
    let connections = futures::future::try_join_all((0..count).map(|_| pool.acquire())).await?;
    drop(connections);
    Ok(())
}

/// How many of a pool's `size` connections it keeps open.
fn kept_connections(db: &DatabaseConfig, size: u32, keep: Keep) -> u32 {
    match keep {
        Keep::Configured => db.min_connections.unwrap_or(size).min(size),
        Keep::OnDemand => 0,
    }
}

/// The settings both pools share: size, kept connections, timeouts, the ping of idle
/// connections.
fn pool_options(db: &DatabaseConfig, max_connections: u32, keep: Keep) -> PgPoolOptions {
    let kept = kept_connections(db, max_connections, keep);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(kept)
        // sqlx closes *every* connection idle this long and then opens new ones up to
        // `min_connections`: with all connections kept that is churn, not shrinking.
        .idle_timeout((kept < max_connections).then(|| Duration::from_secs(db.idle_timeout_secs)))
        // sqlx's default (30 min) would retire the connections opened together at start-up
        // together, and the requests of that moment would wait for new ones (see `Keep`). A
        // broken connection is still replaced: it fails the ping sqlx sends on every release.
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(db.acquire_timeout_secs))
        // A connection idle for a while may have been cut (a database restart, a network
        // blip): ping it before use. One in steady use is not: a ping before every acquire was a
        // round trip per request, 5 % of the server's CPU on a list page at c=64.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

/// A second pool to the same database (`database.cached_plan_connections` connections) whose
/// connections start with `plan_cache_mode = force_generic_plan`: a prepared statement there is
/// planned once per connection, where PostgreSQL's automatic choice makes five custom plans on
/// every connection before it settles on the generic one. For statements whose generic plan is
/// known to be the right one only — a dense caller's page or picker read by parts (each branch
/// walks one parent's index in the page's order) — so their planning is not paid again and again
/// while a pool's connections warm up (docs/BENCHMARKS.md, Next 7), and a non-admin's global
/// search (whose settings, `search::SEARCH_SETTINGS`, its connections also start with, so a
/// search needs no transaction to set them). It keeps connections open as
/// `keep` says, capped at its own size. Everything else stays on the main pool, where pickers
/// matching a pattern need the custom plans that see it.
pub fn cached_plan_pool(pool: &PgPool, db: &DatabaseConfig, keep: Keep) -> PgPool {
    let options = (*pool.connect_options())
        .clone()
        .options([("plan_cache_mode", "force_generic_plan")])
        .options(crate::search::SEARCH_SETTINGS);
    pool_options(db, db.cached_plan_connections, keep).connect_lazy_with(options)
}

/// `host:port/database` of a connection target, without credentials.
fn describe_target(options: &PgConnectOptions) -> String {
    format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("(default)")
    )
}

fn root_message(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::PoolTimedOut => "timed out".to_owned(),
        other => other.to_string(),
    }
}

/// Creates the data directory traversable (0755) so the cluster's unprivileged user can reach its
/// `postgres/` folder when `pmo` runs as root; everything inside that folder is 0700.
fn prepare_data_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    Ok(())
}

fn managed_cluster_options(config: &Config) -> ClusterOptions {
    ClusterOptions {
        bin_dir: config.managed_postgres.bin_dir.clone(),
        run_as_user: config.managed_postgres.run_as_user.clone(),
        database: MANAGED_DATABASE.to_owned(),
        role: MANAGED_ROLE.to_owned(),
        start_timeout: Duration::from_secs(config.managed_postgres.start_timeout_secs),
        ..ClusterOptions::new(config.data_dir.join("postgres"))
    }
}

async fn release_lease(lease: ClusterLease) {
    match tokio::task::spawn_blocking(move || lease.release()).await {
        Ok(Ok(ReleaseOutcome::Stopped)) => tracing::info!("managed PostgreSQL stopped"),
        Ok(Ok(outcome)) => tracing::info!(?outcome, "managed PostgreSQL left running"),
        Ok(Err(err)) => tracing::error!(error = %err, "stopping the managed PostgreSQL failed"),
        Err(err) => tracing::error!(error = %err, "stopping the managed PostgreSQL failed"),
    }
}

/// Applies pending migrations and returns how many ran.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<usize> {
    let before = applied_migrations(pool).await?;
    // One connection without the pool's 30 s statement limit: a migration that rewrites or
    // indexes a large table may take minutes. The connection is closed afterwards rather than
    // returned to the pool with the limit lifted.
    let mut conn = pool.acquire().await?;
    sqlx::query("SET statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    let applied = MIGRATOR.run(&mut *conn).await;
    conn.close_on_drop();
    drop(conn);
    applied.context("applying migrations failed")?;
    let after = applied_migrations(pool).await?;
    Ok(after.saturating_sub(before))
}

async fn applied_migrations(pool: &PgPool) -> anyhow::Result<usize> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL")
            .fetch_one(pool)
            .await?;
    if !exists {
        return Ok(0);
    }
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM public._sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// Whether `err` is PostgreSQL refusing a write because of the named constraint or unique index:
/// callers turn the ones they expect into a precise answer instead of a generic one.
pub fn violates(err: &sqlx::Error, constraint: &str) -> bool {
    err.as_database_error()
        .and_then(|e| e.constraint())
        .is_some_and(|c| c == constraint)
}
