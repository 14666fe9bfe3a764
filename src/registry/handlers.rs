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

use super::model::NewUserInput;
use super::views::{
    NewUserPage, PasswordIssuedPage, UserListItem, UserPage, UsersPage, local_time,
};
use super::{CreateUserError, CreatedUser, db};
use crate::audit::{self, Event, views::TimelineEntry};
use crate::auth::model::check_new_password;
use crate::auth::{CurrentUser, password};
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
    drop(tx);
    let history = events
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    let must_change_password = shown.must_change_password;
    let created = local_time(&shown.created_at);
    render(&UserPage {
        is_self: shown.id == user.id,
        id: shown.id.to_string(),
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
