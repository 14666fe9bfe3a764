//! Every SQL statement of the working-day calendar.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::YearCalendar;

/// Stores a whole year (its row and its exception days); false when the office has the year.
pub async fn insert_year(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year: &YearCalendar,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "insert into calendar_year (tenant_id, year, source) values ($1, $2, $3)
         on conflict (tenant_id, year) do nothing",
        tenant_id,
        year.year,
        year.source
    )
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    let days: Vec<NaiveDate> = year
        .holidays
        .iter()
        .chain(year.make_up_workdays.iter())
        .copied()
        .collect();
    let kinds: Vec<String> = year
        .holidays
        .iter()
        .map(|_| "holiday".to_string())
        .chain(
            year.make_up_workdays
                .iter()
                .map(|_| "make_up_workday".to_string()),
        )
        .collect();
    sqlx::query!(
        "insert into calendar_day (tenant_id, day, kind)
         select $1, day, kind from unnest($2::date[], $3::text[]) as t(day, kind)",
        tenant_id,
        &days,
        &kinds
    )
    .execute(conn)
    .await?;
    Ok(true)
}

pub struct YearRow {
    pub year: i32,
    pub source: String,
    pub loaded_at: DateTime<Utc>,
    pub holidays: i64,
    pub make_up_workdays: i64,
}

pub async fn list_years(conn: &mut PgConnection) -> Result<Vec<YearRow>, sqlx::Error> {
    sqlx::query_as!(
        YearRow,
        r#"select y.year, y.source, y.loaded_at,
                  count(d.day) filter (where d.kind = 'holiday') as "holidays!",
                  count(d.day) filter (where d.kind = 'make_up_workday') as "make_up_workdays!"
             from calendar_year y
             left join calendar_day d on d.tenant_id = y.tenant_id and d.year = y.year
            group by y.tenant_id, y.year order by y.year"#
    )
    .fetch_all(conn)
    .await
}

pub struct DayRow {
    pub day: NaiveDate,
    pub year: i32,
    pub kind: String,
    pub note: String,
}

pub async fn list_days(conn: &mut PgConnection) -> Result<Vec<DayRow>, sqlx::Error> {
    sqlx::query_as!(
        DayRow,
        "select day, year, kind, note from calendar_day order by day"
    )
    .fetch_all(conn)
    .await
}

pub async fn has_year(conn: &mut PgConnection, year: i32) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from calendar_year where year = $1) as "e!""#,
        year
    )
    .fetch_one(conn)
    .await
}

/// Makes `day` an exception of `kind` (with a note), or an ordinary day when `kind` is `None`.
pub async fn set_day(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    day: NaiveDate,
    kind: Option<&str>,
    note: &str,
) -> Result<(), sqlx::Error> {
    match kind {
        Some(kind) => {
            sqlx::query!(
                "insert into calendar_day (tenant_id, day, kind, note) values ($1, $2, $3, $4)
                 on conflict (tenant_id, day) do update set kind = excluded.kind, note = excluded.note",
                tenant_id,
                day,
                kind,
                note
            )
            .execute(conn)
            .await?;
        }
        None => {
            sqlx::query!("delete from calendar_day where day = $1", day)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}
