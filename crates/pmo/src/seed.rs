//! `pmo seed --demo`: the demo tenant "Huron Home Services" with a coherent company.
//!
//! The data lives in `seed/demo.sql`, written to be idempotent (deterministic ids, ON CONFLICT), so
//! running the seed twice changes nothing. It runs in one transaction.

use secrecy::ExposeSecret;
use sqlx::{AssertSqlSafe, PgPool};

use crate::auth::password;
use crate::config::Config;

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_ADMIN_EMAIL: &str = "james.miller@huronhome.ca";

const DEMO_SQL: &str = include_str!("seed/demo.sql");

/// What the demo tenant holds after seeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub employees: i64,
    pub projects: i64,
    pub tasks: i64,
    pub clients: i64,
    pub links: i64,
    pub registry: i64,
}

pub async fn seed_demo(pool: &PgPool, config: &Config) -> anyhow::Result<SeedReport> {
    let demo_password = config.demo.password.expose_secret().to_owned();

    // Reuse the stored hash when it still matches the configured password, so a re-run neither
    // rewrites 500 rows nor pays for hashing; hash anew only when the password changed.
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT password_hash FROM app.d_employee WHERE tenant_id = $1 AND lower(email) = $2",
    )
    .bind(DEMO_TENANT)
    .bind(DEMO_ADMIN_EMAIL)
    .fetch_optional(pool)
    .await
    .unwrap_or(None);
    let hash = match existing {
        Some(hash)
            if password::verify_password_blocking(hash.clone(), demo_password.clone()).await? =>
        {
            hash
        }
        _ => password::hash_password_blocking(demo_password).await?,
    };

    let mut tx = pool.begin().await?;
    sqlx::query("SELECT set_config('pmo.demo_password_hash', $1, true)")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(AssertSqlSafe(DEMO_SQL))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    demo_report(pool).await
}

pub async fn demo_report(pool: &PgPool) -> anyhow::Result<SeedReport> {
    let row: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM app.d_employee WHERE tenant_id = $1),
                (SELECT count(*) FROM app.d_project WHERE tenant_id = $1),
                (SELECT count(*) FROM app.d_task WHERE tenant_id = $1),
                (SELECT count(*) FROM app.d_client WHERE tenant_id = $1),
                (SELECT count(*) FROM app.d_entity_id_map WHERE tenant_id = $1),
                (SELECT count(*) FROM app.d_entity_instance_id WHERE tenant_id = $1)",
    )
    .bind(DEMO_TENANT)
    .fetch_one(pool)
    .await?;
    Ok(SeedReport {
        employees: row.0,
        projects: row.1,
        tasks: row.2,
        clients: row.3,
        links: row.4,
        registry: row.5,
    })
}

/// The demo administrator's login (e-mail, password from `demo.password`, tenant), as `seed --demo`
/// and `serve --seed-demo` print it: the demo password is no secret.
pub fn demo_login(config: &crate::config::Config) -> String {
    use secrecy::ExposeSecret;
    format!(
        "Demo login: {} / {} (tenant {})",
        DEMO_ADMIN_EMAIL,
        config.demo.password.expose_secret(),
        DEMO_TENANT
    )
}
