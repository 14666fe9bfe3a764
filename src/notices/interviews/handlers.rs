//! Interview pages (INS-13): the list, scheduling and correcting, the record itself (a printable
//! document, and its PDF), minutes, cancellation and follow-up actions. Each change asks the
//! interview's state machine (`model::Status::apply`) whether it may happen, and ends recorded
//! on the interview's timeline.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, InterviewRow};
use super::may_read;
use super::model::{
    self, ActionsSent, Attendee, Event, InterviewFields, InterviewForm, InterviewSent, MinutesForm,
    MinutesSent, Status,
};
use super::views::{
    ActionView, InterviewFormPage, InterviewItem, InterviewOverview, InterviewPage, InterviewsPage,
    OverdueItem,
};
use crate::AppState;
use crate::audit::{Acting, Event as LogEvent, views::TimelineEntry};
use crate::core::{AppResult, CurrentUser, Now, RuleError, Transition, not_found};
use crate::db::{RequestTx, Tx};
use crate::registry::units::db::list_units;
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

/// The longest reason for calling an interview off.
const CANCEL_REASON_MAX: usize = 2000;

#[derive(Debug, Deserialize)]
pub struct InterviewPath {
    pub interview_id: Uuid,
}

#[derive(Debug, Deserialize)]
pub struct ActionPath {
    pub interview_id: Uuid,
    pub action_id: Uuid,
}

/// The unit whose confirmed findings prefill the problems of a new interview.
#[derive(Debug, Default, Deserialize)]
pub struct InterviewPrefill {
    #[serde(default)]
    pub unit_id: String,
}

/// The interviews the list shows `user`: the office's (leaders read them too), or a liaison's
/// unit's.
async fn shown_interviews(
    tx: &mut Tx,
    user: &CurrentUser,
    today: NaiveDate,
) -> AppResult<Vec<InterviewRow>> {
    let rows = db::interviews(tx, user.liaison_unit(), None, today).await?;
    Ok(rows
        .into_iter()
        .filter(|v| may_read(user, v.unit_id))
        .collect())
}

/// The office's interviews (leaders read them too), or a liaison's unit's.
pub async fn list_interviews(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = shown_interviews(&mut tx, &user, ctx.local_date(now)).await?;
    drop(tx);
    let interviews = rows.iter().map(|v| InterviewItem::new(&ctx, v)).collect();
    render(&InterviewsPage {
        ctx,
        interviews,
        can_schedule: user.of_office(),
    })
}

/// The interviews the list shows, as CSV or XLSX.
pub async fn export_interviews(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = shown_interviews(&mut tx, &user, ctx.local_date(now)).await?;
    drop(tx);
    let rows = rows
        .iter()
        .map(|v| InterviewItem::new(&ctx, v).cells(&ctx))
        .collect();
    Export::translated(&ctx, "interviews", &InterviewItem::COLUMNS, rows).respond(format)
}

/// INS-13: the form to schedule an interview; choosing a unit first prefills the problems with its
/// confirmed findings of the open year.
pub async fn new_interview_form(
    _user: CurrentUser,
    Query(prefill): Query<InterviewPrefill>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let units = list_units(&mut tx).await?;
    let mut form = InterviewForm::default();
    if let Some(unit) = units.iter().find(|u| u.id.to_string() == prefill.unit_id) {
        form.unit_id = unit.id.to_string();
        form.problems = model::problems_text(&db::open_year_findings(&mut tx, unit.id).await?);
    }
    drop(tx);
    render(&InterviewFormPage {
        action: ctx.href("/interviews"),
        ctx,
        editing: None,
        units,
        form: form.with_blank_lines(),
        errors: Vec::new(),
    })
}

/// INS-13: schedules the interview with its attendees; audited.
pub async fn create_interview(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(sent): Form<InterviewSent>,
) -> AppResult<Response> {
    let form = InterviewForm::from(sent);
    let mut tx = request_tx.acquire().await?;
    let units = list_units(&mut tx).await?;
    let ids: Vec<Uuid> = units.iter().map(|u| u.id).collect();
    let fields = match form.validate(&ids, ctx.time_zone()) {
        Ok(fields) => fields,
        Err(errors) => {
            drop(tx);
            return render_invalid(&InterviewFormPage {
                action: ctx.href("/interviews"),
                ctx,
                editing: None,
                units,
                form: form.with_blank_lines(),
                errors,
            });
        }
    };
    let id = db::insert_interview(&mut tx, acting.user.tenant_id, &fields, acting.user.id).await?;
    let event = LogEvent::new(
        "interview.schedule",
        ("interview", id),
        details(&ctx, &fields),
    );
    let done = Flash::success("interviews.scheduled");
    acting
        .recorded(&mut tx, event, done, &format!("/interviews/{id}"))
        .await
}

/// What the audit log keeps of an interview's details.
fn details(ctx: &PageCtx, fields: &InterviewFields) -> serde_json::Value {
    let people = |side: &[Attendee]| {
        side.iter()
            .map(|a| format!("{} {}", a.name, a.post).trim().to_string())
            .collect::<Vec<_>>()
            .join("、")
    };
    json!({
        "scheduled_at": ctx.local_time(&fields.scheduled_at),
        "place": fields.place,
        "office_side": people(&fields.office_side),
        "unit_side": people(&fields.unit_side),
    })
}

/// One interview, or 404 when it is not there or (for a liaison) not its unit's.
async fn interview_of(
    tx: &mut Tx,
    (user, now): (&CurrentUser, DateTime<Utc>),
    ctx: &PageCtx,
    interview_id: Uuid,
) -> AppResult<InterviewRow> {
    let v = db::interviews(tx, None, Some(interview_id), ctx.local_date(now))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    if !may_read(user, v.unit_id) {
        return Err(not_found());
    }
    Ok(v)
}

/// INS-13: the form to correct a scheduled interview (a held or cancelled one goes to its page).
pub async fn edit_interview_form(
    user: CurrentUser,
    Now(now): Now,
    Path(InterviewPath { interview_id }): Path<InterviewPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let v = interview_of(&mut tx, (&user, now), &ctx, interview_id).await?;
    if v.status.apply(Event::Edit, now).is_err() {
        let page = user.path(&format!("/interviews/{interview_id}"));
        return Ok(Redirect::to(&page).into_response());
    }
    let (office_side, unit_side) = db::attendees(&mut tx, interview_id).await?;
    drop(tx);
    let fields = InterviewFields {
        unit_id: v.unit_id,
        scheduled_at: v.scheduled_at,
        place: v.place,
        office_side,
        unit_side,
        problems: v.problems,
    };
    let form = InterviewForm::from_fields(fields, ctx.time_zone());
    render(&InterviewFormPage {
        action: ctx.href(&format!("/interviews/{interview_id}")),
        ctx,
        editing: Some((interview_id, v.unit_name)),
        units: Vec::new(),
        form: form.with_blank_lines(),
        errors: Vec::new(),
    })
}

/// INS-13: corrects a scheduled interview's time, place, attendees or problems; audited.
pub async fn update_interview(
    acting: Acting,
    Path(InterviewPath { interview_id }): Path<InterviewPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(sent): Form<InterviewSent>,
) -> AppResult<Response> {
    let mut form = InterviewForm::from(sent);
    let mut tx = request_tx.acquire().await?;
    db::lock_interview(&mut tx, interview_id).await?;
    let v = interview_of(&mut tx, (&acting.user, acting.now), &ctx, interview_id).await?;
    // the unit of an interview stays what it was scheduled with
    form.unit_id = v.unit_id.to_string();
    let result = v
        .status
        .apply(Event::Edit, acting.now)
        .map_err(|refusal| vec![refusal.key])
        .and_then(|step| Ok((step, form.validate(&[v.unit_id], ctx.time_zone())?)));
    let (step, fields) = match result {
        Ok(valid) => valid,
        Err(errors) => {
            drop(tx);
            return render_invalid(&InterviewFormPage {
                action: ctx.href(&format!("/interviews/{interview_id}")),
                ctx,
                editing: Some((interview_id, v.unit_name)),
                units: Vec::new(),
                form: form.with_blank_lines(),
                errors,
            });
        }
    };
    db::update_interview(&mut tx, acting.user.tenant_id, interview_id, &fields).await?;
    let detail = details(&ctx, &fields);
    interview_recorded(
        &acting,
        &mut tx,
        (interview_id, step),
        detail,
        "interviews.updated",
    )
    .await
}

/// The interview's page, as `user` may read it and (for the office) change it.
async fn interview_page(
    ctx: PageCtx,
    (user, now): (&CurrentUser, DateTime<Utc>),
    tx: &mut Tx,
    interview_id: Uuid,
) -> AppResult<InterviewPage> {
    let v = interview_of(tx, (user, now), &ctx, interview_id).await?;
    let (office_side, unit_side) = db::attendees(tx, interview_id).await?;
    let today = ctx.local_date(now);
    let actions = db::actions(tx, interview_id)
        .await?
        .into_iter()
        .map(|a| ActionView {
            id: a.id,
            overdue: model::overdue(a.due_on, a.done_at.is_some(), today),
            done: a.done_at.map(|t| {
                let by = a.done_by.unwrap_or_default();
                format!("{by} · {}", ctx.local_time(&t))
            }),
            content: a.content,
            responsible: a.responsible,
            due: a.due_on.to_string(),
        })
        .collect();
    let settings = crate::registry::settings::db::get_settings(tx).await?;
    let history = crate::audit::db::events_for_subject(tx, "interview", interview_id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    Ok(InterviewPage {
        office_name: settings.name,
        state_key: v.status.label_key(),
        when: ctx.local_time(&v.scheduled_at),
        scheduled: v.status == Status::Scheduled,
        held: v.status == Status::Held,
        can_change: user.of_office(),
        minutes_form: MinutesForm {
            minutes: String::new(),
            actions: model::with_blank_actions(Vec::new()),
        },
        new_actions: model::with_blank_actions(Vec::new()),
        cancel_reason: String::new(),
        errors: Vec::new(),
        office_side,
        unit_side,
        actions,
        history,
        ctx,
        v,
    })
}

pub async fn show_interview(
    user: CurrentUser,
    Now(now): Now,
    Path(InterviewPath { interview_id }): Path<InterviewPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = interview_page(ctx, (&user, now), &mut tx, interview_id).await?;
    drop(tx);
    render(&page)
}

/// INS-13: the interview record in PDF, typeset on the server; whoever may read it may have it.
pub async fn interview_pdf(
    user: CurrentUser,
    Now(now): Now,
    Path(InterviewPath { interview_id }): Path<InterviewPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let page = interview_page(ctx, (&user, now), &mut tx, interview_id).await?;
    drop(tx);
    let back = page.ctx.href(&format!("/interviews/{interview_id}"));
    let title = page.ctx.t("interviews.document_title");
    let name = format!("{title}-{}", page.v.unit_name);
    crate::documents::handlers::pdf_response(
        &state.documents,
        &request_tx,
        page.ctx.clone(),
        &page.document(),
        &name,
        back,
    )
    .await
}

/// The interview's page, with the interview locked until the request ends (for a change to it).
async fn locked_page(
    tx: &mut Tx,
    acting: &Acting,
    ctx: PageCtx,
    interview_id: Uuid,
) -> AppResult<InterviewPage> {
    db::lock_interview(tx, interview_id).await?;
    interview_page(ctx, (&acting.user, acting.now), tx, interview_id).await
}

/// Records the office's change on the interview's timeline, says it is done, and goes back to
/// the interview.
async fn interview_recorded(
    acting: &Acting,
    tx: &mut Tx,
    (interview_id, step): (Uuid, Transition<Status>),
    detail: serde_json::Value,
    flash_key: &str,
) -> AppResult<Response> {
    let event = LogEvent::new(step.action, ("interview", interview_id), detail);
    let next = format!("/interviews/{interview_id}");
    acting
        .recorded(tx, event, Flash::success(flash_key), &next)
        .await
}

/// The interview's page again with the errors of a refused form (422; nothing is written).
fn refused(mut page: InterviewPage, tx: Tx, errors: Vec<&'static str>) -> AppResult<Response> {
    drop(tx);
    page.errors = errors.iter().map(|k| page.ctx.t(k).to_string()).collect();
    render_invalid(&page)
}

/// INS-13: the interview took place: its minutes are recorded, with the follow-up actions it set.
pub async fn record_minutes(
    acting: Acting,
    Path(InterviewPath { interview_id }): Path<InterviewPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(sent): Form<MinutesSent>,
) -> AppResult<Response> {
    let form = MinutesForm::from(sent);
    let mut tx = request_tx.acquire().await?;
    let mut page = locked_page(&mut tx, &acting, ctx, interview_id).await?;
    let result = page
        .v
        .status
        .apply(Event::Hold, acting.now)
        .map_err(|refusal| vec![refusal.key])
        .and_then(|step| Ok((step, form.validate()?)));
    let (step, (minutes, actions)) = match result {
        Ok(valid) => valid,
        Err(errors) => {
            page.minutes_form = MinutesForm {
                actions: model::with_blank_actions(form.actions),
                minutes: form.minutes,
            };
            return refused(page, tx, errors);
        }
    };
    db::hold(&mut tx, interview_id, &minutes, step.at).await?;
    let user = &acting.user;
    db::insert_actions(&mut tx, user.tenant_id, interview_id, &actions, user.id).await?;
    let detail = json!({ "actions": actions.len() });
    interview_recorded(
        &acting,
        &mut tx,
        (interview_id, step),
        detail,
        "interviews.held",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    pub reason: String,
}

/// INS-13: a scheduled interview is called off, with its reason.
pub async fn cancel_interview(
    acting: Acting,
    Path(InterviewPath { interview_id }): Path<InterviewPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<CancelForm>,
) -> AppResult<Response> {
    let reason = form.reason.trim();
    let mut tx = request_tx.acquire().await?;
    let mut page = locked_page(&mut tx, &acting, ctx, interview_id).await?;
    let step = match page.v.status.apply(Event::Cancel, acting.now) {
        Ok(_) if reason.is_empty() || reason.chars().count() > CANCEL_REASON_MAX => {
            Err(RuleError::new("INS-13", "interviews.error_cancel_reason"))
        }
        result => result,
    };
    let step = match step {
        Ok(step) => step,
        Err(refusal) => {
            page.cancel_reason = reason.to_string();
            return refused(page, tx, vec![refusal.key]);
        }
    };
    db::cancel(&mut tx, interview_id, reason, step.at).await?;
    let detail = json!({ "reason": reason });
    interview_recorded(
        &acting,
        &mut tx,
        (interview_id, step),
        detail,
        "interviews.cancelled",
    )
    .await
}

/// INS-13: more follow-up actions for a held interview.
pub async fn add_actions(
    acting: Acting,
    Path(InterviewPath { interview_id }): Path<InterviewPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(sent): Form<ActionsSent>,
) -> AppResult<Response> {
    let lines = sent.lines();
    let mut tx = request_tx.acquire().await?;
    let mut page = locked_page(&mut tx, &acting, ctx, interview_id).await?;
    let result = page
        .v
        .status
        .apply(Event::FollowUp, acting.now)
        .map_err(|refusal| refusal.key)
        .and_then(|step| Ok((step, model::added_actions(&lines)?)));
    let (step, actions) = match result {
        Ok(valid) => valid,
        Err(key) => {
            page.new_actions = model::with_blank_actions(lines);
            return refused(page, tx, vec![key]);
        }
    };
    let user = &acting.user;
    db::insert_actions(&mut tx, user.tenant_id, interview_id, &actions, user.id).await?;
    let listed: Vec<&str> = actions.iter().map(|a| a.content.as_str()).collect();
    let detail = json!({ "actions": listed.join("；") });
    let flash_key = "interviews.actions_added";
    interview_recorded(&acting, &mut tx, (interview_id, step), detail, flash_key).await
}

/// INS-13: a follow-up action is done; once.
pub async fn complete_action(
    acting: Acting,
    Path(ActionPath {
        interview_id,
        action_id,
    }): Path<ActionPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let page = locked_page(&mut tx, &acting, ctx, interview_id).await?;
    let step = match page.v.status.apply(Event::FollowUp, acting.now) {
        Ok(step) => step,
        Err(refusal) => return refused(page, tx, vec![refusal.key]),
    };
    if page
        .actions
        .iter()
        .any(|a| a.id == action_id && a.done.is_some())
    {
        return refused(page, tx, vec!["interviews.error_action_done"]);
    }
    let ids = (interview_id, action_id);
    let content = db::mark_action_done(&mut tx, ids, acting.user.id, step.at)
        .await?
        .ok_or_else(not_found)?;
    let step = Transition {
        action: "interview.action_done",
        ..step
    };
    let detail = json!({ "action": content });
    let flash_key = "interviews.action_marked_done";
    interview_recorded(&acting, &mut tx, (interview_id, step), detail, flash_key).await
}

/// INS-13: the interviews part of the leaders' overview: the numbers, the upcoming interviews
/// (soonest first) and the overdue follow-up actions.
pub async fn overview(
    ctx: &PageCtx,
    tx: &mut Tx,
    now: DateTime<Utc>,
) -> AppResult<InterviewOverview> {
    let today = ctx.local_date(now);
    let mut upcoming: Vec<InterviewItem> = db::interviews(tx, None, None, today)
        .await?
        .iter()
        .filter(|v| v.status == Status::Scheduled && v.scheduled_at >= now)
        .map(|v| InterviewItem::new(ctx, v))
        .collect();
    upcoming.reverse();
    let overdue = db::overdue_actions(tx, today)
        .await?
        .into_iter()
        .map(|a| OverdueItem {
            href: ctx.href(&format!("/interviews/{}", a.interview_id)),
            unit: a.unit_name,
            content: a.content,
            responsible: a.responsible,
            due: a.due_on.to_string(),
        })
        .collect();
    Ok(InterviewOverview { upcoming, overdue })
}
