//! The office context: every route under `/{office}` runs inside it. It finds the office by its
//! code (from the process's short-lived cache), loads the signed-in user, provides the request's
//! tenant transaction and finishes it after the handler: committed for a success or a redirect,
//! rolled back otherwise. A page view (GET) reads its session and the user inside that
//! transaction, in one statement, and its handler goes on with it; a form or an upload reads it in a short transaction of its own, and its
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
use tower_sessions::session::{Id, Record};

use crate::AppState;
use crate::auth::db::UserRow;
use crate::auth::{self, SessionAuth, session_store};
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
    request: Request,
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
    // A page view reads its session and user in the request's own transaction, which its handler
    // goes on with; anything else (a form, an upload) reads them in a short one of its own, so
    // that no connection waits while its body arrives.
    let page_view = matches!(*request.method(), Method::GET | Method::HEAD);
    let read_here = session.id().filter(|_| page_view);
    let mut request_tx = RequestTx::new(state.db.clone(), office.id);
    if let Some(id) = read_here {
        request_tx = request_tx.reading_session(&id.to_string());
    }
    let (read, preloaded) = match read_here {
        Some(id) => match read_in_request(&request_tx, id).await {
            Ok((record, user)) => (Read::InRequest(user), Some((id, record))),
            // the store tries again on its own connection; failing there too, the page is shown
            // signed out, as it was before sessions were read here
            Err(error) => {
                tracing::warn!(%error, "could not read the session in the request");
                (Read::OwnTransaction, None)
            }
        },
        None => (Read::OwnTransaction, None),
    };
    let rest = async move {
        let user = match signed_in(&state, &session, &office, read).await {
            Ok(user) => user,
            Err(response) => return response,
        };
        run(state, request, next, (office, user), request_tx, page_view).await
    };
    match preloaded {
        Some((id, record)) => session_store::with_preloaded(id, record, rest).await,
        None => rest.await,
    }
}

/// How the signed-in user is read: already, in the page view's own transaction (`None`: the
/// session names no user of this office), or in a short transaction of its own.
enum Read {
    InRequest(Option<UserRow>),
    OwnTransaction,
}

/// The session `id` and its user, read in the request's transaction (which may read it).
async fn read_in_request(
    request_tx: &RequestTx,
    id: Id,
) -> Result<(Option<Record>, Option<UserRow>), AppError> {
    let mut tx = request_tx.acquire().await?;
    let row = match auth::db::session_with_user(&mut tx, &id.to_string()).await {
        Ok(row) => row,
        Err(error) => {
            // the failed statement spoiled the transaction: the handler begins another
            if let Err(error) = tx.abandon().await {
                tracing::warn!(%error, "could not roll back");
            }
            return Err(error.into());
        }
    };
    drop(tx);
    match row {
        Some(row) => match session_store::record(id, row.data, row.expires_at) {
            Ok(record) => Ok((Some(record), row.user)),
            // a record we cannot read signs nobody in, as the store's own load would say
            Err(error) => {
                tracing::warn!(%error, "an unreadable session");
                Ok((None, None))
            }
        },
        None => Ok((None, None)),
    }
}

/// The handler's turn, then the end of the request's transaction: committed for a success or a
/// redirect, rolled back otherwise, let go untouched when a page view wrote nothing.
async fn run(
    state: AppState,
    mut request: Request,
    next: Next,
    (office, user): (Office, Option<CurrentUser>),
    request_tx: RequestTx,
    page_view: bool,
) -> Response {
    let code = office.code.clone();
    let office_id = office.id;
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
    read: Read,
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
    let resumed = match read {
        _ if !stored.is_live(limits, now) => Ok(None),
        Read::InRequest(row) => Ok(auth::current_user(office, &stored, row)),
        Read::OwnTransaction => auth::resume(&state.db, office, &stored, limits, now).await,
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
