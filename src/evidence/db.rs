//! Every SQL statement of evidence.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// What a file belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Finding(Uuid),
    Signature(Uuid),
    SelfReport(Uuid),
    /// a rectification report's attachment (INS-11)
    Report(Uuid),
    /// the evidence of a unit's appeal against a notice, by the notice's id (INS-12)
    Appeal(Uuid),
    /// the files a complaint comes with (CMP-02)
    Complaint(Uuid),
}

/// A file to record, after it is at its content address.
pub struct NewEvidence<'a> {
    pub owner: Owner,
    pub sha256: &'a str,
    pub size: i64,
    pub media_type: &'a str,
    pub original_name: &'a str,
    pub client_type: &'a str,
    pub taken_at: Option<DateTime<Utc>>,
    pub taken_at_source: Option<&'static str>,
    pub late: bool,
    pub storage_key: &'a str,
    /// none for a complaint's files sent on the public form
    pub uploaded_by: Option<Uuid>,
    pub client_addr: &'a str,
}

/// INS-09: recorded once, never changed.
pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    e: &NewEvidence<'_>,
) -> Result<Uuid, sqlx::Error> {
    let (mut finding_id, mut task_id, mut self_report_id, mut report_id, mut appeal_notice_id) =
        (None, None, None, None, None);
    let mut complaint_id = None;
    let purpose = match e.owner {
        Owner::Finding(id) => {
            finding_id = Some(id);
            "finding"
        }
        Owner::Signature(id) => {
            task_id = Some(id);
            "signature"
        }
        Owner::SelfReport(id) => {
            self_report_id = Some(id);
            "self_report"
        }
        Owner::Report(id) => {
            report_id = Some(id);
            "report"
        }
        Owner::Appeal(id) => {
            appeal_notice_id = Some(id);
            "appeal"
        }
        Owner::Complaint(id) => {
            complaint_id = Some(id);
            "complaint"
        }
    };
    // INS-14: a random id, so that no address can be guessed from another
    let id = Uuid::new_v4();
    sqlx::query!(
        "insert into evidence (tenant_id, id, finding_id, task_id, self_report_id, purpose, sha256,
                               size_bytes, media_type, original_name, client_type, taken_at,
                               taken_at_source, late, storage_key, uploaded_by, client_addr, report_id,
                               appeal_notice_id, complaint_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                 $20)",
        tenant_id,
        id,
        finding_id,
        task_id,
        self_report_id,
        purpose,
        e.sha256,
        e.size,
        e.media_type,
        e.original_name,
        e.client_type,
        e.taken_at,
        e.taken_at_source,
        e.late,
        e.storage_key,
        e.uploaded_by,
        e.client_addr,
        report_id,
        appeal_notice_id,
        complaint_id
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// One file with what decides who may see it.
#[derive(Debug)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub purpose: String,
    pub finding_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub self_report_id: Option<Uuid>,
    pub sha256: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub original_name: String,
    pub taken_at: Option<DateTime<Utc>>,
    pub taken_at_source: Option<String>,
    pub late: bool,
    pub storage_key: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub purged_at: Option<DateTime<Utc>>,
    /// The unit it is about, and the group whose task it came from (none for a self-report).
    pub unit_id: Uuid,
    pub group_id: Option<Uuid>,
    pub finding_status: Option<String>,
    /// where the complaint it came with stands (for a complaint's files)
    pub complaint_status: Option<String>,
    /// Whether the user reading it is a supervisor of that group (INS-14).
    pub viewer_in_group: bool,
}

/// One file, with its unit and group, and whether `viewer` is of that group (for the access
/// check).
pub async fn get(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: Uuid,
) -> Result<EvidenceRow, sqlx::Error> {
    sqlx::query_as!(
        EvidenceRow,
        r#"select e.id, e.purpose, e.finding_id, e.task_id, e.self_report_id, e.sha256,
                  e.size_bytes, e.media_type, e.original_name, e.taken_at, e.taken_at_source,
                  e.late, e.storage_key, coalesce(u.display_name, '') as "uploaded_by!",
                  e.uploaded_at, p.purged_at as "purged_at?",
                  coalesce(f.unit_id, t.unit_id, s.unit_id, n.unit_id, an.unit_id, c.unit_id)
                      as "unit_id!",
                  coalesce(ft.group_id, t.group_id) as group_id,
                  f.status as "finding_status?", c.status as "complaint_status?",
                  exists (select 1 from group_member m
                            join supervisor sv on sv.tenant_id = m.tenant_id and sv.id = m.supervisor_id
                           where m.tenant_id = e.tenant_id and m.group_id = coalesce(ft.group_id, t.group_id)
                             and sv.user_id = $2) as "viewer_in_group!"
             from evidence e
             left join app_user u on u.tenant_id = e.tenant_id and u.id = e.uploaded_by
             left join evidence_purge p on p.tenant_id = e.tenant_id and p.evidence_id = e.id
             left join finding f on f.tenant_id = e.tenant_id and f.id = e.finding_id
             left join inspection_task ft on ft.tenant_id = f.tenant_id and ft.id = f.task_id
             left join inspection_task t on t.tenant_id = e.tenant_id and t.id = e.task_id
             left join self_report s on s.tenant_id = e.tenant_id and s.id = e.self_report_id
             left join rectification_report r on r.tenant_id = e.tenant_id and r.id = e.report_id
             left join rectification_notice n on n.tenant_id = r.tenant_id and n.id = r.notice_id
             left join rectification_notice an on an.tenant_id = e.tenant_id and an.id = e.appeal_notice_id
             left join complaint c on c.tenant_id = e.tenant_id and c.id = e.complaint_id
            where e.id = $1"#,
        id,
        viewer
    )
    .fetch_one(conn)
    .await
}

/// A file as a list shows it.
#[derive(Debug)]
pub struct EvidenceItem {
    pub id: Uuid,
    pub media_type: String,
    pub original_name: String,
    pub size_bytes: i64,
    pub taken_at: Option<DateTime<Utc>>,
    pub late: bool,
    pub uploaded_at: DateTime<Utc>,
    pub purged: bool,
}

/// The files of a finding, oldest first.
pub async fn of_finding(
    conn: &mut PgConnection,
    finding_id: Uuid,
) -> Result<Vec<EvidenceItem>, sqlx::Error> {
    sqlx::query_as!(
        EvidenceItem,
        r#"select e.id, e.media_type, e.original_name, e.size_bytes, e.taken_at, e.late,
                  e.uploaded_at, exists (select 1 from evidence_purge p
                                          where p.tenant_id = e.tenant_id and p.evidence_id = e.id)
                                 as "purged!"
             from evidence e where e.finding_id = $1 order by e.uploaded_at, e.id"#,
        finding_id
    )
    .fetch_all(conn)
    .await
}

/// The files a complaint came with, oldest first.
pub async fn of_complaint(
    conn: &mut PgConnection,
    complaint_id: Uuid,
) -> Result<Vec<EvidenceItem>, sqlx::Error> {
    sqlx::query_as!(
        EvidenceItem,
        r#"select e.id, e.media_type, e.original_name, e.size_bytes, e.taken_at, e.late,
                  e.uploaded_at, exists (select 1 from evidence_purge p
                                          where p.tenant_id = e.tenant_id and p.evidence_id = e.id)
                                 as "purged!"
             from evidence e where e.complaint_id = $1 order by e.uploaded_at, e.id"#,
        complaint_id
    )
    .fetch_all(conn)
    .await
}

/// The attachments of a self-report, oldest first.
pub async fn of_self_report(
    conn: &mut PgConnection,
    self_report_id: Uuid,
) -> Result<Vec<EvidenceItem>, sqlx::Error> {
    sqlx::query_as!(
        EvidenceItem,
        r#"select e.id, e.media_type, e.original_name, e.size_bytes, e.taken_at, e.late,
                  e.uploaded_at, exists (select 1 from evidence_purge p
                                          where p.tenant_id = e.tenant_id and p.evidence_id = e.id)
                                 as "purged!"
             from evidence e where e.self_report_id = $1 order by e.uploaded_at, e.id"#,
        self_report_id
    )
    .fetch_all(conn)
    .await
}

/// The attachments of a notice's rectification reports: (report id, evidence id, name).
pub async fn of_notice_reports(
    conn: &mut PgConnection,
    notice_id: Uuid,
) -> Result<Vec<(Uuid, Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select r.id as report_id, e.id, e.original_name
           from rectification_report r
           join evidence e on e.tenant_id = r.tenant_id and e.report_id = r.id
          where r.notice_id = $1
          order by e.uploaded_at",
        notice_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.report_id, r.id, r.original_name))
        .collect())
}

/// The files of a notice's appeal (INS-12): (evidence, name).
pub async fn of_appeal(
    conn: &mut PgConnection,
    notice_id: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, original_name from evidence where appeal_notice_id = $1 order by uploaded_at",
        notice_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.original_name)).collect())
}

/// INS-14: a view or download, with who and from where.
pub async fn record_access(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    evidence_id: Uuid,
    user_id: Uuid,
    action: &str,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into evidence_access (tenant_id, id, evidence_id, user_id, action, client_addr)
         values ($1, $2, $3, $4, $5, $6)",
        tenant_id,
        Uuid::now_v7(),
        evidence_id,
        user_id,
        action,
        client_addr
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the user's last record of `action` on the file is younger than `within`.
pub async fn accessed_within(
    conn: &mut PgConnection,
    evidence_id: Uuid,
    user_id: Uuid,
    action: &str,
    within: chrono::Duration,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from evidence_access
                           where evidence_id = $1 and user_id = $2 and action = $3
                             and at > now() - $4::interval) as "e!""#,
        evidence_id,
        user_id,
        action,
        sqlx::postgres::types::PgInterval::try_from(within).unwrap_or(
            sqlx::postgres::types::PgInterval {
                months: 0,
                days: 0,
                microseconds: 600_000_000,
            }
        )
    )
    .fetch_one(conn)
    .await
}

/// Who looked at a file: (when, their name, action, address), newest first.
pub async fn access_log(
    conn: &mut PgConnection,
    evidence_id: Uuid,
) -> Result<Vec<(DateTime<Utc>, String, String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select a.at, u.display_name, a.action, a.client_addr
           from evidence_access a join app_user u on u.tenant_id = a.tenant_id and u.id = a.user_id
          where a.evidence_id = $1 order by a.at desc limit 200",
        evidence_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.at, r.display_name, r.action, r.client_addr))
        .collect())
}

/// INS-09 retention: files uploaded before `cutoff` whose bytes are still kept: (id, key).
pub async fn expired(
    conn: &mut PgConnection,
    cutoff: DateTime<Utc>,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select e.id, e.storage_key
             from evidence e
            where e.uploaded_at < $1
              and not exists (select 1 from evidence_purge p
                               where p.tenant_id = e.tenant_id and p.evidence_id = e.id)
            order by e.uploaded_at limit 1000"#,
        cutoff
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.storage_key)).collect())
}

/// INS-09: records that a file's bytes are gone (the row and its hash stay).
pub async fn insert_purge(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    evidence_id: Uuid,
    retention_days: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into evidence_purge (tenant_id, evidence_id, retention_days) values ($1, $2, $3)",
        tenant_id,
        evidence_id,
        retention_days
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Of `keys`, those that no evidence row records (bytes left by a request that never committed).
pub async fn unrecorded_keys(
    conn: &mut PgConnection,
    keys: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select k as "k!" from unnest($1::text[]) as k
            where not exists (select 1 from evidence e where e.storage_key = k)"#,
        keys
    )
    .fetch_all(conn)
    .await
}

/// Serializes everything that records or removes the bytes at `key` until the transaction ends.
pub async fn lock_key(conn: &mut PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('evidence:' || $1, 0))",
        key
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Whether a row records the bytes at `key`.
pub async fn key_recorded(conn: &mut PgConnection, key: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from evidence where storage_key = $1) as "e!""#,
        key
    )
    .fetch_one(conn)
    .await
}

/// Whether a row uploaded at or after `cutoff` records the bytes at `key` (they must stay).
pub async fn key_needed_since(
    conn: &mut PgConnection,
    key: &str,
    cutoff: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from evidence where storage_key = $1 and uploaded_at >= $2) as "e!""#,
        key,
        cutoff
    )
    .fetch_one(conn)
    .await
}
