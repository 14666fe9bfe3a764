//! CMP-03: the 12345 platform pushes its work orders (`POST /api/v1/{office}/complaints`) and
//! reads each back by its order number (`GET /api/v1/{office}/complaints/{order_no}`).
//!
//! A work order is recorded once: pushed again (a retry after a lost answer, or two at once), it
//! answers the complaint already recorded, 200 instead of 201. Its tracking code is in the first
//! answer only: the code is kept only as its hash, as for the public form, so a repeat answers
//! `tracking_code: null`, and the platform follows the complaint by its order number.

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Acquire;

use super::db::{self as api_db, ApiRow};
use super::{StepJson, calendar_for, deadline, parse_w3c_time, public_steps, w3c_time};
use crate::apikeys::ApiCaller;
use crate::audit::Event;
use crate::complaints::model::{Channel, ComplaintInput, new_tracking_code};
use crate::complaints::{LogError, log_complaint};
use crate::web::api::ApiError;

/// How far ahead of our clock a work order's `received_at` may be: the two systems' clocks
/// differ a little.
const CLOCK_SKEW_SECS: i64 = 300;

/// The 12345 platform's number of a work order: 1 to 64 of ASCII letters, digits, `-`, `_` and
/// `.`, so that it goes in a URL as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNo(String);

impl OrderNo {
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let fits = (1..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        fits.then(|| Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A work order as the platform sends it. Every text may be missing or blank: the checks say
/// what is missing, all at once, as the forms do; a field we do not know is refused.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkOrder {
    pub order_no: String,
    /// the unit's code
    pub unit: String,
    pub matter: String,
    pub reasons: String,
    /// one of the eight kinds of CMP-04: `delay`, `notification`, `refusal`, `shirking`,
    /// `attitude`, `favours`, `neglect`, `other`
    pub category: String,
    /// RFC 3339, with its offset
    pub received_at: String,
    pub complainant: Complainant,
    /// people named, as typed
    pub people: Vec<String>,
    /// what the evidence is, if the platform holds any
    pub evidence_note: String,
}

/// Who complains (CMP-05: `relation` is `recipient`, `interested`, `none` or `anonymous`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Complainant {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub relation: String,
    /// whether the unit may contact the complainant
    pub contact_allowed: bool,
}

impl WorkOrder {
    /// The intake form's input for this order: the 12345 hotline's channel and the unit found.
    fn input(&self, unit: Option<uuid::Uuid>) -> ComplaintInput {
        let c = &self.complainant;
        ComplaintInput {
            // CMP-03: it came through the 12345 hotline, pushed or logged by hand alike
            channel: Channel::Hotline12345.as_str().to_string(),
            unit_id: unit.map(|u| u.to_string()).unwrap_or_default(),
            people: self.people.join("\n"),
            matter: self.matter.clone(),
            reasons: self.reasons.clone(),
            category: self.category.clone(),
            evidence_note: self.evidence_note.clone(),
            relation: c.relation.clone(),
            complainant_name: c.name.clone(),
            complainant_phone: c.phone.clone(),
            complainant_email: c.email.clone(),
            contact_allowed: c.contact_allowed.then(String::new),
            ..ComplaintInput::default()
        }
    }
}

/// The form's field names as the work order calls them.
fn order_field(form_field: &str) -> String {
    match form_field {
        "unit_id" => "unit",
        "relation" => "complainant.relation",
        "complainant_name" => "complainant.name",
        "complainant_phone" => "complainant.phone",
        "complainant_email" => "complainant.email",
        other => other,
    }
    .to_string()
}

/// Reads a JSON body into `T`, or the 400 that names the field at fault.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut reader);
    let value = parsed.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = (path != "." && inner.is_data()).then_some(path);
        let what = match inner.classify() {
            serde_json::error::Category::Data => super::problem(&inner.to_string()),
            _ => "the body is not a JSON object".to_string(),
        };
        ApiError::bad_request(field, what)
    })?;
    reader
        .end()
        .map_err(|_| ApiError::bad_request(None, "the body holds more than one JSON value"))?;
    Ok(value)
}

/// A complaint as the platform reads it back.
#[derive(Debug, Serialize)]
pub struct OrderJson {
    pub order_no: Option<String>,
    pub number: String,
    /// `received`, `refused`, `assigned`, `signed`, `returned`, `forwarded` or `acknowledged`
    pub status: String,
    /// `complaint`, or `suggestion` (CMP-05: anonymous or unrelated)
    pub track: String,
    pub category: String,
    pub unit: UnitJson,
    pub received_at: String,
    /// CMP-09: when the unit must have finished, once it signed for the complaint
    pub deadline: Option<String>,
    /// the latest words of the office or the unit meant for the complainant
    pub reply: Option<String>,
    /// the public timeline, oldest first
    pub timeline: Vec<StepJson>,
}

#[derive(Debug, Serialize)]
pub struct UnitJson {
    pub code: String,
    pub name: String,
}

/// The answer to a push: the complaint and, the first time only, its tracking code.
#[derive(Debug, Serialize)]
struct Pushed {
    tracking_code: Option<String>,
    #[serde(flatten)]
    complaint: OrderJson,
}

/// The complaint `row` as the platform reads it, with its deadline and public timeline.
async fn order_json(caller: &mut ApiCaller, row: ApiRow) -> Result<OrderJson, sqlx::Error> {
    let calendar = calendar_for(&mut caller.tx, std::slice::from_ref(&row)).await?;
    let office = &caller.office;
    let due = calendar.and_then(|c| deadline(&c, &row, office.tz()));
    let timeline = public_steps(&mut caller.tx, office, row.id).await?;
    Ok(OrderJson {
        order_no: row.order_no,
        number: row.number,
        status: row.status,
        track: row.track,
        category: row.category,
        unit: UnitJson {
            code: row.unit_code,
            name: row.unit_name,
        },
        received_at: w3c_time(office, &row.received_at),
        deadline: due.map(|d| w3c_time(office, &d)),
        reply: row.reply,
        timeline,
    })
}

/// Records the call in the office's log and commits it.
async fn finish(mut caller: ApiCaller, detail: serde_json::Value) -> Result<(), ApiError> {
    let event = Event::new("api_key.call", ("api_key", caller.key_id), detail);
    caller.record(event).await?;
    caller.commit().await
}

/// A refused call: recorded (what was refused, never the body), nothing else written.
async fn refuse(caller: ApiCaller, call: &str, error: ApiError) -> Result<Response, ApiError> {
    let fields: Vec<&str> = error.fields.iter().map(|f| f.0.as_str()).collect();
    let detail = json!({ "call": call, "refused": error.code, "fields": fields });
    finish(caller, detail).await?;
    Err(error)
}

/// The same order, recorded before: 200 with the complaint, no tracking code.
async fn repeat(mut caller: ApiCaller, row: ApiRow) -> Result<Response, ApiError> {
    let detail = json!({ "call": "complaints.push", "order_no": row.order_no,
                         "number": row.number, "repeat": true });
    let complaint = order_json(&mut caller, row).await?;
    finish(caller, detail).await?;
    let body = Pushed {
        tracking_code: None,
        complaint,
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// `POST /api/v1/{office}/complaints`: the 12345 platform pushes a work order (CMP-03). 201 with
/// the complaint's number, status and tracking code; 200 with the same complaint for an order
/// recorded before; 400 for a body that cannot be read and 422 for one that breaks the rules
/// (CMP-02), each naming the fields at fault, with nothing recorded but the call.
pub async fn push_work_order(mut caller: ApiCaller, body: Bytes) -> Result<Response, ApiError> {
    const CALL: &str = "complaints.push";
    let order: WorkOrder = match parse_json(&body) {
        Ok(order) => order,
        Err(error) => return refuse(caller, CALL, error).await,
    };
    let Some(order_no) = OrderNo::parse(&order.order_no) else {
        let problem = "give the work order's number: 1 to 64 of letters, digits, - _ and .";
        let error = ApiError::invalid(vec![("order_no".into(), problem.into())]);
        return refuse(caller, CALL, error).await;
    };
    if let Some(row) = api_db::by_order_no(&mut caller.tx, order_no.as_str()).await? {
        return repeat(caller, row).await;
    }
    let received_at = parse_received_at(&order.received_at, caller.now);
    let unit = api_db::listed_unit(&mut caller.tx, order.unit.trim()).await?;
    let checked = super::validate_as(&order.input(unit), order_field);
    let mut faults = checked.as_ref().err().cloned().unwrap_or_default();
    if received_at.is_none() {
        let problem = "give the time received as RFC 3339 with its offset, not in the future";
        faults.push(("received_at".into(), problem.into()));
    }
    let (Ok(fields), Some(received_at), true) = (checked, received_at, faults.is_empty()) else {
        return refuse(caller, CALL, ApiError::invalid(faults)).await;
    };
    let (code, hash) = new_tracking_code().map_err(|error| {
        tracing::error!(%error, "no randomness for a tracking code");
        ApiError::internal()
    })?;
    let actor = caller.actor();
    let office_id = caller.office.id;
    // a savepoint: a concurrent push of the same order undoes this one's complaint, not the call
    let mut attempt = (&mut caller.tx).begin().await?;
    let logged = log_complaint(
        &mut attempt,
        office_id,
        &fields,
        (received_at, None),
        Some(&hash),
        &actor,
    )
    .await;
    let (id, number) = match logged {
        Ok(done) => done,
        Err(LogError::NoYear | LogError::UnitNotListed) => {
            attempt.rollback().await?;
            let problem = crate::i18n::Lang::En.t("complaints.error_unit");
            let error = ApiError::invalid(vec![("unit".into(), problem.into())]);
            return refuse(caller, CALL, error).await;
        }
        Err(LogError::Database(e)) => return Err(e.into()),
    };
    match api_db::set_order_no(&mut attempt, id, order_no.as_str()).await {
        Ok(()) => attempt.commit().await?,
        Err(e) if is_order_taken(&e) => {
            attempt.rollback().await?;
            let row = api_db::by_order_no(&mut caller.tx, order_no.as_str())
                .await?
                .ok_or_else(ApiError::internal)?;
            return repeat(caller, row).await;
        }
        Err(e) => return Err(e.into()),
    }
    let row = api_db::by_order_no(&mut caller.tx, order_no.as_str())
        .await?
        .ok_or_else(ApiError::internal)?;
    let detail = json!({ "call": CALL, "order_no": order_no.as_str(), "number": number,
                         "complaint_id": id });
    let complaint = order_json(&mut caller, row).await?;
    finish(caller, detail).await?;
    let body = Pushed {
        tracking_code: Some(code),
        complaint,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Whether `error` is another complaint holding the same work order.
fn is_order_taken(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.constraint())
        .is_some_and(|c| c == "complaint_order_no_key")
}

/// `GET /api/v1/{office}/complaints/{order_no}`: the complaint a work order became, as the
/// platform reads it (status, deadline, the reply meant for the complainant, the public
/// timeline); 404 for an order this office does not have.
pub async fn show_work_order(
    mut caller: ApiCaller,
    Path((_office, order_no)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    const CALL: &str = "complaints.show";
    let found = match OrderNo::parse(&order_no) {
        Some(order_no) => api_db::by_order_no(&mut caller.tx, order_no.as_str()).await?,
        None => None,
    };
    let Some(row) = found else {
        let error = ApiError::not_found("this office has no complaint of that work order");
        return refuse(caller, CALL, error).await;
    };
    let detail = json!({ "call": CALL, "order_no": row.order_no, "number": row.number });
    let complaint = order_json(&mut caller, row).await?;
    finish(caller, detail).await?;
    Ok(Json(complaint).into_response())
}

/// When a work order says it was received: `None` unless RFC 3339 and not in the future.
pub fn parse_received_at(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    parse_w3c_time(value).filter(|at| (*at - now).num_seconds() <= CLOCK_SKEW_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_number_goes_in_a_url_as_it_is() {
        assert_eq!(
            OrderNo::parse(" GD-2026.1201_0007 ").map(|o| o.0),
            Some("GD-2026.1201_0007".to_string())
        );
        for bad in ["", "  ", "工单1", "a/b", "a b", &"x".repeat(65)] {
            assert_eq!(OrderNo::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_body_that_cannot_be_read_names_the_field_at_fault() {
        let unknown = parse_json::<WorkOrder>(br#"{"order_no": "1", "colour": "red"}"#);
        let error = unknown.unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.fields[0].0, "colour");
        assert!(error.message.contains("unknown field `colour`"));
        let nested = parse_json::<WorkOrder>(br#"{"complainant": {"relation": 5}}"#);
        let error = nested.unwrap_err();
        assert_eq!(error.fields[0].0, "complainant.relation");
        assert!(!error.message.contains('5'), "{}", error.message);
        let broken = parse_json::<WorkOrder>(b"{\"order_no\": ").unwrap_err();
        assert!(broken.fields.is_empty());
        assert!(parse_json::<WorkOrder>(b"{} {}").is_err());
        assert!(parse_json::<WorkOrder>(b"{}").is_ok());
    }

    #[test]
    fn the_time_received_is_rfc_3339_and_not_in_the_future() {
        let now: DateTime<Utc> = "2026-12-01T02:00:00Z".parse().unwrap();
        assert_eq!(
            parse_received_at("2026-12-01T09:30:00+08:00", now),
            Some("2026-12-01T01:30:00Z".parse().unwrap())
        );
        assert!(
            parse_received_at("2026-12-01T02:04:00Z", now).is_some(),
            "clock skew"
        );
        assert_eq!(parse_received_at("2026-12-01T03:00:00Z", now), None);
        assert_eq!(parse_received_at("2026-12-01 09:30", now), None);
        assert_eq!(parse_received_at("yesterday", now), None);
    }

    #[test]
    fn the_forms_field_names_become_the_orders() {
        assert_eq!(order_field("unit_id"), "unit");
        assert_eq!(order_field("relation"), "complainant.relation");
        assert_eq!(order_field("matter"), "matter");
    }
}
