//! The demo office's users who act in its story, signed in through the login page, and what they
//! do that more than one step needs: planning a visit, filling in the channels, a photo.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::pictures::hall_photo;
use super::visitor::{Upload, Visitor};
use super::world::World;

/// The demo office's users who act in the story, by role, signed in.
pub(super) struct Cast {
    pub(super) admin: Visitor,
    pub(super) staff: Visitor,
    pub(super) supervisor: Visitor,
    /// each unit's liaison, by unit code
    pub(super) liaisons: HashMap<String, Visitor>,
    /// someone on the public complaint form, not logged in
    pub(super) citizen: Visitor,
}

/// A photo taken on site, as a phone names it.
pub(super) fn photo(what: &str, seed: u32) -> Upload {
    Upload {
        name: format!("IMG_{}_{what}.jpg", 4100 + seed),
        media_type: "image/jpeg",
        bytes: hall_photo(seed),
    }
}

pub(super) fn liaison_of<'c>(cast: &'c mut Cast, unit: &str) -> anyhow::Result<&'c mut Visitor> {
    cast.liaisons
        .get_mut(unit)
        .with_context(|| format!("the liaison of {unit}"))
}

/// The office staff plan an open inspection of `unit` on `day` for the first group (INS-03).
pub(super) async fn plan_task(
    world: &World,
    cast: &mut Cast,
    pool: &PgPool,
    unit: &str,
    day: NaiveDate,
    focus: &str,
) -> anyhow::Result<Uuid> {
    let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
    let unit_row = crate::registry::units::db::find_unit_by_code(&mut tx, unit)
        .await?
        .with_context(|| format!("the unit {unit}"))?;
    let group = crate::registry::supervisors::db::list_groups(&mut tx)
        .await?
        .into_iter()
        .find(|g| g.name == super::FIRST_GROUP)
        .context("the first group")?;
    tx.rollback().await?;
    let (unit_id, group_id, on) = (
        unit_row.id.to_string(),
        group.id.to_string(),
        day.to_string(),
    );
    cast.staff
        .post(
            &format!("/years/{}/tasks", world.year),
            &[
                ("unit_id", unit_id.as_str()),
                ("group_id", group_id.as_str()),
                ("kind", "open"),
                ("focus", focus),
                ("scheduled_on", on.as_str()),
            ],
        )
        .await?;
    let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
    let task = crate::inspections::db::year_tasks(&mut tx, world.year_id)
        .await?
        .into_iter()
        .find(|t| t.unit_name == unit_row.name && t.scheduled_on == day)
        .context("the planned task")?;
    tx.rollback().await?;
    Ok(task.id)
}

/// The office's public channels, filled in by the administrator (the settings page).
pub(super) async fn channels(world: &World, cast: &mut Cast, pool: &PgPool) -> anyhow::Result<()> {
    let mut tx = crate::db::begin_tenant(pool, world.office_id).await?;
    let s = crate::registry::settings::db::get_settings(&mut tx).await?;
    tx.rollback().await?;
    cast.admin
        .post(
            "/settings",
            &[
                ("name", s.name.as_str()),
                ("short_name", s.short_name.as_str()),
                ("time_zone", s.time_zone.as_str()),
                (
                    "complaint_number_format",
                    s.complaint_number_format.as_str(),
                ),
                ("notice_number_format", s.notice_number_format.as_str()),
                (
                    "rectification_working_days",
                    s.rectification_working_days.as_str(),
                ),
                (
                    "self_report_due_working_days",
                    s.self_report_due_working_days.as_str(),
                ),
                ("excellence_min_score", s.excellence_min_score.as_str()),
                (
                    "excellence_max_share_percent",
                    s.excellence_max_share_percent.as_str(),
                ),
                ("complaint_hotline", "0563-12345"),
                ("office_phone", "0563-3022110"),
                ("address", "示范市行政中心3号楼405室（市直效能办）"),
                ("email", "xiaoneng@demo.example.gov.cn"),
                ("visiting_hours", "工作日 上午8:30—12:00，下午2:30—5:30"),
            ],
        )
        .await?;
    Ok(())
}

/// Signs in the demo's users: the four of `logins` who act, and a liaison for each unit (the
/// first unit's is the demo's own `liaison`), each created the way the administrator creates one.
pub(super) async fn sign_in(
    router: &axum::Router,
    pool: &PgPool,
    (office_id, now): (Uuid, DateTime<Utc>),
    logins: &[(String, String)],
) -> anyhow::Result<Cast> {
    let code = super::DEMO_CODE;
    let password_of = |username: &str| {
        logins
            .iter()
            .find(|l| l.0 == username)
            .map(|l| l.1.clone())
            .with_context(|| format!("the password of {username}"))
    };
    let visitor = |username: &'static str| async move {
        Visitor::log_in(router, code, username, &password_of(username)?).await
    };
    let (admin, staff, supervisor) = (
        visitor("admin").await?,
        visitor("staff").await?,
        visitor("supervisor").await?,
    );
    let mut liaisons = HashMap::new();
    liaisons.insert(super::UNITS[0].0.to_string(), visitor("liaison").await?);
    let actor = crate::audit::Actor::system("demo", now);
    let mut made = Vec::new();
    let mut tx = crate::db::begin_tenant(pool, office_id).await?;
    for (n, (unit_code, ..)) in super::UNITS.iter().enumerate().skip(1) {
        let Some(unit) = crate::registry::units::db::find_unit_by_code(&mut tx, unit_code).await?
        else {
            continue;
        };
        let password = crate::auth::password::generate();
        let input = crate::registry::users::model::NewUserInput {
            username: format!("liaison.{unit_code}"),
            display_name: super::demo_staff(n + 1)
                .into_iter()
                .next()
                .map(|s| s.name)
                .unwrap_or_else(|| format!("{unit_code}联络员")),
            role: crate::core::Role::Liaison.as_str().into(),
            unit_id: Some(unit.id),
            password: password.clone(),
        };
        crate::registry::users::create_user(&mut tx, office_id, &actor, &input, false)
            .await
            .map_err(|e| anyhow::anyhow!("creating the liaison of {unit_code}: {e}"))?;
        made.push((unit_code.to_string(), input.username, password));
    }
    tx.commit().await?;
    for (unit_code, username, password) in made {
        let visitor = Visitor::log_in(router, code, &username, &password).await?;
        liaisons.insert(unit_code, visitor);
    }
    Ok(Cast {
        admin,
        staff,
        supervisor,
        liaisons,
        citizen: Visitor::anonymous(router, code),
    })
}
