//! The registry: offices (tenants), assessment years and their deduction catalogs, units and
//! their staff, and the users of an office.

pub mod catalog;
pub mod db;
pub mod handlers;
pub mod model;
pub mod settings;
pub mod settings_handlers;
pub mod supervisor_handlers;
pub mod supervisors;
pub mod unit_handlers;
pub mod units;
pub mod views;
pub mod years;

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::auth::password;
use model::{FieldErrors, NewUserInput, OfficeCode};

/// An office: one tenant, reached at `/{code}/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub time_zone: String,
    pub is_demo: bool,
}

/// A path inside an office: `office_path("demo", "/users")` is `/demo/users`; its home is `/demo`.
pub fn office_path(code: &str, rel: &str) -> String {
    match rel {
        "" | "/" => format!("/{code}"),
        _ => format!("/{code}{rel}"),
    }
}

impl Office {
    pub fn path(&self, rel: &str) -> String {
        office_path(&self.code, rel)
    }

    /// The office's time zone; an unknown name (settings never store one) reads as Asia/Shanghai.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

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
) -> Result<Office, CreateOfficeError> {
    let code = OfficeCode::parse(code).map_err(CreateOfficeError::Invalid)?;
    let name = model::parse_display_name(name).map_err(CreateOfficeError::Invalid)?;
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
    if !db::insert_office(&mut tx, &office).await? {
        return Err(CreateOfficeError::Taken(office.code));
    }
    crate::db::enter_tenant(&mut tx, office.id).await?;
    // CAL-1: every office starts with the official calendars.
    crate::calendar::ensure_shipped(&mut tx, office.id).await?;
    db::insert_office_settings(&mut tx, office.id).await?;
    let event = Event {
        action: "office.create",
        subject_type: "office",
        subject_id: Some(office.id),
        detail: json!({ "code": office.code, "name": office.name }),
    };
    audit::record(&mut tx, office.id, &Actor::system("cli"), event).await?;
    tx.commit().await?;
    Ok(office)
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("invalid fields: {0:?}")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A user just created; `generated_password` is set when the password was generated and must be
/// shown (once) to whoever created the user.
#[derive(Debug)]
pub struct CreatedUser {
    pub id: Uuid,
    pub username: String,
    pub generated_password: Option<String>,
}

/// Creates a user inside the office's transaction and records it in the audit log.
pub async fn create_user(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    input: &NewUserInput,
    must_change_password: bool,
) -> Result<CreatedUser, CreateUserError> {
    let (mut user, generated) = input
        .validate(password::generate)
        .map_err(CreateUserError::Invalid)?;
    user.must_change_password = must_change_password;
    if let Some(unit_id) = user.unit_id
        && !db::unit_exists(conn, unit_id).await?
    {
        return Err(CreateUserError::Invalid(vec![(
            "unit_id",
            "error.unit_required",
        )]));
    }
    let hash = password::hash(user.password.clone()).await?;
    let Some(id) = db::insert_user(conn, tenant_id, &user, &hash).await? else {
        return Err(CreateUserError::Invalid(vec![(
            "username",
            "error.username_taken",
        )]));
    };
    let event = Event {
        action: "user.create",
        subject_type: "user",
        subject_id: Some(id),
        detail: json!({
            "username": user.username.as_str(),
            "display_name": user.display_name,
            "role": user.role.as_str(),
            "unit_id": user.unit_id,
        }),
    };
    audit::record(conn, tenant_id, actor, event).await?;
    Ok(CreatedUser {
        id,
        username: user.username.as_str().into(),
        generated_password: generated.then_some(user.password),
    })
}
