//! Every SQL statement of tasks and their workflow (the sign-off, the submission), and of the
//! year's listed units the sub-areas plan with.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{SignoffOutcome, Task, TaskFields, TaskKind, TaskStage, Who};

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
    task: &TaskFields,
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
        task.kind as TaskKind,
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
    pub kind: TaskKind,
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
        r#"select t.id, t.scheduled_on, t.kind as "kind: TaskKind", t.method, t.focus, u.name as unit_name,
                g.name as group_name
           from inspection_task t
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
          where t.assessment_year_id = $1
          order by t.scheduled_on, u.name"#,
        year_id
    )
    .fetch_all(conn)
    .await
}

/// The tasks of the groups the supervisor linked to `user_id` belongs to, all or those
/// scheduled within `days` (first and last day).
pub async fn tasks_of_user(
    conn: &mut PgConnection,
    user_id: Uuid,
    days: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    let (from, to) = days.unzip();
    sqlx::query_as!(
        TaskRow,
        r#"select t.id, t.scheduled_on, t.kind as "kind: TaskKind", t.method, t.focus, u.name as unit_name,
                g.name as group_name
           from inspection_task t
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
           join group_member m on m.tenant_id = t.tenant_id and m.group_id = t.group_id
           join supervisor s on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
          where s.user_id = $1
            and ($2::date is null or t.scheduled_on >= $2)
            and ($3::date is null or t.scheduled_on <= $3)
          order by t.scheduled_on, u.name"#,
        user_id,
        from,
        to
    )
    .fetch_all(conn)
    .await
}

/// A task with what the supervisor needs on site.
pub struct TaskDetail {
    pub id: Uuid,
    pub year: i32,
    pub scheduled_on: chrono::NaiveDate,
    pub kind: TaskKind,
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
        r#"select t.id, y.year, t.scheduled_on, t.kind as "kind: TaskKind", t.method, t.focus, t.note,
                t.group_id, g.name as group_name, u.code as unit_code, u.name as unit_name,
                u.address as unit_address, u.phone as unit_phone, u.leaders as unit_leaders
           from inspection_task t
           join assessment_year y on y.tenant_id = t.tenant_id and y.id = t.assessment_year_id
           join unit u on u.tenant_id = t.tenant_id and u.id = t.unit_id
           join supervisor_group g on g.tenant_id = t.tenant_id and g.id = t.group_id
          where t.id = $1"#,
        id
    )
    .fetch_one(conn)
    .await
}

/// The rectification notices issued from a task's findings (INS-11): (id, number), in the
/// order they were issued.
pub async fn task_notices(
    conn: &mut PgConnection,
    task_id: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, number from rectification_notice where task_id = $1 order by issued_at",
        task_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.number)).collect())
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
) -> Result<Vec<crate::registry::supervisors::model::Member>, sqlx::Error> {
    sqlx::query_as!(
        crate::registry::supervisors::model::Member,
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
    pub outcome: SignoffOutcome,
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
        "select s.submitted_at, u.display_name from task_submission s
           join app_user u on u.tenant_id = s.tenant_id and u.id = s.submitted_by
          where s.task_id = $1",
        task_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let signoff = sqlx::query_as!(
        SignoffRow,
        r#"select s.outcome as "outcome: SignoffOutcome", s.signer_name, s.signer_post,
                s.signature_evidence_id, s.typed_signature, s.refusal_reason,
                u.display_name as recorded_by, s.recorded_at
           from task_signoff s join app_user u on u.tenant_id = s.tenant_id and u.id = s.recorded_by
          where s.task_id = $1"#,
        task_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(TaskState {
        submitted_at: submitted.as_ref().map(|s| s.submitted_at),
        submitted_by: submitted.map(|s| s.display_name),
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

/// What the workflow's rules, and the check of who may act, read of a task: its unit, group and
/// year, its kind and stage, and where `user_id` stands in its group. One statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskFacts {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub group_id: Uuid,
    pub year_id: Uuid,
    pub kind: TaskKind,
    pub signed: bool,
    pub submitted: bool,
    /// The user is a supervisor of the task's group.
    pub in_group: bool,
    /// The user leads the task's group (INS-02).
    pub leads: bool,
}

impl TaskFacts {
    /// The task as the rules see it.
    pub fn task(&self) -> Task {
        Task {
            kind: self.kind,
            stage: TaskStage::of(self.signed, self.submitted),
        }
    }

    /// The user as the rules see them.
    pub fn who(&self) -> Who {
        Who { leads: self.leads }
    }
}

/// A task's facts for `user_id`; a missing task is `RowNotFound`.
pub async fn task_facts(
    conn: &mut PgConnection,
    task_id: Uuid,
    user_id: Uuid,
) -> Result<TaskFacts, sqlx::Error> {
    sqlx::query_as!(
        TaskFacts,
        r#"select t.id, t.unit_id, t.group_id, t.assessment_year_id as year_id,
                  t.kind as "kind: TaskKind",
                  exists (select 1 from task_signoff s
                           where s.tenant_id = t.tenant_id and s.task_id = t.id) as "signed!",
                  exists (select 1 from task_submission s
                           where s.tenant_id = t.tenant_id and s.task_id = t.id) as "submitted!",
                  exists (select 1 from group_member m
                            join supervisor s on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
                           where m.tenant_id = t.tenant_id and m.group_id = t.group_id
                             and s.user_id = $2) as "in_group!",
                  exists (select 1 from group_member m
                            join supervisor s on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
                           where m.tenant_id = t.tenant_id and m.group_id = t.group_id
                             and s.user_id = $2 and m.is_leader) as "leads!"
             from inspection_task t
            where t.id = $1"#,
        task_id,
        user_id
    )
    .fetch_one(conn)
    .await
}

/// INS-11: hands the task to the office: the submission, and every draft becomes submitted.
pub async fn submit_task(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    task_id: Uuid,
    (user_id, at): (Uuid, DateTime<Utc>),
) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        "insert into task_submission (tenant_id, task_id, submitted_by, submitted_at)
         values ($1, $2, $3, $4)",
        tenant_id,
        task_id,
        user_id,
        at
    )
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query!(
        "update finding set status = 'submitted', updated_at = $2
          where task_id = $1 and status = 'draft'",
        task_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// INS-10: the unit's representative signed, or refused.
pub struct NewSignoff<'a> {
    pub task_id: Uuid,
    pub outcome: SignoffOutcome,
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
        s.outcome as SignoffOutcome,
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
