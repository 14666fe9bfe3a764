//! Every SQL statement of units and their staff (INS-01): the registry of units, each year's
//! assessment list, staff of every employment kind, import and export.

use sqlx::PgConnection;
use uuid::Uuid;

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

/// A unit as the list shows it.
pub struct UnitListRow {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub category: String,
    pub phone: String,
    pub staff: i64,
}

/// What the units list is narrowed and sorted by.
#[derive(Debug, Clone, Copy)]
pub struct UnitQuery<'a> {
    /// part of the code or the name
    pub search: Option<&'a str>,
    pub category: Option<&'a str>,
    /// `code`, `name` or `category`
    pub sort: &'a str,
}

/// One page of the units `query` matches, each with its serving staff (kept on the unit) and
/// whether it is on the open year's list, and how many match in all: counted apart only when the
/// page is full (a shorter page is the last).
pub async fn list_units_page(
    conn: &mut PgConnection,
    query: UnitQuery<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<UnitListRow>, i64), sqlx::Error> {
    let pattern = query.search.map(crate::db::like_pattern);
    let rows = sqlx::query_as!(
        UnitListRow,
        r#"select u.id, u.code, u.name, u.category, u.phone, u.serving_staff::bigint as "staff!"
              from unit u
             where ($1::text is null or u.code ilike $1 or u.name ilike $1)
               and ($2::text is null or u.category = $2)
             order by case when $3 = 'name' then u.name end,
                      case when $3 = 'category' then u.category end,
                      u.code
             limit $4 offset $5"#,
        pattern,
        query.category,
        query.sort,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let shown = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let total = if (1..limit).contains(&shown) || (shown == 0 && offset == 0) {
        offset + shown
    } else {
        count_units(conn, pattern.as_deref(), query.category).await?
    };
    Ok((rows, total))
}

async fn count_units(
    conn: &mut PgConnection,
    pattern: Option<&str>,
    category: Option<&str>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from unit u
            where ($1::text is null or u.code ilike $1 or u.name ilike $1)
              and ($2::text is null or u.category = $2)"#,
        pattern,
        category
    )
    .fetch_one(conn)
    .await
}

/// The office's unit categories (for the filter), its open year and the units assessed in it.
#[derive(Debug, Clone)]
pub struct ListFrame {
    pub categories: Vec<String>,
    pub year: Option<i32>,
    pub listed: std::collections::HashSet<Uuid>,
}

pub async fn list_frame(conn: &mut PgConnection) -> Result<ListFrame, sqlx::Error> {
    let row = sqlx::query!(
        r#"with open_year as (select id, year from assessment_year where status = 'open'
                               order by year desc limit 1)
           select array(select distinct category from unit where category <> '' order by category)
                    as "categories!",
                  (select year from open_year) as "year",
                  array(select a.unit_id from assessment_unit a
                         where a.assessment_year_id = (select id from open_year)) as "listed!""#
    )
    .fetch_one(conn)
    .await?;
    Ok(ListFrame {
        categories: row.categories,
        year: row.year,
        listed: row.listed.into_iter().collect(),
    })
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
    unit: &super::model::UnitInput,
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
    unit: &super::model::UnitInput,
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
    units: &[super::model::UnitInput],
    columns: [bool; 3],
) -> Result<(i64, i64), sqlx::Error> {
    let ids: Vec<Uuid> = units.iter().map(|_| Uuid::now_v7()).collect();
    let column = |f: fn(&super::model::UnitInput) -> &String| -> Vec<String> {
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
    staff: &super::model::StaffInput,
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
    staff: &[super::model::StaffInput],
) -> Result<(i64, i64), sqlx::Error> {
    let ids: Vec<Uuid> = staff.iter().map(|_| Uuid::now_v7()).collect();
    let column = |f: fn(&super::model::StaffInput) -> &String| -> Vec<String> {
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
