//! The time the application acts at. It is the system's; a test (or a rehearsal of a deadline)
//! may set it by hand, and then it stays where it was set until set again. Every rule that turns
//! on the moment of an action (INS-12: an appeal is in time until the end of the 2nd working day)
//! reads the time here, so the rule can be shown to hold at its edges through the real router.

use std::sync::{Arc, RwLock};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};

use crate::AppState;

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

impl FromRequestParts<AppState> for Now {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(state.clock.now()))
    }
}
