//! Authentication and authorization: passwords (argon2id), sessions in PostgreSQL, login with
//! throttling kept in the database, the [`CurrentUser`] extractor, and [`require_roles`], the layer
//! by which every route states the roles it admits (see `routes.rs`).
//!
//! Inside an office, "not allowed" and "not found" are the same 404; not being signed in
//! redirects to the office's login page.

pub mod db;
pub mod handlers;
pub mod model;
pub mod password;
pub mod session_store;
pub mod views;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::not_found;
use crate::registry::Office;
use crate::web::{MaybeUser, full_path};
use sqlx::PgPool;

pub use model::{Role, SessionAuth, SessionLimits};

/// The session key under which [`SessionAuth`] is kept.
pub const SESSION_KEY: &str = "auth";

/// The signed-in user: office, user, role and (for a liaison) unit.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub tenant_id: Uuid,
    pub office_code: String,
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<Uuid>,
    pub must_change_password: bool,
}

impl CurrentUser {
    /// A path inside the user's office.
    pub fn path(&self, rel: &str) -> String {
        crate::registry::office_path(&self.office_code, rel)
    }

    /// This user as the audit log names them.
    pub fn actor(&self, client_addr: &str) -> crate::audit::Actor {
        crate::audit::Actor::user(self.id, &self.username, client_addr)
    }
}

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
    let row = db::find_user(&mut tx, stored.user_id).await?;
    tx.commit().await?;
    let Some(row) = row else { return Ok(None) };
    let Some(role) = Role::parse(&row.role) else {
        return Ok(None);
    };
    if row.disabled || row.session_version != stored.version {
        return Ok(None);
    }
    Ok(Some(CurrentUser {
        tenant_id: office.id,
        office_code: office.code.clone(),
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role,
        unit_id: row.unit_id,
        must_change_password: row.must_change_password,
    }))
}

/// Where an anonymous visitor is sent: the office's login page, coming back afterwards to the page
/// they were on. A form posted after the session ended returns to the page of the form (its
/// Referer), not to the address it posted to, which only answers POST.
fn login_redirect(parts: &Parts, office_code: &str) -> Response {
    let path = full_path(&parts.extensions, &parts.uri);
    let back = if parts.method == axum::http::Method::GET {
        Some(path.to_string())
    } else {
        parts
            .headers
            .get(axum::http::header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.path().to_string())
    };
    let back = back.unwrap_or_else(|| crate::registry::office_path(office_code, "/"));
    let next: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    let login = crate::registry::office_path(office_code, "/login");
    Redirect::to(&format!("{login}?next={next}")).into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(MaybeUser(Some(user))) = parts.extensions.get::<MaybeUser>() {
            return Ok(user.clone());
        }
        match parts.extensions.get::<Office>() {
            Some(office) => Err(login_redirect(parts, &office.code)),
            None => Err(not_found().into_response()),
        }
    }
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
