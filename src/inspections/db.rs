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

// ---- findings (INS-05, INS-07, INS-08, INS-10, INS-11) ----

/// Where a task stands: submitted (when, by whom) and its sign-off.
pub struct TaskState {
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub submitted_by: Option<String>,
    pub signoff: Option<SignoffRow>,
}

pub struct SignoffRow {
    pub outcome: String,
    pub signer_name: String,
    pub signer_post: String,
    pub signature_evidence_id: Option<Uuid>,
    pub typed_signature: String,
    pub refusal_reason: String,
    pub recorded_by: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

pub async fn task_state(conn: &mut PgConnection, task_id: Uuid) -> Result<TaskState, sqlx::Error> {
    let submitted = sqlx::query!(
        "select s.submitted_at, u.username from task_submission s
           join app_user u on u.tenant_id = s.tenant_id and u.id = s.submitted_by
          where s.task_id = $1",
        task_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let signoff = sqlx::query_as!(
        SignoffRow,
        "select s.outcome, s.signer_name, s.signer_post, s.signature_evidence_id, s.typed_signature,
                s.refusal_reason, u.username as recorded_by, s.recorded_at
           from task_signoff s join app_user u on u.tenant_id = s.tenant_id and u.id = s.recorded_by
          where s.task_id = $1",
        task_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(TaskState {
        submitted_at: submitted.as_ref().map(|s| s.submitted_at),
        submitted_by: submitted.map(|s| s.username),
        signoff,
    })
}

/// Serializes the work on one task until the transaction ends (filing, signing, submitting
/// happen one after another), with a transaction advisory lock: the request role may not lock
/// rows it cannot update. A missing task is `RowNotFound`.
pub async fn lock_task(conn: &mut PgConnection, task_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('inspection_task:' || id::text, 0))
           from inspection_task where id = $1",
        task_id
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Whether the user is the leader of the group (INS-02: the leader submits).
pub async fn user_leads_group(
    conn: &mut PgConnection,
    user_id: Uuid,
    group_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from group_member m join supervisor s
                           on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
                          where m.group_id = $2 and s.user_id = $1 and m.is_leader) as "e!""#,
        user_id,
        group_id
    )
    .fetch_one(conn)
    .await
}

/// A new finding of a task (a draft, or the X02 of a refused sign-off).
pub struct NewFinding<'a> {
    pub task_id: Uuid,
    pub unit_id: Uuid,
    pub item_id: Option<Uuid>,
    pub description: &'a str,
    pub origin: &'a str,
    pub created_by: Uuid,
}

pub async fn insert_finding(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    f: &NewFinding<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into finding (tenant_id, id, task_id, unit_id, deduction_item_id, description, origin,
                              created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        tenant_id,
        id,
        f.task_id,
        f.unit_id,
        f.item_id,
        f.description,
        f.origin,
        f.created_by
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A finding with its task, unit, item and people.
pub struct FindingRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub year_id: Uuid,
    pub year: i32,
    pub task_kind: String,
    pub task_on: chrono::NaiveDate,
    pub group_id: Uuid,
    pub item_id: Option<Uuid>,
    pub item_code: Option<String>,
    pub item_title: Option<String>,
    pub points_min: Option<rust_decimal::Decimal>,
    pub points_max: Option<rust_decimal::Decimal>,
    pub costs_excellence: Option<bool>,
    pub description: String,
    pub staff_id: Option<Uuid>,
    pub staff_name: Option<String>,
    pub staff_text: String,
    pub observed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub place: String,
    pub points: Option<rust_decimal::Decimal>,
    pub status: String,
    pub origin: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decision_reason: String,
}

pub async fn get_finding(conn: &mut PgConnection, id: Uuid) -> Result<FindingRow, sqlx::Error> {
    sqlx::query_as!(
        FindingRow,
        r#"select f.id, f.task_id, f.unit_id, un.name as unit_name, t.assessment_year_id as year_id,
                  y.year, t.kind as task_kind, t.scheduled_on as task_on, t.group_id,
                  f.deduction_item_id as item_id, i.code as "item_code?", i.title as "item_title?",
                  i.points_min as "points_min?", i.points_max as "points_max?",
                  i.costs_excellence as "costs_excellence?", f.description, f.staff_id,
                  s.name as "staff_name?", f.staff_text, f.observed_at, f.place, f.points, f.status,
                  f.origin, c.username as created_by, f.created_at, f.updated_at,
                  d.username as "decided_by?", f.decided_at, f.decision_reason
             from finding f
             join inspection_task t on t.tenant_id = f.tenant_id and t.id = f.task_id
             join assessment_year y on y.tenant_id = t.tenant_id and y.id = t.assessment_year_id
             join unit un on un.tenant_id = f.tenant_id and un.id = f.unit_id
             join app_user c on c.tenant_id = f.tenant_id and c.id = f.created_by
             left join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
             left join staff_member s on s.tenant_id = f.tenant_id and s.id = f.staff_id
             left join app_user d on d.tenant_id = f.tenant_id and d.id = f.decided_by
            where f.id = $1"#,
        id
    )
    .fetch_one(conn)
    .await
}

/// What a supervisor has typed into a draft so far.
pub struct DraftFields {
    pub item_id: Option<Uuid>,
    pub description: String,
    pub staff_id: Option<Uuid>,
    pub staff_text: String,
    pub observed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub place: String,
    pub points: Option<rust_decimal::Decimal>,
}

/// Saves a draft (only a draft: the trigger refuses anything else).
pub async fn save_draft(
    conn: &mut PgConnection,
    id: Uuid,
    d: &DraftFields,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update finding set deduction_item_id = $2, description = $3, staff_id = $4, staff_text = $5,
                            observed_at = $6, place = $7, points = $8, updated_at = now()
          where id = $1 and status = 'draft'",
        id,
        d.item_id,
        d.description,
        d.staff_id,
        d.staff_text,
        d.observed_at,
        d.place,
        d.points
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws a draft before the task is submitted.
pub async fn withdraw_draft(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update finding set status = 'withdrawn', updated_at = now() where id = $1 and status = 'draft'",
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A finding as a list shows it.
pub struct FindingListRow {
    pub id: Uuid,
    pub item_code: Option<String>,
    pub item_title: Option<String>,
    pub description: String,
    pub status: String,
    pub origin: String,
    pub evidence_count: i64,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The findings of a task (withdrawn drafts included, marked), oldest first.
pub async fn task_findings(
    conn: &mut PgConnection,
    task_id: Uuid,
) -> Result<Vec<FindingListRow>, sqlx::Error> {
    sqlx::query_as!(
        FindingListRow,
        r#"select f.id, i.code as "item_code?", i.title as "item_title?", f.description, f.status,
                  f.origin, (select count(*) from evidence e where e.tenant_id = f.tenant_id
                                                             and e.finding_id = f.id) as "evidence_count!",
                  c.username as created_by, f.created_at
             from finding f
             join app_user c on c.tenant_id = f.tenant_id and c.id = f.created_by
             left join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
            where f.task_id = $1
            order by f.created_at, f.id"#,
        task_id
    )
    .fetch_all(conn)
    .await
}

/// INS-11: hands the task to the office: the submission, and every draft becomes submitted.
pub async fn submit_task(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    task_id: Uuid,
    user_id: Uuid,
) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        "insert into task_submission (tenant_id, task_id, submitted_by) values ($1, $2, $3)",
        tenant_id,
        task_id,
        user_id
    )
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query!(
        "update finding set status = 'submitted', updated_at = now()
          where task_id = $1 and status = 'draft'",
        task_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// INS-11: the office's decision on a submitted finding.
pub async fn decide_finding(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    user_id: Uuid,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update finding set status = $2, decided_by = $3, decided_at = now(), decision_reason = $4,
                            updated_at = now()
          where id = $1 and status = 'submitted'",
        id,
        status,
        user_id,
        reason
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A finding waiting for the office, or decided, as the review list shows it.
pub struct ReviewRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub unit_name: String,
    pub task_on: chrono::NaiveDate,
    pub task_kind: String,
    pub item_code: Option<String>,
    pub item_title: Option<String>,
    pub description: String,
    pub evidence_count: i64,
    pub status: String,
}

/// INS-11: submitted findings waiting for a decision (oldest task first), or the findings of a
/// unit with `status` (a liaison's confirmed findings).
pub async fn findings_with_status(
    conn: &mut PgConnection,
    status: &str,
    unit_id: Option<Uuid>,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as!(
        ReviewRow,
        r#"select f.id, f.task_id, u.name as unit_name, t.scheduled_on as task_on, t.kind as task_kind,
                  i.code as "item_code?", i.title as "item_title?", f.description,
                  (select count(*) from evidence e where e.tenant_id = f.tenant_id
                                                     and e.finding_id = f.id) as "evidence_count!",
                  f.status
             from finding f
             join inspection_task t on t.tenant_id = f.tenant_id and t.id = f.task_id
             join unit u on u.tenant_id = f.tenant_id and u.id = f.unit_id
             left join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
            where f.status = $1 and ($2::uuid is null or f.unit_id = $2)
            order by t.scheduled_on, f.created_at
            limit 500"#,
        status,
        unit_id
    )
    .fetch_all(conn)
    .await
}

/// INS-08: the years in which the unit lost its excellence eligibility (a confirmed finding of an
/// item that costs it).
pub async fn excellence_lost_years(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "select distinct y.year from finding f
           join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
           join assessment_year y on y.tenant_id = i.tenant_id and y.id = i.assessment_year_id
          where f.unit_id = $1 and f.status = 'confirmed' and i.costs_excellence
          order by y.year",
        unit_id
    )
    .fetch_all(conn)
    .await
}

/// A catalog item a supervisor can pick for a task of `kind` (open or covert).
pub struct ItemChoice {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub points_min: rust_decimal::Decimal,
    pub points_max: rust_decimal::Decimal,
}

pub async fn items_for_kind(
    conn: &mut PgConnection,
    year_id: Uuid,
    kind: &str,
) -> Result<Vec<ItemChoice>, sqlx::Error> {
    sqlx::query_as!(
        ItemChoice,
        "select id, code, title, points_min, points_max from deduction_item
          where assessment_year_id = $1 and retired_at is null
            and (($2 = 'open' and for_open) or ($2 = 'covert' and for_covert))
          order by position, code",
        year_id,
        kind
    )
    .fetch_all(conn)
    .await
}

/// The unit's current staff: (id, name, post).
pub async fn current_staff(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, name, post from staff_member where unit_id = $1 and left_at is null order by name",
        unit_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name, r.post)).collect())
}

/// The unit's task (and its unit) a finding belongs to: (unit id, group id).
pub async fn task_unit_and_group(
    conn: &mut PgConnection,
    task_id: Uuid,
) -> Result<(Uuid, Uuid, Uuid), sqlx::Error> {
    let row = sqlx::query!(
        "select unit_id, group_id, assessment_year_id from inspection_task where id = $1",
        task_id
    )
    .fetch_one(conn)
    .await?;
    Ok((row.unit_id, row.group_id, row.assessment_year_id))
}

/// INS-10: the unit's representative signed, or refused.
pub struct NewSignoff<'a> {
    pub task_id: Uuid,
    pub outcome: &'a str,
    pub signer_name: &'a str,
    pub signer_post: &'a str,
    pub signature_evidence_id: Option<Uuid>,
    pub typed_signature: &'a str,
    pub refusal_reason: &'a str,
    pub refusal_finding_id: Option<Uuid>,
    pub recorded_by: Uuid,
}

pub async fn insert_signoff(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    s: &NewSignoff<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into task_signoff (tenant_id, task_id, outcome, signer_name, signer_post,
                                   signature_evidence_id, typed_signature, refusal_reason,
                                   refusal_finding_id, recorded_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        tenant_id,
        s.task_id,
        s.outcome,
        s.signer_name,
        s.signer_post,
        s.signature_evidence_id,
        s.typed_signature,
        s.refusal_reason,
        s.refusal_finding_id,
        s.recorded_by
    )
    .execute(conn)
    .await?;
    Ok(())
}

// ---- rounds of open inspections (INS-06) ----

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
                  p.fixed_at as "fixed_at?", u.username as "fixed_by?",
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
        "select t.id, t.scheduled_on, t.kind, t.method, t.focus, u.name as unit_name, g.name as group_name
           from round_task rt
           join inspection_task t on t.tenant_id = rt.tenant_id and t.id = rt.task_id
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
          where rt.round_id = $1
          order by t.scheduled_on, u.name",
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

/// INS-04: the files attached to a unit's self-reports of a year: (quarter, evidence id, name).
pub async fn self_report_attachments(
    conn: &mut PgConnection,
    year_id: Uuid,
    unit_id: Uuid,
) -> Result<Vec<(i32, Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select s.quarter, e.id, e.original_name
           from self_report s join evidence e on e.tenant_id = s.tenant_id and e.self_report_id = s.id
          where s.assessment_year_id = $1 and s.unit_id = $2
          order by s.quarter, e.uploaded_at",
        year_id,
        unit_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.quarter, r.id, r.original_name))
        .collect())
}
