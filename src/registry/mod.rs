//! The registry: what an office is made of. Creating an office (the tenant) here; in its
//! sub-areas, the users of the office (`users`), assessment years and their deduction catalogs
//! (`years`, INS-01, INS-15), units and their staff (`units`, INS-01), supervisors, their
//! certificates and groups (`supervisors`, INS-02, INS-08), and the office's settings
//! (`settings`).

pub mod settings;
pub mod supervisors;
pub mod units;
pub mod users;
pub mod years;

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::core::{Office, OfficeCode};

#[derive(Debug, thiserror::Error)]
pub enum CreateOfficeError {
    #[error("{0}")]
    Invalid(&'static str),
    #[error("an office with code {0} exists already")]
    Taken(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates an office (the platform operator's `xiaoneng tenant create`) and opens its audit chain.
pub async fn create_office(
    pool: &PgPool,
    code: &str,
    name: &str,
    is_demo: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Office, CreateOfficeError> {
    let code = OfficeCode::parse(code).map_err(CreateOfficeError::Invalid)?;
    let name = users::model::parse_display_name(name).map_err(CreateOfficeError::Invalid)?;
    let office = Office {
        id: Uuid::now_v7(),
        code: code.as_str().into(),
        short_name: String::new(),
        time_zone: "Asia/Shanghai".into(),
        name,
        is_demo,
    };
    // The office and the first link of its audit chain commit together.
    let mut tx = pool.begin().await?;
    if !crate::db::offices::insert_office(&mut tx, &office).await? {
        return Err(CreateOfficeError::Taken(office.code));
    }
    crate::db::enter_tenant(&mut tx, office.id).await?;
    // CAL-1: every office starts with the official calendars.
    crate::calendar::ensure_shipped(&mut tx, office.id).await?;
    settings::db::insert_office_settings(&mut tx, office.id).await?;
    let detail = json!({ "code": office.code, "name": office.name });
    let event = Event::new("office.create", ("office", office.id), detail);
    audit::record(&mut tx, office.id, &Actor::system("cli", now), event).await?;
    tx.commit().await?;
    Ok(office)
}
