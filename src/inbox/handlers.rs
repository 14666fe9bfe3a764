//! The inbox page: what awaits the user, their notifications, and where their mail goes; each
//! role's home page; and the inbox's count in the navigation.

use axum::extract::{Extension, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Datelike, Days, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::views::{
    HomePage, InboxPage, NoticeDue, NoticeWaiting, NotificationItem, QuarterDue, TasksSoon, Tile,
    UnitWork,
};
use crate::AppState;
use crate::audit::{Acting, Event};
use crate::calendar::Calendar;
use crate::core::{AppResult, CurrentUser, MaybeUser, Now, Office, Role, not_found};
use crate::db::{RequestTx, Tx};
use crate::inspections::handlers::task_items;
use crate::web::{Flash, Form, InboxCount, PageCtx, Path, render, render_invalid};

async fn inbox_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    now: DateTime<Utc>,
    (email, errors): (Option<String>, Vec<String>),
    counted: Option<super::Inbox>,
) -> AppResult<InboxPage> {
    let awaiting = super::counted_or_now(counted, tx, user, now, ctx.time_zone())
        .await?
        .awaiting;
    let notifications: Vec<NotificationItem> = super::db::notifications(tx, user.id)
        .await?
        .into_iter()
        .map(|n| NotificationItem {
            id: n.id,
            message: super::message(ctx.lang, &n.kind, &n.detail),
            when: ctx.local_time(&n.created_at),
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
    counted: Option<Extension<super::Inbox>>,
    mut tx: Tx,
) -> AppResult<Response> {
    let counted = counted.map(|Extension(inbox)| inbox);
    let page = inbox_page(ctx, &user, &mut tx, now, (None, Vec::new()), counted).await?;
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
    Path(NotificationPath { notification_id }): Path<NotificationPath>,
    mut tx: Tx,
) -> AppResult<Response> {
    let link = super::db::mark_read(&mut tx, user.id, notification_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Redirect::to(&user.path(&link)).into_response())
}

pub async fn read_all(acting: Acting, mut tx: Tx) -> AppResult<Response> {
    super::db::mark_all_read(&mut tx, acting.user.id).await?;
    Ok(acting
        .done(Flash::success("inbox.all_read"), "/inbox")
        .await)
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub email: String,
}

/// Where the user's notifications are mailed (empty: no mail).
pub async fn save_email(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<EmailForm>,
) -> AppResult<Response> {
    let email = form.email.trim().to_string();
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    if !email.is_empty() && !plausible_email(&email) {
        let errors = vec![ctx.t("inbox.error_email").to_string()];
        let shown = (Some(email), errors);
        let page = inbox_page(ctx, user, &mut tx, acting.now, shown, None).await?;
        drop(tx);
        return render_invalid(&page);
    }
    super::db::set_email(&mut tx, user.id, &email).await?;
    let event = Event::new(
        "user.email",
        ("app_user", user.id),
        json!({ "email": email }),
    );
    let done = Flash::success("inbox.email_saved");
    acting.recorded(&mut tx, event, done, "/inbox").await
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

/// Each role's landing page after login: its work, counted, each count or item linking to
/// where it is done. One tenant transaction; what the inbox counts is the navigation's count,
/// already read for this request (or kept a moment), and each role adds a fixed few reads.
pub async fn show_home(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    counted: Option<Extension<super::Inbox>>,
    mut tx: Tx,
) -> AppResult<Response> {
    let counted = counted.map(|Extension(inbox)| inbox);
    let inbox = super::counted_or_now(counted, &mut tx, &user, now, ctx.time_zone()).await?;
    let mut page = HomePage {
        display_name: user.display_name.clone(),
        role: user.role,
        queue: None,
        figures: Vec::new(),
        tiles: Vec::new(),
        tasks: None,
        unit: None,
        ctx,
    };
    let ctx = &page.ctx;
    match user.role {
        Role::OfficeAdmin => {
            let counts = crate::registry::users::db::count_users_by_role(&mut tx).await?;
            page.figures = Tile::accounts(ctx, &counts);
            page.queue = Some(inbox.awaiting);
        }
        Role::OfficeStaff => page.queue = Some(inbox.awaiting),
        Role::Leader => page.tiles = Tile::leader(ctx, &inbox.counts),
        Role::Supervisor => {
            let today = ctx.local_date(now);
            let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
            let week = (monday, monday + Days::new(6));
            let rows = crate::inspections::db::tasks_of_user(&mut tx, user.id, Some(week)).await?;
            let (today_rows, week_rows): (Vec<_>, Vec<_>) =
                rows.into_iter().partition(|t| t.scheduled_on == today);
            page.tasks = Some(TasksSoon {
                today: task_items(ctx, now, today_rows),
                week: task_items(ctx, now, week_rows),
                drafts: inbox.counts.drafts,
            });
        }
        Role::Liaison => {
            let unit_id = user.liaison_unit().ok_or_else(not_found)?;
            let notices = super::db::unit_notices(&mut tx, unit_id).await?;
            let quarters = super::db::unit_quarters(&mut tx, unit_id).await?;
            // the working days left and the reports' due dates (CAL-2), when there is any
            let calendar = match (notices.is_empty(), &quarters) {
                (true, None) => Calendar::new(Vec::new()),
                _ => crate::calendar::load(&mut tx).await?,
            };
            let today = ctx.local_date(now);
            page.unit = Some(UnitWork {
                to_answer: notices
                    .iter()
                    .filter(|n| !n.report_pending)
                    .map(|n| NoticeDue::new(ctx, n, now, &calendar))
                    .collect(),
                waiting: NoticeWaiting::of(ctx, &notices),
                quarters: quarters
                    .map(|q| QuarterDue::unfiled(ctx, &q, today, &calendar))
                    .unwrap_or_default(),
            });
            page.queue = Some(inbox.awaiting);
        }
    }
    drop(tx);
    render(&page)
}

/// The inbox's count beside 待办 in the navigation, on the pages a browser navigates to (not for
/// PDFs, evidence bytes or exports): counted in the page view's own transaction, before the
/// handler goes on with it, for the signed-in user the office context found. The inbox page
/// shows the same count line by line: it finds it in the request, counted once.
pub async fn count_for_navigation(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = crate::core::full_path(request.extensions(), request.uri());
    let page =
        request.method() == axum::http::Method::GET && accepts_html(&request) && !is_file(path);
    let user = request
        .extensions()
        .get::<MaybeUser>()
        .and_then(|m| m.0.clone());
    let office = request.extensions().get::<Office>().cloned();
    let request_tx = request.extensions().get::<RequestTx>().cloned();
    if let (true, Some(user), Some(office), Some(request_tx)) = (page, user, office, request_tx) {
        let now = state.clock.now();
        let changes = state.changes.of(office.id);
        let key = (office.id, user.id);
        let count = navigation_count(&request_tx, &office, &user, now);
        let counted = state
            .inbox_counts
            .read_through(key, changes, now, count)
            .await;
        match counted {
            Ok(inbox) => {
                request.extensions_mut().insert(InboxCount(inbox.count));
                request.extensions_mut().insert(inbox);
            }
            Err(error) => tracing::warn!(%error, "could not count the inbox"),
        }
    }
    next.run(request).await
}

/// A file, not a page: a PDF, evidence bytes, a thumbnail, an export.
fn is_file(path: &str) -> bool {
    ["/pdf", "/content", "/thumbnail", ".csv", ".xlsx", ".png"]
        .iter()
        .any(|end| path.ends_with(end))
}

fn accepts_html(request: &Request) -> bool {
    request
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

async fn navigation_count(
    request_tx: &RequestTx,
    office: &Office,
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> AppResult<super::Inbox> {
    let mut tx = request_tx.acquire().await?;
    match super::awaiting(&mut tx, user, now, office.tz()).await {
        Ok(inbox) => Ok(inbox),
        Err(error) => {
            // a count that fails costs only the badge: the page begins a transaction of its own
            tx.abandon().await?;
            Err(error.into())
        }
    }
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
