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
        "select id, code, name, short_name, time_zone, is_demo from office where code = $1",
        code
    )
    .fetch_optional(pool)
    .await
}

pub async fn list_offices(pool: &PgPool) -> Result<Vec<Office>, sqlx::Error> {
    sqlx::query_as!(
        Office,
        "select id, code, name, short_name, time_zone, is_demo from office order by code"
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
    pub unit_id: Option<Uuid>,
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
    let pattern = search.map(like_pattern);
    let rows = sqlx::query_as!(
        UserSummary,
        "select u.id, u.username, u.display_name, u.role, u.unit_id, n.name as \"unit_name?\", u.disabled_at,
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
        "select u.id, u.username, u.display_name, u.role, u.unit_id, n.name as \"unit_name?\", u.disabled_at,
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

// ---- units and staff (INS-01) ----

/// A unit as the list shows it.
pub struct UnitListRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
    pub phone: String,
    pub staff: i64,
    pub listed: bool,
}

/// One page of units matching `search` (code or name) and `category`, sorted by `sort` (`code`,
/// `name` or `category`), with whether each is on the year `year_id`'s list, and the total.
#[allow(clippy::too_many_arguments)]
pub async fn list_units_page(
    conn: &mut PgConnection,
    search: Option<&str>,
    category: Option<&str>,
    sort: &str,
    year_id: Option<Uuid>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UnitListRow>, i64), sqlx::Error> {
    let pattern = search.map(like_pattern);
    let rows = sqlx::query_as!(
        UnitListRow,
        r#"select u.id, u.code, u.name, u.category, u.phone,
                  (select count(*) from staff_member s
                    where s.tenant_id = u.tenant_id and s.unit_id = u.id and s.left_at is null) as "staff!",
                  exists(select 1 from assessment_unit a
                          where a.tenant_id = u.tenant_id and a.unit_id = u.id
                            and a.assessment_year_id = $3) as "listed!"
             from unit u
            where ($1::text is null or u.code ilike $1 or u.name ilike $1)
              and ($2::text is null or u.category = $2)
            order by case when $4 = 'name' then u.name end,
                     case when $4 = 'category' then u.category end,
                     u.code
            limit $5 offset $6"#,
        pattern,
        category,
        year_id,
        sort,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from unit u
            where ($1::text is null or u.code ilike $1 or u.name ilike $1)
              and ($2::text is null or u.category = $2)"#,
        pattern,
        category
    )
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

/// A `%...%` ILIKE pattern that matches `text` literally.
fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

pub async fn list_categories(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!("select distinct category from unit where category <> '' order by category")
        .fetch_all(conn)
        .await
}

/// A unit with all its fields.
pub struct UnitDetail {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
    pub address: String,
    pub phone: String,
    pub leaders: String,
}

pub async fn get_unit(conn: &mut PgConnection, id: Uuid) -> Result<UnitDetail, sqlx::Error> {
    sqlx::query_as!(
        UnitDetail,
        "select id, code, name, category, address, phone, leaders from unit where id = $1",
        id
    )
    .fetch_one(conn)
    .await
}

/// Adds a unit; `None` when its code is taken.
pub async fn insert_unit_fields(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    unit: &super::units::UnitInput,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into unit (tenant_id, id, code, name, category, address, phone, leaders)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (tenant_id, code) do nothing returning id",
        tenant_id,
        Uuid::now_v7(),
        unit.code,
        unit.name,
        unit.category,
        unit.address,
        unit.phone,
        unit.leaders
    )
    .fetch_optional(conn)
    .await
}

/// Changes a unit; false when another unit has the new code.
pub async fn update_unit(
    conn: &mut PgConnection,
    id: Uuid,
    unit: &super::units::UnitInput,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update unit set code = $2, name = $3, category = $4, address = $5, phone = $6, leaders = $7,
                         updated_at = now()
          where id = $1 and not exists (select 1 from unit o where o.code = $2 and o.id <> $1)",
        id,
        unit.code,
        unit.name,
        unit.category,
        unit.address,
        unit.phone,
        unit.leaders
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Imports units in one statement: new codes are added, known codes updated. Returns how many of
/// each.
/// `columns` says which of address, phone and leaders the file brought; the others keep their
/// stored values.
pub async fn upsert_units(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    units: &[super::units::UnitInput],
    columns: [bool; 3],
) -> Result<(i64, i64), sqlx::Error> {
    let ids: Vec<Uuid> = units.iter().map(|_| Uuid::now_v7()).collect();
    let column = |f: fn(&super::units::UnitInput) -> &String| -> Vec<String> {
        units.iter().map(|u| f(u).clone()).collect()
    };
    let row = sqlx::query!(
        r#"with upserted as (
             insert into unit (tenant_id, id, code, name, category, address, phone, leaders)
             select $1, * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                                      $7::text[], $8::text[])
             on conflict (tenant_id, code) do update
                set name = excluded.name, category = excluded.category,
                    address = case when $9 then excluded.address else unit.address end,
                    phone = case when $10 then excluded.phone else unit.phone end,
                    leaders = case when $11 then excluded.leaders else unit.leaders end,
                    updated_at = now()
             returning (xmax = 0) as inserted)
           select count(*) filter (where inserted) as "inserted!",
                  count(*) filter (where not inserted) as "updated!"
             from upserted"#,
        tenant_id,
        &ids,
        &column(|u| &u.code),
        &column(|u| &u.name),
        &column(|u| &u.category),
        &column(|u| &u.address),
        &column(|u| &u.phone),
        &column(|u| &u.leaders),
        columns[0],
        columns[1],
        columns[2]
    )
    .fetch_one(conn)
    .await?;
    Ok((row.inserted, row.updated))
}

/// Every unit with all its fields, for export.
pub async fn all_units(conn: &mut PgConnection) -> Result<Vec<UnitDetail>, sqlx::Error> {
    sqlx::query_as!(
        UnitDetail,
        "select id, code, name, category, address, phone, leaders from unit order by code"
    )
    .fetch_all(conn)
    .await
}

/// Puts a unit on a year's assessment list, or takes it off.
pub async fn set_listed(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    unit_id: Uuid,
    listed: bool,
) -> Result<bool, sqlx::Error> {
    let done = if listed {
        sqlx::query!(
            "insert into assessment_unit (tenant_id, assessment_year_id, unit_id) values ($1, $2, $3)
             on conflict do nothing",
            tenant_id,
            year_id,
            unit_id
        )
        .execute(conn)
        .await?
    } else {
        sqlx::query!(
            "delete from assessment_unit where assessment_year_id = $1 and unit_id = $2",
            year_id,
            unit_id
        )
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// Puts every given unit on a year's list (after an import).
pub async fn list_all(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    codes: &[String],
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "insert into assessment_unit (tenant_id, assessment_year_id, unit_id)
         select $1, $2, id from unit where code = any($3)
         on conflict do nothing",
        tenant_id,
        year_id,
        codes
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The newest open year, whose list the unit pages manage.
pub async fn current_open_year(
    conn: &mut PgConnection,
) -> Result<Option<(Uuid, i32)>, sqlx::Error> {
    let row = sqlx::query!(
        "select id, year from assessment_year where status = 'open' order by year desc limit 1"
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.year)))
}

pub struct StaffRow {
    pub id: Uuid,
    pub name: String,
    pub post: String,
    pub employment: String,
    pub phone: String,
    pub left_at: Option<chrono::NaiveDate>,
}

pub async fn list_staff(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<StaffRow>, sqlx::Error> {
    sqlx::query_as!(
        StaffRow,
        "select id, name, post, employment, phone, left_at from staff_member
          where unit_id = $1 order by left_at is not null, name",
        unit_id
    )
    .fetch_all(conn)
    .await
}

pub async fn insert_staff(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    unit_id: Uuid,
    staff: &super::units::StaffInput,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into staff_member (tenant_id, id, unit_id, name, post, employment, phone)
         values ($1, $2, $3, $4, $5, $6, $7)",
        tenant_id,
        id,
        unit_id,
        staff.name,
        staff.post,
        staff.employment,
        staff.phone
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Imports staff: a person already with the unit under the same name is updated (so importing an
/// export again changes nothing), anyone else is added. `unit_ids` runs parallel to `staff`.
/// Returns (added, updated).
pub async fn import_staff(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    unit_ids: &[Uuid],
    staff: &[super::units::StaffInput],
) -> Result<(i64, i64), sqlx::Error> {
    let ids: Vec<Uuid> = staff.iter().map(|_| Uuid::now_v7()).collect();
    let column = |f: fn(&super::units::StaffInput) -> &String| -> Vec<String> {
        staff.iter().map(|s| f(s).clone()).collect()
    };
    let row = sqlx::query!(
        r#"with incoming as (
             select * from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
               as t(id, unit_id, name, post, employment, phone)),
           updated as (
             update staff_member s
                set post = i.post, employment = i.employment, phone = i.phone
               from incoming i
              where s.unit_id = i.unit_id and s.name = i.name and s.left_at is null
             returning s.unit_id, s.name),
           added as (
             insert into staff_member (tenant_id, id, unit_id, name, post, employment, phone)
             select $1, i.id, i.unit_id, i.name, i.post, i.employment, i.phone from incoming i
              where not exists (select 1 from staff_member s
                                 where s.unit_id = i.unit_id and s.name = i.name and s.left_at is null)
             returning id)
           select (select count(*) from added) as "added!", (select count(*) from updated) as "updated!""#,
        tenant_id,
        &ids,
        unit_ids,
        &column(|s| &s.name),
        &column(|s| &s.post),
        &column(|s| &s.employment),
        &column(|s| &s.phone)
    )
    .fetch_one(conn)
    .await?;
    Ok((row.added, row.updated))
}

/// Marks a staff member of `unit_id` as gone (or back).
pub async fn set_staff_left(
    conn: &mut PgConnection,
    unit_id: Uuid,
    id: Uuid,
    left: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update staff_member set left_at = case when $3 then current_date end
          where unit_id = $1 and id = $2 and (left_at is not null) <> $3",
        unit_id,
        id,
        left
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every current staff member with their unit's code, for export.
pub struct StaffExportRow {
    pub unit_code: String,
    pub name: String,
    pub post: String,
    pub employment: String,
    pub phone: String,
}

pub async fn all_staff(conn: &mut PgConnection) -> Result<Vec<StaffExportRow>, sqlx::Error> {
    sqlx::query_as!(
        StaffExportRow,
        "select u.code as unit_code, s.name, s.post, s.employment, s.phone
           from staff_member s join unit u on u.tenant_id = s.tenant_id and u.id = s.unit_id
          where s.left_at is null order by u.code, s.name"
    )
    .fetch_all(conn)
    .await
}

/// Unit ids by code, for resolving an imported staff file.
pub async fn unit_ids_by_code(conn: &mut PgConnection) -> Result<Vec<(String, Uuid)>, sqlx::Error> {
    let rows = sqlx::query!("select code, id from unit")
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.id)).collect())
}

/// The liaisons of a unit (their display names).
pub async fn unit_liaisons(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "select display_name from app_user where unit_id = $1 and disabled_at is null order by display_name",
        unit_id
    )
    .fetch_all(conn)
    .await
}

// ---- supervisors, certificates and groups (INS-02, INS-08) ----

pub async fn insert_supervisor(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    input: &super::supervisors::RecommendationInput,
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
    pub username: Option<String>,
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
                  u.username as "username?", s.recommended_at
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
                  u.username as "username?", s.recommended_at
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
#[allow(clippy::too_many_arguments)]
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
) -> Result<Vec<super::supervisors::Member>, sqlx::Error> {
    sqlx::query_as!(
        super::supervisors::Member,
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

// ---- office settings ----

pub async fn insert_office_settings(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into office_settings (tenant_id) values ($1) on conflict do nothing",
        tenant_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The office's settings, as the settings form shows them.
pub async fn get_settings(
    conn: &mut PgConnection,
) -> Result<super::settings::Settings, sqlx::Error> {
    let row = sqlx::query!(
        "select o.name, o.short_name, o.time_zone, s.complaint_number_format, s.notice_number_format,
                s.rectification_working_days, s.self_report_due_working_days, s.excellence_min_score,
                s.excellence_max_share_percent, s.complaint_hotline, s.office_phone, s.address,
                s.email, s.visiting_hours
           from office_settings s join office o on o.id = s.tenant_id"
    )
    .fetch_one(conn)
    .await?;
    Ok(super::settings::Settings {
        name: row.name,
        short_name: row.short_name,
        time_zone: row.time_zone,
        complaint_number_format: row.complaint_number_format,
        notice_number_format: row.notice_number_format,
        rectification_working_days: row.rectification_working_days.to_string(),
        self_report_due_working_days: row.self_report_due_working_days.to_string(),
        excellence_min_score: row.excellence_min_score.normalize().to_string(),
        excellence_max_share_percent: row.excellence_max_share_percent.to_string(),
        complaint_hotline: row.complaint_hotline,
        office_phone: row.office_phone,
        address: row.address,
        email: row.email,
        visiting_hours: row.visiting_hours,
    })
}

pub async fn update_settings(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    s: &super::settings::ValidSettings,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update office set name = $2, short_name = $3, time_zone = $4 where id = $1",
        tenant_id,
        s.name,
        s.short_name,
        s.time_zone
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update office_settings
            set complaint_number_format = $2, notice_number_format = $3,
                rectification_working_days = $4, self_report_due_working_days = $5,
                excellence_min_score = $6, excellence_max_share_percent = $7,
                complaint_hotline = $8, office_phone = $9, address = $10, email = $11,
                visiting_hours = $12, updated_at = now()
          where tenant_id = $1",
        tenant_id,
        s.complaint_number_format,
        s.notice_number_format,
        s.rectification_working_days,
        s.self_report_due_working_days,
        s.excellence_min_score,
        s.excellence_max_share_percent,
        s.complaint_hotline,
        s.office_phone,
        s.address,
        s.email,
        s.visiting_hours
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the unit is on the year's assessment list.
pub async fn is_listed(
    conn: &mut PgConnection,
    year_id: Uuid,
    unit_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from assessment_unit where assessment_year_id = $1 and unit_id = $2) as "e!""#,
        year_id,
        unit_id
    )
    .fetch_one(conn)
    .await
}

/// Moves a liaison to another unit of the office; false for any other role.
pub async fn set_liaison_unit(
    conn: &mut PgConnection,
    id: Uuid,
    unit_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update app_user set unit_id = $2 where id = $1 and role = 'liaison' and unit_id <> $2",
        id,
        unit_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
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

/// INS-04: working days after a quarter's end within which the self-report is due.
pub async fn self_report_due_days(conn: &mut PgConnection) -> Result<u32, sqlx::Error> {
    let days = sqlx::query_scalar!("select self_report_due_working_days from office_settings")
        .fetch_one(conn)
        .await?;
    Ok(days.max(1) as u32)
}
