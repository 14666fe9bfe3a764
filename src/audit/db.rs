//! Every SQL statement of the audit log.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::ChainRow;

/// Serializes writers of one office's chain until the transaction ends.
pub async fn lock_chain(conn: &mut PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('audit_event:' || $1, 0))",
        tenant_id.to_string()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The last link of the office's chain: its seq and hash.
pub async fn last_link(conn: &mut PgConnection) -> Result<Option<(i64, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query!("select seq, hash from audit_event order by seq desc limit 1")
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| (r.seq, r.hash)))
}

pub async fn insert(
    conn: &mut PgConnection,
    row: &ChainRow,
    prev_hash: &[u8],
    hash: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into audit_event (tenant_id, id, seq, occurred_at, actor_user_id, actor_name, action,
                                  subject_type, subject_id, detail, client_addr, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        row.tenant_id,
        row.id,
        row.seq,
        row.occurred_at,
        row.actor_user_id,
        row.actor_name,
        row.action,
        row.subject_type,
        row.subject_id,
        row.detail,
        row.client_addr,
        prev_hash,
        hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored link: the row and its two hashes.
pub struct StoredLink {
    pub row: ChainRow,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Up to `limit` links after `after_seq`, in chain order (for verification).
pub async fn links_after(
    conn: &mut PgConnection,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<StoredLink>, sqlx::Error> {
    let rows = sqlx::query!(
        "select tenant_id, id, seq, occurred_at, actor_user_id, actor_name, action, subject_type,
                subject_id, detail, client_addr, prev_hash, hash
           from audit_event where seq > $1 order by seq limit $2",
        after_seq,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StoredLink {
            row: ChainRow {
                tenant_id: r.tenant_id,
                id: r.id,
                seq: r.seq,
                occurred_at: r.occurred_at,
                actor_user_id: r.actor_user_id,
                actor_name: r.actor_name,
                action: r.action,
                subject_type: r.subject_type,
                subject_id: r.subject_id,
                detail: r.detail,
                client_addr: r.client_addr,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
        .collect())
}

/// An event as pages list it.
pub struct EventRow {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<Uuid>,
    pub detail: serde_json::Value,
    pub client_addr: Option<String>,
}

/// The newest events before `before_seq` (keyset pagination over the seq index).
pub async fn list_events(
    conn: &mut PgConnection,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        "select seq, occurred_at, actor_name, action, subject_type, subject_id, detail, client_addr
           from audit_event
          where seq < $1
          order by seq desc limit $2",
        // a plain bound, so that the index on (tenant_id, seq) starts at it: an older page costs
        // what the first one does, however long the log
        before_seq.unwrap_or(i64::MAX),
        limit
    )
    .fetch_all(conn)
    .await
}

/// A record's history, oldest first (the timeline of a case or a user).
pub async fn events_for_subject(
    conn: &mut PgConnection,
    subject_type: &str,
    subject_id: Uuid,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        "select seq, occurred_at, actor_name, action, subject_type, subject_id, detail, client_addr
           from audit_event
          where subject_type = $1 and subject_id = $2
          order by seq",
        subject_type,
        subject_id
    )
    .fetch_all(conn)
    .await
}
