//! Pages of tasks: the year's tasks and the form for one, a supervisor's own, a task's page (read
//! here, as both its own handler and the sign-off's show it) and the open inspections' coverage.

use askama::Template;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::db::{self, SignoffRow, TaskDetail};
use super::findings::db::{FindingListRow, confirmed_without_notice, task_findings};
use super::findings::model::SignoffForm;
use super::may_see_task;
use super::model::{FOCUS, METHODS, TaskEvent, TaskInput, TaskKind, TaskStage};
use super::rounds::db::MandatoryRow;
use crate::audit::views::TimelineEntry;
use crate::core::user::READERS;
use crate::core::{AppResult, CurrentUser, RuleError, not_found};
use crate::db::Tx;
use crate::web::{PageCtx, render_invalid};

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

impl TaskItem {
    /// The export's columns (catalog keys), in the order of [`Self::cells`].
    pub const COLUMNS: [&'static str; 5] = [
        "tasks.date",
        "tasks.unit",
        "tasks.kind",
        "tasks.detail",
        "tasks.group",
    ];

    /// The task as an export's row: what its card shows, one column each.
    pub fn cells(self) -> Vec<String> {
        vec![
            self.date,
            self.unit,
            self.kind.to_string(),
            self.detail,
            self.group,
        ]
    }
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
    /// The list's export files (path without extension).
    pub fn export_path(&self) -> String {
        format!("/years/{}/tasks/export", self.year)
    }

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

/// A sign-off as it was sent, shown again when it was refused (INS-10): what was typed, each
/// error by its field (field, catalog key), and the refusals no field causes (in words).
#[derive(Debug, Default)]
pub struct SignoffTyped {
    pub form: SignoffForm,
    pub field_errors: Vec<(&'static str, &'static str)>,
    pub errors: Vec<String>,
}

impl SignoffTyped {
    /// The form refused for `keys` (the sign-off's catalog keys), each placed by its field.
    pub fn refused(ctx: &PageCtx, form: SignoffForm, keys: &[&'static str]) -> Self {
        let mut typed = Self {
            form,
            ..Self::default()
        };
        for &key in keys {
            let field = match key {
                "signoff.error_name" => Some("signer_name"),
                "signoff.error_signature_missing" | "signoff.error_signature" => {
                    Some("typed_signature")
                }
                "signoff.error_reason" => Some("refusal_reason"),
                _ => None,
            };
            match field {
                Some(field) => typed.field_errors.push((field, key)),
                None => typed.errors.push(ctx.t(key).into()),
            }
        }
        typed
    }

    /// The form refused by a rule (in words, at the top of the page).
    pub fn refused_by(ctx: &PageCtx, form: SignoffForm, error: &RuleError) -> Self {
        tracing::info!(rule = error.rule, reason = error.key, "refused by a rule");
        Self {
            form,
            field_errors: Vec::new(),
            errors: vec![ctx.refusal(error)],
        }
    }

    fn is_refused(&self) -> bool {
        !self.field_errors.is_empty() || !self.errors.is_empty()
    }

    /// Whether the refused form was the refusal's (its part of the page opens).
    pub fn refusing(&self) -> bool {
        self.form.outcome == "refused"
    }
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
    /// a refused sign-off, with what was typed
    pub typed: SignoffTyped,
    /// the notices issued from the task's findings (INS-11): (page, number), for their readers
    pub notices: Vec<(String, String)>,
    pub history: Vec<TimelineEntry>,
}

impl TaskPage {
    /// The task's page as `user` may read it and act on it at `now` (a supervisor outside the
    /// task's group: not found), with a refused sign-off's `typed` form. Read here rather than by
    /// its handler because the sign-off's handler shows it again too.
    pub async fn read(
        ctx: PageCtx,
        (user, now): (&CurrentUser, DateTime<Utc>),
        tx: &mut Tx,
        task_id: Uuid,
        typed: SignoffTyped,
    ) -> AppResult<Self> {
        let facts = db::task_facts(tx, task_id, user.id).await?;
        if !may_see_task(user, facts.in_group) {
            return Err(not_found());
        }
        let task = db::get_task(tx, task_id).await?;
        let state = db::task_state(tx, task_id).await?;
        let findings = task_findings(tx, task_id).await?;
        let can_issue_notice = user.of_office() && confirmed_without_notice(tx, task_id).await?;
        let notices = match READERS.contains(&user.role) {
            true => db::task_notices(tx, task_id).await?,
            false => Vec::new(),
        };
        let history = crate::audit::db::events_for_subject(tx, "inspection_task", task_id)
            .await?
            .into_iter()
            .map(|e| TimelineEntry::new(&ctx, e))
            .collect();
        // what the workflow would let this user do now: file and sign (on site), submit (the leader)
        let on_site = super::on_site(user, facts.in_group)
            && facts
                .task()
                .apply(TaskEvent::File, facts.who(), now)
                .is_ok();
        let can_submit = super::on_site(user, facts.in_group)
            && facts.leads
            && facts.task().stage != TaskStage::Submitted;
        let (kind, detail) = describe(&ctx, task.kind, task.method.as_deref(), &task.focus);
        let submitted = match (state.submitted_at, state.submitted_by) {
            (Some(at), Some(by)) => Some(format!("{} · {by}", ctx.local_time(&at))),
            _ => None,
        };
        let signature_href = state
            .signoff
            .as_ref()
            .and_then(|s| s.signature_evidence_id)
            .map(|id| ctx.href(&format!("/evidence/{id}")));
        let notices = notices
            .into_iter()
            .map(|(id, number)| (ctx.href(&format!("/notices/{id}")), number))
            .collect();
        Ok(Self {
            on_site,
            can_submit,
            can_issue_notice,
            submitted,
            signoff: state.signoff,
            signature_href,
            findings,
            history,
            typed,
            notices,
            ctx,
            task,
            kind,
            detail,
        })
    }

    /// INS-10: a refused sign-off shows the task's page again (422), with what was typed and
    /// each error by its field.
    pub async fn refused(
        ctx: PageCtx,
        (user, now): (&CurrentUser, DateTime<Utc>),
        tx: &mut Tx,
        task_id: Uuid,
        typed: SignoffTyped,
    ) -> AppResult<Response> {
        debug_assert!(typed.is_refused());
        let page = Self::read(ctx, (user, now), tx, task_id, typed).await?;
        render_invalid(&page)
    }

    /// The message for a sign-off field, when the sent form was refused for it.
    pub fn signoff_error(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.typed.field_errors, field)
    }
}

/// The kind's label and the method or focus areas, in the reader's language.
pub fn describe(
    ctx: &PageCtx,
    kind: TaskKind,
    method: Option<&str>,
    focus: &[String],
) -> (&'static str, String) {
    if kind == TaskKind::Covert {
        let method = METHODS
            .iter()
            .find(|m| Some(m.0) == method)
            .map(|m| ctx.t(m.1))
            .unwrap_or("");
        (ctx.t("tasks.kind_covert"), method.to_string())
    } else {
        let areas: Vec<&str> = focus
            .iter()
            .filter_map(|f| FOCUS.iter().find(|k| k.0 == f).map(|k| ctx.t(k.1)))
            .collect();
        (ctx.t("tasks.kind_open"), areas.join("、"))
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
    pub mandatory: Vec<MandatoryRow>,
}

impl CoveragePage {
    pub fn mandatory_intro(&self) -> String {
        mandatory_intro(&self.ctx)
    }

    /// The export's columns (catalog keys), in the order of [`Self::rows`].
    pub const COLUMNS: [&'static str; 6] = [
        "units.code",
        "units.name",
        "units.category",
        "coverage.state",
        "coverage.dates",
        "coverage.must_inspect",
    ];

    /// Every listed unit as an export's row, in the page's order (those without an open
    /// inspection first): whether it has one and when, and whether the next round must have it.
    pub fn rows(&self) -> Vec<Vec<String>> {
        let ctx = &self.ctx;
        let must = |code: &str| {
            let listed = self.mandatory.iter().any(|m| m.code == code);
            if listed { ctx.t("value.yes") } else { "" }.to_string()
        };
        let uncovered = self.uncovered.iter().map(|(code, name, category)| {
            let state = ctx.t("coverage.state_uncovered").to_string();
            vec![
                code.clone(),
                name.clone(),
                category.clone(),
                state,
                String::new(),
                must(code),
            ]
        });
        let covered = self.covered.iter().map(|(code, name, category, dates)| {
            let state = ctx.t("coverage.state_covered").to_string();
            vec![
                code.clone(),
                name.clone(),
                category.clone(),
                state,
                dates.clone(),
                must(code),
            ]
        });
        uncovered.chain(covered).collect()
    }

    /// The page's export files (path without extension).
    pub fn export_path(&self) -> String {
        format!("/years/{}/coverage/export", self.year)
    }
}

/// INS-06: why the units listed must be inspected next, citing the measures' article (the
/// coverage page and a round's page).
pub fn mandatory_intro(ctx: &PageCtx) -> String {
    ctx.tf("rounds.mandatory_intro", &ctx.cite("INS-06"))
}
