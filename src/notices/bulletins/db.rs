//! Every SQL statement of bulletins.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{BulletinText, PeriodFinding, Status};

/// INS-13: the confirmed findings of `from`–`to` (the day observed, or else the task's day, in the
/// office's time zone `tz`) whose deduction stands, in unit, then catalog item order. Dismissed,
/// unconfirmed and reversed findings are not circulated.
pub async fn period_findings(
    conn: &mut PgConnection,
    from: NaiveDate,
    to: NaiveDate,
    tz: &str,
) -> Result<Vec<PeriodFinding>, sqlx::Error> {
    sqlx::query_as!(
        PeriodFinding,
        r#"select f.unit_id, u.name as unit_name, i.code, i.title, f.description,
                  d.points as "points?"
             from finding f
             join inspection_task t on t.tenant_id = f.tenant_id and t.id = f.task_id
             join unit u on u.tenant_id = f.tenant_id and u.id = f.unit_id
             join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
             left join deduction d on d.tenant_id = f.tenant_id and d.source_type = 'finding'
                                  and d.source_key = f.id::text and d.entry_kind = 'deduct'
            where f.status = 'confirmed'
              and coalesce((f.observed_at at time zone $3)::date, t.scheduled_on) between $1 and $2
              and not exists (select 1 from deduction r where r.tenant_id = d.tenant_id
                                                           and r.reverses_id = d.id)
            order by u.code, u.id, i.position, i.code, f.created_at"#,
        from,
        to,
        tz
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_bulletin(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    text: &BulletinText,
    user_id: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into bulletin (tenant_id, id, period_from, period_to, title, lead, body, closing,
                               created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        tenant_id,
        id,
        from,
        to,
        text.title,
        text.lead,
        text.body,
        text.closing,
        user_id
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A bulletin as lists and its page show it.
pub struct BulletinRow {
    pub id: Uuid,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub title: String,
    pub lead: String,
    pub body: String,
    pub closing: String,
    pub status: Status,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub published_by: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// the units it went to, and how many of them a liaison has read it in
    pub recipients: i64,
    pub units_read: i64,
    /// when `reader` first read it
    pub read_at: Option<DateTime<Utc>>,
}

/// Which bulletins a reader may see.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// the office: drafts and published
    All,
    /// the city's leaders: published ones
    Published,
    /// a liaison: the published ones sent to its unit
    Unit(Uuid),
}

/// Bulletins in `scope`, newest first, or one of them; `reader`'s first reading with each.
pub async fn bulletins(
    conn: &mut PgConnection,
    scope: Scope,
    bulletin_id: Option<Uuid>,
    reader: Uuid,
) -> Result<Vec<BulletinRow>, sqlx::Error> {
    let (published_only, unit_id) = match scope {
        Scope::All => (false, None),
        Scope::Published => (true, None),
        Scope::Unit(unit) => (true, Some(unit)),
    };
    sqlx::query_as!(
        BulletinRow,
        r#"select b.id, b.period_from, b.period_to, b.title, b.lead, b.body, b.closing,
                  b.status as "status: Status",
                  c.display_name as created_by, b.created_at, p.display_name as "published_by?",
                  b.published_at,
                  (select count(*) from bulletin_unit r where r.tenant_id = b.tenant_id
                      and r.bulletin_id = b.id) as "recipients!",
                  (select count(distinct r.unit_id) from bulletin_read r where r.tenant_id = b.tenant_id
                      and r.bulletin_id = b.id) as "units_read!",
                  (select r.read_at from bulletin_read r where r.tenant_id = b.tenant_id
                      and r.bulletin_id = b.id and r.user_id = $4) as "read_at?"
             from bulletin b
             join app_user c on c.tenant_id = b.tenant_id and c.id = b.created_by
             left join app_user p on p.tenant_id = b.tenant_id and p.id = b.published_by
            where (not $1 or b.status = 'published')
              and ($2::uuid is null or exists (select 1 from bulletin_unit r
                                                where r.tenant_id = b.tenant_id
                                                  and r.bulletin_id = b.id and r.unit_id = $2))
              and ($3::uuid is null or b.id = $3)
            order by coalesce(b.published_at, b.created_at) desc
            limit 500"#,
        published_only,
        unit_id,
        bulletin_id,
        reader
    )
    .fetch_all(conn)
    .await
}

/// Serializes the work on one bulletin until the transaction ends.
pub async fn lock_bulletin(conn: &mut PgConnection, bulletin_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('bulletin:' || id::text, 0))
           from bulletin where id = $1",
        bulletin_id
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// INS-13: saves a draft's texts; false when it is published (the database refuses that too).
pub async fn update_text(
    conn: &mut PgConnection,
    bulletin_id: Uuid,
    text: &BulletinText,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update bulletin set title = $2, lead = $3, body = $4, closing = $5, updated_at = now()
          where id = $1 and status = 'draft'",
        bulletin_id,
        text.title,
        text.lead,
        text.body,
        text.closing
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// INS-13: publishes a draft, once, to every unit of the office; returns how many units.
pub async fn publish(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    bulletin_id: Uuid,
    (user_id, at): (Uuid, DateTime<Utc>),
) -> Result<Option<u64>, sqlx::Error> {
    let done = sqlx::query!(
        "update bulletin set status = 'published', published_by = $2, published_at = $3
          where id = $1 and status = 'draft'",
        bulletin_id,
        user_id,
        at
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(None);
    }
    let sent = sqlx::query!(
        "insert into bulletin_unit (tenant_id, bulletin_id, unit_id)
         select $1, $2, u.id from unit u",
        tenant_id,
        bulletin_id
    )
    .execute(conn)
    .await?;
    Ok(Some(sent.rows_affected()))
}

/// INS-13: a liaison's first reading of a bulletin sent to its unit; false when it read it before.
pub async fn record_read(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    bulletin_id: Uuid,
    user_id: Uuid,
    unit_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into bulletin_read (tenant_id, bulletin_id, user_id, unit_id) values ($1, $2, $3, $4)
         on conflict (tenant_id, bulletin_id, user_id) do nothing",
        tenant_id,
        bulletin_id,
        user_id,
        unit_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One liaison of a unit a bulletin went to, and when it first read it; a unit without a
/// liaison account has one row with no liaison.
pub struct ReceiptRow {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub liaison: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
}

/// INS-13: who has read the bulletin, per unit, and who has not: each unit's liaisons (active,
/// or disabled ones who read it) in unit order.
pub async fn receipts(
    conn: &mut PgConnection,
    bulletin_id: Uuid,
) -> Result<Vec<ReceiptRow>, sqlx::Error> {
    sqlx::query_as!(
        ReceiptRow,
        r#"select b.unit_id, u.name as unit_name, l.display_name as "liaison?", r.read_at as "read_at?"
             from bulletin_unit b
             join unit u on u.tenant_id = b.tenant_id and u.id = b.unit_id
             left join app_user l on l.tenant_id = b.tenant_id and l.unit_id = b.unit_id
                                 and l.role = 'liaison'
             left join bulletin_read r on r.tenant_id = b.tenant_id and r.bulletin_id = b.bulletin_id
                                      and r.user_id = l.id
            where b.bulletin_id = $1 and (l.id is null or l.disabled_at is null or r.read_at is not null)
            order by u.code, u.id, r.read_at nulls last, l.display_name"#,
        bulletin_id
    )
    .fetch_all(conn)
    .await
}
