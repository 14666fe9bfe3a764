//! Assessment years and their deduction catalogs (INS-01, INS-15): opening a year copies the
//! previous year's assessment list and catalog, or starts from the default catalog; a closed year
//! is read-only.

pub mod catalog;
pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use catalog::DEFAULT_CATALOG;
use model::ItemFields;

#[derive(Debug, thiserror::Error)]
pub enum OpenYearError {
    #[error("the office has opened {0} already")]
    Exists(i32),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Opens `year` for the office. INS-15: a first year starts from the default catalog; a later one
/// copies the items in use and the assessment list (INS-01) of the latest earlier year.
pub async fn open_year(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    year: i32,
) -> Result<Uuid, OpenYearError> {
    let previous = db::previous_year_id(conn, year).await?;
    let Some(id) = db::insert_year(conn, tenant_id, year).await? else {
        return Err(OpenYearError::Exists(year));
    };
    let (items, units) = match previous {
        Some(from) => {
            let items = db::list_items(conn, from).await?;
            let mut copied = 0;
            for (position, item) in items
                .into_iter()
                .filter(|i| i.retired_at.is_none())
                .enumerate()
            {
                let fields = ItemFields {
                    code: item.code,
                    title: item.title,
                    for_open: item.for_open,
                    for_covert: item.for_covert,
                    for_system: item.for_system,
                    points_min: item.points_min,
                    points_max: item.points_max,
                    rule_id: item.rule_id,
                    costs_excellence: item.costs_excellence,
                };
                db::insert_item(conn, tenant_id, id, &fields, Some(position as i32 + 1)).await?;
                copied += 1;
            }
            (
                copied,
                db::copy_assessment_units(conn, tenant_id, from, id).await?,
            )
        }
        None => {
            for (position, item) in DEFAULT_CATALOG.iter().enumerate() {
                let fields = ItemFields {
                    code: item.code.into(),
                    title: item.title.into(),
                    for_open: item.kinds.open,
                    for_covert: item.kinds.covert,
                    for_system: item.kinds.system,
                    points_min: item.points_min(),
                    points_max: item.points_max(),
                    rule_id: item.rule_id.into(),
                    costs_excellence: item.costs_excellence,
                };
                db::insert_item(conn, tenant_id, id, &fields, Some(position as i32 + 1)).await?;
            }
            (DEFAULT_CATALOG.len() as u64, 0)
        }
    };
    let detail =
        json!({ "year": year, "items": items, "units": units, "copied": previous.is_some() });
    let event = Event::new("year.open", ("assessment_year", id), detail);
    audit::record(conn, tenant_id, actor, event).await?;
    Ok(id)
}
