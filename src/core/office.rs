//! The office: one tenant, reached at `/{code}/`, and the code that names it.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

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

    /// The office's date at `now` (from the application's clock).
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        super::time::local_date(self.tz(), now)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_codes_are_short_lowercase_and_not_reserved() {
        assert!(OfficeCode::parse("xuancheng").is_ok());
        assert!(OfficeCode::parse("lang-xi-2").is_ok());
        assert_eq!(OfficeCode::parse("a"), Err("error.office_code_length"));
        assert_eq!(
            OfficeCode::parse(&"a".repeat(33)),
            Err("error.office_code_length")
        );
        assert_eq!(OfficeCode::parse("Xuan"), Err("error.office_code_chars"));
        assert_eq!(OfficeCode::parse("宣城"), Err("error.office_code_chars"));
        assert_eq!(OfficeCode::parse("a\0b"), Err("error.office_code_chars"));
        for reserved in RESERVED_CODES {
            assert_eq!(
                OfficeCode::parse(reserved),
                Err("error.office_code_reserved")
            );
        }
    }

    #[test]
    fn an_office_path_is_inside_the_office() {
        assert_eq!(office_path("demo", "/users"), "/demo/users");
        assert_eq!(office_path("demo", "/"), "/demo");
    }
}
