//! Registry values, validated: office codes, display names, and a new user's fields.

use uuid::Uuid;

use crate::auth::Role;
use crate::auth::model::{Username, check_new_password};

/// Words that can never be an office code: they are top-level paths of the application.
pub const RESERVED_CODES: [&str; 6] = ["static", "healthz", "readyz", "metrics", "api", "admin"];

/// An office's short code, the first segment of its URLs: 2–32 of a-z, 0-9 and '-', not reserved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeCode(String);

impl OfficeCode {
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        let len = value.chars().count();
        if !(2..=32).contains(&len) {
            return Err("error.office_code_length");
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("error.office_code_chars");
        }
        if RESERVED_CODES.contains(&value) {
            return Err("error.office_code_reserved");
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

/// Field errors, each a catalog key, by field name.
pub type FieldErrors = Vec<(&'static str, &'static str)>;

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
    fn office_codes_follow_the_format_and_avoid_reserved_words() {
        assert!(OfficeCode::parse("xuancheng").is_ok());
        assert!(OfficeCode::parse("lang-xi-2").is_ok());
        assert_eq!(OfficeCode::parse("a"), Err("error.office_code_length"));
        assert_eq!(
            OfficeCode::parse(&"a".repeat(33)),
            Err("error.office_code_length")
        );
        assert_eq!(OfficeCode::parse("Xuan"), Err("error.office_code_chars"));
        assert_eq!(OfficeCode::parse("宣城"), Err("error.office_code_chars"));
        for reserved in RESERVED_CODES {
            assert_eq!(
                OfficeCode::parse(reserved),
                Err("error.office_code_reserved")
            );
        }
    }

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
