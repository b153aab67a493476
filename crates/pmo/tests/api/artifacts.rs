//! File attachments (SPEC §6) through the real routes, written once and run against both storage
//! backends: the local folder (its signed URLs point at the app, served here on a real 127.0.0.1
//! listener) and S3 (Garage, started by `scripts/test-s3.sh`; its settings come from
//! `.test-services/s3.env`). Bytes travel over real HTTP with reqwest, as a browser would send them.
//!
//! Without the PMO_TEST_S3_* variables the S3 half skips with a printed reason, except under
//! `CI=true`, where it fails: CI must never pass by skipping.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use pmo::config::{Config, StorageBackend};
use pmo::storage::Storage;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestResponse, TestUser};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Local,
    S3,
}

/// Settings of the test S3 server (written by scripts/test-s3.sh).
pub(crate) struct S3Settings {
    pub(crate) endpoint: String,
    pub(crate) region: String,
    pub(crate) bucket: String,
    /// A second bucket, for `backup.s3_bucket` (older env files lack it).
    pub(crate) backup_bucket: Option<String>,
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
}

impl S3Settings {
    /// An object_store client of the test server for `bucket`, independent of the code under test.
    pub(crate) fn client(&self, bucket: &str) -> object_store::aws::AmazonS3 {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_region(&self.region)
            .with_bucket_name(bucket)
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(&self.secret_access_key)
            .with_virtual_hosted_style_request(false)
            .build()
            .unwrap()
    }
}

/// The test S3 server's settings; None (with the reason printed) when they are not set, outside
/// CI. Under CI=true a missing setting fails the test instead.
pub(crate) fn s3_settings() -> Option<S3Settings> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let settings = (|| {
        Some(S3Settings {
            endpoint: var("PMO_TEST_S3_ENDPOINT")?,
            region: var("PMO_TEST_S3_REGION")?,
            bucket: var("PMO_TEST_S3_BUCKET")?,
            backup_bucket: var("PMO_TEST_S3_BACKUP_BUCKET"),
            access_key_id: var("PMO_TEST_S3_ACCESS_KEY_ID")?,
            secret_access_key: var("PMO_TEST_S3_SECRET_ACCESS_KEY")?,
        })
    })();
    if settings.is_none() {
        let reason = "the PMO_TEST_S3_* variables are not set: run `scripts/test-s3.sh start && source .test-services/s3.env` (or `make test`)";
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("CI=true: S3 tests must run, not skip — {reason}");
        }
        eprintln!("skipping an S3 attachment test: {reason}");
    }
    settings
}

/// Points a configuration at the test S3 server.
pub(crate) fn use_s3(config: &mut Config, s3: &S3Settings) {
    let storage = &mut config.storage;
    storage.backend = StorageBackend::S3;
    storage.endpoint = Some(s3.endpoint.clone());
    storage.region = s3.region.clone();
    storage.bucket = s3.bucket.clone();
    storage.access_key_id = Some(s3.access_key_id.clone());
    storage.secret_access_key = Some(s3.secret_access_key.clone().into());
    storage.path_style = true;
}

/// The app on a real listener (local signed URLs point at it), plus an HTTP client.
struct Ctx {
    app: TestApp,
    http: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Ctx {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// None when the backend is unavailable here (S3 without settings, outside CI).
async fn spawn(pool: PgPool, backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<Ctx> {
    let s3 = match backend {
        Backend::Local => None,
        Backend::S3 => Some(s3_settings()?),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = TestApp::spawn_with(pool, |config| {
        config.public_url = Some(format!("http://{address}"));
        if let Some(s3) = &s3 {
            use_s3(config, s3);
        }
        tweak(config);
    })
    .await;
    let router = app.router.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    Some(Ctx { app, http, server })
}

impl Ctx {
    fn storage(&self) -> Storage {
        Storage::from_config(&self.app.config).unwrap()
    }

    async fn object_exists(&self, key: &str) -> bool {
        self.storage().head(key).await.unwrap().is_some()
    }

    async fn upload(&self, user: &TestUser, body: &Value) -> TestResponse {
        self.app
            .post_json("/api/v1/artifact/upload", Some(user), body)
            .await
    }

    /// Declares a file and expects 201; returns the answer.
    async fn start(
        &self,
        user: &TestUser,
        owner: Uuid,
        file_name: &str,
        bytes: &[u8],
        sha256: Option<&str>,
    ) -> Value {
        let mut body = json!({
            "entity_type": "project", "entity_id": owner, "file_name": file_name,
            "content_type": "application/pdf", "size_bytes": bytes.len(),
        });
        if let Some(sha256) = sha256 {
            body["sha256"] = json!(sha256);
        }
        let response = self.upload(user, &body).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        response.json()
    }

    /// Sends bytes the way a browser would: to the presigned URL, with the required headers.
    async fn put(&self, upload: &Value, bytes: &[u8]) -> reqwest::Response {
        let url = upload["upload"]["url"].as_str().unwrap();
        self.put_to(url, upload, "application/pdf", bytes.to_vec())
            .await
    }

    async fn put_to(
        &self,
        url: &str,
        upload: &Value,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        assert_eq!(upload["upload"]["method"], "PUT");
        let mut request = self.http.put(url).body(bytes);
        for (name, value) in upload["upload"]["headers"].as_object().unwrap() {
            let value = if name.eq_ignore_ascii_case("content-type") {
                content_type
            } else {
                value.as_str().unwrap()
            };
            request = request.header(name.as_str(), value);
        }
        request.send().await.unwrap()
    }

    async fn complete(&self, user: &TestUser, id: &Value) -> TestResponse {
        self.app
            .send_json(
                Method::POST,
                &format!("/api/v1/artifact/{}/complete", id.as_str().unwrap()),
                Some(user),
                None,
            )
            .await
    }

    /// Upload, PUT and complete in one go; returns the completed artifact.
    async fn upload_file(
        &self,
        user: &TestUser,
        owner: Uuid,
        file_name: &str,
        bytes: &[u8],
    ) -> Value {
        let upload = self
            .start(user, owner, file_name, bytes, Some(&sha256_hex(bytes)))
            .await;
        let put = self.put(&upload, bytes).await;
        assert!(
            put.status().is_success(),
            "PUT: {} {}",
            put.status(),
            put.text().await.unwrap_or_default()
        );
        let done = self.complete(user, &upload["artifact"]["id"]).await;
        assert_eq!(
            done.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&done.body)
        );
        done.json()
    }

    async fn download_url(&self, user: &TestUser, id: &Value) -> TestResponse {
        self.app
            .get_as(
                user,
                &format!("/api/v1/artifact/{}/download", id.as_str().unwrap()),
            )
            .await
    }

    /// Downloads through the presigned URL; returns the bytes and the Content-Disposition.
    async fn download(&self, user: &TestUser, id: &Value) -> (Vec<u8>, String) {
        let answer = self.download_url(user, id).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        let answer = answer.json();
        assert_eq!(answer["method"], "GET");
        let response = self
            .http
            .get(answer["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let disposition = response
            .headers()
            .get("content-disposition")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (response.bytes().await.unwrap().to_vec(), disposition)
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }

    async fn storage_key(&self, id: &Value) -> String {
        sqlx::query_scalar("SELECT storage_key FROM app.d_artifact WHERE id = $1")
            .bind(id.as_str().unwrap().parse::<Uuid>().unwrap())
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Deterministic test bytes of any length.
fn bytes_of(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A project row and its registry entry.
async fn project(app: &TestApp, tenant: &str, code: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO app.d_project (tenant_id, id, code, slug, name) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(id)
    .bind(code)
    .bind(code.to_lowercase())
    .bind(format!("Project {code}"))
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug) VALUES ($1, 'project', $2, $3, $4, $5)")
        .bind(tenant)
        .bind(id)
        .bind(format!("Project {code}"))
        .bind(code)
        .bind(code.to_lowercase())
        .execute(&app.pool)
        .await
        .unwrap();
    id
}

async fn grant(
    app: &TestApp,
    tenant: &str,
    employee: Uuid,
    entity: (&str, Uuid),
    levels: &[i16],
    cascade: bool,
) {
    // One active grant per grantee, target and cascade mode: granting again replaces the levels.
    sqlx::query(
        "DELETE FROM app.d_entity_id_rbac_map
         WHERE tenant_id = $1 AND grantee_type = 'employee' AND grantee_id = $2 AND entity_type = $3 AND entity_id = $4 AND cascade_flag = $5",
    )
    .bind(tenant)
    .bind(employee)
    .bind(entity.0)
    .bind(entity.1)
    .bind(cascade)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag)
         VALUES ($1, 'employee', $2, $3, $4, $5, $6)",
    )
    .bind(tenant)
    .bind(employee)
    .bind(entity.0)
    .bind(entity.1)
    .bind(levels)
    .bind(cascade)
    .execute(&app.pool)
    .await
    .unwrap();
    app.forget_cached_access().await;
}

/// Each scenario runs once per backend: `artifacts::local::<name>` and `artifacts::s3::<name>`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(
                #[sqlx::test(migrator = "pmo::db::MIGRATOR")]
                async fn $name(pool: sqlx::PgPool) {
                    super::$name(pool, super::Backend::Local).await;
                }
            )*
        }
        mod s3 {
            $(
                #[sqlx::test(migrator = "pmo::db::MIGRATOR")]
                async fn $name(pool: sqlx::PgPool) {
                    super::$name(pool, super::Backend::S3).await;
                }
            )*
        }
    };
}

on_both_backends!(
    upload_complete_download_round_trip,
    versions_form_a_chain_and_stay_downloadable,
    tampered_and_replayed_urls_are_refused,
    expired_upload_urls_are_refused,
    expired_download_urls_are_refused,
    limits_are_enforced_before_signing,
    checksum_mismatch_fails_the_upload_and_deletes_the_object,
    size_mismatch_is_refused,
    missing_object_and_double_completion,
    bad_names_types_and_ids_are_refused,
    permissions_and_tenant_isolation,
    purge_removes_abandoned_uploads_and_deleted_objects,
    large_files_upload_in_parts,
);

async fn upload_complete_download_round_trip(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = "Contrat signé ✓ — ".repeat(200).into_bytes();
    let name = "Rapport d'été 2024 — 東京.PDF";

    let upload = ctx
        .start(&admin, owner, name, &bytes, Some(&sha256_hex(&bytes)))
        .await;
    let artifact = &upload["artifact"];
    let id = artifact["id"].clone();
    assert_eq!(artifact["upload_status"], "pending");
    assert_eq!(artifact["file_name"], name, "the original name is kept");
    assert_eq!(artifact["file_format"], "pdf");
    assert_eq!(artifact["artifact_type"], "document");
    assert_eq!(artifact["file_version"], 1);
    assert_eq!(artifact["entity_type"], "project");
    assert!(
        artifact.get("storage_key").is_none(),
        "keys stay inside the server"
    );
    assert_eq!(upload["upload"]["mode"], "single");
    assert_eq!(
        upload["upload"]["headers"]["Content-Type"],
        "application/pdf"
    );
    assert_eq!(
        upload["upload"]["complete_url"],
        format!("/api/v1/artifact/{}/complete", id.as_str().unwrap())
    );

    // The seed's key layout, and the row, registry entry and link written together.
    let key = ctx.storage_key(&id).await;
    let prefix = format!("tenant_id=acme/entity=project/entity_id={owner}/");
    let random = key
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(".pdf"))
        .unwrap_or_else(|| panic!("{key}"));
    assert!(
        random.len() == 32 && random.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
    assert_eq!(ctx.count(&format!("SELECT count(*) FROM app.d_entity_instance_id WHERE entity_type = 'artifact' AND entity_id = '{}'", id.as_str().unwrap())).await, 1);
    assert_eq!(
        ctx.count(&format!(
            "SELECT count(*) FROM app.d_entity_id_map WHERE parent_entity_type = 'project' AND parent_entity_id = '{owner}' AND child_entity_type = 'artifact' AND child_entity_id = '{}'",
            id.as_str().unwrap()
        ))
        .await,
        1
    );
    if backend == Backend::S3 {
        let url = upload["upload"]["url"].as_str().unwrap();
        assert!(
            url.contains("X-Amz-Signature=") && url.contains("X-Amz-SignedHeaders=content-type"),
            "{url}"
        );
    }

    // Not downloadable before it is complete.
    ctx.download_url(&admin, &id)
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    let put = ctx.put(&upload, &bytes).await;
    assert!(put.status().is_success(), "{}", put.status());
    let done = ctx.complete(&admin, &id).await;
    assert_eq!(
        done.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&done.body)
    );
    let done = done.json();
    assert_eq!(done["upload_status"], "available");
    assert_eq!(done["sha256"], sha256_hex(&bytes));
    assert_eq!(done["file_size_bytes"], bytes.len());
    assert_eq!(done["is_latest_version"], true);
    assert!(done["uploaded_ts"].is_string());

    let (downloaded, disposition) = ctx.download(&admin, &id).await;
    assert_eq!(downloaded, bytes, "the same bytes come back");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Rapport%20d%27%C3%A9t%C3%A9%202024%20%E2%80%94%20%E6%9D%B1%E4%BA%AC.PDF"),
        "RFC 5987 name: {disposition}"
    );
    let audit = ctx.count("SELECT count(*) FROM app.audit_log WHERE action IN ('artifact.upload_started', 'artifact.upload_completed')").await;
    assert_eq!(audit, 2, "both mutations are audited");
}

async fn versions_form_a_chain_and_stay_downloadable(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let v1_bytes = bytes_of(3000, 1);
    let v2_bytes = bytes_of(4000, 2);
    let v1 = ctx.upload_file(&admin, owner, "plan.pdf", &v1_bytes).await;
    let v1_id = v1["id"].clone();

    let started = ctx
        .app
        .post_json(
            &format!("/api/v1/artifact/{}/new-version", v1_id.as_str().unwrap()),
            Some(&admin),
            &json!({ "file_name": "plan (revised).pdf", "content_type": "application/pdf", "size_bytes": v2_bytes.len(), "sha256": sha256_hex(&v2_bytes) }),
        )
        .await;
    assert_eq!(
        started.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&started.body)
    );
    let started = started.json();
    let v2 = &started["artifact"];
    let v2_id = v2["id"].clone();
    assert_eq!(v2["file_version"], 2);
    assert_eq!(v2["root_artifact_id"], v1_id);
    assert_eq!(v2["upload_status"], "pending");
    assert_eq!(v2["is_latest_version"], false, "latest only once completed");
    assert_eq!(v2["name"], v1["name"], "the document keeps its name");

    let versions = ctx
        .app
        .get_as(
            &admin,
            &format!("/api/v1/artifact/{}/versions", v1_id.as_str().unwrap()),
        )
        .await
        .json();
    let data = versions["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["file_version"], 2);
    assert_eq!(data[1]["is_latest_version"], true);
    assert!(
        data.iter().all(|v| v["created_by_name"] == "Ada Admin"),
        "each version names its uploader: {versions}"
    );

    assert!(ctx.put(&started, &v2_bytes).await.status().is_success());
    let done = ctx.complete(&admin, &v2_id).await;
    assert_eq!(
        done.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&done.body)
    );
    assert_eq!(done.json()["is_latest_version"], true);

    let versions = ctx
        .app
        .get_as(
            &admin,
            &format!("/api/v1/artifact/{}/versions", v2_id.as_str().unwrap()),
        )
        .await
        .json();
    let data = versions["data"].as_array().unwrap();
    assert_eq!(
        data.iter()
            .map(|v| v["is_latest_version"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        vec![true, false]
    );
    assert_eq!(data[0]["file_name"], "plan (revised).pdf");
    // The project's file tab counts one file, however many versions it has.
    let tabs = ctx
        .app
        .get_as(
            &admin,
            &format!("/api/v1/entity/project/{owner}/child-tabs"),
        )
        .await
        .json();
    let files = tabs["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["entity"] == "artifact")
        .unwrap()
        .clone();
    assert_eq!(files["count"], 1, "{tabs}");

    // Every version stays downloadable, each with its own bytes and name.
    assert_eq!(ctx.download(&admin, &v1_id).await.0, v1_bytes);
    let (bytes, disposition) = ctx.download(&admin, &v2_id).await;
    assert_eq!(bytes, v2_bytes);
    assert!(
        disposition.contains("plan%20%28revised%29.pdf"),
        "{disposition}"
    );

    // A new version can start from any version of the chain.
    let v3 = ctx
        .app
        .post_json(
            &format!("/api/v1/artifact/{}/new-version", v1_id.as_str().unwrap()),
            Some(&admin),
            &json!({ "file_name": "plan v3.pdf", "content_type": "application/pdf", "size_bytes": 10 }),
        )
        .await;
    assert_eq!(v3.status, StatusCode::CREATED);
    assert_eq!(v3.json()["artifact"]["file_version"], 3);
    assert_eq!(
        ctx.count("SELECT count(*) FROM app.d_artifact WHERE is_latest_version")
            .await,
        1,
        "one latest per chain"
    );
}

/// Breaks a presigned URL's signature (S3: X-Amz-Signature; local: the token's MAC).
fn tamper(url: &str, backend: Backend) -> String {
    match backend {
        Backend::S3 => {
            let (head, signature) = url.split_once("X-Amz-Signature=").unwrap();
            let first = if signature.starts_with('0') { '1' } else { '0' };
            format!("{head}X-Amz-Signature={first}{}", &signature[1..])
        }
        Backend::Local => {
            let (head, signature) = url.rsplit_once('.').unwrap();
            let first = if signature.starts_with('A') { 'B' } else { 'A' };
            format!("{head}.{first}{}", &signature[1..])
        }
    }
}

/// Upload URL `a`'s signature applied to upload `b`'s key.
fn replay_for_other_key(a: &str, b: &str, backend: Backend) -> String {
    match backend {
        Backend::S3 => {
            let (_, a_query) = a.split_once('?').unwrap();
            let (b_path, _) = b.split_once('?').unwrap();
            format!("{b_path}?{a_query}")
        }
        Backend::Local => {
            let (_, a_signature) = a.rsplit_once('.').unwrap();
            let (b_payload, _) = b.rsplit_once('.').unwrap();
            format!("{b_payload}.{a_signature}")
        }
    }
}

async fn tampered_and_replayed_urls_are_refused(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(2048, 7);
    let a = ctx.start(&admin, owner, "a.pdf", &bytes, None).await;
    let b = ctx.start(&admin, owner, "b.pdf", &bytes, None).await;
    let a_url = a["upload"]["url"].as_str().unwrap();
    let b_url = b["upload"]["url"].as_str().unwrap();
    let b_key = ctx.storage_key(&b["artifact"]["id"]).await;

    let tampered = ctx
        .put_to(
            &tamper(a_url, backend),
            &a,
            "application/pdf",
            bytes.clone(),
        )
        .await;
    assert_eq!(
        tampered.status(),
        reqwest::StatusCode::FORBIDDEN,
        "tampered signature"
    );
    let replayed = ctx
        .put_to(
            &replay_for_other_key(a_url, b_url, backend),
            &b,
            "application/pdf",
            bytes.clone(),
        )
        .await;
    assert_eq!(
        replayed.status(),
        reqwest::StatusCode::FORBIDDEN,
        "a signature is bound to its key"
    );
    assert!(!ctx.object_exists(&b_key).await, "nothing was stored");

    // The content type is part of the signature.
    let wrong_type = ctx.put_to(a_url, &a, "text/html", bytes.clone()).await;
    assert!(
        wrong_type.status().is_client_error(),
        "wrong content type: {}",
        wrong_type.status()
    );
    if backend == Backend::Local {
        assert_eq!(
            wrong_type.status(),
            reqwest::StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        let body: Value = wrong_type.json().await.unwrap();
        assert_eq!(
            body["error"]["code"], "unsupported_media_type",
            "the envelope: {body}"
        );
    }
    ctx.complete(&admin, &a["artifact"]["id"])
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    // The genuine URL works; the download URL cannot be tampered with either.
    assert!(ctx.put(&a, &bytes).await.status().is_success());
    assert_eq!(
        ctx.complete(&admin, &a["artifact"]["id"]).await.status,
        StatusCode::OK
    );
    let download = ctx.download_url(&admin, &a["artifact"]["id"]).await.json();
    let download_url = download["url"].as_str().unwrap();
    let refused = ctx
        .http
        .get(tamper(download_url, backend))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
    if backend == Backend::Local {
        // A download link is not an upload link, and a completed upload cannot be overwritten.
        let as_put = ctx
            .http
            .put(download_url)
            .header("content-type", "application/pdf")
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(as_put.status(), reqwest::StatusCode::FORBIDDEN);
        let overwrite = ctx.put(&a, &bytes_of(2048, 9)).await;
        assert_eq!(overwrite.status(), reqwest::StatusCode::CONFLICT);
        let malformed = ctx
            .http
            .get(format!(
                "{}/api/v1/storage/local/not-a-token",
                ctx.app.config.public_base_url()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), reqwest::StatusCode::BAD_REQUEST);
    }
    assert_eq!(ctx.download(&admin, &a["artifact"]["id"]).await.0, bytes);
}

async fn expired_upload_urls_are_refused(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |config| {
        config.storage.presign_put_ttl_secs = 1
    })
    .await
    else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(1000, 3);
    let upload = ctx.start(&admin, owner, "late.pdf", &bytes, None).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let put = ctx.put(&upload, &bytes).await;
    assert!(
        put.status().is_client_error(),
        "expired upload URL: {}",
        put.status()
    );
    if backend == Backend::Local {
        assert_eq!(put.status(), reqwest::StatusCode::FORBIDDEN);
        let body: Value = put.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("expired"),
            "{body}"
        );
    }
    assert!(
        !ctx.object_exists(&ctx.storage_key(&upload["artifact"]["id"]).await)
            .await
    );
    ctx.complete(&admin, &upload["artifact"]["id"])
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
}

async fn expired_download_urls_are_refused(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |config| {
        config.storage.download_url_ttl_secs = 1
    })
    .await
    else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let done = ctx
        .upload_file(&admin, owner, "brief.pdf", &bytes_of(500, 4))
        .await;
    let download = ctx.download_url(&admin, &done["id"]).await.json();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let response = ctx
        .http
        .get(download["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_client_error(),
        "expired download URL: {}",
        response.status()
    );
}

async fn limits_are_enforced_before_signing(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |config| {
        config.storage.max_upload_bytes = 1000
    })
    .await
    else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let declare = |overrides: Value| {
        let mut body = json!({ "entity_type": "project", "entity_id": owner, "file_name": "x.pdf", "content_type": "application/pdf", "size_bytes": 10 });
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };

    let too_big = ctx
        .upload(&admin, &declare(json!({ "size_bytes": 1001 })))
        .await;
    let body = too_big.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(body["error"]["details"]["max_upload_bytes"], 1000);
    assert_eq!(
        ctx.upload(&admin, &declare(json!({ "size_bytes": 1000 })))
            .await
            .status,
        StatusCode::CREATED,
        "the limit itself is fine"
    );

    let empty = ctx
        .upload(&admin, &declare(json!({ "size_bytes": 0 })))
        .await;
    let body = empty.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        body["error"]["details"]["fields"]["size_bytes"].is_string(),
        "{body}"
    );
    ctx.upload(&admin, &declare(json!({ "size_bytes": -5 })))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let html = ctx
        .upload(&admin, &declare(json!({ "content_type": "text/html" })))
        .await;
    let body = html.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    assert!(body["error"]["details"]["allowed_content_types"].is_array());
    let malformed = ctx
        .upload(&admin, &declare(json!({ "content_type": "pdf" })))
        .await;
    assert!(malformed.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")["error"]["details"]["fields"]["content_type"].is_string());
    let bad_sum = ctx
        .upload(&admin, &declare(json!({ "sha256": "not-a-checksum" })))
        .await;
    assert!(bad_sum.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")["error"]["details"]["fields"]["sha256"].is_string());
    ctx.upload(&admin, &declare(json!({ "surprise": true })))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // Only the one accepted upload left rows behind.
    assert_eq!(ctx.count("SELECT count(*) FROM app.d_artifact").await, 1);
    assert_eq!(
        ctx.count("SELECT count(*) FROM app.d_entity_instance_id WHERE entity_type = 'artifact'")
            .await,
        1
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM app.d_entity_id_map WHERE child_entity_type = 'artifact'")
            .await,
        1
    );
}

async fn checksum_mismatch_fails_the_upload_and_deletes_the_object(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(4096, 5);
    let upload = ctx
        .start(
            &admin,
            owner,
            "sums.pdf",
            &bytes,
            Some(&sha256_hex(b"something else")),
        )
        .await;
    let id = upload["artifact"]["id"].clone();
    let key = ctx.storage_key(&id).await;
    assert!(ctx.put(&upload, &bytes).await.status().is_success());
    assert!(ctx.object_exists(&key).await);

    let refused = ctx.complete(&admin, &id).await;
    let body = refused.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        body["error"]["details"]["fields"]["sha256"]
            .as_str()
            .unwrap()
            .contains(&sha256_hex(&bytes)),
        "{body}"
    );
    assert!(
        !ctx.object_exists(&key).await,
        "the refused object is deleted"
    );
    let status: String =
        sqlx::query_scalar("SELECT upload_status FROM app.d_artifact WHERE storage_key = $1")
            .bind(&key)
            .fetch_one(&ctx.app.pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    ctx.complete(&admin, &id)
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    ctx.download_url(&admin, &id)
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(
        ctx.count("SELECT count(*) FROM app.audit_log WHERE action = 'artifact.upload_failed'")
            .await,
        1
    );
}

async fn size_mismatch_is_refused(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let declared = bytes_of(1000, 6);
    let upload = ctx.start(&admin, owner, "short.pdf", &declared, None).await;
    let id = upload["artifact"]["id"].clone();
    let key = ctx.storage_key(&id).await;
    let put = ctx.put(&upload, &declared[..600]).await;
    match backend {
        // The local backend binds the exact size into its URL: a short body never lands.
        Backend::Local => {
            assert_eq!(put.status(), reqwest::StatusCode::BAD_REQUEST);
            assert!(!ctx.object_exists(&key).await);
            let too_long = ctx.put(&upload, &bytes_of(1001, 6)).await;
            assert_eq!(too_long.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
            ctx.complete(&admin, &id)
                .await
                .assert_error(StatusCode::CONFLICT, "conflict");
        }
        // S3 cannot sign a length, so completion checks it.
        Backend::S3 => {
            assert!(put.status().is_success());
            let body = ctx
                .complete(&admin, &id)
                .await
                .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert!(
                body["error"]["details"]["fields"]["size_bytes"]
                    .as_str()
                    .unwrap()
                    .contains("600"),
                "{body}"
            );
            assert!(
                !ctx.object_exists(&key).await,
                "the refused object is deleted"
            );
        }
    }
}

async fn missing_object_and_double_completion(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(1500, 8);
    let upload = ctx.start(&admin, owner, "twice.pdf", &bytes, None).await;
    let id = upload["artifact"]["id"].clone();

    let early = ctx
        .complete(&admin, &id)
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert!(
        early["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nothing has been uploaded"),
        "{early}"
    );
    // Still pending: the client can upload and complete.
    assert!(ctx.put(&upload, &bytes).await.status().is_success());
    let done = ctx.complete(&admin, &id).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        done.json()["sha256"],
        Value::Null,
        "no checksum declared, none claimed"
    );
    ctx.complete(&admin, &id)
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    // Single uploads take no parts; a malformed body is refused with the envelope.
    let with_parts = ctx
        .app
        .post_json(
            &format!("/api/v1/artifact/{}/complete", id.as_str().unwrap()),
            Some(&admin),
            &json!({ "parts": [] }),
        )
        .await;
    with_parts.assert_error(StatusCode::CONFLICT, "conflict");
    let garbage = ctx
        .app
        .send_raw(
            Method::POST,
            &format!("/api/v1/artifact/{}/complete", id.as_str().unwrap()),
            Some("application/json"),
            "{nope",
        )
        .await;
    assert!(garbage.status.is_client_error(), "{}", garbage.status);
}

async fn bad_names_types_and_ids_are_refused(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let declare = |entity_type: &str, entity_id: Value, file_name: &str| json!({ "entity_type": entity_type, "entity_id": entity_id, "file_name": file_name, "content_type": "application/pdf", "size_bytes": 10 });
    for name in [
        "../etc/passwd",
        "a/b.pdf",
        "a\\b.pdf",
        "nul\0byte.pdf",
        "new\nline.pdf",
        "tab\there.pdf",
        "..",
        "",
        "   ",
        "evil\u{202E}fdp.exe",
    ] {
        let response = ctx
            .upload(&admin, &declare("project", json!(owner), name))
            .await;
        let body = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            body["error"]["details"]["fields"]["file_name"].is_string(),
            "{name:?}: {body}"
        );
    }
    let unicode = ctx
        .upload(
            &admin,
            &declare("project", json!(owner), "Übersicht — 計画書 ✓.PDF"),
        )
        .await;
    assert_eq!(
        unicode.status,
        StatusCode::CREATED,
        "unicode names are kept"
    );
    assert_eq!(
        unicode.json()["artifact"]["file_name"],
        "Übersicht — 計画書 ✓.PDF"
    );

    let unknown = ctx
        .upload(&admin, &declare("spaceship", json!(owner), "x.pdf"))
        .await;
    assert_eq!(
        unknown.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")["error"]["details"]
            ["fields"]["entity_type"],
        "unknown entity type"
    );
    let no_files = ctx
        .upload(&admin, &declare("employee", json!(admin.id), "x.pdf"))
        .await;
    assert!(no_files.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")["error"]["details"]["fields"]["entity_type"].is_string());
    ctx.upload(&admin, &declare("project", json!("not-a-uuid"), "x.pdf"))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    ctx.upload(&admin, &declare("project", json!(Uuid::new_v4()), "x.pdf"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    for path in [
        "/api/v1/artifact/not-a-uuid/download",
        "/api/v1/artifact/123/versions",
    ] {
        ctx.app
            .get_as(&admin, path)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    ctx.app
        .send_json(
            Method::POST,
            "/api/v1/artifact/xyz/complete",
            Some(&admin),
            None,
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    let missing = Uuid::new_v4();
    ctx.app
        .get_as(&admin, &format!("/api/v1/artifact/{missing}/download"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    ctx.app
        .send_json(
            Method::POST,
            &format!("/api/v1/artifact/{missing}/complete"),
            Some(&admin),
            None,
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    ctx.app
        .post_json(
            "/api/v1/artifact/upload",
            None,
            &declare("project", json!(owner), "x.pdf"),
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    assert_eq!(
        ctx.count("SELECT count(*) FROM app.d_artifact").await,
        1,
        "only the valid upload was recorded"
    );
}

async fn permissions_and_tenant_isolation(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let pat = ctx.app.employee("acme", "pat").await;
    let p1 = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(800, 10);
    let declare = json!({ "entity_type": "project", "entity_id": p1, "file_name": "pat.pdf", "content_type": "application/pdf", "size_bytes": bytes.len() });

    // Invisible project: 404, as if it did not exist. Visible but not editable: 403.
    ctx.upload(&pat, &declare)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    grant(&ctx.app, "acme", pat.id, ("project", p1), &[0], false).await;
    ctx.upload(&pat, &declare)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    // Edit on the project lets pat upload and complete.
    grant(&ctx.app, "acme", pat.id, ("project", p1), &[1], false).await;
    let upload = ctx.upload(&pat, &declare).await;
    assert_eq!(
        upload.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&upload.body)
    );
    let upload = upload.json();
    let id = upload["artifact"]["id"].clone();
    assert!(ctx.put(&upload, &bytes).await.status().is_success());
    assert_eq!(ctx.complete(&pat, &id).await.status, StatusCode::OK);

    // Reading needs View on the file itself: a grant on the project alone does not reach it…
    ctx.download_url(&pat, &id)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // …a cascading one does.
    grant(&ctx.app, "acme", pat.id, ("project", p1), &[0], true).await;
    assert_eq!(ctx.download(&pat, &id).await.0, bytes);
    assert_eq!(
        ctx.app
            .get_as(
                &pat,
                &format!("/api/v1/artifact/{}/versions", id.as_str().unwrap())
            )
            .await
            .status,
        StatusCode::OK
    );

    // Another employee with nothing: nothing.
    let sam = ctx.app.employee("acme", "sam").await;
    ctx.download_url(&sam, &id)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    ctx.complete(&sam, &id)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let new_version =
        json!({ "file_name": "x.pdf", "content_type": "application/pdf", "size_bytes": 5 });
    ctx.app
        .post_json(
            &format!("/api/v1/artifact/{}/new-version", id.as_str().unwrap()),
            Some(&sam),
            &new_version,
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // Another tenant, even its administrator: every id of acme is unknown.
    let other = ctx.app.tenant_with_admin("globex").await;
    ctx.download_url(&other, &id)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    ctx.complete(&other, &id)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    ctx.app
        .get_as(
            &other,
            &format!("/api/v1/artifact/{}/versions", id.as_str().unwrap()),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    ctx.app
        .post_json(
            &format!("/api/v1/artifact/{}/new-version", id.as_str().unwrap()),
            Some(&other),
            &new_version,
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    ctx.upload(&other, &declare)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    // Keys always carry the caller's own tenant.
    let foreign = ctx
        .count("SELECT count(*) FROM app.d_artifact WHERE NOT starts_with(storage_key, 'tenant_id=' || tenant_id || '/')")
        .await;
    assert_eq!(foreign, 0);
    assert_eq!(admin.tenant, "acme");
}

async fn purge_removes_abandoned_uploads_and_deleted_objects(pool: PgPool, backend: Backend) {
    let Some(ctx) = spawn(pool, backend, |_| {}).await else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(700, 11);

    // Abandoned: uploaded but never completed, a week and a day ago.
    let abandoned = ctx
        .start(&admin, owner, "abandoned.pdf", &bytes, None)
        .await;
    assert!(ctx.put(&abandoned, &bytes).await.status().is_success());
    // Refused: checksum mismatch, also old.
    let refused = ctx
        .start(
            &admin,
            owner,
            "refused.pdf",
            &bytes,
            Some(&sha256_hex(b"other")),
        )
        .await;
    assert!(ctx.put(&refused, &bytes).await.status().is_success());
    assert_eq!(
        ctx.complete(&admin, &refused["artifact"]["id"])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Recent and pending: kept.
    let recent = ctx.start(&admin, owner, "recent.pdf", &bytes, None).await;
    // Deleted a month ago: its object goes, its record stays.
    let deleted = ctx.upload_file(&admin, owner, "deleted.pdf", &bytes).await;
    // Live: untouched.
    let live = ctx.upload_file(&admin, owner, "live.pdf", &bytes).await;

    let id = |v: &Value| v.as_str().unwrap().to_owned();
    let (abandoned_id, refused_id, recent_id) = (
        id(&abandoned["artifact"]["id"]),
        id(&refused["artifact"]["id"]),
        id(&recent["artifact"]["id"]),
    );
    let (deleted_id, live_id) = (id(&deleted["id"]), id(&live["id"]));
    let keys = [
        ctx.storage_key(&json!(abandoned_id)).await,
        ctx.storage_key(&json!(deleted_id)).await,
        ctx.storage_key(&json!(live_id)).await,
    ];
    ctx.app
        .exec(&format!(
            "UPDATE app.d_artifact SET created_ts = now() - interval '8 days' WHERE id IN ('{abandoned_id}', '{refused_id}');
             UPDATE app.d_artifact SET active_flag = false, to_ts = now() - interval '31 days' WHERE id = '{deleted_id}';"
        ))
        .await;

    let report = pmo::artifact::purge(&ctx.app.pool, &ctx.storage(), &ctx.app.config.storage)
        .await
        .unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let mut removed: Vec<String> = report
        .abandoned_uploads
        .iter()
        .map(|p| p.artifact_id.to_string())
        .collect();
    removed.sort();
    let mut expected = vec![abandoned_id.clone(), refused_id.clone()];
    expected.sort();
    assert_eq!(removed, expected);
    assert_eq!(
        report
            .deleted_files
            .iter()
            .map(|p| p.artifact_id.to_string())
            .collect::<Vec<_>>(),
        vec![deleted_id.clone()]
    );

    // Abandoned uploads: object, row, registry entry and link all gone.
    assert!(!ctx.object_exists(&keys[0]).await);
    for gone in [&abandoned_id, &refused_id] {
        assert_eq!(
            ctx.count(&format!(
                "SELECT count(*) FROM app.d_artifact WHERE id = '{gone}'"
            ))
            .await,
            0
        );
        assert_eq!(
            ctx.count(&format!(
                "SELECT count(*) FROM app.d_entity_instance_id WHERE entity_id = '{gone}'"
            ))
            .await,
            0
        );
        assert_eq!(
            ctx.count(&format!(
                "SELECT count(*) FROM app.d_entity_id_map WHERE child_entity_id = '{gone}'"
            ))
            .await,
            0
        );
    }
    // Deleted: object gone, record kept and marked.
    assert!(!ctx.object_exists(&keys[1]).await);
    let (status, purged): (String, bool) = sqlx::query_as(
        "SELECT upload_status, metadata ? 'storage_purged_ts' FROM app.d_artifact WHERE id = $1",
    )
    .bind(deleted_id.parse::<Uuid>().unwrap())
    .fetch_one(&ctx.app.pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), purged), ("failed", true));
    // Recent pending and live files: untouched.
    assert!(ctx.object_exists(&keys[2]).await);
    assert_eq!(
        ctx.count(&format!(
            "SELECT count(*) FROM app.d_artifact WHERE id IN ('{recent_id}', '{live_id}')"
        ))
        .await,
        2
    );
    assert_eq!(ctx.download(&admin, &json!(live_id)).await.0, bytes);
    assert_eq!(
        ctx.count("SELECT count(*) FROM app.audit_log WHERE action = 'artifact.purge'")
            .await,
        3
    );

    // Nothing left to do on a second run.
    let again = pmo::artifact::purge(&ctx.app.pool, &ctx.storage(), &ctx.app.config.storage)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
}

async fn large_files_upload_in_parts(pool: PgPool, backend: Backend) {
    const MIB: u64 = 1024 * 1024;
    let Some(ctx) = spawn(pool, backend, |config| {
        config.storage.part_size_bytes = 5 * MIB;
        config.storage.multipart_threshold_bytes = 5 * MIB;
        config.storage.max_upload_bytes = 20 * MIB;
        // The local backend takes the whole file in one PUT through the API, past the 2 MiB
        // request body limit (its signed URL fixes the size instead).
    })
    .await
    else {
        return;
    };
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(5 * MIB as usize + 1234, 12);
    let upload = ctx
        .start(&admin, owner, "big.pdf", &bytes, Some(&sha256_hex(&bytes)))
        .await;
    let id = upload["artifact"]["id"].clone();
    let instructions = &upload["upload"];

    if backend == Backend::Local {
        assert_eq!(
            instructions["mode"], "single",
            "the local backend takes one PUT"
        );
        assert!(ctx.put(&upload, &bytes).await.status().is_success());
        assert_eq!(ctx.complete(&admin, &id).await.status, StatusCode::OK);
        assert_eq!(ctx.download(&admin, &id).await.0, bytes);
        return;
    }

    assert_eq!(instructions["mode"], "multipart");
    assert_eq!(instructions["part_size_bytes"], 5 * MIB);
    let parts = instructions["parts"].as_array().unwrap();
    assert_eq!(
        parts
            .iter()
            .map(|p| p["size_bytes"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![5 * MIB, 1234]
    );
    let mut etags = Vec::new();
    let mut offset = 0usize;
    for part in parts {
        let size = part["size_bytes"].as_u64().unwrap() as usize;
        let response = ctx
            .http
            .put(part["url"].as_str().unwrap())
            .body(bytes[offset..offset + size].to_vec())
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "part {}: {}",
            part["part_number"],
            response.status()
        );
        etags.push(json!({ "part_number": part["part_number"], "etag": response.headers()["etag"].to_str().unwrap() }));
        offset += size;
    }
    let complete_path = format!("/api/v1/artifact/{}/complete", id.as_str().unwrap());
    // Every part, in order.
    ctx.complete(&admin, &id)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let reversed: Vec<Value> = etags.iter().rev().cloned().collect();
    ctx.app
        .post_json(&complete_path, Some(&admin), &json!({ "parts": reversed }))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let mut wrong = etags.clone();
    wrong[1]["etag"] = json!("\"00000000000000000000000000000000\"");
    ctx.app
        .post_json(&complete_path, Some(&admin), &json!({ "parts": wrong }))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");

    let done = ctx
        .app
        .post_json(&complete_path, Some(&admin), &json!({ "parts": etags }))
        .await;
    assert_eq!(
        done.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&done.body)
    );
    assert_eq!(done.json()["upload_status"], "available");
    let metadata: Value = sqlx::query_scalar("SELECT metadata FROM app.d_artifact WHERE id = $1")
        .bind(id.as_str().unwrap().parse::<Uuid>().unwrap())
        .fetch_one(&ctx.app.pool)
        .await
        .unwrap();
    assert!(
        metadata.get("upload").is_none(),
        "the multipart bookkeeping is dropped: {metadata}"
    );
    let (downloaded, _) = ctx.download(&admin, &id).await;
    assert_eq!(downloaded.len(), bytes.len());
    assert!(downloaded == bytes, "the parts assemble into the file");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn storage_health_reports_s3_honestly(pool: PgPool) {
    // Nothing listens on port 1: the check must fail, within its time limit, as 503.
    let down = TestApp::spawn_with(pool.clone(), |config| {
        use_s3(
            config,
            &S3Settings {
                endpoint: "http://127.0.0.1:1".to_owned(),
                region: "garage".to_owned(),
                bucket: "pmo-missing".to_owned(),
                backup_bucket: None,
                access_key_id: "GKnothing".to_owned(),
                secret_access_key: "nothing".to_owned(),
            },
        );
    })
    .await;
    let response = down.get("/api/v1/s3-backend/health").await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.json(),
        json!({ "status": "unhealthy", "bucket": "pmo-missing", "connected": false })
    );
    let ready = down.get("/api/health/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json()["checks"]["storage"]["backend"], "s3");

    let Some(s3) = s3_settings() else { return };
    let up = TestApp::spawn_with(pool, |config| use_s3(config, &s3)).await;
    let response = up.get("/api/v1/s3-backend/health").await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(
        response.json(),
        json!({ "status": "healthy", "bucket": s3.bucket, "connected": true })
    );
}

type ConfigTweak = Box<dyn Fn(&mut Config)>;

#[test]
fn storage_settings_are_validated_by_key() {
    let cases: Vec<(&str, ConfigTweak)> = vec![
        (
            "storage.bucket",
            Box::new(|c| c.storage.bucket = "Not_A_Bucket".to_owned()),
        ),
        (
            "storage.endpoint",
            Box::new(|c| c.storage.endpoint = Some("ftp://files.example.com".to_owned())),
        ),
        (
            "storage.region",
            Box::new(|c| c.storage.region = " ".to_owned()),
        ),
        (
            "storage.access_key_id",
            Box::new(|c| c.storage.access_key_id = Some("GK123".to_owned())),
        ),
        (
            "storage.presign_put_ttl_secs",
            Box::new(|c| c.storage.presign_put_ttl_secs = 0),
        ),
        (
            "storage.download_url_ttl_secs",
            Box::new(|c| c.storage.download_url_ttl_secs = 8 * 24 * 3600),
        ),
        (
            "storage.max_upload_bytes",
            Box::new(|c| c.storage.max_upload_bytes = 0),
        ),
        (
            "storage.allowed_content_types",
            Box::new(|c| c.storage.allowed_content_types = vec!["PDF".to_owned()]),
        ),
        (
            "storage.allowed_content_types",
            Box::new(|c| c.storage.allowed_content_types = Vec::new()),
        ),
        (
            "storage.part_size_bytes",
            Box::new(|c| c.storage.part_size_bytes = 1024 * 1024),
        ),
        (
            "storage.multipart_threshold_bytes",
            Box::new(|c| c.storage.multipart_threshold_bytes = 6 * 1024 * 1024),
        ),
        (
            "storage.pending_upload_ttl_secs",
            Box::new(|c| c.storage.pending_upload_ttl_secs = 60),
        ),
    ];
    for (key, tweak) in cases {
        let mut config = Config::default();
        tweak(&mut config);
        let err = config.validate().expect_err(key).to_string();
        assert!(err.contains(key), "expected `{key}` in: {err}");
    }
    let mut config = Config::default();
    config.storage.access_key_id = Some("GK123".to_owned());
    config.storage.secret_access_key = Some("very-secret-storage-key".to_owned().into());
    config.storage.allowed_content_types = vec!["image/*".to_owned(), "*/*".to_owned()];
    config.validate().unwrap();
    assert!(
        !format!("{config:?}").contains("very-secret-storage-key"),
        "the secret never shows"
    );
}

#[test]
fn storage_purge_command_runs_once() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(crate::helpers::ScratchDatabase::create());
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        crate::helpers::pmo_command()
            .args(args)
            .env("PMO_DATABASE_URL", &database.url)
            .env("PMO_DATA_DIR", data.path())
            .output()
            .unwrap()
    };
    let migrated = run(&["migrate"]);
    assert!(
        migrated.status.success(),
        "{}",
        crate::helpers::stderr_of(&migrated)
    );
    let purged = run(&["storage", "purge"]);
    let stdout = crate::helpers::stdout_of(&purged);
    assert!(
        purged.status.success(),
        "{}",
        crate::helpers::stderr_of(&purged)
    );
    assert!(
        stdout.contains("Purged 0 abandoned upload(s) and 0 deleted file(s) from local storage"),
        "{stdout}"
    );
    runtime.block_on(database.drop());
}

/// What the S3 server reports about a multipart upload: ListParts (`GET key?uploadId=…`) status
/// and body, and whether ListMultipartUploads on the key's prefix names it. Signed by a client of
/// its own, not by the code under test.
async fn multipart_upload_on_server(
    s3: &S3Settings,
    http: &reqwest::Client,
    key: &str,
    upload_id: &str,
) -> (reqwest::StatusCode, String, bool) {
    use object_store::signer::{Method, SignedUrlOptions, Signer};
    let client = s3.client(&s3.bucket);
    let ttl = Duration::from_secs(60);
    let parts_url = client
        .signed_url_opts(
            Method::GET,
            &key.into(),
            ttl,
            &SignedUrlOptions::default().with_query([("uploadId", upload_id.to_owned())]),
        )
        .await
        .unwrap();
    let parts = http.get(parts_url).send().await.unwrap();
    let status = parts.status();
    let parts_body = parts.text().await.unwrap();
    // ListMultipartUploads is a request on the bucket itself (`/<bucket>/?uploads&prefix=…`).
    let uploads_url = client
        .signed_url_opts(
            Method::GET,
            &object_store::path::Path::from(""),
            ttl,
            &SignedUrlOptions::default()
                .with_query([("uploads", String::new()), ("prefix", key.to_owned())]),
        )
        .await
        .unwrap();
    let uploads = http.get(uploads_url).send().await.unwrap();
    assert_eq!(
        uploads.status(),
        reqwest::StatusCode::OK,
        "ListMultipartUploads"
    );
    let uploads_body = uploads.text().await.unwrap();
    assert!(
        uploads_body.contains("ListMultipartUploadsResult"),
        "{uploads_body}"
    );
    (
        status,
        parts_body,
        uploads_body.contains(&format!("<UploadId>{upload_id}</UploadId>")),
    )
}

/// S3 only (the local backend has no multipart uploads): an upload in parts that was started, got
/// one part and was then abandoned is aborted on the S3 server by the retention job — its parts
/// are discarded there, not left for the bucket's lifecycle rule — and its rows are removed.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn purge_aborts_abandoned_multipart_uploads_on_s3(pool: PgPool) {
    const MIB: u64 = 1024 * 1024;
    let Some(ctx) = spawn(pool, Backend::S3, |config| {
        config.storage.part_size_bytes = 5 * MIB;
        config.storage.multipart_threshold_bytes = 5 * MIB;
        config.storage.max_upload_bytes = 20 * MIB;
    })
    .await
    else {
        return;
    };
    let s3 = s3_settings().unwrap();
    let admin = ctx.app.tenant_with_admin("acme").await;
    let owner = project(&ctx.app, "acme", "P-1").await;
    let bytes = bytes_of(5 * MIB as usize + 1234, 13);
    let upload = ctx
        .start(&admin, owner, "abandoned-big.pdf", &bytes, None)
        .await;
    assert_eq!(upload["upload"]["mode"], "multipart");
    let parts = upload["upload"]["parts"].as_array().unwrap().clone();
    assert_eq!(parts.len(), 2);
    let id = upload["artifact"]["id"].as_str().unwrap().to_owned();
    let artifact_id: Uuid = id.parse().unwrap();

    // One part sent, the second never: the browser went away.
    let first = ctx
        .http
        .put(parts[0]["url"].as_str().unwrap())
        .body(bytes[..5 * MIB as usize].to_vec())
        .send()
        .await
        .unwrap();
    assert!(first.status().is_success(), "part 1: {}", first.status());
    let (key, upload_id): (String, String) = sqlx::query_as(
        "SELECT storage_key, metadata #>> '{upload,multipart_upload_id}' FROM app.d_artifact WHERE id = $1",
    )
    .bind(artifact_id)
    .fetch_one(&ctx.app.pool)
    .await
    .unwrap();
    let (status, listing, listed) =
        multipart_upload_on_server(&s3, &ctx.http, &key, &upload_id).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{listing}");
    assert!(
        listing.contains("<PartNumber>1</PartNumber>"),
        "the server holds part 1: {listing}"
    );
    assert!(listed, "the server lists the unfinished upload");

    // Still young: the retention job leaves it alone.
    let early = pmo::artifact::purge(&ctx.app.pool, &ctx.storage(), &ctx.app.config.storage)
        .await
        .unwrap();
    assert!(early.is_empty(), "{early:?}");
    assert!(
        multipart_upload_on_server(&s3, &ctx.http, &key, &upload_id)
            .await
            .2
    );

    // Older than pending_upload_ttl_secs (7 days): purged.
    ctx.app
        .exec(&format!(
            "UPDATE app.d_artifact SET created_ts = now() - interval '8 days', updated_ts = now() - interval '8 days' WHERE id = '{id}'"
        ))
        .await;
    let report = pmo::artifact::purge(&ctx.app.pool, &ctx.storage(), &ctx.app.config.storage)
        .await
        .unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.abandoned_uploads.len(), 1, "{report:?}");
    let purged = &report.abandoned_uploads[0];
    assert_eq!(purged.artifact_id, artifact_id);
    assert_eq!(purged.upload_status, "pending");
    assert!(
        purged.row_removed,
        "an abandoned first version loses its row"
    );

    // On the server: the upload is aborted (ListParts answers NoSuchUpload, it is no longer
    // listed), so the part cannot be added to any more, and no object was assembled.
    let (status, listing, listed) =
        multipart_upload_on_server(&s3, &ctx.http, &key, &upload_id).await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{listing}");
    assert!(listing.contains("NoSuchUpload"), "{listing}");
    assert!(!listed, "the aborted upload is no longer listed");
    let late = ctx
        .http
        .put(parts[1]["url"].as_str().unwrap())
        .body(bytes[5 * MIB as usize..].to_vec())
        .send()
        .await
        .unwrap();
    assert!(
        !late.status().is_success(),
        "a part for an aborted upload is refused: {}",
        late.status()
    );
    assert!(!ctx.object_exists(&key).await);

    // In the database: the row, its registry entry and its link are gone; completing fails.
    for table_check in [
        format!("SELECT count(*) FROM app.d_artifact WHERE id = '{id}'"),
        format!("SELECT count(*) FROM app.d_entity_instance_id WHERE entity_id = '{id}'"),
        format!("SELECT count(*) FROM app.d_entity_id_map WHERE child_entity_id = '{id}'"),
    ] {
        assert_eq!(ctx.count(&table_check).await, 0, "{table_check}");
    }
    assert_eq!(
        ctx.complete(&admin, &json!(id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM app.audit_log WHERE action = 'artifact.purge'")
            .await,
        1
    );
}
