//! Authentication and authorization: passwords (argon2id), sessions in PostgreSQL, login with
//! throttling kept in the database, the [`CurrentUser`] extractor, and [`require_roles`], the layer
//! by which every route states the roles it admits (see `routes.rs`).
//!
//! Inside an office, "not allowed" and "not found" are the same 404; not being signed in
//! redirects to the office's login page.

pub mod context;
pub mod db;
pub mod handlers;
pub mod model;
pub mod password;
pub mod session_store;
pub mod views;

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use sqlx::PgPool;

use crate::core::{CurrentUser, Office, Role, full_path, not_found};

pub use model::{SessionAuth, SessionLimits};

/// The session key under which [`SessionAuth`] is kept.
pub const SESSION_KEY: &str = "auth";

/// Loads the user a session names, or `None` when the session no longer signs in: past its idle
/// timeout or absolute lifetime, the user disabled, or their sessions ended by a version change.
pub async fn resume(
    pool: &PgPool,
    office: &Office,
    stored: &SessionAuth,
    limits: SessionLimits,
    now: DateTime<Utc>,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    if !stored.is_live(limits, now) {
        return Ok(None);
    }
    let mut tx = crate::db::begin_tenant(pool, office.id).await?;
    let user = resume_in(&mut tx, office, stored).await?;
    tx.commit().await?;
    Ok(user)
}

/// [`resume`] inside a transaction already scoped to the office, once the session is known to be
/// live.
pub async fn resume_in(
    conn: &mut sqlx::PgConnection,
    office: &Office,
    stored: &SessionAuth,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row = db::find_user(conn, stored.user_id).await?;
    Ok(current_user(office, stored, row))
}

/// The user a live session signs in, from the user's row as read (`None`: not of this office):
/// nobody when the user is disabled, has a role we do not know, or ended their sessions by
/// raising their version.
pub fn current_user(
    office: &Office,
    stored: &SessionAuth,
    row: Option<db::UserRow>,
) -> Option<CurrentUser> {
    let row = row.filter(|r| r.id == stored.user_id)?;
    let role = Role::parse(&row.role)?;
    if row.disabled || row.session_version != stored.version {
        return None;
    }
    Some(CurrentUser {
        tenant_id: office.id,
        office_code: office.code.clone(),
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role,
        unit_id: row.unit_id,
        must_change_password: row.must_change_password,
    })
}

/// The roles a group of routes admits. Anonymous visitors are sent to log in; a signed-in user of
/// another role gets 404. A user who must change their password is sent to do so first.
pub async fn require_roles(
    State(roles): State<&'static [Role]>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let user = match CurrentUser::from_request_parts(&mut parts, &()).await {
        Ok(user) => user,
        Err(redirect) => return redirect,
    };
    if !roles.contains(&user.role) {
        return not_found().into_response();
    }
    let password_page = user.path("/account/password");
    let logout = user.path("/logout");
    let path = full_path(&parts.extensions, &parts.uri);
    if user.must_change_password && path != password_page && path != logout {
        return Redirect::to(&password_page).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
