//! Tests against the real PostgreSQL server binaries of the machine. Each test keeps its cluster
//! in its own directory under /tmp (traversable by the run-as user) and stops it at the end.
//! When no PostgreSQL 14+ is installed, the tests that need one print a note and pass.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{self, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, User, geteuid};
use tempfile::TempDir;

use super::*;
use crate::cluster::choose_socket_dir;
use crate::discover::parse_version;

/// A fresh directory under /tmp (mode 0755 so the run-as user can reach `root`). Dropping it
/// stops a server still running there (after a failed assertion) before deleting the files.
struct TestDir {
    _tmp: TempDir,
    root: PathBuf,
}

impl TestDir {
    fn new(label: &str) -> TestDir {
        Self::with_root(label, "pg")
    }

    fn with_root(label: &str, relative_root: &str) -> TestDir {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("mpg-{label}-"))
            .tempdir_in("/tmp")
            .unwrap();
        fs::set_permissions(tmp.path(), Permissions::from_mode(0o755)).unwrap();
        let root = tmp.path().join(relative_root);
        TestDir { _tmp: tmp, root }
    }

    fn options(&self) -> ClusterOptions {
        ClusterOptions {
            root_dir: self.root.clone(),
            database: "pmo".to_owned(),
            role: "pmo".to_owned(),
            start_timeout: Duration::from_secs(60),
            ..ClusterOptions::default()
        }
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let data = self.root.join("data");
        if data.join("postmaster.pid").exists()
            && let Ok(binaries) = discover_binaries(None)
        {
            eprintln!("stopping the PostgreSQL left running in {}", data.display());
            let mut command = as_cluster_user(Command::new(binaries.tool("pg_ctl")));
            let _ = command
                .arg("stop")
                .arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "-w"])
                .output();
        }
    }
}

/// Runs the command as the user PostgreSQL runs as (`postgres` when root).
fn as_cluster_user(mut command: Command) -> Command {
    if geteuid().is_root() {
        let user = User::from_name("postgres").unwrap().expect("user postgres");
        command
            .uid(user.uid.as_raw())
            .gid(user.gid.as_raw())
            .current_dir("/");
    }
    command
}

/// Whether PostgreSQL is installed; otherwise the calling test is skipped.
fn postgres_installed() -> bool {
    match discover_binaries(None) {
        Ok(_) => true,
        Err(err) => {
            eprintln!("skipping: {err}");
            false
        }
    }
}

/// `pg_ctl status` for the cluster under `root`.
fn server_running(binaries: &PgBinaries, root: &Path) -> bool {
    let mut command = as_cluster_user(Command::new(binaries.tool("pg_ctl")));
    let output = command
        .arg("status")
        .arg("-D")
        .arg(root.join("data"))
        .output()
        .unwrap();
    match output.status.code() {
        Some(0) => true,
        Some(3) => false,
        other => panic!(
            "pg_ctl status exited with {other:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// Runs SQL through `psql` as this process (like the application does), connecting as the role.
fn psql_as_role(lease: &ClusterLease, sql: &str) -> Output {
    let mut command = Command::new(lease.binaries().tool("psql"));
    for (key, _) in std::env::vars_os() {
        if key.as_encoded_bytes().starts_with(b"PG") {
            command.env_remove(&key);
        }
    }
    command
        .args(["-X", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1", "-h"])
        .arg(lease.socket_dir())
        .arg("-p")
        .arg(lease.port().to_string())
        .args(["-U", lease.role(), "-d", lease.database(), "-c", sql])
        .output()
        .unwrap()
}

fn query(lease: &ClusterLease, sql: &str) -> String {
    let output = psql_as_role(lease, sql);
    assert!(
        output.status.success(),
        "psql {sql:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn lifecycle_shared_by_two_leases_and_data_survives_restart() {
    if !postgres_installed() {
        return;
    }
    let dir = TestDir::new("life");
    let opts = dir.options();

    let first = ClusterLease::acquire(&opts).unwrap();
    assert!(first.started_here());
    assert_eq!(query(&first, "SELECT 1"), "1");
    assert_eq!(
        query(&first, "SELECT current_user || ' ' || current_database()"),
        "pmo pmo"
    );
    let role = query(
        &first,
        "SELECT rolsuper, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = current_user",
    );
    assert_eq!(role, "f|t|t");
    assert_eq!(
        query(
            &first,
            "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'pmo'"
        ),
        "pmo"
    );
    assert_eq!(query(&first, "SHOW listen_addresses"), "");
    assert_eq!(query(&first, "SHOW unix_socket_permissions"), "0700");
    query(
        &first,
        "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')",
    );

    // The socket directory is private to the cluster's user.
    let mode = fs::metadata(first.socket_dir())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700);
    assert_eq!(
        first.socket_dir(),
        dir.root.canonicalize().unwrap().join("run")
    );

    // The URL is understood by libpq.
    let url = first.connection_url();
    let output = Command::new(first.binaries().tool("psql"))
        .args(["-X", "-A", "-t", "-w", &url, "-c", "SELECT current_user"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "psql {url} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "pmo");

    // A second user (another thread, its own lock file descriptor) reuses the running server.
    let second_opts = opts.clone();
    let second = std::thread::spawn(move || ClusterLease::acquire(&second_opts))
        .join()
        .unwrap()
        .unwrap();
    assert!(!second.started_here());
    assert_eq!(query(&second, "SELECT v FROM kept"), "still here");

    let outcome = first.release().unwrap();
    assert!(
        matches!(outcome, ReleaseOutcome::LeftRunning { .. }),
        "{outcome:?}"
    );
    assert!(server_running(second.binaries(), &dir.root));
    assert_eq!(query(&second, "SELECT 2"), "2");

    let binaries = second.binaries().clone();
    assert_eq!(second.release().unwrap(), ReleaseOutcome::Stopped);
    assert!(!server_running(&binaries, &dir.root));

    // Acquiring again restarts the same data.
    let third = ClusterLease::acquire(&opts).unwrap();
    assert!(third.started_here());
    assert_eq!(query(&third, "SELECT v FROM kept"), "still here");
    assert_eq!(third.release().unwrap(), ReleaseOutcome::Stopped);
    assert!(!server_running(&binaries, &dir.root));
}

#[test]
fn concurrent_first_acquires_start_the_server_once() {
    if !postgres_installed() {
        return;
    }
    let dir = TestDir::new("race");
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let opts = dir.options();
            std::thread::spawn(move || ClusterLease::acquire(&opts))
        })
        .collect();
    let leases: Vec<ClusterLease> = handles
        .into_iter()
        .map(|h| h.join().unwrap().unwrap())
        .collect();
    assert_eq!(
        leases.iter().filter(|lease| lease.started_here()).count(),
        1
    );
    for lease in &leases {
        assert_eq!(query(lease, "SELECT 1"), "1");
    }
    let outcomes: Vec<ReleaseOutcome> = leases
        .into_iter()
        .map(|lease| lease.release().unwrap())
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == ReleaseOutcome::Stopped)
            .count(),
        1
    );
    assert_eq!(outcomes.last(), Some(&ReleaseOutcome::Stopped));
}

#[test]
fn a_dropped_lease_leaves_the_server_for_reuse() {
    if !postgres_installed() {
        return;
    }
    let dir = TestDir::new("crash");
    let opts = dir.options();
    let lease = ClusterLease::acquire(&opts).unwrap();
    let binaries = lease.binaries().clone();
    // Like a process that died: its lock goes away, the server keeps running.
    drop(lease);
    assert!(server_running(&binaries, &dir.root));

    let again = ClusterLease::acquire(&opts).unwrap();
    assert!(!again.started_here());
    assert_eq!(query(&again, "SELECT 1"), "1");
    assert_eq!(again.release().unwrap(), ReleaseOutcome::Stopped);
    assert!(!server_running(&binaries, &dir.root));
}

/// PID from `<root>/data/postmaster.pid`.
fn postmaster_pid(root: &Path) -> i32 {
    let text = fs::read_to_string(root.join("data/postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

#[test]
fn a_killed_server_is_restarted() {
    if !postgres_installed() {
        return;
    }
    let dir = TestDir::new("killed");
    // Crash recovery waits for the dead server's children to exit, which takes longer on a busy
    // machine than a normal start.
    let opts = ClusterOptions {
        start_timeout: Duration::from_secs(180),
        ..dir.options()
    };
    let lease = ClusterLease::acquire(&opts).unwrap();
    query(
        &lease,
        "CREATE TABLE survived (v int); INSERT INTO survived VALUES (7)",
    );
    let binaries = lease.binaries().clone();
    // The server and its user both die without cleaning up.
    kill(Pid::from_raw(postmaster_pid(&dir.root)), Signal::SIGKILL).unwrap();
    drop(lease);

    let again = ClusterLease::acquire(&opts).unwrap();
    assert!(again.started_here());
    assert_eq!(query(&again, "SELECT v FROM survived"), "7");
    assert_eq!(again.release().unwrap(), ReleaseOutcome::Stopped);
    assert!(!server_running(&binaries, &dir.root));
}

#[test]
fn a_stale_pid_file_naming_another_process_is_ignored() {
    if !postgres_installed() {
        return;
    }
    let dir = TestDir::new("stale");
    let opts = dir.options();
    let lease = ClusterLease::acquire(&opts).unwrap();
    let binaries = lease.binaries().clone();
    let data = lease.data_dir().to_path_buf();
    assert_eq!(lease.release().unwrap(), ReleaseOutcome::Stopped);

    // After a reboot, the PID in postmaster.pid belongs to some other process of the same user.
    let mut other = as_cluster_user(Command::new("sleep"))
        .arg("120")
        .spawn()
        .unwrap();
    let pid_file = data.join("postmaster.pid");
    fs::write(&pid_file, format!("{}\n{}\n", other.id(), data.display())).unwrap();
    if geteuid().is_root() {
        let user = User::from_name("postgres").unwrap().unwrap();
        std::os::unix::fs::chown(&pid_file, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
            .unwrap();
    }
    assert!(
        server_running(&binaries, &dir.root),
        "pg_ctl believes the server runs"
    );

    let result = ClusterLease::acquire(&opts);
    let _ = other.kill();
    let _ = other.wait();
    let again = result.unwrap();
    assert!(again.started_here());
    assert_eq!(query(&again, "SELECT 1"), "1");
    assert_eq!(again.release().unwrap(), ReleaseOutcome::Stopped);
}

#[test]
fn long_root_dir_uses_a_short_socket_dir() {
    if !postgres_installed() {
        return;
    }
    let long = format!("{}/pg", "a-rather-long-directory-name".repeat(4));
    let dir = TestDir::with_root("long", &long);
    let lease = ClusterLease::acquire(&dir.options()).unwrap();
    let socket_dir = lease.socket_dir().to_string_lossy().into_owned();
    assert!(socket_dir.starts_with("/tmp/pmo-pg-"), "{socket_dir}");
    assert_eq!(query(&lease, "SELECT 1"), "1");
    assert_eq!(lease.release().unwrap(), ReleaseOutcome::Stopped);
    let _ = fs::remove_dir_all(&socket_dir);
}

#[test]
fn explicit_bin_dir_that_does_not_exist_is_not_installed() {
    let err = discover_binaries(Some(Path::new("/nonexistent/postgresql/bin"))).unwrap_err();
    assert!(
        matches!(&err, ManagedPgError::NotInstalled { searched } if searched.len() == 1),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("/nonexistent/postgresql/bin"), "{message}");
    assert!(message.contains("apt-get install postgresql"), "{message}");
    assert!(message.contains("brew install postgresql@16"), "{message}");
    assert!(message.contains("PMO_DATABASE_URL"), "{message}");
    assert!(!message.contains('\n'));
}

#[test]
fn acquire_with_missing_bin_dir_fails_clearly() {
    let dir = TestDir::new("nobin");
    let opts = ClusterOptions {
        bin_dir: Some(PathBuf::from("/nonexistent/bin")),
        ..dir.options()
    };
    let err = ClusterLease::acquire(&opts).unwrap_err();
    assert!(
        matches!(err, ManagedPgError::NotInstalled { .. }),
        "{err:?}"
    );
}

#[test]
fn discovery_finds_the_installed_server() {
    if !postgres_installed() {
        return;
    }
    let binaries = discover_binaries(None).unwrap();
    assert!(binaries.major >= MIN_MAJOR);
    let again = discover_binaries(Some(&binaries.bin_dir)).unwrap();
    assert_eq!(again, binaries);
}

#[test]
fn missing_run_as_user_is_reported() {
    if !geteuid().is_root() {
        return;
    }
    let dir = TestDir::new("nouser");
    let opts = ClusterOptions {
        run_as_user: "no-such-user-mpg".to_owned(),
        ..dir.options()
    };
    let err = ClusterLease::acquire(&opts).unwrap_err();
    assert!(
        matches!(&err, ManagedPgError::RunAsUserMissing { user } if user == "no-such-user-mpg"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("`no-such-user-mpg`") && message.contains("non-root"),
        "{message}"
    );
}

#[test]
fn unreachable_parent_is_reported() {
    if !geteuid().is_root() {
        return;
    }
    let dir = TestDir::new("closed");
    let closed = dir.root.join("closed");
    fs::create_dir_all(&closed).unwrap();
    fs::set_permissions(&closed, Permissions::from_mode(0o700)).unwrap();
    let opts = ClusterOptions {
        root_dir: closed.join("postgres"),
        ..dir.options()
    };
    let err = ClusterLease::acquire(&opts).unwrap_err();
    match &err {
        ManagedPgError::DirNotReachable { path, user } => {
            assert_eq!(path, &closed.canonicalize().unwrap());
            assert_eq!(user, "postgres");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("chmod o+x"), "{err}");
}

#[test]
fn superuser_as_role_is_refused() {
    let dir = TestDir::new("super");
    let opts = ClusterOptions {
        role: "postgres".to_owned(),
        ..dir.options()
    };
    let err = ClusterLease::acquire(&opts).unwrap_err();
    assert!(matches!(err, ManagedPgError::InvalidOption(_)), "{err:?}");
}

#[test]
fn socket_dir_falls_back_only_when_too_long() {
    let (short, fallback) = choose_socket_dir(Path::new("/var/lib/pmo/postgres"), 5432);
    assert_eq!(short, Path::new("/var/lib/pmo/postgres/run"));
    assert!(!fallback);

    let long_root = PathBuf::from(format!("/srv/{}/postgres", "x".repeat(90)));
    let (dir, fallback) = choose_socket_dir(&long_root, 5432);
    assert!(fallback);
    let name = dir.to_str().unwrap();
    assert!(
        name.starts_with("/tmp/pmo-pg-") && name.len() == "/tmp/pmo-pg-".len() + 8,
        "{name}"
    );
    assert_eq!(
        choose_socket_dir(&long_root, 5432).0,
        dir,
        "stable across calls"
    );
    assert_ne!(choose_socket_dir(&long_root.join("other"), 5432).0, dir);
}

#[test]
fn versions_are_parsed() {
    assert_eq!(
        parse_version("postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n"),
        Some((15, "15.14".to_owned()))
    );
    assert_eq!(
        parse_version("postgres (PostgreSQL) 17devel"),
        Some((17, "17devel".to_owned()))
    );
    assert_eq!(
        parse_version("postgres (PostgreSQL) 9.6.24"),
        Some((9, "9.6.24".to_owned()))
    );
    assert_eq!(parse_version("postgres (PostgreSQL)"), None);
}

#[test]
fn urls_are_percent_encoded() {
    assert_eq!(percent_encode("/tmp/a b/run", true), "/tmp/a%20b/run");
    assert_eq!(percent_encode("a/b@c", false), "a%2Fb%40c");
    assert_eq!(percent_encode("pmo_1-x.y~", false), "pmo_1-x.y~");
}

#[test]
fn error_messages_fit_on_one_line() {
    let errors = [
        ManagedPgError::NotInstalled {
            searched: vec![PathBuf::from("/usr/lib/postgresql/*/bin")],
        },
        ManagedPgError::TooOld {
            version: "13.2".to_owned(),
            bin_dir: PathBuf::from("/usr/lib/postgresql/13/bin"),
        },
        ManagedPgError::RunAsUserMissing {
            user: "postgres".to_owned(),
        },
        ManagedPgError::DirNotReachable {
            path: PathBuf::from("/root"),
            user: "postgres".to_owned(),
        },
        ManagedPgError::StartTimeout {
            timeout: Duration::from_secs(60),
            log: PathBuf::from("/x/log/postgres.log"),
        },
        ManagedPgError::CommandFailed {
            command: "pg_ctl start".to_owned(),
            status: "exit status: 1".to_owned(),
            stderr_tail: "a | b".to_owned(),
        },
    ];
    for err in errors {
        let message = err.to_string();
        assert!(!message.contains('\n'), "{message}");
    }
}
