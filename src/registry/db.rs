//! Every SQL statement of the registry: offices, units and users.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::Office;
use super::model::NewUser;

/// Finds an office by its URL code. The office table is readable before any tenant is chosen.
pub async fn find_office_by_code(pool: &PgPool, code: &str) -> Result<Option<Office>, sqlx::Error> {
    sqlx::query_as!(
        Office,
        "select id, code, name, is_demo from office where code = $1",
        code
    )
    .fetch_optional(pool)
    .await
}

pub async fn list_offices(pool: &PgPool) -> Result<Vec<Office>, sqlx::Error> {
    sqlx::query_as!(
        Office,
        "select id, code, name, is_demo from office order by code"
    )
    .fetch_all(pool)
    .await
}

pub async fn count_offices(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select count(*) as "n!" from office"#)
        .fetch_one(pool)
        .await
}

/// Creates an office (platform operators only: this runs as the configured database user);
/// false when the code is taken.
pub async fn insert_office(conn: &mut PgConnection, office: &Office) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into office (id, code, name, is_demo) values ($1, $2, $3, $4)
         on conflict (code) do nothing",
        office.id,
        office.code,
        office.name,
        office.is_demo
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct UnitRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

pub async fn insert_unit(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    code: &str,
    name: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into unit (tenant_id, id, code, name) values ($1, $2, $3, $4)",
        tenant_id,
        id,
        code,
        name
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn find_unit_by_code(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<UnitRow>, sqlx::Error> {
    sqlx::query_as!(
        UnitRow,
        "select id, code, name from unit where code = $1",
        code
    )
    .fetch_optional(conn)
    .await
}

pub async fn list_units(conn: &mut PgConnection) -> Result<Vec<UnitRow>, sqlx::Error> {
    sqlx::query_as!(UnitRow, "select id, code, name from unit order by code")
        .fetch_all(conn)
        .await
}

pub async fn unit_exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from unit where id = $1) as "e!""#,
        id
    )
    .fetch_one(conn)
    .await
}

/// Inserts a user; `None` when the username is taken (the transaction stays usable).
pub async fn insert_user(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user: &NewUser,
    password_hash: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into app_user (tenant_id, id, username, display_name, role, unit_id, password_hash,
                               must_change_password)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (tenant_id, username) do nothing
         returning id",
        tenant_id,
        Uuid::now_v7(),
        user.username.as_str(),
        user.display_name,
        user.role.as_str(),
        user.unit_id,
        password_hash,
        user.must_change_password
    )
    .fetch_optional(conn)
    .await
}

pub async fn find_user_id(
    conn: &mut PgConnection,
    username: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("select id from app_user where username = $1", username)
        .fetch_optional(conn)
        .await
}

/// A user as lists and detail pages show them.
pub struct UserSummary {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_name: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

/// One page of users matching `search` (username or name) and `role`, with the total count.
pub async fn list_users(
    conn: &mut PgConnection,
    search: Option<&str>,
    role: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserSummary>, i64), sqlx::Error> {
    let pattern = search.map(|s| {
        format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let rows = sqlx::query_as!(
        UserSummary,
        "select u.id, u.username, u.display_name, u.role, n.name as \"unit_name?\", u.disabled_at,
                u.last_login_at, u.must_change_password, u.created_at
           from app_user u left join unit n on n.tenant_id = u.tenant_id and n.id = u.unit_id
          where ($1::text is null or u.username ilike $1 or u.display_name ilike $1)
            and ($2::text is null or u.role = $2)
          order by u.username
          limit $3 offset $4",
        pattern,
        role,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from app_user u
            where ($1::text is null or u.username ilike $1 or u.display_name ilike $1)
              and ($2::text is null or u.role = $2)"#,
        pattern,
        role
    )
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

pub async fn get_user(conn: &mut PgConnection, id: Uuid) -> Result<UserSummary, sqlx::Error> {
    sqlx::query_as!(
        UserSummary,
        "select u.id, u.username, u.display_name, u.role, n.name as \"unit_name?\", u.disabled_at,
                u.last_login_at, u.must_change_password, u.created_at
           from app_user u left join unit n on n.tenant_id = u.tenant_id and n.id = u.unit_id
          where u.id = $1",
        id
    )
    .fetch_one(conn)
    .await
}

/// Disables a user and ends all their sessions at once (their session version moves on).
pub async fn disable_user(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update app_user set disabled_at = now(), session_version = session_version + 1
          where id = $1 and disabled_at is null",
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn enable_user(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update app_user set disabled_at = null where id = $1 and disabled_at is not null",
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Number of users per role, for the administrator's home page.
pub async fn count_users_by_role(
    conn: &mut PgConnection,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select role, count(*) as "n!" from app_user where disabled_at is null group by role"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.role, r.n)).collect())
}

// ---- assessment years (INS-01) and the deduction catalog (INS-15) ----

/// A year as its pages show it.
pub struct YearRow {
    pub id: Uuid,
    pub year: i32,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub units: i64,
    pub items: i64,
}

pub async fn list_years(conn: &mut PgConnection) -> Result<Vec<YearRow>, sqlx::Error> {
    sqlx::query_as!(
        YearRow,
        r#"select y.id, y.year, y.status, y.opened_at, y.closed_at,
                  (select count(*) from assessment_unit a
                    where a.tenant_id = y.tenant_id and a.assessment_year_id = y.id) as "units!",
                  (select count(*) from deduction_item d
                    where d.tenant_id = y.tenant_id and d.assessment_year_id = y.id
                      and d.retired_at is null) as "items!"
             from assessment_year y order by y.year desc"#
    )
    .fetch_all(conn)
    .await
}

pub async fn find_year(conn: &mut PgConnection, year: i32) -> Result<Option<YearRow>, sqlx::Error> {
    sqlx::query_as!(
        YearRow,
        r#"select y.id, y.year, y.status, y.opened_at, y.closed_at,
                  (select count(*) from assessment_unit a
                    where a.tenant_id = y.tenant_id and a.assessment_year_id = y.id) as "units!",
                  (select count(*) from deduction_item d
                    where d.tenant_id = y.tenant_id and d.assessment_year_id = y.id
                      and d.retired_at is null) as "items!"
             from assessment_year y where y.year = $1"#,
        year
    )
    .fetch_optional(conn)
    .await
}

/// The latest year before `year`, the one a new year copies from.
pub async fn previous_year_id(
    conn: &mut PgConnection,
    year: i32,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from assessment_year where year < $1 order by year desc limit 1",
        year
    )
    .fetch_optional(conn)
    .await
}

/// Opens a year; `None` when the office has it already.
pub async fn insert_year(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year: i32,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into assessment_year (tenant_id, id, year) values ($1, $2, $3)
         on conflict (tenant_id, year) do nothing returning id",
        tenant_id,
        Uuid::now_v7(),
        year
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_year_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update assessment_year
            set status = $2, closed_at = case when $2 = 'closed' then now() end
          where id = $1 and status <> $2",
        id,
        status
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Copies one year's assessment list to another.
pub async fn copy_assessment_units(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    from_year: Uuid,
    to_year: Uuid,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "insert into assessment_unit (tenant_id, assessment_year_id, unit_id)
         select tenant_id, $3, unit_id from assessment_unit
          where tenant_id = $1 and assessment_year_id = $2",
        tenant_id,
        from_year,
        to_year
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A catalog item as stored.
pub struct ItemRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub for_open: bool,
    pub for_covert: bool,
    pub for_system: bool,
    pub points_min: rust_decimal::Decimal,
    pub points_max: rust_decimal::Decimal,
    pub rule_id: String,
    pub costs_excellence: bool,
    pub retired_at: Option<DateTime<Utc>>,
}

pub async fn list_items(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as!(
        ItemRow,
        "select id, code, title, for_open, for_covert, for_system, points_min, points_max, rule_id,
                costs_excellence, retired_at
           from deduction_item where assessment_year_id = $1
          order by retired_at is not null, position, code",
        year_id
    )
    .fetch_all(conn)
    .await
}

pub async fn get_item(
    conn: &mut PgConnection,
    year_id: Uuid,
    id: Uuid,
) -> Result<ItemRow, sqlx::Error> {
    sqlx::query_as!(
        ItemRow,
        "select id, code, title, for_open, for_covert, for_system, points_min, points_max, rule_id,
                costs_excellence, retired_at
           from deduction_item where assessment_year_id = $1 and id = $2",
        year_id,
        id
    )
    .fetch_one(conn)
    .await
}

/// Adds an item at `position`, or at the end of the catalog; `None` when the code is taken in
/// that year.
pub async fn insert_item(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    item: &super::model::ItemFields,
    position: Option<i32>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into deduction_item (tenant_id, id, assessment_year_id, code, title, for_open,
                                     for_covert, for_system, points_min, points_max, rule_id,
                                     costs_excellence, position)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 coalesce($13, (select coalesce(max(position), 0) + 1 from deduction_item
                                 where assessment_year_id = $3)))
         on conflict (tenant_id, assessment_year_id, code) do nothing
         returning id",
        tenant_id,
        Uuid::now_v7(),
        year_id,
        item.code,
        item.title,
        item.for_open,
        item.for_covert,
        item.for_system,
        item.points_min,
        item.points_max,
        item.rule_id,
        item.costs_excellence,
        position
    )
    .fetch_optional(conn)
    .await
}

/// Changes an item's fields (the code too, unless another item of the year has it).
pub async fn update_item(
    conn: &mut PgConnection,
    year_id: Uuid,
    id: Uuid,
    item: &super::model::ItemFields,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update deduction_item
            set code = $3, title = $4, for_open = $5, for_covert = $6, for_system = $7,
                points_min = $8, points_max = $9, rule_id = $10, costs_excellence = $11
          where assessment_year_id = $1 and id = $2
            and not exists (select 1 from deduction_item o
                             where o.assessment_year_id = $1 and o.code = $3 and o.id <> $2)",
        year_id,
        id,
        item.code,
        item.title,
        item.for_open,
        item.for_covert,
        item.for_system,
        item.points_min,
        item.points_max,
        item.rule_id,
        item.costs_excellence
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Retires an item: it stays (findings may point at it) but is offered no more.
pub async fn set_item_retired(
    conn: &mut PgConnection,
    year_id: Uuid,
    id: Uuid,
    retired: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update deduction_item set retired_at = case when $3 then now() end
          where assessment_year_id = $1 and id = $2 and (retired_at is not null) <> $3",
        year_id,
        id,
        retired
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
