//! Sessions in PostgreSQL, so that any instance behind a load balancer can serve any request.
//! Our own small store over sqlx with chrono (the published one switches sqlx to `time`).
//!
//! A page view reads its session in its own office transaction, with its user, in one statement
//! (`auth::context`); the store then answers the session's load from that read
//! ([`with_preloaded`]) instead of asking the database a second time on a connection of its own.

use std::cell::RefCell;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

use super::db;

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

tokio::task_local! {
    /// A session already read for this request: its id, and its record (`None`: no live session
    /// has that id). Taken by the first load of that id.
    static PRELOADED: RefCell<Option<(Id, Option<Record>)>>;
}

/// Runs `work` with session `id` already read as `record`: its load is answered from it.
pub async fn with_preloaded<F: Future>(id: Id, record: Option<Record>, work: F) -> F::Output {
    PRELOADED
        .scope(RefCell::new(Some((id, record))), work)
        .await
}

/// The preloaded record of session `id`, once; `None` when none was preloaded for it.
fn take_preloaded(id: &Id) -> Option<Option<Record>> {
    PRELOADED
        .try_with(|slot| {
            let mut slot = slot.borrow_mut();
            match slot.take() {
                Some((preloaded, record)) if preloaded == *id => Some(record),
                other => {
                    *slot = other;
                    None
                }
            }
        })
        .ok()
        .flatten()
}

/// A record as the session table keeps it, with the user it signs in ([`super::SESSION_KEY`]).
fn stored(record: &Record) -> session_store::Result<db::StoredSession> {
    let data = serde_json::to_value(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let user_id = record
        .data
        .get(super::SESSION_KEY)
        .and_then(|auth| auth.get("user_id"))
        .and_then(|id| id.as_str())
        .and_then(|id| Uuid::parse_str(id).ok());
    Ok(db::StoredSession {
        id: record.id.to_string(),
        data,
        user_id,
        expires_at: to_chrono(record.expiry_date),
    })
}

/// A session's record from its stored row.
pub fn record(
    id: Id,
    data: serde_json::Value,
    expires_at: DateTime<Utc>,
) -> session_store::Result<Record> {
    let data =
        serde_json::from_value(data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
    let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires_at.timestamp())
        .map_err(|e| session_store::Error::Decode(e.to_string()))?;
    Ok(Record {
        id,
        data,
        expiry_date,
    })
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the rare collision draw again.
        loop {
            let inserted = db::insert_session(&self.pool, stored(record)?)
                .await
                .map_err(backend)?;
            if inserted {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        db::update_session(&self.pool, stored(record)?)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(record) = take_preloaded(id) {
            return Ok(record);
        }
        let row = db::load_session(&self.pool, &id.to_string())
            .await
            .map_err(backend)?;
        match row {
            Some((data, expires_at)) => Ok(Some(record(*id, data, expires_at)?)),
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        db::delete_session(&self.pool, &id.to_string())
            .await
            .map_err(backend)
    }
}
