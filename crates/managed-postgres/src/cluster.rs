//! The cluster itself: directories, `initdb`, `pg_ctl`, `psql`, and the lock files.

use std::ffi::OsStr;
use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::unistd::{User, geteuid};

use crate::discover::{self, PgBinaries};
use crate::error::ManagedPgError;
use crate::{ClusterOptions, ReleaseOutcome, SUPERUSER};

type Result<T> = std::result::Result<T, ManagedPgError>;

/// Written in `root_dir` once `initdb` and the configuration have completed.
const INIT_MARKER: &str = "initdb.done";
/// Settings rewritten before every start, included from `postgresql.conf`.
const MANAGED_CONF: &str = "managed.conf";
/// The server log is moved aside at start once it is larger than this.
const LOG_ROTATE_BYTES: u64 = 10 * 1024 * 1024;
/// Longest socket path (`<dir>/.s.PGSQL.<port>`) the platform accepts (`sun_path` minus NUL).
const MAX_SOCKET_PATH: usize = if cfg!(target_os = "linux") { 107 } else { 103 };
/// Characters refused in paths, because `pg_ctl` passes paths through `/bin/sh` inside double
/// quotes and the configuration file quotes them with single and double quotes.
const UNSAFE_PATH_CHARS: &[char] = &['"', '\'', '\\', '$', '`', '\n', '\r', ','];

/// The unprivileged user the cluster runs as, when this process runs as root.
#[derive(Debug, Clone)]
pub(crate) struct RunAs {
    name: String,
    uid: u32,
    gid: u32,
}

#[derive(Debug)]
pub(crate) struct Cluster {
    pub(crate) root: PathBuf,
    pub(crate) data: PathBuf,
    pub(crate) log_file: PathBuf,
    pub(crate) socket_dir: PathBuf,
    pub(crate) port: u16,
    pub(crate) database: String,
    pub(crate) role: String,
    pub(crate) binaries: PgBinaries,
    start_timeout: Duration,
    run_as: Option<RunAs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Running,
    Stopped,
}

/// Who may own an existing directory, and whether it may be given to the run-as user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ownership {
    /// A directory of ours below the root: given to the run-as user when running as root.
    Ours,
    /// The data directory: must already belong to the run-as user.
    Strict,
    /// The socket directory under /tmp: must belong to the run-as user (or root, then given).
    Shared,
}

impl Cluster {
    /// Everything `ClusterLease::acquire` does; returns the cluster, the shared `users.lock` and
    /// whether the server was started here.
    pub(crate) fn acquire(opts: &ClusterOptions) -> Result<(Cluster, File, bool)> {
        validate(opts)?;
        let run_as = resolve_run_as(&opts.run_as_user)?;
        let root = prepare_root(&opts.root_dir, run_as.as_ref())?;
        let control = lock_exclusive(&root.join("control.lock"))?;
        let cluster = Cluster::prepare(opts, root, run_as)?;
        let started_here = cluster.ensure_running()?;
        if let Err(err) = cluster.ensure_role_and_database() {
            if started_here && let Err(stop_err) = cluster.stop_if_unused() {
                tracing::warn!(error = %stop_err, "could not stop PostgreSQL after a failed start-up");
            }
            return Err(err);
        }
        let users = open_lock_file(&cluster.root.join("users.lock"))?;
        users
            .lock_shared()
            .map_err(|err| ManagedPgError::io("cannot lock users.lock", err))?;
        drop(control);
        Ok((cluster, users, started_here))
    }

    /// Stops the cluster when no other lease is held. The caller has dropped its own shared lock.
    pub(crate) fn release(&self) -> Result<ReleaseOutcome> {
        let _control = lock_exclusive(&self.root.join("control.lock"))?;
        self.stop_if_unused()
    }

    /// Directories, binaries and `initdb`; under the control lock.
    fn prepare(opts: &ClusterOptions, root: PathBuf, run_as: Option<RunAs>) -> Result<Cluster> {
        let data = root.join("data");
        let log_dir = root.join("log");
        let (socket_dir, fallback) = choose_socket_dir(&root, opts.port);
        if fallback {
            tracing::info!(
                socket_dir = %socket_dir.display(),
                "the PostgreSQL socket path below {} would be too long; using {} instead",
                root.display(),
                socket_dir.display()
            );
        }
        check_path_chars(&socket_dir)?;
        ensure_private_dir(&log_dir, run_as.as_ref(), Ownership::Ours)?;
        let socket_ownership = if fallback {
            Ownership::Shared
        } else {
            Ownership::Ours
        };
        ensure_private_dir(&socket_dir, run_as.as_ref(), socket_ownership)?;

        let initialized = root.join(INIT_MARKER).exists() && data.join("PG_VERSION").exists();
        let data_major = if initialized {
            discover::data_dir_major(&data)?
        } else {
            None
        };
        let binaries = discover::discover_for(
            opts.bin_dir.as_deref(),
            data_major.map(|major| (data.as_path(), major)),
        )?;

        let cluster = Cluster {
            log_file: log_dir.join("postgres.log"),
            root,
            data,
            socket_dir,
            port: opts.port,
            database: opts.database.clone(),
            role: opts.role.clone(),
            binaries,
            start_timeout: opts.start_timeout.max(Duration::from_secs(1)),
            run_as,
        };
        if initialized {
            ensure_private_dir(&cluster.data, cluster.run_as.as_ref(), Ownership::Strict)?;
        } else {
            cluster.init()?;
        }
        Ok(cluster)
    }

    /// Creates the data directory with `initdb` and adds the socket-only settings.
    fn init(&self) -> Result<()> {
        if dir_has_entries(&self.data)? {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let aside = self.root.join(format!("data.incomplete-{secs}"));
            tracing::warn!(
                "{} is from an initdb that did not complete; moving it to {}",
                self.data.display(),
                aside.display()
            );
            fs::rename(&self.data, &aside)
                .map_err(|err| ManagedPgError::io_at("move aside", &self.data, err))?;
        }
        tracing::info!(
            data_dir = %self.data.display(),
            version = %self.binaries.version,
            "creating the private PostgreSQL cluster"
        );
        let mut failure = None;
        for locale in ["C.UTF-8", "C"] {
            ensure_private_dir(&self.data, self.run_as.as_ref(), Ownership::Strict)?;
            let mut command = self.command("initdb");
            command
                .arg("-D")
                .arg(&self.data)
                .args([
                    "-U",
                    SUPERUSER,
                    "--auth-local=trust",
                    "--auth-host=reject",
                    "-E",
                    "UTF8",
                ])
                .arg(format!("--locale={locale}"))
                .arg("--no-instructions");
            match self.run_ok(command, None) {
                Ok(_) => {
                    failure = None;
                    break;
                }
                Err(err) => {
                    tracing::warn!(locale, error = %err, "initdb failed");
                    failure = Some(err);
                    fs::remove_dir_all(&self.data)
                        .map_err(|err| ManagedPgError::io_at("clean up", &self.data, err))?;
                }
            }
        }
        if let Some(err) = failure {
            return Err(err);
        }

        let conf = self.data.join("postgresql.conf");
        let mut file = OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(|err| ManagedPgError::io_at("open", &conf, err))?;
        file.write_all(
            format!(
                "\n# Added by managed-postgres: Unix socket only. The socket directory and port are in\n\
                 # {MANAGED_CONF}, which is rewritten before every start.\n\
                 listen_addresses = ''\n\
                 unix_socket_permissions = 0700\n\
                 include = '{MANAGED_CONF}'\n"
            )
            .as_bytes(),
        )
        .map_err(|err| ManagedPgError::io_at("write", &conf, err))?;
        let marker = self.root.join(INIT_MARKER);
        fs::write(&marker, "initdb and configuration completed\n")
            .map_err(|err| ManagedPgError::io_at("write", &marker, err))?;
        Ok(())
    }

    /// Starts the server unless it runs; returns whether it was started here.
    fn ensure_running(&self) -> Result<bool> {
        let mut status = self.status()?;
        if status == Status::Running && remove_if_stale(&self.data.join("postmaster.pid"))? {
            status = Status::Stopped;
        }
        if status == Status::Stopped {
            let socket_lock = self.socket_dir.join(format!(".s.PGSQL.{}.lock", self.port));
            remove_if_stale(&socket_lock)?;
        }
        if status == Status::Running {
            tracing::debug!(data_dir = %self.data.display(), "private PostgreSQL already running");
            self.wait_ready(Instant::now() + self.start_timeout)?;
            return Ok(false);
        }
        self.write_managed_conf()?;
        self.rotate_log();
        tracing::info!(
            data_dir = %self.data.display(),
            socket_dir = %self.socket_dir.display(),
            version = %self.binaries.version,
            "starting the private PostgreSQL"
        );
        let deadline = Instant::now() + self.start_timeout;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let mut command = self.command("pg_ctl");
            command
                .arg("start")
                .arg("-D")
                .arg(&self.data)
                .args(["-w", "-t", &whole_secs(remaining), "-s", "-l"])
                .arg(&self.log_file);
            let description = describe(&command);
            let output = self.run(command, None)?;
            if output.status.success() {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Err(ManagedPgError::StartTimeout {
                    timeout: self.start_timeout,
                    log: self.log_file.clone(),
                });
            }
            let log_tail = file_tail(&self.log_file);
            // After a crash, processes of the old server may take a moment to exit; until they
            // have, the new server refuses to start. (Server messages are in English: the
            // cluster is created with the C locale.)
            if log_tail.contains("pre-existing shared memory block")
                && Instant::now() + Duration::from_secs(1) < deadline
            {
                tracing::info!("waiting for the processes of a previous PostgreSQL server to exit");
                std::thread::sleep(Duration::from_millis(500));
                continue;
            }
            let mut stderr_tail = tail(&output);
            if !log_tail.is_empty() {
                stderr_tail = format!("{stderr_tail} | {}: {log_tail}", self.log_file.display());
            }
            return Err(ManagedPgError::CommandFailed {
                command: description,
                status: output.status.to_string(),
                stderr_tail,
            });
        }
    }

    /// Waits until the server accepts connections (after another process started it, or after a
    /// crash, when it may still be recovering).
    fn wait_ready(&self, deadline: Instant) -> Result<()> {
        loop {
            let mut command = self.psql(SUPERUSER, "postgres");
            command.args(["-c", "SELECT 1"]);
            let output = self.run(command, None)?;
            if output.status.success() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                tracing::warn!(output = %tail(&output), "PostgreSQL does not accept connections");
                return Err(ManagedPgError::StartTimeout {
                    timeout: self.start_timeout,
                    log: self.log_file.clone(),
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Creates the role and the database when missing; idempotent.
    fn ensure_role_and_database(&self) -> Result<()> {
        const SCRIPT: &str = "\
SELECT format('CREATE ROLE %I LOGIN CREATEDB NOSUPERUSER', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')
\\gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB NOSUPERUSER', :'role')
  FROM pg_roles WHERE rolname = :'role' AND NOT (rolcanlogin AND rolcreatedb AND NOT rolsuper)
\\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'role')
  FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
 WHERE d.datname = :'db' AND r.rolname <> :'role'
\\gexec
";
        let mut command = self.psql(SUPERUSER, "postgres");
        command
            .arg("-v")
            .arg(format!("role={}", self.role))
            .arg("-v")
            .arg(format!("db={}", self.database))
            .args(["-f", "-"]);
        self.run_ok(command, Some(SCRIPT))?;
        Ok(())
    }

    /// Stops the server when no lease is held; the caller holds the control lock.
    pub(crate) fn stop_if_unused(&self) -> Result<ReleaseOutcome> {
        let users = open_lock_file(&self.root.join("users.lock"))?;
        match users.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Ok(ReleaseOutcome::LeftRunning {
                    reason: "other processes still use it".to_owned(),
                });
            }
            Err(TryLockError::Error(err)) => {
                return Err(ManagedPgError::io("cannot lock users.lock", err));
            }
        }
        if self.status()? == Status::Running {
            tracing::info!(data_dir = %self.data.display(), "stopping the private PostgreSQL");
            let mut command = self.command("pg_ctl");
            command.arg("stop").arg("-D").arg(&self.data).args([
                "-m",
                "fast",
                "-w",
                "-t",
                &self.timeout_secs(),
                "-s",
            ]);
            self.run_ok(command, None)?;
        }
        Ok(ReleaseOutcome::Stopped)
    }

    fn status(&self) -> Result<Status> {
        let mut command = self.command("pg_ctl");
        command.arg("status").arg("-D").arg(&self.data);
        let description = describe(&command);
        let output = self.run(command, None)?;
        match output.status.code() {
            Some(0) => Ok(Status::Running),
            Some(3) => Ok(Status::Stopped),
            _ => Err(ManagedPgError::CommandFailed {
                command: description,
                status: output.status.to_string(),
                stderr_tail: tail(&output),
            }),
        }
    }

    /// Writes the settings that depend on the options (socket directory, port).
    fn write_managed_conf(&self) -> Result<()> {
        let path = self.data.join(MANAGED_CONF);
        let text = format!(
            "# Written by managed-postgres before every start; edits are overwritten.\n\
             listen_addresses = ''\n\
             port = {}\n\
             unix_socket_directories = '\"{}\"'\n\
             unix_socket_permissions = 0700\n",
            self.port,
            self.socket_dir.display()
        );
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .map_err(|err| ManagedPgError::io_at("create", &path, err))?;
        file.write_all(text.as_bytes())
            .map_err(|err| ManagedPgError::io_at("write", &path, err))?;
        give_to(&path, self.run_as.as_ref())
    }

    fn rotate_log(&self) {
        if fs::metadata(&self.log_file).is_ok_and(|meta| meta.len() > LOG_ROTATE_BYTES) {
            let old = self.log_file.with_extension("log.1");
            if let Err(err) = fs::rename(&self.log_file, &old) {
                tracing::warn!(error = %err, "cannot rotate {}", self.log_file.display());
            }
        }
    }

    fn timeout_secs(&self) -> String {
        whole_secs(self.start_timeout)
    }

    /// `psql` connecting through the socket, never prompting, stopping at the first error.
    fn psql(&self, user: &str, database: &str) -> Command {
        let mut command = self.command("psql");
        command
            .args(["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(&self.socket_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", user, "-d", database]);
        command
    }

    /// A program from the bin directory, run as the run-as user (when root), without `PG*`
    /// environment variables, in the root directory.
    fn command(&self, tool: &str) -> Command {
        let mut command = Command::new(self.binaries.tool(tool));
        for (key, _) in std::env::vars_os() {
            if key.as_encoded_bytes().starts_with(b"PG") {
                command.env_remove(&key);
            }
        }
        command
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(user) = &self.run_as {
            command
                .uid(user.uid)
                .gid(user.gid)
                .env("HOME", &self.root)
                .env("USER", &user.name)
                .env("LOGNAME", &user.name);
        }
        command
    }

    /// Runs a command to completion, returning its output whatever the exit status.
    fn run(&self, mut command: Command, input: Option<&str>) -> Result<Output> {
        let description = describe(&command);
        tracing::debug!(command = %description, "running");
        if input.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command.spawn().map_err(|err| {
            let who = self
                .run_as
                .as_ref()
                .map_or_else(String::new, |user| format!(" as user `{}`", user.name));
            ManagedPgError::io(
                format!("cannot run `{description}`{who} in {}", self.root.display()),
                err,
            )
        })?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(input.as_bytes()).map_err(|err| {
                ManagedPgError::io(format!("cannot write to `{description}`"), err)
            })?;
        }
        child
            .wait_with_output()
            .map_err(|err| ManagedPgError::io(format!("cannot wait for `{description}`"), err))
    }

    /// Like `run`, but a non-zero exit status is an error carrying the end of its output.
    fn run_ok(&self, command: Command, input: Option<&str>) -> Result<Output> {
        let description = describe(&command);
        let output = self.run(command, input)?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(ManagedPgError::CommandFailed {
                command: description,
                status: output.status.to_string(),
                stderr_tail: tail(&output),
            })
        }
    }
}

fn validate(opts: &ClusterOptions) -> Result<()> {
    let invalid = |message: String| Err(ManagedPgError::InvalidOption(message));
    if opts.root_dir.as_os_str().is_empty() {
        return invalid("the root directory is empty".to_owned());
    }
    for (what, name) in [("database", &opts.database), ("role", &opts.role)] {
        if name.is_empty() || name.len() > 63 || name.contains('\0') {
            return invalid(format!(
                "the {what} name {name:?} must have 1 to 63 bytes and no NUL"
            ));
        }
    }
    if opts.role == SUPERUSER {
        return invalid(format!(
            "the role must not be `{SUPERUSER}`, the cluster's superuser; use an application role such as `pmo`"
        ));
    }
    if opts.port == 0 {
        return invalid("the port must not be 0".to_owned());
    }
    Ok(())
}

/// The user to run PostgreSQL as: `None` unless this process runs as root.
fn resolve_run_as(name: &str) -> Result<Option<RunAs>> {
    if !geteuid().is_root() {
        return Ok(None);
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(ManagedPgError::InvalidOption(
            "running as root needs a run-as user for PostgreSQL (e.g. `postgres`)".to_owned(),
        ));
    }
    let user = User::from_name(name)
        .map_err(|errno| {
            ManagedPgError::io(
                format!("cannot look up user `{name}`"),
                io::Error::from(errno),
            )
        })?
        .ok_or_else(|| ManagedPgError::RunAsUserMissing {
            user: name.to_owned(),
        })?;
    if user.uid.is_root() {
        return Err(ManagedPgError::InvalidOption(format!(
            "the run-as user `{name}` is root, and PostgreSQL refuses to run as root; use an unprivileged user such as `postgres`"
        )));
    }
    Ok(Some(RunAs {
        name: user.name,
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    }))
}

/// Creates the root directory (0700), resolves it to an absolute path, and when running as root
/// checks that the run-as user can reach it and gives it to that user.
fn prepare_root(dir: &Path, run_as: Option<&RunAs>) -> Result<PathBuf> {
    if let Some(parent) = dir.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|err| ManagedPgError::io_at("create", parent, err))?;
    }
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(ManagedPgError::io_at("create", dir, err)),
    }
    let root = dir
        .canonicalize()
        .map_err(|err| ManagedPgError::io_at("resolve", dir, err))?;
    check_path_chars(&root)?;
    if let Some(user) = run_as {
        for ancestor in root.ancestors().skip(1) {
            let meta = fs::metadata(ancestor)
                .map_err(|err| ManagedPgError::io_at("inspect", ancestor, err))?;
            if !can_traverse(&meta, user) {
                return Err(ManagedPgError::DirNotReachable {
                    path: ancestor.to_path_buf(),
                    user: user.name.clone(),
                });
            }
        }
    }
    ensure_private_dir(&root, run_as, Ownership::Ours)?;
    Ok(root)
}

/// Whether `user` (with its primary group only: supplementary groups are dropped when the
/// programs are spawned) may search the directory.
fn can_traverse(meta: &fs::Metadata, user: &RunAs) -> bool {
    let mode = meta.mode();
    if meta.uid() == user.uid {
        mode & 0o100 != 0
    } else if meta.gid() == user.gid {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0
    }
}

fn check_path_chars(path: &Path) -> Result<()> {
    match path.to_str() {
        Some(text) if !text.contains(UNSAFE_PATH_CHARS) => Ok(()),
        _ => Err(ManagedPgError::InvalidOption(format!(
            "the path {} must be UTF-8 without quotes, backslashes, `$`, backticks, commas or line breaks",
            path.display()
        ))),
    }
}

/// `<root>/run`, or `/tmp/pmo-pg-<hash of root>` when the socket path would be too long.
pub(crate) fn choose_socket_dir(root: &Path, port: u16) -> (PathBuf, bool) {
    let preferred = root.join("run");
    let socket_len = preferred.as_os_str().len() + "/.s.PGSQL.".len() + port.to_string().len();
    if socket_len <= MAX_SOCKET_PATH {
        (preferred, false)
    } else {
        let hash = fnv1a32(root.as_os_str().as_encoded_bytes());
        (PathBuf::from(format!("/tmp/pmo-pg-{hash:08x}")), true)
    }
}

/// FNV-1a, 32 bits: stable across builds, unlike `std`'s hasher.
fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
    })
}

/// Makes sure `path` is a real directory with mode 0700, owned by the user PostgreSQL runs as.
fn ensure_private_dir(path: &Path, run_as: Option<&RunAs>, ownership: Ownership) -> Result<()> {
    let target_uid = run_as.map_or_else(|| geteuid().as_raw(), |user| user.uid);
    let mut created_here = false;
    let meta = loop {
        match fs::symlink_metadata(path) {
            Ok(meta) => break meta,
            Err(err) if err.kind() == io::ErrorKind::NotFound && !created_here => {
                match DirBuilder::new().mode(0o700).create(path) {
                    Ok(()) => give_to(path, run_as)?,
                    Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(err) => return Err(ManagedPgError::io_at("create", path, err)),
                }
                created_here = true;
            }
            Err(err) => return Err(ManagedPgError::io_at("inspect", path, err)),
        }
    };
    if !meta.file_type().is_dir() {
        let reason = "it is not a directory (or it is a symbolic link)".to_owned();
        return Err(ManagedPgError::UnsafeSocketDir {
            path: path.to_path_buf(),
            reason,
        });
    }
    if meta.uid() != target_uid {
        let may_take = match (ownership, run_as) {
            (Ownership::Ours, Some(_)) => true,
            (Ownership::Shared, Some(_)) => meta.uid() == 0,
            _ => false,
        };
        if may_take {
            give_to(path, run_as)?;
        } else if ownership == Ownership::Shared {
            let reason = format!(
                "it belongs to uid {} instead of uid {target_uid}",
                meta.uid()
            );
            return Err(ManagedPgError::UnsafeSocketDir {
                path: path.to_path_buf(),
                reason,
            });
        } else {
            let user = run_as.map_or_else(|| format!("uid {target_uid}"), |user| user.name.clone());
            return Err(ManagedPgError::WrongOwner {
                path: path.to_path_buf(),
                owner_uid: meta.uid(),
                user,
                uid: target_uid,
            });
        }
    }
    if meta.mode() & 0o7777 != 0o700 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))
            .map_err(|err| ManagedPgError::io_at("restrict the permissions of", path, err))?;
    }
    Ok(())
}

/// Gives a file or directory to the run-as user (a no-op when not running as root).
fn give_to(path: &Path, run_as: Option<&RunAs>) -> Result<()> {
    if let Some(user) = run_as {
        std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(|err| {
            ManagedPgError::io(
                format!("cannot give {} to user `{}`", path.display(), user.name),
                err,
            )
        })?;
    }
    Ok(())
}

fn dir_has_entries(path: &Path) -> Result<bool> {
    match fs::read_dir(path) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(ManagedPgError::io_at("read", path, err)),
    }
}

fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|err| ManagedPgError::io_at("open", path, err))
}

/// Takes an exclusive `flock`, logging when it has to wait for another process.
fn lock_exclusive(path: &Path) -> Result<File> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            tracing::info!(
                "waiting for another process that is starting or stopping the private PostgreSQL"
            );
            file.lock()
                .map_err(|err| ManagedPgError::io_at("lock", path, err))?;
        }
        Err(TryLockError::Error(err)) => return Err(ManagedPgError::io_at("lock", path, err)),
    }
    Ok(file)
}

/// Removes a PostgreSQL lock file (`postmaster.pid`, `.s.PGSQL.<port>.lock`) that names a live
/// process which is not a PostgreSQL server, and says whether it did.
///
/// After a crash or a reboot, the PID may have been reused by another process of the same user
/// (or by a thread of this very process), and a server killed with SIGKILL lingers as a zombie
/// when nothing reaps it. PostgreSQL (and `pg_ctl status`) then take the lock for a live server
/// and refuse to start. Removing such a file is safe: the process it names is not a server, and
/// PostgreSQL (12 and newer) keys its shared-memory interlock on the data directory, not on
/// these files, so a new server still refuses to start while processes of an old one remain.
/// Decidable on Linux only (through /proc); elsewhere nothing is removed.
fn remove_if_stale(lock_file: &Path) -> Result<bool> {
    let Ok(text) = fs::read_to_string(lock_file) else {
        return Ok(false);
    };
    let Some(pid) = text
        .lines()
        .next()
        .and_then(|line| line.trim().parse::<u32>().ok())
    else {
        return Ok(false);
    };
    if !pid_is_not_a_server(pid) {
        return Ok(false);
    }
    tracing::warn!(
        pid,
        "{} is left over from a server that is gone (the PID is now a zombie or another process); removing it",
        lock_file.display()
    );
    fs::remove_file(lock_file).map_err(|err| ManagedPgError::io_at("remove", lock_file, err))?;
    Ok(true)
}

/// Whether a live PID is a zombie, a thread, or a process other than `postgres`.
fn pid_is_not_a_server(pid: u32) -> bool {
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    let (Ok(status), Ok(comm)) = (
        fs::read_to_string(proc_dir.join("status")),
        fs::read_to_string(proc_dir.join("comm")),
    ) else {
        return false;
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim)
    };
    let is_zombie = field("State:").is_some_and(|state| state.starts_with('Z'));
    let is_thread = field("Tgid:")
        .and_then(|tgid| tgid.parse::<u32>().ok())
        .is_some_and(|tgid| tgid != pid);
    let comm = comm.trim();
    is_zombie || is_thread || (comm != "postgres" && comm != "postmaster")
}

/// Seconds for `pg_ctl -t`, rounded up, at least 1.
fn whole_secs(duration: Duration) -> String {
    duration.as_secs_f64().ceil().max(1.0).to_string()
}

/// `program args…` for messages.
fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let mut words = vec![
        program
            .file_name()
            .unwrap_or(program.as_os_str())
            .to_string_lossy()
            .into_owned(),
    ];
    words.extend(
        command
            .get_args()
            .map(OsStr::to_string_lossy)
            .map(|arg| arg.into_owned()),
    );
    words.join(" ")
}

/// The last lines of a program's stderr (or stdout when stderr is empty), on one line.
fn tail(output: &Output) -> String {
    let text = if output.stderr.iter().any(|b| !b.is_ascii_whitespace()) {
        &output.stderr
    } else {
        &output.stdout
    };
    let tail = last_lines(&String::from_utf8_lossy(text), 5);
    if tail.is_empty() {
        "no output".to_owned()
    } else {
        tail
    }
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines[lines.len().saturating_sub(count)..].join(" | ")
}

/// The last lines of a (possibly large) log file; empty when unreadable.
fn file_tail(path: &Path) -> String {
    let Ok(mut file) = File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    if file
        .seek(SeekFrom::Start(len.saturating_sub(4096)))
        .is_err()
    {
        return String::new();
    }
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_err() {
        return String::new();
    }
    last_lines(&String::from_utf8_lossy(&bytes), 5)
}
