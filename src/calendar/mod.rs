//! Working days (CAL-1, CAL-2): the only code that counts them. `model` is the pure arithmetic;
//! this module keeps each office's calendar in the database, starting from the official calendars
//! shipped in `config/calendars/`, which the office may correct day by day or extend by a year.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use std::collections::BTreeSet;

use sqlx::PgConnection;
use uuid::Uuid;

pub use model::{Calendar, CalendarError, YearCalendar};

/// The official calendars shipped with the product (CAL-1).
pub const SHIPPED: [&str; 2] = [
    include_str!("../../config/calendars/cn-2025.toml"),
    include_str!("../../config/calendars/cn-2026.toml"),
];

/// The shipped calendars, parsed. A shipped file that does not parse is a build defect that the
/// unit tests catch; it is skipped here rather than taking the service down.
pub fn shipped() -> Vec<YearCalendar> {
    SHIPPED
        .iter()
        .filter_map(|text| match YearCalendar::parse_toml(text) {
            Ok(year) => Some(year),
            Err(error) => {
                tracing::error!(%error, "a shipped calendar does not parse");
                None
            }
        })
        .collect()
}

/// Gives the office every shipped year it does not have yet; a year it has (perhaps corrected)
/// is left as it is. Returns the years added.
pub async fn ensure_shipped(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<i32>, sqlx::Error> {
    let mut added = Vec::new();
    for year in shipped() {
        if db::insert_year(conn, tenant_id, &year).await? {
            added.push(year.year);
        }
    }
    Ok(added)
}

/// Gives every office the shipped years it lacks (run at start, so a new release's calendar
/// reaches existing offices).
pub async fn ensure_shipped_everywhere(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    for office in crate::db::offices::list_offices(pool).await? {
        let mut tx = crate::db::begin_tenant(pool, office.id).await?;
        let added = ensure_shipped(&mut tx, office.id).await?;
        tx.commit().await?;
        if !added.is_empty() {
            tracing::info!(office = %office.code, ?added, "official calendars added");
        }
    }
    Ok(())
}

/// CAL-2: "within N working days of X" ends at 23:59:59 of working day N in the office's time
/// zone; X, an instant, counts by its date in that zone.
pub fn deadline_at(
    calendar: &Calendar,
    from: chrono::DateTime<chrono::Utc>,
    n: u32,
    tz: chrono_tz::Tz,
) -> Result<chrono::DateTime<chrono::Utc>, CalendarError> {
    use chrono::TimeZone;
    let start = from.with_timezone(&tz).date_naive();
    let due = calendar.add_working_days(start, n)?;
    let last_second = due.and_hms_opt(23, 59, 59).unwrap_or_default();
    // 23:59:59 exists on every day of every zone the office may choose; take the earliest if a
    // zone ever repeats it.
    let local = tz.from_local_datetime(&last_second).earliest();
    Ok(local
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| last_second.and_utc()))
}

/// The office's calendar, as the tenant transaction sees it.
pub async fn load(conn: &mut PgConnection) -> Result<Calendar, sqlx::Error> {
    let years = db::list_years(conn).await?;
    let days = db::list_days(conn).await?;
    Ok(Calendar::new(years.into_iter().map(|y| {
        YearCalendar {
            year: y.year,
            source: y.source,
            holidays: days
                .iter()
                .filter(|d| d.year == y.year && d.kind == "holiday")
                .map(|d| d.day)
                .collect::<BTreeSet<_>>(),
            make_up_workdays: days
                .iter()
                .filter(|d| d.year == y.year && d.kind == "make_up_workday")
                .map(|d| d.day)
                .collect(),
        }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cal_2_a_deadline_ends_at_the_last_second_of_working_day_n_in_the_offices_zone() {
        let calendar = Calendar::new(shipped());
        let shanghai = chrono_tz::Asia::Shanghai;
        let expected = "2026-10-20T15:59:59Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .ok();
        // 10:00 on 2026-09-30 in Shanghai.
        let morning = "2026-09-30T02:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .ok();
        let due = morning.and_then(|t| deadline_at(&calendar, t, 10, shanghai).ok());
        assert_eq!(due, expected);
        // 01:00 on 2026-09-30 in Shanghai is still 2026-09-29 in UTC: the office's date counts.
        let night = "2026-09-29T17:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .ok();
        let due = night.and_then(|t| deadline_at(&calendar, t, 10, shanghai).ok());
        assert_eq!(due, expected);
    }

    #[test]
    fn cal_1_every_shipped_calendar_parses() {
        assert_eq!(shipped().len(), SHIPPED.len());
        let years: Vec<i32> = shipped().iter().map(|y| y.year).collect();
        assert_eq!(years, vec![2025, 2026]);
        assert!(shipped().iter().all(|y| !y.source.is_empty()));
    }
}
