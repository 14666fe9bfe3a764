//! Every SQL statement of supervisors, their certificates and groups (INS-02, INS-08).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub async fn insert_supervisor(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    input: &super::model::RecommendationInput,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into supervisor (tenant_id, id, name, phone, work_unit_id, recommended_by_unit_id,
                                 recommendation)
         values ($1, $2, $3, $4, $5, $6, $7)",
        tenant_id,
        id,
        input.name,
        input.phone,
        input.work_unit_id,
        input.recommended_by_unit_id,
        input.recommendation
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A supervisor with the names of the units and user they point at.
pub struct SupervisorRow {
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub status: String,
    pub work_unit_id: Option<Uuid>,
    pub work_unit: Option<String>,
    pub recommended_by_unit_id: Option<Uuid>,
    pub recommended_by: Option<String>,
    pub recommendation: String,
    pub decision_note: String,
    pub certificate_number: Option<String>,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_until: Option<chrono::NaiveDate>,
    /// the linked account's login name
    pub username: Option<String>,
    /// the linked account's person, by name
    pub account_name: Option<String>,
    pub recommended_at: DateTime<Utc>,
}

/// Supervisors by `status`, limited to those recommended by `unit` when given (a liaison's view).
pub async fn list_supervisors(
    conn: &mut PgConnection,
    status: Option<&str>,
    unit: Option<Uuid>,
) -> Result<Vec<SupervisorRow>, sqlx::Error> {
    sqlx::query_as!(
        SupervisorRow,
        r#"select s.id, s.name, s.phone, s.status, s.work_unit_id, w.name as "work_unit?",
                  s.recommended_by_unit_id, r.name as "recommended_by?", s.recommendation,
                  s.decision_note, s.certificate_number, s.valid_from, s.valid_until,
                  u.username as "username?", u.display_name as "account_name?", s.recommended_at
             from supervisor s
             left join unit w on w.tenant_id = s.tenant_id and w.id = s.work_unit_id
             left join unit r on r.tenant_id = s.tenant_id and r.id = s.recommended_by_unit_id
             left join app_user u on u.tenant_id = s.tenant_id and u.id = s.user_id
            where ($1::text is null or s.status = $1)
              and ($2::uuid is null or s.recommended_by_unit_id = $2)
            order by s.status = 'recommended' desc, s.certificate_number nulls last, s.name"#,
        status,
        unit
    )
    .fetch_all(conn)
    .await
}

pub async fn get_supervisor(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<SupervisorRow, sqlx::Error> {
    sqlx::query_as!(
        SupervisorRow,
        r#"select s.id, s.name, s.phone, s.status, s.work_unit_id, w.name as "work_unit?",
                  s.recommended_by_unit_id, r.name as "recommended_by?", s.recommendation,
                  s.decision_note, s.certificate_number, s.valid_from, s.valid_until,
                  u.username as "username?", u.display_name as "account_name?", s.recommended_at
             from supervisor s
             left join unit w on w.tenant_id = s.tenant_id and w.id = s.work_unit_id
             left join unit r on r.tenant_id = s.tenant_id and r.id = s.recommended_by_unit_id
             left join app_user u on u.tenant_id = s.tenant_id and u.id = s.user_id
            where s.id = $1"#,
        id
    )
    .fetch_one(conn)
    .await
}

/// Records the office's decision; an approval carries the certificate. False when the
/// supervisor was no longer in `from_status` (decided meanwhile).
pub async fn decide_supervisor(
    conn: &mut PgConnection,
    id: Uuid,
    from_status: &str,
    to_status: &str,
    note: &str,
    certificate: Option<(&str, chrono::NaiveDate, chrono::NaiveDate)>,
) -> Result<bool, sqlx::Error> {
    let (number, from, until) = match certificate {
        Some((n, f, u)) => (Some(n), Some(f), Some(u)),
        None => (None, None, None),
    };
    let done = sqlx::query!(
        "update supervisor
            set status = $3, decision_note = $4, decided_at = now(),
                certificate_number = coalesce($5, certificate_number),
                valid_from = coalesce($6, valid_from), valid_until = coalesce($7, valid_until)
          where id = $1 and status = $2",
        id,
        from_status,
        to_status,
        note,
        number,
        from,
        until
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Links the supervisor to a user account of role supervisor (or unlinks with `None`).
pub async fn link_supervisor_user(
    conn: &mut PgConnection,
    id: Uuid,
    user_id: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update supervisor set user_id = $2
          where id = $1
            and ($2::uuid is null or exists (select 1 from app_user u where u.id = $2 and u.role = 'supervisor'))
            and not exists (select 1 from supervisor o where o.user_id = $2 and o.id <> $1)",
        id,
        user_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Supervisor accounts not yet linked to a supervisor record: (id, username, name).
pub async fn unlinked_supervisor_users(
    conn: &mut PgConnection,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select u.id, u.username, u.display_name from app_user u
          where u.role = 'supervisor' and u.disabled_at is null
            and not exists (select 1 from supervisor s where s.user_id = u.id)
          order by u.username"
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.username, r.display_name))
        .collect())
}

/// A certificate as the public verification page shows it.
pub struct CertificateRow {
    pub name: String,
    pub status: String,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_until: Option<chrono::NaiveDate>,
}

pub async fn find_certificate(
    conn: &mut PgConnection,
    number: &str,
) -> Result<Option<CertificateRow>, sqlx::Error> {
    sqlx::query_as!(
        CertificateRow,
        "select name, status, valid_from, valid_until from supervisor where certificate_number = $1",
        number
    )
    .fetch_optional(conn)
    .await
}

/// Supervisors as recusal and group forms see them: approved ones, or those of `ids`.
pub async fn group_candidates(
    conn: &mut PgConnection,
) -> Result<Vec<super::model::Member>, sqlx::Error> {
    sqlx::query_as!(
        super::model::Member,
        "select id, name, work_unit_id, recommended_by_unit_id from supervisor
          where status = 'approved' order by name"
    )
    .fetch_all(conn)
    .await
}

/// A group to form: its name, task, the unit it inspects (if formed for one) and its period.
pub struct NewGroup<'a> {
    pub name: &'a str,
    pub purpose: &'a str,
    pub unit_id: Option<Uuid>,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
}

pub async fn insert_group(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    group: &NewGroup<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into supervisor_group (tenant_id, id, name, purpose, unit_id, starts_on, ends_on)
         values ($1, $2, $3, $4, $5, $6, $7)",
        tenant_id,
        id,
        group.name,
        group.purpose,
        group.unit_id,
        group.starts_on,
        group.ends_on
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn insert_group_member(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    group_id: Uuid,
    supervisor_id: Uuid,
    is_leader: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into group_member (tenant_id, group_id, supervisor_id, is_leader) values ($1, $2, $3, $4)",
        tenant_id,
        group_id,
        supervisor_id,
        is_leader
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub struct GroupRow {
    pub id: Uuid,
    pub name: String,
    pub purpose: String,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    pub unit: Option<String>,
    pub leader: Option<String>,
    pub members: i64,
}

pub async fn list_groups(conn: &mut PgConnection) -> Result<Vec<GroupRow>, sqlx::Error> {
    sqlx::query_as!(
        GroupRow,
        r#"select g.id, g.name, g.purpose, g.starts_on, g.ends_on, u.name as "unit?",
                  (select s.name from group_member m join supervisor s
                     on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
                    where m.tenant_id = g.tenant_id and m.group_id = g.id and m.is_leader) as "leader?",
                  (select count(*) from group_member m
                    where m.tenant_id = g.tenant_id and m.group_id = g.id) as "members!"
             from supervisor_group g
             left join unit u on u.tenant_id = g.tenant_id and u.id = g.unit_id
            order by g.created_at desc"#
    )
    .fetch_all(conn)
    .await
}

/// Every group's members in one query: (group id, supervisor name, leader?), leaders first.
pub async fn all_group_members(
    conn: &mut PgConnection,
) -> Result<Vec<(Uuid, String, bool)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select m.group_id, s.name, m.is_leader
           from group_member m join supervisor s on s.tenant_id = m.tenant_id and s.id = m.supervisor_id
          order by m.group_id, m.is_leader desc, s.name"
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.group_id, r.name, r.is_leader))
        .collect())
}

/// Whether a supervisor record is linked to the user.
pub async fn supervisor_of_user(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from supervisor where user_id = $1) as "e!""#,
        user_id
    )
    .fetch_one(conn)
    .await
}
