//! Password hashing with argon2id (PHC strings). Hashing is deliberately slow, so async callers
//! use the `*_blocking` wrappers that run it off the async runtime.

use argon2::Argon2;
use argon2::{PasswordHasher, PasswordVerifier};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = PasswordHasher::<argon2::PasswordHash>::hash_password(
        &Argon2::default(),
        password.as_bytes(),
    )
    .map_err(|err| anyhow::anyhow!("hashing a password failed: {err}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC `hash`. A malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    // Parameters come from the stored hash, so older cost settings keep verifying.
    PasswordVerifier::<str>::verify_password(&Argon2::default(), password.as_bytes(), hash).is_ok()
}

pub async fn hash_password_blocking(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

pub async fn verify_password_blocking(hash: String, password: String) -> anyhow::Result<bool> {
    Ok(tokio::task::spawn_blocking(move || verify_password(&hash, &password)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_call() -> anyhow::Result<()> {
        let first = hash_password("correct horse")?;
        let second = hash_password("correct horse")?;
        assert!(first.starts_with("$argon2id$"), "{first}");
        assert_ne!(first, second, "salts must differ");
        assert!(verify_password(&first, "correct horse"));
        assert!(!verify_password(&first, "wrong horse"));
        assert!(!verify_password("not a phc string", "correct horse"));
        Ok(())
    }
}
