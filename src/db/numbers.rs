//! Human numbers (certificate 2026-007, later complaint and notice numbers): a per-office,
//! per-kind, per-year counter taken with a row lock, so numbers are unique under concurrency and
//! never come from a max()+1. A number taken by a transaction that rolls back is not reused.

use sqlx::PgConnection;
use uuid::Uuid;

/// The next number of `kind` for `year` in the office, counting from 1.
pub async fn next_number(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    kind: &str,
    year: i32,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into number_counter (tenant_id, kind, year, last_value) values ($1, $2, $3, 1)
         on conflict (tenant_id, kind, year) do update set last_value = number_counter.last_value + 1
         returning last_value",
        tenant_id,
        kind,
        year
    )
    .fetch_one(conn)
    .await
}
