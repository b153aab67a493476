//! Backups: create → wipe → restore proves the data equal; keys, damage and non-empty targets are
//! refused before anything is touched; prune keeps the newest; the CLI end to end.

use object_store::ObjectStoreExt;
use pmo::jobs::backup::{self, BackupError, Progress, RestoreOptions};
use secrecy::SecretString;
use serde_json::json;
use sqlx::PgPool;

use crate::cache::Instance;
use crate::helpers::{ScratchDatabase, master_database_url, pmo_command, stderr_of, stdout_of};

const KEY: &str = "backup-test-key-0123456789abcdefghijklmnop";

fn with_key(key: Option<&'static str>) -> impl FnOnce(&mut pmo::config::Config) {
    move |config| {
        // The pool points at the test database; the URL supplies the password pg_dump needs.
        config.database.url = Some(SecretString::from(master_database_url()));
        config.backup.encryption_key = key.map(SecretString::from);
    }
}

/// A fingerprint of the data: every table's rows, in a canonical order.
async fn fingerprint(pool: &PgPool) -> Vec<(String, i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
         WHERE schemaname IN ('app', 'public') ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let sql = format!(
            "SELECT count(*)::bigint, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"
        );
        let (rows, digest): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap();
        out.push((table, rows, digest));
    }
    out
}

async fn database_exists(pool: &PgPool, name: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn drop_database(pool: &PgPool, name: &str) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn data_backed_up_wiped_and_restored_is_equal(pool: PgPool) {
    let app = Instance::start(&pool, with_key(Some(KEY))).await;
    let admin = app.tenant_admin("acme").await;
    for name in ["Harbour House", "Lakeside", "Ünïcödé & <quotes> 'n' stuff"] {
        let (status, body) = app
            .post("/api/v1/project", Some(&admin), &json!({"name": name}))
            .await;
        assert!(status.is_success(), "{body}");
    }
    app.employee("acme", "pat").await;
    app.post(
        "/api/v1/auth/password-reset/request",
        None,
        &json!({"email": "pat@acme.example", "tenant": "acme"}),
    )
    .await;
    let before = fingerprint(&pool).await;
    assert!(
        before
            .iter()
            .any(|(t, rows, _)| t == "app.d_project" && *rows == 3)
    );

    let manifest = backup::create(
        &pool,
        &app.state.config,
        &app.state.storage,
        Progress::hidden(),
    )
    .await
    .unwrap();
    assert!(manifest.size_bytes > 0 && manifest.dump_bytes > manifest.size_bytes / 2);
    assert!(
        manifest
            .tables
            .iter()
            .any(|t| t.schema == "app" && t.table == "d_project" && t.rows == 3)
    );
    assert!(manifest.schema_version.is_some());
    let listed = backup::list(&app.state.storage).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, manifest.id);
    // Stored encrypted: no plain text of the data in the object.
    let object = app
        .state
        .storage
        .store()
        .get(&manifest.object_key.as_str().into())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(!object.windows(13).any(|w| w == b"Harbour House"));

    // Into a non-empty database without --force: refused, nothing changed.
    let database = pool.connect_options().get_database().unwrap().to_owned();
    let refused = backup::restore(
        &pool,
        &app.state.config,
        &app.state.storage,
        &manifest.id,
        &RestoreOptions {
            into: database.clone(),
            force: false,
            verify: true,
        },
        Progress::hidden(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(refused, BackupError::TargetNotEmpty(_)),
        "{refused}"
    );
    assert!(refused.to_string().contains("--force"));
    assert_eq!(fingerprint(&pool).await, before);

    // Disaster: the data is gone.
    sqlx::raw_sql("DROP SCHEMA app CASCADE; DROP TABLE public._sqlx_migrations")
        .execute(&pool)
        .await
        .unwrap();
    assert!(fingerprint(&pool).await.is_empty());

    let report = backup::restore(
        &pool,
        &app.state.config,
        &app.state.storage,
        "latest",
        &RestoreOptions {
            into: database.clone(),
            force: true,
            verify: true,
        },
        Progress::hidden(),
    )
    .await
    .unwrap();
    assert_eq!(
        report.mismatches,
        Some(Vec::new()),
        "every table's rows and checksum match"
    );
    assert_eq!(
        fingerprint(&pool).await,
        before,
        "the restored data equals the original"
    );
    // The restored platform works: the admin signs in again.
    let again = app.login("acme", "admin@acme.example").await;
    let (status, page) = app.get("/api/v1/project", Some(&again)).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(page["data"].as_array().unwrap().len(), 3);

    // And into a new database (created on the way).
    let target = format!("pmo_restore_{}", uuid::Uuid::new_v4().simple());
    let report = backup::restore(
        &pool,
        &app.state.config,
        &app.state.storage,
        &manifest.id,
        &RestoreOptions {
            into: target.clone(),
            force: false,
            verify: true,
        },
        Progress::hidden(),
    )
    .await
    .unwrap();
    assert_eq!(report.mismatches, Some(Vec::new()));
    assert_eq!(report.database, target);
    let restored = PgPool::connect(&format!(
        "{}/{target}",
        master_database_url().rsplit_once('/').unwrap().0
    ))
    .await
    .unwrap();
    assert_eq!(fingerprint(&restored).await, before);
    restored.close().await;
    drop_database(&pool, &target).await;
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_missing_or_wrong_key_or_a_damaged_backup_touches_nothing(pool: PgPool) {
    let app = Instance::start(&pool, with_key(Some(KEY))).await;
    app.tenant_admin("acme").await;
    let manifest = backup::create(
        &pool,
        &app.state.config,
        &app.state.storage,
        Progress::hidden(),
    )
    .await
    .unwrap();
    let target = format!("pmo_restore_{}", uuid::Uuid::new_v4().simple());
    let options = RestoreOptions {
        into: target.clone(),
        force: true,
        verify: true,
    };

    // Same storage, other keys: no key at all, then the wrong one.
    let storage = app.state.storage.clone();
    let mut config = (*app.state.config).clone();
    config.backup.encryption_key = None;
    let err = backup::restore(
        &pool,
        &config,
        &storage,
        &manifest.id,
        &options,
        Progress::hidden(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, BackupError::NoKey), "{err}");
    assert!(err.to_string().contains("backup.encryption_key"));
    let err = backup::create(&pool, &config, &storage, Progress::hidden())
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::NoKey));

    config.backup.encryption_key =
        Some(SecretString::from("a-different-key-0123456789abcdefghijkl"));
    let err = backup::restore(
        &pool,
        &config,
        &storage,
        &manifest.id,
        &options,
        Progress::hidden(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, BackupError::WrongKey { .. }), "{err}");
    assert!(err.to_string().contains("another key"));
    assert!(
        !database_exists(&pool, &target).await,
        "the target was not even created"
    );

    // A damaged object.
    let path = app
        .state
        .config
        .data_dir
        .join("files")
        .join(&manifest.object_key);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let err = backup::restore(
        &pool,
        &app.state.config,
        &storage,
        &manifest.id,
        &options,
        Progress::hidden(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, BackupError::Corrupt { .. }), "{err}");
    assert!(!database_exists(&pool, &target).await);

    let err = backup::restore(
        &pool,
        &app.state.config,
        &storage,
        "20990101T000000Z-none",
        &options,
        Progress::hidden(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, BackupError::NotFound(_)));
    let err = backup::restore(
        &pool,
        &app.state.config,
        &storage,
        "../../etc",
        &options,
        Progress::hidden(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, BackupError::NotFound(_)));
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn prune_deletes_old_backups_but_always_keeps_the_newest(pool: PgPool) {
    let app = Instance::start(&pool, with_key(Some(KEY))).await;
    let storage = &app.state.storage;
    let old = backup::create(&pool, &app.state.config, storage, Progress::hidden())
        .await
        .unwrap();
    let report = backup::prune(storage, 1).await.unwrap();
    assert!(
        report.deleted.is_empty(),
        "a lone backup is kept whatever its age"
    );
    // Make the first one 40 days old, then take another.
    let mut aged = old.clone();
    aged.created_ts -= chrono::Duration::days(40);
    let path = format!("backups/db/{}.manifest.json", old.id);
    storage
        .store()
        .put(
            &path.as_str().into(),
            serde_json::to_vec(&aged).unwrap().into(),
        )
        .await
        .unwrap();
    let new = backup::create(&pool, &app.state.config, storage, Progress::hidden())
        .await
        .unwrap();
    let report = backup::prune(storage, 30).await.unwrap();
    assert_eq!(report.deleted, vec![old.id.clone()]);
    assert_eq!(report.kept, 1);
    let left: Vec<String> = backup::list(storage)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(left, vec![new.id]);
    assert!(
        !app.state
            .config
            .data_dir
            .join("files")
            .join(&old.object_key)
            .exists()
    );
}

#[tokio::test]
async fn the_backup_commands_round_trip_through_the_cli() {
    let db = ScratchDatabase::create().await;
    let data = tempfile::tempdir().unwrap();
    let pmo = |args: &[&str]| {
        db.command()
            .args(args)
            .env("PMO_DATA_DIR", data.path())
            .env("PMO_BACKUP__ENCRYPTION_KEY", KEY)
            .output()
            .unwrap()
    };
    assert!(pmo(&["migrate"]).status.success());
    let created = pmo(&[
        "tenant",
        "create",
        "acme",
        "--name",
        "Acme",
        "--admin-email",
        "a@acme.example",
        "--admin-password",
        "correct-horse-1",
    ]);
    assert!(created.status.success(), "{}", stderr_of(&created));

    let made = pmo(&["backup", "create"]);
    assert!(made.status.success(), "{}", stderr_of(&made));
    assert!(
        stdout_of(&made).starts_with("backup "),
        "{}",
        stdout_of(&made)
    );
    let listed = pmo(&["backup", "list", "--json"]);
    let lines: Vec<serde_json::Value> = stdout_of(&listed)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let id = lines[0]["id"].as_str().unwrap().to_owned();
    assert!(stdout_of(&pmo(&["backup", "list"])).contains(&id));

    let target = format!("pmo_restore_{}", uuid::Uuid::new_v4().simple());
    let restored = pmo(&["backup", "restore", "latest", "--into", &target, "--verify"]);
    assert!(restored.status.success(), "{}", stderr_of(&restored));
    assert!(
        stdout_of(&restored).contains("verified"),
        "{}",
        stdout_of(&restored)
    );
    let again = pmo(&["backup", "restore", &id, "--into", &target]);
    assert!(!again.status.success());
    assert!(
        stderr_of(&again).contains("not empty") && stderr_of(&again).contains("--force"),
        "{}",
        stderr_of(&again)
    );
    let forced = pmo(&[
        "backup", "restore", &id, "--into", &target, "--force", "--verify",
    ]);
    assert!(forced.status.success(), "{}", stderr_of(&forced));

    let jobs = pmo(&["jobs", "list", "--kind", "backup.create"]);
    assert!(
        stdout_of(&jobs).contains("backup.create") && stdout_of(&jobs).contains("done"),
        "{}",
        stdout_of(&jobs)
    );
    let pruned = pmo(&["backup", "prune", "--keep-days", "30"]);
    assert!(
        stdout_of(&pruned).contains("1 kept"),
        "{}",
        stdout_of(&pruned)
    );

    let keyless = db
        .command()
        .args(["backup", "create"])
        .env("PMO_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(!keyless.status.success());
    assert!(
        stderr_of(&keyless).contains("backup.encryption_key"),
        "{}",
        stderr_of(&keyless)
    );
    let bad_target = pmo(&[
        "backup",
        "restore",
        &id,
        "--into",
        "Robert'); DROP TABLE x;--",
    ]);
    assert!(!bad_target.status.success());
    assert!(
        stderr_of(&bad_target).contains("--into"),
        "{}",
        stderr_of(&bad_target)
    );

    let admin = PgPool::connect(&master_database_url()).await.unwrap();
    drop_database(&admin, &target).await;
    db.drop().await;
}

#[test]
fn the_platform_commands_have_help() {
    for args in [
        vec!["jobs", "list", "--help"],
        vec!["jobs", "retry", "--help"],
        vec!["backup", "create", "--help"],
        vec!["backup", "list", "--help"],
        vec!["backup", "restore", "--help"],
        vec!["backup", "prune", "--help"],
        vec!["logs", "--help"],
    ] {
        let output = pmo_command().args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(stdout_of(&output).contains("Usage:"), "{args:?}");
    }
    let logs = pmo_command()
        .args(["logs"])
        .env("PMO_DATABASE_URL", "postgres://a@127.0.0.1:1/a")
        .output()
        .unwrap();
    assert!(!logs.status.success());
    assert!(
        stderr_of(&logs).contains("log.file"),
        "{}",
        stderr_of(&logs)
    );
}

/// With `backup.s3_bucket` set, backups are written to, listed from, restored from and pruned in
/// that bucket (Garage, from `scripts/test-s3.sh`), sent with SHA-256 checksums as Object Lock
/// requires, and nothing lands in the main storage bucket. Skips without the S3 test settings,
/// except under CI=true, where it fails.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn with_a_backup_bucket_backups_live_there_and_not_in_the_main_bucket(pool: PgPool) {
    let Some(s3) = crate::artifacts::s3_settings() else {
        return;
    };
    let Some(backup_bucket) = s3.backup_bucket.clone() else {
        let reason = "PMO_TEST_S3_BACKUP_BUCKET is not set: run `scripts/test-s3.sh start` again and re-source .test-services/s3.env";
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("CI=true: S3 tests must run, not skip — {reason}");
        }
        eprintln!("skipping the backup-bucket test: {reason}");
        return;
    };
    let app = Instance::start(&pool, |config| {
        with_key(Some(KEY))(config);
        crate::artifacts::use_s3(config, &s3);
        config.backup.s3_bucket = Some(backup_bucket.clone());
    })
    .await;
    let storage = &app.state.storage;
    assert_eq!(storage.backup_bucket(), Some(backup_bucket.as_str()));
    let admin = app.tenant_admin("acme").await;
    let (status, body) = app
        .post(
            "/api/v1/project",
            Some(&admin),
            &json!({"name": "Backed up"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let before = fingerprint(&pool).await;

    let manifest = backup::create(&pool, &app.state.config, storage, Progress::hidden())
        .await
        .unwrap();
    let manifest_key = format!("backups/db/{}.manifest.json", manifest.id);

    // Seen through clients of their own, not through the code under test: the dump and its
    // manifest are in the backup bucket, and neither is in the main bucket.
    let backups = s3.client(&backup_bucket);
    let main = s3.client(&s3.bucket);
    for key in [manifest.object_key.as_str(), manifest_key.as_str()] {
        let meta = backups.head(&key.into()).await.unwrap_or_else(|err| {
            panic!("{key} is not in the backup bucket {backup_bucket}: {err}")
        });
        assert!(meta.size > 0);
        assert!(
            matches!(
                main.head(&key.into()).await,
                Err(object_store::Error::NotFound { .. })
            ),
            "{key} must not be in the main bucket {}",
            s3.bucket
        );
    }
    let stored = backups
        .get(&manifest.object_key.as_str().into())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(stored.len() as u64, manifest.size_bytes);

    // Object Lock buckets refuse uploads without a checksum: the server kept a SHA-256 checksum
    // of every upload (the multipart dump's is a checksum of its parts' checksums).
    for key in [manifest.object_key.as_str(), manifest_key.as_str()] {
        use object_store::signer::{HeaderName, HeaderValue, Method, SignedUrlOptions, Signer};
        let options = SignedUrlOptions::default().with_signed_header(
            HeaderName::from_static("x-amz-checksum-mode"),
            HeaderValue::from_static("ENABLED"),
        );
        let url = backups
            .signed_url_opts(
                Method::HEAD,
                &key.into(),
                std::time::Duration::from_secs(60),
                &options,
            )
            .await
            .unwrap();
        let response = reqwest::Client::new()
            .head(url)
            .header("x-amz-checksum-mode", "ENABLED")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{key}");
        let checksum = response
            .headers()
            .get("x-amz-checksum-sha256")
            .unwrap_or_else(|| panic!("{key} was stored without a SHA-256 checksum: {response:?}"))
            .to_str()
            .unwrap()
            .to_owned();
        if key == manifest_key {
            let body = backups
                .get(&key.into())
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            use base64::Engine;
            use sha2::Digest;
            assert_eq!(
                checksum,
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&body))
            );
        }
    }

    // Listed and read back from the backup bucket.
    let listed = backup::list(storage).await.unwrap();
    assert!(listed.iter().any(|m| m.id == manifest.id), "{listed:?}");
    assert_eq!(
        backup::manifest(storage, &manifest.id)
            .await
            .unwrap()
            .sha256,
        manifest.sha256
    );

    // Restored from it into a new database, identical.
    let target = format!("pmo_restore_{}", uuid::Uuid::new_v4().simple());
    let report = backup::restore(
        &pool,
        &app.state.config,
        storage,
        &manifest.id,
        &RestoreOptions {
            into: target.clone(),
            force: false,
            verify: true,
        },
        Progress::hidden(),
    )
    .await
    .unwrap();
    assert_eq!(report.mismatches, Some(Vec::new()));
    let restored = PgPool::connect(&format!(
        "{}/{target}",
        master_database_url().rsplit_once('/').unwrap().0
    ))
    .await
    .unwrap();
    assert_eq!(fingerprint(&restored).await, before);
    restored.close().await;
    drop_database(&pool, &target).await;

    // Pruned there: an aged backup goes once a newer one exists.
    let mut aged = manifest.clone();
    aged.created_ts -= chrono::Duration::days(40);
    backups
        .put(
            &manifest_key.as_str().into(),
            serde_json::to_vec(&aged).unwrap().into(),
        )
        .await
        .unwrap();
    let newer = backup::create(&pool, &app.state.config, storage, Progress::hidden())
        .await
        .unwrap();
    let report = backup::prune(storage, 30).await.unwrap();
    assert!(report.deleted.contains(&manifest.id), "{report:?}");
    for key in [manifest.object_key.as_str(), manifest_key.as_str()] {
        assert!(matches!(
            backups.head(&key.into()).await,
            Err(object_store::Error::NotFound { .. })
        ));
    }

    // Leave the shared bucket as it was.
    for key in [
        newer.object_key.clone(),
        format!("backups/db/{}.manifest.json", newer.id),
    ] {
        backups.delete(&key.as_str().into()).await.unwrap();
    }
}
