//! The error type. Every variant displays as one line that tells the operator what to do.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why the managed cluster could not be discovered, created, started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ManagedPgError {
    /// No usable PostgreSQL server binaries were found.
    #[error(
        "PostgreSQL server binaries (version 14 or newer) were not found (searched: {}); install them (e.g. `apt-get install postgresql` or `brew install postgresql@16`) or set a database URL (PMO_DATABASE_URL) to use an existing PostgreSQL",
        join_paths(.searched)
    )]
    NotInstalled { searched: Vec<PathBuf> },

    /// Server binaries were found, but only older than version 14.
    #[error(
        "PostgreSQL {version} in {} is too old (14 or newer is required); install a newer server (e.g. `apt-get install postgresql` or `brew install postgresql@16`) or set a database URL (PMO_DATABASE_URL)",
        .bin_dir.display()
    )]
    TooOld { version: String, bin_dir: PathBuf },

    /// The data directory was created by another major version than the binaries found.
    #[error(
        "the PostgreSQL data directory {} was created by PostgreSQL {data_major}, but the server binaries found are PostgreSQL {found_major} ({}); install the PostgreSQL {data_major} server binaries (or point the bin dir at them), or upgrade the data directory with pg_upgrade",
        .data_dir.display(),
        .bin_dir.display()
    )]
    VersionMismatch {
        data_dir: PathBuf,
        data_major: u32,
        found_major: u32,
        bin_dir: PathBuf,
    },

    /// Running as root, and the unprivileged user the cluster must run as does not exist.
    #[error(
        "running as root, the private PostgreSQL must run as the unprivileged system user `{user}`, which does not exist; create it (e.g. `useradd --system --no-create-home --shell /usr/sbin/nologin {user}`), configure another run-as user, or run as a non-root user"
    )]
    RunAsUserMissing { user: String },

    /// The run-as user cannot traverse a directory on the way to the cluster.
    #[error(
        "user `{user}`, which runs the private PostgreSQL, cannot enter directory {path}; make it traversable (e.g. `chmod o+x {path}`), use a data directory elsewhere, or run as a non-root user",
        path = .path.display()
    )]
    DirNotReachable { path: PathBuf, user: String },

    /// A directory of the cluster belongs to a user other than the one the cluster runs as.
    #[error(
        "{path} belongs to uid {owner_uid}, but the private PostgreSQL runs as `{user}` (uid {uid}); fix it with `chown -R {user} {path}` or run as that user",
        path = .path.display()
    )]
    WrongOwner {
        path: PathBuf,
        owner_uid: u32,
        user: String,
        uid: u32,
    },

    /// The socket directory (outside the data directory) exists but cannot be trusted.
    #[error("refusing to use the PostgreSQL socket directory {}: {reason}; remove it and retry", .path.display())]
    UnsafeSocketDir { path: PathBuf, reason: String },

    /// The options cannot work.
    #[error("invalid managed PostgreSQL option: {0}")]
    InvalidOption(String),

    /// A PostgreSQL program failed.
    #[error("`{command}` failed ({status}): {stderr_tail}")]
    CommandFailed {
        command: String,
        status: String,
        stderr_tail: String,
    },

    /// The server did not accept connections in time.
    #[error(
        "PostgreSQL did not accept connections within {} s; it may still be starting (e.g. recovering after a crash): see {} and retry, or raise the start timeout",
        .timeout.as_secs(),
        .log.display()
    )]
    StartTimeout { timeout: Duration, log: PathBuf },

    /// A file-system operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

impl ManagedPgError {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        ManagedPgError::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn io_at(what: &str, path: &Path, source: io::Error) -> Self {
        ManagedPgError::Io {
            context: format!("cannot {what} {}", path.display()),
            source,
        }
    }
}

fn join_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nothing".to_owned();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
