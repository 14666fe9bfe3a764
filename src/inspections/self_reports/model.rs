//! Quarterly self-reports (INS-04), pure: each quarter's end, its due date in working days, and
//! the key that makes a missed report deduct exactly once.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::calendar::{Calendar, CalendarError};

/// The longest report a unit files, in characters.
pub const CONTENT_MAX: usize = 10_000;

/// Why a self-report cannot be filed as typed (INS-04), or `None` when it can: a year is open,
/// the quarter has ended, the content is there and fits, and every attachment was taken.
pub fn refusal(
    year: Option<(Uuid, i32)>,
    quarter: Option<i32>,
    today: NaiveDate,
    content: &str,
    file_errors: &[String],
) -> Option<&'static str> {
    match (year, quarter) {
        (None, _) => Some("units.no_open_year"),
        (_, None) => Some("error.quarter"),
        (Some((_, y)), Some(q)) if quarter_end(y, q as u32).is_none_or(|end| today <= end) => {
            Some("error.quarter_not_ended")
        }
        _ if content.is_empty() || content.chars().count() > CONTENT_MAX => {
            Some("error.report_content")
        }
        _ if !file_errors.is_empty() => Some("self_reports.files_refused"),
        _ => None,
    }
}

/// The last day of `quarter` (1–4) of `year`.
pub fn quarter_end(year: i32, quarter: u32) -> Option<NaiveDate> {
    let (month, day) = match quarter {
        1 => (3, 31),
        2 => (6, 30),
        3 => (9, 30),
        4 => (12, 31),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// INS-04: the report is due `working_days` working days after the quarter ends (CAL-2).
pub fn due_on(
    calendar: &Calendar,
    year: i32,
    quarter: u32,
    working_days: u32,
) -> Result<NaiveDate, CalendarError> {
    let end = quarter_end(year, quarter).ok_or(CalendarError::MissingYear(year))?;
    calendar.add_working_days(end, working_days)
}

/// The cause of a missed report's deduction: one per unit, year and quarter.
/// (The year's close reads this form in SQL: `scoring::db::pending_at_close`.)
pub fn source_key(year: i32, quarter: u32, unit: Uuid) -> String {
    format!("{year}-Q{quarter}-{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_04_a_report_is_filed_only_for_an_ended_quarter_of_an_open_year_with_its_content() {
        let year = Some((Uuid::nil(), 2026));
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default();
        let ok = refusal(year, Some(3), day(10, 1), "报告", &[]);
        assert_eq!(ok, None);
        assert_eq!(
            refusal(None, Some(3), day(10, 1), "报告", &[]),
            Some("units.no_open_year")
        );
        assert_eq!(
            refusal(year, None, day(10, 1), "报告", &[]),
            Some("error.quarter")
        );
        assert_eq!(
            refusal(year, Some(3), day(9, 30), "报告", &[]),
            Some("error.quarter_not_ended")
        );
        assert_eq!(
            refusal(year, Some(3), day(10, 1), "", &[]),
            Some("error.report_content")
        );
        let long = "字".repeat(CONTENT_MAX + 1);
        assert_eq!(
            refusal(year, Some(3), day(10, 1), &long, &[]),
            Some("error.report_content")
        );
        assert_eq!(
            refusal(year, Some(3), day(10, 1), "报告", &["x".into()]),
            Some("self_reports.files_refused")
        );
    }

    #[test]
    fn ins_04_a_report_is_due_ten_working_days_after_the_quarter() {
        let calendar = Calendar::new(crate::calendar::shipped());
        // Q3 2026 ends on Wednesday 30 September; the National Day holiday follows.
        assert_eq!(
            due_on(&calendar, 2026, 3, 10),
            Ok(NaiveDate::from_ymd_opt(2026, 10, 20).unwrap_or_default())
        );
        assert_eq!(
            due_on(&calendar, 2026, 1, 10),
            Ok(NaiveDate::from_ymd_opt(2026, 4, 15).unwrap_or_default())
        );
        // Q4's due date falls in 2027, which has no calendar yet (CAL-1).
        assert_eq!(
            due_on(&calendar, 2026, 4, 10),
            Err(CalendarError::MissingYear(2027))
        );
        assert_eq!(quarter_end(2026, 5), None);
    }
}
