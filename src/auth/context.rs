//! The office context: every route under `/{office}` runs inside it. It finds the office by its
//! code (from the process's short-lived cache), loads the signed-in user, provides the request's
//! tenant transaction and finishes it after the handler: committed for a success or a redirect,
//! rolled back otherwise. A page view (GET) reads the user inside that transaction, which its
//! handler goes on with; a form or an upload reads it in a short transaction of its own, and its
//! handler begins the request's transaction once the body is in.
//! A code that cannot be an office's (a NUL byte, upper case) is not looked up at all.
//!
//! A user signed in to another office gets the same 404 as a missing page, for every path of this
//! office: offices are invisible to each other.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{self, SessionAuth};
use crate::core::error::{AppError, ErrorResponse, not_found};
use crate::core::{CurrentUser, MaybeUser, Office, OfficeCode};
use crate::db::{KeepWrites, OfficeChanged, RequestTx, Wrote, should_commit};
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
    let office = match state.offices.find(&state.db, code.as_str()).await {
        Ok(Some(office)) => office,
        Ok(None) => return not_found().into_response(),
        Err(error) => return AppError::from(error).into_response(),
    };
    let office_id = office.id;
    let request_tx = RequestTx::new(state.db.clone(), office.id);
    // A page view reads the user in the request's own transaction; anything else (a form, an
    // upload) in a short one of its own, so that no connection waits while its body arrives.
    let page_view = matches!(*request.method(), Method::GET | Method::HEAD);
    let own_tx = page_view.then_some(&request_tx);
    let user = match signed_in(&state, &session, &office, own_tx).await {
        Ok(user) => user,
        Err(response) => return response,
    };

    request.extensions_mut().insert(office);
    request.extensions_mut().insert(request_tx.clone());
    request.extensions_mut().insert(MaybeUser(user));

    let response = next.run(request).await;
    let commit = should_commit(
        response.status(),
        response.extensions().get::<ErrorResponse>().is_some(),
        response.extensions().get::<KeepWrites>().is_some(),
    );
    let office_changed = response.extensions().get::<OfficeChanged>().is_some();
    let wrote = !page_view || response.extensions().get::<Wrote>().is_some();
    let finished = if wrote {
        request_tx.finish(commit).await
    } else {
        request_tx.release().await
    };
    match finished {
        Ok(()) => {
            if office_changed {
                state.offices.forget(code.as_str());
            }
            if commit && wrote {
                state.changes.changed(office_id);
            }
            response
        }
        Err(error) => error.into_response(),
    }
}

/// The user the session signs in at this office, if any: a session of another office is the
/// not-found page; one that no longer signs in (timed out, the user disabled, the password
/// changed) ends here, with a word on the next page; a live one is touched now and then.
async fn signed_in(
    state: &AppState,
    session: &Session,
    office: &Office,
    request_tx: Option<&RequestTx>,
) -> Result<Option<CurrentUser>, Response> {
    let stored: Option<SessionAuth> = session.get(auth::SESSION_KEY).await.ok().flatten();
    let Some(stored) = stored else {
        return Ok(None);
    };
    if stored.tenant_id != office.id {
        return Err(not_found().into_response());
    }
    let now = state.clock.now();
    let limits = (&state.config.session).into();
    let resumed = match request_tx {
        _ if !stored.is_live(limits, now) => Ok(None),
        Some(request_tx) => match request_tx.acquire().await {
            Ok(mut tx) => auth::resume_in(&mut tx, office, &stored).await,
            Err(error) => return Err(error.into_response()),
        },
        None => auth::resume(&state.db, office, &stored, limits, now).await,
    };
    match resumed {
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
            Ok(Some(current))
        }
        Ok(None) => {
            // Timed out, disabled, or the password changed: the session no longer signs in.
            let _ended = session.remove_value(auth::SESSION_KEY).await;
            flash::push(session, FlashKind::Info, "auth.session_ended", None).await;
            Ok(None)
        }
        Err(error) => Err(AppError::from(error).into_response()),
    }
}
