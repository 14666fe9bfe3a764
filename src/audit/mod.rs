//! The audit log: one append-only table, a hash chain per office. Every login, failed login, user
//! change and state transition is recorded with [`record`] in the same transaction as the change
//! itself, so a change and its record commit or vanish together. UPDATE, DELETE and TRUNCATE are
//! refused by trigger; `xiaoneng audit verify` re-walks each chain and names the first broken link.

pub mod acting;
pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

pub use acting::Acting;
use model::{Break, ChainRow, GENESIS, Verifier};

/// The newest page of each office's log in each language, kept a short while
/// ([`crate::db::Memo`]): every write in the office adds to the log and retires the copy; older
/// pages are read afresh.
pub type NewestPageCache =
    crate::db::Memo<(Uuid, crate::i18n::Lang), std::sync::Arc<views::LogPage>>;

/// Who did it (a user, or the system: CLI, scheduled job), from where, and when by the
/// application's clock.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub name: String,
    pub client_addr: Option<String>,
    pub at: DateTime<Utc>,
}

impl Actor {
    pub fn user(user_id: Uuid, username: &str, client_addr: &str, at: DateTime<Utc>) -> Self {
        Self {
            user_id: Some(user_id),
            name: username.into(),
            client_addr: Some(client_addr.into()),
            at,
        }
    }

    /// Someone at a login form who is not (yet) a known user.
    pub fn anonymous(label: &str, client_addr: &str, at: DateTime<Utc>) -> Self {
        Self {
            user_id: None,
            name: label.into(),
            client_addr: Some(client_addr.into()),
            at,
        }
    }

    /// Another system calling the office's API with one of its keys (named by its prefix and
    /// name: a key is no user).
    pub fn api_key(prefix: &str, name: &str, client_addr: &str, at: DateTime<Utc>) -> Self {
        Self {
            user_id: None,
            name: format!("{prefix} ({name})"),
            client_addr: Some(client_addr.into()),
            at,
        }
    }

    pub fn system(name: &str, at: DateTime<Utc>) -> Self {
        Self {
            user_id: None,
            name: name.into(),
            client_addr: None,
            at,
        }
    }
}

/// What happened, to what.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// `subject.verb`, e.g. `user.login`; the catalog has `audit.<action>` for each.
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<Uuid>,
    pub detail: Value,
}

impl<'a> Event<'a> {
    /// `action` done to the record `(subject_type, subject_id)`, with what the log keeps of it.
    pub fn new(
        action: &'a str,
        (subject_type, subject_id): (&'a str, Uuid),
        detail: Value,
    ) -> Self {
        Self {
            action,
            subject_type,
            subject_id: Some(subject_id),
            detail,
        }
    }

    /// `action` done to a kind of thing as a whole (the calendar, the settings), not one record.
    pub fn general(action: &'a str, subject_type: &'a str, detail: Value) -> Self {
        Self {
            action,
            subject_type,
            subject_id: None,
            detail,
        }
    }
}

/// Appends an event to the office's chain, inside the caller's tenant transaction.
pub async fn record(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    db::lock_chain(conn, tenant_id).await?;
    let (last_seq, prev_hash) = db::last_link(conn).await?.unwrap_or((0, GENESIS.to_vec()));
    // PostgreSQL keeps microseconds: hash exactly what will be read back.
    let occurred_at = actor
        .at
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(actor.at);
    let row = ChainRow {
        tenant_id,
        id: Uuid::now_v7(),
        seq: last_seq + 1,
        occurred_at,
        actor_user_id: actor.user_id,
        actor_name: actor.name.clone(),
        action: event.action.into(),
        subject_type: event.subject_type.into(),
        subject_id: event.subject_id,
        detail: event.detail,
        client_addr: actor.client_addr.clone(),
    };
    let hash = row.link_hash(&prev_hash);
    db::insert(conn, &row, &prev_hash, &hash).await
}

/// The outcome of walking one office's chain.
#[derive(Debug)]
pub struct ChainReport {
    pub checked: i64,
    pub first_break: Option<Break>,
}

/// Re-walks the office's chain (the transaction must be scoped to that office).
pub async fn verify_chain(conn: &mut PgConnection) -> Result<ChainReport, sqlx::Error> {
    const BATCH: i64 = 1000;
    let mut verifier = Verifier::default();
    let mut after = 0;
    loop {
        let links = db::links_after(conn, after, BATCH).await?;
        let Some(last) = links.last() else { break };
        after = last.row.seq;
        for link in &links {
            if let Err(broken) = verifier.check(&link.row, &link.prev_hash, &link.hash) {
                return Ok(ChainReport {
                    checked: verifier.checked(),
                    first_break: Some(broken),
                });
            }
        }
    }
    Ok(ChainReport {
        checked: verifier.checked(),
        first_break: None,
    })
}
