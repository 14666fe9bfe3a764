//! The office context: every route under `/{office}` runs inside it. It finds the office by its
//! code, loads the signed-in user (in a short transaction of its own), provides the request's
//! tenant transaction (begun lazily by the handler) and finishes it after the handler.
//! A code that cannot be an office's (a NUL byte, upper case) is not looked up at all.
//!
//! A user signed in to another office gets the same 404 as a missing page, for every path of this
//! office: offices are invisible to each other.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{self, SessionAuth};
use crate::core::error::{AppError, ErrorResponse, not_found};
use crate::core::{MaybeUser, OfficeCode};
use crate::db::{KeepWrites, RequestTx, should_commit};
use crate::web::flash::{self, FlashKind};

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
    let path = crate::core::full_path(request.extensions(), request.uri());
    let Some(code) = office_code(path).and_then(|c| OfficeCode::parse(c).ok()) else {
        return not_found().into_response();
    };
    let office = match crate::db::offices::find_office_by_code(&state.db, code.as_str()).await {
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
        let now = state.clock.now();
        match auth::resume(
            &state.db,
            &office,
            &stored,
            (&state.config.session).into(),
            now,
        )
        .await
        {
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
