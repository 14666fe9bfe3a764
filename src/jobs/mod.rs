//! Scheduled work. Every instance runs the loop; a PostgreSQL advisory lock lets exactly one of
//! them do a round at a time. So far: INS-04, the deduction for a missed quarterly self-report.

use chrono::{NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub mod db;

use crate::audit::{self, Actor, Event};
use crate::calendar::CalendarError;
use crate::inspections::{db as inspections_db, self_report};
use crate::registry::Office;
use crate::scoring::{NewDeduction, deduct_once};

/// The advisory lock key of a job round (one per database).
const JOBS_LOCK: i64 = 0x7869_616f_6e65_6e67; // "xiaoneng"

/// What a round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// False when another instance held the lock and this one did nothing.
    pub ran: bool,
    pub deductions: u32,
}

/// Runs one round of every job for every office. `today` overrides each office's own date (for
/// the operator's tests and back-fills).
pub async fn run_round(pool: &PgPool, today: Option<NaiveDate>) -> anyhow::Result<Round> {
    let mut lock = pool.acquire().await?;
    if !db::try_lock(&mut lock, JOBS_LOCK).await? {
        return Ok(Round::default());
    }
    let outcome = run_offices(pool, today).await;
    db::unlock(&mut lock, JOBS_LOCK).await?;
    Ok(Round {
        ran: true,
        deductions: outcome?,
    })
}

async fn run_offices(pool: &PgPool, today: Option<NaiveDate>) -> anyhow::Result<u32> {
    let mut total = 0;
    for office in crate::registry::db::list_offices(pool).await? {
        let date = today.unwrap_or_else(|| Utc::now().with_timezone(&office.tz()).date_naive());
        let mut tx = crate::db::begin_tenant(pool, office.id).await?;
        total += raise_missed_self_reports(&mut tx, &office, date).await?;
        tx.commit().await?;
    }
    Ok(total)
}

/// INS-04: every listed unit without a report for a quarter whose due date has passed loses the
/// S01 points, once, with its reason. A quarter whose due date needs a year with no calendar is
/// left for when the calendar exists (CAL-1: never guessed).
pub async fn raise_missed_self_reports(
    conn: &mut PgConnection,
    office: &Office,
    today: NaiveDate,
) -> anyhow::Result<u32> {
    let mut raised = 0;
    for (year_id, year) in inspections_db::open_years(conn).await? {
        let Some((item_id, points)) = inspections_db::catalog_item(conn, year_id, "S01").await?
        else {
            continue;
        };
        let units = inspections_db::listed_units(conn, year_id).await?;
        let reports = inspections_db::self_reports(conn, year_id).await?;
        let dues = crate::inspections::quarter_dues(conn, year).await?;
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
                let key = self_report::source_key(year, quarter, unit.id);
                let reason = format!("{year}年第{quarter}季度自查报告未按期报送（截止 {due}）");
                let deduction = NewDeduction {
                    year_id,
                    unit_id: unit.id,
                    item_id,
                    points,
                    source_type: "self_report",
                    source_key: &key,
                    reason: &reason,
                };
                if let Some(id) = deduct_once(conn, office.id, &deduction).await? {
                    record(conn, office.id, id, unit.id, &reason).await?;
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
    audit::record(conn, tenant, &Actor::system("jobs"), event).await
}
