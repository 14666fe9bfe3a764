//! The tenant transaction. Every office request runs in one transaction that first sets
//! `app.tenant_id` and switches to the restricted role `xiaoneng_app` (both LOCAL, so nothing
//! survives the transaction on a pooled connection). Row-level security then shows and accepts only
//! that office's rows, even when the configured database user is a superuser.
//!
//! [`RequestTx`] is begun lazily by the handler when it first needs it (after any form body has
//! been read) and committed by the office middleware after the handler returns, unless the
//! response came from an error. The signed-in user is loaded before that, in a short read-only
//! transaction of its own (`auth::resume`), so that no connection is held while a body uploads.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use crate::error::AppError;

pub type PgTx = Transaction<'static, Postgres>;

/// Begins a transaction scoped to one office (`tenant_id`) as the restricted role.
pub async fn begin_tenant(pool: &PgPool, tenant_id: Uuid) -> Result<PgTx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "select set_config('app.tenant_id', $1, true) as tenant, set_config('role', $2, true) as role",
        tenant_id.to_string(),
        super::APP_ROLE,
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(tx)
}

/// The request's transaction slot, shared through request extensions.
#[derive(Clone)]
pub struct RequestTx {
    pool: PgPool,
    tenant_id: Uuid,
    slot: Arc<Mutex<Option<PgTx>>>,
}

impl RequestTx {
    pub fn new(pool: PgPool, tenant_id: Uuid) -> Self {
        Self {
            pool,
            tenant_id,
            slot: Arc::new(Mutex::new(None)),
        }
    }

    /// The transaction, begun on first use. Hold the guard only for the work at hand: a second
    /// `acquire` in the same request waits for the first guard to be dropped.
    pub async fn acquire(&self) -> Result<Tx, sqlx::Error> {
        let mut guard = self.slot.clone().lock_owned().await;
        if guard.is_none() {
            *guard = Some(begin_tenant(&self.pool, self.tenant_id).await?);
        }
        Ok(Tx(guard))
    }

    /// Commits (or rolls back) whatever the request did; nothing happens when it never began.
    pub async fn finish(&self, commit: bool) -> Result<(), sqlx::Error> {
        let taken = self.slot.lock().await.take();
        match taken {
            Some(tx) if commit => tx.commit().await,
            Some(tx) => tx.rollback().await,
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
        Ok(request_tx.acquire().await?)
    }
}
