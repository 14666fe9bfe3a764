//! The audit log: one append-only table, a hash chain per office. Every login, failed login, user
//! change and state transition is recorded with [`record`] in the same transaction as the change
//! itself, so a change and its record commit or vanish together. UPDATE, DELETE and TRUNCATE are
//! refused by trigger; `xiaoneng audit verify` re-walks each chain and names the first broken link.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use chrono::{DurationRound, TimeDelta, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use model::{Break, ChainRow, GENESIS, Verifier};

/// Who did it: a user, or the system (CLI, scheduled job).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub name: String,
    pub client_addr: Option<String>,
}

impl Actor {
    pub fn user(user_id: Uuid, username: &str, client_addr: &str) -> Self {
        Self {
            user_id: Some(user_id),
            name: username.into(),
            client_addr: Some(client_addr.into()),
        }
    }

    /// Someone at a login form who is not (yet) a known user.
    pub fn anonymous(label: &str, client_addr: &str) -> Self {
        Self {
            user_id: None,
            name: label.into(),
            client_addr: Some(client_addr.into()),
        }
    }

    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            name: name.into(),
            client_addr: None,
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

/// Appends an event to the office's chain, inside the caller's tenant transaction.
pub async fn record(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    db::lock_chain(conn, tenant_id).await?;
    let (last_seq, prev_hash) = db::last_link(conn).await?.unwrap_or((0, GENESIS.to_vec()));
    let now = Utc::now();
    // PostgreSQL keeps microseconds: hash exactly what will be read back.
    let occurred_at = now
        .duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now);
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
