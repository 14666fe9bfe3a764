//! Every SQL statement of the quarterly self-reports (INS-04).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

/// Files a unit's report for a quarter; `None` when it has one already.
pub async fn insert_self_report(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    year_id: Uuid,
    unit_id: Uuid,
    quarter: i32,
    content: &str,
    submitted_by: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into self_report (tenant_id, id, assessment_year_id, unit_id, quarter, content, submitted_by)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (tenant_id, assessment_year_id, unit_id, quarter) do nothing
         returning id",
        tenant_id,
        Uuid::now_v7(),
        year_id,
        unit_id,
        quarter,
        content,
        submitted_by
    )
    .fetch_optional(conn)
    .await
}

/// The year's reports: (unit id, quarter, submitted at).
pub async fn self_reports(
    conn: &mut PgConnection,
    year_id: Uuid,
) -> Result<Vec<(Uuid, i32, DateTime<Utc>)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select unit_id, quarter, submitted_at from self_report where assessment_year_id = $1",
        year_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.unit_id, r.quarter, r.submitted_at))
        .collect())
}

/// INS-04: the files attached to a unit's self-reports of a year: (quarter, evidence id, name).
pub async fn self_report_attachments(
    conn: &mut PgConnection,
    year_id: Uuid,
    unit_id: Uuid,
) -> Result<Vec<(i32, Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select s.quarter, e.id, e.original_name
           from self_report s join evidence e on e.tenant_id = s.tenant_id and e.self_report_id = s.id
          where s.assessment_year_id = $1 and s.unit_id = $2
          order by s.quarter, e.uploaded_at",
        year_id,
        unit_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.quarter, r.id, r.original_name))
        .collect())
}
