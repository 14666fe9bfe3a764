//! Per-address limits for what anyone may do without logging in (the public complaint form, the
//! tracking page): at most so many events in a sliding hour, counted in this process by the
//! application's clock. An instance behind a load balancer counts its own share.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// The events counted per key (a purpose, an office and a client address).
#[derive(Debug, Clone, Default)]
pub struct Windows(Arc<Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>>);

impl Windows {
    /// Beyond this many keys, those without an event in the last hour are dropped.
    const ROOM: usize = 100_000;

    /// Whether `key` has room for one more event in the hour before `now` (`per_hour` at most).
    pub fn has_room(&self, key: &str, now: DateTime<Utc>, per_hour: u32) -> bool {
        let Ok(mut all) = self.0.lock() else {
            return true;
        };
        let events = all.entry(key.to_string()).or_default();
        while events
            .front()
            .is_some_and(|t| *t <= now - Duration::hours(1))
        {
            events.pop_front();
        }
        events.len() < per_hour as usize
    }

    /// Counts one event of `key` at `now`.
    pub fn count(&self, key: &str, now: DateTime<Utc>) {
        let Ok(mut all) = self.0.lock() else { return };
        if all.len() >= Self::ROOM {
            all.retain(|_, events| events.back().is_some_and(|t| *t > now - Duration::hours(1)));
        }
        all.entry(key.to_string()).or_default().push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_has_room_for_so_many_events_in_a_sliding_hour() {
        let windows = Windows::default();
        let t0: DateTime<Utc> = "2026-12-01T02:00:00Z".parse().unwrap();
        for i in 0..3 {
            assert!(windows.has_room("a", t0 + Duration::minutes(i), 3));
            windows.count("a", t0 + Duration::minutes(i));
        }
        assert!(!windows.has_room("a", t0 + Duration::minutes(10), 3));
        assert!(
            windows.has_room("b", t0 + Duration::minutes(10), 3),
            "per key"
        );
        assert!(
            windows.has_room("a", t0 + Duration::minutes(61), 3),
            "an hour on"
        );
    }
}
