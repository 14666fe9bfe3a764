//! Complaints: the office logs, lists, accepts or refuses and routes them; a unit's liaison signs
//! for those assigned to its unit, may return one out of remit, and acknowledges suggestions.

use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, ComplaintRow, ListFilter};
use super::model::{Case, Channel, ComplaintInput, Event, RefusalReason, Status, Track};
use super::views::{ComplaintPage, FormPage, ListPage, StaffChoicesPart};
use super::{LogError, log_complaint};
use crate::AppState;
use crate::audit::{Acting, Event as AuditEvent};
use crate::core::paging::PageRequest;
use crate::core::time::{day_start, parse_datetime_input};
use crate::core::{AppResult, CurrentUser, FieldErrors, Now, RuleError, not_found};
use crate::db::{RequestTx, Tx, Wrote};
use crate::evidence::{self, db::Owner};
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

const PAGE_SIZE: i64 = 50;

/// `/{office}/complaints/{complaint_id}`.
#[derive(Debug, Deserialize)]
pub struct ComplaintPath {
    pub complaint_id: Uuid,
}

/// The list's filters, as the query string carries them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    pub channel: String,
    pub category: String,
    pub unit: String,
    /// received from this day (`YYYY-MM-DD`, office time) …
    pub from: String,
    /// … to this day, inclusive
    pub to: String,
    /// `1`: only those past their handling period (CMP-09)
    pub overdue: String,
    pub page: Option<i64>,
}

/// The office's complaints (all of them for the office and leaders; a liaison its unit's), newest
/// first, filtered by status, channel, category and unit.
pub async fn list_complaints(
    user: CurrentUser,
    Now(now): Now,
    Query(query): Query<ListQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let filter = query.filter(&user, now, &ctx);
    let request = PageRequest::new(query.page, PAGE_SIZE);
    let (rows, total) = db::list(&mut tx, &filter, (request.limit(), request.offset())).await?;
    let units = match user.liaison_unit() {
        None => db::open_year_units(&mut tx).await?,
        Some(_) => Vec::new(),
    };
    drop(tx);
    let period = (typed_day(&query.from), typed_day(&query.to));
    let page = ListPage::new(ctx, &user, filter, rows, units, period, (request, total));
    render(&page)
}

/// The most complaints one export holds (the newest that match).
const EXPORT_CAP: i64 = 10_000;

/// The list as its filters show it, as CSV or XLSX (at most the newest [`EXPORT_CAP`]).
pub async fn export_complaints(
    user: CurrentUser,
    Now(now): Now,
    format: ExportFormat,
    Query(query): Query<ListQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let filter = query.filter(&user, now, &ctx);
    let (rows, _) = db::list(&mut tx, &filter, (EXPORT_CAP, 0)).await?;
    drop(tx);
    let rows = rows
        .into_iter()
        .map(|r| {
            vec![
                r.number,
                ctx.local_time(&r.received_at),
                r.unit_name,
                r.matter,
                ctx.t(super::views::category_key(&r.category)).to_string(),
                ctx.t(super::views::channel_key(&r.channel)).to_string(),
                ctx.t(super::views::status_key(&r.status)).to_string(),
            ]
        })
        .collect();
    let keys = [
        "complaints.number",
        "complaints.received_at",
        "complaints.unit",
        "complaints.matter",
        "complaints.category",
        "complaints.channel",
        "complaints.status",
    ];
    Export::translated(&ctx, "complaints", &keys, rows).respond(format)
}

impl ListQuery {
    /// The filters the list applies for `user` at `now`: known values only, the period's days in
    /// the office's time zone, and a liaison's own unit.
    fn filter(&self, user: &CurrentUser, now: DateTime<Utc>, ctx: &PageCtx) -> ListFilter {
        let tz = ctx.time_zone();
        let day = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        let from = day(&self.from).map(|d| day_start(tz, d));
        let to = day(&self.to)
            .and_then(|d| d.succ_opt())
            .map(|d| day_start(tz, d));
        ListFilter {
            status: known(&self.status, |s| Status::parse(s).is_some()),
            channel: known(&self.channel, |s| Channel::parse(s).is_some()),
            category: known(&self.category, |s| {
                super::model::Category::parse(s).is_some()
            }),
            unit: match user.liaison_unit() {
                Some(own) => Some(own),
                None => Uuid::parse_str(self.unit.trim()).ok(),
            },
            period: (from, to),
            overdue_at: (self.overdue == "1").then_some(now),
            held_only: user.liaison_unit().is_some(),
        }
    }
}

/// A day of the period as the filter applies it (`YYYY-MM-DD`), or nothing.
fn typed_day(text: &str) -> String {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(day) => day.format("%Y-%m-%d").to_string(),
        Err(_) => String::new(),
    }
}

/// A filter value the list knows, or nothing.
fn known(value: &str, is_known: impl Fn(&str) -> bool) -> String {
    let value = value.trim();
    match is_known(value) {
        true => value.to_string(),
        false => String::new(),
    }
}

/// CMP-03: the office's intake form.
pub async fn new_complaint_form(
    _user: CurrentUser,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let input = ComplaintInput::default();
    let page = form_page((ctx, &state), &mut tx, input, (Vec::new(), Vec::new())).await?;
    drop(tx);
    render(&page)
}

async fn form_page(
    (ctx, state): (PageCtx, &AppState),
    tx: &mut Tx,
    input: ComplaintInput,
    (errors, file_errors): (FieldErrors, Vec<String>),
) -> AppResult<FormPage> {
    let units = db::open_year_units(tx).await?;
    let staff = match Uuid::parse_str(input.unit_id.trim()) {
        Ok(unit) if units.iter().any(|u| u.0 == unit) => db::unit_staff(tx, unit).await?,
        _ => Vec::new(),
    };
    Ok(FormPage {
        ctx,
        units,
        staff,
        input,
        errors,
        file_errors,
        max_size: state.evidence.max_upload_text(),
    })
}

/// `?unit_id=…`: the unit whose staff the intake form lists.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaffQuery {
    pub unit_id: String,
}

/// CMP-02: the staff of the unit chosen on the intake form, to tick those the complaint names
/// (the form asks for them when the unit changes; without script, names are typed).
pub async fn unit_staff_choices(
    _user: CurrentUser,
    Query(query): Query<StaffQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let unit = Uuid::parse_str(query.unit_id.trim()).ok();
    let staff = match unit {
        Some(unit) if listed(&mut tx, unit).await? => db::unit_staff(&mut tx, unit).await?,
        _ => Vec::new(),
    };
    drop(tx);
    render(&StaffChoicesPart {
        ctx,
        staff,
        chosen: Vec::new(),
    })
}

/// CMP-02, CMP-03: office staff log a complaint from a channel, with its files (streamed into
/// the evidence store); a complaint without its unit, matter or reasons (or, in person, by letter
/// or online, its evidence) comes back with what is missing and everything typed. A refused file
/// logs nothing.
pub async fn create_complaint(
    mut acting: Acting,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let tz = ctx.time_zone();
    let tenant = acting.user.tenant_id;
    let (intake, broken) = evidence::intake(&state.evidence, tenant, tz, multipart).await;
    acting.upload_received();
    let input = ComplaintInput::from_fields(&intake.fields);
    let mut file_errors = intake.refusal_messages(&ctx);
    if broken.is_some() {
        file_errors.push(ctx.t("evidence.upload_failed").to_string());
    }
    let mut tx = request_tx.acquire().await?;
    let mut checked = input.validate(intake.received.len());
    if let Ok(fields) = &checked
        && !Channel::LOGGED_BY_STAFF.contains(&fields.channel)
    {
        checked = Err(vec![("channel", "complaints.error_channel")]);
    }
    let received_at = match input.received_at.trim() {
        "" => Some(acting.now),
        typed => parse_datetime_input(typed, tz).filter(|t| *t <= acting.now),
    };
    let refusal = match (checked, received_at) {
        (Ok(fields), Some(at)) if file_errors.is_empty() => {
            let logged = (at, Some(acting.user.id));
            match log_complaint(&mut tx, tenant, &fields, logged, None, &acting.actor()).await {
                Ok((id, number)) => {
                    let owner = Owner::Complaint(id);
                    let received = &intake.received;
                    evidence::record(&mut tx, &state.evidence, owner, received, &acting, tz)
                        .await?;
                    let done = Flash::success("complaints.logged").with(number);
                    return Ok(acting.done(done, &format!("/complaints/{id}")).await);
                }
                Err(LogError::NoYear) => vec![("unit_id", "complaints.error_no_year")],
                Err(LogError::UnitNotListed) => vec![("unit_id", "complaints.error_unit")],
                Err(LogError::Database(e)) => return Err(e.into()),
            }
        }
        (checked, at) => {
            let mut errors = checked.err().unwrap_or_default();
            if at.is_none() {
                errors.push(("received_at", "complaints.error_received_at"));
            }
            errors
        }
    };
    // nothing was logged: the files this request stored go again
    evidence::forget(&state.db, &state.evidence, tenant, &intake.received).await;
    let page = form_page((ctx, &state), &mut tx, input, (refusal, file_errors)).await?;
    drop(tx);
    render_invalid(&page)
}

/// The complaint a user may read: the office and leaders any; a liaison one its unit holds
/// (assigned, signed, returned by it, or a suggestion forwarded to it).
pub(super) async fn readable(tx: &mut Tx, user: &CurrentUser, id: Uuid) -> AppResult<ComplaintRow> {
    let c = db::get_complaint(tx, id, user.liaison_unit())
        .await?
        .ok_or_else(not_found)?;
    let held = !matches!(
        Status::parse(&c.status),
        Some(Status::Received | Status::Refused) | None
    );
    match user.liaison_unit() {
        Some(_) if !held => Err(not_found()),
        _ => Ok(c),
    }
}

/// A complaint's page with its timeline and what the reader may do next. Viewing the
/// complainant's contact details is logged.
async fn complaint_page(
    (ctx, similarity): (PageCtx, f32),
    acting: &Acting,
    tx: &mut Tx,
    c: ComplaintRow,
    errors: Vec<String>,
) -> AppResult<ComplaintPage> {
    let user = &acting.user;
    let timeline = db::timeline(tx, c.id).await?;
    let people = db::people(tx, c.id).await?;
    let files = evidence::views::evidence_views(&ctx, evidence::db::of_complaint(tx, c.id).await?);
    let rulings = db::rulings(tx, c.id).await?;
    let similar = match (user.of_office(), c.status.as_str()) {
        (true, "received") => db::similar(tx, &c, similarity).await?,
        _ => Vec::new(),
    };
    let units = match user.of_office() {
        true => db::open_year_units(tx).await?,
        false => Vec::new(),
    };
    // complainant contact: the office, and the unit when the complainant allowed it
    let shows_contact = user.of_office() || (user.liaison_unit().is_some() && c.contact_allowed);
    if shows_contact && !(c.complainant_name.is_empty() && c.complainant_phone.is_empty()) {
        let event = AuditEvent::new(
            "complaint.contact_view",
            ("complaint", c.id),
            json!({ "number": c.number }),
        );
        acting.record(tx, event).await?;
    }
    let return_until = match (user.liaison_unit(), c.signed_at) {
        (Some(_), Some(signed)) => Some(return_deadline(tx, &ctx, signed).await?),
        _ => None,
    };
    Ok(ComplaintPage::new(
        ctx,
        user,
        c,
        (people, timeline, files, rulings),
        (similar, units),
        (shows_contact, return_until),
        errors,
    ))
}

/// CMP-11: the end of the third working day after the unit signed.
async fn return_deadline(
    tx: &mut Tx,
    ctx: &PageCtx,
    signed: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    let calendar = crate::calendar::load(tx).await?;
    let days = super::model::RETURN_WORKING_DAYS;
    Ok(crate::calendar::deadline_at(&calendar, signed, days, ctx.time_zone()).ok())
}

pub async fn show_complaint(
    acting: Acting,
    Path(ComplaintPath { complaint_id }): Path<ComplaintPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let c = readable(&mut tx, &acting.user, complaint_id).await?;
    let similarity = state.config.complaints.similarity;
    let page = complaint_page((ctx, similarity), &acting, &mut tx, c, Vec::new()).await?;
    drop(tx);
    let mut response = render(&page)?;
    if page.shows_contact {
        // the view of the complainant's contact details is logged: keep it
        response.extensions_mut().insert(Wrote);
    }
    Ok(response)
}

/// What the office or the unit does to a complaint, as the forms send it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActForm {
    #[serde(rename = "do")]
    pub act: String,
    pub unit_id: String,
    pub reason: String,
    pub note: String,
    /// CMP-11: the staffing commission's ruling: its date and document number
    pub ruled_on: String,
    pub document_number: String,
}

/// Every step of the workflow, by the office (assign, refuse, forward, transfer, urge, uphold) or
/// the unit's liaison (sign, return, acknowledge): checked by the state machine, recorded on the
/// timeline and in the audit log.
pub async fn act_on_complaint(
    acting: Acting,
    Path(ComplaintPath { complaint_id }): Path<ComplaintPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
    Form(form): Form<ActForm>,
) -> AppResult<Response> {
    db::lock_complaint(&mut tx, complaint_id).await?;
    let c = readable(&mut tx, &acting.user, complaint_id).await?;
    let ctx = (ctx, state.config.complaints.similarity);
    let note = form.note.trim();
    let by_office = acting.user.of_office();
    let unit = Uuid::parse_str(form.unit_id.trim()).ok();
    let office_act = |event: Event| by_office.then_some(event);
    let unit_act = |event: Event| (!by_office).then_some(event);
    let event = match form.act.as_str() {
        "assign" => unit.and_then(|unit| office_act(Event::Assign { unit })),
        "refuse" => RefusalReason::parse(form.reason.trim())
            .and_then(|reason| office_act(Event::Refuse { reason })),
        "forward" => unit.and_then(|unit| office_act(Event::Forward { unit })),
        "transfer" => unit.and_then(|unit| office_act(Event::Transfer { unit })),
        "urge" => office_act(Event::Urge),
        "uphold" => office_act(Event::Uphold),
        "rule" => unit.and_then(|unit| office_act(Event::Rule { unit })),
        "sign" => unit_act(Event::Sign),
        "acknowledge" => unit_act(Event::Acknowledge),
        "return" => match c.signed_at {
            Some(signed) => match return_deadline(&mut tx, &ctx.0, signed).await? {
                Some(return_until) => unit_act(Event::Return { return_until }),
                None => None,
            },
            None => None,
        },
        _ => None,
    };
    let Some(event) = event else {
        let text = ctx_error(&ctx.0, "complaints.error_act");
        return refused(ctx, &acting, tx, c, text).await;
    };
    // words the step needs: a reason to transfer, return or refuse, a message to urge
    let needs_note = matches!(
        event,
        Event::Transfer { .. } | Event::Urge | Event::Return { .. } | Event::Uphold
    );
    if (needs_note && note.is_empty()) || note.chars().count() > 2000 {
        let text = ctx_error(&ctx.0, "complaints.error_note");
        return refused(ctx, &acting, tx, c, text).await;
    }
    let ruling = match event {
        Event::Rule { .. } => match form.ruling(ctx.0.local_date(acting.now)) {
            Ok(ruling) => Some(ruling),
            Err(key) => {
                let text = ctx_error(&ctx.0, key);
                return refused(ctx, &acting, tx, c, text).await;
            }
        },
        _ => None,
    };
    let Some(status) = Status::parse(&c.status) else {
        return Err(not_found());
    };
    let case = Case {
        status,
        track: Track::parse(&c.track),
        unit: c.unit_id,
    };
    let step = match case.apply(&event, acting.now) {
        Ok(step) => step,
        Err(error) => {
            let text = ctx.0.refusal(&error);
            return refused(ctx, &acting, tx, c, vec![text]).await;
        }
    };
    let target = match &event {
        Event::Assign { unit }
        | Event::Transfer { unit }
        | Event::Forward { unit }
        | Event::Rule { unit } => Some(*unit),
        _ => None,
    };
    if let Some(unit) = target
        && !listed(&mut tx, unit).await?
    {
        let text = ctx_error(&ctx.0, "complaints.error_unit");
        return refused(ctx, &acting, tx, c, text).await;
    }
    let moved = match &event {
        Event::Refuse { reason } => db::refuse(&mut tx, c.id, reason.as_str(), note).await?,
        _ => {
            let signed_at = matches!(event, Event::Sign).then_some(acting.now);
            let due_at = match signed_at {
                Some(at) => handling_due(&mut tx, &ctx.0, at).await?,
                None => None,
            };
            let to = db::Move {
                from: step.from,
                to: step.to,
                unit: target.unwrap_or(c.unit_id),
                signed_at,
                due_at,
            };
            db::move_complaint(&mut tx, c.id, &to).await?
        }
    };
    if !moved {
        let error = RuleError::new("CMP-08", "complaints.error_state");
        let text = vec![ctx.0.refusal(&error)];
        return refused(ctx, &acting, tx, c, text).await;
    }
    let mut note = note.to_string();
    if let Some((ruled_on, document_number)) = &ruling {
        let ruled = db::NewRuling {
            complaint_id: c.id,
            ruled_on: *ruled_on,
            document_number,
            returned_by: c.unit_id,
            competent_unit: target.unwrap_or(c.unit_id),
            note: &note,
            recorded_by: acting.user.id,
            at: acting.now,
        };
        db::insert_ruling(&mut tx, acting.user.tenant_id, &ruled).await?;
        let date = crate::core::time::document_date(*ruled_on);
        let said = ctx
            .0
            .tfn("complaints.ruling_recorded", &[&date, document_number]);
        note = match note.is_empty() {
            true => said,
            false => format!("{said}；{note}"),
        };
    }
    let note = note.as_str();
    let public = public_text(&ctx.0, &event, note);
    let entry = db::NewEvent {
        complaint_id: c.id,
        action: step.action,
        actor: Some(acting.user.id),
        unit: target.or(Some(c.unit_id)),
        note,
        public_text: public.as_deref(),
        at: step.at,
    };
    db::insert_event(&mut tx, acting.user.tenant_id, &entry).await?;
    let today = ctx.0.local_date(acting.now);
    super::notify::tell_unit(&mut tx, acting.user.tenant_id, &c, &event, today).await?;
    let detail = json!({
        "number": c.number,
        "unit_id": target,
        "note": note,
        "reason": form.reason,
        "ruling": ruling.as_ref().map(|(on, doc)| json!({ "ruled_on": on, "document_number": doc })),
    });
    let audit = AuditEvent::new(step.action, ("complaint", c.id), detail);
    let done = Flash::success("complaints.done");
    acting
        .recorded(&mut tx, audit, done, &format!("/complaints/{}", c.id))
        .await
}

impl ActForm {
    /// CMP-11: the ruling's date (not after `today`) and document number, or the catalog key of
    /// what is wrong with them.
    fn ruling(&self, today: NaiveDate) -> Result<(NaiveDate, String), &'static str> {
        let on = NaiveDate::parse_from_str(self.ruled_on.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= today)
            .ok_or("complaints.error_ruled_on")?;
        let number = self.document_number.trim();
        if number.is_empty() || number.chars().count() > 100 {
            return Err("complaints.error_document_number");
        }
        Ok((on, number.to_string()))
    }
}

/// CMP-09: the end of the tenth working day after the unit signed at `signed` (none when the
/// office's calendar does not reach that far: the page then says the calendar is missing).
async fn handling_due(
    tx: &mut Tx,
    ctx: &PageCtx,
    signed: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let calendar = crate::calendar::load(tx).await?;
    let days = super::model::HANDLING_WORKING_DAYS;
    Ok(crate::calendar::deadline_at(&calendar, signed, days, ctx.time_zone()).ok())
}

fn ctx_error(ctx: &PageCtx, key: &str) -> Vec<String> {
    vec![ctx.t(key).to_string()]
}

/// Whether the unit is on the open year's list.
async fn listed(tx: &mut Tx, unit: Uuid) -> AppResult<bool> {
    let listing = db::open_year_listing(tx, unit).await?;
    Ok(listing.is_some_and(|(_, _, listed)| listed))
}

/// What the tracking page will say of a step (none for internal ones): the refusal's note is
/// meant for the complainant.
fn public_text(ctx: &PageCtx, event: &Event, note: &str) -> Option<String> {
    match event {
        Event::Refuse { reason } => Some(format!("{}：{note}", ctx.t(reason.label_key()))),
        Event::Assign { .. }
        | Event::Transfer { .. }
        | Event::Sign
        | Event::Forward { .. }
        | Event::Rule { .. } => Some(String::new()),
        _ => None,
    }
}

async fn refused(
    ctx: (PageCtx, f32),
    acting: &Acting,
    mut tx: Tx,
    c: ComplaintRow,
    errors: Vec<String>,
) -> AppResult<Response> {
    let page = complaint_page(ctx, acting, &mut tx, c, errors).await?;
    drop(tx);
    render_invalid(&page)
}
