//! Rounds of open inspections (INS-06): the office plans a round inside the open year; a unit
//! whose last inspection had confirmed findings must be inspected in the next round, so a round
//! shows those units, and its plan is fixed only when each is in it or left out with a reason the
//! round shows.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db::{self, MandatoryRow, RoundRow};
use crate::audit::{self, Event};
use crate::auth::{CurrentUser, Role};
use crate::db::{RequestTx, Tx};
use crate::error::{AppResult, not_found};
use crate::registry::handlers::{YearPath, year_of};
use crate::registry::model::YearStatus;
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

/// The typed fields of a new round.
#[derive(Debug, Default, Clone)]
pub struct RoundForm {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl RoundForm {
    /// A round has a name and dates inside its year, the end not before the start.
    pub fn validate(&self, year: i32) -> Result<(String, NaiveDate, NaiveDate), Vec<&'static str>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push("rounds.error_name");
        }
        let date = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| chrono::Datelike::year(d) == year)
        };
        let (starts, ends) = (date(&self.starts_on), date(&self.ends_on));
        match (starts, ends) {
            (Some(s), Some(e)) if e >= s => {}
            (Some(_), Some(_)) => errors.push("rounds.error_order"),
            _ => errors.push("rounds.error_dates"),
        }
        match (errors.is_empty(), starts, ends) {
            (true, Some(s), Some(e)) => Ok((name.to_string(), s, e)),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "inspections/rounds.html")]
pub struct RoundsPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub rounds: Vec<RoundRow>,
    pub can_plan: bool,
    pub form: RoundForm,
    pub errors: Vec<String>,
}

async fn rounds_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    year: &crate::registry::db::YearRow,
    form: RoundForm,
    errors: Vec<String>,
) -> AppResult<RoundsPage> {
    let rounds = db::rounds(tx, Some(year.id), None).await?;
    Ok(RoundsPage {
        can_plan: YearStatus::parse(&year.status) == Some(YearStatus::Open)
            && matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
        year: year.year,
        rounds,
        form,
        errors,
        ctx,
    })
}

pub async fn list_rounds(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, path).await?;
    let page = rounds_page(ctx, &user, &mut tx, &year, RoundForm::default(), Vec::new()).await?;
    drop(tx);
    render(&page)
}

pub async fn create_round(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = RoundForm::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "name" => form.name = value.into_owned(),
            "starts_on" => form.starts_on = value.into_owned(),
            "ends_on" => form.ends_on = value.into_owned(),
            _ => {}
        }
    }
    let mut tx = request_tx.acquire().await?;
    let year = year_of(&mut tx, path).await?;
    let mut errors: Vec<String> = Vec::new();
    if YearStatus::parse(&year.status) != Some(YearStatus::Open) {
        errors.push(ctx.tf("error.year_closed", &year.year.to_string()));
    }
    let valid = form.validate(year.year);
    if let Err(keys) = &valid {
        errors.extend(keys.iter().map(|k| ctx.t(k).to_string()));
    }
    let (Ok((name, starts_on, ends_on)), true) = (valid, errors.is_empty()) else {
        let page = rounds_page(ctx, &user, &mut tx, &year, form, errors).await?;
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
    let event = Event {
        action: "round.create",
        subject_type: "inspection_round",
        subject_id: Some(id),
        detail: json!({ "name": name, "starts_on": starts_on, "ends_on": ends_on }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    Ok(Redirect::to(&user.path(&format!("/rounds/{id}"))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct RoundPath {
    pub round_id: Uuid,
}

#[derive(Template)]
#[template(path = "inspections/round.html")]
pub struct RoundPage {
    pub ctx: PageCtx,
    pub round: RoundRow,
    pub tasks: Vec<super::views::TaskItem>,
    pub mandatory: Vec<MandatoryRow>,
    pub can_plan: bool,
    pub errors: Vec<String>,
    pub history: Vec<crate::audit::views::TimelineEntry>,
}

impl RoundPage {
    /// Mandatory units that the round neither plans nor leaves out with a reason.
    pub fn unresolved(&self) -> usize {
        self.mandatory
            .iter()
            .filter(|m| !m.planned && m.reason.is_none())
            .count()
    }
}

async fn round_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    round_id: Uuid,
    errors: Vec<String>,
) -> AppResult<RoundPage> {
    let round = db::rounds(tx, None, Some(round_id))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    let tasks = super::handlers::task_items(&ctx, db::round_tasks(tx, round_id).await?);
    let mandatory = db::mandatory_units(tx, round.year_id, round.starts_on, Some(round_id)).await?;
    let history = crate::audit::db::events_for_subject(tx, "inspection_round", round_id)
        .await?
        .into_iter()
        .map(|e| crate::audit::views::TimelineEntry::new(&ctx, e))
        .collect();
    Ok(RoundPage {
        can_plan: round.fixed_at.is_none()
            && matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
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
    path: Result<Path<RoundPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(RoundPath { round_id }) = path.map_err(|_| not_found())?;
    let page = round_page(ctx, &user, &mut tx, round_id, Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// INS-06: records why the round leaves out a unit that must be inspected next.
pub async fn record_omission(
    user: CurrentUser,
    path: Result<Path<RoundPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(RoundPath { round_id }) = path.map_err(|_| not_found())?;
    let mut unit = String::new();
    let mut reason = String::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "unit_id" => unit = value.into_owned(),
            "reason" => reason = value.trim().to_string(),
            _ => {}
        }
    }
    let mut tx = request_tx.acquire().await?;
    let page = round_page(ctx.clone(), &user, &mut tx, round_id, Vec::new()).await?;
    let target = page
        .mandatory
        .iter()
        .find(|m| m.unit_id.to_string() == unit && !m.planned && m.reason.is_none());
    let error = if !page.can_plan {
        Some("rounds.error_fixed")
    } else if target.is_none() {
        Some("rounds.error_not_mandatory")
    } else if reason.is_empty() || reason.chars().count() > 1000 {
        Some("rounds.error_reason")
    } else {
        None
    };
    if let Some(key) = error {
        let mut page = page;
        page.errors = vec![ctx.t(key).to_string()];
        drop(tx);
        return render_invalid(&page);
    }
    let Some(target) = target else {
        return Err(not_found());
    };
    let unit_id = target.unit_id;
    let unit_name = target.name.clone();
    db::insert_omission(&mut tx, user.tenant_id, round_id, unit_id, &reason, user.id).await?;
    let event = Event {
        action: "round.omit",
        subject_type: "inspection_round",
        subject_id: Some(round_id),
        detail: json!({ "unit": unit_name, "reason": reason }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Success, "rounds.omitted", None).await;
    Ok(Redirect::to(&user.path(&format!("/rounds/{round_id}"))).into_response())
}

/// INS-06: fixes the round's plan, refused while a unit that must be inspected next is neither
/// planned nor left out with a reason (each is named).
pub async fn fix_round(
    user: CurrentUser,
    path: Result<Path<RoundPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(RoundPath { round_id }) = path.map_err(|_| not_found())?;
    let mut tx = request_tx.acquire().await?;
    let page = round_page(ctx.clone(), &user, &mut tx, round_id, Vec::new()).await?;
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
        let mut page = page;
        page.errors = errors;
        drop(tx);
        return render_invalid(&page);
    }
    db::fix_round(&mut tx, user.tenant_id, round_id, user.id).await?;
    let event = Event {
        action: "round.fix",
        subject_type: "inspection_round",
        subject_id: Some(round_id),
        detail: json!({
            "tasks": page.round.task_count,
            "omitted": page.mandatory.iter().filter(|m| !m.planned).count(),
        }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Success, "rounds.fixed", None).await;
    Ok(Redirect::to(&user.path(&format!("/rounds/{round_id}"))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_06_a_round_has_a_name_and_ordered_dates_inside_its_year() {
        let form = |name: &str, s: &str, e: &str| RoundForm {
            name: name.into(),
            starts_on: s.into(),
            ends_on: e.into(),
        };
        assert!(
            form("第四季度", "2026-10-01", "2026-12-31")
                .validate(2026)
                .is_ok()
        );
        assert_eq!(
            form("", "2026-10-01", "2026-12-31").validate(2026).err(),
            Some(vec!["rounds.error_name"])
        );
        assert_eq!(
            form("x", "2026-12-01", "2026-10-01").validate(2026).err(),
            Some(vec!["rounds.error_order"])
        );
        assert_eq!(
            form("x", "2027-01-01", "2027-02-01").validate(2026).err(),
            Some(vec!["rounds.error_dates"])
        );
    }
}
