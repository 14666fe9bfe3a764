//! The hash chain, pure: how a row is written canonically, how a link is hashed, and how a walk
//! over an office's rows finds the first broken link.
//!
//! `hash = sha256(prev_hash || canonical(row))`, where `canonical` is a JSON array of the row's
//! fields in a fixed order (object keys sorted, timestamps in RFC 3339 with microseconds, UTC).
//! The first row of an office links to 32 zero bytes.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const GENESIS: [u8; 32] = [0; 32];

/// One audit row, as hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<Uuid>,
    pub detail: Value,
    pub client_addr: Option<String>,
}

impl ChainRow {
    /// The row's canonical bytes. `serde_json` keeps object keys sorted, so the same detail read
    /// back from `jsonb` serializes identically.
    pub fn canonical(&self) -> String {
        json!([
            self.tenant_id,
            self.id,
            self.seq,
            self.occurred_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            self.actor_user_id,
            self.actor_name,
            self.action,
            self.subject_type,
            self.subject_id,
            self.detail,
            self.client_addr,
        ])
        .to_string()
    }

    /// This row's link hash, following `prev`.
    pub fn link_hash(&self, prev: &[u8]) -> Vec<u8> {
        let mut hasher = Sha256::new();
        hasher.update(prev);
        hasher.update(self.canonical().as_bytes());
        hasher.finalize().to_vec()
    }
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// A row's fields no longer give its stored hash: it was changed.
    Altered { seq: i64, id: Uuid },
    /// A row does not point at the hash of the row before it.
    Relinked { seq: i64, id: Uuid },
    /// Rows are missing before this one.
    Missing { expected_seq: i64, found_seq: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Altered { seq, id } => {
                write!(
                    f,
                    "link {seq} (event {id}): the row does not match its hash; it was changed"
                )
            }
            Self::Relinked { seq, id } => {
                write!(
                    f,
                    "link {seq} (event {id}): it does not follow the hash of link {}",
                    seq - 1
                )
            }
            Self::Missing {
                expected_seq,
                found_seq,
            } => {
                write!(
                    f,
                    "link {expected_seq}: missing (the next row is link {found_seq})"
                )
            }
        }
    }
}

/// Walks a chain in `seq` order.
#[derive(Debug)]
pub struct Verifier {
    next_seq: i64,
    prev_hash: Vec<u8>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS.to_vec(),
        }
    }
}

impl Verifier {
    /// Checks the next row against its stored `prev_hash` and `hash`.
    pub fn check(&mut self, row: &ChainRow, prev_hash: &[u8], hash: &[u8]) -> Result<(), Break> {
        if row.seq != self.next_seq {
            return Err(Break::Missing {
                expected_seq: self.next_seq,
                found_seq: row.seq,
            });
        }
        if prev_hash != self.prev_hash.as_slice() {
            return Err(Break::Relinked {
                seq: row.seq,
                id: row.id,
            });
        }
        if row.link_hash(prev_hash) != hash {
            return Err(Break::Altered {
                seq: row.seq,
                id: row.id,
            });
        }
        self.next_seq += 1;
        self.prev_hash = hash.to_vec();
        Ok(())
    }

    /// How many links were checked.
    pub fn checked(&self) -> i64 {
        self.next_seq - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64) -> ChainRow {
        ChainRow {
            tenant_id: Uuid::nil(),
            id: Uuid::from_u128(seq as u128),
            seq,
            occurred_at: DateTime::from_timestamp(1_800_000_000, 123_456_000).unwrap_or_default(),
            actor_user_id: None,
            actor_name: "cli".into(),
            action: "user.create".into(),
            subject_type: "user".into(),
            subject_id: None,
            detail: json!({"b": 1, "a": "x"}),
            client_addr: None,
        }
    }

    fn chain(n: i64) -> Vec<(ChainRow, Vec<u8>, Vec<u8>)> {
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|seq| {
                let r = row(seq);
                let h = r.link_hash(&prev);
                let out = (r, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    #[test]
    fn canonical_form_sorts_detail_keys_and_keeps_microseconds() {
        let c = row(1).canonical();
        assert!(c.contains(r#"{"a":"x","b":1}"#), "{c}");
        assert!(c.contains("2027-01-15T08:00:00.123456Z"), "{c}");
    }

    #[test]
    fn an_intact_chain_verifies() {
        let mut v = Verifier::default();
        for (r, p, h) in chain(5) {
            assert_eq!(v.check(&r, &p, &h), Ok(()));
        }
        assert_eq!(v.checked(), 5);
    }

    #[test]
    fn a_changed_row_is_the_first_broken_link() {
        let mut rows = chain(5);
        rows[2].0.action = "user.disable".into();
        let mut v = Verifier::default();
        let first_break = rows.iter().find_map(|(r, p, h)| v.check(r, p, h).err());
        assert_eq!(
            first_break,
            Some(Break::Altered {
                seq: 3,
                id: Uuid::from_u128(3)
            })
        );
    }

    #[test]
    fn a_deleted_row_is_reported_as_missing() {
        let mut rows = chain(5);
        rows.remove(1);
        let mut v = Verifier::default();
        let first_break = rows.iter().find_map(|(r, p, h)| v.check(r, p, h).err());
        assert_eq!(
            first_break,
            Some(Break::Missing {
                expected_seq: 2,
                found_seq: 3
            })
        );
    }
}
