//! Every SQL statement of the office's users.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::NewUser;

/// Inserts a user; `None` when the username is taken (the transaction stays usable).
pub async fn insert_user(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user: &NewUser,
    password_hash: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into app_user (tenant_id, id, username, display_name, role, unit_id, password_hash,
                               must_change_password)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (tenant_id, username) do nothing
         returning id",
        tenant_id,
        Uuid::now_v7(),
        user.username.as_str(),
        user.display_name,
        user.role.as_str(),
        user.unit_id,
        password_hash,
        user.must_change_password
    )
    .fetch_optional(conn)
    .await
}

pub async fn find_user_id(
    conn: &mut PgConnection,
    username: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("select id from app_user where username = $1", username)
        .fetch_optional(conn)
        .await
}

/// A user as lists and detail pages show them.
pub struct UserSummary {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<Uuid>,
    pub unit_name: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

/// One page of users matching `search` (username or name) and `role`, with the total count.
pub async fn list_users(
    conn: &mut PgConnection,
    search: Option<&str>,
    role: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserSummary>, i64), sqlx::Error> {
    let pattern = search.map(crate::db::like_pattern);
    let rows = sqlx::query_as!(
        UserSummary,
        "select u.id, u.username, u.display_name, u.role, u.unit_id, n.name as \"unit_name?\", u.disabled_at,
                u.last_login_at, u.must_change_password, u.created_at
           from app_user u left join unit n on n.tenant_id = u.tenant_id and n.id = u.unit_id
          where ($1::text is null or u.username ilike $1 or u.display_name ilike $1)
            and ($2::text is null or u.role = $2)
          order by u.username
          limit $3 offset $4",
        pattern,
        role,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from app_user u
            where ($1::text is null or u.username ilike $1 or u.display_name ilike $1)
              and ($2::text is null or u.role = $2)"#,
        pattern,
        role
    )
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

pub async fn get_user(conn: &mut PgConnection, id: Uuid) -> Result<UserSummary, sqlx::Error> {
    sqlx::query_as!(
        UserSummary,
        "select u.id, u.username, u.display_name, u.role, u.unit_id, n.name as \"unit_name?\", u.disabled_at,
                u.last_login_at, u.must_change_password, u.created_at
           from app_user u left join unit n on n.tenant_id = u.tenant_id and n.id = u.unit_id
          where u.id = $1",
        id
    )
    .fetch_one(conn)
    .await
}

/// Disables a user and ends all their sessions at once (their session version moves on).
pub async fn disable_user(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update app_user set disabled_at = now(), session_version = session_version + 1
          where id = $1 and disabled_at is null",
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn enable_user(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update app_user set disabled_at = null where id = $1 and disabled_at is not null",
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Number of users per role, for the administrator's home page.
pub async fn count_users_by_role(
    conn: &mut PgConnection,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select role, count(*) as "n!" from app_user where disabled_at is null group by role"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.role, r.n)).collect())
}

/// Moves a liaison to another unit of the office; false for any other role.
pub async fn set_liaison_unit(
    conn: &mut PgConnection,
    id: Uuid,
    unit_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update app_user set unit_id = $2 where id = $1 and role = 'liaison' and unit_id <> $2",
        id,
        unit_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
