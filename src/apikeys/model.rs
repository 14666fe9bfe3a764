//! API keys, pure: how a key is made and written, how a presented one is read from the
//! `Authorization` header and checked against its stored hash, and the name an admin gives it.
//!
//! A key reads `xn_<public id>_<secret>`: the public id is 8 random bytes in hex, the secret 32
//! random bytes (256 bits) in hex, both from the operating system's generator. `xn_<public id>` is
//! the key's prefix: not secret, shown in lists, and how a presented key is found; the secret is
//! stored only as its SHA-256.

use rand::TryRngCore;
use sha2::{Digest, Sha256};

/// What every key begins with.
pub const KEY_START: &str = "xn_";
const PUBLIC_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;
/// The longest name an admin may give a key, in characters.
pub const NAME_MAX: usize = 100;

/// A new key: the whole key, shown once, and what is stored of it.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedKey {
    pub key: String,
    pub prefix: String,
    pub secret_hash: [u8; 32],
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The operating system's generator failed: no key can be made safely.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random generator failed")]
pub struct NoRandomness;

/// A new key from the operating system's generator.
pub fn issue() -> Result<IssuedKey, NoRandomness> {
    let mut public = [0u8; PUBLIC_BYTES];
    let mut secret = [0u8; SECRET_BYTES];
    let mut rng = rand::rngs::OsRng;
    rng.try_fill_bytes(&mut public).map_err(|_| NoRandomness)?;
    rng.try_fill_bytes(&mut secret).map_err(|_| NoRandomness)?;
    Ok(from_parts(&public, &secret))
}

/// The key made of these random bytes.
fn from_parts(public: &[u8; PUBLIC_BYTES], secret: &[u8; SECRET_BYTES]) -> IssuedKey {
    let prefix = format!("{KEY_START}{}", hex::encode(public));
    let secret = hex::encode(secret);
    IssuedKey {
        key: format!("{prefix}_{secret}"),
        prefix,
        secret_hash: hash_secret(&secret),
    }
}

/// The stored form of a key's secret.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A key as a caller presented it, well formed but not yet checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Presented {
    pub prefix: String,
    secret: String,
}

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presented")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `text` is a key's prefix (`xn_` and 16 hex digits), as the command line takes it.
pub fn is_prefix(text: &str) -> bool {
    text.strip_prefix(KEY_START)
        .is_some_and(|public| is_lower_hex(public, PUBLIC_BYTES * 2))
}

impl Presented {
    /// A key in its written form, or `None` when it cannot be one.
    pub fn parse(key: &str) -> Option<Self> {
        let split = KEY_START.len() + PUBLIC_BYTES * 2;
        let (prefix, rest) = (key.get(..split)?, key.get(split..)?);
        let secret = rest.strip_prefix('_')?;
        (is_prefix(prefix) && is_lower_hex(secret, SECRET_BYTES * 2)).then(|| Self {
            prefix: prefix.to_string(),
            secret: secret.to_string(),
        })
    }

    /// The key sent as `Authorization: Bearer KEY` (the scheme in any case, RFC 7235).
    pub fn from_authorization(header: &str) -> Option<Self> {
        let (scheme, key) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        Self::parse(key.trim())
    }

    /// Whether this key's secret is the one stored as `stored_hash`, compared in constant time.
    pub fn matches(&self, stored_hash: &[u8]) -> bool {
        let presented = hash_secret(&self.secret);
        stored_hash.len() == presented.len()
            && stored_hash
                .iter()
                .zip(presented.iter())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
    }
}

/// The name an admin gives a key (which system uses it): trimmed, 1 to [`NAME_MAX`] characters,
/// no control characters. The error is a catalog key.
pub fn parse_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("apikeys.error_name_blank");
    }
    if name.chars().count() > NAME_MAX {
        return Err("apikeys.error_name_long");
    }
    if name.chars().any(char::is_control) {
        return Err("apikeys.error_name_chars");
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> IssuedKey {
        from_parts(&[0xab; PUBLIC_BYTES], &[0x01; SECRET_BYTES])
    }

    #[test]
    fn a_key_is_its_prefix_and_a_secret_of_256_bits() {
        let issued = sample();
        assert_eq!(issued.prefix, "xn_abababababababab");
        assert_eq!(
            issued.key,
            format!("xn_abababababababab_{}", "01".repeat(32))
        );
        assert!(is_prefix(&issued.prefix));
        assert_eq!(issued.secret_hash, hash_secret(&"01".repeat(32)));
    }

    #[test]
    fn issued_keys_differ_and_read_back() {
        let (a, b) = (issue().unwrap(), issue().unwrap());
        assert_ne!(a.key, b.key);
        assert_ne!(a.prefix, b.prefix);
        let presented = Presented::parse(&a.key).unwrap();
        assert_eq!(presented.prefix, a.prefix);
        assert!(presented.matches(&a.secret_hash));
        assert!(!presented.matches(&b.secret_hash));
    }

    #[test]
    fn a_bearer_header_gives_the_key() {
        let key = sample().key;
        for header in [format!("Bearer {key}"), format!("bearer  {key} ")] {
            let presented = Presented::from_authorization(&header).unwrap();
            assert_eq!(presented.prefix, "xn_abababababababab");
        }
        assert!(Presented::from_authorization(&format!("Basic {key}")).is_none());
        assert!(Presented::from_authorization(&key).is_none());
        assert!(Presented::from_authorization("Bearer ").is_none());
    }

    #[test]
    fn malformed_keys_are_not_read() {
        let key = sample().key;
        assert!(Presented::parse(&key[..key.len() - 1]).is_none());
        assert!(Presented::parse(&format!("{key}0")).is_none());
        assert!(Presented::parse(&key.to_uppercase()).is_none());
        assert!(Presented::parse(&key.replacen("xn_", "xx_", 1)).is_none());
        assert!(Presented::parse(&key.replacen('_', "-", 2)).is_none());
        assert!(Presented::parse("xn_é").is_none());
        assert!(Presented::parse("").is_none());
    }

    #[test]
    fn a_wrong_secret_does_not_match() {
        let issued = sample();
        let other = from_parts(&[0xab; PUBLIC_BYTES], &[0x02; SECRET_BYTES]);
        let presented = Presented::parse(&other.key).unwrap();
        assert_eq!(presented.prefix, issued.prefix);
        assert!(!presented.matches(&issued.secret_hash));
        assert!(!presented.matches(&[]));
    }

    #[test]
    fn a_name_is_required_short_and_plain() {
        assert_eq!(parse_name("  12345 平台 ").unwrap(), "12345 平台");
        assert_eq!(parse_name("   "), Err("apikeys.error_name_blank"));
        assert_eq!(
            parse_name(&"名".repeat(NAME_MAX + 1)),
            Err("apikeys.error_name_long")
        );
        assert!(parse_name(&"名".repeat(NAME_MAX)).is_ok());
        assert_eq!(parse_name("a\u{7}b"), Err("apikeys.error_name_chars"));
    }
}
