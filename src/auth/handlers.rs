//! Login, logout and password change.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db::LoginCandidate;
use super::model::{SessionAuth, Username, check_new_password};
use super::views::{LoginPage, PasswordPage};
use super::{SESSION_KEY, db, password};
use crate::AppState;
use crate::audit::{self, Acting, Actor, Event};
use crate::core::{AppError, AppResult, ClientAddr, CurrentUser, Now, Office, not_found};
use crate::db::{RequestTx, Tx};
use crate::web::{Flash, Form, PageCtx, Query, render, render_refused};

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    pub next: Option<String>,
}

/// Only a path inside this office may be a `next` target (no open redirect).
fn safe_next(office: &Office, next: Option<&str>) -> String {
    let home = office.path("/");
    match next {
        Some(n)
            if (n == home || n.starts_with(&format!("{home}/")))
                && !n.contains("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_string()
        }
        _ => home,
    }
}

pub async fn login_form(
    ctx: PageCtx,
    office: axum::Extension<Office>,
    Query(query): Query<LoginQuery>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&office.path("/")).into_response());
    }
    let next = safe_next(&office, query.next.as_deref());
    render(&LoginPage {
        ctx,
        username: String::new(),
        next,
        failed: false,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    Now(now): Now,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let office = ctx.office.clone().ok_or_else(not_found)?;
    let typed = form.username.trim().chars().take(64).collect::<String>();
    let username = Username::parse(&typed)
        .map(|u| u.as_str().to_string())
        .unwrap_or(typed.to_lowercase());
    let next = safe_next(&office, form.next.as_deref());
    let limits = super::model::ThrottleLimits::from(&state.config.auth);

    let turn = password::permit().await?;
    let mut tx = request_tx.acquire().await?;
    // Attempts on one account take turns, so parallel requests cannot outrun the count.
    db::lock_account_attempts(&mut tx, office.id, &username).await?;
    let failures = db::recent_failures(&mut tx, &username, &addr, now - limits.window).await?;
    let throttled = limits.refuses(failures);
    let candidate = db::find_login_candidate(&mut tx, &username).await?;
    // Always pay for one argon2 verification, so timing tells nothing about the account.
    let stored = candidate.as_ref().map(|c| c.password_hash.clone());
    let password_ok = password::verify_with(&turn, form.password, stored).await?;
    drop(turn);
    let failed_page = LoginPage {
        ctx,
        username: username.clone(),
        next: next.clone(),
        failed: true,
    };

    if throttled {
        // Refused without being counted: hammering a locked account does not keep it locked,
        // and nothing is written for it.
        tracing::warn!(office = %office.code, %addr, "login refused: too many recent failures");
        drop(tx);
        return render_refused(&failed_page);
    }
    let user = candidate.as_ref().filter(|c| password_ok && !c.disabled);
    db::record_login_attempt(&mut tx, office.id, &username, &addr, user.is_some()).await?;
    let Some(user) = user else {
        login_failed(
            &mut tx,
            (office.id, &addr, now),
            candidate.as_ref(),
            &username,
        )
        .await?;
        drop(tx);
        return render_refused(&failed_page);
    };
    db::mark_logged_in(&mut tx, user.id).await?;
    let event = Event::new("user.login", ("user", user.id), json!({}));
    let actor = Actor::user(user.id, &username, &addr, now);
    audit::record(&mut tx, office.id, &actor, event).await?;
    start_session(&session, office.id, user, now).await?;
    Ok(Redirect::to(&next).into_response())
}

/// A failed login in the office's log. Only a real account is named: what was typed for an
/// unknown one may be a password.
async fn login_failed(
    tx: &mut Tx,
    (office_id, addr, now): (Uuid, &str, DateTime<Utc>),
    candidate: Option<&LoginCandidate>,
    username: &str,
) -> AppResult<()> {
    let event = match candidate {
        Some(c) => Event::new(
            "user.login_failed",
            ("user", c.id),
            json!({ "username": username }),
        ),
        None => Event {
            action: "user.login_failed",
            subject_type: "user",
            subject_id: None,
            detail: json!({ "reason": "unknown_user" }),
        },
    };
    audit::record(tx, office_id, &Actor::anonymous("-", addr, now), event).await?;
    Ok(())
}

/// The session signs `user` in from now on, under a new id, so that an id planted before login
/// is worthless.
async fn start_session(
    session: &Session,
    office_id: Uuid,
    user: &LoginCandidate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    session
        .cycle_id()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let auth = SessionAuth {
        tenant_id: office_id,
        user_id: user.id,
        version: user.session_version,
        authenticated_at: now,
        last_seen_at: now,
    };
    session
        .insert(SESSION_KEY, auth)
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

pub async fn logout(acting: Acting, mut tx: Tx) -> AppResult<Response> {
    let event = Event::new("user.logout", ("user", acting.user.id), json!({}));
    acting.record(&mut tx, event).await?;
    acting
        .session()
        .flush()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(acting
        .done(Flash::success("auth.logged_out"), "/login")
        .await)
}

pub async fn password_form(user: CurrentUser, ctx: PageCtx) -> AppResult<Response> {
    render(&PasswordPage {
        ctx,
        must_change: user.must_change_password,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let (user, addr, session) = (&acting.user, &acting.addr, acting.session());
    let mut tx = request_tx.acquire().await?;
    let limits = super::model::ThrottleLimits::from(&state.config.auth);
    // Guessing the current password from a stolen session counts like guessing at the login form.
    db::lock_account_attempts(&mut tx, user.tenant_id, &user.username).await?;
    let since = acting.now - limits.window;
    let failures = db::recent_failures(&mut tx, &user.username, addr, since).await?;
    let mut errors = Vec::new();
    if limits.refuses(failures) {
        errors.push(("current_password", "error.too_many_attempts"));
    } else {
        let stored = db::password_hash(&mut tx, user.id).await?;
        if !password::verify(form.current_password.clone(), Some(stored)).await? {
            errors.push(("current_password", "error.current_password_wrong"));
            db::record_login_attempt(&mut tx, user.tenant_id, &user.username, addr, false).await?;
        }
    }
    if let Err(e) = check_new_password(&form.new_password) {
        errors.push(("new_password", e));
    } else if form.new_password != form.confirm_password {
        errors.push(("confirm_password", "error.password_mismatch"));
    } else if form.new_password == form.current_password {
        errors.push(("new_password", "error.password_unchanged"));
    }
    if !errors.is_empty() {
        drop(tx);
        return render_refused(&PasswordPage {
            ctx,
            must_change: user.must_change_password,
            errors,
        });
    }
    let hash = password::hash(form.new_password).await?;
    let version = db::set_password(&mut tx, user.id, &hash, false).await?;
    let event = Event::new("user.password_change", ("user", user.id), json!({}));
    acting.record(&mut tx, event).await?;
    // Every other session of the user ended with the version change; this one carries on.
    let auth: Option<SessionAuth> = session.get(SESSION_KEY).await.ok().flatten();
    if let Some(auth) = auth {
        let renewed = SessionAuth { version, ..auth };
        session
            .cycle_id()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        session
            .insert(SESSION_KEY, renewed)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(acting
        .done(Flash::success("auth.password_changed"), "/")
        .await)
}
