//! Access-token signing keys. Each tenant has key ids in `app.auth_signing_key`; the key itself is
//! HMAC-SHA256(server secret, tenant, kid), so no key material is ever stored in the database. A
//! token signed for one tenant cannot verify for another, and rotating a tenant's key (a new kid)
//! logs nobody out: older kids keep verifying until revoked.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;
use sqlx::PgExecutor;

use crate::config::Config;

/// The server secret plus a short-lived cache of which kids verify, shared by all requests.
#[derive(Clone)]
pub struct SigningKeys {
    secret: Arc<SecretBox<Vec<u8>>>,
    /// (tenant, kid) → still verifies. Short TTL: a revocation reaches every instance within it.
    verifiable: moka::future::Cache<(String, String), bool>,
}

/// How long a kid's verification status is cached.
const KID_CACHE_TTL: Duration = Duration::from_secs(30);

impl SigningKeys {
    /// Uses `auth.token_secret`, or in development a secret generated once into the data directory.
    pub fn from_config(config: &Config) -> anyhow::Result<SigningKeys> {
        let secret = match &config.auth.token_secret {
            Some(secret) => secret.expose_secret().as_bytes().to_vec(),
            None => {
                load_or_create_dev_secret(&config.data_dir.join("secrets").join("token-secret"))?
            }
        };
        Ok(SigningKeys::from_secret(secret))
    }

    pub fn from_secret(secret: Vec<u8>) -> SigningKeys {
        SigningKeys {
            secret: Arc::new(SecretBox::new(Box::new(secret))),
            verifiable: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(KID_CACHE_TTL)
                .build(),
        }
    }

    /// The HMAC key for one tenant's kid.
    pub fn derive(&self, tenant: &str, kid: &str) -> Vec<u8> {
        // Keyed by the server secret; the label separates this use from any future one.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.expose_secret())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(b"pmo/access-token/v1\0");
        mac.update(tenant.as_bytes());
        mac.update(b"\0");
        mac.update(kid.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The key that encrypts sensitive columns (pgcrypto, symmetric), derived from the same secret
    /// under its own label. Changing the server secret makes those columns unreadable.
    pub fn field_encryption_key(&self) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.expose_secret())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(b"pmo/field-encryption/v1");
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether a kid may verify tokens of `tenant` (exists and is not revoked).
    pub async fn is_verifiable<'e>(
        &self,
        db: impl PgExecutor<'e>,
        tenant: &str,
        kid: &str,
    ) -> Result<bool, sqlx::Error> {
        let key = (tenant.to_owned(), kid.to_owned());
        if let Some(known) = self.verifiable.get(&key).await {
            return Ok(known);
        }
        let ok: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM app.auth_signing_key WHERE tenant_id = $1 AND kid = $2 AND revoked_ts IS NULL)",
        )
        .bind(tenant)
        .bind(kid)
        .fetch_one(db)
        .await?;
        self.verifiable.insert(key, ok).await;
        Ok(ok)
    }

    /// Forgets cached statuses (after a rotation or revocation in this process).
    pub fn forget(&self) {
        self.verifiable.invalidate_all();
    }
}

/// The kid that signs new tokens of a tenant, created on first use.
pub async fn current_kid(
    conn: &mut sqlx::PgConnection,
    tenant: &str,
) -> Result<String, sqlx::Error> {
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT kid FROM app.auth_signing_key
         WHERE tenant_id = $1 AND retired_ts IS NULL AND revoked_ts IS NULL
         ORDER BY created_ts DESC LIMIT 1",
    )
    .bind(tenant)
    .fetch_optional(&mut *conn)
    .await?;
    match existing {
        Some(kid) => Ok(kid),
        None => {
            sqlx::query("INSERT INTO app.auth_signing_key (tenant_id, kid) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(tenant)
                .bind(new_kid())
                .execute(&mut *conn)
                .await?;
            // Two first logins may race; whichever row is newest signs from now on.
            sqlx::query_scalar(
                "SELECT kid FROM app.auth_signing_key
                 WHERE tenant_id = $1 AND retired_ts IS NULL AND revoked_ts IS NULL
                 ORDER BY created_ts DESC LIMIT 1",
            )
            .bind(tenant)
            .fetch_one(&mut *conn)
            .await
        }
    }
}

/// Starts signing with a new kid. Older kids keep verifying (nobody is logged out) unless
/// `revoke_previous` is set, which refuses every token they signed at once (key compromise).
pub async fn rotate(
    conn: &mut sqlx::PgConnection,
    tenant: &str,
    revoke_previous: bool,
) -> Result<String, sqlx::Error> {
    let kid = new_kid();
    sqlx::query(
        "UPDATE app.auth_signing_key
         SET retired_ts = coalesce(retired_ts, now()),
             revoked_ts = CASE WHEN $2 THEN coalesce(revoked_ts, now()) ELSE revoked_ts END
         WHERE tenant_id = $1",
    )
    .bind(tenant)
    .bind(revoke_previous)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO app.auth_signing_key (tenant_id, kid) VALUES ($1, $2)")
        .bind(tenant)
        .bind(&kid)
        .execute(&mut *conn)
        .await?;
    Ok(kid)
}

fn new_kid() -> String {
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn load_or_create_dev_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if path.exists() {
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "{} must be readable by its owner only (chmod 600)",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .with_context(|| format!("{} is not base64", path.display()));
    }
    let dir = path.parent().context("secret path has a parent")?;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let mut secret = vec![0u8; 48];
    rand::rng().fill_bytes(&mut secret);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(
        &mut file,
        base64::engine::general_purpose::STANDARD
            .encode(&secret)
            .as_bytes(),
    )?;
    tracing::info!(path = %path.display(), "generated the development token secret");
    Ok(secret)
}
