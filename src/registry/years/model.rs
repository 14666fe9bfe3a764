//! Assessment years and their catalogs, validated (pure): the year's state and a catalog item's
//! fields.

use crate::core::citation;
use crate::core::error::FieldErrors;

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
        // The item rests on a rule of the regulations, chosen from those the form offers.
        let rule_id = citation::deduction_rule(&self.rule_id).unwrap_or_default();
        if rule_id.is_empty() {
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
                rule_id: rule_id.to_string(),
                costs_excellence: self.costs_excellence,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
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
    fn ins_15_an_item_rests_on_a_known_rule_of_the_regulations() {
        for rule_id in ["", "INS-99", "CAL-1", "第四条"] {
            let unknown = ItemInput {
                rule_id: rule_id.into(),
                ..input()
            };
            assert_eq!(
                unknown.validate().err(),
                Some(vec![("rule_id", "error.item_rule")]),
                "{rule_id:?}"
            );
        }
        let system = ItemInput {
            rule_id: "sys-2".into(),
            ..input()
        };
        assert_eq!(system.validate().map(|f| f.rule_id), Ok("SYS-2".into()));
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
