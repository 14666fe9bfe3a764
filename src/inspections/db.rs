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

// ---- tasks (INS-02, INS-03, INS-07) and coverage (INS-06) ----

pub async fn insert_task(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    task: &super::tasks::TaskFields,
    created_by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into inspection_task (tenant_id, id, assessment_year_id, group_id, unit_id, kind, method,
                                      focus, scheduled_on, note, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        tenant_id,
        id,
        year_id,
        task.group_id,
        task.unit_id,
        task.kind,
        task.method,
        &task.focus,
        task.scheduled_on,
        task.note,
        created_by
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A task as lists show it.
pub struct TaskRow {
    pub id: Uuid,
    pub scheduled_on: chrono::NaiveDate,
    pub kind: String,
    pub method: Option<String>,
    pub focus: Vec<String>,
    pub unit_name: String,
    pub group_name: String,
}

pub async fn year_tasks(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        "select t.id, t.scheduled_on, t.kind, t.method, t.focus, u.name as unit_name, g.name as group_name
           from inspection_task t
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
          where t.assessment_year_id = $1
          order by t.scheduled_on, u.name",
        year_id
    )
    .fetch_all(conn)
    .await
}

/// The tasks of the groups the supervisor linked to `user_id` belongs to.
pub async fn tasks_of_user(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        "select t.id, t.scheduled_on, t.kind, t.method, t.focus, u.name as unit_name, g.name as group_name
           from inspection_task t
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
           join group_member m on m.tenant_id = t.tenant_id and m.group_id = t.group_id
           join supervisor s on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
          where s.user_id = $1
          order by t.scheduled_on, u.name",
        user_id
    )
    .fetch_all(conn)
    .await
}

/// A task with what the supervisor needs on site.
pub struct TaskDetail {
    pub id: Uuid,
    pub year: i32,
    pub scheduled_on: chrono::NaiveDate,
    pub kind: String,
    pub method: Option<String>,
    pub focus: Vec<String>,
    pub note: String,
    pub group_id: Uuid,
    pub group_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_address: String,
    pub unit_phone: String,
    pub unit_leaders: String,
}

pub async fn get_task(conn: &mut PgConnection, id: Uuid) -> Result<TaskDetail, sqlx::Error> {
    sqlx::query_as!(
        TaskDetail,
        "select t.id, y.year, t.scheduled_on, t.kind, t.method, t.focus, t.note, t.group_id,
                g.name as group_name, u.code as unit_code, u.name as unit_name,
                u.address as unit_address, u.phone as unit_phone, u.leaders as unit_leaders
           from inspection_task t
           join assessment_year y on y.tenant_id = t.tenant_id and y.id = t.assessment_year_id
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
          where t.id = $1",
        id
    )
    .fetch_one(conn)
    .await
}

/// Whether the user's supervisor record belongs to the group.
pub async fn user_in_group(
    conn: &mut PgConnection,
    user_id: Uuid,
    group_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from group_member m join supervisor s
                           on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
                          where m.group_id = $2 and s.user_id = $1) as "e!""#,
        user_id,
        group_id
    )
    .fetch_one(conn)
    .await
}

/// A group's members, as recusal sees them.
pub async fn group_members_for_recusal(
    conn: &mut PgConnection,
    group_id: Uuid,
) -> Result<Vec<crate::registry::supervisors::Member>, sqlx::Error> {
    sqlx::query_as!(
        crate::registry::supervisors::Member,
        "select s.id, s.name, s.work_unit_id, s.recommended_by_unit_id
           from group_member m join supervisor s on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
          where m.group_id = $1",
        group_id
    )
    .fetch_all(conn)
    .await
}

/// INS-06: every listed unit with the dates of its open inspections this year.
pub async fn coverage(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<(String, String, String, Vec<chrono::NaiveDate>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.code, u.name, u.category,
                  coalesce(array_agg(t.scheduled_on order by t.scheduled_on)
                           filter (where t.id is not null), '{}') as "dates!: Vec<chrono::NaiveDate>"
             from assessment_unit a
             join unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
             left join inspection_task t on t.tenant_id = a.tenant_id and t.unit_id = a.unit_id
                  and t.assessment_year_id = a.assessment_year_id and t.kind = 'open'
            where a.assessment_year_id = $1
            group by u.code, u.name, u.category
            order by u.code collate "C""#,
        year_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.code, r.name, r.category, r.dates))
        .collect())
}
