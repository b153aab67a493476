//! The binary's bad-input behaviour: one clear line on stderr and a non-zero exit.

use std::time::{Duration, Instant};

use crate::helpers::{ScratchDatabase, pmo_command, stderr_of, stdout_of};

#[test]
fn unreachable_database_fails_fast_naming_the_host_without_the_password() {
    let started = Instant::now();
    let output = pmo_command()
        .args(["migrate"])
        .env(
            "PMO_DATABASE_URL",
            "postgres://app:s3cret-pw@127.0.0.1:1/app",
        )
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(!output.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(stderr.contains("127.0.0.1:1"), "names the host: {stderr}");
    assert!(
        !stderr.contains("s3cret-pw"),
        "never prints the password: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn unknown_config_key_in_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pmo.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:4100\"\n[http]\nbody_limit_byte = 5\n",
    )
    .unwrap();
    let output = pmo_command()
        .arg("--config")
        .arg(&file)
        .arg("migrate")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(!output.status.success());
    assert!(stderr.contains("body_limit_byte"), "{stderr}");
}

#[test]
fn bad_values_are_named_by_key() {
    let cases = [
        ("PMO_LISTEN", "not-an-address", "listen"),
        (
            "PMO_DATABASE__MAX_CONNECTIONS",
            "0",
            "database.max_connections",
        ),
        ("PMO_DATABASE_URL", "mysql://x@y/z", "database.url"),
        ("PMO_LOG_FORMAT", "xml", "log.format"),
        ("PMO_DEFAULT_TENANT", "Not A Slug", "default_tenant"),
        ("PMO_NO_SUCH_SETTING", "1", "no_such_setting"),
    ];
    for (key, value, named) in cases {
        let output = pmo_command()
            .arg("migrate")
            .env(key, value)
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert!(!output.status.success(), "{key}={value} accepted");
        assert!(
            stderr.contains(named),
            "{key}={value}: message should name `{named}`: {stderr}"
        );
    }
}

#[test]
fn missing_config_file_is_reported() {
    let output = pmo_command()
        .args(["--config", "/nonexistent/pmo.toml", "migrate"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("/nonexistent/pmo.toml"));
}

#[test]
fn port_already_in_use_is_a_clear_error() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = busy.local_addr().unwrap().to_string();
    let output = pmo_command()
        .arg("serve")
        .env("PMO_LISTEN", &address)
        .env("PMO_DATABASE_URL", "postgres://app:app@127.0.0.1:1/app")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert!(!output.status.success());
    assert!(
        stderr.contains("cannot listen on") && stderr.contains(&address),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("in use"), "{stderr}");
}

#[test]
fn seed_without_a_target_explains_itself() {
    let output = pmo_command()
        .arg("seed")
        .env("PMO_DATABASE_URL", "postgres://a@127.0.0.1:1/a")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("--demo"));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["tenant", "create", "--help"],
        vec!["user", "create", "--help"],
        vec!["openapi", "--help"],
        vec!["db", "query", "--help"],
    ] {
        let output = pmo_command().args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(stdout_of(&output).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn openapi_check_detects_drift() {
    let dir = tempfile::tempdir().unwrap();
    let current = dir.path().join("current.json");
    let stale = dir.path().join("stale.json");
    assert!(
        pmo_command()
            .arg("openapi")
            .arg("--output")
            .arg(&current)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(&stale, "{}\n").unwrap();
    assert!(
        pmo_command()
            .arg("openapi")
            .arg("--check")
            .arg(&current)
            .status()
            .unwrap()
            .success()
    );
    let output = pmo_command()
        .arg("openapi")
        .arg("--check")
        .arg(&stale)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("out of date"));
}

/// A server opens the connections its pools keep before it serves — all of them unless
/// `database.min_connections` says fewer — and keeps the same ones past the idle timeout (a
/// connection opened under load takes seconds to authenticate: `db::Keep`). A one-shot command
/// opens one.
#[tokio::test]
async fn a_server_opens_and_keeps_its_connections_and_a_command_opens_one() {
    use pmo::db::{Database, Keep};

    let db = ScratchDatabase::create().await;
    let mut config = pmo::config::Config::default();
    config.database.url = Some(secrecy::SecretString::from(db.url.clone()));
    config.database.max_connections = 4;
    config.database.cached_plan_connections = 3;
    config.database.idle_timeout_secs = 1;
    let backends = |pool: sqlx::PgPool| async move {
        sqlx::query_scalar::<_, i32>(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name = 'pmo' ORDER BY pid",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };

    let server = Database::open(&config, Keep::Configured).await.unwrap();
    assert_eq!(server.pool.size(), 4);
    assert_eq!(server.cached_plans.size(), 3);
    let opened = backends(server.pool.clone()).await;
    assert_eq!(opened.len(), 7, "{opened:?}");
    // sqlx's reaper would have closed them after 1 s idle (and opened others) had the idle
    // timeout applied to a pool that keeps all its connections.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(backends(server.pool.clone()).await, opened);
    server.close().await;

    config.database.min_connections = Some(2);
    let fewer = Database::open(&config, Keep::Configured).await.unwrap();
    assert_eq!(fewer.pool.size(), 2);
    assert_eq!(fewer.cached_plans.size(), 2);
    fewer.close().await;

    let command = Database::open(&config, Keep::OnDemand).await.unwrap();
    assert_eq!((command.pool.size(), command.cached_plans.size()), (1, 0));
    command.close().await;
    db.drop().await;
}

/// A read-replica URL is accepted, and every command says it is not used yet rather than let the
/// operator believe reads go there.
#[tokio::test]
async fn a_replica_url_is_reported_as_not_used_yet() {
    let db = ScratchDatabase::create().await;
    let output = db
        .command()
        .env("PMO_DATABASE_REPLICA_URL", &db.url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("database.replica_url is set but not used yet"),
        "{stderr}"
    );
    db.drop().await;
}

#[tokio::test]
async fn db_query_prints_rows_and_is_read_only_by_default() {
    let db = ScratchDatabase::create().await;
    let run = |args: &[&str]| db.run(args);

    let output = run(&[
        "db",
        "query",
        "SELECT 1 AS one, 'x' AS letter, NULL AS nothing",
    ]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert!(stdout.contains("one | letter | nothing"), "{stdout}");
    assert!(stdout.contains("1   | x      | NULL"), "{stdout}");
    assert!(stdout.contains("(1 row)"), "{stdout}");

    let refused = run(&["db", "query", "CREATE TABLE should_not_exist (id int)"]);
    assert!(!refused.status.success());
    assert!(
        stderr_of(&refused).contains("--write"),
        "{}",
        stderr_of(&refused)
    );

    let written = run(&[
        "db",
        "query",
        "--write",
        "CREATE TABLE made (id int); INSERT INTO made VALUES (1), (2)",
    ]);
    assert!(written.status.success(), "{}", stderr_of(&written));
    assert!(stdout_of(&written).contains("2 row(s) affected"));

    let json = run(&["db", "query", "--json", "SELECT id FROM made ORDER BY id"]);
    assert_eq!(
        stdout_of(&json).lines().collect::<Vec<_>>(),
        vec![r#"{"id":"1"}"#, r#"{"id":"2"}"#]
    );

    let bad = run(&["db", "query", "SELEC nonsense"]);
    assert!(!bad.status.success());
    assert!(
        stderr_of(&bad).contains("syntax error"),
        "{}",
        stderr_of(&bad)
    );
    db.drop().await;
}

#[tokio::test]
async fn migrate_tenant_and_user_commands_work_end_to_end() {
    let db = ScratchDatabase::create().await;
    let run = |args: &[&str]| db.run(args);

    let migrate = run(&["migrate"]);
    assert!(migrate.status.success(), "{}", stderr_of(&migrate));
    let again = run(&["migrate"]);
    assert!(
        stdout_of(&again).contains("0 migration(s) applied"),
        "{}",
        stdout_of(&again)
    );

    let create = run(&[
        "tenant",
        "create",
        "acme",
        "--name",
        "Acme Services",
        "--admin-email",
        "Boss@Acme.example",
    ]);
    assert!(create.status.success(), "{}", stderr_of(&create));
    let stdout = stdout_of(&create);
    assert!(
        stdout.contains("Tenant `acme` created") && stdout.contains("boss@acme.example"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Initial password: "),
        "a generated password is shown once: {stdout}"
    );

    let duplicate = run(&[
        "tenant",
        "create",
        "acme",
        "--name",
        "Again",
        "--admin-email",
        "x@acme.example",
    ]);
    assert!(!duplicate.status.success());
    assert!(stderr_of(&duplicate).contains("already exists"));

    let bad_slug = run(&[
        "tenant",
        "create",
        "Bad Slug",
        "--name",
        "X",
        "--admin-email",
        "x@y.example",
    ]);
    assert!(!bad_slug.status.success());
    assert!(stderr_of(&bad_slug).contains("tenant slug"));

    let user = run(&[
        "user",
        "create",
        "--tenant",
        "acme",
        "--email",
        "pm@acme.example",
        "--first-name",
        "Pat",
        "--last-name",
        "Manager",
        "--password",
        "longenough1",
    ]);
    assert!(user.status.success(), "{}", stderr_of(&user));
    let weak = run(&[
        "user",
        "create",
        "--tenant",
        "acme",
        "--email",
        "w@acme.example",
        "--first-name",
        "W",
        "--last-name",
        "K",
        "--password",
        "short",
    ]);
    assert!(!weak.status.success());
    assert!(stderr_of(&weak).contains("at least 8"));
    let unknown = run(&[
        "user",
        "create",
        "--tenant",
        "nope",
        "--email",
        "a@b.example",
        "--first-name",
        "A",
        "--last-name",
        "B",
        "--password",
        "longenough1",
    ]);
    assert!(!unknown.status.success());
    assert!(stderr_of(&unknown).contains("does not exist"));

    let count = run(&[
        "db",
        "query",
        "--json",
        "SELECT count(*) AS n FROM app.d_employee WHERE tenant_id = 'acme'",
    ]);
    assert_eq!(stdout_of(&count).trim(), r#"{"n":"2"}"#);
    db.drop().await;
}

/// Ctrl-C (SIGINT) while a request is running: the server stops taking new connections, lets the
/// running request finish with its answer, then exits 0.
#[tokio::test]
async fn a_request_running_at_ctrl_c_finishes_before_the_server_exits() {
    use crate::helpers::ServeProcess;

    let db = ScratchDatabase::create().await;
    assert!(db.run(&["migrate"]).status.success());
    let password = "shutdown-test-password";
    let created = db.run(&[
        "tenant",
        "create",
        "acme",
        "--name",
        "Acme",
        "--admin-email",
        "boss@acme.example",
        "--admin-password",
        password,
    ]);
    assert!(created.status.success(), "{}", stderr_of(&created));
    let data = tempfile::tempdir().unwrap();
    let mut serve = db.command();
    serve.arg("serve").env("PMO_DATA_DIR", data.path());
    let mut server = ServeProcess::start(serve, "/api/health", Duration::from_secs(60)).await;

    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&serde_json::json!({"email": "boss@acme.example", "password": password, "tenant": "acme"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let project: serde_json::Value = client
        .post(format!("{}/api/v1/project", server.url))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Held"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = project["id"].as_str().unwrap().to_owned();

    // Hold the row so the PATCH is still running when the signal arrives.
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM app.d_project WHERE id = $1::uuid FOR UPDATE")
        .bind(&id)
        .execute(&mut *holder)
        .await
        .unwrap();
    let patch = tokio::spawn({
        let (client, url, token) = (client.clone(), server.url.clone(), token.clone());
        async move {
            client
                .patch(format!("{url}/api/v1/project/{id}"))
                .bearer_auth(token)
                .json(&serde_json::json!({"name": "Renamed", "version": 1}))
                .send()
                .await
                .map(|response| response.status())
        }
    });
    let parked = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while parked().await == 0 {
        assert!(
            Instant::now() < deadline,
            "the PATCH never reached the lock"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let pid = server.child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    // Still running: it waits for the request, and takes no new connections meanwhile.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server must wait for the running request"
    );
    let late = reqwest::Client::new()
        .get(format!("{}/api/health", server.url))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(
        late.is_err(),
        "no new connection after the signal: {late:?}"
    );

    holder.rollback().await.unwrap();
    let answered = patch
        .await
        .unwrap()
        .expect("the running request got its answer");
    assert_eq!(answered, reqwest::StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not exit after the request finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
    pool.close().await;
    db.drop().await;
}
