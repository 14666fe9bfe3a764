//! User administration (office_admin): list, create, disable, enable, reset passwords, move a
//! liaison to another unit. Every change is audited in the same transaction.

use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::model::NewUserInput;
use super::views::{
    NewUserPage, PasswordIssuedPage, UserListItem, UserPage, UsersPage, users_href,
};
use super::{CreateUserError, CreatedUser, db};
use crate::audit::{self, Acting, Event, views::TimelineEntry};
use crate::auth::model::check_new_password;
use crate::auth::password;
use crate::core::paging::PageRequest;
use crate::core::{AppError, AppResult, CurrentUser, Pager, Role};
use crate::db::{RequestTx, Tx};
use crate::registry::units::db::{list_units, unit_exists};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

const PAGE_SIZE: i64 = 50;

/// `/{office}/users/{user_id}`.
#[derive(Debug, Deserialize)]
pub struct UserPath {
    pub user_id: Uuid,
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
    let request = PageRequest::new(filter.page, PAGE_SIZE);
    let role = Role::parse(&filter.role).map(|r| r.as_str()).unwrap_or("");
    let typed = (!q.is_empty()).then_some(q.as_str());
    let (rows, total) = db::list_users(
        &mut tx,
        typed,
        Role::parse(role).map(|r| r.as_str()),
        request.limit(),
        request.offset(),
    )
    .await?;
    drop(tx);
    let users = rows
        .into_iter()
        .map(|u| UserListItem::new(&ctx, u))
        .collect();
    let pager = Pager::new(request, total, |n| users_href(&ctx, &q, role, n));
    render(&UsersPage {
        ctx,
        users,
        q,
        role: role.into(),
        total,
        pager,
    })
}

pub async fn new_user_form(_user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let units = list_units(&mut tx).await?;
    drop(tx);
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

impl From<&NewUserForm> for NewUserInput {
    fn from(form: &NewUserForm) -> Self {
        Self {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            role: form.role.clone(),
            unit_id: Uuid::parse_str(form.unit_id.trim()).ok(),
            password: form.password.clone(),
        }
    }
}

pub async fn create_user(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<NewUserForm>,
) -> AppResult<Response> {
    let input = NewUserInput::from(&form);
    let mut tx = request_tx.acquire().await?;
    let tenant = acting.user.tenant_id;
    match super::create_user(&mut tx, tenant, &acting.actor(), &input, true).await {
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
            let done = Flash::success("users.created").with(username);
            Ok(acting.done(done, &format!("/users/{id}")).await)
        }
        Err(CreateUserError::Invalid(errors)) => {
            let units = list_units(&mut tx).await?;
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
    Path(UserPath { user_id }): Path<UserPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let shown = db::get_user(&mut tx, user_id).await?;
    let events = audit::db::events_for_subject(&mut tx, "user", user_id).await?;
    let units = if shown.role == Role::Liaison.as_str() {
        list_units(&mut tx).await?
    } else {
        Vec::new()
    };
    drop(tx);
    let history = events
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    render(&UserPage {
        is_self: shown.id == user.id,
        id: shown.id.to_string(),
        units,
        unit_id: shown.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        must_change_password: shown.must_change_password,
        created: ctx.local_time(&shown.created_at),
        user: UserListItem::new(&ctx, shown),
        history,
        ctx,
    })
}

/// A change to a user with nothing more to log than what it was.
fn user_event(action: &'static str, user_id: Uuid) -> Event<'static> {
    Event::new(action, ("user", user_id), json!({}))
}

/// Disables a user: they cannot log in, and every session of theirs ends at once.
pub async fn disable_user(
    acting: Acting,
    Path(UserPath { user_id }): Path<UserPath>,
    mut tx: Tx,
) -> AppResult<Response> {
    let back = format!("/users/{user_id}");
    db::get_user(&mut tx, user_id).await?;
    if user_id == acting.user.id {
        return Ok(acting
            .done(Flash::error("users.cannot_disable_self"), &back)
            .await);
    }
    if !db::disable_user(&mut tx, user_id).await? {
        return Ok(acting.done(Flash::info("users.disabled_done"), &back).await);
    }
    let event = user_event("user.disable", user_id);
    acting
        .recorded(&mut tx, event, Flash::success("users.disabled_done"), &back)
        .await
}

pub async fn enable_user(
    acting: Acting,
    Path(UserPath { user_id }): Path<UserPath>,
    mut tx: Tx,
) -> AppResult<Response> {
    let back = format!("/users/{user_id}");
    db::get_user(&mut tx, user_id).await?;
    if !db::enable_user(&mut tx, user_id).await? {
        return Ok(acting.done(Flash::info("users.enabled"), &back).await);
    }
    let event = user_event("user.enable", user_id);
    acting
        .recorded(&mut tx, event, Flash::success("users.enabled"), &back)
        .await
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    pub new_password: String,
}

/// Sets a temporary password (typed, or generated and shown once) that must be changed at the
/// next login; every session of the user ends.
pub async fn reset_password(
    acting: Acting,
    Path(UserPath { user_id }): Path<UserPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let back = format!("/users/{user_id}");
    let mut tx = request_tx.acquire().await?;
    let target = db::get_user(&mut tx, user_id).await?;
    let generated = form.new_password.is_empty();
    let new_password = if generated {
        password::generate()
    } else {
        form.new_password
    };
    if let Err(key) = check_new_password(&new_password) {
        return Ok(acting.done(Flash::error(key), &back).await);
    }
    let hash = password::hash(new_password.clone())
        .await
        .map_err(AppError::Internal)?;
    crate::auth::db::set_password(&mut tx, user_id, &hash, true).await?;
    let event = user_event("user.password_reset", user_id);
    if !generated {
        return acting
            .recorded(
                &mut tx,
                event,
                Flash::success("users.password_reset"),
                &back,
            )
            .await;
    }
    acting.record(&mut tx, event).await?;
    drop(tx);
    render(&PasswordIssuedPage {
        user_href: ctx.href(&back),
        ctx,
        username: target.username,
        password: new_password,
        created: false,
    })
}

#[derive(Debug, Deserialize)]
pub struct LiaisonUnitForm {
    pub unit_id: String,
}

/// Moves a liaison to another unit (office_admin): from now on it answers for that unit only.
pub async fn change_liaison_unit(
    acting: Acting,
    Path(UserPath { user_id }): Path<UserPath>,
    request_tx: RequestTx,
    Form(form): Form<LiaisonUnitForm>,
) -> AppResult<Response> {
    let back = format!("/users/{user_id}");
    let mut tx = request_tx.acquire().await?;
    db::get_user(&mut tx, user_id).await?;
    let unit_id = match Uuid::parse_str(form.unit_id.trim()) {
        Ok(unit_id) if unit_exists(&mut tx, unit_id).await? => unit_id,
        _ => {
            return Ok(acting
                .done(Flash::error("error.unit_required"), &back)
                .await);
        }
    };
    if !db::set_liaison_unit(&mut tx, user_id, unit_id).await? {
        return Ok(acting.done(Flash::info("users.unit_changed"), &back).await);
    }
    let event = Event::new(
        "user.unit_change",
        ("user", user_id),
        json!({ "unit_id": unit_id }),
    );
    acting
        .recorded(&mut tx, event, Flash::success("users.unit_changed"), &back)
        .await
}
