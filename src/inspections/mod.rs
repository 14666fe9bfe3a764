//! Inspections (the inspection regulation's rules from INS-03 on): the covert-inspection draw
//! (INS-07), reproducible from its stored seed and pool; tasks; findings with evidence, the unit's
//! sign-off, submission and the office's review (INS-05, INS-08 to INS-11); quarterly
//! self-reports (INS-04).

pub mod db;
pub mod draw;
pub mod findings;
pub mod handlers;
pub mod rounds;
pub mod self_report;
pub mod tasks;
pub mod views;

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::calendar::CalendarError;

/// INS-04: the due date of each quarter's self-report of `year` for the office (by its calendar
/// and its setting), or why a date cannot be known yet (CAL-1: a year with no calendar).
pub async fn quarter_dues(
    conn: &mut PgConnection,
    year: i32,
) -> Result<Vec<Result<NaiveDate, CalendarError>>, sqlx::Error> {
    let calendar = crate::calendar::load(conn).await?;
    let days = crate::registry::db::self_report_due_days(conn).await?;
    Ok((1..=4)
        .map(|q| self_report::due_on(&calendar, year, q, days))
        .collect())
}
