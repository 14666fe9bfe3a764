//! Rectification notices and appeals (INS-11, INS-12): the office issues a numbered notice to a
//! unit from its confirmed findings, with the rectification deadline and the appeal deadline
//! computed once on the working-day calendar; the unit may appeal until the end of the 2nd working
//! day after issue; the office upholds the appeal (the notice is withdrawn and every deduction it
//! carried is reversed) or rejects it (the unit must comply). Interviews and bulletins (INS-13)
//! live in their own submodules.

pub mod bulletins;
pub mod db;
pub mod handlers;
pub mod interviews;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::calendar::{Calendar, CalendarError, deadline_at};

/// Records the office's change on a record's timeline (INS-13: every change of an interview or a
/// bulletin is audited), says it is done, and goes to `next` (a path inside the office).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn recorded(
    conn: &mut sqlx::PgConnection,
    user: &crate::auth::CurrentUser,
    addr: &str,
    session: &tower_sessions::Session,
    (subject_type, subject_id): (&'static str, uuid::Uuid),
    (action, detail): (&'static str, serde_json::Value),
    flash_key: &str,
    next: &str,
) -> crate::error::AppResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let event = crate::audit::Event {
        action,
        subject_type,
        subject_id: Some(subject_id),
        detail,
    };
    crate::audit::record(conn, user.tenant_id, &user.actor(addr), event).await?;
    crate::web::flash::push(session, crate::web::FlashKind::Success, flash_key, None).await;
    Ok(axum::response::Redirect::to(&user.path(next)).into_response())
}

/// INS-12: working days the unit has to appeal a notice.
pub const APPEAL_WORKING_DAYS: u32 = 2;

/// The deadlines of a notice issued at `issued_at`: (rectification due, appeal until).
pub fn deadlines(
    calendar: &Calendar,
    issued_at: DateTime<Utc>,
    working_days: u32,
    tz: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), CalendarError> {
    Ok((
        deadline_at(calendar, issued_at, working_days, tz)?,
        deadline_at(calendar, issued_at, APPEAL_WORKING_DAYS, tz)?,
    ))
}

/// INS-12: whether an appeal made at `now` is in time.
pub fn appeal_open(appeal_until: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now <= appeal_until
}

/// The basis every notice states (the regulation's article on rectification).
pub const DEFAULT_BASIS: &str = "依据《效能督查办法》第八条：对督查发现的违规问题，由效能办下达整改通知书，明确整改要求和期限。";

/// The requirements every notice states by default, drawing wider lessons included (举一反三).
pub const DEFAULT_REQUIREMENTS: &str = "一、对通知所列问题逐项整改到位；\n二、举一反三，全面排查同类问题，健全长效机制；\n三、在整改期限内书面报送整改情况，并附相关材料。";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// CAL-1: the official calendars the product ships.
    fn calendar_2026() -> Calendar {
        Calendar::new(crate::calendar::shipped())
    }

    fn at(s: &str) -> DateTime<Utc> {
        let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default();
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn ins_12_an_appeal_on_the_2nd_working_day_is_in_time_and_on_the_3rd_is_not_across_a_weekend() {
        let calendar = calendar_2026();
        // issued on Thursday 2026-11-26: Friday is the 1st working day, Monday the 2nd
        let (_, until) = deadlines(
            &calendar,
            at("2026-11-26 15:00"),
            10,
            chrono_tz::Asia::Shanghai,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(appeal_open(until, at("2026-11-30 23:59")));
        assert!(!appeal_open(until, at("2026-12-01 00:01")));
    }

    #[test]
    fn ins_12_the_appeal_window_skips_the_2026_national_day_holiday() {
        let calendar = calendar_2026();
        // issued on Wednesday 2026-09-30: the National Day holiday runs 10-01 to 10-07, so the
        // 1st working day is 10-08 and the 2nd is 10-09 (10-10, a Saturday, is a make-up working
        // day, so an appeal then is a day late)
        let (_, until) = deadlines(
            &calendar,
            at("2026-09-30 10:00"),
            10,
            chrono_tz::Asia::Shanghai,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(appeal_open(until, at("2026-10-09 18:00")));
        assert!(!appeal_open(until, at("2026-10-10 09:00")));
    }
}
