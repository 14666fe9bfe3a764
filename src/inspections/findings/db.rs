//! Every SQL statement of findings (INS-05, INS-07, INS-08, INS-10, INS-11).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::inspections::model::{Finding, FindingStatus, Origin, TaskKind, TaskStage, Who};

/// A new finding of a task (a draft, or the X02 of a refused sign-off).
pub struct NewFinding<'a> {
    pub task_id: Uuid,
    pub unit_id: Uuid,
    pub item_id: Option<Uuid>,
    pub description: &'a str,
    pub origin: Origin,
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
        f.origin as Origin,
        f.created_by
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A finding with its task, unit, item and people, and where the user reading it stands.
pub struct FindingRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub year_id: Uuid,
    pub year: i32,
    pub task_kind: TaskKind,
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
    pub status: FindingStatus,
    pub origin: Origin,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decision_reason: String,
    /// The task's stage: signed by the unit, submitted to the office.
    pub task_signed: bool,
    pub task_submitted: bool,
    /// The reader is a supervisor of the task's group.
    pub viewer_in_group: bool,
    /// The deduction the finding caused was reversed (an upheld appeal withdrew its notice).
    pub deduction_reversed: bool,
}

impl FindingRow {
    /// The finding as the rules see it.
    pub fn finding(&self) -> Finding {
        Finding {
            status: self.status,
            origin: self.origin,
            task: TaskStage::of(self.task_signed, self.task_submitted),
        }
    }

    /// The reader as the rules see them (the leader's part plays no role for a finding).
    pub fn who(&self) -> Who {
        Who::default()
    }
}

/// A finding, read by `viewer`.
pub async fn get_finding(
    conn: &mut PgConnection,
    id: Uuid,
    viewer: Uuid,
) -> Result<FindingRow, sqlx::Error> {
    sqlx::query_as!(
        FindingRow,
        r#"select f.id, f.task_id, f.unit_id, un.name as unit_name, t.assessment_year_id as year_id,
                  y.year, t.kind as "task_kind: TaskKind", t.scheduled_on as task_on, t.group_id,
                  f.deduction_item_id as item_id, i.code as "item_code?", i.title as "item_title?",
                  i.points_min as "points_min?", i.points_max as "points_max?",
                  i.costs_excellence as "costs_excellence?", f.description, f.staff_id,
                  s.name as "staff_name?", f.staff_text, f.observed_at, f.place, f.points,
                  f.status as "status: FindingStatus", f.origin as "origin: Origin",
                  c.display_name as created_by, f.created_at, f.updated_at,
                  d.display_name as "decided_by?", f.decided_at, f.decision_reason,
                  exists (select 1 from task_signoff so
                           where so.tenant_id = t.tenant_id and so.task_id = t.id) as "task_signed!",
                  exists (select 1 from task_submission su
                           where su.tenant_id = t.tenant_id and su.task_id = t.id) as "task_submitted!",
                  exists (select 1 from group_member m
                            join supervisor sv on sv.tenant_id = m.tenant_id and sv.id = m.supervisor_id
                           where m.tenant_id = t.tenant_id and m.group_id = t.group_id
                             and sv.user_id = $2) as "viewer_in_group!",
                  exists (select 1 from deduction d
                            join deduction r on r.tenant_id = d.tenant_id and r.reverses_id = d.id
                           where d.tenant_id = f.tenant_id and d.source_type = 'finding'
                             and d.source_key = f.id::text) as "deduction_reversed!"
             from finding f
             join inspection_task t on t.tenant_id = f.tenant_id and t.id = f.task_id
             join assessment_year y on y.tenant_id = t.tenant_id and y.id = t.assessment_year_id
             join unit un on un.tenant_id = f.tenant_id and un.id = f.unit_id
             join app_user c on c.tenant_id = f.tenant_id and c.id = f.created_by
             left join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
             left join staff_member s on s.tenant_id = f.tenant_id and s.id = f.staff_id
             left join app_user d on d.tenant_id = f.tenant_id and d.id = f.decided_by
            where f.id = $1"#,
        id,
        viewer
    )
    .fetch_one(conn)
    .await
}

/// What a supervisor has typed into a draft so far.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftFields {
    pub item_id: Option<Uuid>,
    pub description: String,
    pub staff_id: Option<Uuid>,
    pub staff_text: String,
    pub observed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub place: String,
    pub points: Option<rust_decimal::Decimal>,
}

impl From<&FindingRow> for DraftFields {
    /// The draft as stored (a save that changes nothing writes nothing, and logs nothing).
    fn from(f: &FindingRow) -> Self {
        Self {
            item_id: f.item_id,
            description: f.description.clone(),
            staff_id: f.staff_id,
            staff_text: f.staff_text.clone(),
            observed_at: f.observed_at,
            place: f.place.clone(),
            points: f.points,
        }
    }
}

/// Saves a draft (only a draft: the trigger refuses anything else).
pub async fn save_draft(
    conn: &mut PgConnection,
    id: Uuid,
    d: &DraftFields,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update finding set deduction_item_id = $2, description = $3, staff_id = $4, staff_text = $5,
                            observed_at = $6, place = $7, points = $8, updated_at = $9
          where id = $1 and status = 'draft'",
        id,
        d.item_id,
        d.description,
        d.staff_id,
        d.staff_text,
        d.observed_at,
        d.place,
        d.points,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a finding from `from` to `to` (the workflow's transition), with the office's decision
/// when it is one: by whom and why (INS-11). False when it no longer stood at `from` (another
/// request moved it first); the trigger refuses any move the workflow does not know.
pub async fn move_finding(
    conn: &mut PgConnection,
    id: Uuid,
    (from, to, at): (FindingStatus, FindingStatus, DateTime<Utc>),
    decision: Option<(Uuid, &str)>,
) -> Result<bool, sqlx::Error> {
    let (decided_by, reason) = match decision {
        Some((by, reason)) => (Some(by), reason),
        None => (None, ""),
    };
    let done = sqlx::query!(
        "update finding set status = $3, updated_at = $4,
                            decided_by = coalesce($5, decided_by),
                            decided_at = case when $5::uuid is null then decided_at else $4 end,
                            decision_reason = case when $5::uuid is null then decision_reason else $6 end
          where id = $1 and status = $2",
        id,
        from as FindingStatus,
        to as FindingStatus,
        at,
        decided_by,
        reason
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
    pub status: FindingStatus,
    pub origin: Origin,
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
        r#"select f.id, i.code as "item_code?", i.title as "item_title?", f.description,
                  f.status as "status: FindingStatus", f.origin as "origin: Origin",
                  (select count(*) from evidence e where e.tenant_id = f.tenant_id
                                                             and e.finding_id = f.id) as "evidence_count!",
                  c.display_name as created_by, f.created_at
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

/// A finding waiting for the office, or decided, as the review list shows it.
pub struct ReviewRow {
    pub id: Uuid,
    pub task_id: Uuid,
    pub unit_name: String,
    pub task_on: chrono::NaiveDate,
    pub task_kind: TaskKind,
    pub item_code: Option<String>,
    pub item_title: Option<String>,
    pub description: String,
    pub evidence_count: i64,
    pub status: FindingStatus,
}

/// INS-11: submitted findings waiting for a decision (oldest task first), or the findings of a
/// unit with `status` (a liaison's confirmed findings).
pub async fn findings_with_status(
    conn: &mut PgConnection,
    status: FindingStatus,
    unit_id: Option<Uuid>,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    findings_of(conn, status, unit_id, None).await
}

/// The findings with `status`, of one unit or all, of the tasks of one assessment year or all
/// (oldest task first).
pub async fn findings_of(
    conn: &mut PgConnection,
    status: FindingStatus,
    unit_id: Option<Uuid>,
    year_id: Option<Uuid>,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as!(
        ReviewRow,
        r#"select f.id, f.task_id, u.name as unit_name, t.scheduled_on as task_on,
                  t.kind as "task_kind: TaskKind",
                  i.code as "item_code?", i.title as "item_title?", f.description,
                  (select count(*) from evidence e where e.tenant_id = f.tenant_id
                                                     and e.finding_id = f.id) as "evidence_count!",
                  f.status as "status: FindingStatus"
             from finding f
             join inspection_task t on t.tenant_id = f.tenant_id and t.id = f.task_id
             join unit u on u.tenant_id = f.tenant_id and u.id = f.unit_id
             left join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
            where f.status = $1 and ($2::uuid is null or f.unit_id = $2)
              and ($3::uuid is null or t.assessment_year_id = $3)
            order by t.scheduled_on, f.created_at
            limit 500"#,
        status as FindingStatus,
        unit_id,
        year_id
    )
    .fetch_all(conn)
    .await
}

/// A catalog item a supervisor can pick for a finding.
pub struct ItemChoice {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub points_min: rust_decimal::Decimal,
    pub points_max: rust_decimal::Decimal,
}

impl ItemChoice {
    /// INS-08: whether `points` lie in the item's range.
    pub fn allows(&self, points: rust_decimal::Decimal) -> bool {
        points >= self.points_min && points <= self.points_max
    }
}

/// INS-15: every item of the year's catalog that an inspection may use (all but the system's,
/// such as S01) may be chosen in either kind of inspection; the catalog's "typical in" orders the
/// list, the items typical of the task's `kind` first. It is a hint, not a ban.
pub async fn items_for_kind(
    conn: &mut PgConnection,
    year_id: Uuid,
    kind: TaskKind,
) -> Result<Vec<ItemChoice>, sqlx::Error> {
    sqlx::query_as!(
        ItemChoice,
        "select id, code, title, points_min, points_max from deduction_item
          where assessment_year_id = $1 and retired_at is null and (for_open or for_covert)
          order by case when ($2 = 'open' and for_open) or ($2 = 'covert' and for_covert)
                        then 0 else 1 end,
                   position, code",
        year_id,
        kind as TaskKind
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

/// INS-11: whether the task has confirmed findings that no rectification notice states yet (the
/// office may issue one).
pub async fn confirmed_without_notice(
    conn: &mut PgConnection,
    task_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from finding f
                           where f.task_id = $1 and f.status = 'confirmed'
                             and not exists (select 1 from notice_finding n
                                              where n.tenant_id = f.tenant_id
                                                and n.finding_id = f.id)) as "e!""#,
        task_id
    )
    .fetch_one(conn)
    .await
}
