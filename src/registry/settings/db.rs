//! Every SQL statement of the office's settings.

use sqlx::PgConnection;
use uuid::Uuid;

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
pub async fn get_settings(conn: &mut PgConnection) -> Result<super::model::Settings, sqlx::Error> {
    let row = sqlx::query!(
        "select o.name, o.short_name, o.time_zone, s.complaint_number_format, s.notice_number_format,
                s.rectification_working_days, s.self_report_due_working_days, s.excellence_min_score,
                s.excellence_max_share_percent, s.complaint_hotline, s.office_phone, s.address,
                s.email, s.visiting_hours
           from office_settings s join office o on o.id = s.tenant_id"
    )
    .fetch_one(conn)
    .await?;
    Ok(super::model::Settings {
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
    s: &super::model::ValidSettings,
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

/// INS-04: working days after a quarter's end within which the self-report is due.
pub async fn self_report_due_days(conn: &mut PgConnection) -> Result<u32, sqlx::Error> {
    let days = sqlx::query_scalar!("select self_report_due_working_days from office_settings")
        .fetch_one(conn)
        .await?;
    Ok(days.max(1) as u32)
}
