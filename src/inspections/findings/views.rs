//! Pages of findings: the finding on site and in the office, the review queue, a refusal.

use askama::Template;
use uuid::Uuid;

use super::db::{FindingRow, ItemChoice, ReviewRow};
use super::model::DraftForm;
use crate::audit::views::TimelineEntry;
use crate::core::FieldErrors;
pub use crate::evidence::views::{EvidenceView, evidence_views};
use crate::inspections::model::{FindingStatus, TaskKind};
use crate::web::PageCtx;

/// A refusal of an action, with the way back.
#[derive(Template)]
#[template(path = "inspections/refused.html")]
pub struct RefusedPage {
    pub ctx: PageCtx,
    pub messages: Vec<String>,
    pub back_href: String,
}

#[derive(Template)]
#[template(path = "inspections/finding.html")]
pub struct FindingPage {
    pub ctx: PageCtx,
    pub f: FindingRow,
    pub editable: bool,
    pub can_decide: bool,
    pub form: DraftForm,
    pub errors: Vec<String>,
    /// the draft's refused fields (field, catalog key), each shown beside its field
    pub field_errors: FieldErrors,
    pub upload_errors: Vec<String>,
    pub items: Vec<ItemChoice>,
    pub staff: Vec<(Uuid, String, String)>,
    pub evidence: Vec<EvidenceView>,
    pub history: Vec<TimelineEntry>,
    pub task_href: String,
    pub href: String,
    pub dismiss_reason: String,
    pub max_upload: String,
}

impl FindingPage {
    /// INS-08: the finding, confirmed and its deduction standing, costs the unit its excellence
    /// eligibility for the year.
    pub fn costs_excellence(&self) -> bool {
        self.f.status == FindingStatus::Confirmed
            && self.f.costs_excellence == Some(true)
            && !self.f.deduction_reversed
    }

    pub fn points_text(&self) -> String {
        match (self.f.points, self.f.points_min, self.f.points_max) {
            (Some(p), _, _) => p.normalize().to_string(),
            (None, Some(min), Some(max)) if min == max => min.normalize().to_string(),
            (None, Some(min), Some(max)) => format!("{}–{}", min.normalize(), max.normalize()),
            _ => String::new(),
        }
    }

    pub fn discretionary(&self) -> bool {
        matches!((self.f.points_min, self.f.points_max), (Some(a), Some(b)) if a != b)
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.field_errors, field)
    }

    /// INS-11: what confirming asks first, naming the unit and the points it loses. With
    /// discretionary points the page's script puts in the number typed for `{points}`.
    pub fn confirm_question(&self) -> String {
        let points = match self.discretionary() {
            true => "{points}".to_string(),
            false => self.points_text(),
        };
        self.ctx
            .t("findings.confirm_ask")
            .replacen("{points}", &points, 1)
            .replacen("{unit}", &self.f.unit_name, 1)
    }
}

#[derive(Template)]
#[template(path = "inspections/review.html")]
pub struct ReviewPage {
    pub ctx: PageCtx,
    pub rows: Vec<ReviewRow>,
    pub title_key: &'static str,
    /// the list's export files (path without extension), where it has them
    pub export_path: Option<&'static str>,
}

/// A finding card's columns in an export (catalog keys), in the order of [`finding_cells`].
pub const FINDING_COLUMNS: [&str; 7] = [
    "findings.item_code",
    "findings.item",
    "tasks.unit",
    "tasks.date",
    "tasks.kind",
    "findings.description",
    "findings.evidence_files",
];

/// A finding as an export's row: what its card shows, one column each.
pub fn finding_cells(ctx: &PageCtx, r: ReviewRow) -> Vec<String> {
    let kind = match r.task_kind {
        TaskKind::Open => "tasks.kind_open",
        TaskKind::Covert => "tasks.kind_covert",
    };
    vec![
        r.item_code.unwrap_or_default(),
        r.item_title.unwrap_or_default(),
        r.unit_name,
        r.task_on.to_string(),
        ctx.t(kind).to_string(),
        r.description,
        r.evidence_count.to_string(),
    ]
}

impl ReviewPage {
    /// What the empty list says: what appears here, and when.
    pub fn empty_key(&self) -> &'static str {
        match self.title_key {
            "review.unit_title" => "review.unit_none",
            _ => "review.none",
        }
    }
}

/// INS-11: the findings confirmed in an assessment year's tasks, for the office and leaders.
#[derive(Template)]
#[template(path = "inspections/year_findings.html")]
pub struct YearFindingsPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub rows: Vec<ReviewRow>,
}

impl YearFindingsPage {
    /// The list's export files (path without extension).
    pub fn export_path(&self) -> String {
        format!("/years/{}/findings/export", self.year)
    }
}
