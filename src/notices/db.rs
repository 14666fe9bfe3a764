//! Every SQL statement of rectification notices and appeals.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{Appeal, AppealDecision, Notice, NoticeStatus, ReportDecision};

/// A confirmed finding a notice states (or may state): its item, rule and points.
pub struct NoticeFinding {
    pub finding_id: Uuid,
    pub code: String,
    pub title: String,
    pub rule_id: String,
    pub description: String,
    pub points: Option<Decimal>,
}

/// The task's confirmed findings that no notice states yet.
pub async fn candidates(
    conn: &mut PgConnection,
    task_id: Uuid,
) -> Result<Vec<NoticeFinding>, sqlx::Error> {
    sqlx::query_as!(
        NoticeFinding,
        r#"select f.id as finding_id, i.code, i.title, i.rule_id, f.description,
                  (select d.points from deduction d where d.tenant_id = f.tenant_id
                      and d.source_type = 'finding' and d.source_key = f.id::text
                      and d.entry_kind = 'deduct') as points
             from finding f
             join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
            where f.task_id = $1 and f.status = 'confirmed'
              and not exists (select 1 from notice_finding n where n.tenant_id = f.tenant_id
                                                               and n.finding_id = f.id)
            order by f.created_at"#,
        task_id
    )
    .fetch_all(conn)
    .await
}

/// The findings a notice states.
pub async fn notice_findings(
    conn: &mut PgConnection,
    notice_id: Uuid,
) -> Result<Vec<NoticeFinding>, sqlx::Error> {
    sqlx::query_as!(
        NoticeFinding,
        r#"select f.id as finding_id, i.code, i.title, i.rule_id, f.description,
                  (select d.points from deduction d where d.tenant_id = f.tenant_id
                      and d.source_type = 'finding' and d.source_key = f.id::text
                      and d.entry_kind = 'deduct') as points
             from notice_finding n
             join finding f on f.tenant_id = n.tenant_id and f.id = n.finding_id
             join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
            where n.notice_id = $1
            order by f.created_at"#,
        notice_id
    )
    .fetch_all(conn)
    .await
}

/// A notice to issue.
pub struct NewNotice<'a> {
    pub year_id: Uuid,
    pub unit_id: Uuid,
    pub task_id: Uuid,
    pub number: &'a str,
    pub basis: &'a str,
    pub requirements: &'a str,
    pub working_days: i32,
    pub due_at: DateTime<Utc>,
    pub appeal_until: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    pub issued_by: Uuid,
}

pub async fn insert_notice(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    n: &NewNotice<'_>,
    findings: &[Uuid],
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into rectification_notice (tenant_id, id, assessment_year_id, unit_id, task_id, number,
                                           basis, requirements, working_days, due_at, appeal_until,
                                           issued_at, issued_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        tenant_id,
        id,
        n.year_id,
        n.unit_id,
        n.task_id,
        n.number,
        n.basis,
        n.requirements,
        n.working_days,
        n.due_at,
        n.appeal_until,
        n.issued_at,
        n.issued_by
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into notice_finding (tenant_id, notice_id, finding_id)
         select $1, $2, unnest($3::uuid[])",
        tenant_id,
        id,
        findings
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A notice as lists and its page show it.
pub struct NoticeRow {
    pub id: Uuid,
    pub number: String,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub task_id: Option<Uuid>,
    pub basis: String,
    pub requirements: String,
    pub working_days: i32,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
    pub due_at: DateTime<Utc>,
    pub appeal_until: DateTime<Utc>,
    pub status: NoticeStatus,
    pub appeal_decision: Option<AppealDecision>,
    pub appealed: bool,
    /// A rectification report awaits the office.
    pub report_pending: bool,
}

impl NoticeRow {
    /// Whether the notice stands past its rectification deadline at `now`.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.status == NoticeStatus::Issued && now > self.due_at
    }

    /// The notice as the rules see it.
    pub fn notice(&self) -> Notice {
        Notice {
            status: self.status,
            appeal_until: self.appeal_until,
            appeal: Appeal::of(self.appealed, self.appeal_decision),
            report_pending: self.report_pending,
        }
    }
}

/// Notices, newest first: all of the office's, or one unit's, or one notice.
pub async fn notices(
    conn: &mut PgConnection,
    unit_id: Option<Uuid>,
    notice_id: Option<Uuid>,
) -> Result<Vec<NoticeRow>, sqlx::Error> {
    sqlx::query_as!(
        NoticeRow,
        r#"select n.id, n.number, n.unit_id, u.name as unit_name, n.task_id, n.basis, n.requirements,
                  n.working_days, n.issued_at, i.display_name as issued_by, n.due_at, n.appeal_until,
                  n.status as "status: NoticeStatus",
                  a.decision as "appeal_decision?: AppealDecision",
                  (a.notice_id is not null) as "appealed!",
                  exists (select 1 from rectification_report r
                           where r.tenant_id = n.tenant_id and r.notice_id = n.id
                             and r.decision is null) as "report_pending!"
             from rectification_notice n
             join unit u on u.tenant_id = n.tenant_id and u.id = n.unit_id
             join app_user i on i.tenant_id = n.tenant_id and i.id = n.issued_by
             left join notice_appeal a on a.tenant_id = n.tenant_id and a.notice_id = n.id
            where ($1::uuid is null or n.unit_id = $1) and ($2::uuid is null or n.id = $2)
            order by n.issued_at desc
            limit 500"#,
        unit_id,
        notice_id
    )
    .fetch_all(conn)
    .await
}

/// Serializes the work on one notice (appeal, decision) until the transaction ends.
pub async fn lock_notice(conn: &mut PgConnection, notice_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('notice:' || id::text, 0))
           from rectification_notice where id = $1",
        notice_id
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// A notice's appeal.
pub struct AppealRow {
    pub reasons: String,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub decision: Option<AppealDecision>,
    pub decision_reason: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub async fn appeal(
    conn: &mut PgConnection,
    notice_id: Uuid,
) -> Result<Option<AppealRow>, sqlx::Error> {
    sqlx::query_as!(
        AppealRow,
        r#"select a.reasons, s.display_name as submitted_by, a.submitted_at,
                  a.decision as "decision?: AppealDecision", a.decision_reason,
                  d.display_name as "decided_by?", a.decided_at
             from notice_appeal a
             join app_user s on s.tenant_id = a.tenant_id and s.id = a.submitted_by
             left join app_user d on d.tenant_id = a.tenant_id and d.id = a.decided_by
            where a.notice_id = $1"#,
        notice_id
    )
    .fetch_optional(conn)
    .await
}

/// INS-12: the unit's appeal; false when the notice has one already.
pub async fn insert_appeal(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    notice_id: Uuid,
    reasons: &str,
    (user_id, at): (Uuid, DateTime<Utc>),
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into notice_appeal (tenant_id, notice_id, reasons, submitted_by, submitted_at)
         values ($1, $2, $3, $4, $5)
         on conflict (tenant_id, notice_id) do nothing",
        tenant_id,
        notice_id,
        reasons,
        user_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// INS-12: the office's decision on the appeal, once.
pub async fn decide_appeal(
    conn: &mut PgConnection,
    notice_id: Uuid,
    (decision, reason): (AppealDecision, &str),
    (user_id, at): (Uuid, DateTime<Utc>),
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update notice_appeal set decision = $2, decision_reason = $3, decided_by = $4, decided_at = $5
          where notice_id = $1 and decision is null",
        notice_id,
        decision as AppealDecision,
        reason,
        user_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a notice from `from` to `to` (the workflow's transition): an upheld appeal withdraws
/// it (INS-12), an accepted report closes it (INS-11). False when it no longer stood at `from`.
pub async fn move_notice(
    conn: &mut PgConnection,
    notice_id: Uuid,
    (from, to, at): (NoticeStatus, NoticeStatus, DateTime<Utc>),
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update rectification_notice
            set status = $3,
                withdrawn_at = case when $3 = 'withdrawn' then $4 else withdrawn_at end
          where id = $1 and status = $2",
        notice_id,
        from as NoticeStatus,
        to as NoticeStatus,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The deductions in force that a notice's findings carry: (deduction id, finding id).
pub async fn notice_deductions(
    conn: &mut PgConnection,
    notice_id: Uuid,
) -> Result<Vec<(Uuid, Uuid)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select d.id, n.finding_id
           from notice_finding n
           join deduction d on d.tenant_id = n.tenant_id and d.source_type = 'finding'
                           and d.source_key = n.finding_id::text and d.entry_kind = 'deduct'
          where n.notice_id = $1
            and not exists (select 1 from deduction r where r.tenant_id = d.tenant_id
                                                         and r.reverses_id = d.id)",
        notice_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.finding_id)).collect())
}

/// A rectification report (INS-11).
pub struct ReportRow {
    pub id: Uuid,
    pub content: String,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub decision: Option<ReportDecision>,
    pub decision_reason: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A notice's reports, oldest first.
pub async fn reports(
    conn: &mut PgConnection,
    notice_id: Uuid,
) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query_as!(
        ReportRow,
        r#"select r.id, r.content, s.display_name as submitted_by, r.submitted_at,
                  r.decision as "decision?: ReportDecision", r.decision_reason,
                  d.display_name as "decided_by?", r.decided_at
             from rectification_report r
             join app_user s on s.tenant_id = r.tenant_id and s.id = r.submitted_by
             left join app_user d on d.tenant_id = r.tenant_id and d.id = r.decided_by
            where r.notice_id = $1
            order by r.submitted_at"#,
        notice_id
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_report(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    notice_id: Uuid,
    content: &str,
    (user_id, at): (Uuid, DateTime<Utc>),
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into rectification_report (tenant_id, id, notice_id, content, submitted_by,
                                           submitted_at)
         values ($1, $2, $3, $4, $5, $6)",
        tenant_id,
        id,
        notice_id,
        content,
        user_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// INS-11: the office accepts or returns the pending report, once.
pub async fn decide_report(
    conn: &mut PgConnection,
    report_id: Uuid,
    (decision, reason): (ReportDecision, &str),
    (user_id, at): (Uuid, DateTime<Utc>),
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update rectification_report set decision = $2, decision_reason = $3, decided_by = $4,
                                         decided_at = $5
          where id = $1 and decision is null",
        report_id,
        decision as ReportDecision,
        reason,
        user_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The numbers the city's leaders read at a glance (INS-13).
#[derive(Clone)]
pub struct Glance {
    pub notices: i64,
    pub rectifying: i64,
    pub overdue: i64,
    pub closed: i64,
    pub withdrawn: i64,
    pub appeals_pending: i64,
    pub reports_pending: i64,
    pub findings_awaiting: i64,
    pub findings_confirmed: i64,
    /// interviews scheduled from now on
    pub interviews_upcoming: i64,
    pub interviews_held: i64,
    /// interviews' follow-up actions not done, and those of them past the end of their due day
    pub actions_open: i64,
    pub actions_overdue: i64,
    pub bulletins_published: i64,
}

/// The numbers the city's leaders read at a glance (INS-13): notices, findings, interviews and
/// bulletins, in one statement.
pub async fn glance(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Glance, sqlx::Error> {
    sqlx::query_as!(
        Glance,
        r#"select n.notices as "notices!", n.rectifying as "rectifying!", n.overdue as "overdue!",
                  n.closed as "closed!", n.withdrawn as "withdrawn!",
                  a.pending as "appeals_pending!", r.pending as "reports_pending!",
                  f.awaiting as "findings_awaiting!", f.confirmed as "findings_confirmed!",
                  i.upcoming as "interviews_upcoming!", i.held as "interviews_held!",
                  ia.open as "actions_open!", ia.overdue as "actions_overdue!",
                  b.published as "bulletins_published!"
             from (select count(*) as notices,
                          count(*) filter (where status = 'issued') as rectifying,
                          count(*) filter (where status = 'issued' and due_at < $1) as overdue,
                          count(*) filter (where status = 'closed') as closed,
                          count(*) filter (where status = 'withdrawn') as withdrawn
                     from rectification_notice) n,
                  (select count(*) as pending from notice_appeal where decision is null) a,
                  (select count(*) as pending from rectification_report where decision is null) r,
                  (select count(*) filter (where status = 'submitted') as awaiting,
                          count(*) filter (where status = 'confirmed') as confirmed
                     from finding) f,
                  (select count(*) filter (where status = 'scheduled' and scheduled_at >= $1)
                              as upcoming,
                          count(*) filter (where status = 'held') as held
                     from interview) i,
                  (select count(*) filter (where done_at is null) as open,
                          count(*) filter (where done_at is null and due_on < $2) as overdue
                     from interview_action) ia,
                  (select count(*) as published from bulletin where status = 'published') b"#,
        now,
        today
    )
    .fetch_one(conn)
    .await
}
