//! The office context: every route under `/{office}` runs inside it. It finds the office by its
//! code, loads the signed-in user (in a short transaction of its own), provides the request's
//! tenant transaction (begun lazily by the handler) and finishes it after the handler.
//!
//! A user signed in to another office gets the same 404 as a missing page, for every path of this
//! office: offices are invisible to each other.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{self, CurrentUser, SessionAuth};
use crate::db::{KeepWrites, RequestTx, should_commit};
use crate::error::{AppError, ErrorResponse, not_found};
use crate::registry;
use crate::web::flash::{self, FlashKind};

/// The signed-in user of this request, if any (set by [`office_context`]).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

fn office_code(path: &str) -> Option<&str> {
    path.strip_prefix('/')?
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
}

pub async fn office_context(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = crate::web::full_path(request.extensions(), request.uri());
    let Some(code) = office_code(path) else {
        return not_found().into_response();
    };
    let office = match registry::db::find_office_by_code(&state.db, code).await {
        Ok(Some(office)) => office,
        Ok(None) => return not_found().into_response(),
        Err(error) => return AppError::from(error).into_response(),
    };
    let request_tx = RequestTx::new(state.db.clone(), office.id);

    let stored: Option<SessionAuth> = session.get(auth::SESSION_KEY).await.ok().flatten();
    let mut user = None;
    if let Some(stored) = stored {
        if stored.tenant_id != office.id {
            return not_found().into_response();
        }
        let now = Utc::now();
        match auth::resume(&state.db, &office, &stored, state.session_limits(), now).await {
            Ok(Some(current)) => {
                if stored.needs_touch(now) {
                    let touched = SessionAuth {
                        last_seen_at: now,
                        ..stored
                    };
                    if let Err(error) = session.insert(auth::SESSION_KEY, touched).await {
                        tracing::warn!(%error, "could not refresh the session");
                    }
                }
                user = Some(current);
            }
            Ok(None) => {
                // Timed out, disabled, or the password changed: the session no longer signs in.
                let _ended = session.remove_value(auth::SESSION_KEY).await;
                flash::push(&session, FlashKind::Info, "auth.session_ended", None).await;
            }
            Err(error) => return AppError::from(error).into_response(),
        }
    }

    // the inbox's count for the navigation, on the pages a browser navigates to
    if let Some(current) = &user
        && request.method() == axum::http::Method::GET
        && accepts_html(&request)
        && !is_file(path)
    {
        match inbox_count(&state, &office, current).await {
            Ok(count) => {
                request
                    .extensions_mut()
                    .insert(crate::web::InboxCount(count));
            }
            Err(error) => tracing::warn!(%error, "could not count the inbox"),
        }
    }

    request.extensions_mut().insert(office);
    request.extensions_mut().insert(request_tx.clone());
    request.extensions_mut().insert(MaybeUser(user));

    let response = next.run(request).await;
    let commit = should_commit(
        response.status(),
        response.extensions().get::<ErrorResponse>().is_some(),
        response.extensions().get::<KeepWrites>().is_some(),
    );
    match request_tx.finish(commit).await {
        Ok(()) => response,
        Err(error) => error.into_response(),
    }
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

/// Counted in a short read-only transaction of its own, before the handler's.
async fn inbox_count(
    state: &AppState,
    office: &crate::registry::Office,
    user: &CurrentUser,
) -> Result<i64, sqlx::Error> {
    let mut tx = crate::db::begin_tenant(&state.db, office.id).await?;
    let today = crate::inbox::office_today(office, state.clock.now());
    let count = crate::inbox::count(&mut tx, user, today).await?;
    tx.rollback().await?;
    Ok(count)
}
