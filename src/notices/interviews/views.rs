//! Pages of interviews: the list, the form that schedules or corrects one, the record itself (a
//! printable document, and the same document as PDF), and their part of the leaders' overview.

use askama::Template;
use uuid::Uuid;

use super::db::InterviewRow;
use super::model::{ActionLine, Attendee, InterviewForm, MinutesForm};
use crate::audit::views::TimelineEntry;
use crate::core::time::document_date;
use crate::registry::units::db::UnitRow;
use crate::web::PageCtx;

/// An interview as the lists show it.
#[derive(Clone)]
pub struct InterviewItem {
    pub href: String,
    pub unit: String,
    pub when: String,
    pub place: String,
    pub state_key: &'static str,
    pub actions_open: i64,
    pub actions_overdue: i64,
}

impl InterviewItem {
    pub fn new(ctx: &PageCtx, v: &InterviewRow) -> Self {
        Self {
            href: ctx.href(&format!("/interviews/{}", v.id)),
            unit: v.unit_name.clone(),
            when: ctx.local_time(&v.scheduled_at),
            place: v.place.clone(),
            state_key: v.status.label_key(),
            actions_open: v.actions_open,
            actions_overdue: v.actions_overdue,
        }
    }

    /// The export's columns (catalog keys), in the order of [`Self::cells`].
    pub const COLUMNS: [&'static str; 6] = [
        "interviews.unit",
        "interviews.scheduled_at",
        "interviews.place",
        "interviews.state",
        "interviews.actions_open",
        "interviews.actions_overdue",
    ];

    /// The interview as an export's row: what its card shows, one column each.
    pub fn cells(self, ctx: &PageCtx) -> Vec<String> {
        vec![
            self.unit,
            self.when,
            self.place,
            ctx.t(self.state_key).to_string(),
            self.actions_open.to_string(),
            self.actions_overdue.to_string(),
        ]
    }
}

#[derive(Template)]
#[template(path = "interviews/list.html")]
pub struct InterviewsPage {
    pub ctx: PageCtx,
    pub interviews: Vec<InterviewItem>,
    pub can_schedule: bool,
}

#[derive(Template)]
#[template(path = "interviews/form.html")]
pub struct InterviewFormPage {
    pub ctx: PageCtx,
    /// where the form posts
    pub action: String,
    /// the interview being corrected (its unit stays), or none for a new one
    pub editing: Option<(Uuid, String)>,
    pub units: Vec<UnitRow>,
    pub form: InterviewForm,
    pub errors: Vec<&'static str>,
}

impl InterviewFormPage {
    pub fn chosen(&self, unit: &Uuid) -> bool {
        self.form.unit_id == unit.to_string()
    }
}

/// A follow-up action as the record shows it.
pub struct ActionView {
    pub id: Uuid,
    pub content: String,
    pub responsible: String,
    pub due: String,
    /// who marked it done, and when
    pub done: Option<String>,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "interviews/interview.html")]
pub struct InterviewPage {
    pub ctx: PageCtx,
    pub v: InterviewRow,
    pub office_name: String,
    pub state_key: &'static str,
    pub when: String,
    pub office_side: Vec<Attendee>,
    pub unit_side: Vec<Attendee>,
    pub actions: Vec<ActionView>,
    pub scheduled: bool,
    pub held: bool,
    /// the office may change it (leaders and liaisons read only)
    pub can_change: bool,
    pub minutes_form: MinutesForm,
    pub new_actions: Vec<ActionLine>,
    pub cancel_reason: String,
    pub errors: Vec<String>,
    pub history: Vec<TimelineEntry>,
}

impl InterviewPage {
    /// INS-13: the interview record as an official document, for the PDF.
    ///
    /// Long on purpose: the blocks follow the printed record from heading to signatures, so the
    /// code reads in the order of the paper.
    pub fn document(&self) -> crate::documents::Document {
        use crate::documents::{Block, Document};
        let ctx = &self.ctx;
        let people = |side: &[Attendee]| {
            side.iter()
                .map(|a| match a.post.as_str() {
                    "" => a.name.clone(),
                    post => format!("{}（{post}）", a.name),
                })
                .collect::<Vec<_>>()
                .join("、")
        };
        let mut blocks = vec![
            Block::Facts {
                rows: vec![
                    (ctx.t("interviews.unit").into(), self.v.unit_name.clone()),
                    (ctx.t("interviews.scheduled_at").into(), self.when.clone()),
                    (ctx.t("interviews.place").into(), self.v.place.clone()),
                    (
                        ctx.t("interviews.office_side").into(),
                        people(&self.office_side),
                    ),
                    (
                        ctx.t("interviews.unit_side").into(),
                        people(&self.unit_side),
                    ),
                ],
            },
            Block::Heading {
                text: ctx.t("interviews.problems").into(),
            },
            Block::Paragraph {
                text: self.v.problems.clone(),
            },
        ];
        if self.held {
            blocks.push(Block::Heading {
                text: ctx.t("interviews.minutes").into(),
            });
            blocks.push(Block::Paragraph {
                text: self.v.minutes.clone(),
            });
        }
        if !self.actions.is_empty() {
            blocks.push(Block::Heading {
                text: ctx.t("interviews.actions").into(),
            });
            blocks.push(Block::Table {
                columns: [
                    "interviews.action_content",
                    "interviews.action_responsible",
                    "interviews.action_due",
                    "interviews.action_state",
                ]
                .iter()
                .map(|k| ctx.t(k).to_string())
                .collect(),
                rows: self
                    .actions
                    .iter()
                    .map(|a| {
                        let state = match (&a.done, a.overdue) {
                            (Some(_), _) => ctx.t("interviews.action_done"),
                            (None, true) => ctx.t("interviews.action_overdue"),
                            (None, false) => ctx.t("interviews.action_open"),
                        };
                        vec![
                            a.content.clone(),
                            a.responsible.clone(),
                            a.due.clone(),
                            state.to_string(),
                        ]
                    })
                    .collect(),
            });
        }
        if self.v.cancelled_at.is_some() {
            blocks.push(Block::Heading {
                text: ctx.t("interviews.cancel_reason").into(),
            });
            blocks.push(Block::Paragraph {
                text: self.v.cancel_reason.clone(),
            });
        }
        Document {
            office: self.office_name.clone(),
            title: ctx.t("interviews.document_title").into(),
            number: String::new(),
            addressee: String::new(),
            blocks,
            date: document_date(ctx.local_date(self.v.held_at.unwrap_or(self.v.scheduled_at))),
            note: match self.state_key {
                "interviews.state_held" => String::new(),
                key => ctx.t(key).to_string(),
            },
            landscape: false,
        }
    }
}

/// An overdue follow-up action as the leaders' overview lists it.
#[derive(Clone)]
pub struct OverdueItem {
    pub href: String,
    pub unit: String,
    pub content: String,
    pub responsible: String,
    pub due: String,
}

/// INS-13: the interviews part of the leaders' overview: the upcoming interviews and the overdue
/// follow-up actions (the numbers are in the notices' glance).
#[derive(Clone)]
pub struct InterviewOverview {
    pub upcoming: Vec<InterviewItem>,
    pub overdue: Vec<OverdueItem>,
}
