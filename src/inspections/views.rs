//! Pages of inspections.

use askama::Template;

use super::db::PoolUnit;
use crate::web::PageCtx;

pub struct DrawListItem {
    pub href: String,
    pub drawn_at: String,
    pub drawn_by: String,
    pub count: i32,
    pub pool_size: usize,
    pub drawn_units: String,
}

/// What was typed in the draw form, kept on error.
#[derive(Default)]
pub struct DrawFormView {
    pub count: String,
    pub categories: Vec<String>,
    pub exclusions: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "inspections/draws.html")]
pub struct DrawsPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub draws: Vec<DrawListItem>,
    pub categories: Vec<String>,
    pub listed: usize,
    pub can_draw: bool,
    pub form: DrawFormView,
    pub errors: Vec<String>,
}

impl DrawsPage {
    pub fn chosen(&self, category: &str) -> bool {
        self.form.categories.iter().any(|c| c == category)
    }
}

#[derive(Template)]
#[template(path = "inspections/draw.html")]
pub struct DrawPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub href: String,
    pub seed: String,
    pub drawn_by: String,
    pub drawn_at: String,
    pub count: i32,
    pub categories: String,
    pub note: String,
    /// The drawn units, in the order drawn.
    pub result: Vec<PoolUnit>,
    pub pool: Vec<PoolUnit>,
    pub exclusions: Vec<(String, String, String)>,
    /// After "verify": whether re-running the draw gave the stored result.
    pub verified: Option<bool>,
}

/// One quarter as a liaison sees it.
pub struct QuarterView {
    pub quarter: i32,
    pub due: String,
    pub submitted: String,
    /// Past its due date without a report.
    pub missed: bool,
    /// The quarter has ended, so a report can be filed.
    pub open: bool,
    /// The report's attachments: (evidence page, file name).
    pub attachments: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "inspections/self_reports.html")]
pub struct SelfReportsPage {
    pub ctx: PageCtx,
    pub year: Option<i32>,
    pub quarters: Vec<QuarterView>,
    pub content: String,
    pub quarter: String,
    pub error: Option<&'static str>,
    /// Attachments that were refused, each with its reason (the report was not filed).
    pub file_errors: Vec<String>,
    pub max_upload: String,
}

/// One unit's row of the office's matrix.
pub struct MatrixRow {
    pub code: String,
    pub name: String,
    /// Per quarter: "" (not due), a date (submitted), or the catalog key of a state.
    pub cells: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "inspections/self_report_matrix.html")]
pub struct SelfReportMatrixPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub dues: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

/// A task as lists show it.
pub struct TaskItem {
    pub href: String,
    pub date: String,
    pub kind: &'static str,
    pub detail: String,
    pub unit: String,
    pub group: String,
    /// Today, past or upcoming (for the supervisor's list).
    pub when: &'static str,
}

/// What was typed in the task form, kept on error.
#[derive(Default)]
pub struct TaskFormView {
    /// INS-06: the round of open inspections the task belongs to, when any
    pub round_id: String,
    pub group_id: String,
    pub unit_id: String,
    pub kind: String,
    pub method: String,
    pub focus: Vec<String>,
    pub scheduled_on: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "inspections/tasks.html")]
pub struct TasksPage {
    pub ctx: PageCtx,
    pub year: i32,
    pub tasks: Vec<TaskItem>,
    pub can_plan: bool,
    pub groups: Vec<(String, String)>,
    pub units: Vec<(String, String)>,
    pub form: TaskFormView,
    pub errors: Vec<String>,
    /// the year's rounds: (id, "name (dates)")
    pub rounds: Vec<(String, String)>,
}

impl TasksPage {
    pub fn methods(&self) -> Vec<(&'static str, &'static str)> {
        super::tasks::METHODS
            .iter()
            .map(|(v, k)| (*v, self.ctx.t(k)))
            .collect()
    }

    pub fn focuses(&self) -> Vec<(&'static str, &'static str)> {
        super::tasks::FOCUS
            .iter()
            .map(|(v, k)| (*v, self.ctx.t(k)))
            .collect()
    }

    pub fn focus_chosen(&self, value: &str) -> bool {
        self.form.focus.iter().any(|f| f == value)
    }
}

#[derive(Template)]
#[template(path = "inspections/my_tasks.html")]
pub struct MyTasksPage {
    pub ctx: PageCtx,
    pub tasks: Vec<TaskItem>,
    pub linked: bool,
}

#[derive(Template)]
#[template(path = "inspections/task.html")]
pub struct TaskPage {
    pub ctx: PageCtx,
    pub task: super::db::TaskDetail,
    pub kind: &'static str,
    pub detail: String,
    pub findings: Vec<super::db::FindingListRow>,
    /// a supervisor of the task's group, before submission: may file, sign off
    pub on_site: bool,
    /// the group's leader, before submission: may submit
    pub can_submit: bool,
    /// office staff, with confirmed findings no notice states yet (INS-11)
    pub can_issue_notice: bool,
    /// when and by whom the results went to the office
    pub submitted: Option<String>,
    pub signoff: Option<super::db::SignoffRow>,
    pub signature_href: Option<String>,
    pub history: Vec<crate::audit::views::TimelineEntry>,
}

impl TaskPage {
    pub fn status_key(&self, status: &str) -> String {
        format!("findings.status_{status}")
    }
}

#[derive(Template)]
#[template(path = "inspections/coverage.html")]
pub struct CoveragePage {
    pub ctx: PageCtx,
    pub year: i32,
    pub covered: Vec<(String, String, String, String)>,
    pub uncovered: Vec<(String, String, String)>,
    /// INS-06: units whose last inspection had confirmed findings: the next round must have them
    pub mandatory: Vec<super::db::MandatoryRow>,
}
