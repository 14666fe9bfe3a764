//! Findings on site and in the office: a supervisor of the task's group files a finding as a
//! draft saved as they go, with photos and videos (INS-05, INS-07, INS-09); the unit signs the
//! results or its refusal becomes an X02 finding (INS-10); the group leader submits the task; the
//! office confirms each finding into the deductions ledger or dismisses it with a reason (INS-11);
//! a confirmed obstruction (X01, discretionary points) costs the unit its excellence eligibility
//! for the year (INS-08).

use std::str::FromStr;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::{NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db::{self, DraftFields, FindingRow, NewFinding, NewSignoff};
use crate::AppState;
use crate::audit::{self, Event};
use crate::auth::{CurrentUser, Role};
use crate::db::{KeepWrites, RequestTx, Tx, begin_tenant};
use crate::error::{AppError, AppResult, not_found};
use crate::evidence::{self, db::EvidenceItem, db::Owner};
use crate::scoring::db::NewDeduction;
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

#[derive(Debug, Deserialize)]
pub struct FindingPath {
    pub finding_id: Uuid,
}

#[derive(Debug, Deserialize)]
pub struct TaskPath {
    pub task_id: Uuid,
}

/// A refusal of an action, with the way back.
#[derive(Template)]
#[template(path = "inspections/refused.html")]
pub struct RefusedPage {
    pub ctx: PageCtx,
    pub messages: Vec<String>,
    pub back_href: String,
}

fn refuse(ctx: PageCtx, messages: Vec<String>, back_href: String) -> AppResult<Response> {
    render_invalid(&RefusedPage {
        ctx,
        messages,
        back_href,
    })
}

/// Whether the task's results are closed to the group: submitted, or signed by the unit (INS-10:
/// the unit signs what the findings are; nothing changes under its signature).
fn results_closed(state: &db::TaskState) -> bool {
    state.submitted_at.is_some() || state.signoff.is_some()
}

/// Whether the user may work on the task's findings on site: a supervisor of its group.
async fn on_site(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    group: Uuid,
) -> AppResult<bool> {
    Ok(user.role == Role::Supervisor && db::user_in_group(conn, user.id, group).await?)
}

/// Who may read a finding: the office and leaders; the task's group; the unit's liaison once it is
/// confirmed (INS-11).
async fn may_read(tx: &mut Tx, user: &CurrentUser, f: &FindingRow) -> AppResult<bool> {
    Ok(match user.role {
        Role::OfficeAdmin | Role::OfficeStaff | Role::Leader => true,
        Role::Supervisor => db::user_in_group(tx, user.id, f.group_id).await?,
        Role::Liaison => user.unit_id == Some(f.unit_id) && f.status == "confirmed",
    })
}

// ---- filing ----

/// Starts a finding of a task as a draft. A finding is always about the task's own unit: a form
/// naming another unit is refused.
pub async fn create_finding(
    user: CurrentUser,
    path: Result<Path<TaskPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(TaskPath { task_id }) = path.map_err(|_| not_found())?;
    let named_unit = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "unit_id")
        .map(|(_, v)| v.into_owned());
    let mut tx = request_tx.acquire().await?;
    db::lock_task(&mut tx, task_id).await?;
    let (unit_id, group_id, _) = db::task_unit_and_group(&mut tx, task_id).await?;
    if !on_site(&mut tx, &user, group_id).await? {
        return Err(not_found());
    }
    let back = ctx.href(&format!("/tasks/{task_id}"));
    if results_closed(&db::task_state(&mut tx, task_id).await?) {
        drop(tx);
        return refuse(
            ctx.clone(),
            vec![ctx.t("findings.task_closed").into()],
            back,
        );
    }
    if let Some(named) = named_unit
        && Uuid::from_str(&named).ok() != Some(unit_id)
    {
        drop(tx);
        return refuse(
            ctx.clone(),
            vec![ctx.t("findings.unit_outside_task").into()],
            back,
        );
    }
    let id = db::insert_finding(
        &mut tx,
        user.tenant_id,
        &NewFinding {
            task_id,
            unit_id,
            item_id: None,
            description: "",
            origin: "supervisor",
            created_by: user.id,
        },
    )
    .await?;
    let event = Event {
        action: "finding.create",
        subject_type: "finding",
        subject_id: Some(id),
        detail: json!({ "task_id": task_id }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    Ok(Redirect::to(&user.path(&format!("/findings/{id}"))).into_response())
}

/// The typed values of a draft, as the form sent them.
#[derive(Debug, Default, Clone)]
pub struct DraftForm {
    pub item_id: String,
    pub description: String,
    pub staff_id: String,
    pub staff_text: String,
    pub observed_at: String,
    pub place: String,
    pub points: String,
}

impl DraftForm {
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            let value = value.into_owned();
            match key.as_ref() {
                "item_id" => form.item_id = value,
                "description" => form.description = value,
                "staff_id" => form.staff_id = value,
                "staff_text" => form.staff_text = value,
                "observed_at" => form.observed_at = value,
                "place" => form.place = value,
                "points" => form.points = value,
                _ => {}
            }
        }
        form
    }

    fn from_row(f: &FindingRow, ctx: &PageCtx) -> Self {
        Self {
            item_id: f.item_id.map(|i| i.to_string()).unwrap_or_default(),
            description: f.description.clone(),
            staff_id: f.staff_id.map(|i| i.to_string()).unwrap_or_default(),
            staff_text: f.staff_text.clone(),
            observed_at: f
                .observed_at
                .map(|t| {
                    t.with_timezone(&ctx.time_zone())
                        .format("%Y-%m-%dT%H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            place: f.place.clone(),
            points: f
                .points
                .map(|p| p.normalize().to_string())
                .unwrap_or_default(),
        }
    }

    /// Checks the draft against the task's catalog items and the unit's staff. A draft may be
    /// incomplete; what it holds must be valid. INS-08: discretionary points stay in the range.
    pub fn validate(
        &self,
        items: &[db::ItemChoice],
        staff: &[(Uuid, String, String)],
        tz: chrono_tz::Tz,
    ) -> Result<DraftFields, Vec<&'static str>> {
        let mut errors = Vec::new();
        let item = match self.item_id.trim() {
            "" => None,
            id => match items.iter().find(|i| i.id.to_string() == id) {
                Some(item) => Some(item),
                None => {
                    errors.push("findings.error_item");
                    None
                }
            },
        };
        let points = match (item, self.points.trim()) {
            (Some(i), text) if i.points_min != i.points_max && !text.is_empty() => {
                match Decimal::from_str(text) {
                    Ok(p) if p >= i.points_min && p <= i.points_max => Some(p),
                    _ => {
                        errors.push("findings.error_points");
                        None
                    }
                }
            }
            _ => None,
        };
        let staff_id = match self.staff_id.trim() {
            "" => None,
            id => match staff.iter().find(|s| s.0.to_string() == id) {
                Some(s) => Some(s.0),
                None => {
                    errors.push("findings.error_staff");
                    None
                }
            },
        };
        let observed_at = match self.observed_at.trim() {
            "" => None,
            text => match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
                .ok()
                .and_then(|t| tz.from_local_datetime(&t).earliest())
            {
                Some(t) if t.with_timezone(&Utc) <= Utc::now() + chrono::Duration::minutes(5) => {
                    Some(t.with_timezone(&Utc))
                }
                _ => {
                    errors.push("findings.error_observed_at");
                    None
                }
            },
        };
        if self.description.chars().count() > 5000 {
            errors.push("findings.error_description_long");
        }
        if self.place.chars().count() > 200 || self.staff_text.chars().count() > 200 {
            errors.push("findings.error_too_long");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(DraftFields {
            item_id: item.map(|i| i.id),
            description: self.description.trim().to_string(),
            staff_id,
            staff_text: self.staff_text.trim().to_string(),
            observed_at,
            place: self.place.trim().to_string(),
            points,
        })
    }
}

/// One file as a finding page lists it.
pub struct EvidenceView {
    pub href: String,
    pub thumb: Option<String>,
    pub name: String,
    pub kind: &'static str,
    pub size: String,
    pub late: bool,
    pub purged: bool,
}

fn evidence_views(ctx: &PageCtx, items: Vec<EvidenceItem>) -> Vec<EvidenceView> {
    items
        .into_iter()
        .map(|e| {
            let media = evidence::sniff::MediaType::from_code(&e.media_type);
            let thumbable = media.is_some_and(|m| {
                matches!(
                    m,
                    evidence::sniff::MediaType::Jpeg
                        | evidence::sniff::MediaType::Png
                        | evidence::sniff::MediaType::Webp
                )
            });
            EvidenceView {
                href: ctx.href(&format!("/evidence/{}", e.id)),
                thumb: (thumbable && !e.purged)
                    .then(|| ctx.href(&format!("/evidence/{}/thumbnail", e.id))),
                name: e.original_name,
                kind: match media {
                    Some(m) if m.is_video() => "evidence.video",
                    Some(m) if m.is_image() => "evidence.photo",
                    _ => "evidence.document",
                },
                size: evidence::handlers::human_size(e.size_bytes),
                late: e.late,
                purged: e.purged,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "inspections/finding.html")]
pub struct FindingPage {
    pub ctx: PageCtx,
    pub f: FindingRow,
    pub editable: bool,
    pub can_decide: bool,
    pub form: DraftForm,
    pub errors: Vec<String>,
    pub upload_errors: Vec<String>,
    pub items: Vec<db::ItemChoice>,
    pub staff: Vec<(Uuid, String, String)>,
    pub evidence: Vec<EvidenceView>,
    pub history: Vec<crate::audit::views::TimelineEntry>,
    pub task_href: String,
    pub href: String,
    pub dismiss_reason: String,
    pub max_upload: String,
}

impl FindingPage {
    pub fn status_key(&self) -> String {
        format!("findings.status_{}", self.f.status)
    }

    pub fn points_text(&self) -> String {
        match (self.f.points, self.f.points_min, self.f.points_max) {
            (Some(p), _, _) => p.normalize().to_string(),
            (None, Some(min), Some(max)) if min == max => min.normalize().to_string(),
            (None, Some(min), Some(max)) => format!("{}–{}", min.normalize(), max.normalize()),
            _ => String::new(),
        }
    }

    pub fn discretionary(&self) -> bool {
        matches!((self.f.points_min, self.f.points_max), (Some(a), Some(b)) if a != b)
    }
}

#[allow(clippy::too_many_arguments)]
async fn finding_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    max_upload: String,
    f: FindingRow,
    form: Option<DraftForm>,
    errors: Vec<String>,
    upload_errors: Vec<String>,
) -> AppResult<FindingPage> {
    let submitted = results_closed(&db::task_state(tx, f.task_id).await?);
    let editable = f.status == "draft"
        && f.origin == "supervisor"
        && !submitted
        && on_site(tx, user, f.group_id).await?;
    let items = if editable {
        db::items_for_kind(tx, f.year_id, &f.task_kind).await?
    } else {
        Vec::new()
    };
    let staff = if editable {
        db::current_staff(tx, f.unit_id).await?
    } else {
        Vec::new()
    };
    let evidence = evidence_views(&ctx, evidence::db::of_finding(tx, f.id).await?);
    let history = crate::audit::db::events_for_subject(tx, "finding", f.id)
        .await?
        .into_iter()
        .map(|e| crate::audit::views::TimelineEntry::new(&ctx, e))
        .collect();
    Ok(FindingPage {
        can_decide: f.status == "submitted"
            && matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
        form: form.unwrap_or_else(|| DraftForm::from_row(&f, &ctx)),
        task_href: ctx.href(&format!("/tasks/{}", f.task_id)),
        href: ctx.href(&format!("/findings/{}", f.id)),
        dismiss_reason: String::new(),
        max_upload,
        editable,
        items,
        staff,
        evidence,
        history,
        errors,
        upload_errors,
        ctx,
        f,
    })
}

pub async fn show_finding(
    user: CurrentUser,
    path: Result<Path<FindingPath>, PathRejection>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(FindingPath { finding_id }) = path.map_err(|_| not_found())?;
    let f = db::get_finding(&mut tx, finding_id).await?;
    if !may_read(&mut tx, &user, &f).await? {
        return Err(not_found());
    }
    let max = state.evidence.max_upload_text();
    let page = finding_page(ctx, &user, &mut tx, max, f, None, Vec::new(), Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// Saves a draft as the supervisor goes (the page's script sends it after each pause in typing,
/// with `x-autosave`; without script, the save button). Answers an autosave with 204.
#[allow(clippy::too_many_arguments)]
pub async fn save_finding(
    user: CurrentUser,
    path: Result<Path<FindingPath>, PathRejection>,
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    headers: HeaderMap,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(FindingPath { finding_id }) = path.map_err(|_| not_found())?;
    let autosave = headers.contains_key("x-autosave");
    let form = DraftForm::parse(&body);
    let mut tx = request_tx.acquire().await?;
    let f = db::get_finding(&mut tx, finding_id).await?;
    if !on_site(&mut tx, &user, f.group_id).await? {
        return Err(not_found());
    }
    db::lock_task(&mut tx, f.task_id).await?;
    let submitted = results_closed(&db::task_state(&mut tx, f.task_id).await?);
    if f.status != "draft" || f.origin != "supervisor" || submitted {
        drop(tx);
        let back = ctx.href(&format!("/findings/{finding_id}"));
        return refuse(ctx.clone(), vec![ctx.t("findings.closed").into()], back);
    }
    let items = db::items_for_kind(&mut tx, f.year_id, &f.task_kind).await?;
    let staff = db::current_staff(&mut tx, f.unit_id).await?;
    let fields = match form.validate(&items, &staff, ctx.time_zone()) {
        Ok(fields) => fields,
        Err(keys) => {
            if autosave {
                drop(tx);
                let text = keys.iter().map(|k| ctx.t(k)).collect::<Vec<_>>().join(" ");
                let mut answer = (StatusCode::UNPROCESSABLE_ENTITY, text).into_response();
                answer.extensions_mut().insert(crate::web::ScriptAnswer);
                return Ok(answer);
            }
            let errors = keys.iter().map(|k| ctx.t(k).to_string()).collect();
            let max = state.evidence.max_upload_text();
            let page =
                finding_page(ctx, &user, &mut tx, max, f, Some(form), errors, Vec::new()).await?;
            drop(tx);
            return render_invalid(&page);
        }
    };
    let changed = (
        fields.item_id,
        fields.description.as_str(),
        fields.staff_id,
        fields.staff_text.as_str(),
        fields.observed_at,
        fields.place.as_str(),
        fields.points,
    ) != (
        f.item_id,
        f.description.as_str(),
        f.staff_id,
        f.staff_text.as_str(),
        f.observed_at,
        f.place.as_str(),
        f.points,
    );
    if changed {
        db::save_draft(&mut tx, finding_id, &fields).await?;
        let event = Event {
            action: "finding.save",
            subject_type: "finding",
            subject_id: Some(finding_id),
            detail: json!({
                "item_id": fields.item_id,
                "points": fields.points.map(|p| p.to_string()),
                "description": fields.description,
            }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    }
    drop(tx);
    if autosave {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    flash::push(&session, FlashKind::Success, "findings.saved", None).await;
    Ok(Redirect::to(&user.path(&format!("/findings/{finding_id}"))).into_response())
}

/// Withdraws a draft (a mistake on site); it stays on record as withdrawn.
pub async fn withdraw_finding(
    user: CurrentUser,
    path: Result<Path<FindingPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(FindingPath { finding_id }) = path.map_err(|_| not_found())?;
    let mut tx = request_tx.acquire().await?;
    let f = db::get_finding(&mut tx, finding_id).await?;
    if !on_site(&mut tx, &user, f.group_id).await? {
        return Err(not_found());
    }
    db::lock_task(&mut tx, f.task_id).await?;
    let submitted = results_closed(&db::task_state(&mut tx, f.task_id).await?);
    if submitted || f.origin != "supervisor" || !db::withdraw_draft(&mut tx, finding_id).await? {
        drop(tx);
        let back = ctx.href(&format!("/findings/{finding_id}"));
        return refuse(ctx.clone(), vec![ctx.t("findings.closed").into()], back);
    }
    let event = Event {
        action: "finding.withdraw",
        subject_type: "finding",
        subject_id: Some(finding_id),
        detail: json!({}),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Info, "findings.withdrawn", None).await;
    Ok(Redirect::to(&user.path(&format!("/tasks/{}", f.task_id))).into_response())
}

// ---- evidence of a finding (INS-09) ----

/// Receives photos, videos and documents for a draft. The bytes stream to the store while no
/// database connection is held; the finding is checked before (a short transaction of its own)
/// and again when the files are recorded. Refused files are named with the reason; the others
/// are kept. A script sends one file per request and reads the JSON answer (`x-upload`).
#[allow(clippy::too_many_arguments)]
pub async fn upload_evidence(
    user: CurrentUser,
    path: Result<Path<FindingPath>, PathRejection>,
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    headers: HeaderMap,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let Path(FindingPath { finding_id }) = path.map_err(|_| not_found())?;
    let scripted = headers.contains_key("x-upload");
    let task_id = {
        let mut check = begin_tenant(&state.db, user.tenant_id).await?;
        let f = db::get_finding(&mut check, finding_id).await?;
        if !on_site(&mut check, &user, f.group_id).await? {
            return Err(not_found());
        }
        let submitted = results_closed(&db::task_state(&mut check, f.task_id).await?);
        check.rollback().await?;
        if f.status != "draft" || submitted {
            let back = ctx.href(&format!("/findings/{finding_id}"));
            return refuse(ctx.clone(), vec![ctx.t("findings.closed").into()], back);
        }
        f.task_id
    };
    let tz = ctx.time_zone();
    let (intake, broken) = evidence::intake(&state.evidence, user.tenant_id, tz, multipart).await;
    if let Some(error) = broken {
        // the client went away, or sent a form that cannot be read (a file name with control
        // characters in its header): nothing of it is kept
        tracing::info!(?error, "an evidence upload broke off");
        evidence::forget(&state.db, &state.evidence, user.tenant_id, &intake.received).await;
        let back = ctx.href(&format!("/findings/{finding_id}"));
        // what was refused before the break (a file over the limit) is named too
        let mut messages: Vec<String> = intake.refusal_messages(&ctx);
        messages.push(ctx.t("evidence.upload_failed").into());
        return refuse(ctx.clone(), messages, back);
    }
    let mut tx = request_tx.acquire().await?;
    db::lock_task(&mut tx, task_id).await?;
    let f = db::get_finding(&mut tx, finding_id).await?;
    let submitted = results_closed(&db::task_state(&mut tx, f.task_id).await?);
    if f.status != "draft" || submitted {
        drop(tx);
        evidence::forget(&state.db, &state.evidence, user.tenant_id, &intake.received).await;
        let back = ctx.href(&format!("/findings/{finding_id}"));
        return refuse(ctx.clone(), vec![ctx.t("findings.closed").into()], back);
    }
    let owner = Owner::Finding(finding_id);
    let ids = evidence::record(
        &mut tx,
        &state.evidence,
        user.tenant_id,
        owner,
        &intake.received,
        user.id,
        &addr,
        tz,
    )
    .await?;
    for (id, r) in ids.iter().zip(&intake.received) {
        let event = Event {
            action: "evidence.add",
            subject_type: "finding",
            subject_id: Some(finding_id),
            detail: json!({
                "evidence_id": id,
                "sha256": r.written.sha256,
                "name": r.written.original_name,
                "size": r.written.size,
                "media_type": r.written.media.as_str(),
            }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    }
    let refused: Vec<String> = intake.refusal_messages(&ctx);
    if scripted {
        drop(tx);
        let status = if refused.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let body = json!({ "saved": ids.len(), "refused": refused });
        let mut response = (status, axum::Json(body)).into_response();
        response.extensions_mut().insert(KeepWrites);
        response.extensions_mut().insert(crate::web::ScriptAnswer);
        return Ok(response);
    }
    if refused.is_empty() {
        drop(tx);
        let count = ids.len().to_string();
        if ids.is_empty() {
            flash::push(&session, FlashKind::Info, "evidence.none_chosen", None).await;
        } else {
            flash::push(&session, FlashKind::Success, "evidence.saved", Some(count)).await;
        }
        return Ok(Redirect::to(&user.path(&format!("/findings/{finding_id}"))).into_response());
    }
    let max = state.evidence.max_upload_text();
    let page = finding_page(ctx, &user, &mut tx, max, f, None, Vec::new(), refused).await?;
    drop(tx);
    // the files that were accepted stay; the page names the ones that were not
    let mut response = render_invalid(&page)?;
    response.extensions_mut().insert(KeepWrites);
    Ok(response)
}

// ---- the office's decision (INS-11) ----

/// Confirms a submitted finding (a deduction in the ledger) or dismisses it with a reason.
#[allow(clippy::too_many_arguments)]
pub async fn decide_finding(
    user: CurrentUser,
    path: Result<Path<FindingPath>, PathRejection>,
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(FindingPath { finding_id }) = path.map_err(|_| not_found())?;
    let mut decision = String::new();
    let mut reason = String::new();
    let mut points_text = String::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "decision" => decision = value.into_owned(),
            "reason" => reason = value.trim().to_string(),
            "points" => points_text = value.trim().to_string(),
            _ => {}
        }
    }
    let mut tx = request_tx.acquire().await?;
    // two decisions on one finding happen one after the other; the second sees the first
    let task_id = db::get_finding(&mut tx, finding_id).await?.task_id;
    db::lock_task(&mut tx, task_id).await?;
    let f = db::get_finding(&mut tx, finding_id).await?;
    let back = ctx.href(&format!("/findings/{finding_id}"));
    if f.status != "submitted" {
        drop(tx);
        return refuse(
            ctx.clone(),
            vec![ctx.t("findings.not_submitted").into()],
            back,
        );
    }
    match decision.as_str() {
        "dismiss" => {
            if reason.is_empty() {
                let max = state.evidence.max_upload_text();
                let mut page =
                    finding_page(ctx, &user, &mut tx, max, f, None, Vec::new(), Vec::new()).await?;
                page.errors = vec![page.ctx.t("findings.error_dismiss_reason").to_string()];
                drop(tx);
                return render_invalid(&page);
            }
            if !db::decide_finding(&mut tx, finding_id, "dismissed", user.id, &reason).await? {
                drop(tx);
                return refuse(
                    ctx.clone(),
                    vec![ctx.t("findings.not_submitted").into()],
                    back,
                );
            }
            let event = Event {
                action: "finding.dismiss",
                subject_type: "finding",
                subject_id: Some(finding_id),
                detail: json!({ "reason": reason }),
            };
            audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
            flash::push(&session, FlashKind::Info, "findings.dismissed", None).await;
        }
        "confirm" => {
            let (Some(item_id), Some(min), Some(max)) = (f.item_id, f.points_min, f.points_max)
            else {
                drop(tx);
                return refuse(
                    ctx.clone(),
                    vec![ctx.t("findings.not_submitted").into()],
                    back,
                );
            };
            // INS-08: a discretionary item's points are the office's to set, inside the range
            let points = if min == max {
                min
            } else {
                let typed = if points_text.is_empty() {
                    f.points
                } else {
                    // what the office typed, or nothing valid (never silently the supervisor's)
                    Decimal::from_str(&points_text).ok()
                };
                match typed {
                    Some(p) if p >= min && p <= max => p,
                    _ => {
                        let limit = state.evidence.max_upload_text();
                        let mut page = finding_page(
                            ctx,
                            &user,
                            &mut tx,
                            limit,
                            f,
                            None,
                            Vec::new(),
                            Vec::new(),
                        )
                        .await?;
                        page.errors = vec![page.ctx.t("findings.error_points").to_string()];
                        drop(tx);
                        return render_invalid(&page);
                    }
                }
            };
            if !db::decide_finding(&mut tx, finding_id, "confirmed", user.id, &reason).await? {
                drop(tx);
                return refuse(
                    ctx.clone(),
                    vec![ctx.t("findings.not_submitted").into()],
                    back,
                );
            }
            let code = f.item_code.clone().unwrap_or_default();
            let title = f.item_title.clone().unwrap_or_default();
            let why: String = format!("{code} {title}：{}", f.description)
                .chars()
                .take(500)
                .collect();
            let key = finding_id.to_string();
            crate::scoring::db::deduct_once(
                &mut tx,
                user.tenant_id,
                &NewDeduction {
                    year_id: f.year_id,
                    unit_id: f.unit_id,
                    item_id,
                    points,
                    source_type: "finding",
                    source_key: &key,
                    reason: &why,
                },
            )
            .await?;
            let event = Event {
                action: "finding.confirm",
                subject_type: "finding",
                subject_id: Some(finding_id),
                detail: json!({
                    "points": points.normalize().to_string(),
                    "item": code,
                    "excellence_lost": f.costs_excellence == Some(true),
                }),
            };
            audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
            flash::push(&session, FlashKind::Success, "findings.confirmed", None).await;
        }
        _ => {
            drop(tx);
            return refuse(
                ctx.clone(),
                vec![ctx.t("findings.error_decision").into()],
                back,
            );
        }
    }
    Ok(Redirect::to(&user.path("/review")).into_response())
}

#[derive(Template)]
#[template(path = "inspections/review.html")]
pub struct ReviewPage {
    pub ctx: PageCtx,
    pub rows: Vec<db::ReviewRow>,
    pub title_key: &'static str,
}

/// INS-11: the office's queue of submitted findings, oldest task first.
pub async fn review_queue(_user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let rows = db::findings_with_status(&mut tx, "submitted", None).await?;
    drop(tx);
    render(&ReviewPage {
        ctx,
        rows,
        title_key: "review.title",
    })
}

/// A liaison's confirmed findings of its unit, each with its evidence (each view recorded).
pub async fn unit_findings(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let Some(unit_id) = user.unit_id else {
        return Err(not_found());
    };
    let rows = db::findings_with_status(&mut tx, "confirmed", Some(unit_id)).await?;
    drop(tx);
    render(&ReviewPage {
        ctx,
        rows,
        title_key: "review.unit_title",
    })
}

// ---- sign-off and submission (INS-10, INS-11) ----

/// The unit signs the results (a drawn signature kept as a PNG evidence file, or a typed name where
/// the phone runs no script), or the group records the refusal, which files an X02 finding and
/// does not stop the results going to the office (INS-10).
#[allow(clippy::too_many_arguments)]
pub async fn record_signoff(
    user: CurrentUser,
    path: Result<Path<TaskPath>, PathRejection>,
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(TaskPath { task_id }) = path.map_err(|_| not_found())?;
    let mut form = SignoffForm::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        let value = value.into_owned();
        match key.as_ref() {
            "outcome" => form.outcome = value,
            "signer_name" => form.signer_name = value.trim().to_string(),
            "signer_post" => form.signer_post = value.trim().to_string(),
            "signature" => form.signature = value,
            "typed_signature" => form.typed_signature = value.trim().to_string(),
            "refusal_reason" => form.refusal_reason = value.trim().to_string(),
            _ => {}
        }
    }
    let back = ctx.href(&format!("/tasks/{task_id}"));
    let errors = form.check();
    // the drawn signature goes to the store before any connection is taken
    let signature = match (&errors[..], form.outcome.as_str(), form.png()) {
        ([], "signed", Some(Ok(png))) => match state.evidence.write_all(&png).await {
            Ok(w) if w.media == evidence::sniff::MediaType::Png => Some(w),
            _ => {
                return refuse(
                    ctx.clone(),
                    vec![ctx.t("signoff.error_signature").into()],
                    back,
                );
            }
        },
        ([], "signed", Some(Err(()))) => {
            return refuse(
                ctx.clone(),
                vec![ctx.t("signoff.error_signature").into()],
                back,
            );
        }
        _ => None,
    };
    if !errors.is_empty() {
        return refuse(
            ctx.clone(),
            errors.iter().map(|k| ctx.t(k).to_string()).collect(),
            back,
        );
    }
    let mut tx = request_tx.acquire().await?;
    db::lock_task(&mut tx, task_id).await?;
    let (unit_id, group_id, year_id) = db::task_unit_and_group(&mut tx, task_id).await?;
    if !on_site(&mut tx, &user, group_id).await? {
        return Err(not_found());
    }
    let state_now = db::task_state(&mut tx, task_id).await?;
    if state_now.submitted_at.is_some() || state_now.signoff.is_some() {
        drop(tx);
        return refuse(ctx.clone(), vec![ctx.t("signoff.already").into()], back);
    }
    let mut received = Vec::new();
    let (signature_id, refusal_finding) = if form.outcome == "signed" {
        let id = match signature {
            Some(written) => {
                let info = evidence::WrittenInfo {
                    sha256: written.sha256.clone(),
                    size: written.size,
                    media: written.media,
                    original_name: "signature.png".into(),
                    client_type: "image/png".into(),
                    taken_at: Some(Utc::now()),
                    taken_at_source: Some("client"),
                };
                let placed = match state.evidence.keep(user.tenant_id, written).await {
                    Ok(placed) => placed,
                    Err(error) => {
                        return Err(AppError::Internal(anyhow::anyhow!("{error:?}")));
                    }
                };
                received.push(evidence::Received {
                    written: info,
                    placed,
                });
                let ids = evidence::record(
                    &mut tx,
                    &state.evidence,
                    user.tenant_id,
                    Owner::Signature(task_id),
                    &received,
                    user.id,
                    &addr,
                    ctx.time_zone(),
                )
                .await?;
                ids.first().copied()
            }
            None => None,
        };
        (id, None)
    } else {
        // INS-10: the refusal is itself a violation, filed as X02 and submitted with the rest
        let Some((x02, _)) = db::catalog_item(&mut tx, year_id, "X02").await? else {
            drop(tx);
            return refuse(ctx.clone(), vec![ctx.t("signoff.no_x02").into()], back);
        };
        let description = format!(
            "{}{}",
            ctx.t("signoff.refusal_finding"),
            form.refusal_reason
        );
        let id = db::insert_finding(
            &mut tx,
            user.tenant_id,
            &NewFinding {
                task_id,
                unit_id,
                item_id: Some(x02),
                description: &description,
                origin: "signoff_refusal",
                created_by: user.id,
            },
        )
        .await?;
        let event = Event {
            action: "finding.create",
            subject_type: "finding",
            subject_id: Some(id),
            detail: json!({ "task_id": task_id, "item": "X02", "origin": "signoff_refusal" }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
        (None, Some(id))
    };
    let result = db::insert_signoff(
        &mut tx,
        user.tenant_id,
        &NewSignoff {
            task_id,
            outcome: &form.outcome,
            signer_name: &form.signer_name,
            signer_post: &form.signer_post,
            signature_evidence_id: signature_id,
            typed_signature: if signature_id.is_some() {
                ""
            } else {
                &form.typed_signature
            },
            refusal_reason: &form.refusal_reason,
            refusal_finding_id: refusal_finding,
            recorded_by: user.id,
        },
    )
    .await;
    if let Err(error) = result {
        drop(tx);
        evidence::forget(&state.db, &state.evidence, user.tenant_id, &received).await;
        return Err(error.into());
    }
    let event = Event {
        action: if form.outcome == "signed" {
            "task.sign"
        } else {
            "task.sign_refused"
        },
        subject_type: "inspection_task",
        subject_id: Some(task_id),
        detail: json!({
            "signer_name": form.signer_name,
            "signer_post": form.signer_post,
            "signature_evidence_id": signature_id,
            "reason": (!form.refusal_reason.is_empty()).then_some(&form.refusal_reason),
        }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Success, "signoff.recorded_flash", None).await;
    Ok(Redirect::to(&user.path(&format!("/tasks/{task_id}"))).into_response())
}

/// The sign-off form as it was sent.
#[derive(Debug, Default)]
pub struct SignoffForm {
    pub outcome: String,
    pub signer_name: String,
    pub signer_post: String,
    /// a `data:image/png;base64,` URL from the signature pad
    pub signature: String,
    pub typed_signature: String,
    pub refusal_reason: String,
}

impl SignoffForm {
    /// INS-10: a signature needs the signer's name and a drawn or typed signature; a refusal
    /// needs its reason.
    pub fn check(&self) -> Vec<&'static str> {
        let mut errors = Vec::new();
        match self.outcome.as_str() {
            "signed" => {
                if self.signer_name.is_empty() {
                    errors.push("signoff.error_name");
                }
                if self.signature.trim().is_empty() && self.typed_signature.is_empty() {
                    errors.push("signoff.error_signature_missing");
                }
            }
            "refused" => {
                if self.refusal_reason.is_empty() {
                    errors.push("signoff.error_reason");
                }
            }
            _ => errors.push("signoff.error_outcome"),
        }
        if [&self.signer_name, &self.signer_post, &self.typed_signature]
            .iter()
            .any(|s| s.chars().count() > 100)
            || self.refusal_reason.chars().count() > 2000
        {
            errors.push("findings.error_too_long");
        }
        errors
    }

    /// The drawn signature's bytes, when one was sent.
    fn png(&self) -> Option<Result<Vec<u8>, ()>> {
        let data = self.signature.trim();
        if data.is_empty() {
            return None;
        }
        Some(
            data.strip_prefix("data:image/png;base64,")
                .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
                .ok_or(()),
        )
    }
}

/// INS-02, INS-11: the group leader hands the task's findings to the office. An open inspection
/// needs the unit's sign-off or its recorded refusal first (a covert one has none); every draft
/// must be complete or withdrawn.
pub async fn submit_task(
    user: CurrentUser,
    path: Result<Path<TaskPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(TaskPath { task_id }) = path.map_err(|_| not_found())?;
    let mut tx = request_tx.acquire().await?;
    db::lock_task(&mut tx, task_id).await?;
    let task = db::get_task(&mut tx, task_id).await?;
    if !on_site(&mut tx, &user, task.group_id).await? {
        return Err(not_found());
    }
    let back = ctx.href(&format!("/tasks/{task_id}"));
    let mut errors: Vec<String> = Vec::new();
    if !db::user_leads_group(&mut tx, user.id, task.group_id).await? {
        errors.push(ctx.t("tasks.submit_leader_only").into());
    }
    let now = db::task_state(&mut tx, task_id).await?;
    if now.submitted_at.is_some() {
        errors.push(ctx.t("tasks.already_submitted").into());
    }
    if task.kind == "open" && now.signoff.is_none() {
        errors.push(ctx.t("tasks.submit_needs_signoff").into());
    }
    let findings = db::task_findings(&mut tx, task_id).await?;
    for (n, f) in findings.iter().enumerate() {
        if f.status == "draft" && (f.item_code.is_none() || f.description.trim().is_empty()) {
            errors.push(ctx.tf("tasks.submit_incomplete", &(n + 1).to_string()));
        }
    }
    if !errors.is_empty() {
        drop(tx);
        return refuse(ctx, errors, back);
    }
    let count = db::submit_task(&mut tx, user.tenant_id, task_id, user.id).await?;
    let event = Event {
        action: "task.submit",
        subject_type: "inspection_task",
        subject_id: Some(task_id),
        detail: json!({ "findings": count }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Success, "tasks.submitted", None).await;
    Ok(Redirect::to(&user.path(&format!("/tasks/{task_id}"))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(min: i64, max: i64) -> db::ItemChoice {
        db::ItemChoice {
            id: Uuid::nil(),
            code: "X01".into(),
            title: "阻拦".into(),
            points_min: Decimal::from(min),
            points_max: Decimal::from(max),
        }
    }

    #[test]
    fn ins_08_discretionary_points_must_stay_inside_the_items_range() {
        let items = [item(1, 5)];
        let tz = chrono_tz::Asia::Shanghai;
        let mut form = DraftForm {
            item_id: Uuid::nil().to_string(),
            points: "3".into(),
            ..Default::default()
        };
        let fields = form.validate(&items, &[], tz);
        assert_eq!(fields.ok().and_then(|f| f.points), Some(Decimal::from(3)));
        form.points = "6".into();
        assert_eq!(
            form.validate(&items, &[], tz).err(),
            Some(vec!["findings.error_points"])
        );
        form.points = "0.5".into();
        assert!(form.validate(&items, &[], tz).is_err());
    }

    #[test]
    fn ins_10_a_signature_needs_a_name_and_a_mark_and_a_refusal_needs_its_reason() {
        let signed = SignoffForm {
            outcome: "signed".into(),
            ..Default::default()
        };
        assert_eq!(
            signed.check(),
            vec!["signoff.error_name", "signoff.error_signature_missing"]
        );
        let typed = SignoffForm {
            outcome: "signed".into(),
            signer_name: "王五".into(),
            typed_signature: "王五".into(),
            ..Default::default()
        };
        assert!(typed.check().is_empty());
        let refused = SignoffForm {
            outcome: "refused".into(),
            ..Default::default()
        };
        assert_eq!(refused.check(), vec!["signoff.error_reason"]);
    }
}
