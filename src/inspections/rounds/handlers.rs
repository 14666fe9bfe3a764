//! Rounds of open inspections (INS-06): the office plans a round inside the open year; a unit
//! whose last inspection had confirmed findings must be inspected in the next round, so a round
//! shows those units, and its plan is fixed only when each is in it or left out with a reason the
//! round shows.

use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db;
use super::model::RoundForm;
use super::views::{RoundPage, RoundsPage};
use crate::audit::{Acting, Event, views::TimelineEntry};
use crate::core::{AppResult, CurrentUser, Now, not_found};
use crate::db::{RequestTx, Tx};
use crate::inspections::handlers::task_items;
use crate::registry::years::db::YearRow;
use crate::registry::years::handlers::{YearPath, year_of};
use crate::registry::years::model::YearStatus;
use crate::web::{Flash, Form, PageCtx, Path, render, render_invalid};

/// The longest reason for leaving a unit out of a round.
const REASON_MAX: usize = 1000;

async fn rounds_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    year: &YearRow,
    form: RoundForm,
    errors: Vec<String>,
) -> AppResult<RoundsPage> {
    let rounds = db::rounds(tx, Some(year.id), None).await?;
    Ok(RoundsPage {
        can_plan: YearStatus::parse(&year.status) == Some(YearStatus::Open) && user.of_office(),
        year: year.year,
        rounds,
        form,
        errors,
        ctx,
    })
}

pub async fn list_rounds(
    user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let page = rounds_page(ctx, &user, &mut tx, &year, RoundForm::default(), Vec::new()).await?;
    drop(tx);
    render(&page)
}

pub async fn create_round(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<RoundForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    let year = year_of(&mut tx, year).await?;
    let mut errors: Vec<String> = Vec::new();
    if YearStatus::parse(&year.status) != Some(YearStatus::Open) {
        errors.push(ctx.tf("error.year_closed", &year.year.to_string()));
    }
    let valid = form.validate(year.year);
    if let Err(keys) = &valid {
        errors.extend(keys.iter().map(|k| ctx.t(k).to_string()));
    }
    let (Ok((name, starts_on, ends_on)), true) = (valid, errors.is_empty()) else {
        let page = rounds_page(ctx, user, &mut tx, &year, form, errors).await?;
        drop(tx);
        return render_invalid(&page);
    };
    let id = db::insert_round(
        &mut tx,
        user.tenant_id,
        year.id,
        &name,
        starts_on,
        ends_on,
        user.id,
    )
    .await?;
    let detail = json!({ "name": name, "starts_on": starts_on, "ends_on": ends_on });
    let event = Event::new("round.create", ("inspection_round", id), detail);
    let done = Flash::success("rounds.created").with(name.clone());
    acting
        .recorded(&mut tx, event, done, &format!("/rounds/{id}"))
        .await
}

#[derive(Debug, Deserialize)]
pub struct RoundPath {
    pub round_id: Uuid,
}

async fn round_page(
    ctx: PageCtx,
    (user, now): (&CurrentUser, DateTime<Utc>),
    tx: &mut Tx,
    round_id: Uuid,
    errors: Vec<String>,
) -> AppResult<RoundPage> {
    let round = db::rounds(tx, None, Some(round_id))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    let tasks = task_items(&ctx, now, db::round_tasks(tx, round_id).await?);
    let mandatory = db::mandatory_units(tx, round.year_id, round.starts_on, Some(round_id)).await?;
    let history = crate::audit::db::events_for_subject(tx, "inspection_round", round_id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    Ok(RoundPage {
        can_plan: round.fixed_at.is_none() && user.of_office(),
        round,
        tasks,
        mandatory,
        errors,
        history,
        ctx,
    })
}

pub async fn show_round(
    user: CurrentUser,
    Now(now): Now,
    Path(RoundPath { round_id }): Path<RoundPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = round_page(ctx, (&user, now), &mut tx, round_id, Vec::new()).await?;
    drop(tx);
    render(&page)
}

#[derive(Debug, Deserialize)]
pub struct OmissionForm {
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub reason: String,
}

/// INS-06: records why the round leaves out a unit that must be inspected next.
pub async fn record_omission(
    acting: Acting,
    Path(RoundPath { round_id }): Path<RoundPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<OmissionForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let reason = form.reason.trim();
    let mut tx = request_tx.acquire().await?;
    let mut page = round_page(
        ctx.clone(),
        (user, acting.now),
        &mut tx,
        round_id,
        Vec::new(),
    )
    .await?;
    let target = page
        .mandatory
        .iter()
        .find(|m| m.unit_id.to_string() == form.unit_id && !m.planned && m.reason.is_none())
        .map(|m| (m.unit_id, m.name.clone()));
    let error = match target {
        _ if !page.can_plan => Some("rounds.error_fixed"),
        None => Some("rounds.error_not_mandatory"),
        Some(_) if reason.is_empty() || reason.chars().count() > REASON_MAX => {
            Some("rounds.error_reason")
        }
        Some(_) => None,
    };
    let (Some((unit_id, unit_name)), None) = (target, error) else {
        page.errors = vec![
            ctx.t(error.unwrap_or("rounds.error_not_mandatory"))
                .to_string(),
        ];
        drop(tx);
        return render_invalid(&page);
    };
    db::insert_omission(&mut tx, user.tenant_id, round_id, unit_id, reason, user.id).await?;
    let detail = json!({ "unit": unit_name, "reason": reason });
    let event = Event::new("round.omit", ("inspection_round", round_id), detail);
    let done = Flash::success("rounds.omitted");
    acting
        .recorded(&mut tx, event, done, &format!("/rounds/{round_id}"))
        .await
}

/// INS-06: fixes the round's plan, refused while a unit that must be inspected next is neither
/// planned nor left out with a reason (each is named).
pub async fn fix_round(
    acting: Acting,
    Path(RoundPath { round_id }): Path<RoundPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    let mut page = round_page(
        ctx.clone(),
        (user, acting.now),
        &mut tx,
        round_id,
        Vec::new(),
    )
    .await?;
    let mut errors: Vec<String> = page
        .mandatory
        .iter()
        .filter(|m| !m.planned && m.reason.is_none())
        .map(|m| ctx.tf("rounds.error_unresolved", &m.name))
        .collect();
    if !page.can_plan {
        errors.push(ctx.t("rounds.error_fixed").into());
    }
    if !errors.is_empty() {
        page.errors = errors;
        drop(tx);
        return render_invalid(&page);
    }
    db::fix_round(&mut tx, user.tenant_id, round_id, user.id).await?;
    let detail = json!({
        "tasks": page.round.task_count,
        "omitted": page.mandatory.iter().filter(|m| !m.planned).count(),
    });
    let event = Event::new("round.fix", ("inspection_round", round_id), detail);
    let done = Flash::success("rounds.fixed");
    acting
        .recorded(&mut tx, event, done, &format!("/rounds/{round_id}"))
        .await
}
