//! The office's local time: how moments and days read in the office's time zone, and the one form
//! of a date that official documents carry (`2026年11月30日`, GB/T 9704: no leading zeros).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// A moment as the office reads it: `2026-11-30 14:05`.
pub fn local_time(tz: Tz, t: &DateTime<Utc>) -> String {
    // written out rather than through a format string, which is parsed at every call (a log page
    // writes a hundred of these)
    let l = t.with_timezone(&tz);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute()
    )
}

/// The day a moment falls on in the office's time zone.
pub fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// A day as official documents write it: `2026年11月30日`.
pub fn document_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// A moment as a `datetime-local` field shows it, in the office's time zone.
pub fn datetime_input(tz: Tz, t: &DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// A `datetime-local` value read in the office's time zone (the earlier of a repeated hour).
pub fn parse_datetime_input(value: &str, tz: Tz) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
}

/// The first moment of a day in the office's time zone (a `date` field's value as a bound).
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_write_dates_without_leading_zeros() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
        assert_eq!(document_date(d), "2026年1月5日");
    }

    #[test]
    fn local_time_reads_in_the_offices_zone() {
        let tz = chrono_tz::Asia::Shanghai;
        let t = parse_datetime_input("2026-11-30T08:30", tz).unwrap_or_default();
        assert_eq!(local_time(tz, &t), "2026-11-30 08:30");
        assert_eq!(datetime_input(tz, &t), "2026-11-30T08:30");
        assert_eq!(t.to_rfc3339(), "2026-11-30T00:30:00+00:00");
        assert_eq!(
            local_date(tz, t),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
        );
        assert_eq!(parse_datetime_input("30/11/2026", tz), None);
    }
}
