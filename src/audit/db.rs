//! Every SQL statement of the audit log.

use std::collections::HashMap;
use std::sync::Arc;

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
    /// Who did it: a person's name as it is now (the user's display name), else the name the
    /// event stored (the system: `jobs`, `cli`…).
    pub actor_name: String,
    /// Whether a signed-in person did it (rather than the system or an unknown visitor).
    pub by_user: bool,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<Uuid>,
    pub detail: serde_json::Value,
    pub client_addr: Option<String>,
    /// The names of the records the event names (its subject, the ids in its detail), by id.
    pub names: Arc<HashMap<Uuid, String>>,
}

/// An event as read, before the records it names are looked up.
struct Logged {
    seq: i64,
    occurred_at: DateTime<Utc>,
    actor_name: String,
    by_user: bool,
    action: String,
    subject_type: String,
    subject_id: Option<Uuid>,
    detail: serde_json::Value,
    client_addr: Option<String>,
}

/// The events whose filter and order `$rest` gives (a string literal), each with its actor's
/// name as it is now: one join, by primary key.
macro_rules! logged_events {
    ($rest:tt, $($arg:expr),+ $(,)?) => {
        sqlx::query_as!(
            Logged,
            r#"select e.seq, e.occurred_at, coalesce(u.display_name, e.actor_name) as "actor_name!",
                      e.actor_user_id is not null as "by_user!", e.action, e.subject_type,
                      e.subject_id, e.detail, e.client_addr
                 from audit_event e
                 left join app_user u on u.tenant_id = e.tenant_id and u.id = e.actor_user_id"#
                + $rest,
            $($arg),+
        )
    };
}

/// The newest events before `before_seq` (keyset pagination over the seq index), each with the
/// names of its actor, its subject and the records its detail names.
pub async fn list_events(
    conn: &mut PgConnection,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let logged = logged_events!(
        " where e.seq < $1 order by e.seq desc limit $2",
        // a plain bound, so that the index on (tenant_id, seq) starts at it: an older page costs
        // what the first one does, however long the log
        before_seq.unwrap_or(i64::MAX),
        limit
    )
    .fetch_all(&mut *conn)
    .await?;
    named(conn, logged, true).await
}

/// A record's history, oldest first (the timeline of a case or a user), each event with the
/// names of its actor and of the records its detail names.
pub async fn events_for_subject(
    conn: &mut PgConnection,
    subject_type: &str,
    subject_id: Uuid,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let logged = logged_events!(
        " where e.subject_type = $1 and e.subject_id = $2 order by e.seq",
        subject_type,
        subject_id
    )
    .fetch_all(&mut *conn)
    .await?;
    named(conn, logged, false).await
}

/// The kind of record (a subject type) an id in an event's detail names, by the detail's key.
fn kind_of_detail(key: &str) -> Option<&'static str> {
    match key {
        "unit_id" => Some("unit"),
        "user_id" => Some("user"),
        "staff_id" => Some("staff_member"),
        "item_id" => Some("deduction_item"),
        "task_id" => Some("inspection_task"),
        _ => None,
    }
}

/// The events with the names of the records they name, looked up at once (one statement, each
/// record by its primary key; none when nothing is named). A timeline leaves out its subject: the
/// page it is on is the subject's.
async fn named(
    conn: &mut PgConnection,
    logged: Vec<Logged>,
    with_subjects: bool,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let mut wanted: Vec<(String, Uuid)> = Vec::new();
    for e in &logged {
        if let (true, Some(id)) = (with_subjects, e.subject_id) {
            wanted.push((e.subject_type.clone(), id));
        }
        if let serde_json::Value::Object(detail) = &e.detail {
            for (key, value) in detail {
                let id = value.as_str().and_then(|v| Uuid::parse_str(v).ok());
                if let (Some(kind), Some(id)) = (kind_of_detail(key), id) {
                    wanted.push((kind.to_string(), id));
                }
            }
        }
    }
    let names = Arc::new(if wanted.is_empty() {
        HashMap::new()
    } else {
        names_of(conn, wanted).await?
    });
    Ok(logged
        .into_iter()
        .map(|e| EventRow {
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor_name: e.actor_name,
            by_user: e.by_user,
            action: e.action,
            subject_type: e.subject_type,
            subject_id: e.subject_id,
            detail: e.detail,
            client_addr: e.client_addr,
            names: Arc::clone(&names),
        })
        .collect())
}

/// What a reader calls each record: (kind, id) with the kind a subject type (`unit`, `user`…);
/// kinds with no name (a draw, the calendar) and records not found are left out.
async fn names_of(
    conn: &mut PgConnection,
    wanted: Vec<(String, Uuid)>,
) -> Result<HashMap<Uuid, String>, sqlx::Error> {
    let (kinds, ids): (Vec<String>, Vec<Uuid>) = wanted.into_iter().unzip();
    let rows = sqlx::query!(
        r#"with wanted as (
               select distinct kind, id from unnest($1::text[], $2::uuid[]) as w (kind, id)
           )
           select w.id as "id!", n.name as "name!"
             from wanted w
             cross join lateral (
                   select name from unit where w.kind = 'unit' and id = w.id
                   union all
                   select display_name from app_user where w.kind = 'user' and id = w.id
                   union all
                   select name from staff_member where w.kind = 'staff_member' and id = w.id
                   union all
                   select code || ' ' || title from deduction_item
                    where w.kind = 'deduction_item' and id = w.id
                   union all
                   select u.name || ' ' || t.scheduled_on::text
                     from inspection_task t join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
                    where w.kind = 'inspection_task' and t.id = w.id
                   union all
                   select u.name || coalesce(' ' || i.code, '')
                     from finding f join unit u on u.tenant_id = f.tenant_id and u.id = f.unit_id
                     left join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
                    where w.kind = 'finding' and f.id = w.id
                   union all
                   select number from rectification_notice
                    where w.kind = 'rectification_notice' and id = w.id
                   union all
                   select u.name from interview v join unit u on u.tenant_id = v.tenant_id and u.id = v.unit_id
                    where w.kind = 'interview' and v.id = w.id
                   union all
                   select title from bulletin where w.kind = 'bulletin' and id = w.id
                   union all
                   select name from supervisor where w.kind = 'supervisor' and id = w.id
                   union all
                   select name from supervisor_group where w.kind = 'supervisor_group' and id = w.id
                   union all
                   select name from inspection_round where w.kind = 'inspection_round' and id = w.id
                   union all
                   select year::text from assessment_year where w.kind = 'assessment_year' and id = w.id
                   union all
                   select name from office where w.kind = 'office' and id = w.id
             ) n (name)"#,
        &kinds,
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}
