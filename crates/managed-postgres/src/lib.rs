//! A private PostgreSQL cluster inside an application's data directory.
//!
//! [`ClusterLease::acquire`] creates the cluster on first use (with the PostgreSQL server binaries
//! installed on the machine), starts it when it is not running, makes sure the application's role
//! and database exist, and returns a lease. Several processes may hold leases on the same cluster
//! at once; [`ClusterLease::release`] stops the cluster only when no other lease is held (last one
//! out). A lease that is dropped (or whose process dies) simply stops counting as a user: the
//! cluster keeps running and is reused by the next `acquire`.
//!
//! The cluster listens on a Unix socket only, in a directory that only its owner (and root) can
//! enter. See README.md for the lease protocol and the security model.
//!
//! Everything here is blocking (`std::process`, `flock`); call it from a blocking thread.

mod cluster;
mod discover;
mod error;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use discover::{MIN_MAJOR, PgBinaries, discover_binaries};
pub use error::ManagedPgError;

use cluster::Cluster;

/// Port used for the socket name (`.s.PGSQL.<port>`) unless configured otherwise. The cluster never
/// listens on TCP, so this cannot clash with another PostgreSQL.
pub const DEFAULT_PORT: u16 = 5432;

/// Name of the cluster's superuser, created by `initdb`. Only the run-as user (and root) can
/// connect as it, through the private socket.
pub const SUPERUSER: &str = "postgres";

/// What to run and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterOptions {
    /// Directory owned by this crate, e.g. `<data_dir>/postgres`. Created when missing; holds
    /// `data/` (the cluster), `log/postgres.log`, `run/` (the socket) and the lock files.
    pub root_dir: PathBuf,
    /// Directory holding `initdb`, `pg_ctl`, `postgres` and `psql`; discovered when `None`.
    pub bin_dir: Option<PathBuf>,
    /// Operating-system user the cluster runs as when this process runs as root.
    pub run_as_user: String,
    /// Database to ensure exists.
    pub database: String,
    /// Non-superuser LOGIN role (with CREATEDB) that owns `database`.
    pub role: String,
    /// How long to wait for the server to accept connections (also used for stopping).
    pub start_timeout: Duration,
    /// Port number in the socket name; nothing listens on TCP.
    pub port: u16,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            root_dir: PathBuf::new(),
            bin_dir: None,
            run_as_user: "postgres".to_owned(),
            database: "pmo".to_owned(),
            role: "pmo".to_owned(),
            start_timeout: Duration::from_secs(60),
            port: DEFAULT_PORT,
        }
    }
}

impl ClusterOptions {
    /// Default options for a cluster under `root_dir`.
    pub fn new(root_dir: impl Into<PathBuf>) -> Self {
        ClusterOptions {
            root_dir: root_dir.into(),
            ..ClusterOptions::default()
        }
    }
}

/// What [`ClusterLease::release`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseOutcome {
    /// This was the last lease: the cluster was stopped (or was found not running).
    Stopped,
    /// Other leases are still held, so the cluster keeps running.
    LeftRunning { reason: String },
}

/// A running cluster that this process uses. Holds a shared `flock` on `<root_dir>/users.lock`
/// for its whole lifetime.
#[derive(Debug)]
pub struct ClusterLease {
    cluster: Cluster,
    /// Shared lock on `users.lock`; closing the file releases it.
    users_lock: File,
    started_here: bool,
}

impl ClusterLease {
    /// Creates the cluster if needed, starts it if it is not running, makes sure the role and the
    /// database exist, and registers this process as a user. Blocks while another process is
    /// starting or stopping the same cluster.
    pub fn acquire(opts: &ClusterOptions) -> Result<ClusterLease, ManagedPgError> {
        let (cluster, users_lock, started_here) = Cluster::acquire(opts)?;
        Ok(ClusterLease {
            cluster,
            users_lock,
            started_here,
        })
    }

    /// Directory holding the server's Unix socket (`.s.PGSQL.<port>`).
    pub fn socket_dir(&self) -> &Path {
        &self.cluster.socket_dir
    }

    /// Port number in the socket name.
    pub fn port(&self) -> u16 {
        self.cluster.port
    }

    /// The application's database.
    pub fn database(&self) -> &str {
        &self.cluster.database
    }

    /// The application's role (connects without password through the socket).
    pub fn role(&self) -> &str {
        &self.cluster.role
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.cluster.data
    }

    /// The server log.
    pub fn log_file(&self) -> &Path {
        &self.cluster.log_file
    }

    /// The server binaries in use.
    pub fn binaries(&self) -> &PgBinaries {
        &self.cluster.binaries
    }

    /// Whether this `acquire` started the server (false when it was already running).
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// `postgres://<role>@localhost:<port>/<database>?host=<socket dir>&sslmode=disable`, accepted
    /// by libpq (`psql`) and by sqlx (`PgConnectOptions::from_str`), which connect to the socket
    /// named by `host`.
    pub fn connection_url(&self) -> String {
        format!(
            "postgres://{}@localhost:{}/{}?host={}&sslmode=disable",
            percent_encode(&self.cluster.role, false),
            self.cluster.port,
            percent_encode(&self.cluster.database, false),
            percent_encode(&self.cluster.socket_dir.to_string_lossy(), true),
        )
    }

    /// Stops using the cluster. When no other lease is held, stops the server (fast shutdown:
    /// open sessions are disconnected, in-flight transactions roll back) and waits for it.
    pub fn release(self) -> Result<ReleaseOutcome, ManagedPgError> {
        let ClusterLease {
            cluster,
            users_lock,
            ..
        } = self;
        drop(users_lock);
        cluster.release()
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters (and `/` when `keep_slash`).
fn percent_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
