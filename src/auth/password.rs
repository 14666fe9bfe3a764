//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), always on a
//! blocking thread so a login never stalls the async workers.

use std::sync::LazyLock;

use anyhow::anyhow;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use rand::distr::Alphanumeric;
use tokio::sync::{Semaphore, SemaphorePermit};

fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| anyhow!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// At most this many hashes at once (one per core): each takes 19 MiB and a core for a while, so
/// a flood of logins queues here instead of exhausting memory.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
    )
});

/// Hashes a password into a PHC string (with its own random salt).
pub async fn hash(password: String) -> anyhow::Result<String> {
    let _permit = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let hash = hasher()?
            .hash_password(password.as_bytes())
            .map_err(|e| anyhow!("hashing failed: {e}"))?;
        Ok(hash.to_string())
    })
    .await?
}

/// A hash of a random password, verified against when the username does not exist, so that an
/// unknown user costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hasher()
        .and_then(|h| {
            h.hash_password(generate().as_bytes())
                .map_err(|e| anyhow!("dummy hash: {e}"))
        })
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// A turn at the hasher, taken before anything else is held: a login takes its turn before it
/// opens a database transaction, so a queue of logins holds no connections.
#[derive(Debug)]
pub struct HashPermit(#[allow(dead_code)] SemaphorePermit<'static>);

pub async fn permit() -> anyhow::Result<HashPermit> {
    Ok(HashPermit(HASHING.acquire().await?))
}

/// Whether `password` matches `stored` (a PHC string); `None` checks against the dummy hash and
/// always answers false.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    let permit = permit().await?;
    verify_with(&permit, password, stored).await
}

/// [`verify`] with a turn already taken.
pub async fn verify_with(
    _turn: &HashPermit,
    password: String,
    stored: Option<String>,
) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            tracing::error!("a stored password hash does not parse");
            return Ok(false);
        };
        let matches = hasher()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
}

/// A random password for new users and resets: 16 letters and digits.
pub fn generate() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse".into()).await.unwrap_or_default();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("correct horse".into(), Some(stored.clone()))
                .await
                .unwrap_or(false)
        );
        assert!(
            !verify("wrong horse".into(), Some(stored))
                .await
                .unwrap_or(true)
        );
        assert!(!verify("anything".into(), None).await.unwrap_or(true));
    }

    #[test]
    fn generated_passwords_are_long_enough() {
        let p = generate();
        assert_eq!(p.len(), 16);
        assert!(super::super::model::check_new_password(&p).is_ok());
    }
}
