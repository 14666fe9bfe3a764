//! Every SQL statement of complaints.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{ComplaintFields, Status};

/// A complaint to record: its checked fields and how it came in.
pub struct NewComplaint<'a> {
    pub id: Uuid,
    pub year_id: Uuid,
    pub number: &'a str,
    pub fields: &'a ComplaintFields,
    pub received_at: DateTime<Utc>,
    pub logged_by: Option<Uuid>,
    /// the complainant's tracking code, hashed
    pub tracking_hash: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Records a complaint with the people it names (staff picked, then names typed).
pub async fn insert_complaint(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    c: &NewComplaint<'_>,
) -> Result<(), sqlx::Error> {
    let f = c.fields;
    sqlx::query!(
        "insert into complaint (tenant_id, id, assessment_year_id, number, channel, received_at,
                                logged_by, unit_id, matter, reasons, category, evidence_note,
                                relation, complainant_name, complainant_phone, complainant_email,
                                contact_allowed, track, status, created_at, tracking_hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 'received', $19, $20)",
        tenant_id,
        c.id,
        c.year_id,
        c.number,
        f.channel.as_str(),
        c.received_at,
        c.logged_by,
        f.unit_id,
        f.matter,
        f.reasons,
        f.category.as_str(),
        f.evidence_note,
        f.relation.as_str(),
        f.name,
        f.phone,
        f.email,
        f.contact_allowed,
        f.track().as_str(),
        c.at,
        c.tracking_hash
    )
    .execute(&mut *conn)
    .await?;
    // staff of the complained unit only: a name picked from elsewhere is not stored
    sqlx::query!(
        "insert into complaint_person (tenant_id, complaint_id, position, staff_id, name)
         select $1, $2, row_number() over (order by p.ord), s.id, s.name
           from unnest($3::uuid[]) with ordinality as p(staff_id, ord)
           join staff_member s on s.id = p.staff_id and s.unit_id = $4",
        tenant_id,
        c.id,
        &f.staff,
        f.unit_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into complaint_person (tenant_id, complaint_id, position, name)
         select $1, $2, 100 + ord, name from unnest($3::text[]) with ordinality as p(name, ord)",
        tenant_id,
        c.id,
        &f.people
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A step of a complaint's timeline to record.
pub struct NewEvent<'a> {
    pub complaint_id: Uuid,
    pub action: &'a str,
    pub actor: Option<Uuid>,
    pub unit: Option<Uuid>,
    pub note: &'a str,
    /// what the tracking page says of it; `None` keeps the step internal
    pub public_text: Option<&'a str>,
    pub at: DateTime<Utc>,
}

pub async fn insert_event(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    e: &NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into complaint_event (tenant_id, id, complaint_id, at, action, actor_id, unit_id,
                                      note, public, public_text)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        tenant_id,
        Uuid::now_v7(),
        e.complaint_id,
        e.at,
        e.action,
        e.actor,
        e.unit,
        e.note,
        e.public_text.is_some(),
        e.public_text.unwrap_or("")
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A complaint as its page shows it.
#[derive(Debug, Clone)]
pub struct ComplaintRow {
    pub id: Uuid,
    pub number: String,
    pub year: i32,
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub logged_by: Option<String>,
    pub unit_id: Uuid,
    pub unit_code: String,
    pub unit_name: String,
    pub matter: String,
    pub reasons: String,
    pub category: String,
    pub evidence_note: String,
    pub relation: String,
    pub complainant_name: String,
    pub complainant_phone: String,
    pub complainant_email: String,
    pub contact_allowed: bool,
    pub track: String,
    pub status: String,
    pub refusal_reason: Option<String>,
    pub refusal_note: String,
    pub signed_at: Option<DateTime<Utc>>,
    /// CMP-09: when the unit's handling period ends
    pub due_at: Option<DateTime<Utc>>,
}

/// One complaint, locked for a change when `lock`; a liaison's read carries its unit.
pub async fn get_complaint(
    conn: &mut PgConnection,
    id: Uuid,
    unit: Option<Uuid>,
) -> Result<Option<ComplaintRow>, sqlx::Error> {
    sqlx::query_as!(
        ComplaintRow,
        r#"select c.id, c.number, y.year, c.channel, c.received_at,
                  l.display_name as "logged_by?", c.unit_id, u.code as unit_code,
                  u.name as unit_name, c.matter, c.reasons, c.category, c.evidence_note,
                  c.relation, c.complainant_name, c.complainant_phone, c.complainant_email,
                  c.contact_allowed, c.track, c.status, c.refusal_reason, c.refusal_note,
                  c.signed_at, c.due_at
             from complaint c
             join assessment_year y on y.tenant_id = c.tenant_id and y.id = c.assessment_year_id
             join unit u on u.tenant_id = c.tenant_id and u.id = c.unit_id
             left join app_user l on l.tenant_id = c.tenant_id and l.id = c.logged_by
            where c.id = $1 and ($2::uuid is null or c.unit_id = $2)"#,
        id,
        unit
    )
    .fetch_optional(conn)
    .await
}

/// Serializes the changes to one complaint until the transaction ends.
pub async fn lock_complaint(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("select id from complaint where id = $1 for update", id)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// Where a complaint goes: its new status and unit, and, when a unit signs for it, the moment it
/// did and the end of its handling period (CMP-09).
pub struct Move {
    pub from: Status,
    pub to: Status,
    pub unit: Uuid,
    pub signed_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
}

/// Moves a complaint as `m` says; `false` when it was no longer `m.from`. The receipt and its
/// period stay while the unit holds it (signed, or returned to the office for a ruling) and go
/// when it goes to another unit.
pub async fn move_complaint(
    conn: &mut PgConnection,
    id: Uuid,
    m: &Move,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update complaint set status = $3, unit_id = $4,
                signed_at = case when $3 in ('signed', 'returned') then coalesce($5, signed_at) end,
                due_at = case when $3 in ('signed', 'returned') then coalesce($6, due_at) end
          where id = $1 and status = $2",
        id,
        m.from.as_str(),
        m.to.as_str(),
        m.unit,
        m.signed_at,
        m.due_at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// CMP-13: records why a complaint is not accepted and what the complainant is told.
pub async fn refuse(
    conn: &mut PgConnection,
    id: Uuid,
    reason: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update complaint set status = 'refused', refusal_reason = $2, refusal_note = $3
          where id = $1 and status = 'received'",
        id,
        reason,
        note
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The people a complaint names.
pub async fn people(conn: &mut PgConnection, id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "select name from complaint_person where complaint_id = $1 order by position",
        id
    )
    .fetch_all(conn)
    .await
}

/// A step of a complaint's timeline.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor: Option<String>,
    pub unit: Option<String>,
    pub note: String,
    pub public: bool,
    pub public_text: String,
}

/// A complaint's timeline, oldest first.
pub async fn timeline(conn: &mut PgConnection, id: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as!(
        EventRow,
        r#"select e.at, e.action, a.display_name as "actor?", u.name as "unit?", e.note, e.public,
                  e.public_text
             from complaint_event e
             left join app_user a on a.tenant_id = e.tenant_id and a.id = e.actor_id
             left join unit u on u.tenant_id = e.tenant_id and u.id = e.unit_id
            where e.complaint_id = $1
            order by e.at, e.id"#,
        id
    )
    .fetch_all(conn)
    .await
}

/// A complaint as lists show it.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: Uuid,
    pub number: String,
    pub received_at: DateTime<Utc>,
    pub channel: String,
    pub unit_name: String,
    pub matter: String,
    pub category: String,
    pub track: String,
    pub status: String,
}

/// What a list is filtered by; empty fields filter nothing.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: String,
    pub channel: String,
    pub category: String,
    pub unit: Option<Uuid>,
    /// received from this moment on, and before that one
    pub period: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// CMP-09: only those whose handling period had ended by this moment, still with the unit
    pub overdue_at: Option<DateTime<Utc>>,
    /// only those a unit holds (a liaison's list): not those awaiting the office or refused
    pub held_only: bool,
}

/// The complaints that match, newest first, a page of them, and how many match in all.
pub async fn list(
    conn: &mut PgConnection,
    filter: &ListFilter,
    (limit, offset): (i64, i64),
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as!(
        ListRow,
        r#"select c.id, c.number, c.received_at, c.channel, u.name as unit_name, c.matter,
                  c.category, c.track, c.status
             from complaint c
             join unit u on u.tenant_id = c.tenant_id and u.id = c.unit_id
            where ($1 = '' or c.status = $1) and ($2 = '' or c.channel = $2)
              and ($3 = '' or c.category = $3) and ($4::uuid is null or c.unit_id = $4)
              and (not $7 or c.status not in ('received', 'refused'))
              and ($8::timestamptz is null or c.received_at >= $8)
              and ($9::timestamptz is null or c.received_at < $9)
              and ($10::timestamptz is null
                   or (c.status in ('signed', 'returned') and c.due_at < $10))
            order by c.received_at desc, c.id desc
            limit $5 offset $6"#,
        filter.status,
        filter.channel,
        filter.category,
        filter.unit,
        limit,
        offset,
        filter.held_only,
        filter.period.0,
        filter.period.1,
        filter.overdue_at
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from complaint c
            where ($1 = '' or c.status = $1) and ($2 = '' or c.channel = $2)
              and ($3 = '' or c.category = $3) and ($4::uuid is null or c.unit_id = $4)
              and (not $5 or c.status not in ('received', 'refused'))
              and ($6::timestamptz is null or c.received_at >= $6)
              and ($7::timestamptz is null or c.received_at < $7)
              and ($8::timestamptz is null
                   or (c.status in ('signed', 'returned') and c.due_at < $8))"#,
        filter.status,
        filter.channel,
        filter.category,
        filter.unit,
        filter.held_only,
        filter.period.0,
        filter.period.1,
        filter.overdue_at
    )
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

/// An earlier complaint like this one (CMP-13).
#[derive(Debug, Clone)]
pub struct SimilarRow {
    pub id: Uuid,
    pub number: String,
    pub matter: String,
    pub status: String,
}

/// A unit to choose: (id, code, name).
pub type UnitChoice = (Uuid, String, String);

/// CMP-13: earlier complaints the office should see before accepting this one: open ones about
/// the same unit whose matter is alike (trigram similarity at least `threshold`), and any from
/// the same phone. At most 10, most alike first. The threshold is set for the transaction, so
/// that the `%` operator (which the trigram index answers) applies it.
pub async fn similar(
    conn: &mut PgConnection,
    c: &ComplaintRow,
    threshold: f32,
) -> Result<Vec<SimilarRow>, sqlx::Error> {
    sqlx::query!(
        "select set_config('pg_trgm.similarity_threshold', $1::real::text, true)",
        threshold
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"select c.id, c.number, c.matter, c.status,
                  similarity(c.matter, $2)::real as "likeness!"
             from complaint c
            where c.id <> $1
              and ((c.unit_id = $3 and c.status in ('received', 'assigned', 'signed', 'returned')
                    and c.matter % $2)
                   or ($4 <> '' and c.complainant_phone = $4))
            order by 5 desc, c.received_at desc
            limit 10"#,
        c.id,
        c.matter,
        c.unit_id,
        c.complainant_phone
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SimilarRow {
            id: r.id,
            number: r.number,
            matter: r.matter,
            status: r.status,
        })
        .collect())
}

/// The units of the office's latest open year's list, for the forms, by code (none when no year
/// is open).
pub async fn open_year_units(conn: &mut PgConnection) -> Result<Vec<UnitChoice>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.id, u.code, u.name from assessment_unit a
             join unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
            where a.assessment_year_id = (select id from assessment_year where status = 'open'
                                           order by year desc limit 1)
            order by u.code collate "C""#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.code, r.name)).collect())
}

/// The office's latest open year (id, year) and whether `unit` is on its list; `None` when no
/// year is open.
pub async fn open_year_listing(
    conn: &mut PgConnection,
    unit: Uuid,
) -> Result<Option<(Uuid, i32, bool)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select y.id, y.year,
                  exists (select 1 from assessment_unit a
                           where a.assessment_year_id = y.id and a.unit_id = $1) as "listed!"
             from assessment_year y
            where y.status = 'open'
            order by y.year desc
            limit 1"#,
        unit
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.year, r.listed)))
}

/// The office's complaint number format and time zone.
pub async fn number_format(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("select complaint_number_format from office_settings")
        .fetch_one(conn)
        .await
}

/// A complaint as its tracking page shows it: nothing about staff, notes or the complainant.
#[derive(Debug, Clone)]
pub struct TrackedRow {
    pub id: Uuid,
    pub number: String,
    pub received_at: DateTime<Utc>,
    pub unit_name: String,
    pub matter: String,
    pub track: String,
    pub status: String,
    pub due_at: Option<DateTime<Utc>>,
}

/// The complaint whose tracking code hashes to `hash`, if any.
pub async fn tracked(
    conn: &mut PgConnection,
    hash: &str,
) -> Result<Option<TrackedRow>, sqlx::Error> {
    sqlx::query_as!(
        TrackedRow,
        "select c.id, c.number, c.received_at, u.name as unit_name, c.matter, c.track, c.status,
                c.due_at
           from complaint c join unit u on u.tenant_id = c.tenant_id and u.id = c.unit_id
          where c.tracking_hash = $1",
        hash
    )
    .fetch_optional(conn)
    .await
}

/// A step of the public timeline: when, what, to which unit, and the words meant for the
/// complainant.
#[derive(Debug, Clone)]
pub struct PublicStep {
    pub at: DateTime<Utc>,
    pub action: String,
    pub unit: Option<String>,
    pub public_text: String,
}

/// The steps of a complaint the tracking page shows, oldest first.
pub async fn public_timeline(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Vec<PublicStep>, sqlx::Error> {
    sqlx::query_as!(
        PublicStep,
        r#"select e.at, e.action, u.name as "unit?", e.public_text
             from complaint_event e
             left join unit u on u.tenant_id = e.tenant_id and u.id = e.unit_id
            where e.complaint_id = $1 and e.public
            order by e.at, e.id"#,
        id
    )
    .fetch_all(conn)
    .await
}

/// A staff member of a unit to pick as named in a complaint: (id, name, post).
pub type StaffChoice = (Uuid, String, String);

/// The unit's staff still in post, by name.
pub async fn unit_staff(
    conn: &mut PgConnection,
    unit: Uuid,
) -> Result<Vec<StaffChoice>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, name, post from staff_member
          where unit_id = $1 and left_at is null
          order by name, id",
        unit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name, r.post)).collect())
}

/// CMP-11: the staffing commission's ruling on a unit's remit, as recorded.
pub struct NewRuling<'a> {
    pub complaint_id: Uuid,
    pub ruled_on: chrono::NaiveDate,
    pub document_number: &'a str,
    pub returned_by: Uuid,
    pub competent_unit: Uuid,
    pub note: &'a str,
    pub recorded_by: Uuid,
    pub at: DateTime<Utc>,
}

pub async fn insert_ruling(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    r: &NewRuling<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into complaint_ruling (tenant_id, id, complaint_id, ruled_on, document_number,
                                       returned_by, competent_unit_id, note, recorded_by,
                                       recorded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        tenant_id,
        id,
        r.complaint_id,
        r.ruled_on,
        r.document_number,
        r.returned_by,
        r.competent_unit,
        r.note,
        r.recorded_by,
        r.at
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A ruling as the complaint's page shows it.
#[derive(Debug, Clone)]
pub struct RulingRow {
    pub ruled_on: chrono::NaiveDate,
    pub document_number: String,
    pub returned_by: String,
    pub competent_unit: String,
    pub note: String,
}

/// The staffing commission's rulings on a complaint, oldest first.
pub async fn rulings(conn: &mut PgConnection, id: Uuid) -> Result<Vec<RulingRow>, sqlx::Error> {
    sqlx::query_as!(
        RulingRow,
        r#"select r.ruled_on, r.document_number, b.name as returned_by,
                  u.name as competent_unit, r.note
             from complaint_ruling r
             join unit b on b.tenant_id = r.tenant_id and b.id = r.returned_by
             join unit u on u.tenant_id = r.tenant_id and u.id = r.competent_unit_id
            where r.complaint_id = $1
            order by r.recorded_at, r.id"#,
        id
    )
    .fetch_all(conn)
    .await
}

/// CMP-08: when the complaint was last assigned or transferred to the unit that holds it (the
/// slip's date, and where the time to sign for it starts).
pub async fn routed_at(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select max(at) from complaint_event
          where complaint_id = $1 and action in ('complaint.assign', 'complaint.transfer')",
        id
    )
    .fetch_one(conn)
    .await
}

/// The latest step of a complaint with this action (the one just recorded, under the
/// complaint's lock).
pub async fn latest_step(
    conn: &mut PgConnection,
    id: Uuid,
    action: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from complaint_event where complaint_id = $1 and action = $2
          order by at desc, id desc limit 1",
        id,
        action
    )
    .fetch_optional(conn)
    .await
}

/// A complaint assigned to a unit that has not signed for it yet.
#[derive(Debug, Clone)]
pub struct UnsignedRow {
    pub id: Uuid,
    pub number: String,
    pub unit_id: Uuid,
    pub track: String,
    /// its latest assignment or transfer
    pub routed_at: Option<DateTime<Utc>>,
}

/// CMP-08: the complaints waiting for their unit to sign, the longest waiting first (a working
/// day's assignments or so: they are signed for, or received by the job, within days).
pub async fn unsigned(conn: &mut PgConnection) -> Result<Vec<UnsignedRow>, sqlx::Error> {
    sqlx::query_as!(
        UnsignedRow,
        r#"select c.id, c.number, c.unit_id, c.track, r.routed_at
             from complaint c
             left join lateral (
                  select max(e.at) as routed_at from complaint_event e
                   where e.tenant_id = c.tenant_id and e.complaint_id = c.id
                     and e.action in ('complaint.assign', 'complaint.transfer')) r on true
            where c.status = 'assigned'
            order by r.routed_at nulls last, c.id"#
    )
    .fetch_all(conn)
    .await
}
