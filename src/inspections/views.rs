//! Pages of tasks: the year's tasks and the form for one, a supervisor's own, a task's page and
//! the open inspections' coverage.

use askama::Template;
use serde::Deserialize;

use super::db::{SignoffRow, TaskDetail};
use super::findings::db::FindingListRow;
use super::model::{FOCUS, METHODS, TaskInput};
use super::rounds::db::MandatoryRow;
use crate::audit::views::TimelineEntry;
use crate::web::PageCtx;

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
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskFormView {
    /// INS-06: the round of open inspections the task belongs to, when any
    pub round_id: String,
    pub group_id: String,
    pub unit_id: String,
    pub kind: String,
    pub method: String,
    /// the areas ticked (the form's repeated `focus` field)
    pub focus: Vec<String>,
    pub scheduled_on: String,
    pub note: String,
}

impl From<&TaskFormView> for TaskInput {
    fn from(form: &TaskFormView) -> Self {
        Self {
            group_id: form.group_id.clone(),
            unit_id: form.unit_id.clone(),
            kind: form.kind.clone(),
            method: form.method.clone(),
            focus: form.focus.clone(),
            scheduled_on: form.scheduled_on.clone(),
            note: form.note.clone(),
        }
    }
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
        METHODS.iter().map(|(v, k)| (*v, self.ctx.t(k))).collect()
    }

    pub fn focuses(&self) -> Vec<(&'static str, &'static str)> {
        FOCUS.iter().map(|(v, k)| (*v, self.ctx.t(k))).collect()
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
    pub task: TaskDetail,
    pub kind: &'static str,
    pub detail: String,
    pub findings: Vec<FindingListRow>,
    /// a supervisor of the task's group, before submission: may file, sign off
    pub on_site: bool,
    /// the group's leader, before submission: may submit
    pub can_submit: bool,
    /// office staff, with confirmed findings no notice states yet (INS-11)
    pub can_issue_notice: bool,
    /// when and by whom the results went to the office
    pub submitted: Option<String>,
    pub signoff: Option<SignoffRow>,
    pub signature_href: Option<String>,
    pub history: Vec<TimelineEntry>,
}

#[derive(Template)]
#[template(path = "inspections/coverage.html")]
pub struct CoveragePage {
    pub ctx: PageCtx,
    pub year: i32,
    pub covered: Vec<(String, String, String, String)>,
    pub uncovered: Vec<(String, String, String)>,
    /// INS-06: units whose last inspection had confirmed findings: the next round must have them
    pub mandatory: Vec<MandatoryRow>,
}

impl CoveragePage {
    pub fn mandatory_intro(&self) -> String {
        super::rounds::views::mandatory_intro(&self.ctx)
    }
}
