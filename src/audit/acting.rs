//! The user acting in a request, as the audit log names them, and the one way a change ends:
//! recorded in the log (in the change's own transaction), a message for the next page, and a
//! redirect (post/redirect/get).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tower_sessions::Session;

use super::{Actor, Event};
use crate::core::{AppResult, ClientAddr, Clock, CurrentUser};
use crate::web::flash::{self, Flash};

/// The signed-in user acting in this request: who, from which address, at what moment (the
/// application's clock), with the session that carries the message shown after the change.
#[derive(Clone)]
pub struct Acting {
    pub user: CurrentUser,
    pub addr: String,
    pub now: DateTime<Utc>,
    session: Session,
    clock: Clock,
}

impl std::fmt::Debug for Acting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acting")
            .field("user", &self.user.username)
            .field("addr", &self.addr)
            .field("now", &self.now)
            .finish()
    }
}

impl<S> FromRequestParts<S> for Acting
where
    S: Send + Sync,
    Clock: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Ok(ClientAddr(addr)) = ClientAddr::from_request_parts(parts, state).await;
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let clock = Clock::from_ref(state);
        Ok(Self {
            user,
            addr,
            now: clock.now(),
            session,
            clock,
        })
    }
}

impl Acting {
    /// The moment moves on to the end of an upload, which may have streamed for minutes: the
    /// rules (INS-12's appeal window) and the stored times judge when the files arrived.
    pub fn upload_received(&mut self) {
        self.now = self.clock.now();
    }

    /// This user as the audit log names them.
    pub fn actor(&self) -> Actor {
        Actor::user(self.user.id, &self.user.username, &self.addr, self.now)
    }

    /// Records `event` in the office's log, in the transaction of the change.
    pub async fn record(
        &self,
        conn: &mut PgConnection,
        event: Event<'_>,
    ) -> Result<(), sqlx::Error> {
        super::record(conn, self.user.tenant_id, &self.actor(), event).await
    }

    /// The end of a change: recorded in the log, `message` queued for the next page, and on to
    /// `next` (a path inside the office).
    pub async fn recorded(
        &self,
        conn: &mut PgConnection,
        event: Event<'_>,
        message: Flash,
        next: &str,
    ) -> AppResult<Response> {
        self.record(conn, event).await?;
        Ok(self.done(message, next).await)
    }

    /// The end of a request that changed nothing the log keeps (or recorded it already):
    /// `message` queued for the next page, and on to `next`.
    pub async fn done(&self, message: Flash, next: &str) -> Response {
        flash::queue(&self.session, message).await;
        Redirect::to(&self.user.path(next)).into_response()
    }

    /// The session, for what else a handler keeps in it (a password shown once).
    pub fn session(&self) -> &Session {
        &self.session
    }
}
