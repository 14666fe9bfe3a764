//! Every SQL statement of the covert-inspection draws (INS-07).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

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
