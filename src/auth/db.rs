//! Every SQL statement of authentication: sessions, users as login sees them, login attempts.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::model::RecentFailures;

/// A session as stored: its data, the user it signs in (kept in a column of its own, read with
/// the session by a page view) and when it expires.
pub struct StoredSession {
    pub id: String,
    pub data: serde_json::Value,
    pub user_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_session(pool: &PgPool, session: StoredSession) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into session (id, data, user_id, expires_at) values ($1, $2, $3, $4)
         on conflict (id) do nothing",
        session.id,
        session.data,
        session.user_id,
        session.expires_at,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Updates an existing session only: a session deleted meanwhile (logout, a new id at login,
/// expiry) is never brought back by a concurrent request that still holds it.
pub async fn update_session(pool: &PgPool, session: StoredSession) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update session set data = $2, user_id = $3, expires_at = $4 where id = $1",
        session.id,
        session.data,
        session.user_id,
        session.expires_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn load_session(
    pool: &PgPool,
    id: &str,
) -> Result<Option<(serde_json::Value, DateTime<Utc>)>, sqlx::Error> {
    let row = sqlx::query!(
        "select data, expires_at from session where id = $1 and expires_at > now()",
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.data, r.expires_at)))
}

pub async fn delete_session(pool: &PgPool, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from session where id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A user as the login form needs it.
pub struct LoginCandidate {
    pub id: Uuid,
    pub password_hash: String,
    pub session_version: i32,
    pub disabled: bool,
}

#[tracing::instrument(skip(conn))]
pub async fn find_login_candidate(
    conn: &mut PgConnection,
    username: &str,
) -> Result<Option<LoginCandidate>, sqlx::Error> {
    sqlx::query_as!(
        LoginCandidate,
        r#"select id, password_hash, session_version, disabled_at is not null as "disabled!"
           from app_user where username = $1"#,
        username
    )
    .fetch_optional(conn)
    .await
}

/// The signed-in user's row, as every request loads it.
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<Uuid>,
    pub session_version: i32,
    pub disabled: bool,
    pub must_change_password: bool,
}

pub async fn find_user(conn: &mut PgConnection, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"select id, username, display_name, role, unit_id, session_version,
                  disabled_at is not null as "disabled!", must_change_password
           from app_user where id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// A live session as stored, and the user it signs in when that user is of the office the
/// transaction is scoped to.
pub struct SessionWithUser {
    pub data: serde_json::Value,
    pub expires_at: DateTime<Utc>,
    pub user: Option<UserRow>,
}

/// The session `id` and its user in one statement, inside a transaction already scoped to an
/// office that set `app.session_id` to `id` (the only session the restricted role may read: see
/// `db::begin_tenant`). `None` when no live session has that id.
pub async fn session_with_user(
    conn: &mut PgConnection,
    id: &str,
) -> Result<Option<SessionWithUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select s.data, s.expires_at,
                  u.id as "user_id?", u.username as "username?",
                  u.display_name as "display_name?", u.role as "role?", u.unit_id as "unit_id?",
                  u.session_version as "session_version?",
                  (u.disabled_at is not null) as "disabled?",
                  u.must_change_password as "must_change_password?"
             from session s
             left join app_user u
               on u.id = coalesce(s.user_id,
                                  -- a session written without the column (by an older release
                                  -- during a rolling upgrade) names its user in its data only
                                  case when s.data -> 'auth' ->> 'user_id' ~ '^[0-9a-fA-F-]{36}$'
                                       then (s.data -> 'auth' ->> 'user_id')::uuid end)
            where s.id = $1 and s.expires_at > now()"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let user = match (r.user_id, r.username, r.display_name, r.role) {
            (Some(id), Some(username), Some(display_name), Some(role)) => Some(UserRow {
                id,
                username,
                display_name,
                role,
                unit_id: r.unit_id,
                session_version: r.session_version.unwrap_or_default(),
                disabled: r.disabled.unwrap_or(true),
                must_change_password: r.must_change_password.unwrap_or(true),
            }),
            _ => None,
        };
        SessionWithUser {
            data: r.data,
            expires_at: r.expires_at,
            user,
        }
    }))
}

/// Failures of `username` since its last success and failures from `client_addr`, since `since`.
#[tracing::instrument(skip(conn))]
pub async fn recent_failures(
    conn: &mut PgConnection,
    username: &str,
    client_addr: &str,
    since: DateTime<Utc>,
) -> Result<RecentFailures, sqlx::Error> {
    let row = sqlx::query!(
        r#"select
             (select count(*) from login_attempt f
               where f.username = $1 and not f.succeeded and f.attempted_at > $3
                 and f.attempted_at > coalesce(
                     (select max(s.attempted_at) from login_attempt s
                       where s.username = $1 and s.succeeded), '-infinity')) as "account!",
             (select count(*) from login_attempt f
               where f.client_addr = $2 and not f.succeeded and f.attempted_at > $3) as "address!""#,
        username,
        client_addr,
        since
    )
    .fetch_one(conn)
    .await?;
    Ok(RecentFailures {
        account: row.account,
        address: row.address,
    })
}

pub async fn record_login_attempt(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    username: &str,
    client_addr: &str,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into login_attempt (tenant_id, id, username, client_addr, succeeded)
         values ($1, $2, $3, $4, $5)",
        tenant_id,
        Uuid::now_v7(),
        username,
        client_addr,
        succeeded
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mark_logged_in(conn: &mut PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set last_login_at = now() where id = $1",
        user_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn password_hash(conn: &mut PgConnection, user_id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("select password_hash from app_user where id = $1", user_id)
        .fetch_one(conn)
        .await
}

/// Replaces the password and ends every session of the user (their version moves on); returns
/// the new session version.
pub async fn set_password(
    conn: &mut PgConnection,
    user_id: Uuid,
    hash: &str,
    must_change: bool,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "update app_user
            set password_hash = $2, must_change_password = $3, session_version = session_version + 1
          where id = $1
          returning session_version",
        user_id,
        hash,
        must_change
    )
    .fetch_one(conn)
    .await
}

/// Serializes login attempts on one account until the transaction ends.
pub async fn lock_account_attempts(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    username: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('login:' || $1 || ':' || $2, 0))",
        tenant_id.to_string(),
        username
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes expired sessions; returns how many.
pub async fn delete_expired_sessions(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("delete from session where expires_at < now()")
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
