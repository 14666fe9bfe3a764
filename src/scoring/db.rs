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

/// The year's scoring rules, as the office set them for it: the base and floor, and the base of
/// each category that starts elsewhere.
#[tracing::instrument(skip(conn))]
pub async fn score_rules(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<super::model::ScoreRules, sqlx::Error> {
    let row = sqlx::query!(
        "select base_score, score_floor from assessment_year where id = $1",
        year_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let by_category = sqlx::query!(
        "select category, base_score from category_base_score where assessment_year_id = $1",
        year_id
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.category, r.base_score))
    .collect();
    Ok(super::model::ScoreRules {
        base: row.base_score,
        floor: row.score_floor,
        by_category,
    })
}

/// Sets the year's scoring rules: its base and floor, and the categories' own bases (replacing
/// the ones set before). A closed year refuses (the database's triggers).
pub async fn set_score_rules(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    rules: &super::model::ScoreRules,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update assessment_year set base_score = $2, score_floor = $3 where id = $1",
        year_id,
        rules.base,
        rules.floor
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "delete from category_base_score where assessment_year_id = $1",
        year_id
    )
    .execute(&mut *conn)
    .await?;
    let (categories, bases): (Vec<String>, Vec<Decimal>) = rules
        .by_category
        .iter()
        .map(|(c, b)| (c.clone(), *b))
        .unzip();
    sqlx::query!(
        "insert into category_base_score (tenant_id, assessment_year_id, category, base_score)
         select $1, $2, c, b from unnest($3::text[], $4::numeric[]) as t(c, b)",
        tenant_id,
        year_id,
        &categories,
        &bases
    )
    .execute(conn)
    .await?;
    Ok(())
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

/// Every unit on the year's list with its effective deductions summed (kept by the ledger's
/// trigger in `unit_year_tally`: a reversal cancels the deduction it names) and whether a
/// deduction of an item that costs excellence still stands (INS-08, read by item: such items are
/// few). Three index reads, one row a unit.
#[tracing::instrument(skip(conn))]
pub async fn year_tallies(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<super::model::UnitTally>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select u.id, u.code, u.name, u.category,
                  coalesce(t.deducted, 0) as "deducted!", coalesce(l.lost, 0) > 0 as "lost!",
                  w.unit_id is not null as "warning!"
             from assessment_unit a
             join unit u on u.tenant_id = a.tenant_id and u.id = a.unit_id
             left join unit_year_tally t on t.tenant_id = a.tenant_id
                                        and t.assessment_year_id = a.assessment_year_id
                                        and t.unit_id = a.unit_id
             left join (
                 select d.unit_id,
                        sum(case when d.entry_kind = 'deduct' then 1 else -1 end) as lost
                   from deduction_item i
                   join deduction d on d.tenant_id = i.tenant_id and d.deduction_item_id = i.id
                  where i.assessment_year_id = $1 and i.costs_excellence
                  group by d.unit_id
             ) l on l.unit_id = a.unit_id
             left join warning_unit w on w.tenant_id = a.tenant_id
                                     and w.assessment_year_id = a.assessment_year_id
                                     and w.unit_id = a.unit_id
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
            warning: r.warning,
        })
        .collect())
}

/// The office's decision on the year's excellence list, as the page shows who took it.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub id: Uuid,
    pub note: String,
    pub decided_by: String,
    pub decided_at: chrono::DateTime<chrono::Utc>,
}

/// INS-08: the decision in force for the year (the latest), with its choices.
#[tracing::instrument(skip(conn))]
pub async fn latest_decision(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Option<(DecisionRow, super::model::Decision)>, sqlx::Error> {
    let Some(row) = sqlx::query_as!(
        DecisionRow,
        "select d.id, d.note, u.display_name as decided_by, d.decided_at
           from excellence_decision d
           join app_user u on u.tenant_id = d.tenant_id and u.id = d.decided_by
          where d.assessment_year_id = $1
          order by d.decided_at desc, d.id desc
          limit 1",
        year_id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut decision = super::model::Decision::default();
    for choice in sqlx::query!(
        "select unit_id, confirmed, reason from excellence_choice where decision_id = $1",
        row.id
    )
    .fetch_all(conn)
    .await?
    {
        match choice.confirmed {
            true => {
                decision.confirmed.insert(choice.unit_id);
            }
            false => {
                decision.left_out.insert(choice.unit_id, choice.reason);
            }
        }
    }
    Ok(Some((row, decision)))
}

/// Records a decision on the year's excellence list (INS-08); it replaces the one before.
pub async fn insert_decision(
    conn: &mut PgConnection,
    (tenant_id, year_id): (Uuid, Uuid),
    decision: &super::model::Decision,
    note: &str,
    (by, at): (Uuid, chrono::DateTime<chrono::Utc>),
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into excellence_decision (tenant_id, id, assessment_year_id, note, decided_by,
                                          decided_at)
         values ($1, $2, $3, $4, $5, $6)",
        tenant_id,
        id,
        year_id,
        note,
        by,
        at
    )
    .execute(&mut *conn)
    .await?;
    let mut units = Vec::new();
    let mut confirmed = Vec::new();
    let mut reasons = Vec::new();
    for unit in &decision.confirmed {
        units.push(*unit);
        confirmed.push(true);
        reasons.push(String::new());
    }
    for (unit, reason) in &decision.left_out {
        units.push(*unit);
        confirmed.push(false);
        reasons.push(reason.clone());
    }
    sqlx::query!(
        "insert into excellence_choice (tenant_id, decision_id, unit_id, confirmed, reason)
         select $1, $2, u, c, r from unnest($3::uuid[], $4::bool[], $5::text[]) as t(u, c, r)",
        tenant_id,
        id,
        &units,
        &confirmed,
        &reasons
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// A warning unit of the year (SYS-8, accountability rule art. 3), as the pages list it.
#[derive(Debug, Clone)]
pub struct WarningRow {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub reason: String,
    pub basis: String,
    pub designated_by: String,
    pub designated_at: chrono::DateTime<chrono::Utc>,
}

/// The year's warning units, by unit code.
pub async fn warnings(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<WarningRow>, sqlx::Error> {
    sqlx::query_as!(
        WarningRow,
        "select w.unit_id, un.code, un.name, w.reason, w.basis,
                u.display_name as designated_by, w.designated_at
           from warning_unit w
           join unit un on un.tenant_id = w.tenant_id and un.id = w.unit_id
           join app_user u on u.tenant_id = w.tenant_id and u.id = w.designated_by
          where w.assessment_year_id = $1
          order by un.code",
        year_id
    )
    .fetch_all(conn)
    .await
}

/// Whether the unit is on the year's list.
pub async fn listed(
    conn: &mut PgConnection,
    year_id: Uuid,
    unit_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from assessment_unit
                           where assessment_year_id = $1 and unit_id = $2) as "listed!""#,
        year_id,
        unit_id
    )
    .fetch_one(conn)
    .await
}

/// Designates a unit of the year's list a warning unit; `false` when it is one already.
pub async fn designate_warning(
    conn: &mut PgConnection,
    (tenant_id, year_id, unit_id): (Uuid, Uuid, Uuid),
    (reason, basis): (&str, &str),
    (by, at): (Uuid, chrono::DateTime<chrono::Utc>),
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into warning_unit (tenant_id, assessment_year_id, unit_id, reason, basis,
                                   designated_by, designated_at)
         select $1, $2, $3, $4, $5, $6, $7
          where exists (select 1 from assessment_unit
                         where assessment_year_id = $2 and unit_id = $3)
         on conflict do nothing",
        tenant_id,
        year_id,
        unit_id,
        reason,
        basis,
        by,
        at
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws a designation: the removed row (its reason and basis go to the audit log), if any.
pub async fn withdraw_warning(
    conn: &mut PgConnection,
    year_id: Uuid,
    unit_id: Uuid,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "delete from warning_unit where assessment_year_id = $1 and unit_id = $2
         returning reason, basis",
        year_id,
        unit_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.reason, r.basis)))
}

/// A closed year's snapshot, as the pages cite it.
#[derive(Debug, Clone)]
pub struct SnapshotRow {
    pub id: Uuid,
    pub digest: String,
    /// the excellence rules the snapshot was taken under (INS-08)
    pub excellence_min_score: Decimal,
    pub excellence_max_share_percent: i32,
    pub taken_at: chrono::DateTime<chrono::Utc>,
    pub taken_by: String,
}

/// The year's latest snapshot (the one a closed year reports from), if it was ever closed.
#[tracing::instrument(skip(conn))]
pub async fn latest_snapshot(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Option<SnapshotRow>, sqlx::Error> {
    sqlx::query_as!(
        SnapshotRow,
        "select s.id, s.digest, s.excellence_min_score, s.excellence_max_share_percent,
                s.taken_at, u.display_name as taken_by
           from year_snapshot s
           join app_user u on u.tenant_id = s.tenant_id and u.id = s.taken_by
          where s.assessment_year_id = $1
          order by s.taken_at desc, s.id desc
          limit 1",
        year_id
    )
    .fetch_optional(conn)
    .await
}

/// A snapshot's lines, ranked overall (as [`super::model::rank`] returns them).
#[tracing::instrument(skip(conn))]
pub async fn snapshot_lines(
    conn: &mut PgConnection,
    snapshot_id: Uuid,
) -> Result<Vec<super::model::Ranked>, sqlx::Error> {
    let rows = sqlx::query!(
        "select unit_id, code, name, category, base_score, deducted, score, rank_in_category,
                rank_overall, excellence, warning
           from year_snapshot_line
          where snapshot_id = $1
          order by rank_overall, code",
        snapshot_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| super::model::Ranked {
            unit_id: r.unit_id,
            code: r.code,
            name: r.name,
            category: r.category,
            base: r.base_score,
            deducted: r.deducted,
            score: r.score,
            rank_in_category: r.rank_in_category as usize,
            rank_overall: r.rank_overall as usize,
            excellence: super::model::Excellence::parse(&r.excellence),
            warning: r.warning,
        })
        .collect())
}

/// Freezes a year's lines into a new snapshot, sealed with their digest; its id.
pub async fn insert_snapshot(
    conn: &mut PgConnection,
    (tenant_id, year_id): (Uuid, Uuid),
    (rules, excellence): (&super::model::ScoreRules, super::model::ExcellenceRules),
    (lines, digest): (&[super::model::Ranked], &str),
    (by, at): (Uuid, chrono::DateTime<chrono::Utc>),
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into year_snapshot (tenant_id, id, assessment_year_id, base_score, score_floor,
                                    excellence_min_score, excellence_max_share_percent, digest,
                                    taken_by, taken_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        tenant_id,
        id,
        year_id,
        rules.base,
        rules.floor,
        excellence.min_score,
        excellence.max_share_percent as i32,
        digest,
        by,
        at
    )
    .execute(&mut *conn)
    .await?;
    let column = |f: fn(&super::model::Ranked) -> String| lines.iter().map(f).collect::<Vec<_>>();
    let units: Vec<Uuid> = lines.iter().map(|l| l.unit_id).collect();
    let numbers = |f: fn(&super::model::Ranked) -> Decimal| lines.iter().map(f).collect::<Vec<_>>();
    let ranks = |f: fn(&super::model::Ranked) -> usize| {
        lines.iter().map(|l| f(l) as i32).collect::<Vec<_>>()
    };
    let warnings: Vec<bool> = lines.iter().map(|l| l.warning).collect();
    sqlx::query!(
        "insert into year_snapshot_line (tenant_id, snapshot_id, unit_id, code, name, category,
                                         base_score, deducted, score, rank_in_category,
                                         rank_overall, excellence, warning)
         select $1, $2, t.* from unnest($3::uuid[], $4::text[], $5::text[], $6::text[],
                                        $7::numeric[], $8::numeric[], $9::numeric[], $10::int[],
                                        $11::int[], $12::text[], $13::bool[]) as t",
        tenant_id,
        id,
        &units,
        &column(|l| l.code.clone()),
        &column(|l| l.name.clone()),
        &column(|l| l.category.clone()),
        &numbers(|l| l.base),
        &numbers(|l| l.deducted),
        &numbers(|l| l.score),
        &ranks(|l| l.rank_in_category),
        &ranks(|l| l.rank_overall),
        &column(|l| l.excellence.as_str().to_string()),
        &warnings
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Locks the year's row for its close: the year's status (`open` or `closed`), or `None`.
pub async fn lock_year(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "select status from assessment_year where id = $1 for update",
        year_id
    )
    .fetch_optional(conn)
    .await
}

/// Marks the year closed at `at`.
pub async fn mark_closed(
    conn: &mut PgConnection,
    year_id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update assessment_year set status = 'closed', closed_at = $2 where id = $1",
        year_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A deduction behind a unit's score, with its reversal if it was reversed.
#[derive(Debug, Clone)]
pub struct ScoreDeduction {
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub code: String,
    pub title: String,
    pub points: Decimal,
    pub reason: String,
    pub source_type: String,
    pub source_key: String,
    pub reversed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reversal_reason: Option<String>,
}

/// Every deduction of the unit in the year, oldest first, each with its reversal.
#[tracing::instrument(skip(conn))]
pub async fn score_deductions(
    conn: &mut PgConnection,
    year_id: Uuid,
    unit_id: Uuid,
) -> Result<Vec<ScoreDeduction>, sqlx::Error> {
    sqlx::query_as!(
        ScoreDeduction,
        r#"select d.created_at, i.code, i.title, d.points, d.reason, d.source_type, d.source_key,
                  r.created_at as "reversed_at?", r.reason as "reversal_reason?"
             from deduction d
             join deduction_item i on i.tenant_id = d.tenant_id and i.id = d.deduction_item_id
             left join deduction r on r.tenant_id = d.tenant_id and r.reverses_id = d.id
                                  and r.entry_kind = 'reverse'
            where d.assessment_year_id = $1 and d.unit_id = $2 and d.entry_kind = 'deduct'
            order by d.created_at, d.id"#,
        year_id,
        unit_id
    )
    .fetch_all(conn)
    .await
}

/// A unit's code, name and category, if the office has it.
pub async fn unit_heading(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "select code, name, category from unit where id = $1",
        unit_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.code, r.name, r.category)))
}

/// The years whose list holds the unit: (year id, year), oldest first.
pub async fn unit_years(
    conn: &mut PgConnection,
    unit_id: Uuid,
) -> Result<Vec<(Uuid, i32)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select y.id, y.year from assessment_unit a
           join assessment_year y on y.tenant_id = a.tenant_id and y.id = a.assessment_year_id
          where a.unit_id = $1
          order by y.year",
        unit_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.year)).collect())
}

/// The year (its number) of any of these deductions that is closed: their reversal would be
/// refused.
pub async fn closed_year_of(
    conn: &mut PgConnection,
    deduction_ids: &[Uuid],
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "select y.year from deduction d
           join assessment_year y on y.tenant_id = d.tenant_id and y.id = d.assessment_year_id
          where d.id = any($1) and y.status = 'closed'
          limit 1",
        deduction_ids
    )
    .fetch_optional(conn)
    .await
}

/// Whether the year still takes deductions and reversals: it exists and is open.
pub async fn year_open(conn: &mut PgConnection, year_id: Uuid) -> Result<bool, sqlx::Error> {
    let status = sqlx::query_scalar!("select status from assessment_year where id = $1", year_id)
        .fetch_optional(conn)
        .await?;
    Ok(status.as_deref() == Some("open"))
}

/// An assessment year as the results' pages need it.
#[derive(Debug, Clone)]
pub struct YearRef {
    pub id: Uuid,
    pub year: i32,
    pub status: String,
}

/// The office's year of that number, if it opened one.
pub async fn find_year(conn: &mut PgConnection, year: i32) -> Result<Option<YearRef>, sqlx::Error> {
    sqlx::query_as!(
        YearRef,
        "select id, year, status from assessment_year where year = $1",
        year
    )
    .fetch_optional(conn)
    .await
}

/// The office's name, as its documents are headed.
pub async fn office_name(conn: &mut PgConnection) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("select o.name from office_settings s join office o on o.id = s.tenant_id")
        .fetch_one(conn)
        .await
}

/// What of the year still waits and would change its scores (INS-04, INS-11, INS-12): submitted
/// findings, appeals undecided or still possible at `now`, and listed units whose fourth-quarter
/// self-report is neither filed nor deducted (where the year's catalog deducts for it, S01).
pub async fn pending_at_close(
    conn: &mut PgConnection,
    (year_id, year): (Uuid, i32),
    now: chrono::DateTime<chrono::Utc>,
) -> Result<super::model::Pending, sqlx::Error> {
    let row = sqlx::query!(
        r#"select
             (select count(*) from finding f
                join inspection_task t on t.tenant_id = f.tenant_id and t.id = f.task_id
               where t.assessment_year_id = $1 and f.status = 'submitted') as "findings!",
             (select count(*) from rectification_notice n
                left join notice_appeal a on a.tenant_id = n.tenant_id and a.notice_id = n.id
               where n.assessment_year_id = $1
                 and ((a.notice_id is not null and a.decision is null)
                      or (a.notice_id is null and n.status <> 'withdrawn' and n.appeal_until > $2)))
               as "appeals!",
             (select count(*) from assessment_unit u
               where u.assessment_year_id = $1
                 and exists (select 1 from deduction_item i
                              where i.assessment_year_id = $1 and i.code = 'S01'
                                and i.retired_at is null)
                 and not exists (select 1 from self_report r
                                  where r.assessment_year_id = $1 and r.unit_id = u.unit_id
                                    and r.quarter = 4)
                 and not exists (select 1 from deduction d
                                  where d.tenant_id = u.tenant_id and d.source_type = 'self_report'
                                    and d.source_key = $3 || '-Q4-' || u.unit_id::text))
               as "self_reports!""#,
        year_id,
        now,
        year.to_string()
    )
    .fetch_one(conn)
    .await?;
    Ok(super::model::Pending {
        findings: row.findings,
        appeals: row.appeals,
        self_reports: row.self_reports,
    })
}
