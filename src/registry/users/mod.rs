//! The users of an office (office_admin): created with a role (a liaison with its unit), listed,
//! disabled and enabled, their passwords reset; every change is audited in the same transaction.
//! Users are also created by the platform operator's `xiaoneng user create` and by the demo.

pub mod db;
pub mod handlers;
pub mod model;
pub mod views;

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::{self, Actor, Event};
use crate::auth::password;
use crate::core::FieldErrors;
use model::NewUserInput;

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
        && !super::units::db::unit_exists(conn, unit_id).await?
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
    let detail = json!({
        "username": user.username.as_str(),
        "display_name": user.display_name,
        "role": user.role.as_str(),
        "unit_id": user.unit_id,
    });
    let event = Event::new("user.create", ("user", id), detail);
    audit::record(conn, tenant_id, actor, event).await?;
    Ok(CreatedUser {
        id,
        username: user.username.as_str().into(),
        generated_password: generated.then_some(user.password),
    })
}
