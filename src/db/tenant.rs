//! The tenant transaction. Every office request runs in one transaction that first sets
//! `app.tenant_id` and switches to the restricted role `xiaoneng_app` (both LOCAL, so nothing
//! survives the transaction on a pooled connection). Row-level security then shows and accepts only
//! that office's rows, even when the configured database user is a superuser.
//!
//! [`RequestTx`] is begun by a page view (GET) at once, to read its session and user, and by any
//! other request lazily, when its handler first needs it (after the form body has been read; its
//! user is read before, in a short transaction of its own, `auth::resume`, so that no connection
//! is held while a body uploads). The office middleware finishes it after the handler returns:
//! committed for a success or a redirect, rolled back otherwise (see [`should_commit`]), let go
//! untouched for a page view that wrote nothing.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use crate::core::error::AppError;

pub type PgTx = Transaction<'static, Postgres>;

/// Begins a transaction scoped to one office (`tenant_id`) as the restricted role, in one round
/// trip: `BEGIN` and the settings go as one simple query. Nothing typed reaches that text: the id
/// is a UUID (hex digits and dashes) and the role our own constant.
///
/// The `BEGIN` runs to its answer in a task of its own. A request dropped while it waits (the
/// browser went away) would otherwise leave sqlx not knowing the transaction had begun: the
/// connection would go back to the pool inside it, as the restricted role, and fail every later
/// user (seen under load as "permission denied for table session", then "current transaction is
/// aborted" on every request that drew that connection). A transaction begun for nobody is
/// dropped at the end of its task, which rolls it back.
pub async fn begin_tenant(pool: &PgPool, tenant_id: Uuid) -> Result<PgTx, sqlx::Error> {
    begin(pool, tenant_id, None).await
}

/// [`begin_tenant`], also letting the transaction read one session, `session_id` (a page view
/// reads its own with its user: `auth::db::session_with_user`). An id that is not a session id
/// as we make them (base64url) lets it read none.
async fn begin(
    pool: &PgPool,
    tenant_id: Uuid,
    session_id: Option<&str>,
) -> Result<PgTx, sqlx::Error> {
    let session = session_id
        .filter(|id| {
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(|id| format!(", set_config('app.session_id', '{id}', true)"))
        .unwrap_or_default();
    let statement = format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{}', true), set_config('role', '{}', true){}",
        tenant_id.hyphenated(),
        super::APP_ROLE,
        session,
    );
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with(statement).await })
        .await
        .map_err(|joined| sqlx::Error::Io(std::io::Error::other(joined)))?
}

/// Scopes the rest of an open transaction to one office, as the restricted role.
pub async fn enter_tenant(conn: &mut PgConnection, tenant_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select set_config('app.tenant_id', $1, true) as tenant, set_config('role', $2, true) as role",
        tenant_id.to_string(),
        super::APP_ROLE,
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Marks a response whose writes must be kept although it is not a success: a refused login
/// records the failed attempt (and its audit row) that throttling counts.
#[derive(Debug, Clone, Copy)]
pub struct KeepWrites;

/// Whether the request's work is committed: for a success or a redirect, or a response marked
/// [`KeepWrites`]; never for an error. A form re-rendered with 422 after a write keeps nothing.
pub fn should_commit(status: axum::http::StatusCode, error: bool, keep_writes: bool) -> bool {
    !error && (status.is_success() || status.is_redirection() || keep_writes)
}

/// The request's transaction slot, shared through request extensions.
#[derive(Clone)]
pub struct RequestTx {
    pool: PgPool,
    tenant_id: Uuid,
    /// The session this request's transaction may read (a page view's own).
    session_id: Option<Arc<str>>,
    slot: Arc<Mutex<Option<PgTx>>>,
}

impl RequestTx {
    pub fn new(pool: PgPool, tenant_id: Uuid) -> Self {
        Self {
            pool,
            tenant_id,
            session_id: None,
            slot: Arc::new(Mutex::new(None)),
        }
    }

    /// The transaction may read session `id`, once begun.
    pub fn reading_session(self, id: &str) -> Self {
        Self {
            session_id: Some(id.into()),
            ..self
        }
    }

    /// The transaction, begun on first use. A request holds it once: asking again while a
    /// [`Tx`] is alive is a programming error, reported at once instead of waiting forever.
    pub async fn acquire(&self) -> Result<Tx, AppError> {
        let Ok(mut guard) = self.slot.clone().try_lock_owned() else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "the request transaction is already held"
            )));
        };
        if guard.is_none() {
            let session_id = self.session_id.as_deref();
            *guard = Some(begin(&self.pool, self.tenant_id, session_id).await?);
        }
        Ok(Tx(guard))
    }

    /// Ends a page view that wrote nothing: the transaction is let go, and its rollback goes to
    /// the server with the connection's return to the pool (one round trip, not two). A page view
    /// that writes says so ([`super::Wrote`]) and is committed instead; in debug builds (the
    /// tests) a page view that wrote without saying so is refused here, so none loses its writes.
    pub async fn release(&self) -> Result<(), AppError> {
        let Ok(mut slot) = self.slot.try_lock() else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "a Tx outlived its handler"
            )));
        };
        #[cfg(debug_assertions)]
        if let Some(tx) = slot.as_mut() {
            let wrote: bool = sqlx::query_scalar("select txid_current_if_assigned() is not null")
                .fetch_one(&mut **tx)
                .await?;
            if wrote {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "a page view wrote without marking its response with Wrote"
                )));
            }
        }
        drop(slot.take());
        Ok(())
    }

    /// Commits (or rolls back) whatever the request did; nothing happens when it never began.
    pub async fn finish(&self, commit: bool) -> Result<(), AppError> {
        let Ok(mut slot) = self.slot.try_lock() else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "a Tx outlived its handler"
            )));
        };
        match slot.take() {
            Some(tx) if commit => Ok(tx.commit().await?),
            Some(tx) => Ok(tx.rollback().await?),
            None => Ok(()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestTx {
    type Rejection = AppError;

    /// The slot itself, not yet begun: handlers that read a form take this and `acquire` after
    /// the body is in, so no connection waits on a slow upload.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<RequestTx>().cloned().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("RequestTx used outside an office route"))
        })
    }
}

/// A handle on the request's tenant transaction; derefs to a `PgConnection` for `db.rs` functions.
pub struct Tx(OwnedMutexGuard<Option<PgTx>>);

impl Tx {
    /// Rolls the transaction back and lets it go: the next `acquire` begins a fresh one. For work
    /// whose failure must cost only itself (the navigation's count), not the page after it.
    pub async fn abandon(mut self) -> Result<(), sqlx::Error> {
        match self.0.take() {
            Some(tx) => tx.rollback().await,
            None => Ok(()),
        }
    }
}

impl Deref for Tx {
    type Target = PgConnection;

    #[allow(clippy::expect_used)] // `acquire` fills the slot before it hands out a `Tx`.
    fn deref(&self) -> &PgConnection {
        self.0.as_ref().expect("transaction begun in acquire")
    }
}

impl DerefMut for Tx {
    #[allow(clippy::expect_used)] // `acquire` fills the slot before it hands out a `Tx`.
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.0.as_mut().expect("transaction begun in acquire")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Tx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let request_tx = parts
            .extensions
            .get::<RequestTx>()
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("Tx used outside an office route"))
            })?;
        request_tx.acquire().await
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::should_commit;

    #[test]
    fn successes_and_redirects_commit_and_everything_else_rolls_back() {
        assert!(should_commit(StatusCode::OK, false, false));
        assert!(should_commit(StatusCode::SEE_OTHER, false, false));
        assert!(!should_commit(
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            false
        ));
        assert!(!should_commit(StatusCode::BAD_REQUEST, false, false));
        assert!(!should_commit(StatusCode::NOT_FOUND, true, false));
        assert!(!should_commit(
            StatusCode::INTERNAL_SERVER_ERROR,
            true,
            true
        ));
    }

    #[test]
    fn a_refused_login_keeps_its_recorded_attempt() {
        assert!(should_commit(StatusCode::UNPROCESSABLE_ENTITY, false, true));
    }
}
