//! Access tokens (JWT, HS256 pinned, per-tenant key ids) and opaque random tokens (refresh,
//! password reset, invitation) of which only a SHA-256 hash is stored.

use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::keys::SigningKeys;

const ISSUER: &str = "pmo";
const AUDIENCE: &str = "pmo-api";

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Employee id.
    pub sub: Uuid,
    /// Tenant id.
    pub tid: String,
    /// Session id: checked on every request, so logout takes effect at once.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// Signs an access token for `tenant` with its current kid. The kid names the tenant
/// (`<tenant>.<kid>`), so verification knows which key to derive before trusting any claim.
pub fn issue_access_token(
    keys: &SigningKeys,
    kid: &str,
    tenant: &str,
    employee: Uuid,
    session: Uuid,
    ttl_secs: u64,
) -> anyhow::Result<String> {
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        sub: employee,
        tid: tenant.to_owned(),
        sid: session,
        iat: now,
        exp: now + i64::try_from(ttl_secs)?,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    };
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(format!("{tenant}.{kid}"));
    let key = EncodingKey::from_secret(&keys.derive(tenant, kid));
    Ok(jsonwebtoken::encode(&header, &claims, &key)?)
}

/// Why a token was refused. All of them answer 401; the reason is only logged.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("unknown or revoked signing key")]
    UnknownKey,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("token of tenant {claimed} signed with a key of tenant {key_tenant}")]
    TenantMismatch { claimed: String, key_tenant: String },
}

/// The tenant and kid a token claims to be signed with (not yet trusted).
pub fn token_key_id(token: &str) -> Result<(String, String), TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.alg != Algorithm::HS256 {
        return Err(TokenError::Invalid(format!(
            "algorithm {:?} is not accepted",
            header.alg
        )));
    }
    let kid = header.kid.ok_or(TokenError::Malformed)?;
    let (tenant, kid) = kid.split_once('.').ok_or(TokenError::Malformed)?;
    if tenant.is_empty() || kid.is_empty() {
        return Err(TokenError::Malformed);
    }
    Ok((tenant.to_owned(), kid.to_owned()))
}

/// Verifies signature (HS256 only), expiry, issuer and audience with the tenant's derived key, and
/// that the claimed tenant is the key's tenant.
pub fn verify_access_token(
    keys: &SigningKeys,
    token: &str,
    tenant: &str,
    kid: &str,
) -> Result<AccessClaims, TokenError> {
    let key = DecodingKey::from_secret(&keys.derive(tenant, kid));
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 5;
    let data = jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
        .map_err(|err| TokenError::Invalid(err.to_string()))?;
    if data.claims.tid != tenant {
        return Err(TokenError::TenantMismatch {
            claimed: data.claims.tid,
            key_tenant: tenant.to_owned(),
        });
    }
    Ok(data.claims)
}

/// A random opaque token (256 bits, base64url) for refresh, reset and invitation links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of an opaque token. SHA-256 suffices: the tokens are random, not passwords.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn keys() -> SigningKeys {
        SigningKeys::from_secret(b"a test secret that is long enough".to_vec())
    }

    #[test]
    fn a_token_verifies_only_with_its_tenant_key() {
        let keys = keys();
        let (employee, session) = (Uuid::new_v4(), Uuid::new_v4());
        let token = issue_access_token(&keys, "k1k1k1k1", "acme", employee, session, 900).unwrap();
        let (tenant, kid) = token_key_id(&token).unwrap();
        assert_eq!((tenant.as_str(), kid.as_str()), ("acme", "k1k1k1k1"));
        let claims = verify_access_token(&keys, &token, "acme", "k1k1k1k1").unwrap();
        assert_eq!(
            (claims.sub, claims.sid, claims.tid.as_str()),
            (employee, session, "acme")
        );
        // Another tenant's key, another kid, another server secret: all refused.
        assert!(verify_access_token(&keys, &token, "other", "k1k1k1k1").is_err());
        assert!(verify_access_token(&keys, &token, "acme", "k2k2k2k2").is_err());
        let other_server = SigningKeys::from_secret(b"another secret, also long enough!".to_vec());
        assert!(verify_access_token(&other_server, &token, "acme", "k1k1k1k1").is_err());
    }

    #[test]
    fn expired_and_tampered_tokens_are_refused() {
        let keys = keys();
        let expired = {
            let now = Utc::now().timestamp();
            let claims = AccessClaims {
                sub: Uuid::new_v4(),
                tid: "acme".into(),
                sid: Uuid::new_v4(),
                iat: now - 3600,
                exp: now - 60,
                iss: ISSUER.into(),
                aud: AUDIENCE.into(),
            };
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("acme.k1k1k1k1".into());
            jsonwebtoken::encode(
                &header,
                &claims,
                &EncodingKey::from_secret(&keys.derive("acme", "k1k1k1k1")),
            )
            .unwrap()
        };
        assert!(verify_access_token(&keys, &expired, "acme", "k1k1k1k1").is_err());

        let token = issue_access_token(
            &keys,
            "k1k1k1k1",
            "acme",
            Uuid::new_v4(),
            Uuid::new_v4(),
            900,
        )
        .unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        // Another first character of the signature: all six of its bits count, so the signature
        // always changes. Replacing the last two could leave it equal (the last character carries
        // only four bits), and the test then failed now and then.
        let other = if parts[2].starts_with('A') { "B" } else { "A" };
        parts[2] = format!("{other}{}", &parts[2][1..]);
        assert!(verify_access_token(&keys, &parts.join("."), "acme", "k1k1k1k1").is_err());
        assert!(token_key_id("not-a-jwt").is_err());
    }

    #[test]
    fn opaque_tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
