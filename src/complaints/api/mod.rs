//! The complaints' APIs for other systems (CMP-03), each call made with a key of the office
//! ([`ApiCaller`](crate::apikeys::ApiCaller)) and recorded in the office's audit log:
//!
//! - [`orders`]: the 12345 platform pushes a work order (`POST /api/v1/{office}/complaints`) and
//!   reads it back by its order number (`GET /api/v1/{office}/complaints/{order_no}`);
//! - [`open311`]: Open311 GeoReport v2 clients list the services, file requests and follow them
//!   (`/{office}/open311/v2/`).
//!
//! Both show of a complaint what its tracking page shows and nothing more: never staff names,
//! internal notes or the complainant's details.

pub mod db;
pub mod open311;
pub mod orders;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{ComplaintFields, ComplaintInput, Status, Track};
use crate::calendar::Calendar;
use crate::core::Office;
use db::ApiRow;

pub use super::model::HANDLING_WORKING_DAYS;

/// CMP-09: when the unit must have finished: the end of the 10th working day after it signed, for
/// a complaint the unit has signed for; none before, and none for a suggestion (CMP-05).
pub fn deadline(calendar: &Calendar, row: &ApiRow, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let signed = Status::parse(&row.status) == Some(Status::Signed);
    if !signed || Track::parse(&row.track) != Track::Complaint {
        return None;
    }
    crate::calendar::deadline_at(calendar, row.signed_at?, HANDLING_WORKING_DAYS, tz).ok()
}

/// The office's calendar when any of `rows` has a deadline to compute, read once.
async fn calendar_for(
    conn: &mut PgConnection,
    rows: &[ApiRow],
) -> Result<Option<Calendar>, sqlx::Error> {
    let any_signed = rows
        .iter()
        .any(|r| Status::parse(&r.status) == Some(Status::Signed));
    if !any_signed {
        return Ok(None);
    }
    Ok(Some(crate::calendar::load(conn).await?))
}

/// A moment as the APIs write it: RFC 3339 in the office's zone (`2026-12-01T09:30:00+08:00`).
pub fn w3c_time(office: &Office, at: &DateTime<Utc>) -> String {
    at.with_timezone(&office.tz())
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A moment sent to the APIs (RFC 3339, with its offset).
pub fn parse_w3c_time(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A step of the public timeline as the APIs send it: when, what (`receive`, `assign`, `sign`,
/// …), the unit it went to, and the words meant for the complainant.
#[derive(Debug, Serialize)]
pub struct StepJson {
    pub at: String,
    pub step: String,
    pub unit: Option<String>,
    pub text: String,
}

/// The public steps of the complaint `id`, oldest first.
async fn public_steps(
    conn: &mut PgConnection,
    office: &Office,
    id: Uuid,
) -> Result<Vec<StepJson>, sqlx::Error> {
    let steps = super::db::public_timeline(conn, id).await?;
    Ok(steps
        .into_iter()
        .map(|s| StepJson {
            at: w3c_time(office, &s.at),
            step: s
                .action
                .strip_prefix("complaint.")
                .unwrap_or(&s.action)
                .to_string(),
            unit: s.unit,
            text: s.public_text,
        })
        .collect())
}

/// Checks `input` as the forms do (CMP-02), naming each fault by the API's own field names
/// (`rename`: the form's field → the API's) with its English message.
fn validate_as(
    input: &ComplaintInput,
    rename: impl Fn(&str) -> String,
) -> Result<ComplaintFields, Vec<(String, String)>> {
    input.validate(0).map_err(|errors| {
        errors
            .into_iter()
            .map(|(field, key)| (rename(field), crate::i18n::Lang::En.t(key).to_string()))
            .collect()
    })
}

/// What is wrong with a value, from a deserializer's message, without echoing the value back.
fn problem(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name: String = rest.chars().take_while(|c| *c != '`').take(64).collect();
        return format!("unknown field `{name}`");
    }
    match message.split_once(", expected") {
        Some((_, expected)) => {
            let expected = expected.split(" at line").next().unwrap_or(expected);
            format!("expected{expected}")
        }
        None => "a value of the wrong type".to_string(),
    }
}
