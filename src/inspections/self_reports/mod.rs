//! Quarterly self-reports (INS-04): each unit reports every quarter, by a due date counted in
//! working days; a unit that does not loses the S01 points once (the scheduled job raises it).

pub mod db;
pub mod handlers;
pub mod model;
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
    let days = crate::registry::settings::db::self_report_due_days(conn).await?;
    Ok((1..=4)
        .map(|q| model::due_on(&calendar, year, q, days))
        .collect())
}
