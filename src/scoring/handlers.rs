//! The year's results: the ranking (with its rules, PDF and export), the office's excellence
//! decision (INS-08), warning units (SYS-8, accountability rule art. 3), and each unit's score
//! sheet with every deduction behind it.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::YearRef as YearRow;
use super::model::{DecisionInput, Ranked, RulesInput, WarningInput};
use super::views::{
    DEDUCTION_COLUMNS, DeductionLine, ExcellencePage, RANKING_COLUMNS, RankingPage, ScorePage,
    WarningsPage, decision_messages, ranking_document, ranking_row, score_document,
};
use super::{YearResults, db, year_results};
use crate::AppState;
use crate::audit::{Acting, Event};
use crate::core::{AppResult, CurrentUser, FieldErrors, Role, not_found};
use crate::db::{RequestTx, Tx};
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

/// `/{office}/years/{year}/…`.
#[derive(Debug, Deserialize)]
pub struct YearPath {
    pub year: i32,
}

/// The year the office opened under this number; anything else is not found.
async fn year_of(tx: &mut Tx, year: i32) -> AppResult<YearRow> {
    db::find_year(tx, year).await?.ok_or_else(not_found)
}

/// The year's ranking and the forms beside it, read for `user` (the results through the
/// office's short-lived copy).
async fn ranking_page(
    (ctx, state): (PageCtx, &AppState),
    user: &CurrentUser,
    tx: &mut Tx,
    (year, overall): (&YearRow, bool),
    rules_input: Option<(RulesInput, FieldErrors)>,
) -> AppResult<RankingPage> {
    let key = (user.tenant_id, year.id);
    let fresh = (state.changes.of(user.tenant_id), state.clock.now());
    let results = super::cached_results(tx, &state.year_results, key, fresh).await?;
    let warnings = results.lines.iter().filter(|l| l.warning).count();
    let open = year.status == "open";
    let mut categories: Vec<String> = results.lines.iter().map(|l| l.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let (rules_input, rules_errors) =
        rules_input.unwrap_or_else(|| (RulesInput::of(&results.rules, &categories), Vec::new()));
    Ok(RankingPage::new(
        ctx,
        (year.year, open, overall),
        &results,
        warnings,
        (
            user.role == Role::OfficeAdmin && open,
            user.of_office() && open,
        ),
        (rules_input, rules_errors),
    ))
}

/// `?view=overall`: the whole list rather than each category.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RankingQuery {
    pub view: String,
}

/// INS-08: the year's ranking, by category and overall (provisional while the year is open,
/// from its snapshot once closed), with each unit's excellence and warning marks and the
/// year's scoring rules.
pub async fn show_ranking(
    user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    Query(query): Query<RankingQuery>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let overall = query.view == "overall";
    let page = ranking_page((ctx, &state), &user, &mut tx, (&year, overall), None).await?;
    drop(tx);
    render(&page)
}

/// The administrator sets the year's base score, floor and categories' bases; a closed year
/// refuses.
pub async fn update_rules(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
    Form(input): Form<RulesInput>,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let back = format!("/years/{}/ranking", year.year);
    if year.status != "open" {
        return Ok(acting.done(closed(year.year), &back).await);
    }
    let rules = match input.validate() {
        Ok(rules) => rules,
        Err(errors) => {
            let page = ranking_page(
                (ctx, &state),
                &acting.user,
                &mut tx,
                (&year, false),
                Some((input, errors)),
            );
            let page = page.await?;
            drop(tx);
            return render_invalid(&page);
        }
    };
    db::set_score_rules(&mut tx, acting.user.tenant_id, year.id, &rules).await?;
    let by_category: serde_json::Map<String, serde_json::Value> = rules
        .by_category
        .iter()
        .map(|(c, b)| (c.clone(), json!(b.normalize().to_string())))
        .collect();
    let detail = json!({
        "year": year.year,
        "base": rules.base.normalize().to_string(),
        "floor": rules.floor.normalize().to_string(),
        "by_category": by_category,
    });
    let event = Event::new("year.rules", ("assessment_year", year.id), detail);
    let done = Flash::success("scoring.rules_saved");
    acting.recorded(&mut tx, event, done, &back).await
}

/// The message of a change refused because the year is closed.
fn closed(year: i32) -> Flash {
    Flash::error("error.year_closed").with(year.to_string())
}

/// The ranking as a spreadsheet: every unit, overall-ranked, with its category rank.
pub async fn export_ranking(
    _user: CurrentUser,
    format: ExportFormat,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let results = year_results(&mut tx, year.id).await?;
    drop(tx);
    let rows = results.lines.iter().map(|l| ranking_row(&ctx, l)).collect();
    let name = format!("ranking-{}", year.year);
    Export::translated(&ctx, &name, &RANKING_COLUMNS, rows).respond(format)
}

/// The ranking table of the year as a PDF, A4 landscape.
pub async fn ranking_pdf(
    _user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let year = year_of(&mut tx, year).await?;
    let results = year_results(&mut tx, year.id).await?;
    let office = db::office_name(&mut tx).await?;
    drop(tx);
    let today = ctx.local_date(state.clock.now());
    let document = ranking_document(&ctx, (&office, year.year, today), &results);
    let back = ctx.href(&format!("/years/{}/ranking", year.year));
    let name = document.title.clone();
    crate::documents::handlers::pdf_response(
        &state.documents,
        &request_tx,
        ctx,
        &document,
        &name,
        back,
    )
    .await
}

/// The excellence page: the eligible units of each category, the proposal, and the office's
/// decision (a form for the office while the year is open).
async fn excellence_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    year: &YearRow,
    typed: Option<(DecisionInput, Vec<String>)>,
) -> AppResult<ExcellencePage> {
    let results = year_results(tx, year.id).await?;
    let open = year.status == "open";
    // the form lists every unit eligible now, as ranked before any decision
    let eligible: Vec<&Ranked> = results
        .proposal
        .iter()
        .filter(|l| l.excellence.is_eligible())
        .collect();
    let (input, errors) = typed.unwrap_or_else(|| {
        let decided = results.decision.as_ref().map(|d| &d.1);
        (DecisionInput::of(&eligible, decided), Vec::new())
    });
    Ok(ExcellencePage::new(
        ctx,
        (year.year, open, user.of_office() && open),
        &results,
        (input, errors),
    ))
}

pub async fn show_excellence(
    user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let page = excellence_page(ctx, &user, &mut tx, &year, None).await?;
    drop(tx);
    render(&page)
}

/// INS-08: the office records its decision on the year's excellence list: only eligible units,
/// no category over its share, every proposed unit left out with its reason.
pub async fn decide_excellence(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
    Form(input): Form<DecisionInput>,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let back = format!("/years/{}/excellence", year.year);
    if db::lock_year(&mut tx, year.id).await?.as_deref() != Some("open") {
        return Ok(acting.done(closed(year.year), &back).await);
    }
    let super::Live {
        excellence,
        proposal: fresh,
        ..
    } = super::live_results(&mut tx, year.id).await?;
    let checked = input.decision().map_err(|errors| {
        errors
            .iter()
            .map(|(_, key)| ctx.t(key).to_string())
            .collect::<Vec<_>>()
    });
    let decision = match checked.and_then(|decision| {
        super::model::check_decision(&fresh, &decision, excellence)
            .map(|()| decision)
            .map_err(|errors| decision_messages(&ctx, &errors))
    }) {
        Ok(decision) => decision,
        Err(messages) => {
            let page = excellence_page(ctx, &acting.user, &mut tx, &year, Some((input, messages)));
            let page = page.await?;
            drop(tx);
            return render_invalid(&page);
        }
    };
    let note = input.note.trim();
    let by = (acting.user.id, acting.now);
    let tenant = acting.user.tenant_id;
    let id = db::insert_decision(&mut tx, (tenant, year.id), &decision, note, by).await?;
    let codes = |ids: &mut dyn Iterator<Item = &Uuid>| -> Vec<String> {
        ids.filter_map(|id| fresh.iter().find(|l| l.unit_id == *id))
            .map(|l| l.code.clone())
            .collect()
    };
    let left_out: serde_json::Map<String, serde_json::Value> = decision
        .left_out
        .iter()
        .filter_map(|(id, reason)| {
            let line = fresh.iter().find(|l| l.unit_id == *id)?;
            Some((line.code.clone(), json!(reason)))
        })
        .collect();
    let detail = json!({
        "year": year.year,
        "decision": id,
        "confirmed": codes(&mut decision.confirmed.iter()),
        "left_out": left_out,
        "note": note,
    });
    let event = Event::new("excellence.decide", ("assessment_year", year.id), detail);
    let done = Flash::success("excellence.decided");
    acting.recorded(&mut tx, event, done, &back).await
}

/// The warning units of the year and the form to designate one.
async fn warnings_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    year: &YearRow,
    typed: Option<(WarningInput, FieldErrors)>,
) -> AppResult<WarningsPage> {
    let rows = db::warnings(tx, year.id).await?;
    let open = year.status == "open";
    // the year's listed units, by code, to choose from
    let mut units = match user.of_office() && open {
        true => year_results(tx, year.id).await?.lines,
        false => Vec::new(),
    };
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let (input, errors) = typed.unwrap_or_default();
    Ok(WarningsPage {
        ctx,
        year: year.year,
        can_manage: user.of_office() && open,
        rows,
        units: units
            .into_iter()
            .map(|u| (u.unit_id.to_string(), format!("{} {}", u.code, u.name)))
            .collect(),
        input,
        errors,
    })
}

pub async fn show_warnings(
    user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let page = warnings_page(ctx, &user, &mut tx, &year, None).await?;
    drop(tx);
    render(&page)
}

/// SYS-8 (accountability rule, art. 3): the office designates a unit of the year's list a
/// warning unit, with the reason and the records it rests on.
pub async fn designate_warning(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
    Form(input): Form<WarningInput>,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let back = format!("/years/{}/warnings", year.year);
    if year.status != "open" {
        return Ok(acting.done(closed(year.year), &back).await);
    }
    let (unit, reason, basis) = match input.validate() {
        Ok(valid) => valid,
        Err(errors) => {
            let page = warnings_page(ctx, &acting.user, &mut tx, &year, Some((input, errors)));
            let page = page.await?;
            drop(tx);
            return render_invalid(&page);
        }
    };
    let by = (acting.user.id, acting.now);
    let key = (acting.user.tenant_id, year.id, unit);
    let refusal = match db::listed(&mut tx, year.id, unit).await? {
        false => Some("warnings.error_not_listed"),
        true if !db::designate_warning(&mut tx, key, (&reason, &basis), by).await? => {
            Some("warnings.error_unit_taken")
        }
        true => None,
    };
    if let Some(key) = refusal {
        let errors = vec![("unit_id", key)];
        let page = warnings_page(ctx, &acting.user, &mut tx, &year, Some((input, errors)));
        let page = page.await?;
        drop(tx);
        return render_invalid(&page);
    }
    let detail = json!({ "year": year.year, "unit_id": unit, "reason": reason, "basis": basis });
    let event = Event::new("warning.designate", ("unit", unit), detail);
    let done = Flash::success("warnings.designated_done");
    acting.recorded(&mut tx, event, done, &back).await
}

/// `/{office}/years/{year}/warnings/{unit_id}`.
#[derive(Debug, Deserialize)]
pub struct WarningPath {
    pub year: i32,
    pub unit_id: Uuid,
}

/// The office withdraws a designation while the year is open; the log keeps what it said.
pub async fn withdraw_warning(
    acting: Acting,
    Path(WarningPath { year, unit_id }): Path<WarningPath>,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let back = format!("/years/{}/warnings", year.year);
    if year.status != "open" {
        return Ok(acting.done(closed(year.year), &back).await);
    }
    let Some((reason, basis)) = db::withdraw_warning(&mut tx, year.id, unit_id).await? else {
        return Err(not_found());
    };
    let detail = json!({ "year": year.year, "reason": reason, "basis": basis });
    let event = Event::new("warning.withdraw", ("unit", unit_id), detail);
    let done = Flash::success("warnings.withdrawn");
    acting.recorded(&mut tx, event, done, &back).await
}

/// `/{office}/units/{unit_id}/score`.
#[derive(Debug, Deserialize)]
pub struct UnitPath {
    pub unit_id: Uuid,
}

/// `?year=2026`: the year of the score sheet (the unit's latest listed year when absent).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// A unit's score sheet: the year's results for the unit and every deduction behind its score.
async fn score_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    unit_id: Uuid,
    year: Option<i32>,
) -> AppResult<ScorePage> {
    if !user.may_see_unit(unit_id) {
        return Err(not_found());
    }
    let (code, name, category) = db::unit_heading(tx, unit_id).await?.ok_or_else(not_found)?;
    let years = db::unit_years(tx, unit_id).await?;
    let chosen = match year {
        Some(y) => Some(*years.iter().find(|(_, n)| *n == y).ok_or_else(not_found)?),
        None => years.last().copied(),
    };
    let (results, deductions) = match chosen {
        Some((year_id, _)) => (
            Some(year_results(tx, year_id).await?),
            db::score_deductions(tx, year_id, unit_id).await?,
        ),
        None => (None, Vec::new()),
    };
    let warning = match chosen {
        Some((year_id, _)) => db::warnings(tx, year_id)
            .await?
            .into_iter()
            .find(|w| w.unit_id == unit_id),
        None => None,
    };
    let deductions = deductions
        .into_iter()
        .map(|d| DeductionLine::new(&ctx, user, chosen.map(|c| c.1), d))
        .collect();
    Ok(ScorePage::new(
        ctx,
        (unit_id, code, name, category),
        (years.iter().map(|y| y.1).collect(), chosen.map(|c| c.1)),
        results.map(|r: YearResults| (r.rules.clone(), r.snapshot.clone(), pick(r, unit_id))),
        deductions,
        warning,
    ))
}

/// The unit's line of the year's results.
fn pick(results: YearResults, unit_id: Uuid) -> Option<Ranked> {
    results.lines.into_iter().find(|l| l.unit_id == unit_id)
}

/// The score sheet of a unit for a year: office, leaders, and the unit's own liaison.
pub async fn show_score(
    user: CurrentUser,
    Path(UnitPath { unit_id }): Path<UnitPath>,
    Query(query): Query<YearQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = score_page(ctx, &user, &mut tx, unit_id, query.year).await?;
    drop(tx);
    render(&page)
}

/// The score sheet as a PDF, A4.
pub async fn score_pdf(
    user: CurrentUser,
    Path(UnitPath { unit_id }): Path<UnitPath>,
    Query(query): Query<YearQuery>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let page = score_page(ctx, &user, &mut tx, unit_id, query.year).await?;
    let office = db::office_name(&mut tx).await?;
    drop(tx);
    let today = page.ctx.local_date(state.clock.now());
    let document = score_document(&page, &office, today);
    let back = page.self_href();
    let name = document.title.clone();
    let documents: &Arc<crate::documents::Documents> = &state.documents;
    crate::documents::handlers::pdf_response(
        documents,
        &request_tx,
        page.ctx.clone(),
        &document,
        &name,
        back,
    )
    .await
}

/// The deductions of the score sheet as a spreadsheet.
pub async fn export_score(
    user: CurrentUser,
    format: ExportFormat,
    Path(UnitPath { unit_id }): Path<UnitPath>,
    Query(query): Query<YearQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = score_page(ctx, &user, &mut tx, unit_id, query.year).await?;
    drop(tx);
    let ctx = &page.ctx;
    let rows = page.deductions.iter().map(|d| d.cells(ctx)).collect();
    let name = format!("score-{}-{}", page.code, page.year.unwrap_or_default());
    Export::translated(ctx, &name, &DEDUCTION_COLUMNS, rows).respond(format)
}
