//! Bulletins: the state machine, the forms and the generated draft (pure).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::core::time::document_date;
use crate::core::{RuleError, Transition};
use crate::i18n::Lang;

/// Where a bulletin stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Status {
    Draft,
    Published,
}

/// What the office does to a bulletin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Edit,
    Publish,
}

impl Status {
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Draft => "bulletins.state_draft",
            Self::Published => "bulletins.state_published",
        }
    }

    /// INS-13: a draft is edited freely and published once; a published bulletin is read-only.
    pub fn apply(self, event: Event, now: DateTime<Utc>) -> Result<Transition<Self>, RuleError> {
        let to = |to, action| Ok(Transition::new(self, to, action, now));
        match (self, event) {
            (Self::Draft, Event::Edit) => to(Self::Draft, "bulletin.update"),
            (Self::Draft, Event::Publish) => to(Self::Published, "bulletin.publish"),
            (Self::Published, _) => Err(RuleError::new("INS-13", "bulletins.error_published")),
        }
    }
}

/// The longest period one bulletin covers, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The period of a new bulletin, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PeriodForm {
    #[serde(rename = "period_from")]
    pub from: String,
    #[serde(rename = "period_to")]
    pub to: String,
}

impl PeriodForm {
    /// Two dates, the first not after the second, at most [`MAX_PERIOD_DAYS`] apart.
    pub fn validate(&self) -> Result<(NaiveDate, NaiveDate), &'static str> {
        let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        match (parse(&self.from), parse(&self.to)) {
            (Some(from), Some(to)) if from <= to && (to - from).num_days() < MAX_PERIOD_DAYS => {
                Ok((from, to))
            }
            _ => Err("bulletins.error_period"),
        }
    }
}

/// The texts of a bulletin, as typed or generated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct BulletinText {
    pub title: String,
    pub lead: String,
    pub body: String,
    pub closing: String,
}

impl BulletinText {
    /// A title and a body are required; every part has its limit. Returns the texts trimmed.
    pub fn validate(&self) -> Result<Self, Vec<&'static str>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            errors.push("bulletins.error_title");
        }
        let body = self.body.trim();
        if body.is_empty() || body.chars().count() > 50_000 {
            errors.push("bulletins.error_body");
        }
        if self.lead.trim().chars().count() > 5000 || self.closing.trim().chars().count() > 5000 {
            errors.push("bulletins.error_too_long");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            title: title.into(),
            lead: self.lead.trim().into(),
            body: body.into(),
            closing: self.closing.trim().into(),
        })
    }
}

/// A confirmed finding of the period, as the draft uses it; in unit, then item order.
pub struct PeriodFinding {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub code: String,
    pub title: String,
    pub description: String,
    /// the points its deduction took, none when it took none
    pub points: Option<Decimal>,
}

/// How long one fact may be in the draft before it is cut.
const SHORT_FACT_CHARS: usize = 60;

/// A catalog string with each `{}` replaced by the next argument.
fn fill(template: &str, args: &[&str]) -> String {
    args.iter().fold(template.to_string(), |text, arg| {
        text.replacen("{}", arg, 1)
    })
}

fn day(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => document_date(d),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

fn short(fact: &str) -> String {
    let fact = fact.trim();
    if fact.chars().count() <= SHORT_FACT_CHARS {
        return fact.into();
    }
    let cut: String = fact.chars().take(SHORT_FACT_CHARS).collect();
    format!("{cut}…")
}

fn points_sum(findings: &[PeriodFinding]) -> String {
    findings
        .iter()
        .filter_map(|f| f.points)
        .sum::<Decimal>()
        .normalize()
        .to_string()
}

/// INS-13: the draft of a bulletin for `from`–`to`: a title and lead naming the period, and a
/// body with the period's confirmed findings grouped by unit and then by deduction item, each
/// group with its count, its points and its facts in short. `findings` come in unit, then item
/// order.
pub fn draft(
    lang: Lang,
    office: &str,
    from: NaiveDate,
    to: NaiveDate,
    findings: &[PeriodFinding],
) -> BulletinText {
    let (from, to) = (day(lang, from), day(lang, to));
    let units: Vec<&[PeriodFinding]> = findings.chunk_by(|a, b| a.unit_id == b.unit_id).collect();
    let separator = match lang {
        Lang::Zh => "；",
        Lang::En => "; ",
    };
    let mut body = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        let count = unit.len().to_string();
        body.push(fill(
            lang.t("bulletins.draft_unit"),
            &[
                &lang.numeral(u + 1),
                &unit[0].unit_name,
                &count,
                &points_sum(unit),
            ],
        ));
        for (i, item) in unit.chunk_by(|a, b| a.code == b.code).enumerate() {
            let facts: Vec<String> = item.iter().map(|f| short(&f.description)).collect();
            body.push(fill(
                lang.t("bulletins.draft_item"),
                &[
                    &lang.numeral(i + 1),
                    &item[0].code,
                    &item[0].title,
                    &item.len().to_string(),
                    &points_sum(item),
                    &facts.join(separator),
                ],
            ));
        }
    }
    if body.is_empty() {
        body.push(lang.t("bulletins.draft_none").into());
    }
    BulletinText {
        title: fill(lang.t("bulletins.draft_title"), &[&from, &to]),
        lead: fill(
            lang.t("bulletins.draft_lead"),
            &[
                office,
                &from,
                &to,
                &findings.len().to_string(),
                &units.len().to_string(),
            ],
        ),
        body: body.join("\n"),
        closing: lang.t("bulletins.draft_closing").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(unit: Uuid, name: &str, code: &str, fact: &str, points: i64) -> PeriodFinding {
        PeriodFinding {
            unit_id: unit,
            unit_name: name.into(),
            code: code.into(),
            title: format!("{code} 的标题"),
            description: fact.into(),
            points: Some(Decimal::from(points)),
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn ins_13_a_bulletin_is_published_once_and_then_read_only() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let to = |status: Status, event| status.apply(event, now).map(|t| t.to);
        assert_eq!(to(Status::Draft, Event::Edit), Ok(Status::Draft));
        assert_eq!(to(Status::Draft, Event::Publish), Ok(Status::Published));
        for event in [Event::Edit, Event::Publish] {
            assert_eq!(
                to(Status::Published, event),
                Err(RuleError::new("INS-13", "bulletins.error_published"))
            );
        }
    }

    #[test]
    fn ins_13_the_draft_groups_findings_by_unit_then_item_with_counts_points_and_facts() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let text = draft(
            Lang::Zh,
            "市效能办",
            day("2026-11-01"),
            day("2026-11-30"),
            &[
                finding(a, "第一单位", "D06", "门厅未设置提示牌", 1),
                finding(a, "第一单位", "D10", "窗口人员离岗", 1),
                finding(a, "第一单位", "D10", "工作时间玩手机", 1),
                finding(b, "第二单位", "D15", "对群众态度生硬", 1),
            ],
        );
        assert_eq!(
            text.title,
            "关于2026年11月1日至2026年11月30日效能督查情况的通报"
        );
        assert!(text.lead.contains("市效能办"), "{}", text.lead);
        assert!(text.lead.contains("4个"), "{}", text.lead);
        let lines: Vec<&str> = text.body.lines().collect();
        assert_eq!(lines.len(), 5, "{}", text.body);
        assert_eq!(lines[0], "一、第一单位（3个问题，扣3分）");
        assert_eq!(
            lines[2],
            "（二）D10 D10 的标题：2个问题，扣2分。窗口人员离岗；工作时间玩手机"
        );
        assert_eq!(lines[3], "二、第二单位（1个问题，扣1分）");
        assert!(!text.closing.is_empty());
    }

    #[test]
    fn ins_13_an_empty_period_says_so_and_long_facts_are_cut() {
        let text = draft(Lang::Zh, "办", day("2026-01-01"), day("2026-01-31"), &[]);
        assert_eq!(text.body, Lang::Zh.t("bulletins.draft_none"));
        let long = "很".repeat(100);
        assert_eq!(short(&long).chars().count(), SHORT_FACT_CHARS + 1);
    }

    #[test]
    fn ins_13_a_period_runs_forward_within_a_year_and_a_bulletin_needs_a_title_and_a_body() {
        let period = |from: &str, to: &str| {
            PeriodForm {
                from: from.into(),
                to: to.into(),
            }
            .validate()
        };
        assert!(period("2026-11-01", "2026-11-30").is_ok());
        assert!(period("2026-11-30", "2026-11-01").is_err());
        assert!(period("2025-01-01", "2026-12-31").is_err());
        assert!(period("", "2026-11-01").is_err());
        let empty = BulletinText::default().validate();
        assert_eq!(
            empty,
            Err(vec!["bulletins.error_title", "bulletins.error_body"])
        );
    }
}
