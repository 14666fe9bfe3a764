//! Pure working-day arithmetic: which days are working days (CAL-1) and where "within N working
//! days of X" ends (CAL-2). The office keeps one calendar file per year; this module parses and
//! validates such a file and computes with it. No I/O here: reading the files is the caller's job.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// Why a calendar file was rejected or a working-day computation was refused. Every message names
/// the offending date or year, so the office knows what to fix in its calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// CAL-1: a computation needed a day of a year the office has no calendar for; guessing
    /// would silently move deadlines, so it is refused.
    #[error(
        "no working-day calendar for {0}: add it before computing deadlines that reach into it"
    )]
    MissingYear(i32),
    /// The file is not TOML of the expected shape (missing `year`, unknown key, wrong type).
    #[error("calendar file is not valid: {0}")]
    Syntax(String),
    /// A listed date is not a real date written as YYYY-MM-DD.
    #[error("calendar for {year}: \"{value}\" is not a date in YYYY-MM-DD form")]
    BadDate { year: i32, value: String },
    /// A date listed in the calendar of one year belongs to another year, most likely a typo.
    #[error("calendar for {year}: {date} belongs to another year")]
    WrongYear { year: i32, date: NaiveDate },
    /// The same holiday is listed twice, usually a copy-paste slip hiding a missing day.
    #[error("calendar for {year}: holiday {date} is listed twice")]
    DuplicateHoliday { year: i32, date: NaiveDate },
    /// The same make-up working day is listed twice.
    #[error("calendar for {year}: make-up working day {date} is listed twice")]
    DuplicateMakeUpWorkday { year: i32, date: NaiveDate },
    /// A day cannot be both a rest day and a working day.
    #[error("calendar for {year}: {date} is listed both as a holiday and as a make-up working day")]
    HolidayAndMakeUpWorkday { year: i32, date: NaiveDate },
    /// Make-up working days (调休上班) are weekend days worked in exchange for a holiday; a
    /// weekday is a working day already, so listing one means the date is wrong.
    #[error(
        "calendar for {year}: make-up working day {date} is a {weekday}, not a Saturday or Sunday"
    )]
    MakeUpWorkdayNotOnWeekend {
        year: i32,
        date: NaiveDate,
        weekday: Weekday,
    },
}

/// One year's official calendar (CAL-1): the State Council notice, as kept by the office in
/// `config/calendars/cn-<year>.toml`. Only the exceptions are listed; weekends are rest days and
/// weekdays working days unless listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCalendar {
    pub year: i32,
    /// Which notice the calendar transcribes (shown to the office; not used in computation).
    pub source: String,
    pub holidays: BTreeSet<NaiveDate>,
    pub make_up_workdays: BTreeSet<NaiveDate>,
}

/// The file as written; dates stay strings so an error can quote exactly what was typed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearCalendarFile {
    year: i32,
    /// Which notice the file transcribes.
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    make_up_workdays: Vec<String>,
}

impl YearCalendar {
    /// Reads and validates one calendar file, so that a mistyped calendar is rejected when it is
    /// loaded rather than producing wrong deadlines months later.
    pub fn parse_toml(text: &str) -> Result<YearCalendar, CalendarError> {
        let file: YearCalendarFile =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        Self::from_lists(
            file.year,
            file.source.unwrap_or_default(),
            &file.holidays,
            &file.make_up_workdays,
        )
    }

    /// Builds and validates a year from typed lists of dates (a form, or a file's fields).
    pub fn from_lists(
        year: i32,
        source: String,
        holiday_values: &[String],
        make_up_values: &[String],
    ) -> Result<YearCalendar, CalendarError> {
        let mut holidays = BTreeSet::new();
        for value in holiday_values {
            let date = parse_date_of_year(year, value)?;
            if !holidays.insert(date) {
                return Err(CalendarError::DuplicateHoliday { year, date });
            }
        }

        let mut make_up_workdays = BTreeSet::new();
        for value in make_up_values {
            let date = parse_date_of_year(year, value)?;
            if holidays.contains(&date) {
                return Err(CalendarError::HolidayAndMakeUpWorkday { year, date });
            }
            if !is_weekend(date) {
                return Err(CalendarError::MakeUpWorkdayNotOnWeekend {
                    year,
                    date,
                    weekday: date.weekday(),
                });
            }
            if !make_up_workdays.insert(date) {
                return Err(CalendarError::DuplicateMakeUpWorkday { year, date });
            }
        }

        Ok(YearCalendar {
            year,
            source,
            holidays,
            make_up_workdays,
        })
    }

    /// Whether `d` is a working day by this year's calendar. Meant for dates of `self.year`; go
    /// through [`Calendar`] to have dates of other years refused.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        // CAL-1: weekdays that are not holidays, plus make-up working days.
        if self.make_up_workdays.contains(&d) {
            return true;
        }
        !is_weekend(d) && !self.holidays.contains(&d)
    }
}

fn parse_date_of_year(year: i32, value: &str) -> Result<NaiveDate, CalendarError> {
    let date =
        NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| CalendarError::BadDate {
            year,
            value: value.to_owned(),
        })?;
    if date.year() != year {
        return Err(CalendarError::WrongYear { year, date });
    }
    Ok(date)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Every year the office has a calendar for. Deadlines are computed only through this type, so
/// that a day in a year without a calendar is refused rather than guessed (CAL-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
}

impl Calendar {
    /// Gathers the loaded years. If a year is given twice, the later one wins, as a reloaded file
    /// replaces the old one.
    pub fn new(years: impl IntoIterator<Item = YearCalendar>) -> Self {
        Self {
            years: years.into_iter().map(|y| (y.year, y)).collect(),
        }
    }

    /// Whether `d` is a working day, refused for a year without a calendar (CAL-1).
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        // CAL-1: no calendar for the year means no answer, never a guess from weekends alone.
        self.years
            .get(&d.year())
            .map(|year| year.is_working_day(d))
            .ok_or(CalendarError::MissingYear(d.year()))
    }

    /// The date of working day `n` counted from `from`: the day "within N working days of X" ends
    /// (CAL-2). `n = 0` returns `from` unchanged. Only days after `from` are consulted, so `from`
    /// itself may lie in a year without a calendar.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        // CAL-2: day 1 is the first working day after X; the result is working day N.
        let mut day = from;
        let mut counted = 0;
        while counted < n {
            day = next_day(day)?;
            if self.is_working_day(day)? {
                counted += 1;
            }
        }
        Ok(day)
    }

    /// How many working days `d` satisfy `a < d <= b` (0 when `b <= a`): how far into its time
    /// limit a matter is, the inverse of [`Calendar::add_working_days`] (CAL-2).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<u32, CalendarError> {
        // CAL-2: X itself is not counted; the count starts with the first day after it.
        let mut count = 0;
        let mut day = a;
        while day < b {
            day = next_day(day)?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// The following day; past chrono's last representable date there is, a fortiori, no calendar.
fn next_day(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.succ_opt()
        .ok_or(CalendarError::MissingYear(d.year().saturating_add(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CN_2025: &str = include_str!("../../config/calendars/cn-2025.toml");
    const CN_2026: &str = include_str!("../../config/calendars/cn-2026.toml");

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn shipped() -> Calendar {
        Calendar::new([
            YearCalendar::parse_toml(CN_2025).unwrap(),
            YearCalendar::parse_toml(CN_2026).unwrap(),
        ])
    }

    fn parse_2026(holidays: &str, make_up_workdays: &str) -> Result<YearCalendar, CalendarError> {
        YearCalendar::parse_toml(&format!(
            "year = 2026\nholidays = [{holidays}]\nmake_up_workdays = [{make_up_workdays}]\n"
        ))
    }

    #[test]
    fn cal_2_ten_working_days_from_2026_09_30_end_on_2026_10_20() {
        // Oct 1-7 holiday; Oct 8, 9, 10 (Sat, make-up), 12-16, 19, 20.
        assert_eq!(
            shipped().add_working_days(day(2026, 9, 30), 10),
            Ok(day(2026, 10, 20))
        );
    }

    #[test]
    fn cal_2_two_working_days_from_2026_02_13_end_on_2026_02_24() {
        // Feb 14 (Sat, make-up) is day 1; Feb 15-23 holiday; Feb 24 is day 2.
        assert_eq!(
            shipped().add_working_days(day(2026, 2, 13), 2),
            Ok(day(2026, 2, 24))
        );
    }

    #[test]
    fn cal_2_day_one_is_the_first_working_day_after_x() {
        let calendar = shipped();
        // A working day X is not itself counted.
        assert_eq!(
            calendar.add_working_days(day(2026, 3, 10), 1),
            Ok(day(2026, 3, 11))
        );
        // From a Friday, day 1 is the Monday.
        assert_eq!(
            calendar.add_working_days(day(2026, 3, 6), 1),
            Ok(day(2026, 3, 9))
        );
        // From inside a holiday, day 1 is the first day back.
        assert_eq!(
            calendar.add_working_days(day(2025, 10, 1), 1),
            Ok(day(2025, 10, 9))
        );
        // A make-up Sunday is a day like any other.
        assert_eq!(
            calendar.add_working_days(day(2025, 9, 26), 1),
            Ok(day(2025, 9, 28))
        );
    }

    #[test]
    fn cal_2_zero_working_days_leave_x_unchanged() {
        let calendar = shipped();
        assert_eq!(
            calendar.add_working_days(day(2026, 10, 3), 0),
            Ok(day(2026, 10, 3))
        );
        assert_eq!(
            calendar.add_working_days(day(2027, 5, 1), 0),
            Ok(day(2027, 5, 1))
        );
    }

    #[test]
    fn cal_2_a_deadline_crosses_into_the_next_years_calendar() {
        // 2026-01-01..03 holiday, 2026-01-04 (Sun) make-up.
        assert_eq!(
            shipped().add_working_days(day(2025, 12, 31), 1),
            Ok(day(2026, 1, 4))
        );
    }

    #[test]
    fn cal_2_x_itself_needs_no_calendar() {
        // 2025-01-01 holiday; only the days after X are consulted.
        assert_eq!(
            shipped().add_working_days(day(2024, 12, 31), 1),
            Ok(day(2025, 1, 2))
        );
    }

    #[test]
    fn cal_2_working_days_between_counts_the_days_after_a_up_to_and_including_b() {
        let calendar = shipped();
        assert_eq!(
            calendar.working_days_between(day(2026, 9, 30), day(2026, 10, 20)),
            Ok(10)
        );
        assert_eq!(
            calendar.working_days_between(day(2026, 2, 13), day(2026, 2, 23)),
            Ok(1)
        );
        assert_eq!(
            calendar.working_days_between(day(2026, 3, 10), day(2026, 3, 10)),
            Ok(0)
        );
        assert_eq!(
            calendar.working_days_between(day(2026, 3, 20), day(2026, 3, 10)),
            Ok(0)
        );
    }

    #[test]
    fn cal_1_a_computation_in_2027_without_a_calendar_is_refused() {
        let calendar = shipped();
        let refused = CalendarError::MissingYear(2027);
        assert_eq!(
            calendar.is_working_day(day(2027, 1, 4)),
            Err(refused.clone())
        );
        assert_eq!(
            calendar.add_working_days(day(2026, 12, 30), 5),
            Err(refused.clone())
        );
        assert_eq!(
            calendar.working_days_between(day(2026, 12, 1), day(2027, 1, 10)),
            Err(refused)
        );
        assert_eq!(
            CalendarError::MissingYear(2027).to_string(),
            "no working-day calendar for 2027: add it before computing deadlines that reach into it"
        );
    }

    #[test]
    fn cal_1_a_computation_in_2024_without_a_calendar_is_refused() {
        assert_eq!(
            shipped().working_days_between(day(2024, 12, 1), day(2025, 1, 10)),
            Err(CalendarError::MissingYear(2024))
        );
    }

    #[test]
    fn cal_1_make_up_days_are_working_days() {
        let calendar = shipped();
        assert_eq!(calendar.is_working_day(day(2026, 2, 14)), Ok(true));
        assert_eq!(calendar.is_working_day(day(2026, 2, 28)), Ok(true));
        for text in [CN_2025, CN_2026] {
            let year = YearCalendar::parse_toml(text).unwrap();
            for d in &year.make_up_workdays {
                assert!(is_weekend(*d), "{d}");
                assert_eq!(calendar.is_working_day(*d), Ok(true), "{d}");
            }
        }
    }

    #[test]
    fn cal_1_holidays_are_not_working_days() {
        let calendar = shipped();
        // Weekday holidays: Chinese New Year 2026 and National Day 2025.
        assert_eq!(calendar.is_working_day(day(2026, 2, 16)), Ok(false));
        assert_eq!(calendar.is_working_day(day(2025, 10, 8)), Ok(false));
        for text in [CN_2025, CN_2026] {
            let year = YearCalendar::parse_toml(text).unwrap();
            for d in &year.holidays {
                assert_eq!(calendar.is_working_day(*d), Ok(false), "{d}");
            }
        }
    }

    #[test]
    fn cal_1_ordinary_weekends_rest_and_ordinary_weekdays_work() {
        let calendar = shipped();
        assert_eq!(calendar.is_working_day(day(2026, 3, 7)), Ok(false));
        assert_eq!(calendar.is_working_day(day(2026, 3, 8)), Ok(false));
        assert_eq!(calendar.is_working_day(day(2026, 3, 9)), Ok(true));
        assert_eq!(calendar.is_working_day(day(2025, 12, 31)), Ok(true));
    }

    #[test]
    fn cal_1_shipped_calendars_transcribe_the_state_council_notices() {
        let y2025 = YearCalendar::parse_toml(CN_2025).unwrap();
        let y2026 = YearCalendar::parse_toml(CN_2026).unwrap();
        assert_eq!((y2025.year, y2025.holidays.len()), (2025, 28));
        assert_eq!((y2026.year, y2026.holidays.len()), (2026, 33));
        assert_eq!(
            y2025.make_up_workdays.into_iter().collect::<Vec<_>>(),
            [
                day(2025, 1, 26),
                day(2025, 2, 8),
                day(2025, 4, 27),
                day(2025, 9, 28),
                day(2025, 10, 11)
            ]
        );
        assert_eq!(
            y2026.make_up_workdays.into_iter().collect::<Vec<_>>(),
            [
                day(2026, 1, 4),
                day(2026, 2, 14),
                day(2026, 2, 28),
                day(2026, 5, 9),
                day(2026, 9, 20),
                day(2026, 10, 10)
            ]
        );
    }

    #[test]
    fn cal_1_a_date_of_another_year_is_rejected() {
        let err = parse_2026(r#""2025-10-01""#, "").unwrap_err();
        assert_eq!(
            err,
            CalendarError::WrongYear {
                year: 2026,
                date: day(2025, 10, 1)
            }
        );
        assert!(err.to_string().contains("2025-10-01"));
    }

    #[test]
    fn cal_1_a_day_both_holiday_and_make_up_day_is_rejected() {
        let err = parse_2026(r#""2026-02-14""#, r#""2026-02-14""#).unwrap_err();
        assert_eq!(
            err,
            CalendarError::HolidayAndMakeUpWorkday {
                year: 2026,
                date: day(2026, 2, 14)
            }
        );
        assert!(err.to_string().contains("2026-02-14"));
    }

    #[test]
    fn cal_1_a_make_up_day_on_a_weekday_is_rejected() {
        let err = parse_2026("", r#""2026-02-13""#).unwrap_err();
        assert_eq!(
            err,
            CalendarError::MakeUpWorkdayNotOnWeekend {
                year: 2026,
                date: day(2026, 2, 13),
                weekday: Weekday::Fri
            }
        );
        assert!(err.to_string().contains("2026-02-13 is a Fri"));
    }

    #[test]
    fn cal_1_a_duplicated_holiday_is_rejected() {
        let err = parse_2026(r#""2026-10-01", "2026-10-01""#, "").unwrap_err();
        assert_eq!(
            err,
            CalendarError::DuplicateHoliday {
                year: 2026,
                date: day(2026, 10, 1)
            }
        );
        assert!(err.to_string().contains("2026-10-01"));
    }

    #[test]
    fn cal_1_a_duplicated_make_up_day_is_rejected() {
        assert_eq!(
            parse_2026("", r#""2026-10-10", "2026-10-10""#),
            Err(CalendarError::DuplicateMakeUpWorkday {
                year: 2026,
                date: day(2026, 10, 10)
            })
        );
    }

    #[test]
    fn cal_1_a_malformed_or_impossible_date_is_rejected() {
        for value in ["2026-02-30", "2026/10/01", "Oct 1"] {
            let err = parse_2026(&format!("\"{value}\""), "").unwrap_err();
            assert_eq!(
                err,
                CalendarError::BadDate {
                    year: 2026,
                    value: value.to_owned()
                }
            );
            assert!(err.to_string().contains(value));
        }
    }

    #[test]
    fn cal_1_a_file_of_the_wrong_shape_is_rejected() {
        for text in [
            "holidays = []",
            "year = 2026\nholiday = [\"2026-10-01\"]",
            "year = \"2026\"",
            "year = 2026\nholidays = [2026-10-01]",
            "not toml at all",
        ] {
            assert!(
                matches!(
                    YearCalendar::parse_toml(text),
                    Err(CalendarError::Syntax(_))
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn cal_1_a_year_given_twice_keeps_the_later_calendar() {
        let bare = parse_2026("", "").unwrap();
        let calendar = Calendar::new([YearCalendar::parse_toml(CN_2026).unwrap(), bare]);
        assert_eq!(calendar.is_working_day(day(2026, 10, 1)), Ok(true));
    }

    /// Any date of 2025 or 2026.
    fn date_in_2025_or_2026() -> impl Strategy<Value = NaiveDate> {
        (0u64..730).prop_map(|offset| day(2025, 1, 1) + chrono::Days::new(offset))
    }

    proptest! {
        #[test]
        fn cal_2_counting_back_from_the_due_date_gives_n(
            from in date_in_2025_or_2026(),
            n in 0u32..=40,
        ) {
            let calendar = shipped();
            let due = match calendar.add_working_days(from, n) {
                Ok(due) => due,
                Err(e) => {
                    // Only a deadline running past 2026 may fail, and it must be refused.
                    prop_assert_eq!(e, CalendarError::MissingYear(2027));
                    return Ok(());
                }
            };
            prop_assert_eq!(calendar.working_days_between(from, due), Ok(n));
        }

        #[test]
        fn cal_2_a_due_date_is_a_working_day(
            from in date_in_2025_or_2026(),
            n in 1u32..=40,
        ) {
            let calendar = shipped();
            match calendar.add_working_days(from, n) {
                Ok(due) => {
                    prop_assert!(due > from);
                    prop_assert_eq!(calendar.is_working_day(due), Ok(true));
                }
                Err(e) => prop_assert_eq!(e, CalendarError::MissingYear(2027)),
            }
        }

        #[test]
        fn cal_2_one_more_working_day_ends_later(
            from in date_in_2025_or_2026(),
            n in 0u32..=40,
        ) {
            let calendar = shipped();
            if let (Ok(due), Ok(next)) = (
                calendar.add_working_days(from, n),
                calendar.add_working_days(from, n + 1),
            ) {
                prop_assert!(next > due);
            }
        }
    }
}
