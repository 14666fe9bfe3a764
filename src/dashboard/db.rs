//! Every SQL statement of the dashboard: the year's effective deductions (a reversed one counts
//! nothing), summed three ways. Each is one grouped query over the year's ledger.

use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

/// The year's effective points per catalog item, most first: (code, title, points).
pub async fn points_by_item(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<(String, String, Decimal)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select i.code, i.title, sum(d.points) as "points!"
             from deduction d
             join deduction_item i on i.tenant_id = d.tenant_id and i.id = d.deduction_item_id
            where d.assessment_year_id = $1 and d.entry_kind = 'deduct'
              and not exists (select 1 from deduction r
                               where r.tenant_id = d.tenant_id and r.entry_kind = 'reverse'
                                 and r.reverses_id = d.id)
            group by i.code, i.title
            order by 3 desc, i.code"#,
        year_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.code, r.title, r.points))
        .collect())
}

/// The year's effective points per calendar month in the office's zone, (year, month, points),
/// months without any left out (a year's last deductions may fall in January of the next).
pub async fn points_by_month(
    conn: &mut PgConnection,
    year_id: Uuid,
    time_zone: &str,
) -> Result<Vec<(i32, i32, Decimal)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select extract(year from d.created_at at time zone $2)::int as "year!",
                  extract(month from d.created_at at time zone $2)::int as "month!",
                  sum(d.points) as "points!"
             from deduction d
            where d.assessment_year_id = $1 and d.entry_kind = 'deduct'
              and not exists (select 1 from deduction r
                               where r.tenant_id = d.tenant_id and r.entry_kind = 'reverse'
                                 and r.reverses_id = d.id)
            group by 1, 2
            order by 1, 2"#,
        year_id,
        time_zone
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.year, r.month, r.points))
        .collect())
}

/// The units that lost the most points this year, most first (ties by unit code), at most
/// `limit`: (unit id, name, points).
pub async fn units_most_deducted(
    conn: &mut PgConnection,
    year_id: Uuid,
    limit: i64,
) -> Result<Vec<(Uuid, String, Decimal)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.id, u.name, sum(d.points) as "points!"
             from deduction d
             join unit u on u.tenant_id = d.tenant_id and u.id = d.unit_id
            where d.assessment_year_id = $1 and d.entry_kind = 'deduct'
              and not exists (select 1 from deduction r
                               where r.tenant_id = d.tenant_id and r.entry_kind = 'reverse'
                                 and r.reverses_id = d.id)
            group by u.id, u.name, u.code
            order by 3 desc, u.code
            limit $2"#,
        year_id,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name, r.points)).collect())
}
