//! The offices themselves (the tenants): found by their code before any tenant is chosen, listed
//! for the jobs and the command line, created by the platform operator. The office table is the
//! only one read outside a tenant transaction.

use sqlx::{PgConnection, PgPool};

use crate::core::Office;

/// Finds an office by its URL code. The office table is readable before any tenant is chosen.
pub async fn find_office_by_code(pool: &PgPool, code: &str) -> Result<Option<Office>, sqlx::Error> {
    sqlx::query_as!(
        Office,
        "select id, code, name, short_name, time_zone, is_demo from office where code = $1",
        code
    )
    .fetch_optional(pool)
    .await
}

pub async fn list_offices(pool: &PgPool) -> Result<Vec<Office>, sqlx::Error> {
    sqlx::query_as!(
        Office,
        "select id, code, name, short_name, time_zone, is_demo from office order by code"
    )
    .fetch_all(pool)
    .await
}

pub async fn count_offices(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select count(*) as "n!" from office"#)
        .fetch_one(pool)
        .await
}

/// Creates an office (platform operators only: this runs as the configured database user);
/// false when the code is taken.
pub async fn insert_office(conn: &mut PgConnection, office: &Office) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into office (id, code, name, is_demo) values ($1, $2, $3, $4)
         on conflict (code) do nothing",
        office.id,
        office.code,
        office.name,
        office.is_demo
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
