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

/// An assessment year's state: open years change, closed years are read-only everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearStatus {
    Open,
    Closed,
}

impl YearStatus {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// Changes to a year's list or catalog are refused once it is closed.
    pub fn ensure_open(self) -> Result<(), &'static str> {
        match self {
            Self::Open => Ok(()),
            Self::Closed => Err("error.year_closed"),
        }
    }
}

/// A year number an office may open: 2000–2100.
pub fn parse_year(value: &str) -> Result<i32, &'static str> {
    match value.trim().parse::<i32>() {
        Ok(year) if (2000..=2100).contains(&year) => Ok(year),
        _ => Err("error.year_invalid"),
    }
}

/// A catalog item as typed in its form.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub code: String,
    pub title: String,
    pub for_open: bool,
    pub for_covert: bool,
    pub for_system: bool,
    pub points_min: String,
    pub points_max: String,
    pub rule_id: String,
    pub costs_excellence: bool,
}

/// A catalog item, validated (INS-15).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFields {
    pub code: String,
    pub title: String,
    pub for_open: bool,
    pub for_covert: bool,
    pub for_system: bool,
    pub points_min: rust_decimal::Decimal,
    pub points_max: rust_decimal::Decimal,
    pub rule_id: String,
    pub costs_excellence: bool,
}

fn parse_points(value: &str) -> Option<rust_decimal::Decimal> {
    let points: rust_decimal::Decimal = value.trim().parse().ok()?;
    let in_range =
        points > rust_decimal::Decimal::ZERO && points <= rust_decimal::Decimal::from(100);
    (in_range && points.scale() <= 2).then_some(points)
}

impl ItemInput {
    /// Every field checked at once. An empty maximum means a fixed item (max = min).
    pub fn validate(&self) -> Result<ItemFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = self.code.trim().to_uppercase();
        let code_ok = (1..=8).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !code_ok {
            errors.push(("code", "error.item_code"));
        }
        let title = self.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 200 {
            errors.push(("title", "error.item_title"));
        }
        if !(self.for_open || self.for_covert || self.for_system) {
            errors.push(("kinds", "error.item_kinds"));
        }
        let min = parse_points(&self.points_min);
        let max = if self.points_max.trim().is_empty() {
            min
        } else {
            parse_points(&self.points_max)
        };
        match (min, max) {
            (None, _) => errors.push(("points_min", "error.item_points")),
            (Some(_), None) => errors.push(("points_max", "error.item_points")),
            (Some(lo), Some(hi)) if hi < lo => {
                errors.push(("points_max", "error.item_points_range"))
            }
            _ => {}
        }
        let rule_id = self.rule_id.trim().to_uppercase();
        if rule_id.chars().count() > 16 {
            errors.push(("rule_id", "error.item_rule"));
        }
        match (min, max) {
            (Some(points_min), Some(points_max)) if errors.is_empty() => Ok(ItemFields {
                code,
                title,
                for_open: self.for_open,
                for_covert: self.for_covert,
                for_system: self.for_system,
                points_min,
                points_max,
                rule_id,
                costs_excellence: self.costs_excellence,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod catalog_tests {
    use super::*;

    fn input() -> ItemInput {
        ItemInput {
            code: "d21".into(),
            title: "新增扣分项".into(),
            for_open: true,
            points_min: "0.5".into(),
            rule_id: "ins-05".into(),
            ..Default::default()
        }
    }

    #[test]
    fn ins_15_an_item_needs_a_code_a_title_a_kind_and_positive_points() {
        let fields = input().validate().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(fields.code, "D21");
        assert_eq!(
            fields.points_max, fields.points_min,
            "an empty maximum means fixed points"
        );
        assert_eq!(fields.rule_id, "INS-05");
        let bad = ItemInput {
            code: "".into(),
            title: " ".into(),
            for_open: false,
            points_min: "-1".into(),
            ..input()
        };
        let fields: Vec<_> = bad
            .validate()
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(fields, vec!["code", "title", "kinds", "points_min"]);
    }

    #[test]
    fn ins_15_a_discretionary_range_must_not_be_upside_down() {
        let range = ItemInput {
            points_min: "1".into(),
            points_max: "5".into(),
            ..input()
        };
        assert!(range.validate().is_ok());
        let upside = ItemInput {
            points_min: "5".into(),
            points_max: "1".into(),
            ..input()
        };
        assert_eq!(
            upside.validate().err(),
            Some(vec![("points_max", "error.item_points_range")])
        );
        let too_fine = ItemInput {
            points_min: "0.125".into(),
            ..input()
        };
        assert!(too_fine.validate().is_err());
    }

    #[test]
    fn a_closed_year_refuses_changes() {
        assert_eq!(YearStatus::Closed.ensure_open(), Err("error.year_closed"));
        assert_eq!(YearStatus::Open.ensure_open(), Ok(()));
        assert_eq!(parse_year("2026"), Ok(2026));
        assert_eq!(parse_year("1999"), Err("error.year_invalid"));
        assert_eq!(parse_year("abc"), Err("error.year_invalid"));
    }
}
