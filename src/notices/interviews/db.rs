//! Every SQL statement of interviews.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{Attendee, FindingLine, InterviewFields, NewAction, Status};

/// The unit's confirmed findings of the newest open year whose deduction stands (not reversed by
/// an upheld appeal), oldest first: the problems an interview is about.
pub async fn open_year_findings(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<FindingLine>, sqlx::Error> {
    sqlx::query_as!(
        FindingLine,
        "select i.code, i.title, f.description
           from finding f
           join inspection_task t on t.tenant_id = f.tenant_id and t.id = f.task_id
           join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
          where f.unit_id = $1 and f.status = 'confirmed'
            and t.assessment_year_id = (select y.id from assessment_year y where y.status = 'open'
                                         order by y.year desc limit 1)
            and not exists (select 1 from deduction d
                              join deduction r on r.tenant_id = d.tenant_id and r.reverses_id = d.id
                             where d.tenant_id = f.tenant_id and d.source_type = 'finding'
                               and d.source_key = f.id::text)
          order by f.created_at",
        unit_id
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_interview(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    fields: &InterviewFields,
    user_id: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into interview (tenant_id, id, unit_id, scheduled_at, place, problems, created_by)
         values ($1, $2, $3, $4, $5, $6, $7)",
        tenant_id,
        id,
        fields.unit_id,
        fields.scheduled_at,
        fields.place,
        fields.problems,
        user_id
    )
    .execute(&mut *conn)
    .await?;
    replace_attendees(conn, tenant_id, id, fields).await?;
    Ok(id)
}

/// INS-13: corrects a scheduled interview; false when it is no longer scheduled. The unit stays.
pub async fn update_interview(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    interview_id: Uuid,
    fields: &InterviewFields,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update interview set scheduled_at = $2, place = $3, problems = $4, updated_at = now()
          where id = $1 and status = 'scheduled'",
        interview_id,
        fields.scheduled_at,
        fields.place,
        fields.problems
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        replace_attendees(conn, tenant_id, interview_id, fields).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Both attendee lists, replaced as typed (the database allows it while the interview is
/// scheduled).
async fn replace_attendees(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    interview_id: Uuid,
    fields: &InterviewFields,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from interview_attendee where interview_id = $1",
        interview_id
    )
    .execute(&mut *conn)
    .await?;
    for (side, people) in [("office", &fields.office_side), ("unit", &fields.unit_side)] {
        let names: Vec<String> = people.iter().map(|a| a.name.clone()).collect();
        let posts: Vec<String> = people.iter().map(|a| a.post.clone()).collect();
        sqlx::query!(
            "insert into interview_attendee (tenant_id, interview_id, side, position, name, post)
             select $1, $2, $3, p.ord::integer, p.name, p.post
               from unnest($4::text[], $5::text[]) with ordinality as p(name, post, ord)",
            tenant_id,
            interview_id,
            side,
            &names,
            &posts
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An interview as lists and its page show it.
pub struct InterviewRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub scheduled_at: DateTime<Utc>,
    pub place: String,
    pub problems: String,
    pub status: Status,
    pub minutes: String,
    pub held_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub actions: i64,
    pub actions_open: i64,
    pub actions_overdue: i64,
}

/// Interviews, soonest last: all of the office's, or one unit's, or one interview; follow-up
/// actions counted (overdue: not done by the end of their due day, `today` in the office).
pub async fn interviews(
    conn: &mut PgConnection,
    unit_id: Option<Uuid>,
    interview_id: Option<Uuid>,
    today: NaiveDate,
) -> Result<Vec<InterviewRow>, sqlx::Error> {
    sqlx::query_as!(
        InterviewRow,
        r#"select v.id, v.unit_id, u.name as unit_name, v.scheduled_at, v.place, v.problems,
                  v.status as "status: Status",
                  v.minutes, v.held_at, v.cancel_reason, v.cancelled_at, c.display_name as created_by,
                  (select count(*) from interview_action a where a.tenant_id = v.tenant_id
                      and a.interview_id = v.id) as "actions!",
                  (select count(*) from interview_action a where a.tenant_id = v.tenant_id
                      and a.interview_id = v.id and a.done_at is null) as "actions_open!",
                  (select count(*) from interview_action a where a.tenant_id = v.tenant_id
                      and a.interview_id = v.id and a.done_at is null and a.due_on < $3)
                      as "actions_overdue!"
             from interview v
             join unit u on u.tenant_id = v.tenant_id and u.id = v.unit_id
             join app_user c on c.tenant_id = v.tenant_id and c.id = v.created_by
            where ($1::uuid is null or v.unit_id = $1) and ($2::uuid is null or v.id = $2)
            order by v.scheduled_at desc
            limit 500"#,
        unit_id,
        interview_id,
        today
    )
    .fetch_all(conn)
    .await
}

/// Serializes the work on one interview until the transaction ends.
pub async fn lock_interview(
    conn: &mut PgConnection,
    interview_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('interview:' || id::text, 0))
           from interview where id = $1",
        interview_id
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Both sides' attendees, in the order typed: (office side, unit side).
pub async fn attendees(
    conn: &mut PgConnection,
    interview_id: Uuid,
) -> Result<(Vec<Attendee>, Vec<Attendee>), sqlx::Error> {
    let rows = sqlx::query!(
        "select side, name, post from interview_attendee where interview_id = $1
          order by side, position",
        interview_id
    )
    .fetch_all(conn)
    .await?;
    let (mut office, mut unit) = (Vec::new(), Vec::new());
    for r in rows {
        let side = if r.side == "office" {
            &mut office
        } else {
            &mut unit
        };
        side.push(Attendee {
            name: r.name,
            post: r.post,
        });
    }
    Ok((office, unit))
}

/// A follow-up action.
pub struct ActionRow {
    pub id: Uuid,
    pub content: String,
    pub responsible: String,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
}

/// An interview's follow-up actions, soonest due first.
pub async fn actions(
    conn: &mut PgConnection,
    interview_id: Uuid,
) -> Result<Vec<ActionRow>, sqlx::Error> {
    sqlx::query_as!(
        ActionRow,
        r#"select a.id, a.content, a.responsible, a.due_on, a.done_at, d.display_name as "done_by?"
             from interview_action a
             left join app_user d on d.tenant_id = a.tenant_id and d.id = a.done_by
            where a.interview_id = $1
            order by a.due_on, a.created_at"#,
        interview_id
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_actions(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    interview_id: Uuid,
    actions: &[NewAction],
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    for action in actions {
        sqlx::query!(
            "insert into interview_action (tenant_id, id, interview_id, content, responsible, due_on,
                                           created_by)
             values ($1, $2, $3, $4, $5, $6, $7)",
            tenant_id,
            Uuid::now_v7(),
            interview_id,
            action.content,
            action.responsible,
            action.due_on,
            user_id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// INS-13: the interview took place; its minutes are recorded once.
pub async fn hold(
    conn: &mut PgConnection,
    interview_id: Uuid,
    minutes: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update interview set status = 'held', minutes = $2, held_at = $3, updated_at = $3
          where id = $1 and status = 'scheduled'",
        interview_id,
        minutes,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// INS-13: a scheduled interview is called off with its reason.
pub async fn cancel(
    conn: &mut PgConnection,
    interview_id: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update interview set status = 'cancelled', cancel_reason = $2, cancelled_at = $3,
                              updated_at = $3
          where id = $1 and status = 'scheduled'",
        interview_id,
        reason,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks one of the interview's actions done, once; returns its content when it was open.
pub async fn mark_action_done(
    conn: &mut PgConnection,
    (interview_id, action_id): (Uuid, Uuid),
    user_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "update interview_action set done_at = $4, done_by = $3
          where interview_id = $1 and id = $2 and done_at is null
         returning content",
        interview_id,
        action_id,
        user_id,
        at
    )
    .fetch_optional(conn)
    .await
}

/// An overdue follow-up action with its interview and unit, for the leaders' overview.
pub struct OverdueAction {
    pub interview_id: Uuid,
    pub unit_name: String,
    pub content: String,
    pub responsible: String,
    pub due_on: NaiveDate,
}

/// The follow-up actions not done by the end of their due day, longest overdue first.
pub async fn overdue_actions(
    conn: &mut PgConnection,
    today: NaiveDate,
) -> Result<Vec<OverdueAction>, sqlx::Error> {
    sqlx::query_as!(
        OverdueAction,
        "select a.interview_id, u.name as unit_name, a.content, a.responsible, a.due_on
           from interview_action a
           join interview v on v.tenant_id = a.tenant_id and v.id = a.interview_id
           join unit u on u.tenant_id = v.tenant_id and u.id = v.unit_id
          where a.done_at is null and a.due_on < $1
          order by a.due_on, a.created_at
          limit 100",
        today
    )
    .fetch_all(conn)
    .await
}
