//! The time the application acts at. It is the system's; a test (or a rehearsal of a deadline)
//! may set it by hand, and then it stays where it was set until set again. Every "now" and "today"
//! of the application is read here (INS-12: an appeal is in time until the end of the 2nd working
//! day), so a test that sets the clock reaches every page, every job and every rule.

use std::sync::{Arc, RwLock};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use chrono::{DateTime, Utc};

/// A clock shared by every clone: the system's until [`Clock::set`].
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<RwLock<Option<DateTime<Utc>>>>);

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self.0.read() {
            Ok(set) => set.unwrap_or_else(Utc::now),
            Err(_) => Utc::now(),
        }
    }

    /// From now on the clock reads `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut set) = self.0.write() {
            *set = Some(at);
        }
    }
}

/// The moment of this request, by the application's clock.
#[derive(Debug, Clone, Copy)]
pub struct Now(pub DateTime<Utc>);

impl<S> FromRequestParts<S> for Now
where
    S: Send + Sync,
    Clock: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(Clock::from_ref(state).now()))
    }
}
