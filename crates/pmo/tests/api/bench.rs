//! The benchmark harness on a small profile: it must complete without errors. No timing is
//! asserted here — figures come from full runs recorded in docs/BENCHMARKS.md.

use std::time::Duration;

use crate::helpers::{ScratchDatabase, ServeProcess, free_port, stderr_of, stdout_of};

#[tokio::test]
async fn small_profile_generates_and_runs_without_errors() {
    let db = ScratchDatabase::create().await;
    let run = |args: &[&str]| db.run(args);
    assert!(run(&["migrate"]).status.success());

    let small = [
        "bench",
        "generate",
        "--tasks",
        "20000",
        "--projects",
        "400",
        "--employees",
        "300",
        "--clients",
        "100",
        "--artifacts",
        "2000",
        "--grants",
        "3000",
    ];
    let generated = run(&small);
    assert!(generated.status.success(), "{}", stderr_of(&generated));
    // A second run into the same tenant asks for --force instead of mixing data.
    let again = run(&small);
    assert!(!again.status.success());
    assert!(
        stderr_of(&again).contains("--force"),
        "{}",
        stderr_of(&again)
    );

    // No server yet: a clear error, not a hang.
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let no_server = run(&["bench", "run", "--url", &url, "--seconds", "1"]);
    assert!(!no_server.status.success());
    assert!(
        stderr_of(&no_server).contains("no server answers"),
        "{}",
        stderr_of(&no_server)
    );

    let data = tempfile::tempdir().unwrap();
    let mut serve = db.command();
    serve.arg("serve").env("PMO_DATA_DIR", data.path());
    let server = ServeProcess::start(serve, "/api/health", Duration::from_secs(60)).await;
    let measured = run(&[
        "bench",
        "run",
        "--url",
        &server.url,
        "--seconds",
        "1",
        "--concurrency",
        "1,4",
        "--rate",
        "50",
    ]);
    drop(server);
    assert!(measured.status.success(), "{}", stderr_of(&measured));
    let table = stdout_of(&measured);
    for endpoint in [
        "project tasks, page 1",
        "project tasks, deep cursor",
        "projects by stage",
        "my tasks, newest first",
        "get task by id",
        "options search",
        "global search",
        "create task",
        "move task stage",
    ] {
        assert!(
            table.contains(endpoint),
            "{endpoint} missing from:\n{table}"
        );
    }
    assert!(
        table.contains("sql c=4"),
        "the direct-SQL floor ran:\n{table}"
    );
    assert!(
        table.contains("admin c=4"),
        "the admin comparison ran:\n{table}"
    );
    db.drop().await;
}
