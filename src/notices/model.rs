//! The rectification notice's workflow (INS-11, INS-12) as a state machine, pure. An issued
//! notice may be appealed by its unit once, until the end of the 2nd working day after issue; the
//! office upholds the appeal (the notice is withdrawn) or rejects it (the unit must comply). The
//! unit reports its rectification, one report awaiting the office at a time; the office accepts
//! it (the notice closes) or returns it with its reasons. Handlers load the notice, ask
//! [`Notice::apply`], and persist the transition; they never decide one themselves.

use chrono::{DateTime, Utc};

use crate::calendar::{Calendar, CalendarError, deadline_at};
use crate::core::{RuleError, Transition};

/// INS-12: working days the unit has to appeal a notice.
pub const APPEAL_WORKING_DAYS: u32 = 2;

/// The longest reasons of an appeal, a decision or a return, and the longest report.
pub const REASONS_MAX: usize = 5000;
pub const REPORT_MAX: usize = 10_000;

/// Where a notice stands: issued (in force), withdrawn (an upheld appeal), or closed (its
/// rectification report accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum NoticeStatus {
    Issued,
    Withdrawn,
    Closed,
}

/// The office's decision on an appeal (INS-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, serde::Serialize)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AppealDecision {
    Upheld,
    Rejected,
}

impl AppealDecision {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "upheld" => Some(Self::Upheld),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::Upheld => "notices.decision_upheld",
            Self::Rejected => "notices.decision_rejected",
        }
    }
}

/// The office's decision on a rectification report (INS-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ReportDecision {
    Accepted,
    Returned,
}

impl ReportDecision {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "accepted" => Some(Self::Accepted),
            "returned" => Some(Self::Returned),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::Accepted => "notices.report_state_accepted",
            Self::Returned => "notices.report_state_returned",
        }
    }

    /// How the decision's badge looks.
    pub fn tone(self) -> &'static str {
        match self {
            Self::Accepted => "badge-on",
            Self::Returned => "badge-warn",
        }
    }
}

/// Where the notice's appeal stands: none yet, awaiting the office, or decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appeal {
    None,
    Pending,
    Decided(AppealDecision),
}

impl Appeal {
    /// The appeal of a notice that has one (`appealed`) with its decision, if any.
    pub fn of(appealed: bool, decision: Option<AppealDecision>) -> Self {
        match (appealed, decision) {
            (false, _) => Self::None,
            (true, None) => Self::Pending,
            (true, Some(decision)) => Self::Decided(decision),
        }
    }
}

/// A notice, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub status: NoticeStatus,
    /// INS-12: the end of the appeal window (the 2nd working day after issue, 23:59:59).
    pub appeal_until: DateTime<Utc>,
    pub appeal: Appeal,
    /// A rectification report awaits the office.
    pub report_pending: bool,
}

/// What happens to a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeEvent<'a> {
    /// The unit appeals the facts, with its reasons (INS-12).
    Appeal { reasons: &'a str },
    /// The office decides the appeal, with its reason (INS-12).
    DecideAppeal {
        decision: AppealDecision,
        reason: &'a str,
    },
    /// The unit reports what it did (INS-11).
    Report { content: &'a str },
    /// The office accepts the pending report or returns it with its reasons (INS-11).
    DecideReport {
        decision: ReportDecision,
        reason: &'a str,
    },
}

/// Who acts on a notice, as far as the rules care (who may see it at all is decided before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The liaison of the notice's unit.
    Unit,
    /// The office's staff.
    Office,
}

fn too_long(text: &str, max: usize) -> bool {
    text.chars().count() > max
}

impl Notice {
    /// INS-12: why the unit may not appeal at `now`, if it may not: the notice is no longer in
    /// force, it has been appealed once, or the window has closed.
    pub fn appeal_refusal(&self, now: DateTime<Utc>) -> Option<RuleError> {
        match (self.status, self.appeal) {
            (_, Appeal::Pending | Appeal::Decided(_)) => {
                Some(RuleError::new("INS-12", "notices.appeal_already"))
            }
            (NoticeStatus::Issued, Appeal::None) if now > self.appeal_until => {
                Some(RuleError::new("INS-12", "notices.appeal_window_closed"))
            }
            (NoticeStatus::Issued, Appeal::None) => None,
            _ => Some(RuleError::new("INS-12", "notices.appeal_not_open")),
        }
    }

    /// INS-11: the unit may report while the notice stands and no report awaits the office.
    pub fn may_report(&self) -> bool {
        self.status == NoticeStatus::Issued && !self.report_pending
    }

    /// INS-11, INS-12: the unit appeals (in force, once, in time) and reports (in force, one
    /// report awaiting the office at a time); the office decides a pending appeal (upheld: the
    /// notice is withdrawn) and a pending report (accepted: the notice closes; returned with its
    /// reasons: the notice stands).
    pub fn apply(
        &self,
        event: NoticeEvent<'_>,
        who: Who,
        now: DateTime<Utc>,
    ) -> Result<Transition<NoticeStatus>, RuleError> {
        use NoticeStatus::*;
        let to = |to, action| Ok(Transition::new(self.status, to, action, now));
        let unit_only = RuleError::new("INS-11", "notices.error_not_unit");
        let office_only = RuleError::new("INS-11", "notices.error_not_office");
        match event {
            NoticeEvent::Appeal { .. } if who != Who::Unit => Err(unit_only),
            NoticeEvent::Report { .. } if who != Who::Unit => Err(unit_only),
            NoticeEvent::DecideAppeal { .. } if who != Who::Office => Err(office_only),
            NoticeEvent::DecideReport { .. } if who != Who::Office => Err(office_only),
            NoticeEvent::Appeal { reasons } => {
                if let Some(refusal) = self.appeal_refusal(now) {
                    return Err(refusal);
                }
                if reasons.trim().is_empty() || too_long(reasons, REASONS_MAX) {
                    return Err(RuleError::new("INS-12", "notices.error_reasons"));
                }
                to(Issued, "notice.appeal")
            }
            NoticeEvent::DecideAppeal { decision, reason } => {
                if self.appeal != Appeal::Pending {
                    return Err(RuleError::new("INS-12", "notices.error_no_appeal"));
                }
                if reason.trim().is_empty() || too_long(reason, REASONS_MAX) {
                    return Err(RuleError::new("INS-12", "notices.error_decision_reason"));
                }
                // A notice closed on an accepted report while its appeal waited stays closed;
                // an upheld appeal still reverses its deductions (the handler's part).
                match (decision, self.status) {
                    (AppealDecision::Upheld, Issued) => to(Withdrawn, "notice.appeal_upheld"),
                    (AppealDecision::Upheld, _) => to(self.status, "notice.appeal_upheld"),
                    (AppealDecision::Rejected, _) => to(self.status, "notice.appeal_rejected"),
                }
            }
            NoticeEvent::Report { content } => {
                if !self.may_report() {
                    return Err(RuleError::new("INS-11", "notices.report_not_open"));
                }
                if content.trim().is_empty() || too_long(content, REPORT_MAX) {
                    return Err(RuleError::new("INS-11", "notices.error_report"));
                }
                to(Issued, "notice.report")
            }
            NoticeEvent::DecideReport { decision, reason } => {
                if !self.report_pending || self.status == Closed {
                    return Err(RuleError::new("INS-11", "notices.error_no_report"));
                }
                // A report that waited while the appeal withdrew its notice is still answered,
                // but a withdrawn notice does not close.
                match decision {
                    ReportDecision::Accepted if self.status == Withdrawn => {
                        to(Withdrawn, "notice.report_accepted")
                    }
                    ReportDecision::Accepted => to(Closed, "notice.report_accepted"),
                    ReportDecision::Returned
                        if reason.trim().is_empty() || too_long(reason, REASONS_MAX) =>
                    {
                        Err(RuleError::new("INS-11", "notices.error_return_reason"))
                    }
                    ReportDecision::Returned => to(self.status, "notice.report_returned"),
                }
            }
        }
    }
}

/// The deadlines of a notice issued at `issued_at`: (rectification due, appeal until), each the
/// end of its working day (CAL-2).
pub fn deadlines(
    calendar: &Calendar,
    issued_at: DateTime<Utc>,
    working_days: u32,
    tz: chrono_tz::Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), CalendarError> {
    Ok((
        deadline_at(calendar, issued_at, working_days, tz)?,
        deadline_at(calendar, issued_at, APPEAL_WORKING_DAYS, tz)?,
    ))
}

/// Which notices a list shows (`/notices?show=…`): each is the list behind a count of the
/// inbox, the home pages and the overview, and admits exactly what that count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoticeFilter {
    #[default]
    All,
    /// in force (INS-11): issued, neither withdrawn nor closed
    Standing,
    /// in force with no report awaiting the office: the unit's turn to rectify and report
    ToRectify,
    /// in force past its deadline with no report awaiting the office
    Overdue,
    /// an appeal awaits the office's decision (INS-12)
    Appealed,
    /// a rectification report awaits the office's decision (INS-11)
    Reported,
}

impl NoticeFilter {
    /// Every filter, in the order the list's tabs show them.
    pub const ALL: [Self; 6] = [
        Self::All,
        Self::Standing,
        Self::ToRectify,
        Self::Overdue,
        Self::Appealed,
        Self::Reported,
    ];

    /// The filter named in a link (anything else: all notices).
    pub fn parse(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == value)
            .unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Standing => "standing",
            Self::ToRectify => "to_rectify",
            Self::Overdue => "overdue",
            Self::Appealed => "appealed",
            Self::Reported => "reported",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::All => "notices.filter_all",
            Self::Standing => "notices.filter_standing",
            Self::ToRectify => "notices.filter_to_rectify",
            Self::Overdue => "notices.filter_overdue",
            Self::Appealed => "notices.filter_appealed",
            Self::Reported => "notices.filter_reported",
        }
    }

    /// Whether the list shows `notice`, `past_due` when its rectification deadline has passed.
    pub fn admits(self, notice: &Notice, past_due: bool) -> bool {
        let standing = notice.status == NoticeStatus::Issued;
        match self {
            Self::All => true,
            Self::Standing => standing,
            Self::ToRectify => standing && !notice.report_pending,
            Self::Overdue => standing && !notice.report_pending && past_due,
            Self::Appealed => notice.appeal == Appeal::Pending,
            Self::Reported => notice.report_pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppealDecision::*;
    use NoticeStatus::*;
    use ReportDecision::*;
    use chrono::TimeZone;

    /// CAL-1: the official calendars the product ships.
    fn calendar_2026() -> Calendar {
        Calendar::new(crate::calendar::shipped())
    }

    fn at(s: &str) -> DateTime<Utc> {
        let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default();
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn notice(status: NoticeStatus, appeal: Appeal, report_pending: bool) -> Notice {
        Notice {
            status,
            appeal_until: at("2026-11-30 23:59"),
            appeal,
            report_pending,
        }
    }

    #[test]
    fn ins_12_an_appeal_on_the_2nd_working_day_is_in_time_and_on_the_3rd_is_not_across_a_weekend() {
        // issued on Thursday 2026-11-26: Friday is the 1st working day, Monday the 2nd
        let (_, until) = deadlines(
            &calendar_2026(),
            at("2026-11-26 15:00"),
            10,
            chrono_tz::Asia::Shanghai,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let n = Notice {
            appeal_until: until,
            ..notice(Issued, Appeal::None, false)
        };
        let appeal = NoticeEvent::Appeal {
            reasons: "事实有误",
        };
        assert!(n.apply(appeal, Who::Unit, at("2026-11-30 23:59")).is_ok());
        let late = n.apply(appeal, Who::Unit, at("2026-12-01 00:01"));
        assert_eq!(
            late.map_err(|e| (e.rule, e.key)),
            Err(("INS-12", "notices.appeal_window_closed"))
        );
    }

    #[test]
    fn ins_12_the_appeal_window_skips_the_2026_national_day_holiday() {
        // issued on Wednesday 2026-09-30: the National Day holiday runs 10-01 to 10-07, so the
        // 1st working day is 10-08 and the 2nd is 10-09 (10-10, a Saturday, is a make-up working
        // day, so an appeal then is a day late)
        let (_, until) = deadlines(
            &calendar_2026(),
            at("2026-09-30 10:00"),
            10,
            chrono_tz::Asia::Shanghai,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let n = Notice {
            appeal_until: until,
            ..notice(Issued, Appeal::None, false)
        };
        assert_eq!(n.appeal_refusal(at("2026-10-09 18:00")), None);
        assert!(n.appeal_refusal(at("2026-10-10 09:00")).is_some());
    }

    /// (status, appeal, report pending, event, who) → the status reached, or the rule that refuses.
    /// Long on purpose: one row per transition, so the table is the whole state machine at a glance.
    #[test]
    fn ins_11_ins_12_every_notice_transition_is_allowed_or_refused_by_its_rule() {
        let in_time = at("2026-11-30 10:00");
        let late = at("2026-12-01 10:00");
        let appeal = NoticeEvent::Appeal {
            reasons: "事实有误",
        };
        let blank_appeal = NoticeEvent::Appeal { reasons: " " };
        let uphold = NoticeEvent::DecideAppeal {
            decision: Upheld,
            reason: "证据充分",
        };
        let reject = NoticeEvent::DecideAppeal {
            decision: Rejected,
            reason: "证据不足",
        };
        let reject_silently = NoticeEvent::DecideAppeal {
            decision: Rejected,
            reason: "",
        };
        let report = NoticeEvent::Report {
            content: "已整改"
        };
        let accept = NoticeEvent::DecideReport {
            decision: Accepted,
            reason: "",
        };
        let give_back = NoticeEvent::DecideReport {
            decision: Returned,
            reason: "缺少照片",
        };
        let give_back_silently = NoticeEvent::DecideReport {
            decision: Returned,
            reason: "",
        };
        let pending = Appeal::Pending;
        let none = Appeal::None;
        let rejected = Appeal::Decided(Rejected);
        let upheld = Appeal::Decided(Upheld);
        const E11: Result<NoticeStatus, &str> = Err("INS-11");
        const E12: Result<NoticeStatus, &str> = Err("INS-12");
        type Case<'a> = (
            NoticeStatus,
            Appeal,
            bool,
            NoticeEvent<'a>,
            Who,
            DateTime<Utc>,
            Result<NoticeStatus, &'a str>,
        );
        let (u, o, t, l) = (Who::Unit, Who::Office, in_time, late);
        let cases: Vec<Case> = vec![
            (Issued, none, false, appeal, u, t, Ok(Issued)),
            (Issued, none, false, appeal, u, l, E12),
            (Issued, none, false, blank_appeal, u, t, E12),
            (Issued, pending, false, appeal, u, t, E12),
            (Issued, rejected, false, appeal, u, t, E12),
            (Withdrawn, upheld, false, appeal, u, t, E12),
            (Closed, none, false, appeal, u, t, E12),
            (Issued, none, false, appeal, o, t, E11),
            (Issued, pending, false, uphold, o, l, Ok(Withdrawn)),
            (Issued, pending, false, reject, o, l, Ok(Issued)),
            (Issued, pending, false, reject_silently, o, l, E12),
            (Issued, none, false, uphold, o, l, E12),
            (Issued, rejected, false, uphold, o, l, E12),
            (Issued, pending, false, uphold, u, l, E11),
            // closed on an accepted report while the appeal waited: it stays closed either way
            (Closed, pending, false, uphold, o, l, Ok(Closed)),
            (Closed, pending, false, reject, o, l, Ok(Closed)),
            (Issued, none, false, report, u, l, Ok(Issued)),
            (Issued, pending, false, report, u, l, Ok(Issued)),
            (Issued, none, true, report, u, l, E11),
            (Closed, none, false, report, u, l, E11),
            (Withdrawn, none, false, report, u, l, E11),
            (Issued, none, true, accept, o, l, Ok(Closed)),
            (Issued, none, true, give_back, o, l, Ok(Issued)),
            (Issued, none, true, give_back_silently, o, l, E11),
            (Issued, none, false, accept, o, l, E11),
            (Closed, none, false, accept, o, l, E11),
            (Issued, none, true, accept, u, l, E11),
            // a report that waited while the appeal withdrew the notice is answered; nothing moves
            (Withdrawn, upheld, true, accept, o, l, Ok(Withdrawn)),
            (Withdrawn, upheld, true, give_back, o, l, Ok(Withdrawn)),
        ];
        for (status, appeal, report_pending, event, who, now, expected) in cases {
            let got = notice(status, appeal, report_pending)
                .apply(event, who, now)
                .map(|t| t.to)
                .map_err(|e| e.rule);
            assert_eq!(
                got, expected,
                "{status:?} {appeal:?} {report_pending} {event:?} {who:?}"
            );
        }
    }

    #[test]
    fn ins_12_an_upheld_appeal_withdraws_the_notice_and_says_so_in_the_log() {
        let step = notice(Issued, Appeal::Pending, false)
            .apply(
                NoticeEvent::DecideAppeal {
                    decision: Upheld,
                    reason: "证据充分",
                },
                Who::Office,
                at("2026-12-02 09:00"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((step.from, step.to), (Issued, Withdrawn));
        assert_eq!(step.action, "notice.appeal_upheld");
    }

    #[test]
    fn a_notice_list_filter_admits_what_its_count_counts() {
        let standing = notice(Issued, Appeal::None, false);
        let reported = notice(Issued, Appeal::None, true);
        let appealed_closed = notice(Closed, Appeal::Pending, false);
        let withdrawn = notice(Withdrawn, Appeal::Decided(Upheld), false);
        use NoticeFilter as F;
        assert!(F::Standing.admits(&standing, false) && F::Standing.admits(&reported, true));
        assert!(!F::Standing.admits(&withdrawn, true));
        assert!(F::ToRectify.admits(&standing, true) && !F::ToRectify.admits(&reported, false));
        assert!(F::Overdue.admits(&standing, true) && !F::Overdue.admits(&standing, false));
        assert!(!F::Overdue.admits(&reported, true));
        assert!(
            F::Appealed.admits(&appealed_closed, false) && !F::Appealed.admits(&standing, false)
        );
        assert!(F::Reported.admits(&reported, false) && !F::Reported.admits(&standing, false));
        assert!(F::All.admits(&withdrawn, false));
        for filter in F::ALL {
            assert_eq!(F::parse(filter.as_str()), filter);
        }
        assert_eq!(F::parse("anything"), F::All);
    }
}
