//! Every SQL statement of scoring.

use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

/// A deduction to record.
pub struct NewDeduction<'a> {
    pub year_id: Uuid,
    pub unit_id: Uuid,
    pub item_id: Uuid,
    pub points: Decimal,
    pub source_type: &'a str,
    /// Makes the deduction happen once per cause (a unique index refuses a second).
    pub source_key: &'a str,
    pub reason: &'a str,
    /// when it was recorded, by the application's clock
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Records a deduction unless its cause has deducted already; the new entry's id, or `None`.
pub async fn deduct_once(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    d: &NewDeduction<'_>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into deduction (tenant_id, id, assessment_year_id, unit_id, deduction_item_id,
                                entry_kind, points, source_type, source_key, reason, created_at)
         values ($1, $2, $3, $4, $5, 'deduct', $6, $7, $8, $9, $10)
         on conflict (tenant_id, source_type, source_key) where entry_kind = 'deduct' do nothing
         returning id",
        tenant_id,
        Uuid::now_v7(),
        d.year_id,
        d.unit_id,
        d.item_id,
        d.points,
        d.source_type,
        d.source_key,
        d.reason,
        d.at
    )
    .fetch_optional(conn)
    .await
}

/// The deductions in force for a year (not reversed): (unit id, source key, points, reason).
pub async fn effective_deductions(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<(Uuid, String, Decimal, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select d.unit_id, d.source_key, d.points, d.reason from deduction d
          where d.assessment_year_id = $1 and d.entry_kind = 'deduct'
            and not exists (select 1 from deduction r where r.tenant_id = d.tenant_id
                             and r.reverses_id = d.id)
          order by d.created_at",
        year_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.unit_id, r.source_key, r.points, r.reason))
        .collect())
}

/// A deduction as the unit's page lists it.
pub struct UnitDeduction {
    pub year: i32,
    pub code: String,
    pub title: String,
    pub points: Decimal,
    pub reason: String,
    pub source_type: String,
    pub source_key: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub reversed: bool,
}

/// Every deduction of a unit, newest first, with whether it was reversed.
pub async fn unit_deductions(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<UnitDeduction>, sqlx::Error> {
    sqlx::query_as!(
        UnitDeduction,
        r#"select y.year, i.code, i.title, d.points, d.reason, d.source_type, d.source_key,
                  d.created_at,
                  exists (select 1 from deduction r where r.tenant_id = d.tenant_id
                                                      and r.reverses_id = d.id) as "reversed!"
             from deduction d
             join assessment_year y on y.tenant_id = d.tenant_id and y.id = d.assessment_year_id
             join deduction_item i on i.tenant_id = d.tenant_id and i.id = d.deduction_item_id
            where d.unit_id = $1 and d.entry_kind = 'deduct'
            order by d.created_at desc
            limit 500"#,
        unit_id
    )
    .fetch_all(conn)
    .await
}

/// Reverses a deduction with its reason: a new row that cancels it (once; the index refuses a
/// second). Returns the reversal's id.
pub async fn reverse(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    deduction_id: Uuid,
    (reason, at): (&str, chrono::DateTime<chrono::Utc>),
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into deduction (tenant_id, id, assessment_year_id, unit_id, deduction_item_id,
                                entry_kind, points, source_type, source_key, reason, reverses_id,
                                created_at)
         select tenant_id, $2, assessment_year_id, unit_id, deduction_item_id, 'reverse', points,
                source_type, source_key, $3, id, $5
           from deduction where id = $1 and tenant_id = $4 and entry_kind = 'deduct'",
        deduction_id,
        id,
        reason,
        tenant_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// INS-08: the years in which the unit lost its excellence eligibility: a confirmed finding of an
/// item that costs it (X01) whose deduction still stands. A deduction reversed (an upheld appeal
/// withdrew its notice) gives the eligibility back.
pub async fn excellence_lost_years(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "select distinct y.year from finding f
           join deduction_item i on i.tenant_id = f.tenant_id and i.id = f.deduction_item_id
           join assessment_year y on y.tenant_id = i.tenant_id and y.id = i.assessment_year_id
          where f.unit_id = $1 and f.status = 'confirmed' and i.costs_excellence
            and exists (select 1 from deduction d
                         where d.tenant_id = f.tenant_id and d.source_type = 'finding'
                           and d.source_key = f.id::text and d.entry_kind = 'deduct'
                           and not exists (select 1 from deduction r
                                            where r.tenant_id = d.tenant_id and r.reverses_id = d.id))
          order by y.year",
        unit_id
    )
    .fetch_all(conn)
    .await
}

/// The year's scoring rules, as the office set them for it.
#[tracing::instrument(skip(conn))]
pub async fn score_rules(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<super::model::ScoreRules, sqlx::Error> {
    let row = sqlx::query!(
        "select base_score, score_floor from assessment_year where id = $1",
        year_id
    )
    .fetch_one(conn)
    .await?;
    Ok(super::model::ScoreRules {
        base: row.base_score,
        floor: row.score_floor,
    })
}

/// The office's excellence rules (INS-08).
#[tracing::instrument(skip(conn))]
pub async fn excellence_rules(
    conn: &mut PgConnection,
) -> Result<super::model::ExcellenceRules, sqlx::Error> {
    let row = sqlx::query!(
        "select excellence_min_score, excellence_max_share_percent from office_settings"
    )
    .fetch_one(conn)
    .await?;
    Ok(super::model::ExcellenceRules {
        min_score: row.excellence_min_score,
        max_share_percent: row.excellence_max_share_percent.clamp(0, 100) as u32,
    })
}

/// Every unit on the year's list with its effective deductions summed (a reversal cancels the
/// deduction it names: same year, unit and points) and whether a deduction of an item that costs
/// excellence still stands (INS-08). One grouped query over `deduction_year_score_idx`.
#[tracing::instrument(skip(conn))]
pub async fn year_tallies(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<super::model::UnitTally>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.id, u.code, u.name, u.category,
                  coalesce(t.deducted, 0) as "deducted!", coalesce(t.lost, 0) > 0 as "lost!"
             from assessment_unit a
             join unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
             left join (
                 select d.unit_id,
                        sum(case when d.entry_kind = 'deduct' then d.points else -d.points end)
                            as deducted,
                        sum(case when not i.costs_excellence then 0
                                 when d.entry_kind = 'deduct' then 1 else -1 end) as lost
                   from deduction d
                   join deduction_item i on i.tenant_id = d.tenant_id and i.id = d.deduction_item_id
                  where d.assessment_year_id = $1
                  group by d.unit_id
             ) t on t.unit_id = a.unit_id
            where a.assessment_year_id = $1
            order by u.code"#,
        year_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| super::model::UnitTally {
            unit_id: r.id,
            code: r.code,
            name: r.name,
            category: r.category,
            deducted: r.deducted,
            excellence_lost: r.lost,
        })
        .collect())
}
