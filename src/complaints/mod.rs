//! Complaints (效能投诉处理暂行办法), part 1: every way a complaint comes in (CMP-02, CMP-03), the
//! suggestion track (CMP-05), the office's acceptance with similar complaints in view (CMP-13), and
//! routing to a unit: assign, sign, transfer, urge (CMP-08), and return out of remit (CMP-11).

pub mod api;
pub mod db;
pub mod handlers;
pub mod model;
pub mod notify;
pub mod public;
pub mod receipt;
pub mod slip;
pub mod views;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use model::ComplaintFields;

/// Why a complaint could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// no assessment year is open: no unit list to complain about
    #[error("no open assessment year")]
    NoYear,
    /// CMP-02: the unit is not on the open year's list
    #[error("the unit is not on the year's list")]
    UnitNotListed,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records a complaint (CMP-02, CMP-03): numbered from the office's counter, on the open year's
/// list, with the first step of its timeline and an entry in the audit log. Returns its id and
/// number.
pub async fn log_complaint(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    fields: &ComplaintFields,
    (received_at, logged_by): (DateTime<Utc>, Option<Uuid>),
    tracking_hash: Option<&str>,
    actor: &Actor,
) -> Result<(Uuid, String), LogError> {
    let (year_id, year, listed) = db::open_year_listing(conn, fields.unit_id)
        .await?
        .ok_or(LogError::NoYear)?;
    if !listed {
        return Err(LogError::UnitNotListed);
    }
    let format = db::number_format(conn).await?;
    let seq = crate::db::numbers::next_number(conn, tenant_id, "complaint", year).await?;
    let number = model::format_number(&format, year, seq);
    let id = Uuid::now_v7();
    let new = db::NewComplaint {
        id,
        year_id,
        number: &number,
        fields,
        received_at,
        logged_by,
        tracking_hash,
        at: actor.at,
    };
    db::insert_complaint(conn, tenant_id, &new).await?;
    let first = db::NewEvent {
        complaint_id: id,
        action: "complaint.receive",
        actor: logged_by,
        unit: None,
        note: "",
        public_text: Some(""),
        at: received_at,
    };
    db::insert_event(conn, tenant_id, &first).await?;
    let detail = json!({
        "number": number,
        "channel": fields.channel.as_str(),
        "track": fields.track().as_str(),
        "unit_id": fields.unit_id,
    });
    let event = Event::new("complaint.receive", ("complaint", id), detail);
    audit::record(conn, tenant_id, actor, event).await?;
    Ok((id, number))
}
