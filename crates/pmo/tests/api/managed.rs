//! The embedded default: with no database URL, `pmo` runs its own PostgreSQL cluster in the data
//! directory, shares it between commands and stops it when the last user exits.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::helpers::{ServeProcess, pmo_command, stderr_of, stdout_of};

/// A data directory the cluster's unprivileged user can reach (tempdirs are 0700 by default).
fn reachable_data_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("pmo-managed-test-")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn postmaster_running(data_dir: &Path) -> bool {
    data_dir.join("postgres/data/postmaster.pid").exists()
}

#[tokio::test]
async fn serve_and_db_query_share_the_managed_cluster_and_shutdown_stops_it() {
    let data = reachable_data_dir();
    let mut command = pmo_command();
    command
        .args(["serve", "--dev"])
        .env("PMO_DATA_DIR", data.path());
    let mut serve =
        ServeProcess::start(command, "/api/health/ready", Duration::from_secs(90)).await;
    assert!(postmaster_running(data.path()));

    // A second command on the same data directory reuses the running cluster (migrations applied by serve).
    let query = pmo_command()
        .args([
            "db",
            "query",
            "--json",
            "SELECT count(*) AS tables FROM information_schema.tables WHERE table_schema = 'app'",
        ])
        .env("PMO_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(query.status.success(), "{}", stderr_of(&query));
    let tables: serde_json::Value = serde_json::from_str(stdout_of(&query).trim()).unwrap();
    assert!(
        tables["tables"].as_str().unwrap().parse::<u32>().unwrap() > 30,
        "{tables}"
    );
    assert!(
        postmaster_running(data.path()),
        "db query must not stop the cluster serve still uses"
    );

    // SIGTERM: graceful shutdown, exit 0, cluster stopped.
    let pid = serve.child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
    assert!(
        !postmaster_running(data.path()),
        "the managed cluster is stopped on shutdown"
    );

    // A command on its own starts the cluster, uses it and stops it again.
    let alone = pmo_command()
        .args(["db", "query", "SELECT 42 AS answer"])
        .env("PMO_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(alone.status.success(), "{}", stderr_of(&alone));
    assert!(stdout_of(&alone).contains("42"));
    assert!(!postmaster_running(data.path()));
}

#[test]
fn missing_postgresql_binaries_give_one_clear_line() {
    let data = reachable_data_dir();
    let output = pmo_command()
        .args(["db", "query", "SELECT 1"])
        .env("PMO_DATA_DIR", data.path())
        .env(
            "PMO_MANAGED_POSTGRES__BIN_DIR",
            "/nonexistent/postgresql/bin",
        )
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(!output.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("PostgreSQL"), "{stderr}");
    assert!(
        stderr.contains("PMO_DATABASE_URL"),
        "says how to use an external database instead: {stderr}"
    );
}
