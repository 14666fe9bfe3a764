//! Units and their staff (INS-01): lists, forms, the year's assessment list, and CSV import and
//! export. A liaison sees only its own unit; the registry is changed by the office.

use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::model::{self, EMPLOYMENT, RowError, StaffInput, UnitInput};
use super::views::{
    ImportPage, RowErrorView, StaffView, UnitFormPage, UnitItem, UnitPage, UnitsPage, units_href,
};
use super::{db, may_keep_staff};
use crate::AppState;
use crate::audit::{self, Acting, Event, views::TimelineEntry};
use crate::core::paging::PageRequest;
use crate::core::{AppError, AppResult, CurrentUser, FieldErrors, Now, Pager, Role, not_found};
use crate::db::{RequestTx, Tx};
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

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
fn seen_unit(user: &CurrentUser, unit_id: Uuid) -> AppResult<Uuid> {
    if user.may_see_unit(unit_id) {
        Ok(unit_id)
    } else {
        Err(not_found())
    }
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
    State(state): State<AppState>,
    Now(now): Now,
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
    let request = PageRequest::new(filter.page, PAGE_SIZE);
    let query = db::UnitQuery {
        search: (!q.is_empty()).then_some(q.as_str()),
        category: (!category.is_empty()).then_some(category.as_str()),
        sort: &sort,
    };
    let (rows, total) =
        db::list_units_page(&mut tx, query, request.limit(), request.offset()).await?;
    let changes = state.changes.of(user.tenant_id);
    let read = async { Ok::<_, AppError>(std::sync::Arc::new(db::list_frame(&mut tx).await?)) };
    let frame = state
        .unit_frames
        .read_through(user.tenant_id, changes, now, read)
        .await?;
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
            listed: frame.listed.contains(&u.id),
        })
        .collect();
    let pager = Pager::new(request, total, |n| {
        units_href(&ctx, (&q, &category), &sort, n)
    });
    render(&UnitsPage {
        ctx,
        units,
        q,
        category,
        sort,
        categories: frame.categories.clone(),
        total,
        pager,
        year: frame.year,
        can_edit: user.role == Role::OfficeAdmin,
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
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let input = UnitInput::from(form);
    let mut tx = request_tx.acquire().await?;
    let errors = match input.validate() {
        Ok(unit) => match db::insert_unit_fields(&mut tx, acting.user.tenant_id, &unit).await? {
            Some(id) => {
                let event = Event::new("unit.create", ("unit", id), unit_detail(&unit));
                let done = Flash::success("units.saved").with(unit.name);
                return acting
                    .recorded(&mut tx, event, done, &format!("/units/{id}"))
                    .await;
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
    staff_errors: FieldErrors,
) -> AppResult<UnitPage> {
    let unit = db::get_unit(tx, unit_id).await?;
    let liaisons = db::unit_liaisons(tx, unit_id).await?;
    let staff = db::list_staff(tx, unit_id).await?;
    let year = match crate::registry::years::db::current_open_year(tx).await? {
        Some((year_id, year)) => Some((year, db::is_listed(tx, year_id, unit_id).await?)),
        None => None,
    };
    let events = audit::db::events_for_subject(tx, "unit", unit_id).await?;
    let staff = staff
        .into_iter()
        .map(|s| StaffView {
            id: s.id.to_string(),
            employment: EMPLOYMENT
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
    let excellence_lost = crate::scoring::db::excellence_lost_years(tx, unit_id).await?;
    let deductions = crate::scoring::db::unit_deductions(tx, unit_id).await?;
    Ok(UnitPage {
        deductions,
        excellence_lost,
        href: ctx.href(&format!("/units/{unit_id}")),
        can_edit_unit: user.role == Role::OfficeAdmin,
        can_edit_staff: may_keep_staff(user, unit_id),
        // the score sheet is for the office, leaders and the unit's own liaison
        reads_score: user.role != Role::Supervisor,
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
    Path(UnitPath { unit_id }): Path<UnitPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let unit_id = seen_unit(&user, unit_id)?;
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
    _user: CurrentUser,
    Path(UnitPath { unit_id }): Path<UnitPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
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
    acting: Acting,
    Path(UnitPath { unit_id }): Path<UnitPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let input = UnitInput::from(form);
    let mut tx = request_tx.acquire().await?;
    db::get_unit(&mut tx, unit_id).await?;
    let errors = match input.validate() {
        Ok(unit) if db::update_unit(&mut tx, unit_id, &unit).await? => {
            let event = Event::new("unit.change", ("unit", unit_id), unit_detail(&unit));
            let done = Flash::success("units.saved").with(unit.name);
            return acting
                .recorded(&mut tx, event, done, &format!("/units/{unit_id}"))
                .await;
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
    acting: Acting,
    Path(UnitPath { unit_id }): Path<UnitPath>,
    request_tx: RequestTx,
    Form(form): Form<ListingForm>,
) -> AppResult<Response> {
    let back = format!("/units/{unit_id}");
    let mut tx = request_tx.acquire().await?;
    let unit = db::get_unit(&mut tx, unit_id).await?;
    let Some((year_id, year)) = crate::registry::years::db::current_open_year(&mut tx).await?
    else {
        return Ok(acting.done(Flash::error("units.no_open_year"), &back).await);
    };
    let listed = form.listed == "on";
    let (action, key) = if listed {
        ("unit.list", "units.listed_done")
    } else {
        ("unit.unlist", "units.unlisted_done")
    };
    let done = Flash::success(key).with(year.to_string());
    if !db::set_listed(&mut tx, acting.user.tenant_id, year_id, unit_id, listed).await? {
        return Ok(acting.done(done, &back).await);
    }
    let event = Event::new(
        action,
        ("unit", unit_id),
        json!({ "year": year, "code": unit.code }),
    );
    acting.recorded(&mut tx, event, done, &back).await
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
    acting: Acting,
    Path(UnitPath { unit_id }): Path<UnitPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<StaffForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    if !may_keep_staff(user, unit_id) {
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
            let detail =
                json!({ "name": staff.name, "employment": staff.employment, "staff_id": id });
            let event = Event::new("unit.staff_add", ("unit", unit_id), detail);
            let done = Flash::success("units.staff_added").with(staff.name);
            acting
                .recorded(&mut tx, event, done, &format!("/units/{unit_id}"))
                .await
        }
        Err(errors) => {
            let page = unit_page(ctx, user, &mut tx, unit_id, input, errors).await?;
            drop(tx);
            render_invalid(&page)
        }
    }
}

/// Marks a staff member as no longer with the unit (kept for the record).
pub async fn staff_leave(
    acting: Acting,
    Path(path): Path<StaffPath>,
    tx: Tx,
) -> AppResult<Response> {
    staff_left(acting, path, tx, true).await
}

pub async fn staff_return(
    acting: Acting,
    Path(path): Path<StaffPath>,
    tx: Tx,
) -> AppResult<Response> {
    staff_left(acting, path, tx, false).await
}

async fn staff_left(
    acting: Acting,
    StaffPath { unit_id, staff_id }: StaffPath,
    mut tx: Tx,
    left: bool,
) -> AppResult<Response> {
    if !may_keep_staff(&acting.user, unit_id) {
        return Err(not_found());
    }
    db::get_unit(&mut tx, unit_id).await?;
    let back = format!("/units/{unit_id}");
    let (action, key) = if left {
        ("unit.staff_leave", "units.staff_left")
    } else {
        ("unit.staff_return", "units.staff_returned")
    };
    if !db::set_staff_left(&mut tx, unit_id, staff_id, left).await? {
        return Ok(acting.done(Flash::info(key), &back).await);
    }
    let event = Event::new(action, ("unit", unit_id), json!({ "staff_id": staff_id }));
    acting
        .recorded(&mut tx, event, Flash::success(key), &back)
        .await
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
    let year = crate::registry::years::db::current_open_year(&mut tx)
        .await?
        .map(|y| y.1);
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
                    model::xlsx_to_csv(&bytes)
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
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let user = &acting.user;
    let upload = read_upload(multipart).await?;
    let staff = upload.kind == "staff";
    let mut tx = request_tx.acquire().await?;
    let year = crate::registry::years::db::current_open_year(&mut tx).await?;
    let outcome = match &upload.text {
        Err(reason) => Err(vec![RowError {
            line: 0,
            column: "",
            reason,
        }]),
        Ok(text) if staff => import_staff_rows(&mut tx, user, &ctx, text).await?,
        Ok(text) => {
            let list_in = year.filter(|_| upload.list).map(|(year_id, _)| year_id);
            import_unit_rows(&mut tx, user, &ctx, text, list_in).await?
        }
    };
    match outcome {
        Ok((summary, detail)) => {
            let (action, key) = if staff {
                ("unit.staff_import", "import.staff_done")
            } else {
                ("unit.import", "import.units_done")
            };
            let event = Event::new(action, ("office", user.tenant_id), detail);
            let done = Flash::success(key).with(summary);
            acting.recorded(&mut tx, event, done, "/units").await
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

/// What an import did (its summary and the audit detail), or every bad row and why.
type Imported = Result<(String, serde_json::Value), Vec<RowError>>;

/// Staff rows: each names a unit by code, and every code must be known before any is added.
async fn import_staff_rows(
    tx: &mut Tx,
    user: &CurrentUser,
    ctx: &PageCtx,
    text: &str,
) -> AppResult<Imported> {
    let rows = match model::parse_staff_csv(text) {
        Ok(rows) => rows,
        Err(errors) => return Ok(Err(errors)),
    };
    let known: std::collections::HashMap<String, Uuid> =
        db::unit_ids_by_code(tx).await?.into_iter().collect();
    let unknown: Vec<RowError> = rows
        .iter()
        .filter(|(_, r)| !known.contains_key(&r.unit_code))
        .map(|(line, _)| RowError {
            line: *line,
            column: "unit_code",
            reason: "import.unknown_unit",
        })
        .collect();
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    let unit_ids: Vec<Uuid> = rows
        .iter()
        .filter_map(|(_, r)| known.get(&r.unit_code).copied())
        .collect();
    let people: Vec<StaffInput> = rows.into_iter().map(|(_, r)| r.staff).collect();
    let (added, updated) = db::import_staff(tx, user.tenant_id, &unit_ids, &people).await?;
    let summary = import_summary(ctx, added, updated);
    Ok(Ok((
        summary,
        json!({ "inserted": added, "updated": updated }),
    )))
}

/// Unit rows, added or updated by code; with `list_in`, every imported unit is assessed that year.
async fn import_unit_rows(
    tx: &mut Tx,
    user: &CurrentUser,
    ctx: &PageCtx,
    text: &str,
    list_in: Option<Uuid>,
) -> AppResult<Imported> {
    let rows = match model::parse_units_csv(text) {
        Ok(rows) => rows,
        Err(errors) => return Ok(Err(errors)),
    };
    let columns = model::optional_unit_columns(text);
    let (inserted, updated) = db::upsert_units(tx, user.tenant_id, &rows, columns).await?;
    let listed = match list_in {
        Some(year_id) => {
            let codes: Vec<String> = rows.iter().map(|u| u.code.clone()).collect();
            db::list_all(tx, user.tenant_id, year_id, &codes).await?
        }
        None => 0,
    };
    let summary = import_summary(ctx, inserted, updated);
    let detail = json!({ "inserted": inserted, "updated": updated, "listed": listed });
    Ok(Ok((summary, detail)))
}

/// Every unit, in the format the import reads (CSV or XLSX, as the path's extension asks).
pub async fn export_units(
    _user: CurrentUser,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = db::all_units(&mut tx).await?;
    drop(tx);
    let rows = rows
        .into_iter()
        .map(|u| vec![u.code, u.name, u.category, u.address, u.phone, u.leaders])
        .collect();
    Export::new("units", &model::unit_header(), rows).respond(format)
}

/// Every current staff member, in the format the import reads.
pub async fn export_staff(
    _user: CurrentUser,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = db::all_staff(&mut tx).await?;
    drop(tx);
    let rows = rows
        .into_iter()
        .map(|s| {
            let employment = EMPLOYMENT
                .iter()
                .find(|e| e.0 == s.employment)
                .map(|e| e.1)
                .unwrap_or("");
            vec![s.unit_code, s.name, s.post, employment.to_string(), s.phone]
        })
        .collect();
    Export::new("staff", &model::staff_header(), rows).respond(format)
}
