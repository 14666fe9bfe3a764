//! User administration (office_admin): list, create, disable, enable, reset passwords. Every change
//! is audited in the same transaction.

use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use chrono::Datelike;

use super::model::{ItemFields, ItemInput, NewUserInput, YearStatus, parse_year};
use super::views::{
    CatalogPage, ItemFormPage, ItemView, NewUserPage, PasswordIssuedPage, UserListItem, UserPage,
    UsersPage, YearView, YearsPage, local_time,
};
use super::years::{self, OpenYearError};
use super::{CreateUserError, CreatedUser, db};
use crate::audit::{self, Event, views::TimelineEntry};
use crate::auth::model::check_new_password;
use crate::auth::{CurrentUser, Role, password};
use crate::db::{RequestTx, Tx};
use crate::error::{AppError, AppResult, not_found};
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

const PAGE_SIZE: i64 = 50;

/// `/{office}/users/{user_id}`: the office segment is the office middleware's business.
#[derive(Debug, Deserialize)]
pub struct UserPath {
    pub user_id: Uuid,
}

/// The user id of the path; a malformed one is as missing as an unknown one.
fn user_id(path: Result<Path<UserPath>, PathRejection>) -> AppResult<Uuid> {
    path.map(|Path(p)| p.user_id).map_err(|_| not_found())
}

#[derive(Debug, Deserialize, Default)]
pub struct UserFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub role: String,
    pub page: Option<i64>,
}

pub async fn list_users(
    _user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
    Query(filter): Query<UserFilter>,
) -> AppResult<Response> {
    let q = filter.q.trim().to_string();
    let page = filter.page.unwrap_or(1).clamp(1, 100_000);
    let role = crate::auth::Role::parse(&filter.role).map(|r| r.as_str());
    let (rows, total) = db::list_users(
        &mut tx,
        (!q.is_empty()).then_some(q.as_str()),
        role,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    drop(tx);
    let users = rows
        .into_iter()
        .map(|u| UserListItem::new(&ctx, u))
        .collect();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    render(&UsersPage {
        ctx,
        users,
        q,
        role: role.unwrap_or("").into(),
        total,
        page,
        pages,
    })
}

pub async fn new_user_form(_user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let units = db::list_units(&mut tx).await?;
    render(&NewUserPage {
        ctx,
        units,
        username: String::new(),
        display_name: String::new(),
        role: String::new(),
        unit_id: String::new(),
        errors: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub password: String,
}

pub async fn create_user(
    user: CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<NewUserForm>,
) -> AppResult<Response> {
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        unit_id: Uuid::parse_str(form.unit_id.trim()).ok(),
        password: form.password.clone(),
    };
    let mut tx = request_tx.acquire().await?;
    let created =
        super::create_user(&mut tx, user.tenant_id, &user.actor(&addr), &input, true).await;
    match created {
        // A generated password is shown on this one response and stored nowhere in clear (not even
        // in the session for a redirect), which is why this write answers 200 instead of 303.
        Ok(CreatedUser {
            id,
            username,
            generated_password: Some(password),
        }) => {
            drop(tx);
            let user_href = ctx.href(&format!("/users/{id}"));
            render(&PasswordIssuedPage {
                ctx,
                username,
                password,
                user_href,
                created: true,
            })
        }
        Ok(CreatedUser {
            id,
            username,
            generated_password: None,
        }) => {
            flash::push(
                &session,
                FlashKind::Success,
                "users.created",
                Some(username),
            )
            .await;
            Ok(Redirect::to(&ctx.href(&format!("/users/{id}"))).into_response())
        }
        Err(CreateUserError::Invalid(errors)) => {
            let units = db::list_units(&mut tx).await?;
            drop(tx);
            render_invalid(&NewUserPage {
                ctx,
                units,
                username: form.username,
                display_name: form.display_name,
                role: form.role,
                unit_id: form.unit_id,
                errors,
            })
        }
        Err(CreateUserError::Database(e)) => Err(e.into()),
        Err(CreateUserError::Internal(e)) => Err(e.into()),
    }
}

pub async fn show_user(
    user: CurrentUser,
    path: Result<Path<UserPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let user_id = user_id(path)?;
    let shown = db::get_user(&mut tx, user_id).await?;
    let events = audit::db::events_for_subject(&mut tx, "user", user_id).await?;
    let units = if shown.role == "liaison" {
        db::list_units(&mut tx).await?
    } else {
        Vec::new()
    };
    let unit_id = shown.unit_id.map(|u| u.to_string()).unwrap_or_default();
    drop(tx);
    let history = events
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    let must_change_password = shown.must_change_password;
    let created = local_time(&ctx, &shown.created_at);
    render(&UserPage {
        is_self: shown.id == user.id,
        id: shown.id.to_string(),
        units,
        unit_id,
        user: UserListItem::new(&ctx, shown),
        must_change_password,
        created,
        history,
        ctx,
    })
}

async fn user_event(
    tx: &mut Tx,
    user: &CurrentUser,
    addr: &str,
    action: &'static str,
    subject: Uuid,
) -> Result<(), sqlx::Error> {
    let event = Event {
        action,
        subject_type: "user",
        subject_id: Some(subject),
        detail: json!({}),
    };
    audit::record(tx, user.tenant_id, &user.actor(addr), event).await
}

/// Disables a user: they cannot log in, and every session of theirs ends at once.
pub async fn disable_user(
    user: CurrentUser,
    path: Result<Path<UserPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    mut tx: Tx,
) -> AppResult<Response> {
    let user_id = user_id(path)?;
    let back = user.path(&format!("/users/{user_id}"));
    db::get_user(&mut tx, user_id).await?;
    if user_id == user.id {
        flash::push(
            &session,
            FlashKind::Error,
            "users.cannot_disable_self",
            None,
        )
        .await;
    } else if db::disable_user(&mut tx, user_id).await? {
        user_event(&mut tx, &user, &addr, "user.disable", user_id).await?;
        flash::push(&session, FlashKind::Success, "users.disabled_done", None).await;
    }
    Ok(Redirect::to(&back).into_response())
}

pub async fn enable_user(
    user: CurrentUser,
    path: Result<Path<UserPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    mut tx: Tx,
) -> AppResult<Response> {
    let user_id = user_id(path)?;
    db::get_user(&mut tx, user_id).await?;
    if db::enable_user(&mut tx, user_id).await? {
        user_event(&mut tx, &user, &addr, "user.enable", user_id).await?;
        flash::push(&session, FlashKind::Success, "users.enabled", None).await;
    }
    Ok(Redirect::to(&user.path(&format!("/users/{user_id}"))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    pub new_password: String,
}

/// Sets a temporary password (typed, or generated and shown once) that must be changed at the
/// next login; every session of the user ends.
pub async fn reset_password(
    user: CurrentUser,
    path: Result<Path<UserPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let user_id = user_id(path)?;
    let user_href = user.path(&format!("/users/{user_id}"));
    let mut tx = request_tx.acquire().await?;
    let target = db::get_user(&mut tx, user_id).await?;
    let typed = form.new_password;
    let (new_password, generated) = if typed.is_empty() {
        (password::generate(), true)
    } else {
        (typed, false)
    };
    if let Err(key) = check_new_password(&new_password) {
        flash::push(&session, FlashKind::Error, key, None).await;
        return Ok(Redirect::to(&user_href).into_response());
    }
    let hash = password::hash(new_password.clone())
        .await
        .map_err(AppError::Internal)?;
    crate::auth::db::set_password(&mut tx, user_id, &hash, true).await?;
    user_event(&mut tx, &user, &addr, "user.password_reset", user_id).await?;
    drop(tx);
    if generated {
        let page = PasswordIssuedPage {
            ctx,
            username: target.username,
            password: new_password,
            user_href,
            created: false,
        };
        return render(&page);
    }
    flash::push(&session, FlashKind::Success, "users.password_reset", None).await;
    Ok(Redirect::to(&user_href).into_response())
}

// ---- assessment years and the deduction catalog ----

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

/// The year of the path, which the office must have opened; anything else is not found.
pub async fn year_of(
    tx: &mut Tx,
    path: Result<Path<YearPath>, PathRejection>,
) -> AppResult<super::db::YearRow> {
    let Path(YearPath { year }) = path.map_err(|_| not_found())?;
    super::db::find_year(tx, year).await?.ok_or_else(not_found)
}

fn year_status(year: &super::db::YearRow) -> YearStatus {
    YearStatus::parse(&year.status).unwrap_or(YearStatus::Closed)
}

pub async fn list_years(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let rows = db::list_years(&mut tx).await?;
    drop(tx);
    let next = rows
        .first()
        .map(|y| y.year + 1)
        .unwrap_or_else(|| chrono::Utc::now().year());
    render(&years_page(ctx, &user, rows, next.to_string(), None))
}

fn years_page(
    ctx: PageCtx,
    user: &CurrentUser,
    rows: Vec<super::db::YearRow>,
    new_year: String,
    error: Option<&'static str>,
) -> YearsPage {
    let years = rows
        .into_iter()
        .map(|y| YearView {
            open: year_status(&y) == YearStatus::Open,
            opened: local_time(&ctx, &y.opened_at),
            closed: y
                .closed_at
                .as_ref()
                .map(|t| local_time(&ctx, t))
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
    }
}

#[derive(Debug, Deserialize)]
pub struct OpenYearForm {
    pub year: String,
}

/// Opens an assessment year (INS-01, INS-15).
pub async fn open_year(
    user: CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<OpenYearForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let refused = match parse_year(&form.year) {
        Err(key) => Some(key),
        Ok(year) => match years::open_year(&mut tx, user.tenant_id, &user.actor(&addr), year).await
        {
            Ok(_) => {
                flash::push(
                    &session,
                    FlashKind::Success,
                    "years.opened_done",
                    Some(year.to_string()),
                )
                .await;
                return Ok(
                    Redirect::to(&user.path(&format!("/years/{year}/catalog"))).into_response()
                );
            }
            Err(OpenYearError::Exists(_)) => Some("error.year_exists"),
            Err(OpenYearError::Database(e)) => return Err(e.into()),
        },
    };
    let rows = db::list_years(&mut tx).await?;
    drop(tx);
    render_invalid(&years_page(ctx, &user, rows, form.year, refused))
}

async fn set_year_status(
    user: CurrentUser,
    session: Session,
    addr: String,
    mut tx: Tx,
    path: Result<Path<YearPath>, PathRejection>,
    status: YearStatus,
) -> AppResult<Response> {
    let year = year_of(&mut tx, path).await?;
    if db::set_year_status(&mut tx, year.id, status.as_str()).await? {
        let action = if status == YearStatus::Open {
            "year.reopen"
        } else {
            "year.close"
        };
        let event = Event {
            action,
            subject_type: "assessment_year",
            subject_id: Some(year.id),
            detail: json!({ "year": year.year }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
        let key = if status == YearStatus::Open {
            "years.reopened_done"
        } else {
            "years.closed_done"
        };
        flash::push(
            &session,
            FlashKind::Success,
            key,
            Some(year.year.to_string()),
        )
        .await;
    }
    Ok(Redirect::to(&user.path("/years")).into_response())
}

/// Closes a year: from now on its list and catalog are read-only.
pub async fn close_year(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    tx: Tx,
) -> AppResult<Response> {
    set_year_status(user, session, addr, tx, path, YearStatus::Closed).await
}

pub async fn reopen_year(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    tx: Tx,
) -> AppResult<Response> {
    set_year_status(user, session, addr, tx, path, YearStatus::Open).await
}

/// The year's deduction catalog (INS-15), for every role of the office.
pub async fn show_catalog(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, path).await?;
    let items = db::list_items(&mut tx, year.id).await?;
    drop(tx);
    let open = year_status(&year) == YearStatus::Open;
    let items = items.into_iter().map(|i| ItemView::new(&ctx, i)).collect();
    let can_edit = open && user.role == Role::OfficeAdmin;
    render(&CatalogPage {
        ctx,
        year: year.year,
        open,
        can_edit,
        items,
    })
}

/// The year of the path, open for changes; a closed year is refused (404 would hide why).
async fn open_year_of(
    tx: &mut Tx,
    session: &Session,
    path: Result<Path<YearPath>, PathRejection>,
) -> AppResult<Result<super::db::YearRow, i32>> {
    let year = year_of(tx, path).await?;
    match year_status(&year).ensure_open() {
        Ok(()) => Ok(Ok(year)),
        Err(key) => {
            flash::push(session, FlashKind::Error, key, Some(year.year.to_string())).await;
            Ok(Err(year.year))
        }
    }
}

pub async fn new_item_form(
    _user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    session: Session,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = match open_year_of(&mut tx, &session, path).await? {
        Ok(year) => year,
        Err(year) => {
            return Ok(Redirect::to(&ctx.href(&format!("/years/{year}/catalog"))).into_response());
        }
    };
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
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let year = match open_year_of(&mut tx, &session, path).await? {
        Ok(year) => year,
        Err(year) => {
            return Ok(Redirect::to(&user.path(&format!("/years/{year}/catalog"))).into_response());
        }
    };
    let input = ItemInput::from(form);
    let errors = match input.validate() {
        Ok(fields) => match db::insert_item(&mut tx, user.tenant_id, year.id, &fields, None).await?
        {
            Some(id) => {
                let event = Event {
                    action: "catalog.item_add",
                    subject_type: "deduction_item",
                    subject_id: Some(id),
                    detail: item_detail(&fields),
                };
                audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
                flash::push(
                    &session,
                    FlashKind::Success,
                    "catalog.saved",
                    Some(fields.code),
                )
                .await;
                return Ok(
                    Redirect::to(&user.path(&format!("/years/{}/catalog", year.year)))
                        .into_response(),
                );
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

fn item_path(path: Result<Path<ItemPath>, PathRejection>) -> AppResult<ItemPath> {
    path.map(|Path(p)| p).map_err(|_| not_found())
}

pub async fn edit_item_form(
    _user: CurrentUser,
    path: Result<Path<ItemPath>, PathRejection>,
    session: Session,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let ItemPath { year, item_id } = item_path(path)?;
    let year = match open_year_of(&mut tx, &session, Ok(Path(YearPath { year }))).await? {
        Ok(year) => year,
        Err(year) => {
            return Ok(Redirect::to(&ctx.href(&format!("/years/{year}/catalog"))).into_response());
        }
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
    let item_id = Some(item.id.to_string());
    render(&ItemFormPage {
        ctx,
        year: year.year,
        item_id,
        input,
        errors: Vec::new(),
    })
}

/// Changes an item of an open year's catalog.
pub async fn update_item(
    user: CurrentUser,
    path: Result<Path<ItemPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let ItemPath { year, item_id } = item_path(path)?;
    let mut tx = request_tx.acquire().await?;
    let year = match open_year_of(&mut tx, &session, Ok(Path(YearPath { year }))).await? {
        Ok(year) => year,
        Err(year) => {
            return Ok(Redirect::to(&user.path(&format!("/years/{year}/catalog"))).into_response());
        }
    };
    db::get_item(&mut tx, year.id, item_id).await?;
    let input = ItemInput::from(form);
    let errors = match input.validate() {
        Ok(fields) => {
            if db::update_item(&mut tx, year.id, item_id, &fields).await? {
                let event = Event {
                    action: "catalog.item_change",
                    subject_type: "deduction_item",
                    subject_id: Some(item_id),
                    detail: item_detail(&fields),
                };
                audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
                flash::push(
                    &session,
                    FlashKind::Success,
                    "catalog.saved",
                    Some(fields.code),
                )
                .await;
                return Ok(
                    Redirect::to(&user.path(&format!("/years/{}/catalog", year.year)))
                        .into_response(),
                );
            }
            vec![("code", "error.item_code_taken")]
        }
        Err(errors) => errors,
    };
    drop(tx);
    let item_id = Some(item_id.to_string());
    render_invalid(&ItemFormPage {
        ctx,
        year: year.year,
        item_id,
        input,
        errors,
    })
}

async fn set_item_retired(
    user: CurrentUser,
    path: Result<Path<ItemPath>, PathRejection>,
    session: Session,
    addr: String,
    mut tx: Tx,
    retired: bool,
) -> AppResult<Response> {
    let ItemPath { year, item_id } = item_path(path)?;
    let back = user.path(&format!("/years/{year}/catalog"));
    let Ok(year) = open_year_of(&mut tx, &session, Ok(Path(YearPath { year }))).await? else {
        return Ok(Redirect::to(&back).into_response());
    };
    let item = db::get_item(&mut tx, year.id, item_id).await?;
    if db::set_item_retired(&mut tx, year.id, item_id, retired).await? {
        let event = Event {
            action: if retired {
                "catalog.item_retire"
            } else {
                "catalog.item_restore"
            },
            subject_type: "deduction_item",
            subject_id: Some(item_id),
            detail: json!({ "code": item.code }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
        let key = if retired {
            "catalog.retired_done"
        } else {
            "catalog.restored_done"
        };
        flash::push(&session, FlashKind::Success, key, Some(item.code)).await;
    }
    Ok(Redirect::to(&back).into_response())
}

/// Retires an item (INS-15): it is never deleted, since findings may point at it.
pub async fn retire_item(
    user: CurrentUser,
    path: Result<Path<ItemPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    tx: Tx,
) -> AppResult<Response> {
    set_item_retired(user, path, session, addr, tx, true).await
}

pub async fn restore_item(
    user: CurrentUser,
    path: Result<Path<ItemPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    tx: Tx,
) -> AppResult<Response> {
    set_item_retired(user, path, session, addr, tx, false).await
}

#[derive(Debug, Deserialize)]
pub struct UnitForm {
    pub unit_id: String,
}

/// Moves a liaison to another unit (office_admin): from now on it answers for that unit only.
pub async fn change_liaison_unit(
    user: CurrentUser,
    path: Result<Path<UserPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    request_tx: RequestTx,
    Form(form): Form<UnitForm>,
) -> AppResult<Response> {
    let user_id = user_id(path)?;
    let back = user.path(&format!("/users/{user_id}"));
    let mut tx = request_tx.acquire().await?;
    db::get_user(&mut tx, user_id).await?;
    let Some(unit_id) = Uuid::parse_str(form.unit_id.trim()).ok() else {
        flash::push(&session, FlashKind::Error, "error.unit_required", None).await;
        return Ok(Redirect::to(&back).into_response());
    };
    if !db::unit_exists(&mut tx, unit_id).await? {
        flash::push(&session, FlashKind::Error, "error.unit_required", None).await;
        return Ok(Redirect::to(&back).into_response());
    }
    if db::set_liaison_unit(&mut tx, user_id, unit_id).await? {
        let event = Event {
            action: "user.unit_change",
            subject_type: "user",
            subject_id: Some(user_id),
            detail: json!({ "unit_id": unit_id }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
        flash::push(&session, FlashKind::Success, "users.unit_changed", None).await;
    }
    Ok(Redirect::to(&back).into_response())
}
