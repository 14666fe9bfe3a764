//! Every SQL statement of the rounds of open inspections (INS-06).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::inspections::db::TaskRow;
use crate::inspections::model::TaskKind;

/// A round as lists and its page show it.
pub struct RoundRow {
    pub id: Uuid,
    pub year_id: Uuid,
    pub year: i32,
    pub name: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub fixed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub fixed_by: Option<String>,
    pub task_count: i64,
}

pub async fn insert_round(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    name: &str,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    created_by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into inspection_round (tenant_id, id, assessment_year_id, name, starts_on, ends_on, created_by)
         values ($1, $2, $3, $4, $5, $6, $7)",
        tenant_id,
        id,
        year_id,
        name,
        starts_on,
        ends_on,
        created_by
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// The rounds of a year (`year_id`), or one round (`round_id`), earliest first.
pub async fn rounds(
    conn: &mut PgConnection,
    year_id: Option<Uuid>,
    round_id: Option<Uuid>,
) -> Result<Vec<RoundRow>, sqlx::Error> {
    sqlx::query_as!(
        RoundRow,
        r#"select r.id, r.assessment_year_id as year_id, y.year, r.name, r.starts_on, r.ends_on,
                  p.fixed_at as "fixed_at?", u.display_name as "fixed_by?",
                  (select count(*) from round_task t where t.tenant_id = r.tenant_id
                                                       and t.round_id = r.id) as "task_count!"
             from inspection_round r
             join assessment_year y on y.tenant_id = r.tenant_id and y.id = r.assessment_year_id
             left join round_plan_fixed p on p.tenant_id = r.tenant_id and p.round_id = r.id
             left join app_user u on u.tenant_id = p.tenant_id and u.id = p.fixed_by
            where ($1::uuid is null or r.assessment_year_id = $1)
              and ($2::uuid is null or r.id = $2)
            order by r.starts_on, r.created_at"#,
        year_id,
        round_id
    )
    .fetch_all(conn)
    .await
}

/// The open tasks planned in a round.
pub async fn round_tasks(
    conn: &mut PgConnection,
    round_id: Uuid,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        r#"select t.id, t.scheduled_on, t.kind as "kind: TaskKind", t.method, t.focus,
                u.name as unit_name, g.name as group_name
           from round_task rt
           join inspection_task t on t.tenant_id = rt.tenant_id and t.id = rt.task_id
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
          where rt.round_id = $1
          order by t.scheduled_on, u.name"#,
        round_id
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_round_task(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    round_id: Uuid,
    task_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into round_task (tenant_id, round_id, task_id) values ($1, $2, $3)",
        tenant_id,
        round_id,
        task_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A unit that must be inspected next (INS-06): its last inspection had confirmed findings, or
/// findings still awaiting the office (it may have to be; it is not left out silently).
pub struct MandatoryRow {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub last_on: chrono::NaiveDate,
    pub last_task_id: Uuid,
    pub confirmed: i64,
    /// findings of the last inspection still awaiting the office's decision
    pub pending: i64,
    /// in the round (when one is asked about)
    pub planned: bool,
    /// why the round leaves it out, when it does
    pub reason: Option<String>,
}

/// INS-06: the year's listed units whose last inspection carried out before `before` (a task
/// whose results were submitted, open or covert) had confirmed or undecided findings, with
/// whether `round_id` plans them or leaves them out with a reason.
pub async fn mandatory_units(
    conn: &mut PgConnection,
    year_id: Uuid,
    before: chrono::NaiveDate,
    round_id: Option<Uuid>,
) -> Result<Vec<MandatoryRow>, sqlx::Error> {
    sqlx::query_as!(
        MandatoryRow,
        r#"with last as (
               select distinct on (t.unit_id) t.tenant_id, t.unit_id, t.id, t.scheduled_on
                 from inspection_task t
                 join task_submission s on s.tenant_id = t.tenant_id and s.task_id = t.id
                where t.scheduled_on < $2
                order by t.unit_id, t.scheduled_on desc, s.submitted_at desc),
           counted as (
               select l.*,
                      (select count(*) from finding f where f.tenant_id = l.tenant_id
                          and f.task_id = l.id and f.status = 'confirmed') as confirmed,
                      (select count(*) from finding f where f.tenant_id = l.tenant_id
                          and f.task_id = l.id and f.status = 'submitted') as pending
                 from last l)
           select c.unit_id, u.code, u.name, c.scheduled_on as last_on, c.id as last_task_id,
                  c.confirmed as "confirmed!", c.pending as "pending!",
                  exists (select 1 from round_task rt
                            join inspection_task t on t.tenant_id = rt.tenant_id and t.id = rt.task_id
                           where rt.round_id = $3 and t.unit_id = c.unit_id) as "planned!",
                  o.reason as "reason?"
             from counted c
             join assessment_unit a on a.tenant_id = c.tenant_id and a.unit_id = c.unit_id
                  and a.assessment_year_id = $1
             join unit u on u.tenant_id = c.tenant_id and u.id = c.unit_id
             left join round_omission o on o.tenant_id = c.tenant_id and o.round_id = $3
                  and o.unit_id = c.unit_id
            where c.confirmed > 0 or c.pending > 0
            order by u.code collate "C""#,
        year_id,
        before,
        round_id
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_omission(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    round_id: Uuid,
    unit_id: Uuid,
    reason: &str,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into round_omission (tenant_id, round_id, unit_id, reason, recorded_by)
         values ($1, $2, $3, $4, $5)",
        tenant_id,
        round_id,
        unit_id,
        reason,
        user_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// INS-06: fixes the round's plan (once).
pub async fn fix_round(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    round_id: Uuid,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into round_plan_fixed (tenant_id, round_id, fixed_by) values ($1, $2, $3)",
        tenant_id,
        round_id,
        user_id
    )
    .execute(conn)
    .await?;
    Ok(())
}
