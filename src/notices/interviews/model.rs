//! Interviews: the state machine, the typed forms and their validation (pure).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::core::time::{datetime_input, parse_datetime_input};
use crate::core::{RuleError, Transition};

/// Where an interview stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Status {
    Scheduled,
    Held,
    Cancelled,
}

/// What the office does to an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// the time, place, attendees or problems are corrected
    Edit,
    /// the minutes are recorded: it took place
    Hold,
    /// it is called off, with a reason
    Cancel,
    /// a follow-up action is set or marked done
    FollowUp,
}

impl Status {
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Scheduled => "interviews.state_scheduled",
            Self::Held => "interviews.state_held",
            Self::Cancelled => "interviews.state_cancelled",
        }
    }

    /// INS-13: scheduled → scheduled (details corrected) | held (minutes recorded) | cancelled;
    /// follow-up actions belong to a held interview; held and cancelled are otherwise final.
    pub fn apply(self, event: Event, now: DateTime<Utc>) -> Result<Transition<Self>, RuleError> {
        let to = |to, action| Ok(Transition::new(self, to, action, now));
        match (self, event) {
            (Self::Scheduled, Event::Edit) => to(Self::Scheduled, "interview.update"),
            (Self::Scheduled, Event::Hold) => to(Self::Held, "interview.hold"),
            (Self::Scheduled, Event::Cancel) => to(Self::Cancelled, "interview.cancel"),
            (Self::Held, Event::FollowUp) => to(Self::Held, "interview.actions_add"),
            (Self::Scheduled, Event::FollowUp) => {
                Err(RuleError::new("INS-13", "interviews.error_not_held"))
            }
            _ => Err(RuleError::new("INS-13", "interviews.error_not_scheduled")),
        }
    }
}

/// One person at the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub post: String,
}

/// Empty lines a form offers below the typed ones, so several people can be added without script.
pub const BLANK_LINES: usize = 3;

/// The typed fields of an interview, as strings, kept as typed when the form comes back.
#[derive(Debug, Clone, Default)]
pub struct InterviewForm {
    pub unit_id: String,
    pub scheduled_at: String,
    pub place: String,
    pub office_side: Vec<Attendee>,
    pub unit_side: Vec<Attendee>,
    pub problems: String,
}

/// An interview's fields once valid.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewFields {
    pub unit_id: Uuid,
    pub scheduled_at: DateTime<Utc>,
    pub place: String,
    pub office_side: Vec<Attendee>,
    pub unit_side: Vec<Attendee>,
    pub problems: String,
}

/// Pairs the repeated name and post fields of one side into lines, as typed.
fn lines(names: Vec<String>, posts: Vec<String>) -> Vec<Attendee> {
    let count = names.len().max(posts.len());
    (0..count)
        .map(|i| Attendee {
            name: names.get(i).cloned().unwrap_or_default(),
            post: posts.get(i).cloned().unwrap_or_default(),
        })
        .collect()
}

/// The people of one side: blank lines dropped; a post without a name, or text too long, is an
/// error.
fn side(lines: &[Attendee], missing: &'static str) -> Result<Vec<Attendee>, &'static str> {
    let mut people = Vec::new();
    for line in lines {
        let (name, post) = (line.name.trim(), line.post.trim());
        if name.is_empty() && post.is_empty() {
            continue;
        }
        if name.is_empty() || name.chars().count() > 50 || post.chars().count() > 100 {
            return Err("interviews.error_attendee");
        }
        people.push(Attendee {
            name: name.into(),
            post: post.into(),
        });
    }
    if people.is_empty() {
        return Err(missing);
    }
    Ok(people)
}

/// An interview form as sent: attendee lines come as repeated `office_name`/`office_post` and
/// `unit_name`/`unit_post` fields, paired in order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InterviewSent {
    pub unit_id: String,
    pub scheduled_at: String,
    pub place: String,
    pub problems: String,
    pub office_name: Vec<String>,
    pub office_post: Vec<String>,
    pub unit_name: Vec<String>,
    pub unit_post: Vec<String>,
}

impl From<InterviewSent> for InterviewForm {
    fn from(sent: InterviewSent) -> Self {
        Self {
            unit_id: sent.unit_id,
            scheduled_at: sent.scheduled_at,
            place: sent.place,
            office_side: lines(sent.office_name, sent.office_post),
            unit_side: lines(sent.unit_name, sent.unit_post),
            problems: sent.problems,
        }
    }
}

impl InterviewForm {
    /// The form as stored, for editing.
    pub fn from_fields(fields: InterviewFields, tz: chrono_tz::Tz) -> Self {
        Self {
            unit_id: fields.unit_id.to_string(),
            scheduled_at: datetime_input(tz, &fields.scheduled_at),
            place: fields.place,
            office_side: fields.office_side,
            unit_side: fields.unit_side,
            problems: fields.problems,
        }
    }

    /// The lines typed, with [`BLANK_LINES`] empty ones below each side for more people.
    pub fn with_blank_lines(mut self) -> Self {
        for side in [&mut self.office_side, &mut self.unit_side] {
            side.retain(|a| !a.name.trim().is_empty() || !a.post.trim().is_empty());
            side.extend(std::iter::repeat_n(Attendee::default(), BLANK_LINES));
        }
        self
    }

    /// INS-13: an interview names the unit, when and where, at least one person of each side,
    /// and the problems it is about. The errors are catalog keys.
    pub fn validate(
        &self,
        units: &[Uuid],
        tz: chrono_tz::Tz,
    ) -> Result<InterviewFields, Vec<&'static str>> {
        let mut errors = Vec::new();
        let unit_id = units
            .iter()
            .copied()
            .find(|u| u.to_string() == self.unit_id.trim());
        if unit_id.is_none() {
            errors.push("interviews.error_unit");
        }
        let scheduled_at = parse_datetime_input(&self.scheduled_at, tz);
        if scheduled_at.is_none() {
            errors.push("interviews.error_time");
        }
        let place = self.place.trim();
        if place.is_empty() || place.chars().count() > 200 {
            errors.push("interviews.error_place");
        }
        let office_side = side(&self.office_side, "interviews.error_office_side");
        let unit_side = side(&self.unit_side, "interviews.error_unit_side");
        for result in [&office_side, &unit_side] {
            if let Err(key) = result
                && !errors.contains(key)
            {
                errors.push(key);
            }
        }
        let problems = self.problems.trim();
        if problems.is_empty() || problems.chars().count() > 10_000 {
            errors.push("interviews.error_problems");
        }
        match (unit_id, scheduled_at, office_side, unit_side) {
            (Some(unit_id), Some(scheduled_at), Ok(office_side), Ok(unit_side))
                if errors.is_empty() =>
            {
                Ok(InterviewFields {
                    unit_id,
                    scheduled_at,
                    place: place.into(),
                    office_side,
                    unit_side,
                    problems: problems.into(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// A follow-up action as typed.
#[derive(Debug, Clone, Default)]
pub struct ActionLine {
    pub content: String,
    pub responsible: String,
    pub due_on: String,
}

/// A follow-up action once valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub content: String,
    pub responsible: String,
    pub due_on: NaiveDate,
}

impl ActionLine {
    pub fn is_blank(&self) -> bool {
        self.content.trim().is_empty()
            && self.responsible.trim().is_empty()
            && self.due_on.trim().is_empty()
    }

    /// INS-13: a follow-up action says what is to be done, who answers for it and by when.
    pub fn validate(&self) -> Result<NewAction, &'static str> {
        let content = self.content.trim();
        let responsible = self.responsible.trim();
        let due_on = NaiveDate::parse_from_str(self.due_on.trim(), "%Y-%m-%d").ok();
        match due_on {
            Some(due_on)
                if !content.is_empty()
                    && content.chars().count() <= 1000
                    && !responsible.is_empty()
                    && responsible.chars().count() <= 100 =>
            {
                Ok(NewAction {
                    content: content.into(),
                    responsible: responsible.into(),
                    due_on,
                })
            }
            _ => Err("interviews.error_action"),
        }
    }
}

/// The minutes of a held interview and the follow-up actions it sets (blank lines skipped).
#[derive(Debug, Clone, Default)]
pub struct MinutesForm {
    pub minutes: String,
    pub actions: Vec<ActionLine>,
}

/// Follow-up actions as sent: repeated `action_content`/`action_responsible`/`action_due` fields,
/// paired in order into lines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionsSent {
    pub action_content: Vec<String>,
    pub action_responsible: Vec<String>,
    pub action_due: Vec<String>,
}

impl ActionsSent {
    /// The lines as typed.
    pub fn lines(self) -> Vec<ActionLine> {
        let count = self
            .action_content
            .len()
            .max(self.action_responsible.len())
            .max(self.action_due.len());
        (0..count)
            .map(|i| ActionLine {
                content: self.action_content.get(i).cloned().unwrap_or_default(),
                responsible: self.action_responsible.get(i).cloned().unwrap_or_default(),
                due_on: self.action_due.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    }
}

/// The minutes form as sent: the minutes and the follow-up actions' lines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MinutesSent {
    pub minutes: String,
    pub action_content: Vec<String>,
    pub action_responsible: Vec<String>,
    pub action_due: Vec<String>,
}

impl From<MinutesSent> for MinutesForm {
    fn from(sent: MinutesSent) -> Self {
        let actions = ActionsSent {
            action_content: sent.action_content,
            action_responsible: sent.action_responsible,
            action_due: sent.action_due,
        };
        Self {
            minutes: sent.minutes,
            actions: actions.lines(),
        }
    }
}

/// The action lines typed, blank ones dropped, and each valid, or the first error.
pub fn valid_actions(lines: &[ActionLine]) -> Result<Vec<NewAction>, &'static str> {
    lines
        .iter()
        .filter(|l| !l.is_blank())
        .map(ActionLine::validate)
        .collect()
}

/// The lines typed with [`BLANK_LINES`] empty ones below.
pub fn with_blank_actions(mut lines: Vec<ActionLine>) -> Vec<ActionLine> {
    lines.retain(|l| !l.is_blank());
    lines.extend(std::iter::repeat_n(ActionLine::default(), BLANK_LINES));
    lines
}

impl MinutesForm {
    /// INS-13: the minutes say what was discussed; each action line filled in is complete.
    pub fn validate(&self) -> Result<(String, Vec<NewAction>), Vec<&'static str>> {
        let mut errors = Vec::new();
        let minutes = self.minutes.trim();
        if minutes.is_empty() || minutes.chars().count() > 20_000 {
            errors.push("interviews.error_minutes");
        }
        let actions = valid_actions(&self.actions).map_err(|key| errors.push(key));
        match actions {
            Ok(actions) if errors.is_empty() => Ok((minutes.into(), actions)),
            _ => Err(errors),
        }
    }
}

/// The follow-up actions added to a held interview: at least one line.
pub fn added_actions(lines: &[ActionLine]) -> Result<Vec<NewAction>, &'static str> {
    match valid_actions(lines) {
        Ok(actions) if actions.is_empty() => Err("interviews.error_action"),
        other => other,
    }
}

/// A confirmed finding of the unit, as the problems of an interview list it.
pub struct FindingLine {
    pub code: String,
    pub title: String,
    pub description: String,
}

/// The problems prefilled from the unit's confirmed findings: one numbered line each.
pub fn problems_text(findings: &[FindingLine]) -> String {
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{}. {}（{} {}）", i + 1, f.description, f.code, f.title))
        .collect::<Vec<_>>()
        .join("\n")
}

/// INS-13: an action not done by the end of its due day is overdue.
pub fn overdue(due_on: NaiveDate, done: bool, today: NaiveDate) -> bool {
    !done && due_on < today
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

    fn form(unit: Uuid) -> InterviewForm {
        InterviewForm {
            unit_id: unit.to_string(),
            scheduled_at: "2026-12-10T09:30".into(),
            place: "效能办三楼会议室".into(),
            office_side: vec![Attendee {
                name: "李主任".into(),
                post: "效能办主任".into(),
            }],
            unit_side: vec![
                Attendee {
                    name: "王局长".into(),
                    post: "局长".into(),
                },
                Attendee::default(),
            ],
            problems: "门厅未设置效能提示牌".into(),
        }
    }

    #[test]
    fn ins_13_an_interview_is_held_or_cancelled_once_and_then_final() {
        use Event::*;
        use Status::*;
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let cases = [
            (Scheduled, Edit, Ok(Scheduled)),
            (Scheduled, Hold, Ok(Held)),
            (Scheduled, Cancel, Ok(Cancelled)),
            (Scheduled, FollowUp, Err("interviews.error_not_held")),
            (Held, FollowUp, Ok(Held)),
            (Held, Edit, Err("interviews.error_not_scheduled")),
            (Held, Hold, Err("interviews.error_not_scheduled")),
            (Held, Cancel, Err("interviews.error_not_scheduled")),
            (Cancelled, Edit, Err("interviews.error_not_scheduled")),
            (Cancelled, Hold, Err("interviews.error_not_scheduled")),
            (Cancelled, Cancel, Err("interviews.error_not_scheduled")),
            (Cancelled, FollowUp, Err("interviews.error_not_scheduled")),
        ];
        for (status, event, expected) in cases {
            let got = status.apply(event, now);
            if let Err(refusal) = &got {
                assert_eq!(refusal.rule, "INS-13");
            }
            assert_eq!(
                got.map(|t| t.to).map_err(|e| e.key),
                expected,
                "{status:?} {event:?}"
            );
        }
    }

    #[test]
    fn ins_13_an_interview_needs_a_unit_a_time_a_place_both_sides_and_the_problems() {
        let unit = Uuid::now_v7();
        let fields = form(unit)
            .validate(&[unit], TZ)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(fields.unit_side.len(), 1, "the blank line is dropped");
        assert_eq!(
            fields.scheduled_at.to_rfc3339(),
            "2026-12-10T01:30:00+00:00"
        );
        let empty = InterviewForm::default().validate(&[unit], TZ);
        assert_eq!(
            empty,
            Err(vec![
                "interviews.error_unit",
                "interviews.error_time",
                "interviews.error_place",
                "interviews.error_office_side",
                "interviews.error_unit_side",
                "interviews.error_problems",
            ])
        );
        let nameless = InterviewForm {
            unit_side: vec![Attendee {
                name: " ".into(),
                post: "局长".into(),
            }],
            ..form(unit)
        };
        assert_eq!(
            nameless.validate(&[unit], TZ),
            Err(vec!["interviews.error_attendee"])
        );
        assert_eq!(
            form(unit).validate(&[Uuid::now_v7()], TZ),
            Err(vec!["interviews.error_unit"])
        );
    }

    #[test]
    fn ins_13_attendee_lines_pair_names_and_posts_in_order() {
        let body = "office_name=%E6%9D%8E&office_post=%E4%B8%BB%E4%BB%BB&office_name=&office_post=\
                    &unit_name=%E7%8E%8B&unit_post=";
        let sent: InterviewSent = serde_html_form::from_str(body).unwrap_or_default();
        let form = InterviewForm::from(sent);
        assert_eq!(
            form.office_side,
            vec![
                Attendee {
                    name: "李".into(),
                    post: "主任".into()
                },
                Attendee::default()
            ]
        );
        assert_eq!(form.unit_side[0].name, "王");
        let padded = form.with_blank_lines();
        assert_eq!(padded.office_side.len(), 1 + BLANK_LINES);
    }

    #[test]
    fn ins_13_minutes_are_required_and_each_action_line_is_complete() {
        let body = "minutes=%E7%BA%AA%E8%A6%81&action_content=%E6%95%B4%E6%94%B9&action_responsible=%E5%8A%9E%E5%85%AC%E5%AE%A4&action_due=2026-12-31\
                    &action_content=&action_responsible=&action_due=";
        let sent: MinutesSent = serde_html_form::from_str(body).unwrap_or_default();
        let (minutes, actions) = MinutesForm::from(sent)
            .validate()
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(minutes, "纪要");
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].due_on.to_string(), "2026-12-31");
        let half = MinutesForm {
            minutes: String::new(),
            actions: vec![ActionLine {
                content: "整改".into(),
                ..Default::default()
            }],
        };
        assert_eq!(
            half.validate().err(),
            Some(vec!["interviews.error_minutes", "interviews.error_action"])
        );
        let sent: ActionsSent =
            serde_html_form::from_str("action_content=&action_responsible=&action_due=")
                .unwrap_or_default();
        assert_eq!(added_actions(&sent.lines()), Err("interviews.error_action"));
    }

    #[test]
    fn ins_13_an_action_is_overdue_after_its_due_day_unless_done() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
        let next = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default();
        assert!(!overdue(due, false, due));
        assert!(overdue(due, false, next));
        assert!(!overdue(due, true, next));
    }

    #[test]
    fn ins_13_the_problems_are_prefilled_one_numbered_line_per_finding() {
        let text = problems_text(&[
            FindingLine {
                code: "D06".into(),
                title: "未设置效能提示牌".into(),
                description: "门厅无提示牌".into(),
            },
            FindingLine {
                code: "D10".into(),
                title: "执行制度存在问题".into(),
                description: "窗口离岗".into(),
            },
        ]);
        assert_eq!(
            text,
            "1. 门厅无提示牌（D06 未设置效能提示牌）\n2. 窗口离岗（D10 执行制度存在问题）"
        );
    }
}
