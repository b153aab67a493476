//! `TestApp`: the application router over a test database, with typed request helpers.

use std::process::{Command, Output};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use pmo::config::Config;
use pmo::state::AppState;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

pub struct TestApp {
    pub router: Router,
    pub pool: PgPool,
    /// The app's second pool (`pmo::db::cached_plan_pool`).
    pub cached_plans: PgPool,
    pub config: Arc<Config>,
    pub cache: pmo::cache::Cache,
    _data_dir: tempfile::TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts the error envelope with the given status and code, and returns the envelope.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "body: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "message missing: {body}"
        );
        body
    }
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> TestApp {
        Self::spawn_with(pool, |_| {}).await
    }

    /// Builds the app with a test configuration (data in a temporary folder) adjusted by `tweak`.
    pub async fn spawn_with(pool: PgPool, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            data_dir: data_dir.path().to_path_buf(),
            ..Config::default()
        };
        tweak(&mut config);
        config.validate().expect("test config is valid");
        let cached_plans =
            pmo::db::cached_plan_pool(&pool, &config.database, pmo::db::Keep::OnDemand);
        let state = AppState::new(config, pool.clone(), cached_plans.clone()).expect("state");
        let config = state.config.clone();
        let cache = state.cache.clone();
        TestApp {
            router: pmo::build_app(state),
            pool,
            cached_plans,
            config,
            cache,
            _data_dir: data_dir,
        }
    }

    /// After set-up that wrote grants, links or employees with SQL, behind the app's back: the
    /// app forgets the sessions and permission answers it derived from them. (A running server
    /// hears of such writes through `NOTIFY`, as `pmo db query --write` sends it.)
    pub async fn forget_cached_access(&self) {
        for namespace in [pmo::cache::PERMISSIONS, pmo::cache::SESSIONS] {
            let what = pmo::cache::Invalidation::namespace(namespace, None);
            self.cache.apply(&what).await;
        }
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::builder().uri(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        self.request(builder.body(body.into()).unwrap()).await
    }
}

/// A signed-in employee of a test tenant.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub tenant: String,
    pub email: String,
    pub token: String,
    pub refresh_token: String,
}

pub const TEST_PASSWORD: &str = "correct-horse-battery";

impl TestApp {
    /// Creates a tenant with its administrator, signed in.
    pub async fn tenant_with_admin(&self, slug: &str) -> TestUser {
        let email = format!("admin@{slug}.example");
        pmo::tenancy::create_tenant(
            &self.pool,
            pmo::tenancy::NewTenant {
                slug: slug.to_owned(),
                name: format!("Tenant {slug}"),
                admin: pmo::tenancy::NewEmployee {
                    email: email.clone(),
                    first_name: "Ada".to_owned(),
                    last_name: "Admin".to_owned(),
                    password: TEST_PASSWORD.to_owned(),
                    tenant_admin: true,
                },
            },
        )
        .await
        .expect("create tenant");
        self.sign_in(slug, &email, TEST_PASSWORD).await
    }

    /// Adds a non-admin employee to a tenant and signs them in.
    pub async fn employee(&self, tenant: &str, local_part: &str) -> TestUser {
        let email = format!("{local_part}@{tenant}.example");
        pmo::tenancy::create_employee(
            &self.pool,
            tenant,
            pmo::tenancy::NewEmployee {
                email: email.clone(),
                first_name: local_part.to_owned(),
                last_name: "Tester".to_owned(),
                password: TEST_PASSWORD.to_owned(),
                tenant_admin: false,
            },
        )
        .await
        .expect("create employee");
        self.sign_in(tenant, &email, TEST_PASSWORD).await
    }

    pub async fn login(&self, tenant: &str, email: &str, password: &str) -> TestResponse {
        self.post_json(
            "/api/v1/auth/login",
            None,
            &json!({ "email": email, "password": password, "tenant": tenant }),
        )
        .await
    }

    pub async fn sign_in(&self, tenant: &str, email: &str, password: &str) -> TestUser {
        let response = self.login(tenant, email, password).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "sign in: {}",
            String::from_utf8_lossy(&response.body)
        );
        let body = response.json();
        TestUser {
            id: body["employee"]["id"].as_str().unwrap().parse().unwrap(),
            tenant: tenant.to_owned(),
            email: email.to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        user: Option<&TestUser>,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(user) = user {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {}", user.token));
        }
        let body = match body {
            Some(body) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(body).unwrap())
            }
            None => Body::empty(),
        };
        self.request(builder.body(body).unwrap()).await
    }

    pub async fn get_as(&self, user: &TestUser, path: &str) -> TestResponse {
        self.send_json(Method::GET, path, Some(user), None).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        user: Option<&TestUser>,
        body: &Value,
    ) -> TestResponse {
        self.send_json(Method::POST, path, user, Some(body)).await
    }

    pub async fn delete_as(&self, user: &TestUser, path: &str) -> TestResponse {
        self.send_json(Method::DELETE, path, Some(user), None).await
    }

    /// Runs SQL for test set-up (values formatted in by the caller: tests only); the app then
    /// forgets what it cached about access (see `forget_cached_access`).
    pub async fn exec(&self, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await
            .expect("test SQL");
        self.forget_cached_access().await;
    }
}

/// The `pmo` binary with a clean environment: no PMO_* or DATABASE_URL leaks in from the test runner.
pub fn pmo_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pmo"));
    command.env_clear();
    for key in ["PATH", "HOME", "LANG", "TMPDIR"] {
        if let Ok(value) = std::env::var(key) {
            command.env(key, value);
        }
    }
    command
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The server URL that `make test` provides (the sqlx test master database).
pub fn master_database_url() -> String {
    std::env::var("DATABASE_URL")
        .expect("DATABASE_URL is set by `make test` (scripts/test-services.sh)")
}

/// A database created for one binary-level test and dropped at the end.
pub struct ScratchDatabase {
    pub url: String,
    name: String,
    admin: PgPool,
}

impl ScratchDatabase {
    /// `pmo` configured for this database (and nothing else), ready for arguments and more env.
    pub fn command(&self) -> Command {
        let mut command = pmo_command();
        command.env("PMO_DATABASE_URL", &self.url);
        command
    }

    /// Runs `pmo <args>` against this database.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    pub async fn create() -> ScratchDatabase {
        let master = master_database_url();
        let admin = PgPool::connect(&master)
            .await
            .expect("connect to the test server");
        let name = format!("pmo_scratch_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .expect("create db");
        let base = master.rsplit_once('/').expect("url has a database").0;
        ScratchDatabase {
            url: format!("{base}/{name}"),
            name,
            admin,
        }
    }

    /// Drops the database; best effort, since a leftover scratch database harms no test (an
    /// autovacuum worker, owned by the superuser, can briefly hold it).
    pub async fn drop(self) {
        for attempt in 0..5 {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            match sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.admin)
                .await
            {
                Ok(_) => return,
                Err(err) if attempt == 4 => {
                    eprintln!("leaving scratch database {}: {err}", self.name)
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
            }
        }
    }
}

/// A port nothing listens on right now (the OS picks it; the caller binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `pmo serve` child process on ports of its own, killed on drop.
///
/// Tests run in parallel, so every server gets a free API port and has the metrics listener turned
/// off (its default port would be shared). Its stderr goes to a file that is shown when it exits
/// early, instead of waiting out the start-up deadline.
pub struct ServeProcess {
    pub child: std::process::Child,
    pub url: String,
    log: tempfile::NamedTempFile,
}

impl ServeProcess {
    /// Starts `command` (a `pmo_command()` with its arguments and environment set) and waits until
    /// `ready_path` answers 2xx, for at most `patience`.
    pub async fn start(
        mut command: Command,
        ready_path: &str,
        patience: std::time::Duration,
    ) -> ServeProcess {
        let port = free_port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = command
            .env("PMO_LISTEN", format!("127.0.0.1:{port}"))
            .env("PMO_METRICS__LISTEN", "")
            .stdout(std::process::Stdio::null())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let mut server = ServeProcess {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let client = reqwest::Client::new();
        let deadline = std::time::Instant::now() + patience;
        loop {
            if client
                .get(format!("{}{ready_path}", server.url))
                .send()
                .await
                .is_ok_and(|response| response.status().is_success())
            {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("pmo serve exited early ({status}):\n{}", server.stderr());
            }
            assert!(
                std::time::Instant::now() < deadline,
                "pmo serve did not answer {ready_path} within {patience:?}:\n{}",
                server.stderr()
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
