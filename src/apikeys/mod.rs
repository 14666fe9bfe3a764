//! Per-office API keys (CMP-03): other systems (the 12345 platform, Open311 clients) call the
//! office's JSON API with `Authorization: Bearer KEY`. An office admin creates keys on
//! `/{office}/api-keys`, the platform operator with `xiaoneng apikey create`; the key is shown
//! once and stored only as the SHA-256 of its secret ([`model`]); a key is revoked, never deleted.
//! Every creation and revocation is in the audit log, and so is every call made with a key
//! ([`caller::ApiCaller::record`]).
//!
//! [`caller::ApiCaller`] is the extractor of every API handler: it reads the office from the path,
//! finds the key by its prefix inside that office and answers 401 with a JSON error for anything
//! but a live key of that office.

pub mod caller;
pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
pub use caller::ApiCaller;

/// A key just created: its id and the whole key, to show once.
#[derive(Debug)]
pub struct CreatedKey {
    pub id: Uuid,
    pub name: String,
    pub issued: model::IssuedKey,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateKeyError {
    /// The name is not acceptable: a catalog key saying why.
    #[error("invalid name: {0}")]
    Invalid(&'static str),
    #[error(transparent)]
    NoRandomness(#[from] model::NoRandomness),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a key named `name` for the office `tenant_id` and records it in the office's log, in
/// the caller's tenant transaction. `created_by` is the admin (none on the command line).
pub async fn create_key(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    created_by: Option<Uuid>,
    name: &str,
) -> Result<CreatedKey, CreateKeyError> {
    let name = model::parse_name(name).map_err(CreateKeyError::Invalid)?;
    let issued = model::issue()?;
    let id = Uuid::now_v7();
    db::insert_key(
        conn,
        (tenant_id, id),
        &name,
        &issued.prefix,
        &issued.secret_hash,
        created_by,
        actor.at,
    )
    .await?;
    let detail = json!({ "name": name, "prefix": issued.prefix });
    audit::record(
        conn,
        tenant_id,
        actor,
        Event::new("api_key.create", ("api_key", id), detail),
    )
    .await?;
    Ok(CreatedKey { id, name, issued })
}

/// What revoking a key came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Now,
    /// Revoked before: nothing changed, nothing recorded.
    Already,
    /// The office has no such key.
    NotFound,
}

/// Revokes the key `id` and records it in the office's log.
pub async fn revoke_key(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    id: Uuid,
    revoked_by: Option<Uuid>,
) -> Result<Revoked, sqlx::Error> {
    let Some((name, prefix)) = db::revoke(conn, id, revoked_by, actor.at).await? else {
        return Ok(if db::key_exists(conn, id).await? {
            Revoked::Already
        } else {
            Revoked::NotFound
        });
    };
    let detail = json!({ "name": name, "prefix": prefix });
    audit::record(
        conn,
        tenant_id,
        actor,
        Event::new("api_key.revoke", ("api_key", id), detail),
    )
    .await?;
    Ok(Revoked::Now)
}
