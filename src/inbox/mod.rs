//! The inbox: what awaits each user (a finding to review, an appeal to decide, a report to
//! review, a notice to rectify, something overdue), counted in the navigation on every page, and
//! the notifications kept for them: news written by the handlers (a notice issued to the unit, an
//! appeal or a report decided) and reminders written by the scheduled job one working day before
//! a due date and when it has passed. Mail goes out too when SMTP is configured; it is never
//! required.

pub mod db;
pub mod handlers;
pub mod mail;
pub mod views;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::calendar::CalendarError;
use crate::core::Office;
use crate::core::{CurrentUser, Role};
use db::{NewNotification, Recipients};

/// One kind of thing awaiting a user, how many, and the page where they are.
#[derive(Debug, Clone)]
pub struct Awaiting {
    pub label_key: &'static str,
    pub count: i64,
    pub path: &'static str,
    /// Counted in the navigation's number; false for a part of another line (the overdue among
    /// the notices to rectify), so nothing is counted twice.
    pub in_total: bool,
}

/// The kinds of notification that repeat something [`awaiting`] already counts (a notice to
/// rectify, an overdue notice or follow-up): listed in the inbox, left out of the navigation's
/// number.
const COUNTED_AS_AWAITING: [&str; 3] = ["notice_issued", "notice_overdue", "followup_overdue"];

/// How far back a deadline's passing is still news: older ones are on the awaiting list, not
/// written to the inbox of a user who arrives later.
const OVERDUE_NEWS_DAYS: i64 = 7;

/// What awaits a user, line by line, and the number beside the inbox in the navigation: what
/// awaits, and the unread notifications that are not already among it; nothing is counted twice.
#[derive(Debug, Clone, Default)]
pub struct Inbox {
    pub awaiting: Vec<Awaiting>,
    pub count: i64,
    /// everything counted, for the home pages (a leader's key numbers among them)
    pub counts: db::Counts,
}

/// What awaits the user: as the navigation counted it for this request (`counted`), else
/// counted now.
pub async fn counted_or_now(
    counted: Option<Inbox>,
    conn: &mut PgConnection,
    user: &CurrentUser,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Inbox, sqlx::Error> {
    match counted {
        Some(inbox) => Ok(inbox),
        None => awaiting(conn, user, now, tz).await,
    }
}

/// What awaits this user `now` (by the application's clock, in the office's zone `tz`), as their
/// role sees it (kinds with nothing waiting are left out), counted in one statement.
pub async fn awaiting(
    conn: &mut PgConnection,
    user: &CurrentUser,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Inbox, sqlx::Error> {
    let today = crate::core::time::local_date(tz, now);
    let who = db::CountFor {
        user_id: user.id,
        office: matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
        unit_id: user.unit_id.filter(|_| user.role == Role::Liaison),
        supervisor: user.role == Role::Supervisor,
        leader: user.role == Role::Leader,
        besides: &COUNTED_AS_AWAITING,
    };
    let c = db::counts(conn, who, now, today).await?;
    Ok(Inbox::of(user.role, c))
}

/// The office's key numbers as a leader reads them (INS-13), whoever asks: the leaders'
/// dashboard shows them to office staff too.
pub async fn key_numbers(
    conn: &mut PgConnection,
    user: &CurrentUser,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<db::Counts, sqlx::Error> {
    let today = crate::core::time::local_date(tz, now);
    let who = db::CountFor {
        user_id: user.id,
        office: false,
        unit_id: None,
        supervisor: false,
        leader: true,
        besides: &COUNTED_AS_AWAITING,
    };
    db::counts(conn, who, now, today).await
}

impl Inbox {
    /// The lines of `role`'s inbox from the counts, each linking to the list it counts.
    fn of(role: Role, c: db::Counts) -> Self {
        let lines = match role {
            Role::OfficeAdmin | Role::OfficeStaff => vec![
                (
                    "inbox.findings_to_review",
                    c.findings_to_review,
                    "/review",
                    true,
                ),
                (
                    "inbox.appeals_to_decide",
                    c.appeals_to_decide,
                    "/notices?show=appealed",
                    true,
                ),
                (
                    "inbox.reports_to_review",
                    c.reports_to_review,
                    "/notices?show=reported",
                    true,
                ),
                (
                    "inbox.notices_overdue",
                    c.office_notices_overdue,
                    "/notices?show=overdue",
                    true,
                ),
                (
                    "inbox.actions_overdue",
                    c.actions_overdue,
                    "/interviews",
                    true,
                ),
            ],
            // the overdue are among the notices to rectify: listed, not counted again
            Role::Liaison => vec![
                (
                    "inbox.notices_to_rectify",
                    c.notices_to_rectify,
                    "/notices?show=to_rectify",
                    true,
                ),
                (
                    "inbox.notices_overdue",
                    c.unit_notices_overdue,
                    "/notices?show=overdue",
                    false,
                ),
                (
                    "inbox.bulletins_unread",
                    c.bulletins_unread,
                    "/bulletins",
                    true,
                ),
            ],
            Role::Supervisor => vec![("inbox.drafts", c.drafts, "/tasks", true)],
            Role::Leader => Vec::new(),
        };
        let awaiting: Vec<Awaiting> = lines
            .into_iter()
            .filter(|(_, count, _, _)| *count > 0)
            .map(|(label_key, count, path, in_total)| Awaiting {
                label_key,
                count,
                path,
                in_total,
            })
            .collect();
        let waiting: i64 = awaiting
            .iter()
            .filter(|a| a.in_total)
            .map(|a| a.count)
            .sum();
        Self {
            awaiting,
            count: waiting + c.unread,
            counts: c,
        }
    }
}

/// The navigation's count of each user (office, user), kept a short while ([`crate::db::Memo`]): counting what
/// awaits an office takes half a dozen scans, and every page shows it. The inbox page lists the
/// same lines.
pub type CountCache = crate::db::Memo<(Uuid, Uuid), Inbox>;

/// The unit's liaisons hear of a notice issued to it (INS-11).
pub async fn notice_issued(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    unit_id: Uuid,
    notice_id: Uuid,
    number: &str,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    let link = format!("/notices/{notice_id}");
    let n = NewNotification {
        kind: "notice_issued",
        subject_type: "rectification_notice",
        subject_id: notice_id,
        occasion: today,
        detail: json!({ "number": number }),
        link: &link,
    };
    db::notify(conn, tenant_id, Recipients::Unit(unit_id), &n).await?;
    Ok(())
}

/// What a decision was about: a notice's appeal, or one of its reports (each report is heard of
/// once).
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Notice(Uuid),
    Report { notice_id: Uuid, report_id: Uuid },
}

/// The unit's liaisons hear how the office decided its appeal (INS-12) or report (INS-11):
/// `kind` is `appeal_decided`, `report_returned` or `report_accepted`.
pub async fn notice_decided(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    unit_id: Uuid,
    subject: Subject,
    kind: &'static str,
    detail: serde_json::Value,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    let (notice_id, subject_type, subject_id) = match subject {
        Subject::Notice(id) => (id, "rectification_notice", id),
        Subject::Report {
            notice_id,
            report_id,
        } => (notice_id, "rectification_report", report_id),
    };
    let link = format!("/notices/{notice_id}");
    let n = NewNotification {
        kind,
        subject_type,
        subject_id,
        occasion: today,
        detail,
        link: &link,
    };
    db::notify(conn, tenant_id, Recipients::Unit(unit_id), &n).await?;
    Ok(())
}

/// News of a complaint for the liaisons of the unit that holds it.
#[derive(Debug, Clone, Copy)]
pub struct ComplaintNews<'a> {
    /// `complaint_assigned`, `complaint_transferred`, `complaint_urged`, `suggestion_forwarded`
    /// or `complaint_signed_automatically`
    pub kind: &'static str,
    pub complaint_id: Uuid,
    pub number: &'a str,
    /// the step of the timeline it tells of when each such step is news of its own (an urge);
    /// none: the complaint, heard of once a day
    pub step_id: Option<Uuid>,
}

/// The unit's liaisons hear of a complaint routed to it (CMP-08: assigned, transferred, urged,
/// or its receipt recorded by the scheduled job) or of a suggestion forwarded for reference
/// (CMP-05); how many were told.
pub async fn complaint_news(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    unit_id: Uuid,
    news: &ComplaintNews<'_>,
    today: NaiveDate,
) -> Result<u64, sqlx::Error> {
    let link = format!("/complaints/{}", news.complaint_id);
    let (subject_type, subject_id) = match news.step_id {
        Some(step) => ("complaint_event", step),
        None => ("complaint", news.complaint_id),
    };
    let n = NewNotification {
        kind: news.kind,
        subject_type,
        subject_id,
        occasion: today,
        detail: json!({ "number": news.number }),
        link: &link,
    };
    db::notify(conn, tenant_id, Recipients::Unit(unit_id), &n).await
}

/// The scheduled reminders of one office for `today` (its own date). A deadline falling after
/// today and by the next working day (CAL-2) is reminded of now: a standing notice's to its unit
/// (unless a report already awaits the office), an interview's follow-up action (INS-13) to the
/// office and the unit, a quarter's self-report (INS-04) to each listed unit that has not
/// reported. A notice or follow-up whose day has passed tells the unit and the office, once
/// (only in the week after, so that a user who arrives later is not flooded). The unique key
/// keeps every reminder to once, whichever round writes it. Returns how many were written.
pub async fn make_reminders(
    conn: &mut PgConnection,
    office: &Office,
    today: NaiveDate,
) -> anyhow::Result<u64> {
    let calendar = crate::calendar::load(conn).await?;
    // CAL-1: a year without a calendar is never guessed
    let next = match calendar.add_working_days(today, 1) {
        Ok(next) => Some(next),
        Err(CalendarError::MissingYear(year)) => {
            tracing::warn!(office = %office.code, year, "reminders need the next working day's calendar");
            None
        }
        Err(error) => return Err(error.into()),
    };
    let due_soon = |due: NaiveDate| today < due && next.is_some_and(|next| due <= next);
    let overdue = |due: NaiveDate| due < today && (today - due).num_days() <= OVERDUE_NEWS_DAYS;
    let tz = office.tz();
    let mut written = 0;
    for (id, number, unit_id, due_at, reported) in db::standing_notices(conn).await? {
        let due_day = due_at.with_timezone(&tz).date_naive();
        let (kind, to_office) = if due_soon(due_day) && !reported {
            ("notice_due_tomorrow", false)
        } else if overdue(due_day) {
            ("notice_overdue", true)
        } else {
            continue;
        };
        let link = format!("/notices/{id}");
        let reminder = NewNotification {
            kind,
            subject_type: "rectification_notice",
            subject_id: id,
            occasion: due_day,
            detail: json!({ "number": number, "due": due_day.to_string() }),
            link: &link,
        };
        written += db::notify(conn, office.id, Recipients::Unit(unit_id), &reminder).await?;
        if to_office {
            written += db::notify(conn, office.id, Recipients::Office, &reminder).await?;
        }
    }
    for (id, interview_id, unit_id, content, due_day) in db::open_actions(conn).await? {
        let kind = if due_soon(due_day) {
            "followup_due_tomorrow"
        } else if overdue(due_day) {
            "followup_overdue"
        } else {
            continue;
        };
        let link = format!("/interviews/{interview_id}");
        let what: String = content.chars().take(40).collect();
        let reminder = NewNotification {
            kind,
            subject_type: "interview_action",
            subject_id: id,
            occasion: due_day,
            detail: json!({ "number": what, "due": due_day.to_string() }),
            link: &link,
        };
        written += db::notify(conn, office.id, Recipients::Office, &reminder).await?;
        written += db::notify(conn, office.id, Recipients::Unit(unit_id), &reminder).await?;
    }
    written += remind_self_reports(conn, office, due_soon).await?;
    Ok(written)
}

/// INS-04: a quarter's self-report due by the next working day reminds each listed unit that has
/// not filed it.
async fn remind_self_reports(
    conn: &mut PgConnection,
    office: &Office,
    due_soon: impl Fn(NaiveDate) -> bool,
) -> anyhow::Result<u64> {
    let mut written = 0;
    for (year_id, year) in crate::inspections::db::open_years(conn).await? {
        let dues = crate::inspections::self_reports::quarter_dues(conn, year).await?;
        let soon: Vec<(u32, NaiveDate)> = (1..=4u32)
            .zip(dues)
            .filter_map(|(quarter, due)| due.ok().map(|due| (quarter, due)))
            .filter(|(_, due)| due_soon(*due))
            .collect();
        if soon.is_empty() {
            continue;
        }
        let units = crate::inspections::db::listed_units(conn, year_id).await?;
        let reports = crate::inspections::self_reports::db::self_reports(conn, year_id).await?;
        for (quarter, due) in soon {
            for unit in &units {
                if reports
                    .iter()
                    .any(|r| r.0 == unit.id && r.1 == quarter as i32)
                {
                    continue;
                }
                let reminder = NewNotification {
                    kind: "self_report_due_tomorrow",
                    subject_type: "unit",
                    subject_id: unit.id,
                    occasion: due,
                    detail: json!({
                        "number": format!("{year}年第{quarter}季度"),
                        "due": due.to_string(),
                    }),
                    link: "/self-reports",
                };
                written +=
                    db::notify(conn, office.id, Recipients::Unit(unit.id), &reminder).await?;
            }
        }
    }
    Ok(written)
}

/// A notification's message in the reader's language.
pub fn message(lang: crate::i18n::Lang, kind: &str, detail: &serde_json::Value) -> String {
    let text = |key: &str| detail.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let key = format!("inbox.kind_{kind}");
    lang.t(&key)
        .replacen("{number}", text("number"), 1)
        .replacen("{due}", text("due"), 1)
        .replacen("{decision}", &decision_text(lang, text("decision")), 1)
}

fn decision_text(lang: crate::i18n::Lang, decision: &str) -> String {
    match decision {
        "upheld" => lang.t("notices.decision_upheld").to_string(),
        "rejected" => lang.t("notices.decision_rejected").to_string(),
        _ => String::new(),
    }
}
