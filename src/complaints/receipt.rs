//! CMP-08: the receipt the scheduled job records when nobody at the unit signs for a complaint
//! within the configured working days of its (latest) assignment, so that the handling period
//! of CMP-09 runs all the same.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::db::{self, UnsignedRow};
use super::model::{Case, Event, Status, Track};
use crate::audit::{self, Actor, Event as AuditEvent};
use crate::calendar::{Calendar, CalendarError};
use crate::core::Office;
use crate::inbox::{ComplaintNews, complaint_news};

/// CMP-08: records the receipt of every complaint of `office` still unsigned after the last of
/// `within` working days (at least one) counted from its latest assignment or transfer, as of
/// `today` (the office's date). Each is moved to signed by the workflow, with a step on its
/// timeline that no person took, an entry in the audit log by the system, and news for the
/// unit's liaisons. A complaint is received once: a second round finds it signed. A deadline in
/// a year without a calendar is left for when the calendar exists (CAL-1: never guessed).
/// Returns how many receipts were recorded.
pub async fn record_overdue_receipts(
    conn: &mut PgConnection,
    office: &Office,
    today: NaiveDate,
    within: u32,
    actor: &Actor,
) -> anyhow::Result<u32> {
    let calendar = crate::calendar::load(conn).await?;
    let mut recorded = 0;
    for row in db::unsigned(conn).await? {
        let Some(routed_at) = row.routed_at else {
            tracing::warn!(office = %office.code, number = %row.number, "an assigned complaint without its assignment step");
            continue;
        };
        let signed_at = match receipt_due(&calendar, routed_at, within, office) {
            Ok(due) => due,
            Err(CalendarError::MissingYear(year)) => {
                tracing::warn!(office = %office.code, number = %row.number, year, "the receipt's day needs a calendar");
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        if office.today(signed_at) >= today {
            continue;
        }
        if record_receipt(conn, office, &row, signed_at, actor).await? {
            recorded += 1;
        }
    }
    Ok(recorded)
}

/// CMP-08, CAL-2: the end of working day `within` after the assignment. The receipt is recorded
/// as of then, not as of the round that finds it: the unit had until that moment to sign, the
/// handling period (CMP-09) then runs from the next working day whatever hour the job runs,
/// and a round that runs late (or twice) records the same receipt.
fn receipt_due(
    calendar: &Calendar,
    routed_at: DateTime<Utc>,
    within: u32,
    office: &Office,
) -> Result<DateTime<Utc>, CalendarError> {
    crate::calendar::deadline_at(calendar, routed_at, within.max(1), office.tz())
}

/// Moves one complaint to signed as of `signed_at` if it is still waiting (under its lock: a
/// liaison signing at the same moment wins or loses whole); whether it was.
async fn record_receipt(
    conn: &mut PgConnection,
    office: &Office,
    row: &UnsignedRow,
    signed_at: DateTime<Utc>,
    actor: &Actor,
) -> anyhow::Result<bool> {
    db::lock_complaint(conn, row.id).await?;
    // transferred meanwhile: the new unit's time to sign has only begun
    if db::routed_at(conn, row.id).await? != row.routed_at {
        return Ok(false);
    }
    let case = Case {
        status: Status::Assigned,
        track: Track::parse(&row.track),
        unit: row.unit_id,
    };
    let step = case.apply(&Event::Sign, signed_at)?;
    // CMP-09: the handling period runs from the receipt, as when the unit signs itself
    let calendar = crate::calendar::load(conn).await?;
    let days = super::model::HANDLING_WORKING_DAYS;
    let due_at = crate::calendar::deadline_at(&calendar, step.at, days, office.tz()).ok();
    let to = db::Move {
        from: step.from,
        to: step.to,
        unit: row.unit_id,
        signed_at: Some(step.at),
        due_at,
    };
    let moved = db::move_complaint(conn, row.id, &to).await?;
    if !moved {
        return Ok(false);
    }
    // stored in the office's language, as the job's other records are
    let note = crate::i18n::Lang::Zh.t("complaints.signed_automatically");
    let entry = db::NewEvent {
        complaint_id: row.id,
        action: step.action,
        actor: None,
        unit: Some(row.unit_id),
        note,
        public_text: Some(note),
        at: step.at,
    };
    db::insert_event(conn, office.id, &entry).await?;
    let detail = json!({
        "number": row.number,
        "unit_id": row.unit_id,
        "signed_at": step.at,
        "automatic": true,
    });
    let event = AuditEvent::new(step.action, ("complaint", row.id), detail);
    audit::record(conn, office.id, actor, event).await?;
    let news = ComplaintNews {
        kind: "complaint_signed_automatically",
        complaint_id: row.id,
        number: &row.number,
        step_id: None,
    };
    complaint_news(conn, office.id, row.unit_id, &news, office.today(actor.at)).await?;
    Ok(true)
}
