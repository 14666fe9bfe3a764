//! Open311 GeoReport v2 (CMP-03) per office at `/{office}/open311/v2/`, in JSON, so that
//! existing Open311 clients file and follow efficiency complaints unchanged:
//!
//! - `services.json`: the eight kinds of CMP-04 as services (`service_code` the kind's API name:
//!   `delay`, `notification`, …), each with a definition (`services/{code}.json`) naming the
//!   attributes a request carries: `unit` (required: the unit's code, one of the open year's
//!   list), `relation` and `matter` (optional). GeoReport has no field for the unit complained
//!   about; its attribute mechanism is how a service asks for more, which is why the services say
//!   `metadata: true`.
//! - `POST requests.json` (form-encoded, with the office's `api_key`): files a complaint on the
//!   API channel: `description` is the reasons and, unless `attribute[matter]` says it, its first
//!   line the matter; `first_name`, `last_name`, `phone`, `email` the complainant, who is the
//!   service recipient when named and anonymous otherwise unless `attribute[relation]` says;
//!   `media_url` names the evidence; the location fields are read and not kept. It answers
//!   `[{"service_request_id", "service_notice", "account_id"}]`, the notice carrying the
//!   complaint's number and, once, its tracking code.
//! - `GET requests.json` and `requests/{id}.json`: the spec's filters (`service_request_id`,
//!   `service_code`, `status` open|closed, `start_date`, `end_date`; the last 90 days and at most
//!   1,000 requests when no dates are given, and never more than 90 days at once). Anyone may
//!   read them, as the spec has it, and sees public-safe fields only: the id, status, service,
//!   the unit as `agency_responsible`, the times and the deadline. A caller with the office's
//!   `api_key` also reads the matter (`description`) and the reply meant for the complainant
//!   (`status_notes`), and its call is recorded.
//!
//! `service_request_id` is the complaint's id (a UUID: it goes in a URL as it is; the complaint's
//! number, with its brackets, would not). Errors are the spec's `[{"code", "description"}]` with
//! the HTTP status: 400 for a request that breaks the rules (each field at fault named), 403 for a
//! missing or dead `api_key`, 404 for an unknown office, service or request. XML is not offered.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::db::{self as api_db, ApiFilter, ApiRow};
use super::{calendar_for, deadline, parse_w3c_time, problem, validate_as, w3c_time};
use crate::AppState;
use crate::apikeys::ApiCaller;
use crate::audit::Event;
use crate::complaints::model::{
    Category, Channel, ComplaintInput, Relation, Status, new_tracking_code,
};
use crate::complaints::{LogError, log_complaint};
use crate::core::{ClientAddr, Office, OfficeCode};
use crate::db::tenant::PgTx;
use crate::i18n::Lang;
use crate::web::ScriptAnswer;
use crate::web::api::ApiError;

/// The most requests one list answers.
pub const MAX_REQUESTS: i64 = 1000;
/// The longest period one list covers, and the one it covers when no dates are given.
pub const MAX_DAYS: i64 = 90;

/// An error as GeoReport v2 answers it: `[{"code": 400, "description": "..."}]`, one entry per
/// fault, with the HTTP status.
#[derive(Debug)]
pub struct Open311Error {
    pub status: StatusCode,
    pub descriptions: Vec<String>,
}

impl Open311Error {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Self {
        Self {
            status,
            descriptions: vec![description.into()],
        }
    }

    fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, description)
    }

    fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, description)
    }

    /// The spec's answer to a missing or dead key: 403, the same for every case.
    fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "api_key was not provided or is not a live key of this office",
        )
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let code = self.status.as_u16();
        let body: Vec<Value> = self
            .descriptions
            .iter()
            .map(|d| json!({ "code": code, "description": d }))
            .collect();
        let mut response = (self.status, Json(body)).into_response();
        // for the client to read, not replaced by the error page
        response.extensions_mut().insert(ScriptAnswer);
        response
    }
}

impl From<sqlx::Error> for Open311Error {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error in an Open311 call");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request could not be completed; try again later",
        )
    }
}

impl From<ApiError> for Open311Error {
    fn from(error: ApiError) -> Self {
        if error.status == StatusCode::UNAUTHORIZED {
            return Self::forbidden();
        }
        let descriptions = if error.fields.is_empty() {
            vec![error.message]
        } else {
            error
                .fields
                .into_iter()
                .map(|(field, problem)| format!("{field}: {problem}"))
                .collect()
        };
        Self {
            status: error.status,
            descriptions,
        }
    }
}

/// Middleware of the Open311 routes: an error answer that is not already the spec's (the body
/// limit's 413, a 405, a query that does not read) becomes one.
pub async fn open311_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let failed = status.is_client_error() || status.is_server_error();
    if !failed || response.extensions().get::<ScriptAnswer>().is_some() {
        return response;
    }
    let description = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the body is larger than the {} bytes this API reads",
            crate::web::api::BODY_LIMIT_BYTES
        ),
        StatusCode::METHOD_NOT_ALLOWED => "this address does not take that method".into(),
        StatusCode::NOT_FOUND => "no such resource".into(),
        s if s.is_client_error() => "the request cannot be read".into(),
        _ => "the request could not be completed; try again later".into(),
    };
    Open311Error::new(status, description).into_response()
}

/// The office of the path, for a caller without a key.
async fn office_of(state: &AppState, code: &str) -> Result<Office, Open311Error> {
    let unknown = || Open311Error::not_found("no such jurisdiction");
    let code = OfficeCode::parse(code).map_err(|_| unknown())?;
    state
        .offices
        .find(&state.db, code.as_str())
        .await?
        .ok_or_else(unknown)
}

/// Who reads: a system with the office's key (its call recorded), or anyone.
enum Reader {
    Key(ApiCaller),
    Anyone(Office, PgTx),
}

impl Reader {
    /// The caller of `api_key` if one is given (403 if it is not a live key of the office),
    /// otherwise anyone.
    async fn new(
        state: &AppState,
        office: &str,
        api_key: &str,
        addr: String,
    ) -> Result<Self, Open311Error> {
        if !api_key.trim().is_empty() {
            let caller = ApiCaller::with_key(state, office, api_key, addr).await?;
            return Ok(Self::Key(caller));
        }
        let office = office_of(state, office).await?;
        let tx = crate::db::begin_tenant(&state.db, office.id).await?;
        Ok(Self::Anyone(office, tx))
    }

    fn office(&self) -> &Office {
        match self {
            Self::Key(caller) => &caller.office,
            Self::Anyone(office, _) => office,
        }
    }

    fn tx(&mut self) -> &mut PgTx {
        match self {
            Self::Key(caller) => &mut caller.tx,
            Self::Anyone(_, tx) => tx,
        }
    }

    fn keyed(&self) -> bool {
        matches!(self, Self::Key(_))
    }

    /// Ends the read: a keyed call is recorded (`detail`) and committed; anyone's wrote nothing.
    async fn finish(self, detail: Value) -> Result<(), Open311Error> {
        if let Self::Key(mut caller) = self {
            let event = Event::new("api_key.call", ("api_key", caller.key_id), detail);
            caller.record(event).await?;
            caller.commit().await?;
        }
        Ok(())
    }
}

/// A service: one of the eight kinds of CMP-04.
fn service_json(category: Category) -> Value {
    let name = Lang::Zh.t(category.label_key());
    json!({
        "service_code": category.as_str(),
        "service_name": name,
        "description": name,
        "metadata": true,
        "type": "realtime",
        "keywords": "",
        "group": Lang::Zh.t("complaints.open311.group"),
    })
}

/// `GET services.json`: the eight kinds of complaint.
pub async fn list_services(
    State(state): State<AppState>,
    Path(office): Path<String>,
) -> Result<Response, Open311Error> {
    office_of(&state, &office).await?;
    let services: Vec<Value> = Category::ALL.iter().map(|c| service_json(*c)).collect();
    Ok(Json(services).into_response())
}

/// The part of a path's last segment before `.json`, or 404.
fn json_name(file: &str) -> Result<&str, Open311Error> {
    file.strip_suffix(".json")
        .ok_or_else(|| Open311Error::not_found("only JSON is offered: ask for NAME.json"))
}

/// `GET services/{code}.json`: what a request of this service carries besides the spec's fields:
/// the unit (one of the open year's list), who the complainant is and the matter.
pub async fn show_service(
    State(state): State<AppState>,
    Path((office, file)): Path<(String, String)>,
) -> Result<Response, Open311Error> {
    let category = Category::parse(json_name(&file)?)
        .ok_or_else(|| Open311Error::not_found("no such service_code"))?;
    let office = office_of(&state, &office).await?;
    let mut tx = crate::db::begin_tenant(&state.db, office.id).await?;
    let units = crate::complaints::db::open_year_units(&mut tx).await?;
    drop(tx);
    let unit_values: Vec<Value> = units
        .iter()
        .map(|(_, code, name)| json!({ "key": code, "name": name }))
        .collect();
    let relation_values: Vec<Value> = Relation::ALL
        .iter()
        .map(|r| json!({ "key": r.as_str(), "name": Lang::Zh.t(r.label_key()) }))
        .collect();
    let attribute = |code: &str, datatype: &str, required: bool, order: u32| {
        let description = Lang::Zh.t(&format!("complaints.open311.{code}"));
        json!({
            "variable": true,
            "code": code,
            "datatype": datatype,
            "required": required,
            "datatype_description": description,
            "order": order,
            "description": description,
        })
    };
    let mut unit = attribute("unit", "singlevaluelist", true, 1);
    unit["values"] = unit_values.into();
    let mut relation = attribute("relation", "singlevaluelist", false, 2);
    relation["values"] = relation_values.into();
    let matter = attribute("matter", "string", false, 3);
    let definition = json!({
        "service_code": category.as_str(),
        "attributes": [unit, relation, matter],
    });
    Ok(Json(definition).into_response())
}

/// A service request as GeoReport v2 posts it. Every field may be missing; a field the spec does
/// not have is refused.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RequestForm {
    pub api_key: String,
    pub jurisdiction_id: String,
    pub service_code: String,
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub address_id: String,
    pub email: String,
    pub device_id: String,
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub description: String,
    pub media_url: String,
    /// the unit's code
    #[serde(rename = "attribute[unit]")]
    pub unit: String,
    /// `recipient`, `interested`, `none` or `anonymous`
    #[serde(rename = "attribute[relation]")]
    pub relation: String,
    #[serde(rename = "attribute[matter]")]
    pub matter: String,
}

impl RequestForm {
    /// Reads a form-encoded body, or the 400 naming the field at fault.
    fn parse(body: &[u8]) -> Result<Self, Open311Error> {
        let form = serde_html_form::Deserializer::from_bytes(body);
        serde_path_to_error::deserialize(form).map_err(|error| {
            let field = error.path().to_string();
            let problem = problem(&error.into_inner().to_string());
            Open311Error::bad_request(format!("{field}: {problem}"))
        })
    }

    /// The complainant's name as one: family name first, as Chinese names are written, with a
    /// space between two Latin ones.
    fn name(&self) -> String {
        let (first, last) = (self.first_name.trim(), self.last_name.trim());
        let latin = |s: &str| s.is_ascii();
        match (first.is_empty(), last.is_empty()) {
            (true, _) => last.to_string(),
            (_, true) => first.to_string(),
            _ if latin(first) && latin(last) => format!("{first} {last}"),
            _ => format!("{last}{first}"),
        }
    }

    /// The matter: `attribute[matter]`, or the description's first line.
    fn matter(&self) -> &str {
        match self.matter.trim() {
            "" => self.description.trim().lines().next().unwrap_or(""),
            given => given,
        }
    }

    /// The intake form's input for this request, on the API channel (CMP-03).
    fn input(&self, unit: Option<Uuid>) -> ComplaintInput {
        let name = self.name();
        let relation = match (self.relation.trim(), name.is_empty()) {
            ("", false) => Relation::Recipient.as_str().to_string(),
            ("", true) => Relation::Anonymous.as_str().to_string(),
            (given, _) => given.to_string(),
        };
        ComplaintInput {
            channel: Channel::Api.as_str().to_string(),
            unit_id: unit.map(|u| u.to_string()).unwrap_or_default(),
            matter: self.matter().to_string(),
            reasons: self.description.clone(),
            category: self.service_code.clone(),
            evidence_note: self.media_url.clone(),
            relation,
            complainant_name: name,
            complainant_phone: self.phone.clone(),
            complainant_email: self.email.clone(),
            ..ComplaintInput::default()
        }
    }

    /// The form's field names as this request calls them.
    fn field(&self, form_field: &str) -> String {
        match form_field {
            "unit_id" => "attribute[unit]",
            "matter" if !self.matter.trim().is_empty() => "attribute[matter]",
            "matter" | "reasons" => "description",
            "category" => "service_code",
            "relation" => "attribute[relation]",
            "complainant_name" => "first_name",
            "complainant_phone" => "phone",
            "complainant_email" => "email",
            "evidence_note" => "media_url",
            other => other,
        }
        .to_string()
    }
}

/// `POST requests.json`: files a complaint (CMP-03) with the office's `api_key`; answers the new
/// request's id and a notice with the complaint's number and its tracking code, shown this once.
pub async fn create_request(
    State(state): State<AppState>,
    Path(office): Path<String>,
    ClientAddr(addr): ClientAddr,
    body: Bytes,
) -> Result<Response, Open311Error> {
    let form = RequestForm::parse(&body)?;
    let mut caller = ApiCaller::with_key(&state, &office, &form.api_key, addr).await?;
    let unit = api_db::listed_unit(&mut caller.tx, form.unit.trim()).await?;
    let fields = match validate_as(&form.input(unit), |f| form.field(f)) {
        Ok(fields) => fields,
        Err(faults) => return refuse(caller, ApiError::invalid(faults)).await,
    };
    let (code, hash) = new_tracking_code().map_err(|error| {
        tracing::error!(%error, "no randomness for a tracking code");
        Open311Error::from(ApiError::internal())
    })?;
    let actor = caller.actor();
    let (office_id, now) = (caller.office.id, caller.now);
    let logged = log_complaint(
        &mut caller.tx,
        office_id,
        &fields,
        (now, None),
        Some(&hash),
        &actor,
    );
    let (id, number) = match logged.await {
        Ok(done) => done,
        Err(LogError::NoYear | LogError::UnitNotListed) => {
            // checked above: only a year closed meanwhile comes here, and it wrote nothing
            let problem = Lang::En.t("complaints.error_unit");
            let error = ApiError::invalid(vec![("attribute[unit]".into(), problem.into())]);
            return Err(error.into());
        }
        Err(LogError::Database(e)) => return Err(e.into()),
    };
    let link = crate::complaints::public::track_link(&state, &caller.office, &code);
    let notice = crate::web::PageCtx::bare(Lang::Zh, "")
        .tfn("complaints.open311.notice", &[&number, &code, &link]);
    let detail = json!({ "call": "open311.create", "number": number, "complaint_id": id });
    let event = Event::new("api_key.call", ("api_key", caller.key_id), detail);
    caller.record(event).await?;
    caller.commit().await?;
    let answer = json!([{
        "service_request_id": id,
        "service_notice": notice,
        "account_id": null,
    }]);
    Ok(Json(answer).into_response())
}

/// A refused request: the call recorded (what was refused, never the body), nothing else.
async fn refuse(mut caller: ApiCaller, error: ApiError) -> Result<Response, Open311Error> {
    let fields: Vec<&str> = error.fields.iter().map(|f| f.0.as_str()).collect();
    let detail = json!({ "call": "open311.create", "refused": error.code, "fields": fields });
    let event = Event::new("api_key.call", ("api_key", caller.key_id), detail);
    caller.record(event).await?;
    caller.commit().await?;
    Err(Open311Error {
        status: StatusCode::BAD_REQUEST,
        ..error.into()
    })
}

/// GeoReport's two states: a complaint is closed once nothing more will happen to it in the
/// office's hands: refused (CMP-13), or a suggestion the unit acknowledged (CMP-05).
pub fn open311_status(status: Status) -> &'static str {
    match status {
        Status::Refused | Status::Acknowledged => "closed",
        Status::Received
        | Status::Assigned
        | Status::Signed
        | Status::Returned
        | Status::Forwarded => "open",
    }
}

/// The query of `GET requests.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestsQuery {
    pub api_key: String,
    pub jurisdiction_id: String,
    /// comma-separated ids; when given, every other filter is ignored (as the spec has it)
    pub service_request_id: String,
    /// comma-separated
    pub service_code: String,
    /// comma-separated: `open`, `closed`
    pub status: String,
    pub start_date: String,
    pub end_date: String,
}

/// The items of a comma-separated list, blanks left out.
fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

impl RequestsQuery {
    /// The filter this query asks for at `now`, or a 400 naming each fault.
    fn filter(&self, now: DateTime<Utc>) -> Result<ApiFilter, Open311Error> {
        let mut faults = Vec::new();
        let ids: Option<Vec<Uuid>> = items(&self.service_request_id)
            .map(|s| Uuid::parse_str(s).ok())
            .collect();
        match ids {
            None => faults.push("service_request_id: not a request id".to_string()),
            Some(ids) if !ids.is_empty() => {
                return Ok(ApiFilter {
                    ids: Some(ids),
                    ..ApiFilter::default()
                });
            }
            Some(_) => {}
        }
        let categories: Option<Vec<String>> = items(&self.service_code)
            .map(|s| Category::parse(s).map(|c| c.as_str().to_string()))
            .collect();
        if categories.is_none() {
            faults.push("service_code: no such service_code".into());
        }
        let wanted: Option<Vec<&str>> = items(&self.status)
            .map(|s| ["open", "closed"].contains(&s).then_some(s))
            .collect();
        if wanted.is_none() {
            faults.push("status: open or closed".into());
        }
        let date = |value: &str, field: &str, faults: &mut Vec<String>| match value.trim() {
            "" => None,
            given => parse_w3c_time(given).or_else(|| {
                faults.push(format!(
                    "{field}: a date and time as RFC 3339, with its offset"
                ));
                None
            }),
        };
        let start = date(&self.start_date, "start_date", &mut faults);
        let end = date(&self.end_date, "end_date", &mut faults);
        let span = Duration::days(MAX_DAYS);
        let (from, until) = match (start, end) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, s + span),
            (None, Some(e)) => (e - span, e),
            (None, None) => (now - span, now),
        };
        if until < from {
            faults.push("end_date: not before start_date".into());
        } else if until - from > span {
            faults.push(format!(
                "start_date: at most {MAX_DAYS} days before end_date"
            ));
        }
        if !faults.is_empty() {
            return Err(Open311Error {
                status: StatusCode::BAD_REQUEST,
                descriptions: faults,
            });
        }
        let statuses = wanted.filter(|w| !w.is_empty()).map(|wanted| {
            Status::ALL
                .iter()
                .filter(|s| wanted.contains(&open311_status(**s)))
                .map(|s| s.as_str().to_string())
                .collect()
        });
        Ok(ApiFilter {
            ids: None,
            categories: categories.filter(|c| !c.is_empty()),
            statuses,
            from: Some(from),
            until: Some(until),
        })
    }
}

/// A request as GeoReport v2 lists it: public-safe fields for anyone; the matter and the reply
/// meant for the complainant for a caller with the office's key.
fn request_json(office: &Office, row: &ApiRow, due: Option<DateTime<Utc>>, keyed: bool) -> Value {
    let service_name = Category::parse(&row.category).map(|c| Lang::Zh.t(c.label_key()));
    let status = Status::parse(&row.status).map_or("open", open311_status);
    let mut request = json!({
        "service_request_id": row.id,
        "status": status,
        "service_name": service_name,
        "service_code": row.category,
        "agency_responsible": row.unit_name,
        "service_notice": crate::web::PageCtx::bare(Lang::Zh, "")
            .tfn("complaints.open311.number", &[&row.number]),
        "requested_datetime": w3c_time(office, &row.received_at),
        "updated_datetime": w3c_time(office, &row.updated_at),
        "expected_datetime": due.map(|d| w3c_time(office, &d)),
    });
    if keyed {
        request["description"] = row.matter.clone().into();
        request["status_notes"] = row.reply.clone().into();
    }
    request
}

/// The requests `filter` finds, as GeoReport v2 lists them.
async fn requests_json(reader: &mut Reader, filter: &ApiFilter) -> Result<Vec<Value>, sqlx::Error> {
    let rows = api_db::list(reader.tx(), filter, MAX_REQUESTS).await?;
    let calendar = calendar_for(reader.tx(), &rows).await?;
    let (office, keyed) = (reader.office(), reader.keyed());
    Ok(rows
        .iter()
        .map(|row| {
            let due = calendar
                .as_ref()
                .and_then(|c| deadline(c, row, office.tz()));
            request_json(office, row, due, keyed)
        })
        .collect())
}

/// `GET requests.json`: the office's requests by the spec's filters, newest first.
pub async fn list_requests(
    State(state): State<AppState>,
    Path(office): Path<String>,
    ClientAddr(addr): ClientAddr,
    Query(query): Query<RequestsQuery>,
) -> Result<Response, Open311Error> {
    let mut reader = Reader::new(&state, &office, &query.api_key, addr).await?;
    let now = state.clock.now();
    let filter = query.filter(now)?;
    let requests = requests_json(&mut reader, &filter).await?;
    let detail = json!({ "call": "open311.list", "count": requests.len() });
    reader.finish(detail).await?;
    Ok(Json(requests).into_response())
}

/// `?api_key=` of `GET requests/{id}.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KeyQuery {
    pub api_key: String,
    pub jurisdiction_id: String,
}

/// `GET requests/{id}.json`: one request, as a list of one (as the spec has it); 404 when the
/// office has none of that id.
pub async fn show_request(
    State(state): State<AppState>,
    Path((office, file)): Path<(String, String)>,
    ClientAddr(addr): ClientAddr,
    Query(query): Query<KeyQuery>,
) -> Result<Response, Open311Error> {
    let id = Uuid::parse_str(json_name(&file)?)
        .map_err(|_| Open311Error::not_found("no such service_request_id"))?;
    let mut reader = Reader::new(&state, &office, &query.api_key, addr).await?;
    let filter = ApiFilter {
        ids: Some(vec![id]),
        ..ApiFilter::default()
    };
    let requests = requests_json(&mut reader, &filter).await?;
    let detail = json!({ "call": "open311.show", "service_request_id": id,
                         "found": !requests.is_empty() });
    reader.finish(detail).await?;
    if requests.is_empty() {
        return Err(Open311Error::not_found("no such service_request_id"));
    }
    Ok(Json(requests).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(first: &str, last: &str) -> RequestForm {
        RequestForm {
            first_name: first.into(),
            last_name: last.into(),
            description: "窗口人员态度恶劣\n上午十点在二号窗口，被告知下午再来。".into(),
            ..RequestForm::default()
        }
    }

    #[test]
    fn a_name_is_written_family_name_first_unless_latin() {
        assert_eq!(form("三", "张").name(), "张三");
        assert_eq!(form("Ann", "Lee").name(), "Ann Lee");
        assert_eq!(form("", "张").name(), "张");
        assert_eq!(form("", "").name(), "");
    }

    #[test]
    fn cmp_05_a_request_without_a_name_is_anonymous_unless_it_says() {
        let named = form("三", "张").input(None);
        assert_eq!(named.relation, "recipient");
        let nameless = form("", "").input(None);
        assert_eq!(nameless.relation, "anonymous");
        let said = RequestForm {
            relation: "interested".into(),
            ..form("三", "张")
        };
        assert_eq!(said.input(None).relation, "interested");
    }

    #[test]
    fn the_matter_is_the_descriptions_first_line_unless_given() {
        let f = form("三", "张");
        assert_eq!(f.matter(), "窗口人员态度恶劣");
        assert_eq!(f.field("matter"), "description");
        let given = RequestForm {
            matter: "办事拖延".into(),
            ..form("三", "张")
        };
        assert_eq!(given.matter(), "办事拖延");
        assert_eq!(given.field("matter"), "attribute[matter]");
    }

    #[test]
    fn a_form_field_the_spec_does_not_have_is_named() {
        let error = RequestForm::parse(b"service_code=delay&colour=red").unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert!(error.descriptions[0].starts_with("colour: unknown field"));
        let parsed = RequestForm::parse(b"attribute%5Bunit%5D=u1&lat=31.2").unwrap();
        assert_eq!(parsed.unit, "u1");
    }

    #[test]
    fn only_refused_and_acknowledged_complaints_are_closed() {
        let closed: Vec<&str> = Status::ALL
            .iter()
            .filter(|s| open311_status(**s) == "closed")
            .map(|s| s.as_str())
            .collect();
        assert_eq!(closed, ["refused", "acknowledged"]);
    }

    #[test]
    fn a_list_covers_at_most_90_days() {
        let now: DateTime<Utc> = "2026-12-01T02:00:00Z".parse().unwrap();
        let default = RequestsQuery::default().filter(now).unwrap();
        assert_eq!(default.until, Some(now));
        assert_eq!(default.from, Some(now - Duration::days(90)));
        let long = RequestsQuery {
            start_date: "2026-01-01T00:00:00+08:00".into(),
            end_date: "2026-12-01T00:00:00+08:00".into(),
            ..RequestsQuery::default()
        };
        assert!(long.filter(now).is_err());
        let closed = RequestsQuery {
            status: "closed".into(),
            service_code: "delay,attitude".into(),
            ..RequestsQuery::default()
        };
        let f = closed.filter(now).unwrap();
        assert_eq!(f.statuses.unwrap(), ["refused", "acknowledged"]);
        assert_eq!(f.categories.unwrap(), ["delay", "attitude"]);
        let ids = RequestsQuery {
            service_request_id: format!("{},{}", Uuid::nil(), Uuid::max()),
            status: "nonsense".into(),
            ..RequestsQuery::default()
        };
        assert_eq!(ids.filter(now).unwrap().ids.unwrap().len(), 2);
        for bad in [
            RequestsQuery {
                status: "pending".into(),
                ..RequestsQuery::default()
            },
            RequestsQuery {
                service_code: "noise".into(),
                ..RequestsQuery::default()
            },
            RequestsQuery {
                start_date: "yesterday".into(),
                ..RequestsQuery::default()
            },
        ] {
            assert!(bad.filter(now).is_err(), "{bad:?}");
        }
    }
}
