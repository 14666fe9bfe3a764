//! Tasks (INS-02, INS-03, INS-07): the year's tasks with the form that puts a group on a unit,
//! a supervisor's own tasks, a task's page with its findings, sign-off and submission, and the
//! open inspections' coverage of the year (INS-06).

use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, listed_units};
use super::findings::db::findings_of;
use super::findings::views::{FINDING_COLUMNS, YearFindingsPage, finding_cells};
use super::model::{FindingStatus, TaskInput, TaskKind};
use super::rounds::db::{insert_round_task, mandatory_units, rounds};
use super::views::{
    CoveragePage, MyTasksPage, SignoffTyped, TaskFormView, TaskItem, TaskPage, TasksPage, describe,
};
use crate::audit::{Acting, Event};
use crate::core::{AppResult, CurrentUser, Now};
use crate::db::{RequestTx, Tx};
use crate::registry::supervisors::db::{list_groups, supervisor_of_user};
use crate::registry::supervisors::model::recusals;
use crate::registry::years::db::YearRow;
use crate::registry::years::handlers::{YearPath, year_of};
use crate::registry::years::model::YearStatus;
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

pub use super::findings::handlers::TaskPath;

/// Tasks as lists show them, each placed before, on or after today (`now` in the office).
pub fn task_items(ctx: &PageCtx, now: DateTime<Utc>, rows: Vec<db::TaskRow>) -> Vec<TaskItem> {
    let today = ctx.local_date(now);
    rows.into_iter()
        .map(|t| {
            let (kind, detail) = describe(ctx, t.kind, t.method.as_deref(), &t.focus);
            TaskItem {
                href: ctx.href(&format!("/tasks/{}", t.id)),
                date: t.scheduled_on.to_string(),
                when: match t.scheduled_on.cmp(&today) {
                    std::cmp::Ordering::Equal => "tasks.today",
                    std::cmp::Ordering::Greater => "tasks.upcoming",
                    std::cmp::Ordering::Less => "tasks.past",
                },
                kind,
                detail,
                unit: t.unit_name,
                group: t.group_name,
            }
        })
        .collect()
}

async fn tasks_page(
    ctx: PageCtx,
    (user, now): (&CurrentUser, DateTime<Utc>),
    (tx, year): (&mut Tx, &YearRow),
    form: TaskFormView,
    errors: Vec<String>,
) -> AppResult<TasksPage> {
    let rows = db::year_tasks(tx, year.id).await?;
    let groups = list_groups(tx)
        .await?
        .into_iter()
        .map(|g| (g.id.to_string(), g.name))
        .collect();
    let units = listed_units(tx, year.id)
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), format!("{} {}", u.code, u.name)))
        .collect();
    let open = YearStatus::parse(&year.status) == Some(YearStatus::Open);
    let rounds = rounds(tx, Some(year.id), None)
        .await?
        .into_iter()
        .map(|r| {
            let label = format!("{}（{}～{}）", r.name, r.starts_on, r.ends_on);
            (r.id.to_string(), label)
        })
        .collect();
    Ok(TasksPage {
        rounds,
        tasks: task_items(&ctx, now, rows),
        can_plan: open && user.of_office(),
        year: year.year,
        groups,
        units,
        ctx,
        form,
        errors,
    })
}

/// What a link may fill in on the task form (the round page's "plan a task" for a unit).
#[derive(Debug, Default, Deserialize)]
pub struct TaskPrefill {
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub round_id: String,
}

pub async fn list_tasks(
    user: CurrentUser,
    Now(now): Now,
    Path(YearPath { year }): Path<YearPath>,
    Query(prefill): Query<TaskPrefill>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let form = TaskFormView {
        kind: "open".into(),
        unit_id: prefill.unit_id,
        round_id: prefill.round_id,
        ..Default::default()
    };
    let page = tasks_page(ctx, (&user, now), (&mut tx, &year), form, Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// The year's tasks as the page lists them, as CSV or XLSX.
pub async fn export_tasks(
    _user: CurrentUser,
    Now(now): Now,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let rows = db::year_tasks(&mut tx, year.id).await?;
    drop(tx);
    let rows = task_items(&ctx, now, rows)
        .into_iter()
        .map(TaskItem::cells)
        .collect();
    let name = format!("tasks-{}", year.year);
    Export::translated(&ctx, &name, &TaskItem::COLUMNS, rows).respond(format)
}

/// Puts a group on a unit on a date (INS-02): never a group with a member who must stand aside.
pub async fn create_task(
    acting: Acting,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<TaskFormView>,
) -> AppResult<Response> {
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    let year = year_of(&mut tx, year).await?;
    let input = TaskInput::from(&form);
    let mut errors: Vec<String> = Vec::new();
    if YearStatus::parse(&year.status) != Some(YearStatus::Open) {
        errors.push(ctx.tf("error.year_closed", &year.year.to_string()));
    }
    let fields = match input.validate(year.year) {
        Ok(fields) => Some(fields),
        Err(keys) => {
            errors.extend(keys.into_iter().map(|k| ctx.t(k).to_string()));
            None
        }
    };
    if let Some(task) = &fields {
        let listed = listed_units(&mut tx, year.id).await?;
        if !listed.iter().any(|u| u.id == task.unit_id) {
            errors.push(ctx.t("error.task_unit").into());
        }
        let members = db::group_members_for_recusal(&mut tx, task.group_id).await?;
        if members.is_empty() {
            errors.push(ctx.t("error.task_group").into());
        }
        for m in recusals(&members, task.unit_id) {
            errors.push(ctx.tf("error.recusal", &m.name));
        }
    }
    // INS-06: a task of a round is an open inspection inside the round's dates
    let round = match form.round_id.trim() {
        "" => None,
        id => {
            let found = match Uuid::parse_str(id) {
                Ok(id) => rounds(&mut tx, Some(year.id), Some(id)).await?.pop(),
                Err(_) => None,
            };
            match (&found, &fields) {
                (None, _) => errors.push(ctx.t("rounds.error_round").into()),
                (Some(r), _) if r.fixed_at.is_some() => {
                    errors.push(ctx.t("rounds.error_fixed").into())
                }
                (Some(r), Some(task))
                    if task.kind != TaskKind::Open
                        || task.scheduled_on < r.starts_on
                        || task.scheduled_on > r.ends_on =>
                {
                    errors.push(ctx.t("rounds.error_task_outside").into())
                }
                _ => {}
            }
            found
        }
    };
    let (Some(task), true) = (fields, errors.is_empty()) else {
        let page = tasks_page(ctx, (user, acting.now), (&mut tx, &year), form, errors).await?;
        drop(tx);
        return render_invalid(&page);
    };
    let id = db::insert_task(&mut tx, user.tenant_id, year.id, &task, user.id).await?;
    if let Some(round) = &round {
        insert_round_task(&mut tx, user.tenant_id, round.id, id).await?;
    }
    let detail = json!({
        "round": round.as_ref().map(|r| r.name.clone()),
        "kind": task.kind,
        "method": task.method,
        "scheduled_on": task.scheduled_on.to_string(),
        "unit_id": task.unit_id,
    });
    let event = Event::new("task.create", ("inspection_task", id), detail);
    let back = format!("/years/{}/tasks", year.year);
    acting
        .recorded(&mut tx, event, Flash::success("tasks.created"), &back)
        .await
}

/// The supervisor's own tasks: their groups' only (INS-02).
pub async fn my_tasks(
    user: CurrentUser,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = db::tasks_of_user(&mut tx, user.id, None).await?;
    let linked = !rows.is_empty() || supervisor_of_user(&mut tx, user.id).await?;
    drop(tx);
    let tasks = task_items(&ctx, now, rows);
    render(&MyTasksPage { ctx, tasks, linked })
}

/// A task's page: a supervisor sees it only when in the task's group. It carries the findings,
/// the unit's sign-off (INS-10), the submission (INS-11), the notices issued from it and the
/// task's history.
pub async fn show_task(
    user: CurrentUser,
    Now(now): Now,
    Path(TaskPath { task_id }): Path<TaskPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let typed = SignoffTyped::default();
    let page = TaskPage::read(ctx, (&user, now), &mut tx, task_id, typed).await?;
    drop(tx);
    render(&page)
}

/// INS-11: the findings confirmed in a year's tasks, for the office and leaders (the list behind
/// a leader's count of them).
pub async fn year_findings(
    _user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let rows = findings_of(&mut tx, FindingStatus::Confirmed, None, Some(year.id)).await?;
    drop(tx);
    render(&YearFindingsPage {
        ctx,
        year: year.year,
        rows,
    })
}

/// The year's confirmed findings as the page shows them, as CSV or XLSX.
pub async fn export_year_findings(
    _user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let rows = findings_of(&mut tx, FindingStatus::Confirmed, None, Some(year.id)).await?;
    drop(tx);
    let rows = rows.into_iter().map(|r| finding_cells(&ctx, r)).collect();
    let name = format!("findings-{}", year.year);
    Export::translated(&ctx, &name, &FINDING_COLUMNS, rows).respond(format)
}

/// INS-06: which listed units have an open inspection this year, and which none yet, and which
/// the next round must have.
async fn coverage_page(ctx: PageCtx, tx: &mut Tx, year: i32) -> AppResult<CoveragePage> {
    let year = year_of(tx, year).await?;
    let rows = db::coverage(tx, year.id).await?;
    let every_task =
        chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(chrono::NaiveDate::MAX);
    let mandatory = mandatory_units(tx, year.id, every_task, None).await?;
    let (covered, uncovered): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| !r.3.is_empty());
    let covered = covered
        .into_iter()
        .map(|(code, name, category, dates)| {
            let dates = dates
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("、");
            (code, name, category, dates)
        })
        .collect();
    let uncovered = uncovered
        .into_iter()
        .map(|(code, name, category, _)| (code, name, category))
        .collect();
    Ok(CoveragePage {
        ctx,
        mandatory,
        year: year.year,
        covered,
        uncovered,
    })
}

/// INS-06: the year's coverage page.
pub async fn show_coverage(
    _user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = coverage_page(ctx, &mut tx, year).await?;
    drop(tx);
    render(&page)
}

/// INS-06: the year's coverage as CSV or XLSX, a row a listed unit in the page's order.
pub async fn export_coverage(
    _user: CurrentUser,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = coverage_page(ctx, &mut tx, year).await?;
    drop(tx);
    let name = format!("coverage-{}", page.year);
    Export::translated(&page.ctx, &name, &CoveragePage::COLUMNS, page.rows()).respond(format)
}
