//! Interview pages: the list, scheduling and correcting, the record itself (a printable
//! document), minutes, cancellation and follow-up actions.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db::{self, InterviewRow};
use super::model::{
    self, ActionLine, Attendee, Event, InterviewFields, InterviewForm, MinutesForm, Status,
};
use crate::auth::{CurrentUser, Role};
use crate::db::{RequestTx, Tx};
use crate::error::{AppResult, not_found};
use crate::registry::db::UnitRow;
use crate::registry::views::local_time;
use crate::web::{ClientAddr, PageCtx, render, render_invalid};

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

/// Whether the user is of the office (the only ones who change interviews).
fn of_office(user: &CurrentUser) -> bool {
    matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff)
}

/// Today in the office's time zone.
fn today(ctx: &PageCtx) -> NaiveDate {
    Utc::now().with_timezone(&ctx.time_zone()).date_naive()
}

fn status_of(v: &InterviewRow) -> Status {
    Status::parse(&v.status).unwrap_or(Status::Cancelled)
}

/// An interview as the lists show it.
pub struct InterviewItem {
    pub href: String,
    pub unit: String,
    pub when: String,
    pub place: String,
    pub state_key: &'static str,
    pub actions_open: i64,
    pub actions_overdue: i64,
}

impl InterviewItem {
    pub fn new(ctx: &PageCtx, v: &InterviewRow) -> Self {
        Self {
            href: ctx.href(&format!("/interviews/{}", v.id)),
            unit: v.unit_name.clone(),
            when: local_time(ctx, &v.scheduled_at),
            place: v.place.clone(),
            state_key: status_of(v).label_key(),
            actions_open: v.actions_open,
            actions_overdue: v.actions_overdue,
        }
    }
}

#[derive(Template)]
#[template(path = "interviews/list.html")]
pub struct InterviewsPage {
    pub ctx: PageCtx,
    pub interviews: Vec<InterviewItem>,
    pub can_schedule: bool,
}

/// The office's interviews (leaders read them too), or a liaison's unit's.
pub async fn list_interviews(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let unit = match user.role {
        Role::Liaison => Some(user.unit_id.ok_or_else(not_found)?),
        _ => None,
    };
    let rows = db::interviews(&mut tx, unit, None, today(&ctx)).await?;
    drop(tx);
    let interviews = rows.iter().map(|v| InterviewItem::new(&ctx, v)).collect();
    render(&InterviewsPage {
        ctx,
        interviews,
        can_schedule: of_office(&user),
    })
}

#[derive(Template)]
#[template(path = "interviews/form.html")]
pub struct InterviewFormPage {
    pub ctx: PageCtx,
    /// where the form posts
    pub action: String,
    /// the interview being corrected (its unit stays), or none for a new one
    pub editing: Option<(Uuid, String)>,
    pub units: Vec<UnitRow>,
    pub form: InterviewForm,
    pub errors: Vec<&'static str>,
}

impl InterviewFormPage {
    pub fn chosen(&self, unit: &Uuid) -> bool {
        self.form.unit_id == unit.to_string()
    }
}

/// INS-13: the form to schedule an interview; choosing a unit first prefills the problems with its
/// confirmed findings of the open year.
pub async fn new_interview_form(
    _user: CurrentUser,
    Query(prefill): Query<InterviewPrefill>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let units = crate::registry::db::list_units(&mut tx).await?;
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
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let form = InterviewForm::from_body(&body);
    let mut tx = request_tx.acquire().await?;
    let units = crate::registry::db::list_units(&mut tx).await?;
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
    let id = db::insert_interview(&mut tx, user.tenant_id, &fields, user.id).await?;
    let change = ("interview.schedule", details(&ctx, &fields));
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        id,
        change,
        "interviews.scheduled",
    )
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
        "scheduled_at": local_time(ctx, &fields.scheduled_at),
        "place": fields.place,
        "office_side": people(&fields.office_side),
        "unit_side": people(&fields.unit_side),
    })
}

/// One interview, or 404 when it is not there or (for a liaison) not its unit's.
async fn interview_of(
    tx: &mut Tx,
    user: &CurrentUser,
    ctx: &PageCtx,
    interview_id: Uuid,
) -> AppResult<InterviewRow> {
    let v = db::interviews(tx, None, Some(interview_id), today(ctx))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    if user.role == Role::Liaison && user.unit_id != Some(v.unit_id) {
        return Err(not_found());
    }
    Ok(v)
}

/// INS-13: the form to correct a scheduled interview (a held or cancelled one goes to its page).
pub async fn edit_interview_form(
    user: CurrentUser,
    path: Result<Path<InterviewPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(InterviewPath { interview_id }) = path.map_err(|_| not_found())?;
    let v = interview_of(&mut tx, &user, &ctx, interview_id).await?;
    if status_of(&v).apply(Event::Edit).is_err() {
        return Ok(
            Redirect::to(&user.path(&format!("/interviews/{interview_id}"))).into_response(),
        );
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
    user: CurrentUser,
    path: Result<Path<InterviewPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(InterviewPath { interview_id }) = path.map_err(|_| not_found())?;
    let mut form = InterviewForm::from_body(&body);
    let mut tx = request_tx.acquire().await?;
    db::lock_interview(&mut tx, interview_id).await?;
    let v = interview_of(&mut tx, &user, &ctx, interview_id).await?;
    // the unit of an interview stays what it was scheduled with
    form.unit_id = v.unit_id.to_string();
    let result = status_of(&v)
        .apply(Event::Edit)
        .map_err(|key| vec![key])
        .and_then(|_| form.validate(&[v.unit_id], ctx.time_zone()));
    let fields = match result {
        Ok(fields) => fields,
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
    db::update_interview(&mut tx, user.tenant_id, interview_id, &fields).await?;
    let change = ("interview.update", details(&ctx, &fields));
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        interview_id,
        change,
        "interviews.updated",
    )
    .await
}

/// A follow-up action as the record shows it.
pub struct ActionView {
    pub id: Uuid,
    pub content: String,
    pub responsible: String,
    pub due: String,
    /// who marked it done, and when
    pub done: Option<String>,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "interviews/interview.html")]
pub struct InterviewPage {
    pub ctx: PageCtx,
    pub v: InterviewRow,
    pub office_name: String,
    pub state_key: &'static str,
    pub when: String,
    pub office_side: Vec<Attendee>,
    pub unit_side: Vec<Attendee>,
    pub actions: Vec<ActionView>,
    pub scheduled: bool,
    pub held: bool,
    /// the office may change it (leaders and liaisons read only)
    pub can_change: bool,
    pub minutes_form: MinutesForm,
    pub new_actions: Vec<ActionLine>,
    pub cancel_reason: String,
    pub errors: Vec<String>,
    pub history: Vec<crate::audit::views::TimelineEntry>,
}

async fn interview_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    interview_id: Uuid,
) -> AppResult<InterviewPage> {
    let v = interview_of(tx, user, &ctx, interview_id).await?;
    let (office_side, unit_side) = db::attendees(tx, interview_id).await?;
    let today = today(&ctx);
    let actions = db::actions(tx, interview_id)
        .await?
        .into_iter()
        .map(|a| ActionView {
            id: a.id,
            overdue: model::overdue(a.due_on, a.done_at.is_some(), today),
            done: a.done_at.map(|t| {
                format!(
                    "{} · {}",
                    a.done_by.unwrap_or_default(),
                    local_time(&ctx, &t)
                )
            }),
            content: a.content,
            responsible: a.responsible,
            due: a.due_on.to_string(),
        })
        .collect();
    let settings = crate::registry::db::get_settings(tx).await?;
    let history = crate::audit::db::events_for_subject(tx, "interview", interview_id)
        .await?
        .into_iter()
        .map(|e| crate::audit::views::TimelineEntry::new(&ctx, e))
        .collect();
    let status = status_of(&v);
    Ok(InterviewPage {
        office_name: settings.name,
        state_key: status.label_key(),
        when: local_time(&ctx, &v.scheduled_at),
        scheduled: status == Status::Scheduled,
        held: status == Status::Held,
        can_change: of_office(user),
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

impl InterviewPage {
    /// INS-13: the interview record as an official document, for the PDF.
    pub fn document(&self) -> crate::documents::Document {
        use crate::documents::{Block, Document};
        let ctx = &self.ctx;
        let people = |side: &[Attendee]| {
            side.iter()
                .map(|a| match a.post.as_str() {
                    "" => a.name.clone(),
                    post => format!("{}（{post}）", a.name),
                })
                .collect::<Vec<_>>()
                .join("、")
        };
        let mut blocks = vec![
            Block::Facts {
                rows: vec![
                    (ctx.t("interviews.unit").into(), self.v.unit_name.clone()),
                    (ctx.t("interviews.scheduled_at").into(), self.when.clone()),
                    (ctx.t("interviews.place").into(), self.v.place.clone()),
                    (
                        ctx.t("interviews.office_side").into(),
                        people(&self.office_side),
                    ),
                    (
                        ctx.t("interviews.unit_side").into(),
                        people(&self.unit_side),
                    ),
                ],
            },
            Block::Heading {
                text: ctx.t("interviews.problems").into(),
            },
            Block::Paragraph {
                text: self.v.problems.clone(),
            },
        ];
        if self.held {
            blocks.push(Block::Heading {
                text: ctx.t("interviews.minutes").into(),
            });
            blocks.push(Block::Paragraph {
                text: self.v.minutes.clone(),
            });
        }
        if !self.actions.is_empty() {
            blocks.push(Block::Heading {
                text: ctx.t("interviews.actions").into(),
            });
            blocks.push(Block::Table {
                columns: [
                    "interviews.action_content",
                    "interviews.action_responsible",
                    "interviews.action_due",
                    "interviews.action_state",
                ]
                .iter()
                .map(|k| ctx.t(k).to_string())
                .collect(),
                rows: self
                    .actions
                    .iter()
                    .map(|a| {
                        let state = match (&a.done, a.overdue) {
                            (Some(_), _) => ctx.t("interviews.action_done"),
                            (None, true) => ctx.t("interviews.action_overdue"),
                            (None, false) => ctx.t("interviews.action_open"),
                        };
                        vec![
                            a.content.clone(),
                            a.responsible.clone(),
                            a.due.clone(),
                            state.to_string(),
                        ]
                    })
                    .collect(),
            });
        }
        if self.v.cancelled_at.is_some() {
            blocks.push(Block::Heading {
                text: ctx.t("interviews.cancel_reason").into(),
            });
            blocks.push(Block::Paragraph {
                text: self.v.cancel_reason.clone(),
            });
        }
        let tz = ctx.time_zone();
        Document {
            office: self.office_name.clone(),
            title: ctx.t("interviews.document_title").into(),
            number: String::new(),
            addressee: String::new(),
            blocks,
            date: self
                .v
                .held_at
                .unwrap_or(self.v.scheduled_at)
                .with_timezone(&tz)
                .format("%Y年%m月%d日")
                .to_string(),
            note: match self.state_key {
                "interviews.state_held" => String::new(),
                key => ctx.t(key).to_string(),
            },
        }
    }
}

/// INS-13: the interview record in PDF, typeset on the server; whoever may read it may have it.
pub async fn interview_pdf(
    user: CurrentUser,
    path: Result<Path<InterviewPath>, PathRejection>,
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(InterviewPath { interview_id }) = path.map_err(|_| not_found())?;
    let mut tx = request_tx.acquire().await?;
    let page = interview_page(ctx, &user, &mut tx, interview_id).await?;
    drop(tx);
    let back = page.ctx.href(&format!("/interviews/{interview_id}"));
    let name = format!(
        "{}-{}",
        page.ctx.t("interviews.document_title"),
        page.v.unit_name
    );
    crate::documents::pdf_response(
        &state.documents,
        &request_tx,
        page.ctx.clone(),
        &page.document(),
        &name,
        back,
    )
    .await
}

pub async fn show_interview(
    user: CurrentUser,
    path: Result<Path<InterviewPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(InterviewPath { interview_id }) = path.map_err(|_| not_found())?;
    let page = interview_page(ctx, &user, &mut tx, interview_id).await?;
    drop(tx);
    render(&page)
}

/// The interview's page, with the interview locked until the request ends (for a change to it).
async fn locked_page(
    request_tx: &RequestTx,
    ctx: PageCtx,
    user: &CurrentUser,
    interview_id: Uuid,
) -> AppResult<InterviewPage> {
    let mut tx = request_tx.acquire().await?;
    db::lock_interview(&mut tx, interview_id).await?;
    interview_page(ctx, user, &mut tx, interview_id).await
}

/// Records the office's change on the interview's timeline, says it is done, and goes back to
/// the interview.
async fn recorded(
    tx: &mut Tx,
    user: &CurrentUser,
    (addr, session): (&str, &Session),
    interview_id: Uuid,
    change: (&'static str, serde_json::Value),
    flash_key: &str,
) -> AppResult<Response> {
    let next = format!("/interviews/{interview_id}");
    let subject = ("interview", interview_id);
    super::super::recorded(tx, user, addr, session, subject, change, flash_key, &next).await
}

/// The interview's page again with the errors of a refused form (422; nothing is written).
fn refused(mut page: InterviewPage, errors: Vec<&'static str>) -> AppResult<Response> {
    page.errors = errors.iter().map(|k| page.ctx.t(k).to_string()).collect();
    render_invalid(&page)
}

/// INS-13: the interview took place: its minutes are recorded, with the follow-up actions it set.
pub async fn record_minutes(
    user: CurrentUser,
    path: Result<Path<InterviewPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(InterviewPath { interview_id }) = path.map_err(|_| not_found())?;
    let form = MinutesForm::from_body(&body);
    let mut page = locked_page(&request_tx, ctx, &user, interview_id).await?;
    let result = status_of(&page.v)
        .apply(Event::Hold)
        .map_err(|key| vec![key])
        .and_then(|_| form.validate());
    let (minutes, actions) = match result {
        Ok(valid) => valid,
        Err(errors) => {
            page.minutes_form = MinutesForm {
                actions: model::with_blank_actions(form.actions),
                minutes: form.minutes,
            };
            return refused(page, errors);
        }
    };
    let mut tx = request_tx.acquire().await?;
    db::hold(&mut tx, interview_id, &minutes).await?;
    db::insert_actions(&mut tx, user.tenant_id, interview_id, &actions, user.id).await?;
    let change = ("interview.hold", json!({ "actions": actions.len() }));
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        interview_id,
        change,
        "interviews.held",
    )
    .await
}

/// INS-13: a scheduled interview is called off, with its reason.
pub async fn cancel_interview(
    user: CurrentUser,
    path: Result<Path<InterviewPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(InterviewPath { interview_id }) = path.map_err(|_| not_found())?;
    let reason = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let mut page = locked_page(&request_tx, ctx, &user, interview_id).await?;
    let error = match status_of(&page.v).apply(Event::Cancel) {
        Err(key) => Some(key),
        Ok(_) if reason.is_empty() || reason.chars().count() > 2000 => {
            Some("interviews.error_cancel_reason")
        }
        Ok(_) => None,
    };
    if let Some(key) = error {
        page.cancel_reason = reason;
        return refused(page, vec![key]);
    }
    let mut tx = request_tx.acquire().await?;
    db::cancel(&mut tx, interview_id, &reason).await?;
    let change = ("interview.cancel", json!({ "reason": reason }));
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        interview_id,
        change,
        "interviews.cancelled",
    )
    .await
}

/// INS-13: more follow-up actions for a held interview.
pub async fn add_actions(
    user: CurrentUser,
    path: Result<Path<InterviewPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(InterviewPath { interview_id }) = path.map_err(|_| not_found())?;
    let (lines, actions) = model::actions_from_body(&body);
    let mut page = locked_page(&request_tx, ctx, &user, interview_id).await?;
    let result = status_of(&page.v).apply(Event::FollowUp).and(actions);
    let actions = match result {
        Ok(actions) => actions,
        Err(key) => {
            page.new_actions = model::with_blank_actions(lines);
            return refused(page, vec![key]);
        }
    };
    let mut tx = request_tx.acquire().await?;
    db::insert_actions(&mut tx, user.tenant_id, interview_id, &actions, user.id).await?;
    let listed: Vec<&str> = actions.iter().map(|a| a.content.as_str()).collect();
    let change = (
        "interview.actions_add",
        json!({ "actions": listed.join("；") }),
    );
    let flash_key = "interviews.actions_added";
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        interview_id,
        change,
        flash_key,
    )
    .await
}

/// INS-13: a follow-up action is done; once.
pub async fn complete_action(
    user: CurrentUser,
    path: Result<Path<ActionPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(ActionPath {
        interview_id,
        action_id,
    }) = path.map_err(|_| not_found())?;
    let page = locked_page(&request_tx, ctx, &user, interview_id).await?;
    if let Err(key) = status_of(&page.v).apply(Event::FollowUp) {
        return refused(page, vec![key]);
    }
    if page
        .actions
        .iter()
        .any(|a| a.id == action_id && a.done.is_some())
    {
        return refused(page, vec!["interviews.error_action_done"]);
    }
    let mut tx = request_tx.acquire().await?;
    let content = db::mark_action_done(&mut tx, interview_id, action_id, user.id)
        .await?
        .ok_or_else(not_found)?;
    let change = ("interview.action_done", json!({ "action": content }));
    let flash_key = "interviews.action_marked_done";
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        interview_id,
        change,
        flash_key,
    )
    .await
}

/// An overdue follow-up action as the leaders' overview lists it.
pub struct OverdueItem {
    pub href: String,
    pub unit: String,
    pub content: String,
    pub responsible: String,
    pub due: String,
}

/// INS-13: the interviews part of the leaders' overview: the numbers, the upcoming interviews
/// and the overdue follow-up actions.
pub struct InterviewOverview {
    pub glance: db::Glance,
    pub upcoming: Vec<InterviewItem>,
    pub overdue: Vec<OverdueItem>,
}

pub async fn overview(ctx: &PageCtx, tx: &mut Tx) -> AppResult<InterviewOverview> {
    let today = today(ctx);
    let glance = db::glance(tx, today).await?;
    let now = Utc::now();
    let mut upcoming: Vec<InterviewItem> = db::interviews(tx, None, None, today)
        .await?
        .iter()
        .filter(|v| status_of(v) == Status::Scheduled && v.scheduled_at >= now)
        .map(|v| InterviewItem::new(ctx, v))
        .collect();
    // soonest first
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
    Ok(InterviewOverview {
        glance,
        upcoming,
        overdue,
    })
}
