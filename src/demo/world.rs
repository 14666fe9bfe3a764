//! What the demo's story needs of the product: its router over a clock of the story's own, the
//! office's calendar and time zone, and the year; and the days of the year, counted in working days.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::script::When;
use crate::AppState;
use crate::calendar::model::Calendar;

/// What the story needs of the product: its router over a clock of the story's own, the office's
/// calendar and time zone, and the year.
pub(super) struct World {
    pub(super) state: AppState,
    pub(super) office_id: Uuid,
    pub(super) calendar: Calendar,
    pub(super) tz: Tz,
    pub(super) year: i32,
    pub(super) year_id: Uuid,
    /// the first working day of the story and the day the demo is made
    pub(super) first: NaiveDate,
    pub(super) today: NaiveDate,
}

impl World {
    /// The moment `time` (hh:mm) of `day`, in the office's zone.
    pub(super) fn at(&self, day: NaiveDate, time: (u32, u32)) -> DateTime<Utc> {
        let local = day.and_time(NaiveTime::from_hms_opt(time.0, time.1, 0).unwrap_or_default());
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local))
    }

    pub(super) fn set_clock(&self, day: NaiveDate, time: (u32, u32)) {
        self.state.clock.set(self.at(day, time));
    }

    /// The first working day on or after `day`.
    pub(super) fn working(&self, mut day: NaiveDate) -> NaiveDate {
        for _ in 0..30 {
            if self.calendar.is_working_day(day).unwrap_or(true) {
                return day;
            }
            day += Duration::days(1);
        }
        day
    }

    /// `n` working days after `day`.
    pub(super) fn after(&self, day: NaiveDate, n: u32) -> NaiveDate {
        self.calendar
            .add_working_days(day, n)
            .unwrap_or(day + Duration::days(i64::from(n) * 7 / 5))
    }

    /// `n` working days before today.
    pub(super) fn days_ago(&self, n: u32) -> NaiveDate {
        let mut day = self.today;
        let mut left = n;
        while left > 0 && day > self.first {
            day -= Duration::days(1);
            if self.calendar.is_working_day(day).unwrap_or(true) {
                left -= 1;
            }
        }
        day
    }

    pub(super) fn day_of(&self, when: When) -> NaiveDate {
        match when {
            When::Share(share) => {
                let span = (self.today - self.first).num_days().max(1) as f32;
                let day = self.first + Duration::days((span * share) as i64);
                self.working(day).min(self.today)
            }
            When::DaysAgo(n) => self.days_ago(n),
        }
    }
}

impl World {
    /// `n` working days before `day` (not before the story's first day).
    pub(super) fn days_ago_from(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut d = day;
        let mut left = n;
        while left > 0 && d > self.first {
            d -= Duration::days(1);
            if self.calendar.is_working_day(d).unwrap_or(true) {
                left -= 1;
            }
        }
        d
    }
}
