//! The inspection workflow (INS-02, INS-05, INS-07 to INS-11) as a state machine, pure. A task's
//! results are filed on site as draft findings; the unit signs them or refuses to (INS-10); the
//! group leader submits them (INS-02, INS-11); the office confirms or dismisses each submitted
//! finding (INS-11), a discretionary one at points inside its item's range (INS-08). Handlers
//! load the state, ask [`Task::apply`] or [`Finding::apply`], and persist the transition they are
//! given; they never decide one themselves. Who may see a task at all is decided before, as a 404.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::core::{RuleError, Transition};

/// The kind of inspection (INS-03 open, INS-07 covert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, serde::Serialize)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Open,
    Covert,
}

/// Where a task's results stand: being filed on site, signed by the unit (or its refusal
/// recorded), or submitted to the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStage {
    Filing,
    Signed,
    Submitted,
}

impl TaskStage {
    /// The stage of a task that has (or has not) a sign-off and a submission.
    pub fn of(signed: bool, submitted: bool) -> Self {
        match (signed, submitted) {
            (_, true) => Self::Submitted,
            (true, false) => Self::Signed,
            (false, false) => Self::Filing,
        }
    }

    /// Whether the results are closed to the group (INS-10: nothing changes under the unit's
    /// signature; INS-11: nothing after the submission).
    pub fn closed(self) -> bool {
        self != Self::Filing
    }
}

/// Where a finding stands: draft → submitted → confirmed | dismissed; a draft may be withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum FindingStatus {
    Draft,
    Withdrawn,
    Submitted,
    Confirmed,
    Dismissed,
}

impl FindingStatus {
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Draft => "findings.status_draft",
            Self::Withdrawn => "findings.status_withdrawn",
            Self::Submitted => "findings.status_submitted",
            Self::Confirmed => "findings.status_confirmed",
            Self::Dismissed => "findings.status_dismissed",
        }
    }

    /// How the status badge looks: a deduction (confirmed), with the office (submitted), or plain.
    pub fn tone(self) -> &'static str {
        match self {
            Self::Confirmed => "badge-off",
            Self::Submitted => "badge-on",
            Self::Draft | Self::Withdrawn | Self::Dismissed => "",
        }
    }
}

/// Who filed a finding: a supervisor, or the system when the unit refused to sign (INS-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Origin {
    Supervisor,
    SignoffRefusal,
}

/// The unit's answer to the results (INS-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum SignoffOutcome {
    Signed,
    Refused,
}

/// Who acts on a task, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Who {
    /// The leader of the task's group (INS-02: the leader answers for the group's results).
    pub leads: bool,
}

/// What happens to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskEvent<'a> {
    /// A supervisor files a new draft finding.
    File,
    /// The unit signs the results, or its refusal is recorded.
    SignOff(SignoffOutcome),
    /// The group leader hands the results to the office; `incomplete` numbers the drafts (from 1)
    /// that lack their item or description.
    Submit { incomplete: &'a [usize] },
}

/// A task, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub kind: TaskKind,
    pub stage: TaskStage,
}

impl Task {
    /// INS-10: findings are filed and the unit signs while the results are being filed; nothing
    /// is filed under the unit's signature, and it signs once. INS-02, INS-11: the group leader
    /// submits, once; an open inspection needs the sign-off or its recorded refusal first (a
    /// covert one has none); every draft must be complete.
    pub fn apply(
        self,
        event: TaskEvent<'_>,
        who: Who,
        now: DateTime<Utc>,
    ) -> Result<Transition<TaskStage>, RuleError> {
        use TaskStage::*;
        let to = |to, action| Ok(Transition::new(self.stage, to, action, now));
        match (event, self.stage) {
            (TaskEvent::File, Filing) => to(Filing, "finding.create"),
            (TaskEvent::File, Signed) => Err(RuleError::new("INS-10", "findings.task_closed")),
            (TaskEvent::File, Submitted) => Err(RuleError::new("INS-11", "findings.task_closed")),
            (TaskEvent::SignOff(SignoffOutcome::Signed), Filing) => to(Signed, "task.sign"),
            (TaskEvent::SignOff(SignoffOutcome::Refused), Filing) => {
                to(Signed, "task.sign_refused")
            }
            (TaskEvent::SignOff(_), _) => Err(RuleError::new("INS-10", "signoff.already")),
            (TaskEvent::Submit { .. }, _) if !who.leads => {
                Err(RuleError::new("INS-02", "tasks.submit_leader_only"))
            }
            (TaskEvent::Submit { .. }, Submitted) => {
                Err(RuleError::new("INS-11", "tasks.already_submitted"))
            }
            (TaskEvent::Submit { .. }, Filing) if self.kind == TaskKind::Open => {
                Err(RuleError::new("INS-10", "tasks.submit_needs_signoff"))
            }
            (TaskEvent::Submit { incomplete }, _) if !incomplete.is_empty() => {
                let numbers: Vec<String> = incomplete.iter().map(usize::to_string).collect();
                Err(RuleError::new("INS-11", "tasks.submit_incomplete").with(numbers.join("、")))
            }
            (TaskEvent::Submit { .. }, Filing | Signed) => to(Submitted, "task.submit"),
        }
    }
}

/// What happens to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingEvent<'a> {
    /// The supervisor saves what was typed into the draft.
    Edit,
    /// The supervisor withdraws the draft (a mistake on site); it stays on record.
    Withdraw,
    /// A photo, video or document joins the draft (INS-09).
    AddEvidence,
    /// The office confirms the finding at `points`, the item's range being `range` (INS-08).
    Confirm {
        points: Decimal,
        range: (Decimal, Decimal),
    },
    /// The office dismisses the finding, giving its reason.
    Dismiss { reason: &'a str },
}

/// A finding, as the rules see it: its status, who filed it, and where its task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub status: FindingStatus,
    pub origin: Origin,
    pub task: TaskStage,
}

impl Finding {
    const NOT_SUBMITTED: RuleError = RuleError {
        rule: "INS-11",
        key: "findings.not_submitted",
        arg: None,
    };

    /// INS-11: the office decides only a submitted finding (asked before the points are read, so
    /// that a decided finding says so whatever the points typed).
    pub fn awaits_decision(self) -> Result<(), RuleError> {
        if self.status == FindingStatus::Submitted {
            Ok(())
        } else {
            Err(Self::NOT_SUBMITTED)
        }
    }

    /// INS-10, INS-11: a supervisor's draft is edited, withdrawn and given evidence while its
    /// task's results are being filed; the system's X02 of a refused sign-off stays as filed.
    /// INS-11: the office decides a submitted finding once: confirmed (INS-08: discretionary
    /// points inside the item's range) or dismissed with a reason.
    pub fn apply(
        self,
        event: FindingEvent<'_>,
        _who: Who,
        now: DateTime<Utc>,
    ) -> Result<Transition<FindingStatus>, RuleError> {
        use FindingStatus::*;
        let to = |to, action| Ok(Transition::new(self.status, to, action, now));
        // the group's work ends with the unit's signature (INS-10) or the submission (INS-11)
        let closed = match self.task {
            TaskStage::Filing => None,
            TaskStage::Signed => Some(RuleError::new("INS-10", "findings.closed")),
            TaskStage::Submitted => Some(RuleError::new("INS-11", "findings.closed")),
        };
        let supervisors_draft = self.status == Draft && self.origin == Origin::Supervisor;
        match event {
            FindingEvent::Edit | FindingEvent::Withdraw | FindingEvent::AddEvidence => {
                if let Some(refusal) = closed {
                    return Err(refusal);
                }
                match event {
                    FindingEvent::Edit if supervisors_draft => to(Draft, "finding.save"),
                    FindingEvent::Withdraw if supervisors_draft => {
                        to(Withdrawn, "finding.withdraw")
                    }
                    FindingEvent::AddEvidence if self.status == Draft => to(Draft, "evidence.add"),
                    _ => Err(RuleError::new("INS-10", "findings.closed")),
                }
            }
            FindingEvent::Confirm { .. } | FindingEvent::Dismiss { .. }
                if self.status != Submitted =>
            {
                Err(Self::NOT_SUBMITTED)
            }
            FindingEvent::Confirm {
                points,
                range: (min, max),
            } => {
                if points < min || points > max {
                    return Err(RuleError::new("INS-08", "findings.error_points"));
                }
                to(Confirmed, "finding.confirm")
            }
            FindingEvent::Dismiss { reason } if reason.trim().is_empty() => {
                Err(RuleError::new("INS-11", "findings.error_dismiss_reason"))
            }
            FindingEvent::Dismiss { .. } => to(Dismissed, "finding.dismiss"),
        }
    }
}

/// INS-08: the points a confirmed finding deducts. A fixed item's are its own; a discretionary
/// item's (X01) are the office's to set inside the range: what the office typed, or, when it typed
/// nothing, the supervisor's proposal. What the office typed is never silently replaced.
pub fn points_to_deduct(
    (min, max): (Decimal, Decimal),
    typed: &str,
    proposed: Option<Decimal>,
) -> Result<Decimal, RuleError> {
    if min == max {
        return Ok(min);
    }
    let chosen = match typed.trim() {
        "" => proposed,
        text => text.parse::<Decimal>().ok(),
    };
    match chosen {
        Some(p) if p >= min && p <= max => Ok(p),
        _ => Err(RuleError::new("INS-08", "findings.error_points")),
    }
}

// ---- planning a task (INS-02, INS-03, INS-07) ----

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

/// The longest note a task may carry.
const NOTE_MAX: usize = 500;

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
    pub kind: TaskKind,
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
            "open" => (TaskKind::Open, None),
            "covert" => match METHODS.iter().find(|m| m.0 == self.method) {
                Some(m) => (TaskKind::Covert, Some(m.0)),
                None => {
                    errors.push("error.task_method");
                    (TaskKind::Covert, None)
                }
            },
            _ => {
                errors.push("error.task_kind");
                (TaskKind::Open, None)
            }
        };
        let focus: Vec<String> = if kind == TaskKind::Open {
            self.focus
                .iter()
                .filter(|f| FOCUS.iter().any(|k| k.0 == f.as_str()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        if kind == TaskKind::Open && focus.is_empty() {
            errors.push("error.task_focus");
        }
        if self.note.trim().chars().count() > NOTE_MAX {
            errors.push("error.task_note_long");
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
                    note: self.note.trim().to_string(),
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStage::{Filing, Signed};

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    const LEADER: Who = Who { leads: true };
    const MEMBER: Who = Who { leads: false };

    fn task(kind: TaskKind, stage: TaskStage) -> Task {
        Task { kind, stage }
    }

    /// (kind, stage, event, who) → the stage reached, or the rule that refuses.
    #[test]
    fn ins_02_ins_10_ins_11_every_task_transition_is_allowed_or_refused_by_its_rule() {
        use TaskKind::*;
        use TaskStage::Submitted;
        let none: &[usize] = &[];
        let first_incomplete: &[usize] = &[1, 3];
        let file = TaskEvent::File;
        let sign = TaskEvent::SignOff(SignoffOutcome::Signed);
        let refuse = TaskEvent::SignOff(SignoffOutcome::Refused);
        let submit = TaskEvent::Submit { incomplete: none };
        let submit_incomplete = TaskEvent::Submit {
            incomplete: first_incomplete,
        };
        type Case<'a> = (
            TaskKind,
            TaskStage,
            TaskEvent<'a>,
            Who,
            Result<TaskStage, &'a str>,
        );
        let cases: Vec<Case> = vec![
            (Open, Filing, file, MEMBER, Ok(Filing)),
            (Open, Signed, file, MEMBER, Err("INS-10")),
            (Open, Submitted, file, MEMBER, Err("INS-11")),
            (Covert, Filing, file, MEMBER, Ok(Filing)),
            (Open, Filing, sign, MEMBER, Ok(Signed)),
            (Open, Filing, refuse, MEMBER, Ok(Signed)),
            (Covert, Filing, sign, MEMBER, Ok(Signed)),
            (Open, Signed, sign, MEMBER, Err("INS-10")),
            (Open, Signed, refuse, MEMBER, Err("INS-10")),
            (Open, Submitted, sign, MEMBER, Err("INS-10")),
            (Open, Signed, submit, LEADER, Ok(Submitted)),
            (Open, Signed, submit, MEMBER, Err("INS-02")),
            (Open, Filing, submit, LEADER, Err("INS-10")),
            (Covert, Filing, submit, LEADER, Ok(Submitted)),
            (Covert, Signed, submit, LEADER, Ok(Submitted)),
            (Open, Submitted, submit, LEADER, Err("INS-11")),
            (Covert, Submitted, submit, LEADER, Err("INS-11")),
            (Open, Signed, submit_incomplete, LEADER, Err("INS-11")),
            (Covert, Filing, submit_incomplete, LEADER, Err("INS-11")),
        ];
        for (kind, stage, event, who, expected) in cases {
            let got = task(kind, stage)
                .apply(event, who, now())
                .map(|t| t.to)
                .map_err(|e| e.rule);
            assert_eq!(got, expected, "{kind:?} {stage:?} {event:?} {who:?}");
        }
    }

    #[test]
    fn ins_10_a_refused_sign_off_is_recorded_as_such_and_ends_the_filing() {
        let t = task(TaskKind::Open, Filing)
            .apply(TaskEvent::SignOff(SignoffOutcome::Refused), MEMBER, now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (t.from, t.to, t.action),
            (Filing, Signed, "task.sign_refused")
        );
        assert_eq!(t.at, now());
    }

    #[test]
    fn ins_11_an_incomplete_submission_names_every_incomplete_draft() {
        let refusal = task(TaskKind::Covert, Filing)
            .apply(
                TaskEvent::Submit {
                    incomplete: &[1, 3],
                },
                LEADER,
                now(),
            )
            .err();
        assert_eq!(
            refusal,
            Some(RuleError::new("INS-11", "tasks.submit_incomplete").with("1、3"))
        );
    }

    fn finding(status: FindingStatus, origin: Origin, stage: TaskStage) -> Finding {
        Finding {
            status,
            origin,
            task: stage,
        }
    }

    /// (status, origin, task stage, event) → the status reached, or the rule that refuses.
    #[test]
    fn ins_08_ins_10_ins_11_every_finding_transition_is_allowed_or_refused_by_its_rule() {
        use FindingStatus::*;
        use Origin::*;
        let sent = TaskStage::Submitted;
        let one = Decimal::ONE;
        let five = Decimal::from(5);
        let fixed = (one, one);
        let confirm = FindingEvent::Confirm {
            points: one,
            range: fixed,
        };
        let out_of_range = FindingEvent::Confirm {
            points: Decimal::from(6),
            range: (one, five),
        };
        let dismiss = FindingEvent::Dismiss {
            reason: "证据不足"
        };
        let dismiss_blank = FindingEvent::Dismiss { reason: "  " };
        let (edit, withdraw, evidence) = (
            FindingEvent::Edit,
            FindingEvent::Withdraw,
            FindingEvent::AddEvidence,
        );
        type Case<'a> = (
            FindingStatus,
            Origin,
            TaskStage,
            FindingEvent<'a>,
            Result<FindingStatus, &'a str>,
        );
        let cases: Vec<Case> = vec![
            (Draft, Supervisor, Filing, edit, Ok(Draft)),
            (Draft, Supervisor, Filing, withdraw, Ok(Withdrawn)),
            (Draft, Supervisor, Filing, evidence, Ok(Draft)),
            (Draft, Supervisor, Signed, edit, Err("INS-10")),
            (Draft, Supervisor, Signed, withdraw, Err("INS-10")),
            (Draft, Supervisor, Signed, evidence, Err("INS-10")),
            (Draft, SignoffRefusal, Signed, edit, Err("INS-10")),
            (Draft, SignoffRefusal, Signed, withdraw, Err("INS-10")),
            (Draft, Supervisor, sent, edit, Err("INS-11")),
            (Submitted, Supervisor, sent, edit, Err("INS-11")),
            (Withdrawn, Supervisor, Filing, edit, Err("INS-10")),
            (Withdrawn, Supervisor, Filing, withdraw, Err("INS-10")),
            (Withdrawn, Supervisor, Filing, evidence, Err("INS-10")),
            (Submitted, Supervisor, sent, confirm, Ok(Confirmed)),
            (Submitted, SignoffRefusal, sent, confirm, Ok(Confirmed)),
            (Submitted, Supervisor, sent, out_of_range, Err("INS-08")),
            (Submitted, Supervisor, sent, dismiss, Ok(Dismissed)),
            (Submitted, Supervisor, sent, dismiss_blank, Err("INS-11")),
            (Draft, Supervisor, Filing, confirm, Err("INS-11")),
            (Confirmed, Supervisor, sent, confirm, Err("INS-11")),
            (Confirmed, Supervisor, sent, dismiss, Err("INS-11")),
            (Dismissed, Supervisor, sent, confirm, Err("INS-11")),
            (Withdrawn, Supervisor, sent, dismiss, Err("INS-11")),
        ];
        for (status, origin, stage, event, expected) in cases {
            let got = finding(status, origin, stage)
                .apply(event, MEMBER, now())
                .map(|t| t.to)
                .map_err(|e| e.rule);
            assert_eq!(got, expected, "{status:?} {origin:?} {stage:?} {event:?}");
        }
    }

    #[test]
    fn ins_08_discretionary_points_are_the_offices_inside_the_range_and_never_silently_replaced() {
        let (one, five) = (Decimal::ONE, Decimal::from(5));
        assert_eq!(points_to_deduct((one, one), "4", None), Ok(one));
        assert_eq!(
            points_to_deduct((one, five), "3", Some(five)),
            Ok(Decimal::from(3))
        );
        assert_eq!(
            points_to_deduct((one, five), "", Some(Decimal::from(2))),
            Ok(Decimal::from(2))
        );
        for typed in ["6", "0.5", "三"] {
            assert_eq!(
                points_to_deduct((one, five), typed, Some(Decimal::from(2))).map_err(|e| e.rule),
                Err("INS-08"),
                "{typed}"
            );
        }
        assert!(points_to_deduct((one, five), "", None).is_err());
    }

    // ---- planning a task ----

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
            (TaskKind::Covert, Some("mystery_visit"))
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
