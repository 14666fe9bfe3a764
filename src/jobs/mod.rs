//! Scheduled work. Every instance runs the loop; a PostgreSQL advisory lock lets exactly one of
//! them do a round at a time: INS-04, the deduction for a missed quarterly self-report; INS-09, the
//! purge of evidence bytes past the retention period; the inbox's reminders one working day before
//! a due date and once it has passed, and their mail when SMTP is configured; CMP-08, the receipt
//! of a complaint nobody at the unit signed for in time.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub mod db;

use crate::audit::{self, Actor, Event};
use crate::calendar::CalendarError;
use crate::complaints::receipt::record_overdue_receipts;
use crate::core::Office;
use crate::inspections::db as inspections_db;
use crate::inspections::self_reports::{self, db as self_reports_db};
use crate::scoring::{NewDeduction, deduct_once};

/// The advisory lock key of a job round (one per database).
const JOBS_LOCK: i64 = 0x7869_616f_6e65_6e67; // "xiaoneng"

/// What a round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// False when another instance held the lock and this one did nothing.
    pub ran: bool,
    pub deductions: u32,
    /// Evidence files whose bytes were purged (INS-09).
    pub purged: u32,
    /// Reminders written to users' inboxes.
    pub reminders: u64,
    /// Notifications mailed.
    pub mailed: u32,
    /// Complaints whose receipt the round recorded (CMP-08).
    pub receipts: u32,
}

/// What the jobs work with besides the database.
pub struct JobContext<'a> {
    pub pool: &'a PgPool,
    pub evidence: &'a crate::evidence::Store,
    pub retention_days: i64,
    /// Sends notifications by mail; none when SMTP is not configured.
    pub mailer: Option<&'a crate::inbox::mail::Mailer>,
    /// The application's clock: a round acts at its `now`.
    pub clock: &'a crate::core::Clock,
    /// The process's count of committed changes per office: a round moves every office's.
    pub changes: &'a crate::db::Changes,
    /// CMP-08: working days a unit has to sign for a complaint before its receipt is recorded.
    pub sign_within_working_days: u32,
}

/// Runs one round of every job for every office. `today` overrides each office's own date (for
/// the operator's tests and back-fills).
pub async fn run_round(jobs: &JobContext<'_>, today: Option<NaiveDate>) -> anyhow::Result<Round> {
    let mut lock = jobs.pool.acquire().await?;
    if !db::try_lock(&mut lock, JOBS_LOCK).await? {
        return Ok(Round::default());
    }
    let outcome = run_offices(jobs, today).await;
    db::unlock(&mut lock, JOBS_LOCK).await?;
    outcome
}

async fn run_offices(jobs: &JobContext<'_>, today: Option<NaiveDate>) -> anyhow::Result<Round> {
    let mut round = Round {
        ran: true,
        ..Round::default()
    };
    for office in crate::db::offices::list_offices(jobs.pool).await? {
        run_office(jobs, &office, today, &mut round).await?;
    }
    Ok(round)
}

/// One round of every job for one office, adding what it did to `round`; `today` overrides the
/// office's own date. The demo office's story runs its own this way, touching no other office.
pub async fn run_office(
    jobs: &JobContext<'_>,
    office: &Office,
    today: Option<NaiveDate>,
    round: &mut Round,
) -> anyhow::Result<()> {
    let now = jobs.clock.now();
    let actor = Actor::system("jobs", now);
    let date = today.unwrap_or_else(|| office.today(now));
    let mut tx = crate::db::begin_tenant(jobs.pool, office.id).await?;
    round.deductions += raise_missed_self_reports(&mut tx, office, date, &actor).await?;
    tx.commit().await?;
    let mut tx = crate::db::begin_tenant(jobs.pool, office.id).await?;
    round.purged += purge_expired_evidence(&mut tx, jobs, office, date, &actor).await?;
    tx.commit().await?;
    let mut tx = crate::db::begin_tenant(jobs.pool, office.id).await?;
    sweep_unrecorded_evidence(&mut tx, jobs, office).await?;
    tx.commit().await?;
    let mut tx = crate::db::begin_tenant(jobs.pool, office.id).await?;
    let within = jobs.sign_within_working_days;
    round.receipts += record_overdue_receipts(&mut tx, office, date, within, &actor).await?;
    tx.commit().await?;
    let mut tx = crate::db::begin_tenant(jobs.pool, office.id).await?;
    round.reminders += crate::inbox::make_reminders(&mut tx, office, date).await?;
    tx.commit().await?;
    if let Some(mailer) = jobs.mailer {
        round.mailed += mailer.send_pending(jobs.pool, office).await?;
    }
    jobs.changes.changed(office.id);
    Ok(())
}

/// Bytes stored a day ago or more that no evidence row records: a request renamed a file to its
/// address and then never committed (the process died between the two). They are evidence of
/// nothing, so they go; so do temporary files of uploads abandoned a day ago.
pub async fn sweep_unrecorded_evidence(
    conn: &mut PgConnection,
    jobs: &JobContext<'_>,
    office: &Office,
) -> anyhow::Result<u32> {
    let day_ago = jobs.clock.now() - chrono::Duration::days(1);
    let keys = jobs.evidence.stored_before(office.id, day_ago).await?;
    let mut removed = 0;
    for batch in keys.chunks(1000) {
        for key in crate::evidence::db::unrecorded_keys(conn, batch).await? {
            // under the key's lock, and only when still unrecorded and still a day old: an
            // upload that placed the same bytes again since keeps them
            crate::evidence::db::lock_key(conn, &key).await?;
            let fresh = jobs
                .evidence
                .modified(&key)
                .await
                .is_none_or(|placed| placed >= day_ago);
            if fresh || crate::evidence::db::key_recorded(conn, &key).await? {
                continue;
            }
            tracing::warn!(office = %office.code, %key, "removing evidence bytes that no record names");
            jobs.evidence.remove(&key).await?;
            removed += 1;
        }
    }
    let abandoned = std::time::SystemTime::now() - std::time::Duration::from_secs(24 * 3600);
    if let Err(error) = jobs.evidence.sweep_temporary(abandoned).await {
        tracing::warn!(%error, "could not sweep abandoned uploads");
    }
    Ok(removed)
}

/// INS-09: the bytes of evidence uploaded more than the retention period before `today` are
/// removed from the store (unless a younger record shares them); the row and its hash stay, a
/// purge record is added, and each purge is audited.
pub async fn purge_expired_evidence(
    conn: &mut PgConnection,
    jobs: &JobContext<'_>,
    office: &Office,
    today: NaiveDate,
    actor: &Actor,
) -> anyhow::Result<u32> {
    let cutoff = today
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(actor.at)
        - chrono::Duration::days(jobs.retention_days);
    let mut purged = 0;
    for (id, key) in crate::evidence::db::expired(conn, cutoff).await? {
        // under the key's lock: no upload records the same bytes meanwhile
        crate::evidence::db::lock_key(conn, &key).await?;
        let needed = crate::evidence::db::key_needed_since(conn, &key, cutoff).await?
            || jobs
                .evidence
                .modified(&key)
                .await
                .is_some_and(|placed| placed >= cutoff);
        if !needed {
            if let Err(error) = jobs.evidence.purge(&key).await {
                tracing::warn!(office = %office.code, %id, %error, "evidence purge failed; kept for the next round");
                continue;
            }
            if let Some(sha) = key.rsplit('/').next() {
                jobs.evidence
                    .purge(&format!("{}/thumbs/{sha}.jpg", office.id))
                    .await
                    .ok();
            }
        }
        let days = i32::try_from(jobs.retention_days).unwrap_or(i32::MAX);
        crate::evidence::db::insert_purge(conn, office.id, id, days).await?;
        let event = Event {
            action: "evidence.purge",
            subject_type: "evidence",
            subject_id: Some(id),
            detail: json!({ "retention_days": days, "bytes_removed": !needed }),
        };
        audit::record(conn, office.id, actor, event).await?;
        purged += 1;
    }
    Ok(purged)
}

/// INS-04: every listed unit without a report for a quarter whose due date has passed loses the
/// S01 points, once, with its reason. A quarter whose due date needs a year with no calendar is
/// left for when the calendar exists (CAL-1: never guessed).
pub async fn raise_missed_self_reports(
    conn: &mut PgConnection,
    office: &Office,
    today: NaiveDate,
    actor: &Actor,
) -> anyhow::Result<u32> {
    let mut raised = 0;
    for (year_id, year) in inspections_db::open_years(conn).await? {
        let Some((item_id, points)) = inspections_db::catalog_item(conn, year_id, "S01").await?
        else {
            continue;
        };
        let units = inspections_db::listed_units(conn, year_id).await?;
        let reports = self_reports_db::self_reports(conn, year_id).await?;
        let dues = self_reports::quarter_dues(conn, year).await?;
        for (quarter, due) in (1..=4u32).zip(dues) {
            let due = match due {
                Ok(due) => due,
                Err(CalendarError::MissingYear(missing)) => {
                    tracing::warn!(office = %office.code, year, quarter, missing, "self-report due date needs a calendar");
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            if today <= due {
                continue;
            }
            for unit in &units {
                if reports
                    .iter()
                    .any(|r| r.0 == unit.id && r.1 == quarter as i32)
                {
                    continue;
                }
                let key = self_reports::model::source_key(year, quarter, unit.id);
                let reason = format!("{year}年第{quarter}季度自查报告未按期报送（截止 {due}）");
                let deduction = NewDeduction {
                    year_id,
                    unit_id: unit.id,
                    item_id,
                    points,
                    source_type: "self_report",
                    source_key: &key,
                    reason: &reason,
                    at: actor.at,
                };
                if let Some(id) = deduct_once(conn, office.id, &deduction).await? {
                    record(conn, office.id, actor, id, unit.id, &reason).await?;
                    raised += 1;
                }
            }
        }
    }
    Ok(raised)
}

async fn record(
    conn: &mut PgConnection,
    tenant: Uuid,
    actor: &Actor,
    id: Uuid,
    unit: Uuid,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let event = Event {
        action: "deduction.self_report_missed",
        subject_type: "unit",
        subject_id: Some(unit),
        detail: json!({ "deduction_id": id, "reason": reason }),
    };
    audit::record(conn, tenant, actor, event).await
}
