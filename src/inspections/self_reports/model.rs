//! Quarterly self-reports (INS-04), pure: each quarter's end, its due date in working days, and
//! the key that makes a missed report deduct exactly once.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::calendar::{Calendar, CalendarError};

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
pub fn source_key(year: i32, quarter: u32, unit: Uuid) -> String {
    format!("{year}-Q{quarter}-{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

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
