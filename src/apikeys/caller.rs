//! [`ApiCaller`]: the other system calling the office's JSON API, known by its key.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::db;
use super::model::Presented;
use crate::AppState;
use crate::audit::{self, Actor, Event};
use crate::core::{ClientAddr, Office, OfficeCode};
use crate::db::offices::Changes;
use crate::db::tenant::PgTx;
use crate::web::api::ApiError;

/// A call made with a live key of the office named in the path (the `office` segment of
/// `/api/v1/{office}/...` or `/{office}/open311/...`): the office, the key, the caller's address,
/// the moment by the application's clock, and the call's tenant transaction, in which the key's
/// last use is already noted. The handler works in [`Self::tx`], records the call with
/// [`Self::record`] and ends with [`Self::commit`]; an answer without the commit writes nothing.
///
/// No key, a malformed one, a wrong secret, a revoked key or a key of another office: 401 with
/// the JSON error and `WWW-Authenticate: Bearer`, the same answer for each, and nothing written.
pub struct ApiCaller {
    pub office: Office,
    pub key_id: Uuid,
    pub key_name: String,
    pub key_prefix: String,
    pub addr: String,
    pub now: DateTime<Utc>,
    pub tx: PgTx,
    changes: Changes,
}

impl std::fmt::Debug for ApiCaller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiCaller")
            .field("office", &self.office.code)
            .field("key", &self.key_prefix)
            .field("addr", &self.addr)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// The office code of the path, when it can be one.
async fn path_office(parts: &mut Parts, state: &AppState) -> Option<OfficeCode> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    let (_, code) = params.iter().find(|(name, _)| *name == "office")?;
    OfficeCode::parse(code).ok()
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(Presented::from_authorization);
        let code = path_office(parts, state).await;
        let Ok(ClientAddr(addr)) = ClientAddr::from_request_parts(parts, state).await;
        ApiCaller::authenticate(state, code, presented, addr).await
    }
}

impl ApiCaller {
    /// The caller of a key sent otherwise than in the header (Open311's `api_key` field), for the
    /// office `office_code`; the same checks and the same 401 as the extractor.
    pub async fn with_key(
        state: &AppState,
        office_code: &str,
        key: &str,
        addr: String,
    ) -> Result<Self, ApiError> {
        let code = OfficeCode::parse(office_code).ok();
        Self::authenticate(state, code, Presented::parse(key.trim()), addr).await
    }

    async fn authenticate(
        state: &AppState,
        code: Option<OfficeCode>,
        presented: Option<Presented>,
        addr: String,
    ) -> Result<Self, ApiError> {
        let (Some(code), Some(presented)) = (code, presented) else {
            return Err(ApiError::unauthorized());
        };
        let office = state
            .offices
            .find(&state.db, code.as_str())
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        // the key is looked up inside the path's office: a key of another office is not found
        let mut tx = crate::db::begin_tenant(&state.db, office.id).await?;
        let key = db::find_by_prefix(&mut tx, &presented.prefix)
            .await?
            .filter(|key| key.revoked_at.is_none() && presented.matches(&key.secret_hash))
            .ok_or_else(ApiError::unauthorized)?;
        let now = state.clock.now();
        db::touch(&mut tx, key.id, now).await?;
        Ok(Self {
            office,
            key_id: key.id,
            key_name: key.name,
            key_prefix: presented.prefix,
            addr,
            now,
            tx,
            changes: state.changes.clone(),
        })
    }

    /// The key as the audit log names it.
    pub fn actor(&self) -> Actor {
        Actor::api_key(&self.key_prefix, &self.key_name, &self.addr, self.now)
    }

    /// Records `event` in the office's log with the key as the actor, in the call's transaction.
    pub async fn record(&mut self, event: Event<'_>) -> Result<(), ApiError> {
        let actor = self.actor();
        audit::record(&mut self.tx, self.office.id, &actor, event).await?;
        Ok(())
    }

    /// Commits the call's transaction (the key's last use, the call's record and its changes).
    pub async fn commit(self) -> Result<(), ApiError> {
        self.tx.commit().await?;
        self.changes.changed(self.office.id);
        Ok(())
    }
}
