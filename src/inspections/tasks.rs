//! Inspection tasks, pure: the kinds, covert methods (INS-07) and open-inspection focus areas
//! (INS-03), and a task form's validation.

use chrono::NaiveDate;
use uuid::Uuid;

/// INS-07: the three covert methods.
pub const METHODS: [(&str, &str); 3] = [
    ("post_watch", "tasks.method_post_watch"),
    ("mystery_visit", "tasks.method_mystery_visit"),
    ("case_tracking", "tasks.method_case_tracking"),
];

/// INS-03: what an open inspection checks.
pub const FOCUS: [(&str, &str); 4] = [
    ("duty", "tasks.focus_duty"),
    ("burden", "tasks.focus_burden"),
    ("service", "tasks.focus_service"),
    ("discipline", "tasks.focus_discipline"),
];

/// A task as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskInput {
    pub group_id: String,
    pub unit_id: String,
    pub kind: String,
    pub method: String,
    pub focus: Vec<String>,
    pub scheduled_on: String,
    pub note: String,
}

/// A task, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFields {
    pub group_id: Uuid,
    pub unit_id: Uuid,
    pub kind: &'static str,
    pub method: Option<&'static str>,
    pub focus: Vec<String>,
    pub scheduled_on: NaiveDate,
    pub note: String,
}

impl TaskInput {
    /// Checks the fields a task needs; the date must fall in the assessment `year`.
    pub fn validate(&self, year: i32) -> Result<TaskFields, Vec<&'static str>> {
        let mut errors = Vec::new();
        let group_id = Uuid::parse_str(self.group_id.trim()).ok();
        if group_id.is_none() {
            errors.push("error.task_group");
        }
        let unit_id = Uuid::parse_str(self.unit_id.trim()).ok();
        if unit_id.is_none() {
            errors.push("error.task_unit");
        }
        let (kind, method) = match self.kind.as_str() {
            "open" => ("open", None),
            "covert" => match METHODS.iter().find(|m| m.0 == self.method) {
                Some(m) => ("covert", Some(m.0)),
                None => {
                    errors.push("error.task_method");
                    ("covert", None)
                }
            },
            _ => {
                errors.push("error.task_kind");
                ("open", None)
            }
        };
        let focus: Vec<String> = if kind == "open" {
            self.focus
                .iter()
                .filter(|f| FOCUS.iter().any(|k| k.0 == f.as_str()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        if kind == "open" && focus.is_empty() {
            errors.push("error.task_focus");
        }
        let day = NaiveDate::parse_from_str(self.scheduled_on.trim(), "%Y-%m-%d").ok();
        if day.is_none_or(|d| chrono::Datelike::year(&d) != year) {
            errors.push("error.task_date");
        }
        match (group_id, unit_id, day) {
            (Some(group_id), Some(unit_id), Some(scheduled_on)) if errors.is_empty() => {
                Ok(TaskFields {
                    group_id,
                    unit_id,
                    kind,
                    method,
                    focus,
                    scheduled_on,
                    note: self.note.trim().chars().take(500).collect(),
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> TaskInput {
        TaskInput {
            group_id: Uuid::nil().to_string(),
            unit_id: Uuid::nil().to_string(),
            kind: "open".into(),
            focus: vec!["duty".into(), "service".into()],
            scheduled_on: "2026-12-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn ins_03_an_open_inspection_names_what_it_checks() {
        assert!(open().validate(2026).is_ok());
        let none = TaskInput {
            focus: vec![],
            ..open()
        };
        assert_eq!(none.validate(2026), Err(vec!["error.task_focus"]));
    }

    #[test]
    fn ins_07_a_covert_inspection_uses_one_of_the_three_methods() {
        let covert = TaskInput {
            kind: "covert".into(),
            method: "mystery_visit".into(),
            ..open()
        };
        let fields = covert.validate(2026).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (fields.kind, fields.method),
            ("covert", Some("mystery_visit"))
        );
        assert!(fields.focus.is_empty());
        let bad = TaskInput {
            kind: "covert".into(),
            method: "wiretap".into(),
            ..open()
        };
        assert_eq!(bad.validate(2026), Err(vec!["error.task_method"]));
    }

    #[test]
    fn a_task_falls_in_its_assessment_year() {
        assert_eq!(open().validate(2025), Err(vec!["error.task_date"]));
    }
}
