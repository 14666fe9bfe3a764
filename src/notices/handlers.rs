//! Notice pages: issuing from a task's confirmed findings, the notice itself (a printable
//! document), the unit's appeal and the office's decision.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db::{self, AppealRow, NewNotice, NoticeFinding, NoticeRow};
use crate::audit::{self, Event};
use crate::auth::{CurrentUser, Role};
use crate::clock::Now;
use crate::db::{RequestTx, Tx};
use crate::error::{AppError, AppResult, not_found};
use crate::inspections::findings::TaskPath;
use crate::registry::views::local_time;
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

#[derive(Debug, Deserialize)]
pub struct NoticePath {
    pub notice_id: Uuid,
}

/// The typed fields of a new notice.
#[derive(Debug, Default, Clone)]
pub struct NoticeForm {
    pub findings: Vec<String>,
    pub basis: String,
    pub requirements: String,
    pub working_days: String,
}

#[derive(Template)]
#[template(path = "notices/new.html")]
pub struct NewNoticePage {
    pub ctx: PageCtx,
    pub task: crate::inspections::db::TaskDetail,
    pub candidates: Vec<NoticeFinding>,
    pub form: NoticeForm,
    pub errors: Vec<String>,
}

impl NewNoticePage {
    pub fn chosen(&self, id: &Uuid) -> bool {
        self.form.findings.iter().any(|f| *f == id.to_string())
    }
}

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
        None => {
            let settings = crate::registry::db::get_settings(tx).await?;
            NoticeForm {
                findings: candidates
                    .iter()
                    .map(|c| c.finding_id.to_string())
                    .collect(),
                basis: super::DEFAULT_BASIS.into(),
                requirements: super::DEFAULT_REQUIREMENTS.into(),
                working_days: settings.rectification_working_days,
            }
        }
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
    path: Result<Path<TaskPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(TaskPath { task_id }) = path.map_err(|_| not_found())?;
    let page = new_notice_page(ctx, &mut tx, task_id, None, Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// INS-11: issues the notice: the next number of the office's format for the year (a row-locked
/// counter), the findings it states, and both deadlines computed once on the calendar.
#[allow(clippy::too_many_arguments)]
pub async fn issue_notice(
    user: CurrentUser,
    Now(now): Now,
    path: Result<Path<TaskPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(TaskPath { task_id }) = path.map_err(|_| not_found())?;
    let mut form = NoticeForm::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        let value = value.into_owned();
        match key.as_ref() {
            "finding" => form.findings.push(value),
            "basis" => form.basis = value,
            "requirements" => form.requirements = value,
            "working_days" => form.working_days = value,
            _ => {}
        }
    }
    let mut tx = request_tx.acquire().await?;
    crate::inspections::db::lock_task(&mut tx, task_id).await?;
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
    if form.basis.trim().is_empty() || form.basis.chars().count() > 2000 {
        errors.push(ctx.t("notices.error_basis").into());
    }
    if form.requirements.trim().is_empty() || form.requirements.chars().count() > 5000 {
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
    let issued_at = now;
    let tz = ctx.time_zone();
    let calendar = crate::calendar::load(&mut tx).await?;
    let deadlines = days.map(|d| super::deadlines(&calendar, issued_at, d, tz));
    if let Some(Err(error)) = &deadlines {
        errors.push(ctx.tf("notices.error_calendar", &error.to_string()));
    }
    let (Some(days), Some(Ok((due_at, appeal_until))), true) = (days, deadlines, errors.is_empty())
    else {
        let page = new_notice_page(ctx, &mut tx, task_id, Some(form), errors).await?;
        drop(tx);
        return render_invalid(&page);
    };
    let (unit_id, _, year_id) =
        crate::inspections::db::task_unit_and_group(&mut tx, task_id).await?;
    let settings = crate::registry::db::get_settings(&mut tx).await?;
    let year = task.year;
    let seq = crate::db::numbers::next_number(&mut tx, user.tenant_id, "notice", year).await?;
    let number =
        crate::registry::settings::render_number(&settings.notice_number_format, year, seq);
    let id = db::insert_notice(
        &mut tx,
        user.tenant_id,
        &NewNotice {
            year_id,
            unit_id,
            task_id,
            number: &number,
            basis: form.basis.trim(),
            requirements: form.requirements.trim(),
            working_days: i32::try_from(days).unwrap_or(10),
            due_at,
            appeal_until,
            issued_at,
            issued_by: user.id,
        },
        &chosen,
    )
    .await?;
    let event = Event {
        action: "notice.issue",
        subject_type: "rectification_notice",
        subject_id: Some(id),
        detail: json!({
            "number": number,
            "findings": chosen.len(),
            "due_at": local_time(&ctx, &due_at),
            "appeal_until": local_time(&ctx, &appeal_until),
        }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    let today = issued_at.with_timezone(&tz).date_naive();
    crate::inbox::notice_issued(&mut tx, user.tenant_id, unit_id, id, &number, today).await?;
    flash::push(&session, FlashKind::Success, "notices.issued", Some(number)).await;
    Ok(Redirect::to(&user.path(&format!("/notices/{id}"))).into_response())
}

/// A notice as the list shows it, with where it stands.
pub struct NoticeItem {
    pub href: String,
    pub number: String,
    pub unit: String,
    pub issued: String,
    pub due: String,
    pub state_key: &'static str,
    pub overdue: bool,
}

fn state_key(n: &NoticeRow) -> &'static str {
    match (n.status.as_str(), n.appealed, n.appeal_decision.as_deref()) {
        ("withdrawn", _, _) => "notices.state_withdrawn",
        ("closed", _, _) => "notices.state_closed",
        (_, true, None) => "notices.state_appealed",
        (_, true, Some("rejected")) => "notices.state_appeal_rejected",
        _ => "notices.state_issued",
    }
}

#[derive(Template)]
#[template(path = "notices/list.html")]
pub struct NoticesPage {
    pub ctx: PageCtx,
    pub notices: Vec<NoticeItem>,
}

/// The office's notices, or a liaison's unit's.
pub async fn list_notices(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let unit = match user.role {
        Role::Liaison => Some(user.unit_id.ok_or_else(not_found)?),
        _ => None,
    };
    let rows = db::notices(&mut tx, unit, None).await?;
    drop(tx);
    let notices = rows
        .iter()
        .map(|n| NoticeItem {
            href: ctx.href(&format!("/notices/{}", n.id)),
            number: n.number.clone(),
            unit: n.unit_name.clone(),
            issued: local_time(&ctx, &n.issued_at),
            due: local_time(&ctx, &n.due_at),
            state_key: state_key(n),
            overdue: n.status == "issued" && now > n.due_at,
        })
        .collect();
    render(&NoticesPage { ctx, notices })
}

#[derive(Template)]
#[template(path = "notices/notice.html")]
pub struct NoticePage {
    pub ctx: PageCtx,
    pub n: NoticeRow,
    pub findings: Vec<NoticeFinding>,
    pub appeal: Option<AppealRow>,
    /// INS-12: the appeal's evidence (page, name)
    pub appeal_files: Vec<(String, String)>,
    pub office_name: String,
    pub issued_on: String,
    pub due: String,
    pub appeal_until: String,
    /// working days left to rectify (none once past)
    pub days_left: Option<u32>,
    pub overdue: bool,
    pub can_appeal: bool,
    /// why the appeal form is closed, when it is, for the unit
    pub appeal_closed_key: Option<&'static str>,
    pub can_decide: bool,
    pub errors: Vec<String>,
    pub appeal_text: String,
    pub history: Vec<crate::audit::views::TimelineEntry>,
    /// INS-11: the unit's rectification reports, each with its attachments (page, name)
    pub reports: Vec<(db::ReportRow, Vec<(String, String)>)>,
    /// the liaison may report (the notice stands and no report awaits the office)
    pub can_report: bool,
    /// the office may decide the report awaiting it
    pub pending_report: Option<Uuid>,
    pub report_text: String,
    pub max_upload: String,
}

impl NoticePage {
    pub fn state_key(&self) -> &'static str {
        state_key(&self.n)
    }

    pub fn finding_href(&self, f: &NoticeFinding) -> String {
        self.ctx.href(&format!("/findings/{}", f.finding_id))
    }

    /// The notice as the official document the print page shows, for the PDF.
    pub fn document(&self) -> crate::documents::Document {
        use crate::documents::{Block, Document};
        let ctx = &self.ctx;
        let facts = self
            .findings
            .iter()
            .map(|f| match f.points {
                Some(p) => format!(
                    "{}（{} {}，{}，{} {} {}）",
                    f.description,
                    f.code,
                    f.title,
                    f.rule_id,
                    ctx.t("notices.deducted"),
                    p.normalize(),
                    ctx.t("notices.points_unit")
                ),
                None => format!("{}（{} {}，{}）", f.description, f.code, f.title, f.rule_id),
            })
            .collect();
        let note = match self.n.status.as_str() {
            "withdrawn" | "closed" => ctx.t(self.state_key()).to_string(),
            _ => String::new(),
        };
        Document {
            office: self.office_name.clone(),
            title: ctx.t("notices.document_title").into(),
            number: self.n.number.clone(),
            addressee: self.n.unit_name.clone(),
            blocks: vec![
                Block::Paragraph {
                    text: ctx.t("notices.opening").into(),
                },
                Block::List { items: facts },
                Block::Heading {
                    text: ctx.t("notices.basis").into(),
                },
                Block::Paragraph {
                    text: self.n.basis.clone(),
                },
                Block::Heading {
                    text: ctx.t("notices.requirements").into(),
                },
                Block::Paragraph {
                    text: self.n.requirements.clone(),
                },
                Block::Paragraph {
                    text: ctx.tf("notices.deadline_text", &self.due),
                },
                Block::Paragraph {
                    text: ctx.tf("notices.appeal_text", &self.appeal_until),
                },
            ],
            date: self.issued_on.clone(),
            note,
        }
    }
}

async fn notice_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    notice_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<NoticePage> {
    let n = db::notices(tx, None, Some(notice_id))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    // a liaison reads its own unit's notices only
    if user.role == Role::Liaison && user.unit_id != Some(n.unit_id) {
        return Err(not_found());
    }
    let findings = db::notice_findings(tx, notice_id).await?;
    let appeal = db::appeal(tx, notice_id).await?;
    let appeal_files = crate::evidence::db::of_appeal(tx, notice_id)
        .await?
        .into_iter()
        .map(|(id, name)| (ctx.href(&format!("/evidence/{id}")), name))
        .collect();
    let attachments = crate::evidence::db::of_notice_reports(tx, notice_id).await?;
    let reports: Vec<(db::ReportRow, Vec<(String, String)>)> = db::reports(tx, notice_id)
        .await?
        .into_iter()
        .map(|r| {
            let files = attachments
                .iter()
                .filter(|a| a.0 == r.id)
                .map(|a| (ctx.href(&format!("/evidence/{}", a.1)), a.2.clone()))
                .collect();
            (r, files)
        })
        .collect();
    let pending_report = reports
        .iter()
        .find(|(r, _)| r.decision.is_none())
        .map(|(r, _)| r.id);
    let settings = crate::registry::db::get_settings(tx).await?;
    let calendar = crate::calendar::load(tx).await?;
    let history = crate::audit::db::events_for_subject(tx, "rectification_notice", notice_id)
        .await?
        .into_iter()
        .map(|e| crate::audit::views::TimelineEntry::new(&ctx, e))
        .collect();
    let tz = ctx.time_zone();
    let today = now.with_timezone(&tz).date_naive();
    let due_day = n.due_at.with_timezone(&tz).date_naive();
    let days_left = (n.status == "issued" && now <= n.due_at)
        .then(|| calendar.working_days_between(today, due_day).ok())
        .flatten();
    let appeal_closed_key = match (&appeal, n.status.as_str()) {
        (Some(_), _) => Some("notices.appeal_already"),
        (None, "issued") if !super::appeal_open(n.appeal_until, now) => {
            Some("notices.appeal_window_closed")
        }
        (None, "issued") => None,
        _ => Some("notices.appeal_not_open"),
    };
    Ok(NoticePage {
        can_report: user.role == Role::Liaison && n.status == "issued" && pending_report.is_none(),
        pending_report: pending_report
            .filter(|_| matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff)),
        reports,
        report_text: String::new(),
        max_upload: String::new(),
        can_appeal: user.role == Role::Liaison && appeal_closed_key.is_none(),
        can_decide: matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff)
            && appeal.as_ref().is_some_and(|a| a.decision.is_none()),
        office_name: settings.name,
        issued_on: n
            .issued_at
            .with_timezone(&tz)
            .format("%Y年%m月%d日")
            .to_string(),
        due: local_time(&ctx, &n.due_at),
        appeal_until: local_time(&ctx, &n.appeal_until),
        overdue: n.status == "issued" && now > n.due_at,
        days_left,
        appeal_closed_key,
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
    path: Result<Path<NoticePath>, PathRejection>,
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(NoticePath { notice_id }) = path.map_err(|_| not_found())?;
    let mut page = notice_page(ctx, &user, &mut tx, notice_id, now).await?;
    page.max_upload = state.evidence.max_upload_text();
    drop(tx);
    render(&page)
}

/// INS-11: the notice as an official document in PDF, typeset on the server; whoever may read the
/// notice may have it.
pub async fn notice_pdf(
    user: CurrentUser,
    Now(now): Now,
    path: Result<Path<NoticePath>, PathRejection>,
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(NoticePath { notice_id }) = path.map_err(|_| not_found())?;
    let mut tx = request_tx.acquire().await?;
    let page = notice_page(ctx, &user, &mut tx, notice_id, now).await?;
    drop(tx);
    let back = page.ctx.href(&format!("/notices/{notice_id}"));
    crate::documents::pdf_response(
        &state.documents,
        &request_tx,
        page.ctx.clone(),
        &page.document(),
        &page.n.number,
        back,
    )
    .await
}

/// The notice's page, with the notice locked until the request ends (for a change to it).
async fn locked_page(
    tx: &mut Tx,
    user: &CurrentUser,
    ctx: &PageCtx,
    notice_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<NoticePage> {
    db::lock_notice(tx, notice_id).await?;
    notice_page(ctx.clone(), user, tx, notice_id, now).await
}

/// Records the change on the notice's timeline, says it is done, and goes back to the notice.
async fn recorded(
    tx: &mut Tx,
    user: &CurrentUser,
    (addr, session): (&str, &Session),
    notice_id: Uuid,
    change: (&'static str, serde_json::Value),
    flash_key: &str,
) -> AppResult<Response> {
    let next = format!("/notices/{notice_id}");
    let subject = ("rectification_notice", notice_id);
    super::recorded(tx, user, addr, session, subject, change, flash_key, &next).await
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
        state: &crate::AppState,
        user: &CurrentUser,
        ctx: &PageCtx,
        request_tx: &RequestTx,
        notice_id: Uuid,
        multipart: axum::extract::Multipart,
    ) -> AppResult<Self> {
        // nothing is stored for a notice that is not the user's unit's (a short look of its own:
        // no connection waits on the upload)
        let mut look = crate::db::begin_tenant(&state.db, user.tenant_id).await?;
        let unit = db::notices(&mut look, None, Some(notice_id))
            .await?
            .pop()
            .map(|n| n.unit_id);
        look.rollback().await?;
        if unit.is_none() || unit != user.unit_id {
            return Err(not_found());
        }
        let tz = ctx.time_zone();
        let (intake, broken) =
            crate::evidence::intake(&state.evidence, user.tenant_id, tz, multipart).await;
        let mut errors: Vec<String> = intake.refusal_messages(ctx);
        if broken.is_some() {
            errors.push(ctx.t("evidence.upload_failed").into());
        }
        let mut tx = request_tx.acquire().await?;
        let now = state.clock.now();
        let page = match locked_page(&mut tx, user, ctx, notice_id, now).await {
            Ok(page) => page,
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
    async fn refuse(self, state: &crate::AppState, user: &CurrentUser) -> AppResult<Response> {
        let Self {
            intake,
            errors,
            tx,
            mut page,
        } = self;
        page.errors = errors;
        page.max_upload = state.evidence.max_upload_text();
        drop(tx);
        crate::evidence::forget(&state.db, &state.evidence, user.tenant_id, &intake.received).await;
        render_invalid(&page)
    }
}

/// INS-12: the unit appeals the facts of a notice, with its reasons and evidence (streamed into
/// the evidence store), until the end of the 2nd working day after issue; once. A refused file
/// files nothing and keeps the typed reasons.
#[allow(clippy::too_many_arguments)]
pub async fn submit_appeal(
    user: CurrentUser,
    path: Result<Path<NoticePath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let Path(NoticePath { notice_id }) = path.map_err(|_| not_found())?;
    let mut form =
        UnitForm::receive(&state, &user, &ctx, &request_tx, notice_id, multipart).await?;
    let reasons = form.intake.field("reasons").trim().to_string();
    let page = &form.page;
    if let Some(key) = page.appeal_closed_key {
        form.errors.insert(0, ctx.tf(key, &page.appeal_until));
    } else if reasons.is_empty() || reasons.chars().count() > 5000 {
        form.errors.push(ctx.t("notices.error_reasons").to_string());
    }
    if !form.errors.is_empty() {
        form.page.appeal_text = reasons;
        return form.refuse(&state, &user).await;
    }
    let UnitForm { intake, mut tx, .. } = form;
    let tz = ctx.time_zone();
    if !db::insert_appeal(&mut tx, user.tenant_id, notice_id, &reasons, user.id).await? {
        return Err(AppError::Internal(anyhow::anyhow!(
            "an appeal raced the lock"
        )));
    }
    let files = crate::evidence::record(
        &mut tx,
        &state.evidence,
        user.tenant_id,
        crate::evidence::db::Owner::Appeal(notice_id),
        &intake.received,
        user.id,
        &addr,
        tz,
    )
    .await?;
    let change = (
        "notice.appeal",
        json!({ "reasons": reasons, "evidence": files.len() }),
    );
    let done = (&addr[..], &session);
    recorded(&mut tx, &user, done, notice_id, change, "notices.appealed").await
}

/// INS-12: the office upholds the appeal (the notice is withdrawn and each deduction it carried
/// is reversed with the reason) or rejects it (the notice stands; the unit must comply).
#[allow(clippy::too_many_arguments)]
pub async fn decide_appeal(
    user: CurrentUser,
    Now(now): Now,
    path: Result<Path<NoticePath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(NoticePath { notice_id }) = path.map_err(|_| not_found())?;
    let (decision, reason) = decision_form(&body);
    let mut tx = request_tx.acquire().await?;
    let page = locked_page(&mut tx, &user, &ctx, notice_id, now).await?;
    let error = if !page.can_decide {
        Some("notices.error_no_appeal")
    } else if !matches!(decision.as_str(), "upheld" | "rejected") {
        Some("notices.error_decision")
    } else if reason.is_empty() || reason.chars().count() > 5000 {
        Some("notices.error_decision_reason")
    } else {
        None
    };
    if let Some(key) = error {
        let mut page = page;
        page.errors = vec![ctx.t(key).to_string()];
        drop(tx);
        return render_invalid(&page);
    }
    db::decide_appeal(&mut tx, notice_id, &decision, &reason, user.id).await?;
    let mut reversed = 0;
    if decision == "upheld" {
        db::withdraw_notice(&mut tx, notice_id).await?;
        let why = format!(
            "{}{}：{}",
            ctx.t("notices.reversal_reason"),
            page.n.number,
            reason
        );
        for (deduction, _) in db::notice_deductions(&mut tx, notice_id).await? {
            crate::scoring::db::reverse(&mut tx, user.tenant_id, deduction, &why).await?;
            reversed += 1;
        }
    }
    let action = if decision == "upheld" {
        "notice.appeal_upheld"
    } else {
        "notice.appeal_rejected"
    };
    let change = (action, json!({ "reason": reason, "reversed": reversed }));
    crate::inbox::notice_decided(
        &mut tx,
        user.tenant_id,
        page.n.unit_id,
        crate::inbox::Subject::Notice(notice_id),
        "appeal_decided",
        json!({ "number": page.n.number, "decision": decision }),
        now.with_timezone(&ctx.time_zone()).date_naive(),
    )
    .await?;
    let flash_key = if decision == "upheld" {
        "notices.upheld"
    } else {
        "notices.rejected"
    };
    let done = (&addr[..], &session);
    recorded(&mut tx, &user, done, notice_id, change, flash_key).await
}

/// The office's decision form: the choice and its reason (trimmed).
fn decision_form(body: &[u8]) -> (String, String) {
    let mut decision = String::new();
    let mut reason = String::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        match key.as_ref() {
            "decision" => decision = value.into_owned(),
            "reason" => reason = value.trim().to_string(),
            _ => {}
        }
    }
    (decision, reason)
}

/// INS-11: the unit reports what it did, with attachments (streamed into the evidence store);
/// one report awaits the office at a time. A refused attachment files nothing and keeps the text.
#[allow(clippy::too_many_arguments)]
pub async fn submit_report(
    user: CurrentUser,
    path: Result<Path<NoticePath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let Path(NoticePath { notice_id }) = path.map_err(|_| not_found())?;
    let mut form =
        UnitForm::receive(&state, &user, &ctx, &request_tx, notice_id, multipart).await?;
    let content = form.intake.field("content").trim().to_string();
    if !form.page.can_report {
        form.errors.push(ctx.t("notices.report_not_open").into());
    }
    if content.is_empty() || content.chars().count() > 10_000 {
        form.errors.push(ctx.t("notices.error_report").into());
    }
    if !form.errors.is_empty() {
        form.page.report_text = content;
        return form.refuse(&state, &user).await;
    }
    let UnitForm { intake, mut tx, .. } = form;
    let tz = ctx.time_zone();
    let id = db::insert_report(&mut tx, user.tenant_id, notice_id, &content, user.id).await?;
    let files = crate::evidence::record(
        &mut tx,
        &state.evidence,
        user.tenant_id,
        crate::evidence::db::Owner::Report(id),
        &intake.received,
        user.id,
        &addr,
        tz,
    )
    .await?;
    let change = ("notice.report", json!({ "attachments": files.len() }));
    let done = (&addr[..], &session);
    recorded(&mut tx, &user, done, notice_id, change, "notices.reported").await
}

/// INS-11: the office accepts the report (the notice closes) or returns it with reasons.
#[allow(clippy::too_many_arguments)]
pub async fn decide_report(
    user: CurrentUser,
    Now(now): Now,
    path: Result<Path<NoticePath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(NoticePath { notice_id }) = path.map_err(|_| not_found())?;
    let (decision, reason) = decision_form(&body);
    let mut tx = request_tx.acquire().await?;
    let page = locked_page(&mut tx, &user, &ctx, notice_id, now).await?;
    let error = match (page.pending_report, decision.as_str()) {
        (None, _) => Some("notices.error_no_report"),
        (_, "accepted") => None,
        (_, "returned") if reason.is_empty() || reason.chars().count() > 5000 => {
            Some("notices.error_return_reason")
        }
        (_, "returned") => None,
        _ => Some("notices.error_decision"),
    };
    let (Some(report), None) = (page.pending_report, error) else {
        let mut page = page;
        page.errors = vec![
            ctx.t(error.unwrap_or("notices.error_no_report"))
                .to_string(),
        ];
        drop(tx);
        return render_invalid(&page);
    };
    db::decide_report(&mut tx, report, &decision, &reason, user.id).await?;
    if decision == "accepted" {
        db::close_notice(&mut tx, notice_id).await?;
    }
    let action = if decision == "accepted" {
        "notice.report_accepted"
    } else {
        "notice.report_returned"
    };
    let change = (
        action,
        json!({ "reason": (!reason.is_empty()).then_some(&reason) }),
    );
    crate::inbox::notice_decided(
        &mut tx,
        user.tenant_id,
        page.n.unit_id,
        crate::inbox::Subject::Report {
            notice_id,
            report_id: report,
        },
        if decision == "accepted" {
            "report_accepted"
        } else {
            "report_returned"
        },
        json!({ "number": page.n.number }),
        now.with_timezone(&ctx.time_zone()).date_naive(),
    )
    .await?;
    let flash_key = if decision == "accepted" {
        "notices.report_accepted"
    } else {
        "notices.report_returned"
    };
    let done = (&addr[..], &session);
    recorded(&mut tx, &user, done, notice_id, change, flash_key).await
}

#[derive(Template)]
#[template(path = "notices/overview.html")]
pub struct OverviewPage {
    pub ctx: PageCtx,
    pub glance: db::Glance,
    /// the notices past their deadline without an accepted report, and those whose appeal
    /// awaits the office: (title key, notices)
    pub sections: Vec<(&'static str, Vec<NoticeItem>)>,
    pub interviews: super::interviews::handlers::InterviewOverview,
    pub bulletins: super::bulletins::handlers::BulletinOverview,
}

/// INS-13: the leaders' read-only view: the numbers at a glance, what is overdue and what awaits
/// a decision, the interviews and their follow-up actions, and the bulletins with their readers.
pub async fn overview(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let glance = db::glance(&mut tx).await?;
    let rows = db::notices(&mut tx, None, None).await?;
    let interviews = super::interviews::handlers::overview(&ctx, &mut tx).await?;
    let bulletins = super::bulletins::handlers::overview(&ctx, &user, &mut tx).await?;
    drop(tx);
    let item = |n: &NoticeRow| NoticeItem {
        href: ctx.href(&format!("/notices/{}", n.id)),
        number: n.number.clone(),
        unit: n.unit_name.clone(),
        issued: local_time(&ctx, &n.issued_at),
        due: local_time(&ctx, &n.due_at),
        state_key: state_key(n),
        overdue: n.status == "issued" && now > n.due_at,
    };
    let overdue: Vec<NoticeItem> = rows
        .iter()
        .filter(|n| n.status == "issued" && now > n.due_at)
        .map(item)
        .collect();
    let appealed: Vec<NoticeItem> = rows
        .iter()
        .filter(|n| n.appealed && n.appeal_decision.is_none())
        .map(item)
        .collect();
    render(&OverviewPage {
        ctx,
        glance,
        sections: vec![
            ("overview.overdue_list", overdue),
            ("overview.appealed_list", appealed),
        ],
        interviews,
        bulletins,
    })
}
