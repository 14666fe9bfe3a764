//! Every SQL statement of assessment years (INS-01) and their deduction catalogs (INS-15).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A year as its pages show it.
pub struct YearRow {
    pub id: Uuid,
    pub year: i32,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub units: i64,
    pub items: i64,
}

pub async fn list_years(conn: &mut PgConnection) -> Result<Vec<YearRow>, sqlx::Error> {
    sqlx::query_as!(
        YearRow,
        r#"select y.id, y.year, y.status, y.opened_at, y.closed_at,
                  (select count(*) from assessment_unit a
                    where a.tenant_id = y.tenant_id and a.assessment_year_id = y.id) as "units!",
                  (select count(*) from deduction_item d
                    where d.tenant_id = y.tenant_id and d.assessment_year_id = y.id
                      and d.retired_at is null) as "items!"
             from assessment_year y order by y.year desc"#
    )
    .fetch_all(conn)
    .await
}

pub async fn find_year(conn: &mut PgConnection, year: i32) -> Result<Option<YearRow>, sqlx::Error> {
    sqlx::query_as!(
        YearRow,
        r#"select y.id, y.year, y.status, y.opened_at, y.closed_at,
                  (select count(*) from assessment_unit a
                    where a.tenant_id = y.tenant_id and a.assessment_year_id = y.id) as "units!",
                  (select count(*) from deduction_item d
                    where d.tenant_id = y.tenant_id and d.assessment_year_id = y.id
                      and d.retired_at is null) as "items!"
             from assessment_year y where y.year = $1"#,
        year
    )
    .fetch_optional(conn)
    .await
}

/// The latest year before `year`, the one a new year copies from.
pub async fn previous_year_id(
    conn: &mut PgConnection,
    year: i32,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from assessment_year where year < $1 order by year desc limit 1",
        year
    )
    .fetch_optional(conn)
    .await
}

/// Opens a year; `None` when the office has it already.
pub async fn insert_year(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year: i32,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into assessment_year (tenant_id, id, year) values ($1, $2, $3)
         on conflict (tenant_id, year) do nothing returning id",
        tenant_id,
        Uuid::now_v7(),
        year
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_year_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update assessment_year
            set status = $2, closed_at = case when $2 = 'closed' then $3::timestamptz end
          where id = $1 and status <> $2",
        id,
        status,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Copies one year's assessment list to another.
pub async fn copy_assessment_units(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    from_year: Uuid,
    to_year: Uuid,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "insert into assessment_unit (tenant_id, assessment_year_id, unit_id)
         select tenant_id, $3, unit_id from assessment_unit
          where tenant_id = $1 and assessment_year_id = $2",
        tenant_id,
        from_year,
        to_year
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A catalog item as stored.
pub struct ItemRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub for_open: bool,
    pub for_covert: bool,
    pub for_system: bool,
    pub points_min: rust_decimal::Decimal,
    pub points_max: rust_decimal::Decimal,
    pub rule_id: String,
    pub costs_excellence: bool,
    pub retired_at: Option<DateTime<Utc>>,
}

pub async fn list_items(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as!(
        ItemRow,
        "select id, code, title, for_open, for_covert, for_system, points_min, points_max, rule_id,
                costs_excellence, retired_at
           from deduction_item where assessment_year_id = $1
          order by retired_at is not null, position, code",
        year_id
    )
    .fetch_all(conn)
    .await
}

pub async fn get_item(
    conn: &mut PgConnection,
    year_id: Uuid,
    id: Uuid,
) -> Result<ItemRow, sqlx::Error> {
    sqlx::query_as!(
        ItemRow,
        "select id, code, title, for_open, for_covert, for_system, points_min, points_max, rule_id,
                costs_excellence, retired_at
           from deduction_item where assessment_year_id = $1 and id = $2",
        year_id,
        id
    )
    .fetch_one(conn)
    .await
}

/// Adds an item at `position`, or at the end of the catalog; `None` when the code is taken in
/// that year.
pub async fn insert_item(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    item: &super::model::ItemFields,
    position: Option<i32>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into deduction_item (tenant_id, id, assessment_year_id, code, title, for_open,
                                     for_covert, for_system, points_min, points_max, rule_id,
                                     costs_excellence, position)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 coalesce($13, (select coalesce(max(position), 0) + 1 from deduction_item
                                 where assessment_year_id = $3)))
         on conflict (tenant_id, assessment_year_id, code) do nothing
         returning id",
        tenant_id,
        Uuid::now_v7(),
        year_id,
        item.code,
        item.title,
        item.for_open,
        item.for_covert,
        item.for_system,
        item.points_min,
        item.points_max,
        item.rule_id,
        item.costs_excellence,
        position
    )
    .fetch_optional(conn)
    .await
}

/// Changes an item's fields (the code too, unless another item of the year has it).
pub async fn update_item(
    conn: &mut PgConnection,
    year_id: Uuid,
    id: Uuid,
    item: &super::model::ItemFields,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update deduction_item
            set code = $3, title = $4, for_open = $5, for_covert = $6, for_system = $7,
                points_min = $8, points_max = $9, rule_id = $10, costs_excellence = $11
          where assessment_year_id = $1 and id = $2
            and not exists (select 1 from deduction_item o
                             where o.assessment_year_id = $1 and o.code = $3 and o.id <> $2)",
        year_id,
        id,
        item.code,
        item.title,
        item.for_open,
        item.for_covert,
        item.for_system,
        item.points_min,
        item.points_max,
        item.rule_id,
        item.costs_excellence
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Retires an item: it stays (findings may point at it) but is offered no more.
pub async fn set_item_retired(
    conn: &mut PgConnection,
    year_id: Uuid,
    id: Uuid,
    retired: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update deduction_item set retired_at = case when $3 then now() end
          where assessment_year_id = $1 and id = $2 and (retired_at is not null) <> $3",
        year_id,
        id,
        retired
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The newest open year, whose list the unit pages manage.
pub async fn current_open_year(
    conn: &mut PgConnection,
) -> Result<Option<(Uuid, i32)>, sqlx::Error> {
    let row = sqlx::query!(
        "select id, year from assessment_year where status = 'open' order by year desc limit 1"
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.year)))
}
