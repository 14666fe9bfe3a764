//! Pages of the inbox: what awaits the user with their notifications, and each role's home page.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::Awaiting;
use super::db::{Counts, UnitNotice, UnitQuarters};
use crate::calendar::Calendar;
use crate::core::Role;
use crate::inspections::self_reports::model::{due_on, quarter_end};
use crate::inspections::views::TaskItem;
use crate::web::PageCtx;

/// One notification as the inbox lists it.
pub struct NotificationItem {
    pub id: Uuid,
    pub message: String,
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "inbox/inbox.html")]
pub struct InboxPage {
    pub ctx: PageCtx,
    pub awaiting: Vec<Awaiting>,
    pub notifications: Vec<NotificationItem>,
    pub unread: usize,
    pub email: String,
    pub errors: Vec<String>,
}

/// A number on a home page, linking to the list behind it.
pub struct Tile {
    pub label: String,
    pub value: i64,
    pub href: String,
    /// shown as a warning when not zero (something is overdue)
    pub alert: bool,
}

/// A supervisor's tasks of today and of the rest of this week (Monday to Sunday), and their
/// drafts not yet submitted.
pub struct TasksSoon {
    pub today: Vec<TaskItem>,
    pub week: Vec<TaskItem>,
    pub drafts: i64,
}

/// A notice the unit must rectify and report on by its deadline, as its liaison's home lists it.
pub struct NoticeDue {
    pub href: String,
    pub number: String,
    pub due: String,
    /// "3 working days left" or "2 days overdue"
    pub left: String,
    pub overdue: bool,
    /// what else the unit should know: it may still appeal until…, its report came back
    pub note: Option<String>,
}

/// A notice of the unit waiting for the office's decision on its appeal or report.
pub struct NoticeWaiting {
    pub href: String,
    pub number: String,
    pub what: &'static str,
}

/// A quarter's self-report the unit has not filed yet (INS-04).
pub struct QuarterDue {
    /// "2026年第3季度"
    pub label: String,
    /// its due date, unless the calendar it needs is not there yet (CAL-1)
    pub due: Option<String>,
    pub missed: bool,
}

/// A liaison's work besides its inbox's counts: the notices to rectify and report on, those
/// waiting for the office, the self-reports not yet filed.
pub struct UnitWork {
    pub to_answer: Vec<NoticeDue>,
    pub waiting: Vec<NoticeWaiting>,
    pub quarters: Vec<QuarterDue>,
}

/// Each role's home: its work, counted, each count or item linking to where it is done.
#[derive(Template)]
#[template(path = "home/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub display_name: String,
    pub role: Role,
    /// the office's queue (admins and staff): what awaits a decision
    pub queue: Option<Vec<Awaiting>>,
    /// an admin's active accounts per role
    pub figures: Vec<Tile>,
    /// a leader's key numbers
    pub tiles: Vec<Tile>,
    pub tasks: Option<TasksSoon>,
    pub unit: Option<UnitWork>,
}

impl HomePage {
    /// What this role does here, from the catalog.
    pub fn role_intro(&self) -> &'static str {
        self.ctx.t(match self.role {
            Role::OfficeAdmin => "home.intro.office_admin",
            Role::OfficeStaff => "home.intro.office_staff",
            Role::Leader => "home.intro.leader",
            Role::Supervisor => "home.intro.supervisor",
            Role::Liaison => "home.intro.liaison",
        })
    }

    /// What the queue says when nothing awaits: what will appear there.
    pub fn queue_empty_key(&self) -> &'static str {
        match self.role {
            Role::Liaison => "home.queue_empty_liaison",
            _ => "home.queue_empty_office",
        }
    }
}

impl Tile {
    pub fn new(ctx: &PageCtx, label: String, value: i64, rel: &str, alert: bool) -> Self {
        Self {
            label,
            value,
            href: ctx.href(rel),
            alert: alert && value > 0,
        }
    }

    /// A leader's key numbers (INS-13), each linking to its list: the open year's confirmed
    /// findings, the notices in force, overdue and appealed, the bulletins published and the
    /// interviews to come.
    pub fn leader(ctx: &PageCtx, c: &Counts) -> Vec<Self> {
        let findings = match c.open_year {
            Some(year) => Self::new(
                ctx,
                ctx.tf("home.tile_findings_confirmed", &year.to_string()),
                c.findings_confirmed,
                &format!("/years/{year}/findings"),
                false,
            ),
            None => Self::new(ctx, ctx.t("home.tile_no_year").into(), 0, "/years", false),
        };
        let tile = |key, value, rel, alert| Self::new(ctx, ctx.t(key).into(), value, rel, alert);
        vec![
            findings,
            tile(
                "home.tile_notices_standing",
                c.notices_standing,
                "/notices?show=standing",
                false,
            ),
            tile(
                "home.tile_notices_overdue",
                c.office_notices_overdue,
                "/notices?show=overdue",
                true,
            ),
            tile(
                "home.tile_appeals",
                c.appeals_to_decide,
                "/notices?show=appealed",
                false,
            ),
            tile(
                "home.tile_bulletins",
                c.bulletins_published,
                "/bulletins",
                false,
            ),
            tile(
                "home.tile_interviews",
                c.interviews_upcoming,
                "/interviews",
                false,
            ),
        ]
    }

    /// An admin's active accounts of each role, each linking to the list of that role's users.
    pub fn accounts(ctx: &PageCtx, counts: &[(String, i64)]) -> Vec<Self> {
        Role::ALL
            .iter()
            .map(|r| {
                let value = counts.iter().find(|c| c.0 == r.as_str()).map_or(0, |c| c.1);
                let rel = format!("/users?role={}", r.as_str());
                Self::new(ctx, ctx.t(r.label_key()).into(), value, &rel, false)
            })
            .collect()
    }
}

impl NoticeDue {
    /// The notice with its deadline as the unit reads it at `now`: working days left (CAL-2),
    /// or days overdue; and whether it may still be appealed (INS-12) or must be reported again.
    pub fn new(ctx: &PageCtx, n: &UnitNotice, now: DateTime<Utc>, calendar: &Calendar) -> Self {
        let (today, due_day) = (ctx.local_date(now), ctx.local_date(n.due_at));
        let overdue = now > n.due_at;
        let left = if overdue {
            let days = (today - due_day).num_days().max(1);
            ctx.tf("home.days_overdue", &days.to_string())
        } else {
            match calendar.working_days_between(today, due_day) {
                Ok(0) => ctx.t("home.due_today").into(),
                Ok(days) => ctx.tf("notices.days_left", &days.to_string()),
                Err(_) => String::new(),
            }
        };
        let note = if !n.appealed && now <= n.appeal_until {
            Some(ctx.tf("home.may_appeal_until", &ctx.local_time(&n.appeal_until)))
        } else if n.report_returned {
            Some(ctx.t("home.report_returned").into())
        } else {
            None
        };
        Self {
            href: ctx.href(&format!("/notices/{}", n.id)),
            number: n.number.clone(),
            due: ctx.local_time(&n.due_at),
            left,
            overdue,
            note,
        }
    }
}

impl NoticeWaiting {
    /// The unit's notices waiting for the office: an appeal to decide, a report to check.
    pub fn of(ctx: &PageCtx, notices: &[UnitNotice]) -> Vec<Self> {
        notices
            .iter()
            .flat_map(|n| {
                let appeal = n.appeal_pending.then_some("home.appeal_pending");
                let report = n.report_pending.then_some("home.report_pending");
                appeal.into_iter().chain(report).map(|what| Self {
                    href: ctx.href(&format!("/notices/{}", n.id)),
                    number: n.number.clone(),
                    what,
                })
            })
            .collect()
    }
}

impl QuarterDue {
    /// INS-04: the quarters of the year that have ended by `today` without the unit's report,
    /// each with its due date by the office's calendar.
    pub fn unfiled(
        ctx: &PageCtx,
        q: &UnitQuarters,
        today: NaiveDate,
        calendar: &Calendar,
    ) -> Vec<Self> {
        (1..=4)
            .filter(|n| !q.filed.contains(n))
            .filter(|&n| quarter_end(q.year, n as u32).is_some_and(|end| today > end))
            .map(|n| {
                let due = due_on(calendar, q.year, n as u32, q.due_days.max(1) as u32).ok();
                Self {
                    label: ctx
                        .t("home.quarter")
                        .replacen("{}", &q.year.to_string(), 1)
                        .replacen("{}", &n.to_string(), 1),
                    due: due.map(|d| d.to_string()),
                    missed: due.is_some_and(|d| today > d),
                }
            })
            .collect()
    }
}
