//! Finding the PostgreSQL server binaries installed on the machine.

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::ManagedPgError;

/// Oldest supported major version.
pub const MIN_MAJOR: u32 = 14;

/// Programs the cluster needs from the bin directory.
const REQUIRED_TOOLS: [&str; 4] = ["initdb", "pg_ctl", "postgres", "psql"];

/// A directory with usable PostgreSQL server binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    /// Directory holding `initdb`, `pg_ctl`, `postgres` and `psql`.
    pub bin_dir: PathBuf,
    /// Major version, e.g. 16.
    pub major: u32,
    /// Version as printed by `postgres --version`, e.g. "16.4".
    pub version: String,
}

impl PgBinaries {
    /// Path of one program in the bin directory.
    pub fn tool(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }
}

/// Finds PostgreSQL server binaries, version 14 or newer.
///
/// With `explicit`, only that directory is considered. Otherwise, in this order: `pg_config
/// --bindir`, `/usr/lib/postgresql/<N>/bin` (highest N first), `/usr/pgsql-<N>/bin`,
/// `/usr/local/pgsql/bin`, `/opt/homebrew/opt/postgresql@<N>/bin`,
/// `/usr/local/opt/postgresql@<N>/bin`, and the directory of any `initdb` on `PATH`. The first
/// directory holding `initdb`, `pg_ctl`, `postgres` and `psql` whose `postgres --version` is 14 or
/// newer wins.
pub fn discover_binaries(explicit: Option<&Path>) -> Result<PgBinaries, ManagedPgError> {
    discover_for(explicit, None)
}

/// Like [`discover_binaries`], but when `data` names an existing data directory and its major
/// version, only binaries of that major version are accepted.
pub(crate) fn discover_for(
    explicit: Option<&Path>,
    data: Option<(&Path, u32)>,
) -> Result<PgBinaries, ManagedPgError> {
    let candidates = match explicit {
        Some(dir) => vec![dir.to_path_buf()],
        None => candidate_dirs(),
    };
    let mut searched = Vec::new();
    let mut too_old: Option<(String, PathBuf)> = None;
    let mut other_major: Option<PgBinaries> = None;
    for dir in candidates {
        searched.push(dir.clone());
        if !REQUIRED_TOOLS
            .iter()
            .all(|tool| is_executable(&dir.join(tool)))
        {
            tracing::debug!(dir = %dir.display(), "no PostgreSQL server binaries here");
            continue;
        }
        let (major, version) = match probe_version(&dir) {
            Ok(found) => found,
            Err(reason) => {
                tracing::debug!(dir = %dir.display(), %reason, "unusable PostgreSQL binaries");
                continue;
            }
        };
        if major < MIN_MAJOR {
            too_old.get_or_insert((version, dir));
            continue;
        }
        let binaries = PgBinaries {
            bin_dir: dir,
            major,
            version,
        };
        if let Some((_, want)) = data
            && want != major
        {
            other_major.get_or_insert(binaries);
            continue;
        }
        tracing::debug!(dir = %binaries.bin_dir.display(), version = %binaries.version, "found PostgreSQL");
        return Ok(binaries);
    }
    if let (Some((data_dir, data_major)), Some(found)) = (data, other_major) {
        return Err(ManagedPgError::VersionMismatch {
            data_dir: data_dir.to_path_buf(),
            data_major,
            found_major: found.major,
            bin_dir: found.bin_dir,
        });
    }
    if let Some((version, bin_dir)) = too_old {
        return Err(ManagedPgError::TooOld { version, bin_dir });
    }
    Err(ManagedPgError::NotInstalled { searched })
}

/// Candidate bin directories, most preferred first, without duplicates.
fn candidate_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = pg_config_bindir() {
        dirs.push(dir);
    }
    dirs.extend(versioned(Path::new("/usr/lib/postgresql"), "", "bin"));
    dirs.extend(versioned(Path::new("/usr"), "pgsql-", "bin"));
    dirs.push(PathBuf::from("/usr/local/pgsql/bin"));
    for base in ["/opt/homebrew/opt", "/usr/local/opt"] {
        dirs.extend(versioned(Path::new(base), "postgresql@", "bin"));
        dirs.push(Path::new(base).join("postgresql/bin"));
    }
    dirs.extend(initdb_dirs_on_path());

    let mut seen = HashSet::new();
    dirs.into_iter()
        .filter(|dir| seen.insert(dir.canonicalize().unwrap_or_else(|_| dir.clone())))
        .collect()
}

/// `<base>/<prefix><N>/<sub>` for every N found, highest first.
fn versioned(base: &Path, prefix: &str, sub: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(base) else {
        return Vec::new();
    };
    let mut found: Vec<(u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let version = name.to_str()?.strip_prefix(prefix)?.parse::<u32>().ok()?;
            Some((version, entry.path().join(sub)))
        })
        .collect();
    found.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    found.into_iter().map(|(_, dir)| dir).collect()
}

fn pg_config_bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let dir = String::from_utf8(output.stdout).ok()?;
    let dir = dir.trim();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// Directories (symbolic links resolved) of every `initdb` on `PATH`.
fn initdb_dirs_on_path() -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    std::env::split_paths(&path)
        .map(|dir| dir.join("initdb"))
        .filter(|initdb| is_executable(initdb))
        .filter_map(|initdb| initdb.canonicalize().ok()?.parent().map(Path::to_path_buf))
        .collect()
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Runs `postgres --version` and returns (major, version).
fn probe_version(dir: &Path) -> Result<(u32, String), String> {
    let mut command = Command::new(dir.join("postgres"));
    command.arg("--version").stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.as_encoded_bytes().starts_with(b"PG") {
            command.env_remove(&key);
        }
    }
    let output = command
        .output()
        .map_err(|err| format!("cannot run postgres --version: {err}"))?;
    if !output.status.success() {
        return Err(format!("postgres --version exited with {}", output.status));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    parse_version(&text).ok_or_else(|| format!("unrecognised version output {:?}", text.trim()))
}

/// Parses `postgres (PostgreSQL) 16.4 (Debian 16.4-1)` into (16, "16.4").
pub(crate) fn parse_version(text: &str) -> Option<(u32, String)> {
    let rest = match text.find("(PostgreSQL)") {
        Some(at) => &text[at + "(PostgreSQL)".len()..],
        None => text,
    };
    let version = rest
        .split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))?;
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    Some((digits.parse().ok()?, version.to_owned()))
}

/// Reads the major version from `<data_dir>/PG_VERSION`, if the file exists.
pub(crate) fn data_dir_major(data_dir: &Path) -> Result<Option<u32>, ManagedPgError> {
    let file = data_dir.join("PG_VERSION");
    match std::fs::read_to_string(&file) {
        Ok(text) => text.trim().parse::<u32>().map(Some).map_err(|_| {
            ManagedPgError::InvalidOption(format!(
                "{} does not hold a major version",
                file.display()
            ))
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(ManagedPgError::io_at("read", &file, err)),
    }
}
