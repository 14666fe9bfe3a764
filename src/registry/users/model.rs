//! A user's fields, validated (pure): display names and a new user.

use uuid::Uuid;

use crate::auth::model::{Username, check_new_password};
use crate::core::Role;
use crate::core::error::FieldErrors;

/// A person's or an office's name as shown: 1–100 characters, trimmed.
pub fn parse_display_name(value: &str) -> Result<String, &'static str> {
    let value = value.trim();
    match value.chars().count() {
        0 => Err("error.name_required"),
        1..=100 => Ok(value.to_string()),
        _ => Err("error.name_too_long"),
    }
}

/// A user to create, validated.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<Uuid>,
    pub password: String,
    /// A password chosen for the user by someone else must be changed at first login.
    pub must_change_password: bool,
}

/// The raw fields of a new user, as typed in the form or given on the command line.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<Uuid>,
    pub password: String,
}

impl NewUserInput {
    /// Validates every field at once; an empty password is filled with a generated one, returned
    /// beside the user so it can be shown once.
    pub fn validate(
        &self,
        generated: impl FnOnce() -> String,
    ) -> Result<(NewUser, bool), FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = Username::parse(&self.username)
            .map_err(|e| errors.push(("username", e)))
            .ok();
        let display_name = parse_display_name(&self.display_name)
            .map_err(|e| errors.push(("display_name", e)))
            .ok();
        let role = Role::parse(&self.role);
        if role.is_none() {
            errors.push(("role", "error.role_required"));
        }
        if role.is_some_and(Role::needs_unit) && self.unit_id.is_none() {
            errors.push(("unit_id", "error.unit_required"));
        }
        let was_generated = self.password.is_empty();
        let password = if was_generated {
            generated()
        } else {
            self.password.clone()
        };
        if let Err(e) = check_new_password(&password) {
            errors.push(("password", e));
        }
        match (username, display_name, role) {
            (Some(username), Some(display_name), Some(role)) if errors.is_empty() => Ok((
                NewUser {
                    username,
                    display_name,
                    unit_id: if role.needs_unit() {
                        self.unit_id
                    } else {
                        None
                    },
                    role,
                    password,
                    must_change_password: true,
                },
                was_generated,
            )),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_liaison_needs_a_unit_and_other_roles_drop_one() {
        let input = NewUserInput {
            username: "li".into(),
            display_name: "李联络".into(),
            role: "liaison".into(),
            unit_id: None,
            password: "long enough".into(),
        };
        let errors = input.validate(String::new).err().unwrap_or_default();
        assert_eq!(errors, vec![("unit_id", "error.unit_required")]);

        let staff = NewUserInput {
            role: "office_staff".into(),
            unit_id: Some(Uuid::nil()),
            ..input
        };
        let (user, generated) = staff
            .validate(String::new)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(user.unit_id, None);
        assert!(!generated);
    }

    #[test]
    fn an_empty_password_is_generated_and_every_error_is_reported_at_once() {
        let input = NewUserInput {
            role: "leader".into(),
            ..Default::default()
        };
        let errors = input.validate(|| "short".into()).err().unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.0).collect();
        assert_eq!(fields, vec!["username", "display_name", "password"]);

        let input = NewUserInput {
            username: "leader1".into(),
            display_name: "领导".into(),
            role: "leader".into(),
            ..Default::default()
        };
        let (user, generated) = input
            .validate(|| "generated-pass".into())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(generated);
        assert_eq!(user.password, "generated-pass");
    }
}
