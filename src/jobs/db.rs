//! Every SQL statement of the jobs: the session-level advisory lock that lets one instance run a
//! round.

use sqlx::PgConnection;

/// Takes the lock `key` for this connection's session, or answers false at once if another holds it.
pub async fn try_lock(conn: &mut PgConnection, key: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!("select pg_try_advisory_lock($1) as \"got!\"", key)
        .fetch_one(conn)
        .await
}

pub async fn unlock(conn: &mut PgConnection, key: i64) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("select pg_advisory_unlock($1) as \"released!\"", key)
        .fetch_one(conn)
        .await?;
    Ok(())
}
