//! Office settings: names, time zone, document number formats, default deadlines, excellence
//! rules, and the complaint channels the public is shown (CMP-03). Validation is pure.

use rust_decimal::Decimal;

use crate::core::FieldErrors;

/// The widest zero-padding a format may ask for.
const MAX_SEQ_WIDTH: usize = 10;

/// Renders a document number format: `{year}`, `{seq}` and `{seq:0N}` (zero-padded to N digits).
pub fn render_number(format: &str, year: i32, seq: i32) -> String {
    let mut out = format.replace("{year}", &year.to_string());
    while let Some(start) = out.find("{seq") {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let spec = &out[start + 4..start + len];
        let width = spec
            .strip_prefix(":0")
            .and_then(|w| w.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_SEQ_WIDTH);
        out.replace_range(start..=start + len, &format!("{seq:0width$}"));
    }
    out
}

/// Example numbers for the settings page, so the office sees what its formats produce.
pub fn preview(format: &str) -> String {
    render_number(format, 2026, 1)
}

/// The settings as stored and as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub name: String,
    pub short_name: String,
    pub time_zone: String,
    pub complaint_number_format: String,
    pub notice_number_format: String,
    pub rectification_working_days: String,
    pub self_report_due_working_days: String,
    pub excellence_min_score: String,
    pub excellence_max_share_percent: String,
    pub complaint_hotline: String,
    pub office_phone: String,
    pub address: String,
    pub email: String,
    pub visiting_hours: String,
}

/// Validated settings, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSettings {
    pub name: String,
    pub short_name: String,
    pub time_zone: String,
    pub complaint_number_format: String,
    pub notice_number_format: String,
    pub rectification_working_days: i32,
    pub self_report_due_working_days: i32,
    pub excellence_min_score: Decimal,
    pub excellence_max_share_percent: i32,
    pub complaint_hotline: String,
    pub office_phone: String,
    pub address: String,
    pub email: String,
    pub visiting_hours: String,
}

fn number_in(value: &str, range: std::ops::RangeInclusive<i32>) -> Option<i32> {
    value
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| range.contains(n))
}

impl Settings {
    pub fn validate(&self) -> Result<ValidSettings, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(("name", "error.name_required"));
        }
        let short_name = self.short_name.trim().to_string();
        if short_name.chars().count() > 20 {
            errors.push(("short_name", "error.too_long"));
        }
        let time_zone = self.time_zone.trim().to_string();
        if time_zone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(("time_zone", "error.time_zone"));
        }
        for (field, format) in [
            ("complaint_number_format", &self.complaint_number_format),
            ("notice_number_format", &self.notice_number_format),
        ] {
            let format = format.trim();
            let padding_ok = format.split("{seq:0").skip(1).all(|rest| {
                rest.split('}')
                    .next()
                    .and_then(|w| w.parse::<usize>().ok())
                    .is_some_and(|w| w <= MAX_SEQ_WIDTH)
            });
            if !format.contains("{seq") || format.chars().count() > 40 || !padding_ok {
                errors.push((field, "error.number_format"));
            }
        }
        let rectification = number_in(&self.rectification_working_days, 1..=90);
        if rectification.is_none() {
            errors.push(("rectification_working_days", "error.days_range"));
        }
        let self_report = number_in(&self.self_report_due_working_days, 1..=60);
        if self_report.is_none() {
            errors.push(("self_report_due_working_days", "error.days_range"));
        }
        let score = self
            .excellence_min_score
            .trim()
            .parse::<Decimal>()
            .ok()
            .filter(|s| *s >= Decimal::ZERO && *s <= Decimal::from(100) && s.scale() <= 2);
        if score.is_none() {
            errors.push(("excellence_min_score", "error.percent"));
        }
        let share = number_in(&self.excellence_max_share_percent, 0..=100);
        if share.is_none() {
            errors.push(("excellence_max_share_percent", "error.percent"));
        }
        for (field, value, max) in [
            ("complaint_hotline", &self.complaint_hotline, 100),
            ("office_phone", &self.office_phone, 50),
            ("address", &self.address, 200),
            ("visiting_hours", &self.visiting_hours, 100),
        ] {
            if value.trim().chars().count() > max {
                errors.push((field, "error.too_long"));
            }
        }
        let email = self.email.trim().to_string();
        if !email.is_empty() && (email.chars().count() > 100 || !email.contains('@')) {
            errors.push(("email", "error.email"));
        }
        match (rectification, self_report, score, share) {
            (Some(r), Some(s), Some(score), Some(share)) if errors.is_empty() => {
                Ok(ValidSettings {
                    name,
                    short_name,
                    time_zone,
                    complaint_number_format: self.complaint_number_format.trim().into(),
                    notice_number_format: self.notice_number_format.trim().into(),
                    rectification_working_days: r,
                    self_report_due_working_days: s,
                    excellence_min_score: score,
                    excellence_max_share_percent: share,
                    complaint_hotline: self.complaint_hotline.trim().into(),
                    office_phone: self.office_phone.trim().into(),
                    address: self.address.trim().into(),
                    email,
                    visiting_hours: self.visiting_hours.trim().into(),
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> Settings {
        Settings {
            name: "宣城市直效能办".into(),
            time_zone: "Asia/Shanghai".into(),
            complaint_number_format: "宣效投〔{year}〕{seq:04}号".into(),
            notice_number_format: "宣直效整〔{year}〕{seq}号".into(),
            rectification_working_days: "10".into(),
            self_report_due_working_days: "10".into(),
            excellence_min_score: "90".into(),
            excellence_max_share_percent: "20".into(),
            email: "xnb@example.gov.cn".into(),
            ..Default::default()
        }
    }

    #[test]
    fn number_formats_render_year_and_padded_sequence() {
        assert_eq!(
            render_number("宣效投〔{year}〕{seq:04}号", 2026, 1),
            "宣效投〔2026〕0001号"
        );
        assert_eq!(
            render_number("宣直效整〔{year}〕{seq}号", 2026, 12),
            "宣直效整〔2026〕12号"
        );
        assert_eq!(
            render_number("{seq:099999999}", 2026, 1).len(),
            10,
            "padding is capped"
        );
        let huge = Settings {
            complaint_number_format: "{seq:099999999}".into(),
            ..typed()
        };
        assert!(huge.validate().is_err());
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        assert!(typed().validate().is_ok());
        let bad = Settings {
            time_zone: "Mars/Olympus".into(),
            notice_number_format: "no sequence".into(),
            rectification_working_days: "0".into(),
            excellence_min_score: "101".into(),
            email: "not-an-address".into(),
            ..typed()
        };
        let fields: Vec<_> = bad
            .validate()
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(
            fields,
            vec![
                "time_zone",
                "notice_number_format",
                "rectification_working_days",
                "excellence_min_score",
                "email"
            ]
        );
    }
}
