//! Notice pages: issuing from a task's confirmed findings, the notice itself (a printable
//! document, and its PDF), the unit's appeal and rectification reports, the office's decisions,
//! and the leaders' overview. Each change asks the workflow (`model`) whether it may happen.

use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, NewNotice, NoticeRow};
use super::model::{
    AppealDecision, NoticeEvent, NoticeFilter, NoticeStatus, ReportDecision, Who, deadlines,
};
use super::views::{
    NewNoticePage, NoticeForm, NoticeItem, NoticePage, NoticesPage, Overview, OverviewPage,
};
use super::{may_read, party};
use crate::AppState;
use crate::audit::{Acting, Event, views::TimelineEntry};
use crate::core::time::document_date;
use crate::core::{AppError, AppResult, CurrentUser, Now, RuleError, Transition, not_found};
use crate::db::{RequestTx, Tx};
use crate::evidence::db::Owner;
use crate::inspections::findings::handlers::TaskPath;
use crate::registry::settings::db::get_settings;
use crate::registry::settings::model::render_number;
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

#[derive(Debug, Deserialize)]
pub struct NoticePath {
    pub notice_id: Uuid,
}

/// The longest basis and requirements a notice states.
const BASIS_MAX: usize = 2000;
const REQUIREMENTS_MAX: usize = 5000;

async fn new_notice_page(
    ctx: PageCtx,
    tx: &mut Tx,
    task_id: Uuid,
    form: Option<NoticeForm>,
    errors: Vec<String>,
) -> AppResult<NewNoticePage> {
    let task = crate::inspections::db::get_task(tx, task_id).await?;
    let candidates = db::candidates(tx, task_id).await?;
    let form = match form {
        Some(form) => form,
        None => NoticeForm {
            findings: candidates
                .iter()
                .map(|c| c.finding_id.to_string())
                .collect(),
            basis: super::default_basis(&ctx),
            requirements: super::DEFAULT_REQUIREMENTS.into(),
            working_days: get_settings(tx).await?.rectification_working_days,
        },
    };
    Ok(NewNoticePage {
        ctx,
        task,
        candidates,
        form,
        errors,
    })
}

/// The form for a notice from the task's confirmed findings not in a notice yet (INS-11).
pub async fn new_notice_form(
    _user: CurrentUser,
    Path(TaskPath { task_id }): Path<TaskPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = new_notice_page(ctx, &mut tx, task_id, None, Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// INS-11: issues the notice: the next number of the office's format for the year (a row-locked
/// counter), the findings it states, and both deadlines computed once on the calendar.
pub async fn issue_notice(
    acting: Acting,
    Path(TaskPath { task_id }): Path<TaskPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<NoticeForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    crate::inspections::db::lock_task(&mut tx, task_id).await?;
    let facts = crate::inspections::db::task_facts(&mut tx, task_id, user.id).await?;
    let task = crate::inspections::db::get_task(&mut tx, task_id).await?;
    let candidates = db::candidates(&mut tx, task_id).await?;
    let chosen: Vec<Uuid> = candidates
        .iter()
        .filter(|c| form.findings.iter().any(|f| *f == c.finding_id.to_string()))
        .map(|c| c.finding_id)
        .collect();
    let mut errors: Vec<String> = Vec::new();
    if chosen.is_empty() || chosen.len() != form.findings.len() {
        errors.push(ctx.t("notices.error_findings").into());
    }
    let (basis, requirements) = (form.basis.trim(), form.requirements.trim());
    if basis.is_empty() || basis.chars().count() > BASIS_MAX {
        errors.push(ctx.t("notices.error_basis").into());
    }
    if requirements.is_empty() || requirements.chars().count() > REQUIREMENTS_MAX {
        errors.push(ctx.t("notices.error_requirements").into());
    }
    let days = form
        .working_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=90).contains(d));
    if days.is_none() {
        errors.push(ctx.t("notices.error_days").into());
    }
    let issued_at = acting.now;
    let calendar = crate::calendar::load(&mut tx).await?;
    let due = days.map(|d| deadlines(&calendar, issued_at, d, ctx.time_zone()));
    if let Some(Err(error)) = &due {
        errors.push(ctx.tf("notices.error_calendar", &error.to_string()));
    }
    let (Some(days), Some(Ok((due_at, appeal_until))), true) = (days, due, errors.is_empty())
    else {
        let page = new_notice_page(ctx, &mut tx, task_id, Some(form), errors).await?;
        drop(tx);
        return render_invalid(&page);
    };
    let settings = get_settings(&mut tx).await?;
    let seq = crate::db::numbers::next_number(&mut tx, user.tenant_id, "notice", task.year).await?;
    let number = render_number(&settings.notice_number_format, task.year, seq);
    let new = NewNotice {
        year_id: facts.year_id,
        unit_id: facts.unit_id,
        task_id,
        number: &number,
        basis,
        requirements,
        working_days: i32::try_from(days).unwrap_or(10),
        due_at,
        appeal_until,
        issued_at,
        issued_by: user.id,
    };
    let id = db::insert_notice(&mut tx, user.tenant_id, &new, &chosen).await?;
    let today = ctx.local_date(issued_at);
    crate::inbox::notice_issued(&mut tx, user.tenant_id, facts.unit_id, id, &number, today).await?;
    let detail = json!({
        "number": number,
        "findings": chosen.len(),
        "due_at": ctx.local_time(&due_at),
        "appeal_until": ctx.local_time(&appeal_until),
    });
    let event = Event::new("notice.issue", ("rectification_notice", id), detail);
    let done = Flash::success("notices.issued").with(number);
    acting
        .recorded(&mut tx, event, done, &format!("/notices/{id}"))
        .await
}

/// Which notices the list shows (`?show=overdue`…; see [`NoticeFilter`]).
#[derive(Debug, Default, Deserialize)]
pub struct NoticesQuery {
    #[serde(default)]
    pub show: String,
}

/// The notices the list shows `user` under `filter` at `now`: the office's, or a liaison's unit's.
async fn shown_notices(
    tx: &mut Tx,
    user: &CurrentUser,
    filter: NoticeFilter,
    now: DateTime<Utc>,
) -> AppResult<Vec<NoticeRow>> {
    let rows = db::notices(tx, user.liaison_unit(), None).await?;
    Ok(rows
        .into_iter()
        .filter(|n| may_read(user, n) && filter.admits(&n.notice(), n.overdue(now)))
        .collect())
}

/// The office's notices, or a liaison's unit's, all or those a filter admits.
pub async fn list_notices(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    Query(query): Query<NoticesQuery>,
    mut tx: Tx,
) -> AppResult<Response> {
    let filter = NoticeFilter::parse(&query.show);
    let rows = shown_notices(&mut tx, &user, filter, now).await?;
    drop(tx);
    let notices = rows.iter().map(|n| NoticeItem::new(&ctx, n, now)).collect();
    render(&NoticesPage {
        ctx,
        notices,
        filter,
    })
}

/// The notices the list shows for the same filter, as CSV or XLSX.
pub async fn export_notices(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    Query(query): Query<NoticesQuery>,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let filter = NoticeFilter::parse(&query.show);
    let rows = shown_notices(&mut tx, &user, filter, now).await?;
    drop(tx);
    let rows = rows
        .iter()
        .map(|n| NoticeItem::new(&ctx, n, now).cells(&ctx))
        .collect();
    Export::translated(&ctx, "notices", &NoticeItem::COLUMNS, rows).respond(format)
}

/// The notice the user may read (else 404).
async fn readable_notice(tx: &mut Tx, user: &CurrentUser, notice_id: Uuid) -> AppResult<NoticeRow> {
    let n = db::notices(tx, None, Some(notice_id))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    if !may_read(user, &n) {
        return Err(not_found());
    }
    Ok(n)
}

/// Files as a notice page links them: (evidence page, name).
fn file_links(ctx: &PageCtx, files: Vec<(Uuid, String)>) -> Vec<(String, String)> {
    files
        .into_iter()
        .map(|(id, name)| (ctx.href(&format!("/evidence/{id}")), name))
        .collect()
}

/// The notice's page, as `user` may read it and act on it at `now`. Its length is the page's
/// many parts (findings, appeal, reports, deadlines, history), each read once.
async fn notice_page(
    ctx: PageCtx,
    (user, now): (&CurrentUser, DateTime<Utc>),
    tx: &mut Tx,
    n: NoticeRow,
) -> AppResult<NoticePage> {
    let notice_id = n.id;
    let findings = db::notice_findings(tx, notice_id).await?;
    let appeal = db::appeal(tx, notice_id).await?;
    let appeal_files = file_links(&ctx, crate::evidence::db::of_appeal(tx, notice_id).await?);
    let attachments = crate::evidence::db::of_notice_reports(tx, notice_id).await?;
    let reports: Vec<_> = db::reports(tx, notice_id)
        .await?
        .into_iter()
        .map(|r| {
            let files = attachments
                .iter()
                .filter(|a| a.0 == r.id)
                .map(|a| (a.1, a.2.clone()))
                .collect();
            let links = file_links(&ctx, files);
            (r, links)
        })
        .collect();
    let pending_report = reports
        .iter()
        .find(|(r, _)| r.decision.is_none())
        .map(|(r, _)| r.id);
    let settings = get_settings(tx).await?;
    let calendar = crate::calendar::load(tx).await?;
    let history = crate::audit::db::events_for_subject(tx, "rectification_notice", notice_id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    let (today, due_day) = (ctx.local_date(now), ctx.local_date(n.due_at));
    let days_left = (n.status == NoticeStatus::Issued && now <= n.due_at)
        .then(|| calendar.working_days_between(today, due_day).ok())
        .flatten();
    let notice = n.notice();
    let who = party(user, &n);
    let appeal_refusal = notice.appeal_refusal(now);
    Ok(NoticePage {
        can_report: who == Some(Who::Unit) && notice.may_report(),
        pending_report: pending_report.filter(|_| user.of_office()),
        reports,
        report_text: String::new(),
        max_upload: String::new(),
        can_appeal: who == Some(Who::Unit) && appeal_refusal.is_none(),
        can_decide: user.of_office() && notice.appeal == super::model::Appeal::Pending,
        office_name: settings.name,
        issued_on: document_date(ctx.local_date(n.issued_at)),
        due: ctx.local_time(&n.due_at),
        appeal_until: ctx.local_time(&n.appeal_until),
        overdue: n.overdue(now),
        days_left,
        appeal_closed_key: appeal_refusal.map(|e| e.key),
        findings,
        appeal,
        appeal_files,
        errors: Vec::new(),
        appeal_text: String::new(),
        history,
        ctx,
        n,
    })
}

pub async fn show_notice(
    user: CurrentUser,
    Now(now): Now,
    Path(NoticePath { notice_id }): Path<NoticePath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let n = readable_notice(&mut tx, &user, notice_id).await?;
    let mut page = notice_page(ctx, (&user, now), &mut tx, n).await?;
    page.max_upload = state.evidence.max_upload_text();
    drop(tx);
    render(&page)
}

/// INS-11: the notice as an official document in PDF, typeset on the server; whoever may read the
/// notice may have it.
pub async fn notice_pdf(
    user: CurrentUser,
    Now(now): Now,
    Path(NoticePath { notice_id }): Path<NoticePath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let n = readable_notice(&mut tx, &user, notice_id).await?;
    let page = notice_page(ctx, (&user, now), &mut tx, n).await?;
    drop(tx);
    let back = page.ctx.href(&format!("/notices/{notice_id}"));
    crate::documents::handlers::pdf_response(
        &state.documents,
        &request_tx,
        page.ctx.clone(),
        &page.document(),
        &page.n.number,
        back,
    )
    .await
}

/// The notice's page for a change to it: the notice locked until the request ends, read, and
/// the part the user plays on it.
async fn locked_page(
    tx: &mut Tx,
    acting: &Acting,
    ctx: &PageCtx,
    notice_id: Uuid,
) -> AppResult<(NoticePage, Who)> {
    db::lock_notice(tx, notice_id).await?;
    let n = readable_notice(tx, &acting.user, notice_id).await?;
    let who = party(&acting.user, &n).ok_or_else(not_found)?;
    let page = notice_page(ctx.clone(), (&acting.user, acting.now), tx, n).await?;
    Ok((page, who))
}

/// The notice's page again with why the change was refused (422); nothing of it is kept.
fn refused(
    ctx: &PageCtx,
    mut page: NoticePage,
    tx: Tx,
    errors: Vec<String>,
) -> AppResult<Response> {
    tracing::info!(?errors, "a change to a notice was refused");
    drop(tx);
    page.errors = errors;
    page.ctx = ctx.clone();
    render_invalid(&page)
}

/// The reason a rule refused, in words; an appeal's window is named by its end.
fn refusal_text(ctx: &PageCtx, page: &NoticePage, error: &RuleError) -> String {
    match error.key {
        "notices.appeal_window_closed" | "notices.appeal_already" | "notices.appeal_not_open" => {
            ctx.tf(error.key, &page.appeal_until)
        }
        _ => ctx.refusal(error),
    }
}

/// A unit's form with files on a notice (an appeal, a report): the files streamed into the evidence
/// store first, then the notice locked and read for the checks; what was refused so far.
struct UnitForm {
    intake: crate::evidence::Intake,
    errors: Vec<String>,
    tx: Tx,
    page: NoticePage,
}

impl UnitForm {
    async fn receive(
        (state, acting, ctx): (&AppState, &mut Acting, &PageCtx),
        request_tx: &RequestTx,
        notice_id: Uuid,
        multipart: Multipart,
    ) -> AppResult<Self> {
        let user = &acting.user;
        // nothing is stored for a notice that is not the user's unit's (a short look of its own:
        // no connection waits on the upload)
        let mut look = crate::db::begin_tenant(&state.db, user.tenant_id).await?;
        let unit = db::notices(&mut look, None, Some(notice_id))
            .await?
            .pop()
            .map(|n| n.unit_id);
        look.rollback().await?;
        if unit.is_none() || unit != user.liaison_unit() {
            return Err(not_found());
        }
        let tz = ctx.time_zone();
        let (intake, broken) =
            crate::evidence::intake(&state.evidence, user.tenant_id, tz, multipart).await;
        acting.upload_received();
        let user = &acting.user;
        let mut errors: Vec<String> = intake.refusal_messages(ctx);
        if broken.is_some() {
            errors.push(ctx.t("evidence.upload_failed").into());
        }
        let mut tx = request_tx.acquire().await?;
        let page = match locked_page(&mut tx, acting, ctx, notice_id).await {
            Ok((page, _)) => page,
            Err(error) => {
                drop(tx);
                let received = &intake.received;
                crate::evidence::forget(&state.db, &state.evidence, user.tenant_id, received).await;
                return Err(error);
            }
        };
        Ok(Self {
            intake,
            errors,
            tx,
            page,
        })
    }

    /// The notice's page again with the errors and what was typed (422); the files are forgotten.
    async fn refuse(self, state: &AppState, acting: &Acting) -> AppResult<Response> {
        let Self {
            intake,
            errors,
            tx,
            mut page,
        } = self;
        page.errors = errors;
        page.max_upload = state.evidence.max_upload_text();
        drop(tx);
        let tenant = acting.user.tenant_id;
        crate::evidence::forget(&state.db, &state.evidence, tenant, &intake.received).await;
        render_invalid(&page)
    }

    /// The unit's step with the text it typed: on to [`UnitDone`], or the notice's page again
    /// with the reasons and the text kept (the rule's refusal first, then the files').
    async fn step(
        mut self,
        act: UnitAct,
        state: &AppState,
        acting: &Acting,
        ctx: &PageCtx,
    ) -> AppResult<Result<UnitDone, Response>> {
        let text = self.intake.field(act.field()).trim().to_string();
        let event = match act {
            UnitAct::Appeal => NoticeEvent::Appeal { reasons: &text },
            UnitAct::Report => NoticeEvent::Report { content: &text },
        };
        let step = self.page.n.notice().apply(event, Who::Unit, acting.now);
        if let Err(error) = &step {
            let refusal = refusal_text(ctx, &self.page, error);
            self.errors.insert(0, refusal);
        }
        let (Ok(step), true) = (step, self.errors.is_empty()) else {
            match act {
                UnitAct::Appeal => self.page.appeal_text = text,
                UnitAct::Report => self.page.report_text = text,
            }
            return Ok(Err(self.refuse(state, acting).await?));
        };
        let notice_id = self.page.n.id;
        Ok(Ok(UnitDone {
            intake: self.intake,
            tx: self.tx,
            text,
            step,
            notice_id,
        }))
    }
}

/// What the unit does on its notice with a form of files.
#[derive(Debug, Clone, Copy)]
enum UnitAct {
    Appeal,
    Report,
}

impl UnitAct {
    fn field(self) -> &'static str {
        match self {
            Self::Appeal => "reasons",
            Self::Report => "content",
        }
    }
}

/// A unit's appeal or report the rules allow, with its files, ready to be stored.
struct UnitDone {
    intake: crate::evidence::Intake,
    tx: Tx,
    text: String,
    step: Transition<NoticeStatus>,
    notice_id: Uuid,
}

impl UnitDone {
    /// Records the received files as the evidence of `owner`; how many there were.
    async fn record(
        &mut self,
        owner: Owner,
        state: &AppState,
        acting: &Acting,
        ctx: &PageCtx,
    ) -> AppResult<usize> {
        let tz = ctx.time_zone();
        let received = &self.intake.received;
        let files =
            crate::evidence::record(&mut self.tx, &state.evidence, owner, received, acting, tz)
                .await?;
        Ok(files.len())
    }

    async fn finish(
        mut self,
        acting: &Acting,
        detail: serde_json::Value,
        flash_key: &str,
    ) -> AppResult<Response> {
        let change = (self.notice_id, self.step);
        notice_recorded(acting, &mut self.tx, change, detail, flash_key).await
    }
}

/// INS-12: the unit appeals the facts of a notice, with its reasons and evidence (streamed into
/// the evidence store), until the end of the 2nd working day after issue; once. A refused file
/// files nothing and keeps the typed reasons.
pub async fn submit_appeal(
    mut acting: Acting,
    Path(NoticePath { notice_id }): Path<NoticePath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = UnitForm::receive(
        (&state, &mut acting, &ctx),
        &request_tx,
        notice_id,
        multipart,
    )
    .await?;
    let mut done = match form.step(UnitAct::Appeal, &state, &acting, &ctx).await? {
        Ok(done) => done,
        Err(refused) => return Ok(refused),
    };
    let by = (acting.user.id, done.step.at);
    let tenant = acting.user.tenant_id;
    if !db::insert_appeal(&mut done.tx, tenant, notice_id, &done.text, by).await? {
        return Err(AppError::Internal(anyhow::anyhow!(
            "an appeal raced the lock"
        )));
    }
    let files = done
        .record(Owner::Appeal(notice_id), &state, &acting, &ctx)
        .await?;
    let detail = json!({ "reasons": done.text, "evidence": files });
    done.finish(&acting, detail, "notices.appealed").await
}

/// Records the change on the notice's timeline, says it is done, and goes back to the notice.
async fn notice_recorded(
    acting: &Acting,
    tx: &mut Tx,
    (notice_id, step): (Uuid, Transition<NoticeStatus>),
    detail: serde_json::Value,
    flash_key: &str,
) -> AppResult<Response> {
    let event = Event::new(step.action, ("rectification_notice", notice_id), detail);
    let next = format!("/notices/{notice_id}");
    acting
        .recorded(tx, event, Flash::success(flash_key), &next)
        .await
}

/// The office's decision form: the choice and its reason.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub reason: String,
}

/// INS-12: the office upholds the appeal (the notice is withdrawn and each deduction it carried
/// is reversed with the reason) or rejects it (the notice stands; the unit must comply).
pub async fn decide_appeal(
    acting: Acting,
    Path(NoticePath { notice_id }): Path<NoticePath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let reason = form.reason.trim();
    let mut tx = request_tx.acquire().await?;
    let (page, who) = locked_page(&mut tx, &acting, &ctx, notice_id).await?;
    let Some(decision) = AppealDecision::parse(&form.decision) else {
        return refused(&ctx, page, tx, vec![ctx.t("notices.error_decision").into()]);
    };
    let event = NoticeEvent::DecideAppeal { decision, reason };
    let step = match page.n.notice().apply(event, who, acting.now) {
        Ok(step) => step,
        Err(error) => {
            let text = refusal_text(&ctx, &page, &error);
            return refused(&ctx, page, tx, vec![text]);
        }
    };
    let carried = db::notice_deductions(&mut tx, notice_id).await?;
    if decision == AppealDecision::Upheld {
        // a closed year's scores are frozen: its deductions are not reversed any more
        let ids: Vec<Uuid> = carried.iter().map(|d| d.0).collect();
        if let Some(year) = crate::scoring::db::closed_year_of(&mut tx, &ids).await? {
            let text = ctx.tf("error.deduction_year_closed", &year.to_string());
            return refused(&ctx, page, tx, vec![text]);
        }
    }
    let by = (acting.user.id, step.at);
    db::decide_appeal(&mut tx, notice_id, (decision, reason), by).await?;
    let mut reversed = 0;
    if step.to != step.from {
        db::move_notice(&mut tx, notice_id, (step.from, step.to, step.at)).await?;
    }
    if decision == AppealDecision::Upheld {
        // INS-12: an upheld appeal reverses exactly the deductions the notice carried, even when
        // an accepted report closed it while the appeal waited
        let why = format!(
            "{}{}：{}",
            ctx.t("notices.reversal_reason"),
            page.n.number,
            reason
        );
        for (deduction, _) in carried {
            let tenant = acting.user.tenant_id;
            crate::scoring::db::reverse(&mut tx, tenant, deduction, (&why, acting.now)).await?;
            reversed += 1;
        }
    }
    crate::inbox::notice_decided(
        &mut tx,
        acting.user.tenant_id,
        page.n.unit_id,
        crate::inbox::Subject::Notice(notice_id),
        "appeal_decided",
        json!({ "number": page.n.number, "decision": decision }),
        ctx.local_date(step.at),
    )
    .await?;
    let flash_key = match decision {
        AppealDecision::Upheld => "notices.upheld",
        AppealDecision::Rejected => "notices.rejected",
    };
    let detail = json!({ "reason": reason, "reversed": reversed });
    notice_recorded(&acting, &mut tx, (notice_id, step), detail, flash_key).await
}

/// INS-11: the unit reports what it did, with attachments (streamed into the evidence store);
/// one report awaits the office at a time. A refused attachment files nothing and keeps the text.
pub async fn submit_report(
    mut acting: Acting,
    Path(NoticePath { notice_id }): Path<NoticePath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = UnitForm::receive(
        (&state, &mut acting, &ctx),
        &request_tx,
        notice_id,
        multipart,
    )
    .await?;
    let mut done = match form.step(UnitAct::Report, &state, &acting, &ctx).await? {
        Ok(done) => done,
        Err(refused) => return Ok(refused),
    };
    let by = (acting.user.id, done.step.at);
    let tenant = acting.user.tenant_id;
    let id = db::insert_report(&mut done.tx, tenant, notice_id, &done.text, by).await?;
    let files = done
        .record(Owner::Report(id), &state, &acting, &ctx)
        .await?;
    let detail = json!({ "attachments": files });
    done.finish(&acting, detail, "notices.reported").await
}

/// INS-11: the office accepts the report (the notice closes) or returns it with reasons.
pub async fn decide_report(
    acting: Acting,
    Path(NoticePath { notice_id }): Path<NoticePath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let reason = form.reason.trim();
    let mut tx = request_tx.acquire().await?;
    let (page, who) = locked_page(&mut tx, &acting, &ctx, notice_id).await?;
    let Some(decision) = ReportDecision::parse(&form.decision) else {
        return refused(&ctx, page, tx, vec![ctx.t("notices.error_decision").into()]);
    };
    let event = NoticeEvent::DecideReport { decision, reason };
    let (step, Some(report)) = (
        page.n.notice().apply(event, who, acting.now),
        page.pending_report,
    ) else {
        let text = ctx.t("notices.error_no_report").to_string();
        return refused(&ctx, page, tx, vec![text]);
    };
    let step = match step {
        Ok(step) => step,
        Err(error) => {
            let text = refusal_text(&ctx, &page, &error);
            return refused(&ctx, page, tx, vec![text]);
        }
    };
    db::decide_report(
        &mut tx,
        report,
        (decision, reason),
        (acting.user.id, step.at),
    )
    .await?;
    if step.to != step.from {
        db::move_notice(&mut tx, notice_id, (step.from, step.to, step.at)).await?;
    }
    let (kind, flash_key) = match decision {
        ReportDecision::Accepted => ("report_accepted", "notices.report_accepted"),
        ReportDecision::Returned => ("report_returned", "notices.report_returned"),
    };
    crate::inbox::notice_decided(
        &mut tx,
        acting.user.tenant_id,
        page.n.unit_id,
        crate::inbox::Subject::Report {
            notice_id,
            report_id: report,
        },
        kind,
        json!({ "number": page.n.number }),
        ctx.local_date(step.at),
    )
    .await?;
    let detail = json!({ "reason": (!reason.is_empty()).then_some(reason) });
    notice_recorded(&acting, &mut tx, (notice_id, step), detail, flash_key).await
}

/// INS-13: the leaders' read-only view: the numbers at a glance, what is overdue and what awaits
/// a decision, the interviews and their follow-up actions, and the bulletins with their readers.
pub async fn overview(
    user: CurrentUser,
    Now(now): Now,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let key = (user.tenant_id, user.id, ctx.lang);
    let changes = state.changes.of(user.tenant_id);
    let read = read_overview(&user, now, &ctx, &mut tx);
    let overview = state
        .overviews
        .read_through(key, changes, now, read)
        .await?;
    drop(tx);
    render(&OverviewPage::new(ctx, overview))
}

/// INS-13: the overview's numbers and lists, as `user` reads them now.
async fn read_overview(
    user: &CurrentUser,
    now: DateTime<Utc>,
    ctx: &PageCtx,
    tx: &mut Tx,
) -> AppResult<Overview> {
    let glance = db::glance(tx, now, ctx.local_date(now)).await?;
    let rows = db::notices(tx, None, None).await?;
    let interviews = super::interviews::handlers::overview(ctx, tx, now).await?;
    let bulletins = super::bulletins::handlers::overview(ctx, user, tx).await?;
    let overdue: Vec<NoticeItem> = rows
        .iter()
        .filter(|n| n.overdue(now))
        .map(|n| NoticeItem::new(ctx, n, now))
        .collect();
    let appealed: Vec<NoticeItem> = rows
        .iter()
        .filter(|n| n.notice().appeal == super::model::Appeal::Pending)
        .map(|n| NoticeItem::new(ctx, n, now))
        .collect();
    Ok(Overview {
        glance,
        sections: vec![
            // INS-13: an empty section says what would be there, never "no notices" while the
            // office has some
            ("overview.overdue_list", "overview.overdue_none", overdue),
            ("overview.appealed_list", "overview.appealed_none", appealed),
        ],
        interviews,
        bulletins,
    })
}
