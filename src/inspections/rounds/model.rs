//! A round of open inspections (INS-06), as typed: validation is pure.

use chrono::NaiveDate;
use serde::Deserialize;

/// The typed fields of a new round.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
}

impl RoundForm {
    /// A round has a name and dates inside its year, the end not before the start.
    pub fn validate(&self, year: i32) -> Result<(String, NaiveDate, NaiveDate), Vec<&'static str>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push("rounds.error_name");
        }
        let date = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| chrono::Datelike::year(d) == year)
        };
        let (starts, ends) = (date(&self.starts_on), date(&self.ends_on));
        match (starts, ends) {
            (Some(s), Some(e)) if e >= s => {}
            (Some(_), Some(_)) => errors.push("rounds.error_order"),
            _ => errors.push("rounds.error_dates"),
        }
        match (errors.is_empty(), starts, ends) {
            (true, Some(s), Some(e)) => Ok((name.to_string(), s, e)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_06_a_round_has_a_name_and_ordered_dates_inside_its_year() {
        let form = |name: &str, s: &str, e: &str| RoundForm {
            name: name.into(),
            starts_on: s.into(),
            ends_on: e.into(),
        };
        assert!(
            form("第四季度", "2026-10-01", "2026-12-31")
                .validate(2026)
                .is_ok()
        );
        assert_eq!(
            form("", "2026-10-01", "2026-12-31").validate(2026).err(),
            Some(vec!["rounds.error_name"])
        );
        assert_eq!(
            form("x", "2026-12-01", "2026-10-01").validate(2026).err(),
            Some(vec!["rounds.error_order"])
        );
        assert_eq!(
            form("x", "2027-01-01", "2027-02-01").validate(2026).err(),
            Some(vec!["rounds.error_dates"])
        );
    }
}
