//! Every SQL statement of inspections.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// A unit that can be drawn: on the year's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUnit {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
}

/// The year's listed units, sorted by code in byte order (the draw's documented pool order).
pub async fn listed_units(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<PoolUnit>, sqlx::Error> {
    sqlx::query_as!(
        PoolUnit,
        r#"select u.id, u.code, u.name, u.category
             from assessment_unit a join unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
            where a.assessment_year_id = $1
            order by u.code collate "C""#,
        year_id
    )
    .fetch_all(conn)
    .await
}

/// Units by id, in code order (for showing a draw's pool and result).
pub async fn units_by_ids(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<PoolUnit>, sqlx::Error> {
    sqlx::query_as!(
        PoolUnit,
        r#"select id, code, name, category from unit where id = any($1) order by code collate "C""#,
        ids
    )
    .fetch_all(conn)
    .await
}

/// A draw to store.
pub struct NewDraw<'a> {
    pub year_id: Uuid,
    pub pool: &'a [Uuid],
    pub seed: &'a str,
    pub count: i32,
    pub result: &'a [Uuid],
    pub categories: &'a [String],
    pub note: &'a str,
    pub drawn_by: Uuid,
}

pub async fn insert_draw(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    draw: &NewDraw<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into inspection_draw (tenant_id, id, assessment_year_id, pool, seed, draw_count, result,
                                      categories, note, drawn_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        tenant_id,
        id,
        draw.year_id,
        draw.pool,
        draw.seed,
        draw.count,
        draw.result,
        draw.categories,
        draw.note,
        draw.drawn_by
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn insert_exclusion(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    draw_id: Uuid,
    unit_id: Uuid,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into draw_exclusion (tenant_id, draw_id, unit_id, reason) values ($1, $2, $3, $4)",
        tenant_id,
        draw_id,
        unit_id,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored draw.
pub struct DrawRow {
    pub id: Uuid,
    pub year: i32,
    pub pool: Vec<Uuid>,
    pub seed: String,
    pub draw_count: i32,
    pub result: Vec<Uuid>,
    pub categories: Vec<String>,
    pub note: String,
    pub drawn_by: String,
    pub drawn_at: DateTime<Utc>,
}

pub async fn list_draws(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<DrawRow>, sqlx::Error> {
    sqlx::query_as!(
        DrawRow,
        r#"select d.id, y.year, d.pool, d.seed, d.draw_count, d.result, d.categories, d.note,
                  u.display_name as drawn_by, d.drawn_at
             from inspection_draw d
             join assessment_year y on y.tenant_id = d.tenant_id and y.id = d.assessment_year_id
             join app_user u on u.tenant_id = d.tenant_id and u.id = d.drawn_by
            where d.assessment_year_id = $1
            order by d.drawn_at desc"#,
        year_id
    )
    .fetch_all(conn)
    .await
}

pub async fn get_draw(conn: &mut PgConnection, id: Uuid) -> Result<DrawRow, sqlx::Error> {
    sqlx::query_as!(
        DrawRow,
        r#"select d.id, y.year, d.pool, d.seed, d.draw_count, d.result, d.categories, d.note,
                  u.display_name as drawn_by, d.drawn_at
             from inspection_draw d
             join assessment_year y on y.tenant_id = d.tenant_id and y.id = d.assessment_year_id
             join app_user u on u.tenant_id = d.tenant_id and u.id = d.drawn_by
            where d.id = $1"#,
        id
    )
    .fetch_one(conn)
    .await
}

/// A draw's exclusions: (unit code, unit name, reason).
pub async fn draw_exclusions(
    conn: &mut PgConnection,
    draw_id: Uuid,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.code, u.name, e.reason from draw_exclusion e
             join unit u on u.tenant_id = e.tenant_id and u.id = e.unit_id
            where e.draw_id = $1 order by u.code collate "C""#,
        draw_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.code, r.name, r.reason))
        .collect())
}

/// Files a unit's report for a quarter; `None` when it has one already.
pub async fn insert_self_report(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    unit_id: Uuid,
    quarter: i32,
    content: &str,
    submitted_by: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into self_report (tenant_id, id, assessment_year_id, unit_id, quarter, content, submitted_by)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (tenant_id, assessment_year_id, unit_id, quarter) do nothing
         returning id",
        tenant_id,
        Uuid::now_v7(),
        year_id,
        unit_id,
        quarter,
        content,
        submitted_by
    )
    .fetch_optional(conn)
    .await
}

/// The year's reports: (unit id, quarter, submitted at).
pub async fn self_reports(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<(Uuid, i32, DateTime<Utc>)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select unit_id, quarter, submitted_at from self_report where assessment_year_id = $1",
        year_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.unit_id, r.quarter, r.submitted_at))
        .collect())
}

/// The year's open catalog item with `code` (S01 for a missed self-report): its id and points.
pub async fn catalog_item(
    conn: &mut PgConnection,
    year_id: Uuid,
    code: &str,
) -> Result<Option<(Uuid, rust_decimal::Decimal)>, sqlx::Error> {
    let row = sqlx::query!(
        "select id, points_min from deduction_item
          where assessment_year_id = $1 and code = $2 and retired_at is null",
        year_id,
        code
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.points_min)))
}

/// The office's open years: (id, year).
pub async fn open_years(conn: &mut PgConnection) -> Result<Vec<(Uuid, i32)>, sqlx::Error> {
    let rows =
        sqlx::query!("select id, year from assessment_year where status = 'open' order by year")
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.year)).collect())
}
