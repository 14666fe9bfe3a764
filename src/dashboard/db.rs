//! Every SQL statement of the dashboard: the year's effective deductions (a reversed one counts
//! nothing), summed three ways — by catalog item, by calendar month, by unit — in one statement
//! over the year's ledger.

use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

/// The year's effective points summed three ways, each most first (months in order).
#[derive(Debug, Default, Clone)]
pub struct Spread {
    /// (item code, title, points)
    pub by_item: Vec<(String, String, Decimal)>,
    /// (year, month, points) in the office's zone `time_zone`: a year's last deductions may fall
    /// in January of the next
    pub by_month: Vec<(i32, i32, Decimal)>,
    /// (unit name, points), at most `units` of them, ties by unit code
    pub by_unit: Vec<(String, Decimal)>,
}

pub async fn spread(
    conn: &mut PgConnection,
    year_id: Uuid,
    time_zone: &str,
    units: i64,
) -> Result<Spread, sqlx::Error> {
    let rows = sqlx::query!(
        r#"with effective as (
               select d.tenant_id, d.unit_id, d.deduction_item_id, d.points,
                      d.created_at at time zone $2 as local_at
                 from deduction d
                where d.assessment_year_id = $1 and d.entry_kind = 'deduct'
                  and not exists (select 1 from deduction r
                                   where r.tenant_id = d.tenant_id and r.entry_kind = 'reverse'
                                     and r.reverses_id = d.id)
           ),
           by_item as (
               select 'item' as way, i.code as key, i.title as label, 0 as year, 0 as month,
                      sum(e.points) as points
                 from effective e
                 join deduction_item i on i.tenant_id = e.tenant_id and i.id = e.deduction_item_id
                group by i.code, i.title
           ),
           by_month as (
               select 'month' as way, '' as key, '' as label,
                      extract(year from local_at)::int as year,
                      extract(month from local_at)::int as month, sum(points) as points
                 from effective
                group by 4, 5
           ),
           by_unit as (
               select 'unit' as way, u.code as key, u.name as label, 0 as year, 0 as month,
                      sum(e.points) as points
                 from effective e
                 join unit u on u.tenant_id = e.tenant_id and u.id = e.unit_id
                group by u.code, u.name
                order by 6 desc, u.code
                limit $3
           )
           select way as "way!", key as "key!", label as "label!", year as "year!",
                  month as "month!", points as "points!"
             from (select * from by_item union all select * from by_month
                   union all select * from by_unit) s
            order by way, points desc, year, month, key"#,
        year_id,
        time_zone,
        units
    )
    .fetch_all(conn)
    .await?;
    let mut spread = Spread::default();
    for r in rows {
        match r.way.as_str() {
            "item" => spread.by_item.push((r.key, r.label, r.points)),
            "month" => spread.by_month.push((r.year, r.month, r.points)),
            _ => spread.by_unit.push((r.label, r.points)),
        }
    }
    spread.by_month.sort_by_key(|m| (m.0, m.1));
    Ok(spread)
}
