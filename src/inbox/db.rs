//! The inbox's queries: what awaits a user now, and the notifications kept for them.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Whose inbox is counted: the parts of [`counts`] that are not this user's role's are not
/// counted at all.
#[derive(Debug, Clone, Copy)]
pub struct CountFor<'a> {
    pub user_id: Uuid,
    /// an office admin or staff: findings, appeals and reports to decide, what is overdue
    pub office: bool,
    /// a liaison's unit: its notices to rectify, its unread bulletins
    pub unit_id: Option<Uuid>,
    /// a supervisor: their own drafts
    pub supervisor: bool,
    /// a city leader: the key numbers of their home page
    pub leader: bool,
    /// the kinds of notification already counted as awaiting, left out of `unread`
    pub besides: &'a [&'a str],
}

/// Everything the inbox counts for one user, in one statement. Each part is a subquery that
/// PostgreSQL runs only when its role's `case` is taken.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// office: submitted findings awaiting a decision (INS-11)
    pub findings_to_review: i64,
    /// office: appeals awaiting a decision (INS-12)
    pub appeals_to_decide: i64,
    /// office: rectification reports awaiting a decision (INS-11)
    pub reports_to_review: i64,
    /// office and leaders: standing notices past their deadline with no report awaiting the
    /// office
    pub office_notices_overdue: i64,
    /// office: interviews' follow-up actions not done by the end of their due day (before today)
    pub actions_overdue: i64,
    /// unit: its standing notices with no report awaiting the office
    pub notices_to_rectify: i64,
    /// unit: those of them past their deadline
    pub unit_notices_overdue: i64,
    /// unit: published bulletins sent to the unit the liaison has not opened (INS-13)
    pub bulletins_unread: i64,
    /// supervisor: their own draft findings, not yet submitted with their task
    pub drafts: i64,
    /// leaders: notices in force (issued, neither withdrawn nor closed)
    pub notices_standing: i64,
    /// leaders: the latest open assessment year, and its findings confirmed so far
    pub open_year: Option<i32>,
    pub findings_confirmed: i64,
    /// leaders: bulletins published, interviews scheduled from now on
    pub bulletins_published: i64,
    pub interviews_upcoming: i64,
    /// unread notifications, but for the kinds already counted above
    pub unread: i64,
}

pub async fn counts(
    conn: &mut PgConnection,
    who: CountFor<'_>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Counts, sqlx::Error> {
    let besides: Vec<String> = who.besides.iter().map(|k| k.to_string()).collect();
    sqlx::query_as!(
        Counts,
        r#"with unit_standing as (
             select n.due_at
               from rectification_notice n
              where n.unit_id = $3 and n.status = 'issued'
                and not exists (select 1 from rectification_report r
                                 where r.tenant_id = n.tenant_id and r.notice_id = n.id
                                   and r.decision is null)
           )
           , open_year as (
             select id, year from assessment_year where $8 and status = 'open'
              order by year desc limit 1
           )
           select
             case when $2 then (select count(*) from finding where status = 'submitted')
                  else 0 end as "findings_to_review!",
             case when $2 or $8 then (select count(*) from notice_appeal where decision is null)
                  else 0 end as "appeals_to_decide!",
             case when $2 then (select count(*) from rectification_report where decision is null)
                  else 0 end as "reports_to_review!",
             case when $2 or $8 then (select count(*) from rectification_notice n
                                 where n.status = 'issued' and n.due_at < $5
                                   and not exists (select 1 from rectification_report r
                                                    where r.tenant_id = n.tenant_id
                                                      and r.notice_id = n.id
                                                      and r.decision is null))
                  else 0 end as "office_notices_overdue!",
             case when $2 then (select count(*) from interview_action
                                 where done_at is null and due_on < $6)
                  else 0 end as "actions_overdue!",
             case when $3::uuid is not null then (select count(*) from unit_standing)
                  else 0 end as "notices_to_rectify!",
             case when $3::uuid is not null then (select count(*) from unit_standing
                                                   where due_at < $5)
                  else 0 end as "unit_notices_overdue!",
             case when $3::uuid is not null then
                    (select count(*)
                       from bulletin_unit bu
                       join bulletin b on b.tenant_id = bu.tenant_id and b.id = bu.bulletin_id
                      where bu.unit_id = $3 and b.status = 'published'
                        and not exists (select 1 from bulletin_read r
                                         where r.tenant_id = bu.tenant_id
                                           and r.bulletin_id = bu.bulletin_id
                                           and r.user_id = $1))
                  else 0 end as "bulletins_unread!",
             case when $4 then (select count(*) from finding
                                 where created_by = $1 and status = 'draft')
                  else 0 end as "drafts!",
             case when $8 then (select count(*) from rectification_notice
                                 where status = 'issued')
                  else 0 end as "notices_standing!",
             (select year from open_year) as open_year,
             case when $8 then (select count(*) from finding f
                                  join inspection_task t on t.tenant_id = f.tenant_id
                                                        and t.id = f.task_id
                                 where f.status = 'confirmed'
                                   and t.assessment_year_id = (select id from open_year))
                  else 0 end as "findings_confirmed!",
             case when $8 then (select count(*) from bulletin where status = 'published')
                  else 0 end as "bulletins_published!",
             case when $8 then (select count(*) from interview
                                 where status = 'scheduled' and scheduled_at >= $5)
                  else 0 end as "interviews_upcoming!",
             (select count(*) from notification
               where user_id = $1 and read_at is null and kind <> all($7)) as "unread!"
"#,
        who.user_id,
        who.office,
        who.unit_id,
        who.supervisor,
        now,
        today,
        &besides,
        who.leader
    )
    .fetch_one(conn)
    .await
}

/// A notice in force addressed to a unit, as its liaison's home page lists it.
pub struct UnitNotice {
    pub id: Uuid,
    pub number: String,
    pub due_at: DateTime<Utc>,
    pub appeal_until: DateTime<Utc>,
    /// the unit has appealed (INS-12), and the office has not decided yet
    pub appealed: bool,
    pub appeal_pending: bool,
    /// a rectification report awaits the office (INS-11)
    pub report_pending: bool,
    /// the office returned the unit's latest report: it must report again
    pub report_returned: bool,
}

/// The unit's notices in force, the nearest deadline first: those it must rectify and report
/// on, and those waiting for the office's decision.
pub async fn unit_notices(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<UnitNotice>, sqlx::Error> {
    sqlx::query_as!(
        UnitNotice,
        r#"select n.id, n.number, n.due_at, n.appeal_until,
                  (a.notice_id is not null) as "appealed!",
                  (a.notice_id is not null and a.decision is null) as "appeal_pending!",
                  exists (select 1 from rectification_report r
                           where r.tenant_id = n.tenant_id and r.notice_id = n.id
                             and r.decision is null) as "report_pending!",
                  coalesce((select r.decision = 'returned' from rectification_report r
                             where r.tenant_id = n.tenant_id and r.notice_id = n.id
                             order by r.submitted_at desc limit 1), false) as "report_returned!"
             from rectification_notice n
             left join notice_appeal a on a.tenant_id = n.tenant_id and a.notice_id = n.id
            where n.unit_id = $1 and n.status = 'issued'
            order by n.due_at
            limit 100"#,
        unit_id
    )
    .fetch_all(conn)
    .await
}

/// A unit's quarterly self-reports (INS-04) in the latest open year it is assessed in.
pub struct UnitQuarters {
    pub year: i32,
    /// the quarters it has filed
    pub filed: Vec<i32>,
    /// working days after a quarter's end within which its report is due (the office's setting)
    pub due_days: i32,
}

pub async fn unit_quarters(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Option<UnitQuarters>, sqlx::Error> {
    sqlx::query_as!(
        UnitQuarters,
        r#"select y.year,
                  array(select s.quarter from self_report s
                         where s.tenant_id = y.tenant_id and s.assessment_year_id = y.id
                           and s.unit_id = $1) as "filed!",
                  (select self_report_due_working_days from office_settings) as "due_days!"
             from assessment_year y
             join assessment_unit a on a.tenant_id = y.tenant_id and a.assessment_year_id = y.id
            where y.status = 'open' and a.unit_id = $1
            order by y.year desc
            limit 1"#,
        unit_id
    )
    .fetch_optional(conn)
    .await
}

pub struct NotificationRow {
    pub id: Uuid,
    pub kind: String,
    pub occasion: NaiveDate,
    pub detail: serde_json::Value,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A user's notifications, unread first, newest first.
pub async fn notifications(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    sqlx::query_as!(
        NotificationRow,
        "select id, kind, occasion, detail, link, created_at, read_at
           from notification
          where user_id = $1
          order by read_at is not null, created_at desc
          limit 200",
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Marks one of the user's notifications read; its link, or none when it is not theirs.
pub async fn mark_read(
    conn: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "update notification set read_at = coalesce(read_at, now())
          where user_id = $1 and id = $2
          returning link",
        user_id,
        id
    )
    .fetch_optional(conn)
    .await
}

pub async fn mark_all_read(conn: &mut PgConnection, user_id: Uuid) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "update notification set read_at = now() where user_id = $1 and read_at is null",
        user_id
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// Who gets a notification: a unit's liaisons, or the office's admins and staff.
#[derive(Debug, Clone, Copy)]
pub enum Recipients {
    Unit(Uuid),
    Office,
}

/// One notification.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub kind: &'static str,
    pub subject_type: &'static str,
    pub subject_id: Uuid,
    pub occasion: NaiveDate,
    pub detail: serde_json::Value,
    pub link: &'a str,
}

/// Notifies each active user among `to`, once per kind, subject and occasion; how many were new.
pub async fn notify(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    to: Recipients,
    n: &NewNotification<'_>,
) -> Result<u64, sqlx::Error> {
    let unit_id = match to {
        Recipients::Unit(unit_id) => Some(unit_id),
        Recipients::Office => None,
    };
    Ok(sqlx::query!(
        "insert into notification (tenant_id, id, user_id, kind, subject_type, subject_id, occasion, detail, link)
         select $1, gen_random_uuid(), u.id, $2, $3, $4, $5, $6, $7
           from app_user u
          where u.disabled_at is null
            and case when $8::uuid is null then u.role in ('office_admin', 'office_staff')
                     else u.role = 'liaison' and u.unit_id = $8 end
         on conflict on constraint notification_once do nothing",
        tenant_id,
        n.kind,
        n.subject_type,
        n.subject_id,
        n.occasion,
        n.detail,
        n.link,
        unit_id
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// The office's standing notices, for the reminders: (id, number, unit, due, a report awaits).
pub async fn standing_notices(
    conn: &mut PgConnection,
) -> Result<Vec<(Uuid, String, Uuid, DateTime<Utc>, bool)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select n.id, n.number, n.unit_id, n.due_at,
                  exists (select 1 from rectification_report r
                           where r.tenant_id = n.tenant_id and r.notice_id = n.id
                             and r.decision is null) as "reported!"
             from rectification_notice n
            where n.status = 'issued'"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.number, r.unit_id, r.due_at, r.reported))
        .collect())
}

/// The follow-up actions of held interviews not yet done, for the reminders:
/// (action, interview, unit, what, due).
pub async fn open_actions(
    conn: &mut PgConnection,
) -> Result<Vec<(Uuid, Uuid, Uuid, String, NaiveDate)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select a.id, a.interview_id, v.unit_id, a.content, a.due_on
           from interview_action a
           join interview v on v.tenant_id = a.tenant_id and v.id = a.interview_id
          where a.done_at is null and v.status = 'held'"
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.interview_id, r.unit_id, r.content, r.due_on))
        .collect())
}

/// A notification still to be mailed, with where it goes.
pub struct Unmailed {
    pub id: Uuid,
    pub email: String,
    pub kind: String,
    pub detail: serde_json::Value,
    pub link: String,
}

/// Notifications of the last three days not yet mailed to users who gave an address.
pub async fn unmailed(conn: &mut PgConnection) -> Result<Vec<Unmailed>, sqlx::Error> {
    sqlx::query_as!(
        Unmailed,
        "select n.id, u.email, n.kind, n.detail, n.link
           from notification n
           join app_user u on u.tenant_id = n.tenant_id and u.id = n.user_id
          where n.mailed_at is null and n.read_at is null
            and n.created_at > now() - interval '3 days'
            and u.email <> '' and u.disabled_at is null
          order by n.created_at
          limit 500"
    )
    .fetch_all(conn)
    .await
}

/// Marks a notification mailed (`take`: only one not yet mailed and still unread), or takes the
/// mark back after a failed send; whether the row changed.
pub async fn mark_mailed(
    conn: &mut PgConnection,
    id: Uuid,
    take: bool,
) -> Result<bool, sqlx::Error> {
    let changed = if take {
        sqlx::query!(
            "update notification set mailed_at = now()
              where id = $1 and mailed_at is null and read_at is null",
            id
        )
        .execute(conn)
        .await?
    } else {
        sqlx::query!("update notification set mailed_at = null where id = $1", id)
            .execute(conn)
            .await?
    };
    Ok(changed.rows_affected() == 1)
}

pub async fn email(conn: &mut PgConnection, user_id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("select email from app_user where id = $1", user_id)
        .fetch_one(conn)
        .await
}

pub async fn set_email(
    conn: &mut PgConnection,
    user_id: Uuid,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set email = $2 where id = $1",
        user_id,
        email
    )
    .execute(conn)
    .await?;
    Ok(())
}
