//! Every SQL statement of the complaints' APIs.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// The unit with code `code` on the office's latest open year's list, if any (none when no year
/// is open).
pub async fn listed_unit(conn: &mut PgConnection, code: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select u.id from assessment_unit a
           join unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
          where u.code = $1
            and a.assessment_year_id = (select id from assessment_year where status = 'open'
                                         order by year desc limit 1)",
        code
    )
    .fetch_optional(conn)
    .await
}

/// CMP-03: notes the 12345 work order a complaint came as. Fails on the unique index
/// `complaint_order_no_key` when the office has a complaint for that order already.
pub async fn set_order_no(
    conn: &mut PgConnection,
    id: Uuid,
    order_no: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update complaint set order_no = $2 where id = $1",
        id,
        order_no
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A complaint as the APIs show it: nothing about staff, notes or the complainant.
#[derive(Debug, Clone)]
pub struct ApiRow {
    pub id: Uuid,
    pub number: String,
    pub order_no: Option<String>,
    pub status: String,
    pub track: String,
    pub category: String,
    pub matter: String,
    pub received_at: DateTime<Utc>,
    pub signed_at: Option<DateTime<Utc>>,
    pub unit_code: String,
    pub unit_name: String,
    /// the latest step of its timeline
    pub updated_at: DateTime<Utc>,
    /// the latest words of its public timeline meant for the complainant
    pub reply: Option<String>,
}

/// The complaint that came as the work order `order_no`, if the office has one.
pub async fn by_order_no(
    conn: &mut PgConnection,
    order_no: &str,
) -> Result<Option<ApiRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiRow,
        r#"select c.id, c.number, c.order_no, c.status, c.track, c.category, c.matter,
                  c.received_at, c.signed_at, u.code as unit_code, u.name as unit_name,
                  coalesce(s.updated_at, c.received_at) as "updated_at!", s.reply
             from complaint c
             join unit u on u.tenant_id = c.tenant_id and u.id = c.unit_id
             cross join lateral (
                 select max(e.at) as updated_at,
                        (select p.public_text from complaint_event p
                          where p.complaint_id = c.id and p.public and p.public_text <> ''
                          order by p.at desc, p.id desc limit 1) as reply
                   from complaint_event e where e.complaint_id = c.id) s
            where c.order_no = $1"#,
        order_no
    )
    .fetch_optional(conn)
    .await
}

/// What a list of complaints is filtered by; `None` filters nothing.
#[derive(Debug, Clone, Default)]
pub struct ApiFilter {
    pub ids: Option<Vec<Uuid>>,
    pub categories: Option<Vec<String>>,
    pub statuses: Option<Vec<String>>,
    /// received at or after
    pub from: Option<DateTime<Utc>>,
    /// received at or before
    pub until: Option<DateTime<Utc>>,
}

/// The complaints that match, newest first, at most `limit`.
pub async fn list(
    conn: &mut PgConnection,
    filter: &ApiFilter,
    limit: i64,
) -> Result<Vec<ApiRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiRow,
        r#"select c.id, c.number, c.order_no, c.status, c.track, c.category, c.matter,
                  c.received_at, c.signed_at, u.code as unit_code, u.name as unit_name,
                  coalesce(s.updated_at, c.received_at) as "updated_at!", s.reply
             from complaint c
             join unit u on u.tenant_id = c.tenant_id and u.id = c.unit_id
             cross join lateral (
                 select max(e.at) as updated_at,
                        (select p.public_text from complaint_event p
                          where p.complaint_id = c.id and p.public and p.public_text <> ''
                          order by p.at desc, p.id desc limit 1) as reply
                   from complaint_event e where e.complaint_id = c.id) s
            where ($1::uuid[] is null or c.id = any($1))
              and ($2::text[] is null or c.category = any($2))
              and ($3::text[] is null or c.status = any($3))
              and ($4::timestamptz is null or c.received_at >= $4)
              and ($5::timestamptz is null or c.received_at <= $5)
            order by c.received_at desc, c.id desc
            limit $6"#,
        filter.ids.as_deref(),
        filter.categories.as_deref(),
        filter.statuses.as_deref(),
        filter.from,
        filter.until,
        limit
    )
    .fetch_all(conn)
    .await
}
