//! Units and their staff (INS-01): lists, forms, the year's assessment list, and CSV import and
//! export. A liaison sees only its own unit; the registry is changed by the office.

use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Multipart, Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db;
use super::units::{self, RowError, StaffInput, UnitInput};
use super::views::{
    ImportPage, RowErrorView, StaffView, UnitFormPage, UnitItem, UnitPage, UnitsPage,
};
use crate::audit::{self, Event, views::TimelineEntry};
use crate::auth::{CurrentUser, Role};
use crate::db::{RequestTx, Tx};
use crate::error::{AppError, AppResult, not_found};
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

const PAGE_SIZE: i64 = 50;

/// `/{office}/units/{unit_id}`.
#[derive(Debug, Deserialize)]
pub struct UnitPath {
    pub unit_id: Uuid,
}

/// `/{office}/units/{unit_id}/staff/{staff_id}`.
#[derive(Debug, Deserialize)]
pub struct StaffPath {
    pub unit_id: Uuid,
    pub staff_id: Uuid,
}

/// The unit of the path, if this user may see it: a liaison only its own (else 404).
fn unit_id(user: &CurrentUser, path: Result<Path<UnitPath>, PathRejection>) -> AppResult<Uuid> {
    let Path(UnitPath { unit_id }) = path.map_err(|_| not_found())?;
    if user.role == Role::Liaison && user.unit_id != Some(unit_id) {
        return Err(not_found());
    }
    Ok(unit_id)
}

/// Who may keep a unit's staff list: the office, and the unit's own liaison.
fn may_edit_staff(user: &CurrentUser, unit_id: Uuid) -> bool {
    matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff)
        || (user.role == Role::Liaison && user.unit_id == Some(unit_id))
}

#[derive(Debug, Deserialize, Default)]
pub struct UnitFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub sort: String,
    pub page: Option<i64>,
}

pub async fn list_units(
    user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
    Query(filter): Query<UnitFilter>,
) -> AppResult<Response> {
    let q = filter.q.trim().to_string();
    let category = filter.category.trim().to_string();
    let sort = match filter.sort.as_str() {
        "name" | "category" => filter.sort.clone(),
        _ => "code".to_string(),
    };
    let page = filter.page.unwrap_or(1).clamp(1, 100_000);
    let year = db::current_open_year(&mut tx).await?;
    let (rows, total) = db::list_units_page(
        &mut tx,
        (!q.is_empty()).then_some(q.as_str()),
        (!category.is_empty()).then_some(category.as_str()),
        &sort,
        year.map(|y| y.0),
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let categories = db::list_categories(&mut tx).await?;
    drop(tx);
    let units = rows
        .into_iter()
        .map(|u| UnitItem {
            href: ctx.href(&format!("/units/{}", u.id)),
            code: u.code,
            name: u.name,
            category: u.category,
            phone: u.phone,
            staff: u.staff,
            listed: u.listed,
        })
        .collect();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let can_edit = user.role == Role::OfficeAdmin;
    render(&UnitsPage {
        ctx,
        units,
        q,
        category,
        sort,
        categories,
        total,
        page,
        pages,
        year: year.map(|y| y.1),
        can_edit,
    })
}

pub async fn new_unit_form(_user: CurrentUser, ctx: PageCtx) -> AppResult<Response> {
    render(&UnitFormPage {
        ctx,
        unit_id: None,
        input: UnitInput::default(),
        errors: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct UnitForm {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub leaders: String,
}

impl From<UnitForm> for UnitInput {
    fn from(f: UnitForm) -> Self {
        Self {
            code: f.code,
            name: f.name,
            category: f.category,
            address: f.address,
            phone: f.phone,
            leaders: f.leaders,
        }
    }
}

fn unit_detail(unit: &UnitInput) -> serde_json::Value {
    json!({ "code": unit.code, "name": unit.name, "category": unit.category })
}

pub async fn create_unit(
    user: CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let input = UnitInput::from(form);
    let mut tx = request_tx.acquire().await?;
    let errors = match input.validate() {
        Ok(unit) => match db::insert_unit_fields(&mut tx, user.tenant_id, &unit).await? {
            Some(id) => {
                let event = Event {
                    action: "unit.create",
                    subject_type: "unit",
                    subject_id: Some(id),
                    detail: unit_detail(&unit),
                };
                audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
                flash::push(&session, FlashKind::Success, "units.saved", Some(unit.name)).await;
                return Ok(Redirect::to(&user.path(&format!("/units/{id}"))).into_response());
            }
            None => vec![("code", "error.unit_code_taken")],
        },
        Err(errors) => errors,
    };
    drop(tx);
    render_invalid(&UnitFormPage {
        ctx,
        unit_id: None,
        input,
        errors,
    })
}

async fn unit_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    unit_id: Uuid,
    staff_input: StaffInput,
    staff_errors: Vec<(&'static str, &'static str)>,
) -> AppResult<UnitPage> {
    let unit = db::get_unit(tx, unit_id).await?;
    let liaisons = db::unit_liaisons(tx, unit_id).await?;
    let staff = db::list_staff(tx, unit_id).await?;
    let year = match db::current_open_year(tx).await? {
        Some((year_id, year)) => Some((year, db::is_listed(tx, year_id, unit_id).await?)),
        None => None,
    };
    let events = audit::db::events_for_subject(tx, "unit", unit_id).await?;
    let staff = staff
        .into_iter()
        .map(|s| StaffView {
            id: s.id.to_string(),
            employment: units::EMPLOYMENT
                .iter()
                .find(|e| e.0 == s.employment)
                .map(|e| ctx.t(e.2))
                .unwrap_or(""),
            name: s.name,
            post: s.post,
            phone: s.phone,
            left: s.left_at.is_some(),
        })
        .collect();
    let history = events
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    let excellence_lost = crate::inspections::db::excellence_lost_years(tx, unit_id).await?;
    let deductions = crate::scoring::db::unit_deductions(tx, unit_id).await?;
    Ok(UnitPage {
        deductions,
        excellence_lost,
        href: ctx.href(&format!("/units/{unit_id}")),
        can_edit_unit: user.role == Role::OfficeAdmin,
        can_edit_staff: may_edit_staff(user, unit_id),
        ctx,
        unit,
        liaisons,
        staff,
        year,
        staff_input,
        staff_errors,
        history,
    })
}

pub async fn show_unit(
    user: CurrentUser,
    path: Result<Path<UnitPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let unit_id = unit_id(&user, path)?;
    let page = unit_page(
        ctx,
        &user,
        &mut tx,
        unit_id,
        StaffInput::default(),
        Vec::new(),
    )
    .await?;
    drop(tx);
    render(&page)
}

pub async fn edit_unit_form(
    user: CurrentUser,
    path: Result<Path<UnitPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let unit_id = unit_id(&user, path)?;
    let unit = db::get_unit(&mut tx, unit_id).await?;
    drop(tx);
    let input = UnitInput {
        code: unit.code,
        name: unit.name,
        category: unit.category,
        address: unit.address,
        phone: unit.phone,
        leaders: unit.leaders,
    };
    render(&UnitFormPage {
        ctx,
        unit_id: Some(unit_id.to_string()),
        input,
        errors: Vec::new(),
    })
}

pub async fn update_unit(
    user: CurrentUser,
    path: Result<Path<UnitPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let unit_id = unit_id(&user, path)?;
    let input = UnitInput::from(form);
    let mut tx = request_tx.acquire().await?;
    db::get_unit(&mut tx, unit_id).await?;
    let errors = match input.validate() {
        Ok(unit) if db::update_unit(&mut tx, unit_id, &unit).await? => {
            let event = Event {
                action: "unit.change",
                subject_type: "unit",
                subject_id: Some(unit_id),
                detail: unit_detail(&unit),
            };
            audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
            flash::push(&session, FlashKind::Success, "units.saved", Some(unit.name)).await;
            return Ok(Redirect::to(&user.path(&format!("/units/{unit_id}"))).into_response());
        }
        Ok(_) => vec![("code", "error.unit_code_taken")],
        Err(errors) => errors,
    };
    drop(tx);
    render_invalid(&UnitFormPage {
        ctx,
        unit_id: Some(unit_id.to_string()),
        input,
        errors,
    })
}

#[derive(Debug, Deserialize)]
pub struct ListingForm {
    pub listed: String,
}

/// Puts the unit on the open year's assessment list or takes it off (INS-01).
pub async fn set_unit_listed(
    user: CurrentUser,
    path: Result<Path<UnitPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    request_tx: RequestTx,
    Form(form): Form<ListingForm>,
) -> AppResult<Response> {
    let unit_id = unit_id(&user, path)?;
    let back = user.path(&format!("/units/{unit_id}"));
    let mut tx = request_tx.acquire().await?;
    let unit = db::get_unit(&mut tx, unit_id).await?;
    let Some((year_id, year)) = db::current_open_year(&mut tx).await? else {
        flash::push(&session, FlashKind::Error, "units.no_open_year", None).await;
        return Ok(Redirect::to(&back).into_response());
    };
    let listed = form.listed == "on";
    if db::set_listed(&mut tx, user.tenant_id, year_id, unit_id, listed).await? {
        let event = Event {
            action: if listed { "unit.list" } else { "unit.unlist" },
            subject_type: "unit",
            subject_id: Some(unit_id),
            detail: json!({ "year": year, "code": unit.code }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    }
    Ok(Redirect::to(&back).into_response())
}

#[derive(Debug, Deserialize)]
pub struct StaffForm {
    pub name: String,
    #[serde(default)]
    pub post: String,
    #[serde(default)]
    pub employment: String,
    #[serde(default)]
    pub phone: String,
}

/// Adds a staff member to a unit (INS-01).
pub async fn add_staff(
    user: CurrentUser,
    path: Result<Path<UnitPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<StaffForm>,
) -> AppResult<Response> {
    let unit_id = unit_id(&user, path)?;
    if !may_edit_staff(&user, unit_id) {
        return Err(not_found());
    }
    let input = StaffInput {
        name: form.name,
        post: form.post,
        employment: form.employment,
        phone: form.phone,
    };
    let mut tx = request_tx.acquire().await?;
    db::get_unit(&mut tx, unit_id).await?;
    match input.validate() {
        Ok(staff) => {
            let id = db::insert_staff(&mut tx, user.tenant_id, unit_id, &staff).await?;
            let event = Event {
                action: "unit.staff_add",
                subject_type: "unit",
                subject_id: Some(unit_id),
                detail: json!({ "name": staff.name, "employment": staff.employment, "staff_id": id }),
            };
            audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
            flash::push(
                &session,
                FlashKind::Success,
                "units.staff_added",
                Some(staff.name),
            )
            .await;
            Ok(Redirect::to(&user.path(&format!("/units/{unit_id}"))).into_response())
        }
        Err(errors) => {
            let page = unit_page(ctx, &user, &mut tx, unit_id, input, errors).await?;
            drop(tx);
            render_invalid(&page)
        }
    }
}

async fn staff_left(
    user: CurrentUser,
    path: Result<Path<StaffPath>, PathRejection>,
    session: Session,
    addr: String,
    mut tx: Tx,
    left: bool,
) -> AppResult<Response> {
    let Path(StaffPath { unit_id, staff_id }) = path.map_err(|_| not_found())?;
    let unit_id = self::unit_id(&user, Ok(Path(UnitPath { unit_id })))?;
    if !may_edit_staff(&user, unit_id) {
        return Err(not_found());
    }
    db::get_unit(&mut tx, unit_id).await?;
    if db::set_staff_left(&mut tx, unit_id, staff_id, left).await? {
        let event = Event {
            action: if left {
                "unit.staff_leave"
            } else {
                "unit.staff_return"
            },
            subject_type: "unit",
            subject_id: Some(unit_id),
            detail: json!({ "staff_id": staff_id }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
        let key = if left {
            "units.staff_left"
        } else {
            "units.staff_returned"
        };
        flash::push(&session, FlashKind::Success, key, None).await;
    }
    Ok(Redirect::to(&user.path(&format!("/units/{unit_id}"))).into_response())
}

/// Marks a staff member as no longer with the unit (kept for the record).
pub async fn staff_leave(
    user: CurrentUser,
    path: Result<Path<StaffPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    tx: Tx,
) -> AppResult<Response> {
    staff_left(user, path, session, addr, tx, true).await
}

pub async fn staff_return(
    user: CurrentUser,
    path: Result<Path<StaffPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    tx: Tx,
) -> AppResult<Response> {
    staff_left(user, path, session, addr, tx, false).await
}

#[derive(Debug, Deserialize, Default)]
pub struct ImportQuery {
    #[serde(default)]
    pub kind: String,
}

pub async fn import_form(
    _user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
    Query(query): Query<ImportQuery>,
) -> AppResult<Response> {
    let year = db::current_open_year(&mut tx).await?.map(|y| y.1);
    drop(tx);
    let kind = if query.kind == "staff" {
        "staff"
    } else {
        "units"
    }
    .to_string();
    render(&ImportPage {
        ctx,
        kind,
        errors: Vec::new(),
        year,
    })
}

/// The fields of the import form: which file, what it holds, and whether to list the units.
struct ImportUpload {
    kind: String,
    list: bool,
    text: Result<String, &'static str>,
}

async fn read_upload(mut multipart: Multipart) -> Result<ImportUpload, AppError> {
    let mut upload = ImportUpload {
        kind: "units".into(),
        list: false,
        text: Err("import.no_file"),
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::Internal(e.into()))?
    {
        match field.name() {
            Some("kind") => upload.kind = field.text().await.unwrap_or_default(),
            Some("list") => upload.list = true,
            Some("file") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?;
                upload.text = if bytes.is_empty() {
                    Err("import.no_file")
                } else if bytes.starts_with(b"PK\x03\x04") {
                    units::xlsx_to_csv(&bytes)
                } else {
                    String::from_utf8(bytes.to_vec()).map_err(|_| "import.not_utf8")
                };
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// "n new, m updated", in the reader's language.
fn import_summary(ctx: &PageCtx, added: i64, updated: i64) -> String {
    ctx.t("import.summary")
        .replacen("{}", &added.to_string(), 1)
        .replacen("{}", &updated.to_string(), 1)
}

fn row_errors(ctx: &PageCtx, errors: Vec<RowError>) -> Vec<RowErrorView> {
    errors
        .into_iter()
        .map(|e| RowErrorView {
            line: e.line,
            column: if e.column.is_empty() {
                String::new()
            } else {
                ctx.t(&format!("column.{}", e.column)).to_string()
            },
            reason: ctx.t(e.reason),
        })
        .collect()
}

/// Imports units or staff from CSV: every row is checked first, and nothing is imported unless
/// the whole file is clean; the page lists each bad row with its reason.
pub async fn import_units(
    user: CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let upload = read_upload(multipart).await?;
    let staff = upload.kind == "staff";
    let mut tx = request_tx.acquire().await?;
    let year = db::current_open_year(&mut tx).await?;
    let outcome: Result<(String, serde_json::Value), Vec<RowError>> = match &upload.text {
        Err(reason) => Err(vec![RowError {
            line: 0,
            column: "",
            reason,
        }]),
        Ok(text) if staff => match units::parse_staff_csv(text) {
            Err(errors) => Err(errors),
            Ok(rows) => {
                let known: std::collections::HashMap<String, Uuid> =
                    db::unit_ids_by_code(&mut tx).await?.into_iter().collect();
                let unknown: Vec<RowError> = rows
                    .iter()
                    .filter(|(_, r)| !known.contains_key(&r.unit_code))
                    .map(|(line, _)| RowError {
                        line: *line,
                        column: "unit_code",
                        reason: "import.unknown_unit",
                    })
                    .collect();
                if unknown.is_empty() {
                    let unit_ids: Vec<Uuid> = rows
                        .iter()
                        .filter_map(|(_, r)| known.get(&r.unit_code).copied())
                        .collect();
                    let people: Vec<StaffInput> = rows.into_iter().map(|(_, r)| r.staff).collect();
                    let (added, updated) =
                        db::import_staff(&mut tx, user.tenant_id, &unit_ids, &people).await?;
                    let summary = import_summary(&ctx, added, updated);
                    Ok((summary, json!({ "inserted": added, "updated": updated })))
                } else {
                    Err(unknown)
                }
            }
        },
        Ok(text) => match units::parse_units_csv(text) {
            Err(errors) => Err(errors),
            Ok(rows) => {
                let columns = units::optional_unit_columns(text);
                let (inserted, updated) =
                    db::upsert_units(&mut tx, user.tenant_id, &rows, columns).await?;
                let listed = match (upload.list, year) {
                    (true, Some((year_id, _))) => {
                        let codes: Vec<String> = rows.iter().map(|u| u.code.clone()).collect();
                        db::list_all(&mut tx, user.tenant_id, year_id, &codes).await?
                    }
                    _ => 0,
                };
                let summary = import_summary(&ctx, inserted, updated);
                Ok((
                    summary,
                    json!({ "inserted": inserted, "updated": updated, "listed": listed }),
                ))
            }
        },
    };
    match outcome {
        Ok((summary, detail)) => {
            let event = Event {
                action: if staff {
                    "unit.staff_import"
                } else {
                    "unit.import"
                },
                subject_type: "office",
                subject_id: Some(user.tenant_id),
                detail,
            };
            audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
            let key = if staff {
                "import.staff_done"
            } else {
                "import.units_done"
            };
            flash::push(&session, FlashKind::Success, key, Some(summary)).await;
            Ok(Redirect::to(&user.path("/units")).into_response())
        }
        Err(errors) => {
            drop(tx);
            let errors = row_errors(&ctx, errors);
            let kind = upload.kind.clone();
            render_invalid(&ImportPage {
                ctx,
                kind,
                errors,
                year: year.map(|y| y.1),
            })
        }
    }
}

/// An export in the format asked for: CSV (UTF-8 with a byte-order mark, so Excel reads it) or
/// XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

fn export_response(
    format: ExportFormat,
    name: &str,
    header: Vec<&str>,
    rows: Vec<Vec<String>>,
) -> AppResult<Response> {
    match format {
        ExportFormat::Csv => csv_response(&format!("{name}.csv"), header, rows),
        ExportFormat::Xlsx => {
            let bytes = units::to_xlsx(&header, &rows).map_err(|e| AppError::Internal(e.into()))?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
    }
}

fn csv_response(filename: &str, header: Vec<&str>, rows: Vec<Vec<String>>) -> AppResult<Response> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(header)
        .map_err(|e| AppError::Internal(e.into()))?;
    for row in rows {
        let safe: Vec<String> = row
            .into_iter()
            .map(|cell| units::spreadsheet_safe(&cell))
            .collect();
        writer
            .write_record(safe)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec(); // so that Excel reads it as UTF-8
    bytes.extend(
        writer
            .into_inner()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn units_export(mut tx: Tx, format: ExportFormat) -> AppResult<Response> {
    let rows = db::all_units(&mut tx).await?;
    drop(tx);
    let rows = rows
        .into_iter()
        .map(|u| vec![u.code, u.name, u.category, u.address, u.phone, u.leaders])
        .collect();
    export_response(format, "units", units::unit_header(), rows)
}

async fn staff_export(mut tx: Tx, format: ExportFormat) -> AppResult<Response> {
    let rows = db::all_staff(&mut tx).await?;
    drop(tx);
    let rows = rows
        .into_iter()
        .map(|s| {
            let employment = units::EMPLOYMENT
                .iter()
                .find(|e| e.0 == s.employment)
                .map(|e| e.1)
                .unwrap_or("");
            vec![s.unit_code, s.name, s.post, employment.to_string(), s.phone]
        })
        .collect();
    export_response(format, "staff", units::staff_header(), rows)
}

/// Every unit, in the format the import reads.
pub async fn export_units(_user: CurrentUser, tx: Tx) -> AppResult<Response> {
    units_export(tx, ExportFormat::Csv).await
}

pub async fn export_units_xlsx(_user: CurrentUser, tx: Tx) -> AppResult<Response> {
    units_export(tx, ExportFormat::Xlsx).await
}

/// Every current staff member, in the format the import reads.
pub async fn export_staff(_user: CurrentUser, tx: Tx) -> AppResult<Response> {
    staff_export(tx, ExportFormat::Csv).await
}

pub async fn export_staff_xlsx(_user: CurrentUser, tx: Tx) -> AppResult<Response> {
    staff_export(tx, ExportFormat::Xlsx).await
}
