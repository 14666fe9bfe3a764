//! Complaints: the office logs, lists, accepts or refuses and routes them; a unit's liaison signs
//! for those assigned to its unit, may return one out of remit, and acknowledges suggestions.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, ComplaintRow, ListFilter};
use super::model::{Case, Channel, ComplaintInput, Event, RefusalReason, Status, Track};
use super::views::{ComplaintPage, FormPage, ListPage};
use super::{LogError, log_complaint};
use crate::AppState;
use crate::audit::{Acting, Event as AuditEvent};
use crate::core::paging::PageRequest;
use crate::core::time::parse_datetime_input;
use crate::core::{AppResult, CurrentUser, FieldErrors, RuleError, not_found};
use crate::db::{Tx, Wrote};
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
    pub page: Option<i64>,
}

/// The office's complaints (all of them for the office and leaders; a liaison its unit's), newest
/// first, filtered by status, channel, category and unit.
pub async fn list_complaints(
    user: CurrentUser,
    Query(query): Query<ListQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let filter = query.filter(&user);
    let request = PageRequest::new(query.page, PAGE_SIZE);
    let (rows, total) = db::list(&mut tx, &filter, (request.limit(), request.offset())).await?;
    let units = match user.liaison_unit() {
        None => db::open_year_units(&mut tx).await?,
        Some(_) => Vec::new(),
    };
    drop(tx);
    let page = ListPage::new(ctx, &user, filter, rows, units, (request, total));
    render(&page)
}

/// The most complaints one export holds (the newest that match).
const EXPORT_CAP: i64 = 10_000;

/// The list as its filters show it, as CSV or XLSX (at most the newest [`EXPORT_CAP`]).
pub async fn export_complaints(
    user: CurrentUser,
    format: ExportFormat,
    Query(query): Query<ListQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let filter = query.filter(&user);
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
    /// The filters the list applies for `user`: known values only, and a liaison's own unit.
    fn filter(&self, user: &CurrentUser) -> ListFilter {
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
            held_only: user.liaison_unit().is_some(),
        }
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
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = form_page(ctx, &mut tx, ComplaintInput::default(), Vec::new()).await?;
    drop(tx);
    render(&page)
}

async fn form_page(
    ctx: PageCtx,
    tx: &mut Tx,
    input: ComplaintInput,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let units = db::open_year_units(tx).await?;
    Ok(FormPage {
        ctx,
        units,
        input,
        errors,
    })
}

/// CMP-02, CMP-03: office staff log a complaint from a channel; a complaint without its unit,
/// matter or reasons (or, in person, by letter or online, its evidence) comes back with what is
/// missing and everything typed.
pub async fn create_complaint(
    acting: Acting,
    ctx: PageCtx,
    mut tx: Tx,
    Form(input): Form<ComplaintInput>,
) -> AppResult<Response> {
    let mut checked = input.validate(0);
    if let Ok(fields) = &checked
        && !Channel::LOGGED_BY_STAFF.contains(&fields.channel)
    {
        checked = Err(vec![("channel", "complaints.error_channel")]);
    }
    let received_at = match input.received_at.trim() {
        "" => Some(acting.now),
        typed => parse_datetime_input(typed, ctx.time_zone()).filter(|t| *t <= acting.now),
    };
    let fields = match (checked, received_at) {
        (Ok(fields), Some(at)) => (fields, at),
        (checked, at) => {
            let mut errors = checked.err().unwrap_or_default();
            if at.is_none() {
                errors.push(("received_at", "complaints.error_received_at"));
            }
            return refused_form(ctx, tx, input, errors).await;
        }
    };
    let (fields, received_at) = fields;
    let tenant = acting.user.tenant_id;
    let logged = (received_at, Some(acting.user.id));
    match log_complaint(&mut tx, tenant, &fields, logged, None, &acting.actor()).await {
        Ok((id, number)) => {
            let done = Flash::success("complaints.logged").with(number);
            Ok(acting.done(done, &format!("/complaints/{id}")).await)
        }
        Err(LogError::NoYear) => {
            refused_form(
                ctx,
                tx,
                input,
                vec![("unit_id", "complaints.error_no_year")],
            )
            .await
        }
        Err(LogError::UnitNotListed) => {
            refused_form(ctx, tx, input, vec![("unit_id", "complaints.error_unit")]).await
        }
        Err(LogError::Database(e)) => Err(e.into()),
    }
}

async fn refused_form(
    ctx: PageCtx,
    mut tx: Tx,
    input: ComplaintInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = form_page(ctx, &mut tx, input, errors).await?;
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
        (people, timeline),
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
        Event::Assign { unit } | Event::Transfer { unit } | Event::Forward { unit } => Some(*unit),
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
            let signed = matches!(event, Event::Sign).then_some(acting.now);
            let to_unit = target.unwrap_or(c.unit_id);
            db::move_complaint(&mut tx, c.id, (step.from, step.to), to_unit, signed).await?
        }
    };
    if !moved {
        let error = RuleError::new("CMP-08", "complaints.error_state");
        let text = vec![ctx.0.refusal(&error)];
        return refused(ctx, &acting, tx, c, text).await;
    }
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
    let detail =
        json!({ "number": c.number, "unit_id": target, "note": note, "reason": form.reason });
    let audit = AuditEvent::new(step.action, ("complaint", c.id), detail);
    let done = Flash::success("complaints.done");
    acting
        .recorded(&mut tx, audit, done, &format!("/complaints/{}", c.id))
        .await
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
        Event::Assign { .. } | Event::Transfer { .. } | Event::Sign | Event::Forward { .. } => {
            Some(String::new())
        }
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
