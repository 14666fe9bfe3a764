//! Short-lived copies of what a page reads from an office, kept in the process.
//!
//! A copy serves only while its office's number of committed changes ([`super::Changes`]) has not
//! moved and both the application's clock and the real one are within [`Memo::TTL`] of when it
//! was read: any write this process commits in the office retires every copy of that office at
//! once (a test that moves the clock reads again; so does a deadline passing), and a write made
//! by another instance is seen when the copy expires.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

#[derive(Debug)]
pub struct Memo<K, V>(Arc<RwLock<HashMap<K, Kept<V>>>>);

#[derive(Debug)]
struct Kept<V> {
    value: V,
    office_changes: u64,
    now: DateTime<Utc>,
    at: Instant,
}

impl<K, V> Clone for Memo<K, V> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub const TTL: Duration = Duration::from_secs(15);
    /// Beyond this many copies the stale ones are dropped before another is kept.
    const ROOM: usize = 10_000;

    /// The copy kept for `key`, if it still serves.
    pub fn get(&self, key: &K, office_changes: u64, now: DateTime<Utc>) -> Option<V> {
        let kept = self.0.read().ok()?;
        let kept = kept.get(key)?;
        let age = (now - kept.now).abs().to_std().unwrap_or(Duration::MAX);
        (kept.office_changes == office_changes && age < Self::TTL && kept.at.elapsed() < Self::TTL)
            .then(|| kept.value.clone())
    }

    /// The copy kept for `key` if it still serves, else what `read` reads, kept for next time.
    pub async fn read_through<E, F>(
        &self,
        key: K,
        office_changes: u64,
        now: DateTime<Utc>,
        read: F,
    ) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        if let Some(kept) = self.get(&key, office_changes, now) {
            return Ok(kept);
        }
        let value = read.await?;
        self.keep(key, office_changes, now, value.clone());
        Ok(value)
    }

    pub fn keep(&self, key: K, office_changes: u64, now: DateTime<Utc>, value: V) {
        let Ok(mut kept) = self.0.write() else { return };
        if kept.len() >= Self::ROOM {
            kept.retain(|_, k| k.at.elapsed() < Self::TTL);
        }
        let at = Instant::now();
        let copy = Kept {
            value,
            office_changes,
            now,
            at,
        };
        kept.insert(key, copy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_copy_serves_until_its_office_changes_or_the_clock_moves_past_its_time() {
        let memo: Memo<u8, &str> = Memo::default();
        let now = at("2026-12-01T09:00:00Z");
        memo.keep(1, 7, now, "seven");
        assert_eq!(memo.get(&1, 7, now), Some("seven"));
        assert_eq!(memo.get(&1, 8, now), None, "the office changed");
        assert_eq!(memo.get(&2, 7, now), None, "nothing kept for another key");
        let later = at("2026-12-01T09:00:20Z");
        assert_eq!(
            memo.get(&1, 7, later),
            None,
            "the application's clock moved on"
        );
    }
}
