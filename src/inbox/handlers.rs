//! The inbox page: what awaits the user, their notifications, and where their mail goes.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::Awaiting;
use crate::audit::{self, Event};
use crate::auth::CurrentUser;
use crate::clock::Now;
use crate::db::{RequestTx, Tx};
use crate::error::{AppResult, not_found};
use crate::registry::views::local_time;
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

/// One notification as the inbox lists it.
pub struct NotificationItem {
    pub id: Uuid,
    pub message: String,
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "inbox/inbox.html")]
pub struct InboxPage {
    pub ctx: PageCtx,
    pub awaiting: Vec<Awaiting>,
    pub notifications: Vec<NotificationItem>,
    pub unread: usize,
    pub email: String,
    pub errors: Vec<String>,
}

async fn inbox_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    now: chrono::DateTime<chrono::Utc>,
    (email, errors): (Option<String>, Vec<String>),
) -> AppResult<InboxPage> {
    let today = now.with_timezone(&ctx.time_zone()).date_naive();
    let awaiting = super::awaiting(tx, user, today).await?;
    let notifications: Vec<NotificationItem> = super::db::notifications(tx, user.id)
        .await?
        .into_iter()
        .map(|n| NotificationItem {
            id: n.id,
            message: super::message(ctx.lang, &n.kind, &n.detail),
            when: local_time(&ctx, &n.created_at),
            unread: n.read_at.is_none(),
        })
        .collect();
    let email = match email {
        Some(typed) => typed,
        None => super::db::email(tx, user.id).await?,
    };
    Ok(InboxPage {
        unread: notifications.iter().filter(|n| n.unread).count(),
        awaiting,
        notifications,
        email,
        errors,
        ctx,
    })
}

pub async fn show_inbox(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = inbox_page(ctx, &user, &mut tx, now, (None, Vec::new())).await?;
    drop(tx);
    render(&page)
}

#[derive(Debug, Deserialize)]
pub struct NotificationPath {
    pub notification_id: Uuid,
}

/// Opens a notification: it is read from now on, and the user goes to the page it is about.
pub async fn open_notification(
    user: CurrentUser,
    path: Result<Path<NotificationPath>, PathRejection>,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(NotificationPath { notification_id }) = path.map_err(|_| not_found())?;
    let link = super::db::mark_read(&mut tx, user.id, notification_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Redirect::to(&user.path(&link)).into_response())
}

pub async fn read_all(user: CurrentUser, session: Session, mut tx: Tx) -> AppResult<Response> {
    super::db::mark_all_read(&mut tx, user.id).await?;
    flash::push(&session, FlashKind::Success, "inbox.all_read", None).await;
    Ok(Redirect::to(&user.path("/inbox")).into_response())
}

/// Where the user's notifications are mailed (empty: no mail).
pub async fn save_email(
    user: CurrentUser,
    Now(now): Now,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let email = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let mut tx = request_tx.acquire().await?;
    if !email.is_empty() && !plausible_email(&email) {
        let errors = vec![ctx.t("inbox.error_email").to_string()];
        let page = inbox_page(ctx, &user, &mut tx, now, (Some(email), errors)).await?;
        drop(tx);
        return render_invalid(&page);
    }
    super::db::set_email(&mut tx, user.id, &email).await?;
    let event = Event {
        action: "user.email",
        subject_type: "app_user",
        subject_id: Some(user.id),
        detail: json!({ "email": email }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Success, "inbox.email_saved", None).await;
    Ok(Redirect::to(&user.path("/inbox")).into_response())
}

/// The shape the database accepts: something@domain.tld, no spaces, at most 254 characters.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && domain
            .split_once('.')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        && !domain.ends_with('.')
}

#[cfg(test)]
mod tests {
    use super::plausible_email;

    #[test]
    fn only_plausible_addresses_are_kept() {
        assert!(plausible_email("liaison@unit.gov.cn"));
        for bad in ["liaison", "a@b", "a b@c.cn", "@c.cn", "a@@c.cn", "a@c.cn."] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}
