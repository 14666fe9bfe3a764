//! The pages of findings: filing a draft on site and saving it as it is typed, its evidence
//! (INS-09), the unit's sign-off (INS-10), the leader's submission (INS-02, INS-11), and the
//! office's review queue and decision (INS-11, INS-08). Each change asks the workflow
//! (`inspections::model`) whether it may happen; a refusal says why in words.

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, DraftFields, FindingRow, NewFinding};
use super::may_read;
use super::model::{DraftForm, Mark, Signoff, SignoffForm};
use super::views::{
    FINDING_COLUMNS, FindingPage, RefusedPage, ReviewPage, evidence_views, finding_cells,
};
use crate::AppState;
use crate::audit::{Acting, Event, views::TimelineEntry};
use crate::core::{AppError, AppResult, CurrentUser, FieldErrors, RuleError, not_found};
use crate::db::{KeepWrites, RequestTx, Tx, begin_tenant};
use crate::evidence::{self, db::Owner};
use crate::inspections::db::{NewSignoff, TaskFacts, lock_task, task_facts};
use crate::inspections::model::{
    FindingEvent, FindingStatus, Origin, SignoffOutcome, TaskEvent, points_to_deduct,
};
use crate::inspections::on_site;
use crate::inspections::views::{SignoffTyped, TaskPage};
use crate::scoring::db::NewDeduction;
use crate::web::export::{Export, ExportFormat};
use crate::web::{
    Flash, Form, PageCtx, Path, ScriptAnswer, render, render_invalid, render_refused,
};

#[derive(Debug, Deserialize)]
pub struct FindingPath {
    pub finding_id: Uuid,
}

#[derive(Debug, Deserialize)]
pub struct TaskPath {
    pub task_id: Uuid,
}

/// Refuses an action with its reasons and the way back (422; nothing of it is kept).
fn refuse(ctx: &PageCtx, messages: Vec<String>, back: &str) -> AppResult<Response> {
    render_invalid(&RefusedPage {
        back_href: ctx.href(back),
        ctx: ctx.clone(),
        messages,
    })
}

/// Refuses an action a rule refused, saying why in words.
fn refused_by(ctx: &PageCtx, error: &RuleError, back: &str) -> AppResult<Response> {
    tracing::info!(rule = error.rule, reason = error.key, "refused by a rule");
    refuse(ctx, vec![ctx.refusal(error)], back)
}

/// The task, locked until the request ends, if the user works on it on site (else 404).
async fn task_on_site(tx: &mut Tx, user: &CurrentUser, task_id: Uuid) -> AppResult<TaskFacts> {
    lock_task(tx, task_id).await?;
    let facts = task_facts(tx, task_id, user.id).await?;
    if !on_site(user, facts.in_group) {
        return Err(not_found());
    }
    Ok(facts)
}

/// The finding, if the user works on its task on site (else 404); with `lock`, its task is
/// locked first, so that the finding read is the one the change applies to.
async fn finding_on_site(
    tx: &mut Tx,
    user: &CurrentUser,
    finding_id: Uuid,
    lock: bool,
) -> AppResult<FindingRow> {
    let f = db::get_finding(tx, finding_id, user.id).await?;
    if !on_site(user, f.viewer_in_group) {
        return Err(not_found());
    }
    if !lock {
        return Ok(f);
    }
    lock_task(tx, f.task_id).await?;
    Ok(db::get_finding(tx, finding_id, user.id).await?)
}

// ---- filing ----

#[derive(Debug, Default, Deserialize)]
pub struct NewFindingForm {
    /// the unit the finding is about, when the form names one: always the task's own
    #[serde(default)]
    pub unit_id: Option<String>,
}

/// Starts a finding of a task as a draft. A finding is always about the task's own unit: a form
/// naming another unit is refused.
pub async fn create_finding(
    acting: Acting,
    Path(TaskPath { task_id }): Path<TaskPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<NewFindingForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let back = format!("/tasks/{task_id}");
    let mut tx = request_tx.acquire().await?;
    let facts = task_on_site(&mut tx, user, task_id).await?;
    let step = match facts.task().apply(TaskEvent::File, facts.who(), acting.now) {
        Ok(step) => step,
        Err(error) => return refused_by(&ctx, &error, &back),
    };
    if let Some(named) = form.unit_id
        && Uuid::parse_str(&named).ok() != Some(facts.unit_id)
    {
        return refuse(
            &ctx,
            vec![ctx.t("findings.unit_outside_task").into()],
            &back,
        );
    }
    let new = NewFinding {
        task_id,
        unit_id: facts.unit_id,
        item_id: None,
        description: "",
        origin: Origin::Supervisor,
        created_by: user.id,
    };
    let id = db::insert_finding(&mut tx, user.tenant_id, &new).await?;
    let event = Event::new(step.action, ("finding", id), json!({ "task_id": task_id }));
    acting.record(&mut tx, event).await?;
    Ok(axum::response::Redirect::to(&user.path(&format!("/findings/{id}"))).into_response())
}

/// What a finding page shows besides the finding: the draft as typed, and what was refused.
#[derive(Debug, Default)]
struct Shown {
    form: Option<DraftForm>,
    errors: Vec<String>,
    /// the draft's fields that were refused, each shown beside its field
    field_errors: FieldErrors,
    upload_errors: Vec<String>,
}

/// A finding's page. The draft is editable by a supervisor of its group while the workflow lets
/// them edit it; the office decides a submitted finding.
async fn finding_page(
    ctx: PageCtx,
    (user, now): (&CurrentUser, DateTime<Utc>),
    (tx, max_upload): (&mut Tx, String),
    f: FindingRow,
    shown: Shown,
) -> AppResult<FindingPage> {
    let finding = f.finding();
    let editable =
        on_site(user, f.viewer_in_group) && finding.apply(FindingEvent::Edit, f.who(), now).is_ok();
    let (items, staff) = if editable {
        (
            db::items_for_kind(tx, f.year_id, f.task_kind).await?,
            db::current_staff(tx, f.unit_id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let evidence = evidence_views(&ctx, evidence::db::of_finding(tx, f.id).await?);
    let history = crate::audit::db::events_for_subject(tx, "finding", f.id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    Ok(FindingPage {
        can_decide: f.status == FindingStatus::Submitted && user.of_office(),
        form: shown
            .form
            .unwrap_or_else(|| DraftForm::from_row(&f, ctx.time_zone())),
        task_href: ctx.href(&format!("/tasks/{}", f.task_id)),
        href: ctx.href(&format!("/findings/{}", f.id)),
        dismiss_reason: String::new(),
        max_upload,
        editable,
        items,
        staff,
        evidence,
        history,
        errors: shown.errors,
        field_errors: shown.field_errors,
        upload_errors: shown.upload_errors,
        ctx,
        f,
    })
}

pub async fn show_finding(
    user: CurrentUser,
    Path(FindingPath { finding_id }): Path<FindingPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let f = db::get_finding(&mut tx, finding_id, user.id).await?;
    if !may_read(&user, &f, f.viewer_in_group) {
        return Err(not_found());
    }
    let now = state.clock.now();
    let max = state.evidence.max_upload_text();
    let page = finding_page(ctx, (&user, now), (&mut tx, max), f, Shown::default()).await?;
    drop(tx);
    render(&page)
}

/// Saves a draft as the supervisor goes (the page's script sends it after each pause in typing,
/// with `x-autosave`; without script, the save button). Every valid field is saved even when
/// another is refused: an autosave is answered 204, or 422 naming each refused field in JSON; the
/// save button's page shows each refusal beside its field, with what was typed.
pub async fn save_finding(
    acting: Acting,
    Path(FindingPath { finding_id }): Path<FindingPath>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DraftForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let autosave = headers.contains_key("x-autosave");
    let back = format!("/findings/{finding_id}");
    let mut tx = request_tx.acquire().await?;
    let f = finding_on_site(&mut tx, user, finding_id, true).await?;
    let step = match f.finding().apply(FindingEvent::Edit, f.who(), acting.now) {
        Ok(step) => step,
        Err(error) => return refused_by(&ctx, &error, &back),
    };
    let items = db::items_for_kind(&mut tx, f.year_id, f.task_kind).await?;
    let staff = db::current_staff(&mut tx, f.unit_id).await?;
    let stored = DraftFields::from(&f);
    let known = (&items[..], &staff[..]);
    let (fields, refused) = form.validate(known, (ctx.time_zone(), acting.now), &stored);
    // the draft's version after this save, for the page's copy of what was typed
    let mut version = f.updated_at;
    if fields != stored {
        db::save_draft(&mut tx, finding_id, &fields, step.at).await?;
        version = step.at;
        let detail = json!({
            "item_id": fields.item_id,
            "points": fields.points.map(|p| p.to_string()),
            "description": fields.description,
        });
        acting
            .record(
                &mut tx,
                Event::new(step.action, ("finding", finding_id), detail),
            )
            .await?;
    }
    match (autosave, refused.is_empty()) {
        (true, true) => {
            drop(tx);
            let mut answer = StatusCode::NO_CONTENT.into_response();
            draft_version(&mut answer, version);
            Ok(answer)
        }
        (false, true) => {
            drop(tx);
            Ok(acting.done(Flash::success("findings.saved"), &back).await)
        }
        // the valid fields are saved (kept, although the answer is 422); each refused one is
        // named for the page's script to show beside its field
        (true, false) => {
            drop(tx);
            let errors: serde_json::Map<String, serde_json::Value> = refused
                .iter()
                .map(|(field, key)| (field.to_string(), ctx.t(key).into()))
                .collect();
            let body = json!({ "errors": errors });
            let mut answer = script_answer(StatusCode::UNPROCESSABLE_ENTITY, body);
            draft_version(&mut answer, version);
            Ok(answer)
        }
        (false, false) => {
            let shown = Shown {
                form: Some(form),
                errors: vec![ctx.t("findings.saved_partly").into()],
                field_errors: refused,
                upload_errors: Vec::new(),
            };
            let max = state.evidence.max_upload_text();
            let page = finding_page(ctx, (user, acting.now), (&mut tx, max), f, shown).await?;
            drop(tx);
            render_refused(&page)
        }
    }
}

/// Tells the page's script which version of the draft the server now holds (its last change,
/// as the page shows it in `data-autosave-version`): a copy kept in the browser is put back
/// by itself only onto the version it was typed over.
fn draft_version(answer: &mut Response, version: DateTime<Utc>) {
    if let Ok(value) = axum::http::HeaderValue::from_str(&version.timestamp_micros().to_string()) {
        answer.headers_mut().insert("x-draft-version", value);
    }
}

/// Withdraws a draft (a mistake on site); it stays on record as withdrawn.
pub async fn withdraw_finding(
    acting: Acting,
    Path(FindingPath { finding_id }): Path<FindingPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let f = finding_on_site(&mut tx, &acting.user, finding_id, true).await?;
    let step = match f
        .finding()
        .apply(FindingEvent::Withdraw, f.who(), acting.now)
    {
        Ok(step) => step,
        Err(error) => return refused_by(&ctx, &error, &format!("/findings/{finding_id}")),
    };
    if !db::move_finding(&mut tx, finding_id, (step.from, step.to, step.at), None).await? {
        return Err(AppError::Internal(anyhow::anyhow!(
            "a withdrawal raced the task lock"
        )));
    }
    let event = Event::new(step.action, ("finding", finding_id), json!({}));
    let back = format!("/tasks/{}", f.task_id);
    acting
        .recorded(&mut tx, event, Flash::info("findings.withdrawn"), &back)
        .await
}

// ---- evidence of a finding (INS-09) ----

/// Receives photos, videos and documents for a draft. The bytes stream to the store while no
/// database connection is held; the finding is checked before (a short transaction of its own)
/// and again when the files are recorded. Refused files are named with the reason; the others
/// are kept. A script sends one file per request and reads the JSON answer (`x-upload`).
pub async fn upload_evidence(
    mut acting: Acting,
    Path(FindingPath { finding_id }): Path<FindingPath>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let scripted = headers.contains_key("x-upload");
    let back = format!("/findings/{finding_id}");
    if let Err(error) = may_take_evidence(&state, &acting, finding_id).await? {
        return refused_by(&ctx, &error, &back);
    }
    let tz = ctx.time_zone();
    let tenant = acting.user.tenant_id;
    let (intake, broken) = evidence::intake(&state.evidence, tenant, tz, multipart).await;
    acting.upload_received();
    let user = &acting.user;
    if let Some(error) = broken {
        // the client went away, or sent a form that cannot be read (a file name with control
        // characters in its header): nothing of it is kept
        tracing::info!(?error, "an evidence upload broke off");
        evidence::forget(&state.db, &state.evidence, user.tenant_id, &intake.received).await;
        // what was refused before the break (a file over the limit) is named too
        let mut messages: Vec<String> = intake.refusal_messages(&ctx);
        messages.push(ctx.t("evidence.upload_failed").into());
        return refuse(&ctx, messages, &back);
    }
    let mut tx = request_tx.acquire().await?;
    let f = finding_on_site(&mut tx, user, finding_id, true).await?;
    let step = match f
        .finding()
        .apply(FindingEvent::AddEvidence, f.who(), acting.now)
    {
        Ok(step) => step,
        Err(error) => {
            drop(tx);
            evidence::forget(&state.db, &state.evidence, user.tenant_id, &intake.received).await;
            return refused_by(&ctx, &error, &back);
        }
    };
    let received = &intake.received;
    let ids = evidence::record(
        &mut tx,
        &state.evidence,
        Owner::Finding(finding_id),
        received,
        &acting,
        tz,
    )
    .await?;
    for (id, r) in ids.iter().zip(received) {
        let detail = json!({
            "evidence_id": id,
            "sha256": r.written.sha256,
            "name": r.written.original_name,
            "size": r.written.size,
            "media_type": r.written.media.as_str(),
        });
        let event = Event::new(step.action, ("finding", finding_id), detail);
        acting.record(&mut tx, event).await?;
    }
    let refused: Vec<String> = intake.refusal_messages(&ctx);
    if scripted {
        drop(tx);
        return Ok(upload_answer(ids.len(), refused));
    }
    if refused.is_empty() {
        drop(tx);
        let done = match ids.len() {
            0 => Flash::info("evidence.none_chosen"),
            n => Flash::success("evidence.saved").with(n.to_string()),
        };
        return Ok(acting.done(done, &back).await);
    }
    let shown = Shown {
        upload_errors: refused,
        ..Shown::default()
    };
    let max = state.evidence.max_upload_text();
    let page = finding_page(ctx, (user, acting.now), (&mut tx, max), f, shown).await?;
    drop(tx);
    // the files that were accepted stay; the page names the ones that were not
    let mut response = render_invalid(&page)?;
    response.extensions_mut().insert(KeepWrites);
    Ok(response)
}

/// Whether the finding may take evidence now, asked before any byte is stored (a short look of
/// its own: no connection waits on the upload); not the user's to see is the not-found page.
async fn may_take_evidence(
    state: &AppState,
    acting: &Acting,
    finding_id: Uuid,
) -> AppResult<Result<(), RuleError>> {
    let user = &acting.user;
    let mut look = begin_tenant(&state.db, user.tenant_id).await?;
    let f = db::get_finding(&mut look, finding_id, user.id).await?;
    look.rollback().await?;
    if !on_site(user, f.viewer_in_group) {
        return Err(not_found());
    }
    let step = f
        .finding()
        .apply(FindingEvent::AddEvidence, f.who(), acting.now);
    Ok(step.map(|_| ()))
}

/// The answer to a script sending one file at a time: how many were saved and why the others
/// were refused (422 when any was); what was saved is kept either way.
fn upload_answer(saved: usize, refused: Vec<String>) -> Response {
    let status = if refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    script_answer(status, json!({ "saved": saved, "refused": refused }))
}

/// A JSON answer to the page's own script; the request's writes are kept whatever the status.
fn script_answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.extensions_mut().insert(KeepWrites);
    response.extensions_mut().insert(ScriptAnswer);
    response
}

// ---- the office's decision (INS-11) ----

/// The office's decision on a finding, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub reason: String,
    pub points: String,
}

/// Confirms a submitted finding (a deduction in the ledger) or dismisses it with a reason.
pub async fn decide_finding(
    acting: Acting,
    Path(FindingPath { finding_id }): Path<FindingPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let back = format!("/findings/{finding_id}");
    let reason = form.reason.trim();
    let mut tx = request_tx.acquire().await?;
    // two decisions on one finding happen one after the other; the second sees the first
    let task_id = db::get_finding(&mut tx, finding_id, user.id).await?.task_id;
    lock_task(&mut tx, task_id).await?;
    let f = db::get_finding(&mut tx, finding_id, user.id).await?;
    if let Err(error) = f.finding().awaits_decision() {
        return refused_by(&ctx, &error, &back);
    }
    let range = f.points_min.zip(f.points_max);
    let event = match (form.decision.as_str(), range) {
        ("dismiss", _) => FindingEvent::Dismiss { reason },
        ("confirm", Some(range)) => match points_to_deduct(range, &form.points, f.points) {
            Ok(points) => FindingEvent::Confirm { points, range },
            Err(error) => return decision_refused(ctx, (&acting, &state), tx, f, error).await,
        },
        ("confirm", None) => {
            return refused_by(
                &ctx,
                &RuleError::new("INS-11", "findings.not_submitted"),
                &back,
            );
        }
        _ => return refuse(&ctx, vec![ctx.t("findings.error_decision").into()], &back),
    };
    let step = match f.finding().apply(event, f.who(), acting.now) {
        Ok(step) => step,
        Err(error) if error.key == "findings.not_submitted" => {
            return refused_by(&ctx, &error, &back);
        }
        Err(error) => return decision_refused(ctx, (&acting, &state), tx, f, error).await,
    };
    if matches!(event, FindingEvent::Confirm { .. })
        && !crate::scoring::db::year_open(&mut tx, f.year_id).await?
    {
        // a closed year's scores are frozen: it takes no new deduction
        let error =
            RuleError::new("INS-11", "error.deduction_year_closed").with(f.year.to_string());
        return decision_refused(ctx, (&acting, &state), tx, f, error).await;
    }
    let decision = Some((user.id, reason));
    if !db::move_finding(&mut tx, finding_id, (step.from, step.to, step.at), decision).await? {
        let error = RuleError::new("INS-11", "findings.not_submitted");
        return refused_by(&ctx, &error, &back);
    }
    let (detail, done) = match event {
        FindingEvent::Confirm { points, .. } => {
            deduct(&mut tx, (user, acting.now), &f, points).await?;
            let detail = json!({
                "points": points.normalize().to_string(),
                "item": f.item_code,
                "excellence_lost": f.costs_excellence == Some(true),
            });
            (detail, Flash::success("findings.confirmed"))
        }
        _ => (
            json!({ "reason": reason }),
            Flash::info("findings.dismissed"),
        ),
    };
    let event = Event::new(step.action, ("finding", finding_id), detail);
    acting.recorded(&mut tx, event, done, "/review").await
}

/// The finding's page again, with why the office's decision was refused (422).
async fn decision_refused(
    ctx: PageCtx,
    (acting, state): (&Acting, &AppState),
    mut tx: Tx,
    f: FindingRow,
    error: RuleError,
) -> AppResult<Response> {
    let shown = Shown {
        errors: vec![ctx.refusal(&error)],
        ..Shown::default()
    };
    let max = state.evidence.max_upload_text();
    let page = finding_page(ctx, (&acting.user, acting.now), (&mut tx, max), f, shown).await?;
    drop(tx);
    render_invalid(&page)
}

/// INS-11: a confirmed finding becomes a deduction in the ledger, once.
async fn deduct(
    tx: &mut Tx,
    (user, at): (&CurrentUser, DateTime<Utc>),
    f: &FindingRow,
    points: rust_decimal::Decimal,
) -> AppResult<()> {
    let (Some(item_id), Some(code), Some(title)) = (f.item_id, &f.item_code, &f.item_title) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "a submitted finding without its item"
        )));
    };
    let why: String = format!("{code} {title}：{}", f.description)
        .chars()
        .take(500)
        .collect();
    let key = f.id.to_string();
    let deduction = NewDeduction {
        year_id: f.year_id,
        unit_id: f.unit_id,
        item_id,
        points,
        source_type: "finding",
        source_key: &key,
        reason: &why,
        at,
    };
    crate::scoring::db::deduct_once(tx, user.tenant_id, &deduction).await?;
    Ok(())
}

/// INS-11: the office's queue of submitted findings, oldest task first.
pub async fn review_queue(_user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let rows = db::findings_with_status(&mut tx, FindingStatus::Submitted, None).await?;
    drop(tx);
    render(&ReviewPage {
        ctx,
        rows,
        title_key: "review.title",
        export_path: Some("/review/export"),
    })
}

/// The review queue as the page shows it, as CSV or XLSX.
pub async fn export_review_queue(
    _user: CurrentUser,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = db::findings_with_status(&mut tx, FindingStatus::Submitted, None).await?;
    drop(tx);
    let rows = rows.into_iter().map(|r| finding_cells(&ctx, r)).collect();
    Export::translated(&ctx, "review", &FINDING_COLUMNS, rows).respond(format)
}

/// A liaison's confirmed findings of its unit, each with its evidence (each view recorded).
pub async fn unit_findings(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let unit_id = user.liaison_unit().ok_or_else(not_found)?;
    let rows = db::findings_with_status(&mut tx, FindingStatus::Confirmed, Some(unit_id)).await?;
    drop(tx);
    render(&ReviewPage {
        ctx,
        rows,
        title_key: "review.unit_title",
        export_path: None,
    })
}

// ---- sign-off and submission (INS-10, INS-11) ----

/// The unit signs the results (a drawn signature kept as a PNG evidence file, or a typed name where
/// the phone runs no script), or the group records the refusal, which files an X02 finding and
/// does not stop the results going to the office (INS-10). A refused sign-off shows the task's
/// page again with what was typed and each error by its field.
pub async fn record_signoff(
    acting: Acting,
    Path(TaskPath { task_id }): Path<TaskPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<SignoffForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let back = format!("/tasks/{task_id}");
    let me = (user, acting.now);
    let signoff = match Signoff::try_from(&form) {
        Ok(signoff) => signoff,
        Err(keys) => {
            let typed = SignoffTyped::refused(&ctx, form, &keys);
            let mut tx = request_tx.acquire().await?;
            return TaskPage::refused(ctx, me, &mut tx, task_id, typed).await;
        }
    };
    // the drawn signature goes to the store before any connection is taken
    let drawn = match &signoff.mark {
        Some(Mark::Drawn(png)) => match state.evidence.write_all(png).await {
            Ok(w) if w.media == evidence::sniff::MediaType::Png => Some(w),
            _ => {
                let typed = SignoffTyped::refused(&ctx, form, &["signoff.error_signature"]);
                let mut tx = request_tx.acquire().await?;
                return TaskPage::refused(ctx, me, &mut tx, task_id, typed).await;
            }
        },
        _ => None,
    };
    let mut tx = request_tx.acquire().await?;
    let facts = task_on_site(&mut tx, user, task_id).await?;
    let event = TaskEvent::SignOff(signoff.outcome);
    let step = match facts.task().apply(event, facts.who(), acting.now) {
        Ok(step) => step,
        Err(error) => {
            let typed = SignoffTyped::refused_by(&ctx, form, &error);
            return TaskPage::refused(ctx, me, &mut tx, task_id, typed).await;
        }
    };
    let mut received = Vec::new();
    let (signature_id, refusal_finding) = match (signoff.outcome, drawn) {
        (SignoffOutcome::Signed, Some(drawn)) => {
            received.push(keep_signature(&state, &acting, drawn).await?);
            let owner = Owner::Signature(task_id);
            let tz = ctx.time_zone();
            let ids =
                evidence::record(&mut tx, &state.evidence, owner, &received, &acting, tz).await?;
            (ids.first().copied(), None)
        }
        (SignoffOutcome::Signed, None) => (None, None),
        (SignoffOutcome::Refused, _) => {
            let why = format!(
                "{}{}",
                ctx.t("signoff.refusal_finding"),
                signoff.refusal_reason
            );
            match file_refusal(&mut tx, &acting, &facts, &why).await? {
                Some(id) => (None, Some(id)),
                None => {
                    let typed = SignoffTyped::refused(&ctx, form, &["signoff.no_x02"]);
                    return TaskPage::refused(ctx, me, &mut tx, task_id, typed).await;
                }
            }
        }
    };
    let typed = match &signoff.mark {
        Some(Mark::Typed(name)) => name.as_str(),
        _ => "",
    };
    let new = NewSignoff {
        task_id,
        outcome: signoff.outcome,
        signer_name: &signoff.signer_name,
        signer_post: &signoff.signer_post,
        signature_evidence_id: signature_id,
        typed_signature: typed,
        refusal_reason: &signoff.refusal_reason,
        refusal_finding_id: refusal_finding,
        recorded_by: user.id,
    };
    if let Err(error) = crate::inspections::db::insert_signoff(&mut tx, user.tenant_id, &new).await
    {
        drop(tx);
        evidence::forget(&state.db, &state.evidence, user.tenant_id, &received).await;
        return Err(error.into());
    }
    let reason = &signoff.refusal_reason;
    let detail = json!({
        "signer_name": signoff.signer_name,
        "signer_post": signoff.signer_post,
        "signature_evidence_id": signature_id,
        "reason": (!reason.is_empty()).then_some(reason),
    });
    let event = Event::new(step.action, ("inspection_task", task_id), detail);
    acting
        .recorded(
            &mut tx,
            event,
            Flash::success("signoff.recorded_flash"),
            &back,
        )
        .await
}

/// The drawn signature, written to the store already, kept as the office's evidence file.
async fn keep_signature(
    state: &AppState,
    acting: &Acting,
    written: evidence::store::Written,
) -> AppResult<evidence::Received> {
    let info = evidence::WrittenInfo {
        sha256: written.sha256.clone(),
        size: written.size,
        media: written.media,
        original_name: "signature.png".into(),
        client_type: "image/png".into(),
        taken_at: Some(acting.now),
        taken_at_source: Some("client"),
    };
    let placed = state
        .evidence
        .keep(acting.user.tenant_id, written)
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!("{error:?}")))?;
    Ok(evidence::Received {
        written: info,
        placed,
    })
}

/// INS-10: a refused signature is itself a violation, filed as an X02 finding of the task and
/// submitted with the rest; `None` when the year's catalog has no X02.
async fn file_refusal(
    tx: &mut Tx,
    acting: &Acting,
    facts: &TaskFacts,
    description: &str,
) -> AppResult<Option<Uuid>> {
    let Some((x02, _)) = crate::inspections::db::catalog_item(tx, facts.year_id, "X02").await?
    else {
        return Ok(None);
    };
    let new = NewFinding {
        task_id: facts.id,
        unit_id: facts.unit_id,
        item_id: Some(x02),
        description,
        origin: Origin::SignoffRefusal,
        created_by: acting.user.id,
    };
    let id = db::insert_finding(tx, acting.user.tenant_id, &new).await?;
    let detail = json!({ "task_id": facts.id, "item": "X02", "origin": "signoff_refusal" });
    let event = Event::new("finding.create", ("finding", id), detail);
    acting.record(tx, event).await?;
    Ok(Some(id))
}

/// INS-02, INS-11: the group leader hands the task's findings to the office. An open inspection
/// needs the unit's sign-off or its recorded refusal first (a covert one has none); every draft
/// must be complete or withdrawn.
pub async fn submit_task(
    acting: Acting,
    Path(TaskPath { task_id }): Path<TaskPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let user = &acting.user;
    let back = format!("/tasks/{task_id}");
    let mut tx = request_tx.acquire().await?;
    let facts = task_on_site(&mut tx, user, task_id).await?;
    let findings = db::task_findings(&mut tx, task_id).await?;
    let incomplete: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.status == FindingStatus::Draft
                && (f.item_code.is_none() || f.description.trim().is_empty())
        })
        .map(|(n, _)| n + 1)
        .collect();
    let event = TaskEvent::Submit {
        incomplete: &incomplete,
    };
    let step = match facts.task().apply(event, facts.who(), acting.now) {
        Ok(step) => step,
        Err(error) => return refused_by(&ctx, &error, &back),
    };
    let count =
        crate::inspections::db::submit_task(&mut tx, user.tenant_id, task_id, (user.id, step.at))
            .await?;
    let event = Event::new(
        step.action,
        ("inspection_task", task_id),
        json!({ "findings": count }),
    );
    acting
        .recorded(&mut tx, event, Flash::success("tasks.submitted"), &back)
        .await
}
