//! Every SQL statement of the API keys, inside the office's tenant transaction.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A key as the list shows it: never its secret or hash.
#[derive(Debug, Clone)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    /// Null: created on the command line.
    pub created_by_name: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What checking a presented key needs.
#[derive(Debug, Clone)]
pub struct KeyCheck {
    pub id: Uuid,
    pub name: String,
    pub secret_hash: Vec<u8>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The office's keys, newest first (an office has a handful).
#[tracing::instrument(skip(conn))]
pub async fn list_keys(conn: &mut PgConnection) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiKeyRow,
        r#"select k.id, k.name, k.prefix, k.created_at, u.display_name as "created_by_name?",
                  k.last_used_at, k.revoked_at
           from api_key k
           left join app_user u on u.tenant_id = k.tenant_id and u.id = k.created_by
           order by k.created_at desc, k.id desc"#
    )
    .fetch_all(conn)
    .await
}

/// Stores a new key of the office `tenant_id`.
#[tracing::instrument(skip(conn, secret_hash))]
pub async fn insert_key(
    conn: &mut PgConnection,
    (tenant_id, id): (Uuid, Uuid),
    name: &str,
    prefix: &str,
    secret_hash: &[u8],
    created_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into api_key (tenant_id, id, name, prefix, secret_hash, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7)",
        tenant_id,
        id,
        name,
        prefix,
        secret_hash,
        created_by,
        now
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// The office's key with `prefix`, to check a presented key against.
#[tracing::instrument(skip(conn))]
pub async fn find_by_prefix(
    conn: &mut PgConnection,
    prefix: &str,
) -> Result<Option<KeyCheck>, sqlx::Error> {
    sqlx::query_as!(
        KeyCheck,
        "select id, name, secret_hash, revoked_at from api_key where prefix = $1",
        prefix
    )
    .fetch_optional(conn)
    .await
}

/// Revokes the key `id` unless it is revoked already; its name and prefix, or `None` when there
/// was nothing to revoke.
#[tracing::instrument(skip(conn))]
pub async fn revoke(
    conn: &mut PgConnection,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "update api_key set revoked_at = $2, revoked_by = $3 where id = $1 and revoked_at is null
         returning name, prefix",
        id,
        now,
        by
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.name, r.prefix)))
}

/// Whether the office has a key `id` (revoked or not).
#[tracing::instrument(skip(conn))]
pub async fn key_exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from api_key where id = $1) as "exists!""#,
        id
    )
    .fetch_one(conn)
    .await
}

/// Notes that the key `id` was used at `now`.
#[tracing::instrument(skip(conn))]
pub async fn touch(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update api_key set last_used_at = $2 where id = $1",
        id,
        now
    )
    .execute(conn)
    .await
    .map(|_| ())
}
