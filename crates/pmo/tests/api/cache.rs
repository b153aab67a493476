//! The cache: one interface over the in-process and Redis backends, invalidation that reaches every
//! instance (PostgreSQL NOTIFY), Redis outages served from the database, and two server instances
//! sharing one database (and Redis) seeing a revocation at once.
//!
//! Also the support the other platform-services tests share: `Instance` (an `AppState` + router with
//! its own background tasks, so two "servers" can run in one test) and `service_env` (the addresses
//! scripts/test-platform.sh writes).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use bytes::Bytes;
use http_body_util::BodyExt;
use pmo::cache::{Cache, CacheKey, Invalidation};
use pmo::config::Config;
use pmo::state::AppState;
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;

use crate::helpers::free_port;

/// The value of a service variable from `.test-services/platform.env`. Absent: the test is skipped
/// (returns None) — except under CI=true, where a missing service is a failure.
pub fn service_env(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Some(value),
        _ => {
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!(
                    "{name} is not set: run scripts/test-platform.sh and source .test-services/platform.env (CI=true: this test may not be skipped)"
                );
            }
            eprintln!(
                "skipped: {name} is not set (run scripts/test-platform.sh, source .test-services/platform.env)"
            );
            None
        }
    }
}

/// A key prefix of its own for each test (they share one Redis).
pub fn unique_prefix() -> String {
    format!("pmotest:{}:", uuid::Uuid::new_v4().simple())
}

pub const SHARED_SECRET: &str = "platform-tests-shared-token-secret-0123456789";

/// One "server": state, router and its invalidation listener, over a shared pool.
pub struct Instance {
    pub state: AppState,
    pub router: Router,
    stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

impl Instance {
    pub async fn start(pool: &PgPool, tweak: impl FnOnce(&mut Config)) -> Instance {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        // Every instance of a deployment shares the token secret (tokens verify anywhere).
        config.auth.token_secret = Some(SecretString::from(SHARED_SECRET));
        tweak(&mut config);
        config.validate().expect("test config is valid");
        let cached_plans =
            pmo::db::cached_plan_pool(pool, &config.database, pmo::db::Keep::OnDemand);
        let state = AppState::new(config, pool.clone(), cached_plans).expect("state");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        pmo::cache::spawn_invalidation_listener(state.cache.clone(), pool.clone(), stopped);
        Instance {
            router: pmo::build_app(state.clone()),
            state,
            stop,
            _dir: dir,
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(body) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(body).unwrap())
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(builder.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, token, Some(body)).await
    }

    /// Creates a tenant and its administrator; returns the administrator's access token.
    pub async fn tenant_admin(&self, slug: &str) -> String {
        let email = format!("admin@{slug}.example");
        pmo::tenancy::create_tenant(
            &self.state.db,
            pmo::tenancy::NewTenant {
                slug: slug.to_owned(),
                name: format!("Tenant {slug}"),
                admin: pmo::tenancy::NewEmployee {
                    email: email.clone(),
                    first_name: "Ada".to_owned(),
                    last_name: "Admin".to_owned(),
                    password: crate::helpers::TEST_PASSWORD.to_owned(),
                    tenant_admin: true,
                },
            },
        )
        .await
        .unwrap();
        self.login(slug, &email).await
    }

    /// Adds a non-admin employee `<local>@<tenant>.example`; returns the id.
    pub async fn employee(&self, tenant: &str, local: &str) -> uuid::Uuid {
        pmo::tenancy::create_employee(
            &self.state.db,
            tenant,
            pmo::tenancy::NewEmployee {
                email: format!("{local}@{tenant}.example"),
                first_name: local.to_owned(),
                last_name: "Tester".to_owned(),
                password: crate::helpers::TEST_PASSWORD.to_owned(),
                tenant_admin: false,
            },
        )
        .await
        .unwrap()
        .id
    }

    pub async fn login(&self, tenant: &str, email: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"email": email, "password": crate::helpers::TEST_PASSWORD, "tenant": tenant}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login: {body}");
        body["token"].as_str().unwrap().to_owned()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Waits until `count` invalidation listeners are listening on this database.
pub async fn wait_for_listeners(pool: &PgPool, count: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listening: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%pmo_cache%'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if listening >= count {
            return;
        }
        assert!(Instant::now() < deadline, "listeners did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `check` until it holds or `within` passes.
pub async fn eventually(within: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn wait_until_redis_usable(cache: &Cache) {
    assert!(
        eventually(Duration::from_secs(10), async || cache.redis_usable()).await,
        "Redis did not become usable"
    );
}

fn key(item: &str) -> CacheKey {
    CacheKey::new("test.items", Some("acme"), item)
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn in_process_caches_of_two_instances_are_invalidated_at_commit(pool: PgPool) {
    let a = Instance::start(&pool, |_| {}).await;
    let b = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 2).await;
    assert_eq!(a.state.cache.backend_name(), "in-process");
    for instance in [&a, &b] {
        instance
            .state
            .cache
            .put(
                &key("k1"),
                Bytes::from_static(b"v1"),
                Duration::from_secs(60),
            )
            .await;
        instance
            .state
            .cache
            .put(
                &key("k2"),
                Bytes::from_static(b"v2"),
                Duration::from_secs(60),
            )
            .await;
    }

    // Invalidated inside a transaction: the other instance hears of it only at commit.
    let mut tx = pool.begin().await.unwrap();
    a.state
        .cache
        .invalidate(&mut *tx, Invalidation::key(&key("k1")))
        .await
        .unwrap();
    assert_eq!(
        a.state.cache.get(&key("k1")).await,
        None,
        "gone here at once"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        b.state.cache.get(&key("k1")).await.is_some(),
        "not before commit"
    );
    tx.commit().await.unwrap();
    assert!(
        eventually(Duration::from_secs(2), async || b
            .state
            .cache
            .get(&key("k1"))
            .await
            .is_none())
        .await,
        "the other instance forgot it after commit"
    );
    assert!(
        b.state.cache.get(&key("k2")).await.is_some(),
        "other keys stay"
    );

    // A whole namespace of one tenant.
    a.state
        .cache
        .invalidate(&pool, Invalidation::namespace("test.items", Some("acme")))
        .await
        .unwrap();
    assert!(
        eventually(Duration::from_secs(2), async || b
            .state
            .cache
            .get(&key("k2"))
            .await
            .is_none())
        .await
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_load_that_raced_with_an_invalidation_is_not_stored(pool: PgPool) {
    let a = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 1).await;
    let cache = a.state.cache.clone();
    let loaded: Result<String, ()> = cache
        .load(&key("race"), Duration::from_secs(60), async || {
            // While "reading the database", a writer invalidates.
            cache
                .invalidate(&pool, Invalidation::key(&key("race")))
                .await
                .unwrap();
            Ok("stale".to_owned())
        })
        .await;
    assert_eq!(loaded.unwrap(), "stale");
    assert_eq!(
        cache.get(&key("race")).await,
        None,
        "the raced value was not cached"
    );
    let again: Result<String, ()> = cache
        .load(&key("race"), Duration::from_secs(60), async || {
            Ok("fresh".to_owned())
        })
        .await;
    assert_eq!(again.unwrap(), "fresh");
    assert!(cache.get(&key("race")).await.is_some());
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn callers_missing_one_key_together_load_it_once_and_never_take_a_raced_value(pool: PgPool) {
    let a = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 1).await;
    let cache = a.state.cache.clone();
    let loads = Arc::new(AtomicUsize::new(0));
    let load = |cache: Cache, item: &'static str, raced: bool| {
        let loads = loads.clone();
        async move {
            cache
                .load_local(
                    &key(item),
                    |_: &String| 8,
                    async || {
                        let n = loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        if raced && n == 0 {
                            // An invalidation arrives (as the listener applies it) while
                            // the first load is "reading the database".
                            cache.apply(&Invalidation::key(&key(item))).await;
                        }
                        Ok::<_, ()>(format!("load {n}"))
                    },
                )
                .await
                .unwrap()
        }
    };

    // 16 callers miss the same key at once: one loads, the others take what it stored.
    let together = futures::future::join_all((0..16).map(|_| load(cache.clone(), "once", false)));
    let answers = together.await;
    assert_eq!(
        loads.load(Ordering::SeqCst),
        1,
        "loaded once for 16 callers"
    );
    assert!(answers.iter().all(|answer| answer.as_str() == "load 0"));

    // The first load races with an invalidation, so it stores nothing: its caller keeps its
    // answer, and the callers waiting for it load afresh (once: the second load stores).
    loads.store(0, Ordering::SeqCst);
    let together = futures::future::join_all((0..16).map(|_| load(cache.clone(), "raced", true)));
    let mut answers: Vec<String> = together.await.iter().map(|a| a.to_string()).collect();
    answers.sort();
    assert_eq!(
        loads.load(Ordering::SeqCst),
        2,
        "the raced load was not shared"
    );
    assert_eq!(answers[0], "load 0");
    assert!(
        answers[1..].iter().all(|answer| answer == "load 1"),
        "{answers:?}"
    );

    // A caller dropped in the middle of its load (a client that went away) lets the next load.
    loads.store(0, Ordering::SeqCst);
    let dropped = key("dropped");
    let slow = cache.load_local(
        &dropped,
        |_: &String| 8,
        async || {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, ()>("never".to_owned())
        },
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(50), slow)
            .await
            .is_err()
    );
    let next = tokio::time::timeout(
        Duration::from_secs(2),
        load(cache.clone(), "dropped", false),
    );
    assert_eq!(
        next.await
            .expect("not blocked by the dropped load")
            .as_str(),
        "load 0"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn redis_is_shared_and_an_invalidation_on_one_instance_is_seen_by_the_other_at_once(
    pool: PgPool,
) {
    let Some(url) = service_env("PMO_TEST_REDIS_URL") else {
        return;
    };
    let prefix = unique_prefix();
    let setup = |config: &mut Config| {
        config.cache.redis_url = Some(SecretString::from(url.clone()));
        config.cache.redis_key_prefix = prefix.clone();
    };
    let a = Instance::start(&pool, setup).await;
    let b = Instance::start(&pool, setup).await;
    wait_for_listeners(&pool, 2).await;
    wait_until_redis_usable(&a.state.cache).await;
    wait_until_redis_usable(&b.state.cache).await;
    assert_eq!(a.state.cache.backend_name(), "redis");

    a.state
        .cache
        .put(
            &key("shared"),
            Bytes::from_static(b"from-a"),
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(
        b.state.cache.get(&key("shared")).await.as_deref(),
        Some(&b"from-a"[..]),
        "one shared store"
    );

    a.state
        .cache
        .invalidate(&pool, Invalidation::key(&key("shared")))
        .await
        .unwrap();
    assert_eq!(
        b.state.cache.get(&key("shared")).await,
        None,
        "gone for the other instance at once"
    );

    for item in ["n1", "n2"] {
        b.state
            .cache
            .put(
                &key(item),
                Bytes::from_static(b"x"),
                Duration::from_secs(60),
            )
            .await;
    }
    b.state
        .cache
        .put(
            &CacheKey::new("test.items", Some("other"), "n1"),
            Bytes::from_static(b"y"),
            Duration::from_secs(60),
        )
        .await;
    a.state
        .cache
        .invalidate(&pool, Invalidation::namespace("test.items", Some("acme")))
        .await
        .unwrap();
    assert_eq!(a.state.cache.get(&key("n1")).await, None);
    assert_eq!(b.state.cache.get(&key("n2")).await, None);
    assert!(
        b.state
            .cache
            .get(&CacheKey::new("test.items", Some("other"), "n1"))
            .await
            .is_some(),
        "other tenants' keys stay"
    );

    let (status, body) = a.get("/api/health/ready", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["checks"]["cache"]["backend"], "redis");
    assert_eq!(body["checks"]["cache"]["status"], "ok", "{body}");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_key_revocation_on_one_instance_is_refused_by_the_other_at_once(pool: PgPool) {
    let a = Instance::start(&pool, |_| {}).await;
    let b = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 2).await;
    let admin = a.tenant_admin("acme").await;
    // Both instances verify the token (and cache that its key id verifies, for 30 s).
    assert_eq!(
        a.get("/api/v1/auth/me", Some(&admin)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        b.get("/api/v1/auth/me", Some(&admin)).await.0,
        StatusCode::OK
    );

    // Leaked key: revoke on A. B must refuse the old token now, not when its cache expires.
    let (status, _) = a
        .post(
            "/api/v1/auth/keys/rotate",
            Some(&admin),
            &json!({"revoke_previous": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        a.get("/api/v1/auth/me", Some(&admin)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        eventually(Duration::from_secs(2), async || b
            .get("/api/v1/auth/me", Some(&admin))
            .await
            .0
            == StatusCode::UNAUTHORIZED)
        .await,
        "instance B still accepts a token of a revoked key"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn logout_and_grant_revocation_take_effect_on_every_instance(pool: PgPool) {
    // Sessions and permission answers are cached per instance. A change made through one
    // instance holds there at once and on every other instance as soon as PostgreSQL delivers
    // the commit's notification (milliseconds); never when the cache entry would have expired.
    let a = Instance::start(&pool, |_| {}).await;
    let b = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 2).await;
    let admin = a.tenant_admin("acme").await;
    let pat_id = a.employee("acme", "pat").await;
    let pat = b.login("acme", "pat@acme.example").await;
    let (status, project) = a
        .post("/api/v1/project", Some(&admin), &json!({"name": "Roof"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let visible = async |instance: &Instance| {
        let (status, page) = instance.get("/api/v1/project", Some(&pat)).await;
        if status == StatusCode::OK {
            page["data"].as_array().map_or(0, Vec::len)
        } else {
            0
        }
    };
    // Both instances cache "pat sees no project".
    assert_eq!(visible(&a).await, 0);
    assert_eq!(visible(&b).await, 0);
    let (status, grant) = a
        .post(
            "/api/v1/rbac/grants",
            Some(&admin),
            &json!({"grantee_type": "employee", "grantee_id": pat_id, "entity_type": "project", "levels": [0]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{grant}");
    assert_eq!(visible(&a).await, 1, "A serves its own grant at once");
    assert!(
        eventually(Duration::from_secs(2), async || visible(&b).await == 1).await,
        "B serves the grant made on A"
    );

    let grant_id = grant["id"].as_str().unwrap();
    let (status, _) = a
        .send(
            Method::DELETE,
            &format!("/api/v1/rbac/grants/{grant_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");
    assert_eq!(visible(&a).await, 0, "A holds its own revoke at once");
    assert!(
        eventually(Duration::from_secs(2), async || visible(&b).await == 0).await,
        "the revoke made on A holds on B"
    );

    // Deactivating the employee ends their sessions (cached on B) everywhere.
    let me = async |instance: &Instance| instance.get("/api/v1/auth/me", Some(&pat)).await;
    assert_eq!(me(&a).await.0, StatusCode::OK);
    assert_eq!(me(&b).await.0, StatusCode::OK);
    let (status, body) = a
        .send(
            Method::DELETE,
            &format!("/api/v1/employee/{pat_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(me(&a).await.0, StatusCode::UNAUTHORIZED, "A at once");
    assert!(
        eventually(Duration::from_secs(2), async || me(&b).await.0
            == StatusCode::UNAUTHORIZED)
        .await,
        "B refuses the deactivated employee"
    );
    let (status, body) = a
        .post(
            &format!("/api/v1/employee/{pat_id}/restore"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert!(
        eventually(Duration::from_secs(2), async || me(&b).await.0
            == StatusCode::OK)
        .await,
        "B serves the restored employee's session again"
    );

    let (status, _) = a.post("/api/v1/auth/logout", Some(&pat), &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(me(&a).await.0, StatusCode::UNAUTHORIZED, "logged out on A");
    assert!(
        eventually(Duration::from_secs(2), async || me(&b).await.0
            == StatusCode::UNAUTHORIZED)
        .await,
        "logged out on B"
    );
}

/// A private redis-server on its own port, stopped on drop.
struct PrivateRedis {
    port: u16,
    server: String,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start(server: &str, port: u16, dir: tempfile::TempDir) -> PrivateRedis {
        let mut redis = PrivateRedis {
            port,
            server: server.to_owned(),
            dir,
            child: None,
        };
        redis.spawn();
        redis
    }

    fn spawn(&mut self) {
        let child = Command::new(&self.server)
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn redis_killed_and_restarted_mid_test_degrades_then_recovers_by_itself(pool: PgPool) {
    let Some(server) = service_env("PMO_TEST_REDIS_SERVER") else {
        return;
    };
    let port = free_port();
    let mut redis = PrivateRedis::start(&server, port, tempfile::tempdir().unwrap());
    let url = format!("redis://127.0.0.1:{port}");
    let a = Instance::start(&pool, |config| {
        config.cache.redis_url = Some(SecretString::from(url.clone()));
        config.cache.redis_key_prefix = unique_prefix();
    })
    .await;
    wait_until_redis_usable(&a.state.cache).await;
    let admin = a.tenant_admin("acme").await;
    a.state
        .cache
        .put(
            &key("before"),
            Bytes::from_static(b"1"),
            Duration::from_secs(60),
        )
        .await;
    assert!(a.state.cache.get(&key("before")).await.is_some());

    redis.kill();
    // The platform keeps serving (from the database); readiness says the cache is down.
    assert_eq!(
        a.get("/api/v1/auth/me", Some(&admin)).await.0,
        StatusCode::OK
    );
    let (status, body) = a.get("/api/health/ready", None).await;
    assert_eq!(status, StatusCode::OK, "an optional dependency: {body}");
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["cache"]["status"], "down", "{body}");
    assert!(body["checks"]["cache"]["error"].is_string());
    assert_eq!(
        a.state.cache.get(&key("before")).await,
        None,
        "a miss, not an error"
    );
    a.state
        .cache
        .invalidate(&pool, Invalidation::key(&key("before")))
        .await
        .unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        assert_eq!(
            a.get("/api/v1/auth/me", Some(&admin)).await.0,
            StatusCode::OK
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "requests do not wait on the dead Redis"
    );

    redis.spawn();
    wait_until_redis_usable(&a.state.cache).await;
    let (status, body) = a.get("/api/health/ready", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["checks"]["cache"]["status"], "ok",
        "reconnected by itself: {body}"
    );
    a.state
        .cache
        .put(
            &key("after"),
            Bytes::from_static(b"2"),
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(
        a.state.cache.get(&key("after")).await.as_deref(),
        Some(&b"2"[..])
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn an_unreachable_redis_url_degrades_readiness_but_never_stops_the_platform(pool: PgPool) {
    let port = free_port(); // nothing listens there
    let a = Instance::start(&pool, |config| {
        config.cache.redis_url = Some(SecretString::from(format!("redis://127.0.0.1:{port}")));
    })
    .await;
    let admin = a.tenant_admin("acme").await;
    assert_eq!(
        a.get("/api/v1/auth/me", Some(&admin)).await.0,
        StatusCode::OK
    );
    let (status, body) = a.get("/api/health/ready", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["cache"]["status"], "down");
    assert_eq!(body["checks"]["database"]["status"], "ok");
    assert_eq!(a.state.cache.get(&key("x")).await, None);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_tls_redis_url_that_cannot_connect_reports_why(pool: PgPool) {
    let port = free_port();
    let a = Instance::start(&pool, |config| {
        config.cache.redis_url = Some(SecretString::from(format!("rediss://127.0.0.1:{port}")));
    })
    .await;
    let reported = eventually(Duration::from_secs(10), async || {
        let (_, body) = a.get("/api/health/ready", None).await;
        body["checks"]["cache"]["error"]
            .as_str()
            .is_some_and(|error| !error.contains("not connected yet"))
    })
    .await;
    assert!(
        reported,
        "the connect error (not a panic) reaches readiness"
    );
    assert_eq!(a.get("/api/health", None).await.0, StatusCode::OK);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn permission_answers_are_cached_until_an_invalidation_arrives(pool: PgPool) {
    // Proves the answers really come from the cache (a grant written with SQL and no notification
    // is not seen), and that the notification every writer sends is what refreshes them.
    let app = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 1).await;
    let admin = app.tenant_admin("acme").await;
    let pat_id = app.employee("acme", "pat").await;
    let pat = app.login("acme", "pat@acme.example").await;
    let (status, project) = app
        .post("/api/v1/project", Some(&admin), &json!({"name": "Roof"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let project_id = project["id"].as_str().unwrap().to_owned();
    let visible = async || {
        let (status, page) = app.get("/api/v1/project", Some(&pat)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["data"].as_array().map_or(0, Vec::len)
    };
    let get = async || {
        app.get(&format!("/api/v1/project/{project_id}"), Some(&pat))
            .await
            .0
    };
    assert_eq!(visible().await, 0);
    assert_eq!(get().await, StatusCode::NOT_FOUND);

    sqlx::query(
        "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission)
         VALUES ('acme', 'employee', $1, 'project', $2::uuid, '{0}')",
    )
    .bind(pat_id)
    .bind(&project_id)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(visible().await, 0, "the list's visible set is cached");
    assert_eq!(get().await, StatusCode::NOT_FOUND, "levels are cached");

    let tenant_access = Invalidation::namespace(pmo::cache::PERMISSIONS, Some("acme"));
    pmo::cache::notify(&pool, &tenant_access).await.unwrap();
    assert!(
        eventually(Duration::from_secs(2), async || visible().await == 1).await,
        "the notification refreshes the visible set"
    );
    assert_eq!(get().await, StatusCode::OK);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_link_write_forgets_only_the_answers_the_link_can_change(pool: PgPool) {
    // Grants written with SQL and no notification stay unseen while pat's answers are cached:
    // which of them a link write brings to light shows which answers it made every caller forget.
    let app = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 1).await;
    let admin = app.tenant_admin("acme").await;
    let pat_id = app.employee("acme", "pat").await;
    let pat = app.login("acme", "pat@acme.example").await;
    let create = async |path: &str, name: &str| -> String {
        let (status, record) = app.post(path, Some(&admin), &json!({ "name": name })).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {record}");
        record["id"].as_str().unwrap().to_owned()
    };
    let project = create("/api/v1/project", "Roof").await;
    let wiki = create("/api/v1/wiki", "Handbook").await;
    let granted_task = create("/api/v1/task", "Gutter").await;
    let loose_task = create("/api/v1/task", "Survey").await;
    let listed = async |path: &str| {
        let (status, page) = app.get(path, Some(&pat)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        page["data"].as_array().map_or(0, Vec::len)
    };
    let get_granted_task = async || {
        app.get(&format!("/api/v1/task/{granted_task}"), Some(&pat))
            .await
            .0
    };
    assert_eq!(listed("/api/v1/task").await, 0);
    assert_eq!(listed("/api/v1/wiki").await, 0);
    assert_eq!(get_granted_task().await, StatusCode::NOT_FOUND);

    for (entity, id, cascade) in [
        ("wiki", &wiki, false),
        ("task", &granted_task, false),
        ("project", &project, true),
    ] {
        sqlx::query(
            "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag)
             VALUES ('acme', 'employee', $1, $2::app.entity_type, $3::uuid, '{0}', $4)",
        )
        .bind(pat_id)
        .bind(entity)
        .bind(id)
        .bind(cascade)
        .execute(&pool)
        .await
        .unwrap();
    }
    assert_eq!(listed("/api/v1/task").await, 0, "visible tasks are cached");
    assert_eq!(listed("/api/v1/wiki").await, 0, "visible wikis are cached");

    // A task created under a project: every caller's visible tasks are read again, with the grants
    // as they are now (the task grant and the cascade, which reaches the new task).
    create(&format!("/api/v1/project/{project}/task"), "Fascia").await;
    assert_eq!(
        listed("/api/v1/task").await,
        2,
        "visible tasks are forgotten"
    );
    assert_eq!(listed("/api/v1/wiki").await, 0, "no wiki sits under a task");
    assert_eq!(
        get_granted_task().await,
        StatusCode::NOT_FOUND,
        "a new task changes nobody's levels on another task"
    );

    // An existing task linked under the project: the levels on tasks go too.
    let (status, link) = app
        .post(
            "/api/v1/linkage",
            Some(&admin),
            &json!({ "parent_entity_type": "project", "parent_entity_id": project,
                     "child_entity_type": "task", "child_entity_id": loose_task }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    assert_eq!(
        get_granted_task().await,
        StatusCode::OK,
        "levels on tasks are forgotten"
    );
    assert_eq!(listed("/api/v1/task").await, 3);
    assert_eq!(
        listed("/api/v1/wiki").await,
        0,
        "still no wiki below a task"
    );

    // Unlinking it forgets the same answers; a grant forgets everything.
    let link_id = link["id"].as_str().unwrap();
    let (status, body) = app
        .send(
            Method::DELETE,
            &format!("/api/v1/linkage/{link_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(listed("/api/v1/task").await, 2);
    let tenant_access = Invalidation::namespace(pmo::cache::PERMISSIONS, Some("acme"));
    pmo::cache::notify(&pool, &tenant_access).await.unwrap();
    assert!(
        eventually(Duration::from_secs(2), async || listed("/api/v1/wiki")
            .await
            == 1)
        .await,
        "the tenant's invalidation forgets the visible wikis"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_datalabel_renamed_on_one_instance_is_shown_renamed_on_the_other(pool: PgPool) {
    // Both the value lists and the names beside records' keys (`task_stage_name`, which every
    // instance keeps in memory) follow a rename.
    let a = Instance::start(&pool, |_| {}).await;
    let b = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 2).await;
    let admin = a.tenant_admin("acme").await;
    let first_name = async |instance: &Instance| {
        let (status, list) = instance
            .get("/api/v1/setting/task_stage", Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        (
            list["data"][0]["key"].as_i64().unwrap(),
            list["data"][0]["name"].as_str().unwrap().to_owned(),
        )
    };
    // Both instances hold the list now, and the name on a task's page and record.
    let (key, name) = first_name(&a).await;
    assert_eq!(first_name(&b).await.1, name);
    let (status, task) = a
        .post(
            "/api/v1/task",
            Some(&admin),
            &json!({"name": "Gutter", "task_stage": key}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    let task_id = task["id"].as_str().unwrap().to_owned();
    let shown = async |instance: &Instance| {
        let (status, record) = instance
            .get(&format!("/api/v1/task/{task_id}"), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{record}");
        let (status, page) = instance.get("/api/v1/task", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let on_page = page["data"][0]["task_stage_name"].clone();
        assert_eq!(
            record["task_stage_name"], on_page,
            "the page and the record agree"
        );
        on_page.as_str().unwrap_or("").to_owned()
    };
    assert_eq!(shown(&a).await, name);
    assert_eq!(shown(&b).await, name);
    let (status, body) = a
        .send(
            Method::PATCH,
            &format!("/api/v1/setting/task_stage/{key}"),
            Some(&admin),
            Some(&json!({"name": "Triage"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(first_name(&a).await.1, "Triage", "A at once");
    assert_eq!(shown(&a).await, "Triage", "A's task at once");
    assert!(
        eventually(Duration::from_secs(2), async || first_name(&b).await.1
            == "Triage"
            && shown(&b).await == "Triage")
        .await,
        "B lists the new name and shows it beside the task's key"
    );
}

/// Pages and records show the name of each record they reference (`project_id_name`), and every
/// instance keeps those names in memory. A rename through the API shows at once on the instance
/// that made it and soon on every other; a rename or a removal written in SQL reaches them too,
/// because the registry's own triggers announce it (migration 0061).
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_renamed_record_is_named_anew_on_every_instance(pool: PgPool) {
    let a = Instance::start(&pool, |_| {}).await;
    let b = Instance::start(&pool, |_| {}).await;
    wait_for_listeners(&pool, 2).await;
    let admin = a.tenant_admin("acme").await;
    let (status, project) = a
        .post("/api/v1/project", Some(&admin), &json!({"name": "Alpha"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let project_id = project["id"].as_str().unwrap().to_owned();
    let (status, task) = a
        .post(
            &format!("/api/v1/project/{project_id}/task"),
            Some(&admin),
            &json!({"name": "Wire the hall", "task_stage": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    let task_path = format!("/api/v1/task/{}", task["id"].as_str().unwrap());
    // The project's name as the task list and the task's record show it on one instance.
    let shown = async |instance: &Instance| {
        let (status, list) = instance.get("/api/v1/task", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let (status, record) = instance.get(&task_path, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{record}");
        (
            list["data"][0]["project_id_name"].clone(),
            record["project_id_name"].clone(),
        )
    };
    let named = |name: Value| (name.clone(), name);
    assert_eq!(shown(&a).await, named(json!("Alpha")));
    assert_eq!(shown(&b).await, named(json!("Alpha")));

    let (status, body) = a
        .send(
            Method::PATCH,
            &format!("/api/v1/project/{project_id}"),
            Some(&admin),
            Some(&json!({"name": "Beta", "version": project["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(shown(&a).await, named(json!("Beta")), "A at once");
    assert!(
        eventually(Duration::from_secs(2), async || shown(&b).await
            == named(json!("Beta")))
        .await,
        "B shows the new name"
    );

    // Written in SQL: both instances follow.
    let project_uuid: uuid::Uuid = project_id.parse().unwrap();
    for (change, want, what) in [
        (
            "UPDATE app.d_entity_instance_id SET name = 'Gamma'",
            json!("Gamma"),
            "shows the name written in SQL",
        ),
        (
            "DELETE FROM app.d_entity_instance_id",
            Value::Null,
            "names nothing once the registry row is gone",
        ),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{change} WHERE tenant_id = 'acme' AND entity_type = 'project' AND entity_id = $1"
        )))
        .bind(project_uuid)
        .execute(&pool)
        .await
        .unwrap();
        for (label, instance) in [("A", &a), ("B", &b)] {
            assert!(
                eventually(Duration::from_secs(2), async || shown(instance).await
                    == named(want.clone()))
                .await,
                "{label} {what}"
            );
        }
    }
}
