//! Pages of notices: the form that issues one, the list, the notice itself (a printable official
//! document, and the same document as PDF), and the leaders' overview.

use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::bulletins::views::BulletinOverview;
use super::db::{AppealRow, Glance, NoticeFinding, NoticeRow, ReportRow};
use super::interviews::views::InterviewOverview;
use super::model::{Appeal, AppealDecision, NoticeFilter, NoticeStatus};
use crate::audit::views::TimelineEntry;
use crate::inspections::db::TaskDetail;
use crate::web::PageCtx;

/// The typed fields of a new notice.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    /// the findings ticked (the form's repeated `finding` field)
    #[serde(rename = "finding")]
    pub findings: Vec<String>,
    pub basis: String,
    pub requirements: String,
    pub working_days: String,
}

#[derive(Template)]
#[template(path = "notices/new.html")]
pub struct NewNoticePage {
    pub ctx: PageCtx,
    pub task: TaskDetail,
    pub candidates: Vec<NoticeFinding>,
    pub form: NoticeForm,
    pub errors: Vec<String>,
}

impl NewNoticePage {
    pub fn chosen(&self, id: &Uuid) -> bool {
        self.form.findings.iter().any(|f| *f == id.to_string())
    }
}

/// A notice as the list shows it, with where it stands.
#[derive(Clone)]
pub struct NoticeItem {
    pub href: String,
    pub number: String,
    pub unit: String,
    pub issued: String,
    pub due: String,
    pub state_key: &'static str,
    pub overdue: bool,
}

/// Where a notice stands, as its badge says it.
pub fn state_key(n: &NoticeRow) -> &'static str {
    match (n.status, n.notice().appeal) {
        (NoticeStatus::Withdrawn, _) => "notices.state_withdrawn",
        (NoticeStatus::Closed, _) => "notices.state_closed",
        (_, Appeal::Pending) => "notices.state_appealed",
        (_, Appeal::Decided(AppealDecision::Rejected)) => "notices.state_appeal_rejected",
        _ => "notices.state_issued",
    }
}

impl NoticeItem {
    /// A notice as the lists show it; overdue when it stands past its deadline at `now`.
    pub fn new(ctx: &PageCtx, n: &NoticeRow, now: DateTime<Utc>) -> Self {
        Self {
            href: ctx.href(&format!("/notices/{}", n.id)),
            number: n.number.clone(),
            unit: n.unit_name.clone(),
            issued: ctx.local_time(&n.issued_at),
            due: ctx.local_time(&n.due_at),
            state_key: state_key(n),
            overdue: n.overdue(now),
        }
    }

    /// The export's columns (catalog keys), in the order of [`Self::cells`].
    pub const COLUMNS: [&'static str; 6] = [
        "notices.number",
        "notices.unit",
        "notices.issued_at",
        "notices.due",
        "notices.state",
        "notices.overdue",
    ];

    /// The notice as an export's row: what its card shows, one column each.
    pub fn cells(self, ctx: &PageCtx) -> Vec<String> {
        let overdue = if self.overdue {
            ctx.t("notices.overdue")
        } else {
            ""
        };
        vec![
            self.number,
            self.unit,
            self.issued,
            self.due,
            ctx.t(self.state_key).to_string(),
            overdue.to_string(),
        ]
    }
}

#[derive(Template)]
#[template(path = "notices/list.html")]
pub struct NoticesPage {
    pub ctx: PageCtx,
    pub notices: Vec<NoticeItem>,
    pub filter: NoticeFilter,
}

impl NoticesPage {
    /// The list's tabs: (link, label, the one shown).
    pub fn tabs(&self) -> Vec<(String, &'static str, bool)> {
        NoticeFilter::ALL
            .iter()
            .map(|&f| {
                let href = match f {
                    NoticeFilter::All => self.ctx.href("/notices"),
                    _ => self.ctx.href(&format!("/notices?show={}", f.as_str())),
                };
                (href, self.ctx.t(f.label_key()), f == self.filter)
            })
            .collect()
    }

    /// The export links keep the filter shown: the query after the file name.
    pub fn export_query(&self) -> String {
        match self.filter {
            NoticeFilter::All => String::new(),
            f => format!("?show={}", f.as_str()),
        }
    }

    /// What the empty list says: what appears here, and how it comes to.
    pub fn empty_key(&self) -> &'static str {
        match self.filter {
            NoticeFilter::All => "notices.none",
            _ => "notices.none_filtered",
        }
    }
}

#[derive(Template)]
#[template(path = "notices/notice.html")]
pub struct NoticePage {
    pub ctx: PageCtx,
    pub n: NoticeRow,
    pub findings: Vec<NoticeFinding>,
    pub appeal: Option<AppealRow>,
    /// INS-12: the appeal's evidence (page, name)
    pub appeal_files: Vec<(String, String)>,
    pub office_name: String,
    pub issued_on: String,
    pub due: String,
    pub appeal_until: String,
    /// working days left to rectify (none once past)
    pub days_left: Option<u32>,
    pub overdue: bool,
    pub can_appeal: bool,
    /// why the appeal form is closed, when it is, for the unit
    pub appeal_closed_key: Option<&'static str>,
    pub can_decide: bool,
    pub errors: Vec<String>,
    pub appeal_text: String,
    pub history: Vec<TimelineEntry>,
    /// INS-11: the unit's rectification reports, each with its attachments (page, name)
    pub reports: Vec<(ReportRow, Vec<(String, String)>)>,
    /// the liaison may report (the notice stands and no report awaits the office)
    pub can_report: bool,
    /// the office may decide the report awaiting it
    pub pending_report: Option<Uuid>,
    pub report_text: String,
    pub max_upload: String,
}

impl NoticePage {
    pub fn state_key(&self) -> &'static str {
        state_key(&self.n)
    }

    pub fn finding_href(&self, f: &NoticeFinding) -> String {
        self.ctx.href(&format!("/findings/{}", f.finding_id))
    }

    /// A finding as the notice states it: what was seen, then the item, the article it rests on
    /// (cited, never by the rule's ID) and the points it cost. The print page and the PDF say the
    /// same.
    pub fn fact(&self, f: &NoticeFinding) -> String {
        let ctx = &self.ctx;
        let mut about = vec![format!("{} {}", f.code, f.title)];
        let basis = ctx.cite(&f.rule_id);
        if !basis.is_empty() {
            about.push(basis);
        }
        if let Some(p) = f.points {
            let unit = ctx.t("notices.points_unit");
            about.push(format!(
                "{} {} {unit}",
                ctx.t("notices.deducted"),
                p.normalize()
            ));
        }
        format!("{}（{}）", f.description, about.join("，"))
    }

    /// INS-12: until when, and by which article, the unit may object.
    pub fn appeal_hint(&self) -> String {
        self.ctx
            .tf("notices.appeal_hint", &self.appeal_until)
            .replacen("{}", &self.ctx.cite("INS-12"), 1)
    }

    /// The notice as the official document the print page shows, for the PDF.
    pub fn document(&self) -> crate::documents::Document {
        use crate::documents::{Block, Document};
        let ctx = &self.ctx;
        let facts = self.findings.iter().map(|f| self.fact(f)).collect();
        let note = match self.n.status {
            NoticeStatus::Withdrawn | NoticeStatus::Closed => ctx.t(self.state_key()).to_string(),
            NoticeStatus::Issued => String::new(),
        };
        Document {
            office: self.office_name.clone(),
            title: ctx.t("notices.document_title").into(),
            number: self.n.number.clone(),
            addressee: self.n.unit_name.clone(),
            blocks: vec![
                Block::Paragraph {
                    text: ctx.t("notices.opening").into(),
                },
                Block::List { items: facts },
                Block::Heading {
                    text: ctx.t("notices.basis").into(),
                },
                Block::Paragraph {
                    text: self.n.basis.clone(),
                },
                Block::Heading {
                    text: ctx.t("notices.requirements").into(),
                },
                Block::Paragraph {
                    text: self.n.requirements.clone(),
                },
                Block::Paragraph {
                    text: ctx.tf("notices.deadline_text", &self.due),
                },
                Block::Paragraph {
                    text: ctx.tf("notices.appeal_text", &self.appeal_until),
                },
            ],
            date: self.issued_on.clone(),
            note,
            landscape: false,
        }
    }
}

/// What the leaders' overview shows, as read for one user in one language (kept a short while:
/// [`super::OverviewCache`]).
#[derive(Clone)]
pub struct Overview {
    pub glance: Glance,
    pub sections: Vec<(&'static str, &'static str, Vec<NoticeItem>)>,
    pub interviews: InterviewOverview,
    pub bulletins: BulletinOverview,
}

#[derive(Template)]
#[template(path = "notices/overview.html")]
pub struct OverviewPage {
    pub ctx: PageCtx,
    pub glance: Glance,
    /// the notices past their deadline without an accepted report, and those whose appeal
    /// awaits the office: (title key, what the empty section says, notices)
    pub sections: Vec<(&'static str, &'static str, Vec<NoticeItem>)>,
    pub interviews: InterviewOverview,
    pub bulletins: BulletinOverview,
}

impl OverviewPage {
    pub fn new(ctx: PageCtx, overview: Overview) -> Self {
        let Overview {
            glance,
            sections,
            interviews,
            bulletins,
        } = overview;
        Self {
            ctx,
            glance,
            sections,
            interviews,
            bulletins,
        }
    }
}
