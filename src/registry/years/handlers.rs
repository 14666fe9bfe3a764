//! Assessment years (INS-01) and their deduction catalogs (INS-15): every role reads them; the
//! administrator opens, closes and reopens years and keeps the catalog of an open year.

use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, YearRow};
use super::model::{ItemFields, ItemInput, YearStatus, parse_year};
use super::views::{CatalogPage, ItemFormPage, ItemView, YearView, YearsPage};
use super::{OpenYearError, open_year as open_assessment_year};
use crate::audit::{Acting, Event};
use crate::core::{AppResult, CurrentUser, FieldErrors, Now, Role, not_found};
use crate::db::{RequestTx, Tx};
use crate::web::{Flash, Form, PageCtx, Path, render, render_invalid};

/// `/{office}/years/{year}`.
#[derive(Debug, Deserialize)]
pub struct YearPath {
    pub year: i32,
}

/// `/{office}/years/{year}/catalog/{item_id}`.
#[derive(Debug, Deserialize)]
pub struct ItemPath {
    pub year: i32,
    pub item_id: Uuid,
}

/// The year the office opened under this number; anything else is not found.
pub async fn year_of(tx: &mut Tx, year: i32) -> AppResult<YearRow> {
    db::find_year(tx, year).await?.ok_or_else(not_found)
}

fn year_status(year: &YearRow) -> YearStatus {
    YearStatus::parse(&year.status).unwrap_or(YearStatus::Closed)
}

pub async fn list_years(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = db::list_years(&mut tx).await?;
    drop(tx);
    let next = rows
        .first()
        .map(|y| y.year + 1)
        .unwrap_or_else(|| ctx.local_date(now).year());
    render(&years_page(ctx, &user, rows, next.to_string(), None))
}

fn years_page(
    ctx: PageCtx,
    user: &CurrentUser,
    rows: Vec<YearRow>,
    new_year: String,
    error: Option<&'static str>,
) -> YearsPage {
    let years = rows
        .into_iter()
        .map(|y| YearView {
            open: year_status(&y) == YearStatus::Open,
            opened: ctx.local_time(&y.opened_at),
            closed: y
                .closed_at
                .as_ref()
                .map(|t| ctx.local_time(t))
                .unwrap_or_default(),
            year: y.year,
            units: y.units,
            items: y.items,
        })
        .collect();
    YearsPage {
        ctx,
        years,
        can_manage: user.role == Role::OfficeAdmin,
        new_year,
        error,
        close_error: None,
    }
}

#[derive(Debug, Deserialize)]
pub struct OpenYearForm {
    pub year: String,
}

/// Opens an assessment year (INS-01, INS-15).
pub async fn open_year(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<OpenYearForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let tenant = acting.user.tenant_id;
    let refused = match parse_year(&form.year) {
        Err(key) => key,
        Ok(year) => match open_assessment_year(&mut tx, tenant, &acting.actor(), year).await {
            Ok(_) => {
                let done = Flash::success("years.opened_done").with(year.to_string());
                return Ok(acting.done(done, &format!("/years/{year}/catalog")).await);
            }
            Err(OpenYearError::Exists(_)) => "error.year_exists",
            Err(OpenYearError::Database(e)) => return Err(e.into()),
        },
    };
    let rows = db::list_years(&mut tx).await?;
    drop(tx);
    render_invalid(&years_page(
        ctx,
        &acting.user,
        rows,
        form.year,
        Some(refused),
    ))
}

/// Closes a year: its scores, ranks and excellence list are frozen into a snapshot (its digest in
/// the audit log), and from now on its list, catalog and ledger are read-only. Refused, with the
/// years page saying why, until the office has decided an excellence list that fits the scores
/// (INS-08).
pub async fn close_year(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    use crate::scoring::model::CloseRefusal;
    use crate::scoring::{CloseYearError, close_year as freeze};
    let year = year_of(&mut tx, year).await?;
    let key = (acting.user.tenant_id, year.id, year.year);
    let refused = match freeze(&mut tx, key, (&acting.actor(), acting.user.id)).await {
        Ok(_) => {
            let done = Flash::success("years.close_frozen").with(year.year.to_string());
            return Ok(acting
                .done(done, &format!("/years/{}/ranking", year.year))
                .await);
        }
        Err(CloseYearError::Closed) => {
            let done = Flash::success("years.closed_done").with(year.year.to_string());
            return Ok(acting.done(done, "/years").await);
        }
        Err(CloseYearError::Refused(CloseRefusal::WorkPending(p))) => {
            let waiting: Vec<String> = [
                ("years.pending_findings", p.findings),
                ("years.pending_appeals", p.appeals),
                ("years.pending_self_reports", p.self_reports),
            ]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(key, n)| ctx.tf(key, &n.to_string()))
            .collect();
            let year = year.year.to_string();
            ctx.tfn("years.close_pending", &[&year, &waiting.join("；")])
        }
        Err(CloseYearError::Refused(CloseRefusal::NoDecision)) => {
            ctx.t("years.close_no_decision").to_string()
        }
        Err(CloseYearError::Refused(CloseRefusal::DecisionStale(_))) => {
            ctx.t("years.close_stale").to_string()
        }
        Err(CloseYearError::Database(e)) => return Err(e.into()),
    };
    let rows = db::list_years(&mut tx).await?;
    drop(tx);
    let next = rows.first().map(|y| y.year + 1).unwrap_or(year.year + 1);
    let mut page = years_page(ctx, &acting.user, rows, next.to_string(), None);
    page.close_error = Some(refused);
    render_invalid(&page)
}

pub async fn reopen_year(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    tx: Tx,
) -> AppResult<Response> {
    set_year_status(acting, tx, year, YearStatus::Open).await
}

async fn set_year_status(
    acting: Acting,
    mut tx: Tx,
    year: i32,
    status: YearStatus,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let (action, key) = match status {
        YearStatus::Open => ("year.reopen", "years.reopened_done"),
        YearStatus::Closed => ("year.close", "years.closed_done"),
    };
    let done = Flash::success(key).with(year.year.to_string());
    if !db::set_year_status(&mut tx, year.id, status.as_str(), acting.now).await? {
        return Ok(acting.done(done, "/years").await);
    }
    let detail = json!({ "year": year.year });
    let event = Event::new(action, ("assessment_year", year.id), detail);
    acting.recorded(&mut tx, event, done, "/years").await
}

/// The year's deduction catalog (INS-15), for every role of the office.
pub async fn show_catalog(
    user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let items = db::list_items(&mut tx, year.id).await?;
    drop(tx);
    let open = year_status(&year) == YearStatus::Open;
    let items = items.into_iter().map(|i| ItemView::new(&ctx, i)).collect();
    render(&CatalogPage {
        ctx,
        year: year.year,
        open,
        can_edit: open && user.role == Role::OfficeAdmin,
        items,
    })
}

/// The year of the path, open for changes; a closed year sends the user back to its catalog,
/// saying why (a 404 would hide it).
async fn open_year_of(
    tx: &mut Tx,
    acting: &Acting,
    year: i32,
) -> AppResult<Result<YearRow, Response>> {
    let row = year_of(tx, year).await?;
    match year_status(&row).ensure_open() {
        Ok(()) => Ok(Ok(row)),
        Err(key) => {
            let refused = Flash::error(key).with(year.to_string());
            Ok(Err(acting
                .done(refused, &format!("/years/{year}/catalog"))
                .await))
        }
    }
}

pub async fn new_item_form(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = match open_year_of(&mut tx, &acting, year).await? {
        Ok(year) => year,
        Err(back) => return Ok(back),
    };
    drop(tx);
    let input = ItemInput {
        for_open: true,
        points_min: "1".into(),
        ..Default::default()
    };
    render(&ItemFormPage {
        ctx,
        year: year.year,
        item_id: None,
        input,
        errors: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct ItemForm {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub for_open: Option<String>,
    #[serde(default)]
    pub for_covert: Option<String>,
    #[serde(default)]
    pub for_system: Option<String>,
    pub points_min: String,
    #[serde(default)]
    pub points_max: String,
    #[serde(default)]
    pub rule_id: String,
    #[serde(default)]
    pub costs_excellence: Option<String>,
}

impl From<ItemForm> for ItemInput {
    fn from(f: ItemForm) -> Self {
        Self {
            code: f.code,
            title: f.title,
            for_open: f.for_open.is_some(),
            for_covert: f.for_covert.is_some(),
            for_system: f.for_system.is_some(),
            points_min: f.points_min,
            points_max: f.points_max,
            rule_id: f.rule_id,
            costs_excellence: f.costs_excellence.is_some(),
        }
    }
}

fn item_detail(fields: &ItemFields) -> serde_json::Value {
    json!({
        "code": fields.code,
        "title": fields.title,
        "points": format!("{}~{}", fields.points_min.normalize(), fields.points_max.normalize()),
        "rule_id": fields.rule_id,
    })
}

/// Adds an item to an open year's catalog (INS-15).
pub async fn create_item(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let year = match open_year_of(&mut tx, &acting, year).await? {
        Ok(year) => year,
        Err(back) => return Ok(back),
    };
    let input = ItemInput::from(form);
    let tenant = acting.user.tenant_id;
    let errors: FieldErrors = match input.validate() {
        Ok(fields) => match db::insert_item(&mut tx, tenant, year.id, &fields, None).await? {
            Some(id) => {
                let event = Event::new(
                    "catalog.item_add",
                    ("deduction_item", id),
                    item_detail(&fields),
                );
                let done = Flash::success("catalog.saved").with(fields.code);
                let back = format!("/years/{}/catalog", year.year);
                return acting.recorded(&mut tx, event, done, &back).await;
            }
            None => vec![("code", "error.item_code_taken")],
        },
        Err(errors) => errors,
    };
    drop(tx);
    render_invalid(&ItemFormPage {
        ctx,
        year: year.year,
        item_id: None,
        input,
        errors,
    })
}

pub async fn edit_item_form(
    acting: Acting,
    Path(ItemPath { year, item_id }): Path<ItemPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = match open_year_of(&mut tx, &acting, year).await? {
        Ok(year) => year,
        Err(back) => return Ok(back),
    };
    let item = db::get_item(&mut tx, year.id, item_id).await?;
    drop(tx);
    let input = ItemInput {
        code: item.code,
        title: item.title,
        for_open: item.for_open,
        for_covert: item.for_covert,
        for_system: item.for_system,
        points_min: item.points_min.normalize().to_string(),
        points_max: item.points_max.normalize().to_string(),
        rule_id: item.rule_id,
        costs_excellence: item.costs_excellence,
    };
    render(&ItemFormPage {
        ctx,
        year: year.year,
        item_id: Some(item.id.to_string()),
        input,
        errors: Vec::new(),
    })
}

/// Changes an item of an open year's catalog.
pub async fn update_item(
    acting: Acting,
    Path(ItemPath { year, item_id }): Path<ItemPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let year = match open_year_of(&mut tx, &acting, year).await? {
        Ok(year) => year,
        Err(back) => return Ok(back),
    };
    db::get_item(&mut tx, year.id, item_id).await?;
    let input = ItemInput::from(form);
    let errors: FieldErrors = match input.validate() {
        Ok(fields) if db::update_item(&mut tx, year.id, item_id, &fields).await? => {
            let event = Event::new(
                "catalog.item_change",
                ("deduction_item", item_id),
                item_detail(&fields),
            );
            let done = Flash::success("catalog.saved").with(fields.code);
            let back = format!("/years/{}/catalog", year.year);
            return acting.recorded(&mut tx, event, done, &back).await;
        }
        Ok(_) => vec![("code", "error.item_code_taken")],
        Err(errors) => errors,
    };
    drop(tx);
    render_invalid(&ItemFormPage {
        ctx,
        year: year.year,
        item_id: Some(item_id.to_string()),
        input,
        errors,
    })
}

/// Retires an item (INS-15): it is never deleted, since findings may point at it.
pub async fn retire_item(
    acting: Acting,
    Path(path): Path<ItemPath>,
    tx: Tx,
) -> AppResult<Response> {
    set_item_retired(acting, path, tx, true).await
}

pub async fn restore_item(
    acting: Acting,
    Path(path): Path<ItemPath>,
    tx: Tx,
) -> AppResult<Response> {
    set_item_retired(acting, path, tx, false).await
}

async fn set_item_retired(
    acting: Acting,
    ItemPath { year, item_id }: ItemPath,
    mut tx: Tx,
    retired: bool,
) -> AppResult<Response> {
    let year = match open_year_of(&mut tx, &acting, year).await? {
        Ok(year) => year,
        Err(back) => return Ok(back),
    };
    let back = format!("/years/{}/catalog", year.year);
    let item = db::get_item(&mut tx, year.id, item_id).await?;
    let (action, key) = if retired {
        ("catalog.item_retire", "catalog.retired_done")
    } else {
        ("catalog.item_restore", "catalog.restored_done")
    };
    let done = Flash::success(key).with(item.code.clone());
    if !db::set_item_retired(&mut tx, year.id, item_id, retired).await? {
        return Ok(acting.done(done, &back).await);
    }
    let event = Event::new(
        action,
        ("deduction_item", item_id),
        json!({ "code": item.code }),
    );
    acting.recorded(&mut tx, event, done, &back).await
}
