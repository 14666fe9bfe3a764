//! The covert-inspection draw (INS-07): office staff choose the pool and the count; the seed
//! comes from the operating system; pool, seed, count and result are stored and audited; anyone
//! of the office who may see covert work re-runs a draw with "verify".

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db::{self, NewDraw, PoolUnit};
use super::draw::{self, parse_exclusions};
use super::self_report;
use super::tasks::TaskInput;
use super::views::{
    CoveragePage, DrawFormView, DrawListItem, DrawPage, DrawsPage, MatrixRow, MyTasksPage,
    QuarterView, SelfReportMatrixPage, SelfReportsPage, TaskFormView, TaskItem, TaskPage,
    TasksPage,
};
use crate::AppState;
use crate::audit::{self, Event};
use crate::auth::{CurrentUser, Role};
use crate::db::{RequestTx, Tx};
use crate::error::{AppResult, not_found};
use crate::registry::db::YearRow;
use crate::registry::handlers::{YearPath, year_of};
use crate::registry::model::YearStatus;
use crate::registry::views::local_time;
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

async fn draws_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    year: &YearRow,
    form: DrawFormView,
    errors: Vec<String>,
) -> AppResult<DrawsPage> {
    let listed = db::listed_units(tx, year.id).await?;
    let rows = db::list_draws(tx, year.id).await?;
    let mut drawn_ids: Vec<Uuid> = rows.iter().flat_map(|d| d.result.iter().copied()).collect();
    drawn_ids.sort();
    drawn_ids.dedup();
    let names = db::units_by_ids(tx, &drawn_ids).await?;
    let draws = rows
        .into_iter()
        .map(|d| DrawListItem {
            href: ctx.href(&format!("/draws/{}", d.id)),
            drawn_at: local_time(&ctx, &d.drawn_at),
            drawn_by: d.drawn_by,
            count: d.draw_count,
            pool_size: d.pool.len(),
            drawn_units: d
                .result
                .iter()
                .filter_map(|id| names.iter().find(|u| u.id == *id).map(|u| u.name.as_str()))
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    let mut categories: Vec<String> = listed.iter().map(|u| u.category.clone()).collect();
    categories.sort();
    categories.dedup();
    let open = YearStatus::parse(&year.status) == Some(YearStatus::Open);
    Ok(DrawsPage {
        can_draw: open && matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
        year: year.year,
        draws,
        categories,
        listed: listed.len(),
        ctx,
        form,
        errors,
    })
}

pub async fn list_draws(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, path).await?;
    let form = DrawFormView {
        count: "3".into(),
        ..Default::default()
    };
    let page = draws_page(ctx, &user, &mut tx, &year, form, Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// Draws units for covert inspection (INS-07).
pub async fn create_draw(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = DrawFormView::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "count" => form.count = value.trim().to_string(),
            "category" => form.categories.push(value.into_owned()),
            "exclusions" => form.exclusions = value.into_owned(),
            "note" => form.note = value.trim().chars().take(500).collect(),
            _ => {}
        }
    }
    let mut tx = request_tx.acquire().await?;
    let year = year_of(&mut tx, path).await?;
    let mut errors: Vec<String> = Vec::new();
    if YearStatus::parse(&year.status) != Some(YearStatus::Open) {
        errors.push(ctx.tf("error.year_closed", &year.year.to_string()));
    }
    let listed = db::listed_units(&mut tx, year.id).await?;
    let mut excluded: Vec<(Uuid, String)> = Vec::new();
    let (lines, bad_lines) = parse_exclusions(&form.exclusions);
    for (line, key) in bad_lines {
        errors.push(format!(
            "{} {}",
            ctx.tf("error.line", &line.to_string()),
            ctx.t(key)
        ));
    }
    for line in lines {
        match listed.iter().find(|u| u.code == line.code) {
            Some(unit) => excluded.push((unit.id, line.reason)),
            None => errors.push(ctx.tf("error.exclusion_unit", &line.code)),
        }
    }
    // INS-07: the pool, in the documented order (the year's list is sorted by code).
    let pool: Vec<&PoolUnit> = listed
        .iter()
        .filter(|u| form.categories.is_empty() || form.categories.contains(&u.category))
        .filter(|u| !excluded.iter().any(|(id, _)| *id == u.id))
        .collect();
    let count = form.count.parse::<usize>().ok().filter(|n| *n >= 1);
    match count {
        None => errors.push(ctx.t("error.draw_count").into()),
        Some(n) if n > pool.len() => {
            errors.push(ctx.tf("error.draw_too_many", &pool.len().to_string()))
        }
        Some(_) => {}
    }
    let (Some(count), true) = (count, errors.is_empty()) else {
        let page = draws_page(ctx, &user, &mut tx, &year, form, errors).await?;
        drop(tx);
        return render_invalid(&page);
    };
    let pool_ids: Vec<Uuid> = pool.iter().map(|u| u.id).collect();
    let seed = draw::fresh_seed();
    let result = draw::draw(&pool_ids, seed, count);
    let seed_hex = hex::encode(seed);
    let new = NewDraw {
        year_id: year.id,
        pool: &pool_ids,
        seed: &seed_hex,
        count: count as i32,
        result: &result,
        categories: &form.categories,
        note: &form.note,
        drawn_by: user.id,
    };
    let draw_id = db::insert_draw(&mut tx, user.tenant_id, &new).await?;
    for (unit_id, reason) in &excluded {
        db::insert_exclusion(&mut tx, user.tenant_id, draw_id, *unit_id, reason).await?;
    }
    let event = Event {
        action: "draw.create",
        subject_type: "inspection_draw",
        subject_id: Some(draw_id),
        detail: json!({
            "year": year.year,
            "seed": seed_hex,
            "pool": pool_ids.len(),
            "count": count,
            "excluded": excluded.len(),
        }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Success, "draws.done", None).await;
    Ok(Redirect::to(&user.path(&format!("/draws/{draw_id}"))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DrawPath {
    pub draw_id: Uuid,
}

#[derive(Debug, Deserialize, Default)]
pub struct VerifyQuery {
    #[serde(default)]
    pub verify: Option<String>,
}

/// A stored draw; with `?verify=1` it is re-run from its seed and pool and compared (INS-07).
pub async fn show_draw(
    _user: CurrentUser,
    path: Result<Path<DrawPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
    Query(query): Query<VerifyQuery>,
) -> AppResult<Response> {
    let Path(DrawPath { draw_id }) = path.map_err(|_| not_found())?;
    let d = db::get_draw(&mut tx, draw_id).await?;
    let pool = db::units_by_ids(&mut tx, &d.pool).await?;
    let exclusions = db::draw_exclusions(&mut tx, draw_id).await?;
    drop(tx);
    let verified = query.verify.map(|_| {
        let rerun =
            draw::parse_seed(&d.seed).map(|seed| draw::draw(&d.pool, seed, d.draw_count as usize));
        rerun.as_deref() == Some(d.result.as_slice())
    });
    let result = d
        .result
        .iter()
        .filter_map(|id| pool.iter().find(|u| u.id == *id).cloned())
        .collect();
    render(&DrawPage {
        href: ctx.href(&format!("/draws/{draw_id}")),
        drawn_at: local_time(&ctx, &d.drawn_at),
        year: d.year,
        seed: d.seed,
        drawn_by: d.drawn_by,
        count: d.draw_count,
        categories: d.categories.join("、"),
        note: d.note,
        result,
        pool,
        exclusions,
        verified,
        ctx,
    })
}

// ---- quarterly self-reports (INS-04) ----

#[allow(clippy::too_many_arguments)]
async fn liaison_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    quarter: String,
    content: String,
    error: Option<&'static str>,
    file_errors: Vec<String>,
    max_upload: String,
) -> AppResult<SelfReportsPage> {
    let unit = user.unit_id.ok_or_else(not_found)?;
    let Some((year_id, year)) = db::open_years(tx).await?.last().copied() else {
        return Ok(SelfReportsPage {
            ctx,
            year: None,
            quarters: Vec::new(),
            content,
            quarter,
            error,
            file_errors,
            max_upload,
        });
    };
    let attachments = db::self_report_attachments(tx, year_id, unit).await?;
    let dues: Vec<Option<chrono::NaiveDate>> = super::quarter_dues(tx, year)
        .await?
        .into_iter()
        .map(Result::ok)
        .collect();
    let reports = db::self_reports(tx, year_id).await?;
    let today = chrono::Utc::now()
        .with_timezone(&ctx.time_zone())
        .date_naive();
    let quarters = (1..=4)
        .map(|q| {
            let submitted = reports
                .iter()
                .find(|r| r.0 == unit && r.1 == q)
                .map(|r| local_time(&ctx, &r.2));
            let due = dues[(q - 1) as usize];
            let ended = self_report::quarter_end(year, q as u32).is_some_and(|end| today > end);
            QuarterView {
                quarter: q,
                due: due
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| ctx.t("self_reports.no_calendar").into()),
                missed: submitted.is_none() && due.is_some_and(|d| today > d),
                open: ended && submitted.is_none(),
                submitted: submitted.unwrap_or_default(),
                attachments: attachments
                    .iter()
                    .filter(|a| a.0 == q)
                    .map(|a| (ctx.href(&format!("/evidence/{}", a.1)), a.2.clone()))
                    .collect(),
            }
        })
        .collect();
    Ok(SelfReportsPage {
        ctx,
        year: Some(year),
        quarters,
        content,
        quarter,
        error,
        file_errors,
        max_upload,
    })
}

/// The liaison's quarterly self-reports for its unit.
pub async fn show_self_reports(
    user: CurrentUser,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let max = state.evidence.max_upload_text();
    let page = liaison_page(
        ctx,
        &user,
        &mut tx,
        String::new(),
        String::new(),
        None,
        Vec::new(),
        max,
    )
    .await?;
    drop(tx);
    render(&page)
}

/// INS-04: the liaison files its unit's report for a quarter that has ended (once), with any
/// attachments (streamed into the evidence store, INS-09). A refused attachment files nothing
/// and keeps the typed text.
#[allow(clippy::too_many_arguments)]
pub async fn submit_self_report(
    user: CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let unit = user.unit_id.ok_or_else(not_found)?;
    let max = state.evidence.max_upload_text();
    let tz = ctx.time_zone();
    let (intake, broken) =
        crate::evidence::intake(&state.evidence, user.tenant_id, tz, multipart).await;
    let form_quarter = intake.field("quarter");
    let form_content = intake.field("content");
    let mut file_errors: Vec<String> = intake.refusal_messages(&ctx);
    if let Some(error) = broken {
        // the typed text stays on the page; the files go
        tracing::info!(?error, "a self-report upload broke off");
        file_errors.push(ctx.t("evidence.upload_failed").to_string());
    }
    let mut tx = request_tx.acquire().await?;
    let content = form_content.trim().to_string();
    let quarter = form_quarter
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|q| (1..=4).contains(q));
    let year = db::open_years(&mut tx).await?.last().copied();
    let today = chrono::Utc::now()
        .with_timezone(&ctx.time_zone())
        .date_naive();
    let refusal = match (year, quarter) {
        (None, _) => Some("units.no_open_year"),
        (_, None) => Some("error.quarter"),
        (Some((_, y)), Some(q))
            if self_report::quarter_end(y, q as u32).is_none_or(|end| today <= end) =>
        {
            Some("error.quarter_not_ended")
        }
        _ if content.is_empty() || content.chars().count() > 10_000 => Some("error.report_content"),
        _ if !file_errors.is_empty() => Some("self_reports.files_refused"),
        (Some((year_id, y)), Some(q)) => {
            match db::insert_self_report(
                &mut tx,
                user.tenant_id,
                year_id,
                unit,
                q,
                &content,
                user.id,
            )
            .await?
            {
                Some(id) => {
                    let owner = crate::evidence::db::Owner::SelfReport(id);
                    let files = crate::evidence::record(
                        &mut tx,
                        &state.evidence,
                        user.tenant_id,
                        owner,
                        &intake.received,
                        user.id,
                        &addr,
                        tz,
                    )
                    .await?;
                    let event = Event {
                        action: "self_report.submit",
                        subject_type: "unit",
                        subject_id: Some(unit),
                        detail: json!({
                            "year": y,
                            "quarter": q,
                            "self_report_id": id,
                            "attachments": files.len(),
                        }),
                    };
                    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
                    flash::push(
                        &session,
                        FlashKind::Success,
                        "self_reports.submitted",
                        Some(q.to_string()),
                    )
                    .await;
                    return Ok(Redirect::to(&user.path("/self-reports")).into_response());
                }
                None => Some("error.report_exists"),
            }
        }
    };
    // nothing was filed: the files this request stored go again
    crate::evidence::forget(&state.db, &state.evidence, user.tenant_id, &intake.received).await;
    let page = liaison_page(
        ctx,
        &user,
        &mut tx,
        form_quarter,
        form_content,
        refusal,
        file_errors,
        max,
    )
    .await?;
    drop(tx);
    render_invalid(&page)
}

/// The office's matrix of units × quarters for a year (INS-04).
pub async fn self_report_matrix(
    _user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, path).await?;
    let units = db::listed_units(&mut tx, year.id).await?;
    let reports = db::self_reports(&mut tx, year.id).await?;
    let dues: Vec<Option<chrono::NaiveDate>> = super::quarter_dues(&mut tx, year.year)
        .await?
        .into_iter()
        .map(Result::ok)
        .collect();
    drop(tx);
    let today = chrono::Utc::now()
        .with_timezone(&ctx.time_zone())
        .date_naive();
    let rows = units
        .into_iter()
        .map(|u| MatrixRow {
            cells: (1..=4)
                .map(|q| match reports.iter().find(|r| r.0 == u.id && r.1 == q) {
                    Some(r) => (local_time(&ctx, &r.2), "self_reports.submitted_cell"),
                    None => match dues[(q - 1) as usize] {
                        Some(due) if today > due => (String::new(), "self_reports.missed"),
                        _ => (String::new(), "self_reports.pending"),
                    },
                })
                .collect(),
            code: u.code,
            name: u.name,
        })
        .collect();
    let dues = dues
        .into_iter()
        .map(|d| {
            d.map(|d| d.to_string())
                .unwrap_or_else(|| ctx.t("self_reports.no_calendar").into())
        })
        .collect();
    render(&SelfReportMatrixPage {
        ctx,
        year: year.year,
        dues,
        rows,
    })
}

// ---- tasks (INS-02, INS-03, INS-07) and coverage (INS-06) ----

/// The kind's label and the method or focus areas, in the reader's language.
fn describe(
    ctx: &PageCtx,
    kind: &str,
    method: Option<&str>,
    focus: &[String],
) -> (&'static str, String) {
    use super::tasks::{FOCUS, METHODS};
    if kind == "covert" {
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

pub(super) fn task_items(ctx: &PageCtx, rows: Vec<db::TaskRow>) -> Vec<TaskItem> {
    let today = chrono::Utc::now()
        .with_timezone(&ctx.time_zone())
        .date_naive();
    rows.into_iter()
        .map(|t| {
            let (kind, detail) = describe(ctx, &t.kind, t.method.as_deref(), &t.focus);
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
    user: &CurrentUser,
    tx: &mut Tx,
    year: &YearRow,
    form: TaskFormView,
    errors: Vec<String>,
) -> AppResult<TasksPage> {
    let rows = db::year_tasks(tx, year.id).await?;
    let groups = crate::registry::db::list_groups(tx)
        .await?
        .into_iter()
        .map(|g| (g.id.to_string(), g.name))
        .collect();
    let units = db::listed_units(tx, year.id)
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), format!("{} {}", u.code, u.name)))
        .collect();
    let open = YearStatus::parse(&year.status) == Some(YearStatus::Open);
    let rounds = db::rounds(tx, Some(year.id), None)
        .await?
        .into_iter()
        .map(|r| {
            let label = format!("{}（{}～{}）", r.name, r.starts_on, r.ends_on);
            (r.id.to_string(), label)
        })
        .collect();
    Ok(TasksPage {
        rounds,
        tasks: task_items(&ctx, rows),
        can_plan: open && matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
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
    path: Result<Path<YearPath>, PathRejection>,
    Query(prefill): Query<TaskPrefill>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, path).await?;
    let form = TaskFormView {
        kind: "open".into(),
        unit_id: prefill.unit_id,
        round_id: prefill.round_id,
        ..Default::default()
    };
    let page = tasks_page(ctx, &user, &mut tx, &year, form, Vec::new()).await?;
    drop(tx);
    render(&page)
}

/// Puts a group on a unit on a date (INS-02): never a group with a member who must stand aside.
pub async fn create_task(
    user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = TaskFormView::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "round_id" => form.round_id = value.into_owned(),
            "group_id" => form.group_id = value.into_owned(),
            "unit_id" => form.unit_id = value.into_owned(),
            "kind" => form.kind = value.into_owned(),
            "method" => form.method = value.into_owned(),
            "focus" => form.focus.push(value.into_owned()),
            "scheduled_on" => form.scheduled_on = value.into_owned(),
            "note" => form.note = value.into_owned(),
            _ => {}
        }
    }
    let mut tx = request_tx.acquire().await?;
    let year = year_of(&mut tx, path).await?;
    let input = TaskInput {
        group_id: form.group_id.clone(),
        unit_id: form.unit_id.clone(),
        kind: form.kind.clone(),
        method: form.method.clone(),
        focus: form.focus.clone(),
        scheduled_on: form.scheduled_on.clone(),
        note: form.note.clone(),
    };
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
        let listed = db::listed_units(&mut tx, year.id).await?;
        if !listed.iter().any(|u| u.id == task.unit_id) {
            errors.push(ctx.t("error.task_unit").into());
        }
        let members = db::group_members_for_recusal(&mut tx, task.group_id).await?;
        if members.is_empty() {
            errors.push(ctx.t("error.task_group").into());
        }
        for m in crate::registry::supervisors::recusals(&members, task.unit_id) {
            errors.push(ctx.tf("error.recusal", &m.name));
        }
    }
    // INS-06: a task of a round is an open inspection inside the round's dates
    let round = match form.round_id.trim() {
        "" => None,
        id => {
            let found = match Uuid::parse_str(id) {
                Ok(id) => db::rounds(&mut tx, Some(year.id), Some(id)).await?.pop(),
                Err(_) => None,
            };
            match (&found, &fields) {
                (None, _) => errors.push(ctx.t("rounds.error_round").into()),
                (Some(r), _) if r.fixed_at.is_some() => {
                    errors.push(ctx.t("rounds.error_fixed").into())
                }
                (Some(r), Some(task))
                    if task.kind != "open"
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
        let page = tasks_page(ctx, &user, &mut tx, &year, form, errors).await?;
        drop(tx);
        return render_invalid(&page);
    };
    let id = db::insert_task(&mut tx, user.tenant_id, year.id, &task, user.id).await?;
    if let Some(round) = &round {
        db::insert_round_task(&mut tx, user.tenant_id, round.id, id).await?;
    }
    let event = Event {
        action: "task.create",
        subject_type: "inspection_task",
        subject_id: Some(id),
        detail: json!({
            "round": round.as_ref().map(|r| r.name.clone()),
            "kind": task.kind,
            "method": task.method,
            "scheduled_on": task.scheduled_on.to_string(),
            "unit_id": task.unit_id,
        }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(&session, FlashKind::Success, "tasks.created", None).await;
    Ok(Redirect::to(&user.path(&format!("/years/{}/tasks", year.year))).into_response())
}

/// The supervisor's own tasks: their groups' only (INS-02).
pub async fn my_tasks(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let rows = db::tasks_of_user(&mut tx, user.id).await?;
    let linked =
        !rows.is_empty() || crate::registry::db::supervisor_of_user(&mut tx, user.id).await?;
    drop(tx);
    let tasks = task_items(&ctx, rows);
    render(&MyTasksPage { ctx, tasks, linked })
}

pub use super::findings::TaskPath;

/// A task's page: a supervisor sees it only when in the task's group. It carries the findings,
/// the unit's sign-off (INS-10), the submission (INS-11) and the task's history.
pub async fn show_task(
    user: CurrentUser,
    path: Result<Path<TaskPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(TaskPath { task_id }) = path.map_err(|_| not_found())?;
    let task = db::get_task(&mut tx, task_id).await?;
    let member =
        user.role == Role::Supervisor && db::user_in_group(&mut tx, user.id, task.group_id).await?;
    if user.role == Role::Supervisor && !member {
        return Err(not_found());
    }
    let state = db::task_state(&mut tx, task_id).await?;
    let open = state.submitted_at.is_none();
    // INS-10: nothing is filed under the unit's signature
    let filing = open && state.signoff.is_none();
    let leader = member && db::user_leads_group(&mut tx, user.id, task.group_id).await?;
    let findings = db::task_findings(&mut tx, task_id).await?;
    let can_issue_notice = matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff)
        && !crate::notices::db::candidates(&mut tx, task_id)
            .await?
            .is_empty();
    let history = crate::audit::db::events_for_subject(&mut tx, "inspection_task", task_id)
        .await?
        .into_iter()
        .map(|e| crate::audit::views::TimelineEntry::new(&ctx, e))
        .collect();
    drop(tx);
    let (kind, detail) = describe(&ctx, &task.kind, task.method.as_deref(), &task.focus);
    let submitted = match (state.submitted_at, state.submitted_by) {
        (Some(at), Some(by)) => Some(format!("{} · {by}", local_time(&ctx, &at))),
        _ => None,
    };
    let signature_href = state
        .signoff
        .as_ref()
        .and_then(|s| s.signature_evidence_id)
        .map(|id| ctx.href(&format!("/evidence/{id}")));
    render(&TaskPage {
        on_site: member && filing,
        can_submit: leader && open,
        can_issue_notice,
        submitted,
        signoff: state.signoff,
        signature_href,
        findings,
        history,
        ctx,
        task,
        kind,
        detail,
    })
}

/// INS-06: which listed units have an open inspection this year, and which none yet.
pub async fn show_coverage(
    _user: CurrentUser,
    path: Result<Path<YearPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, path).await?;
    let rows = db::coverage(&mut tx, year.id).await?;
    let every_task =
        chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(chrono::NaiveDate::MAX);
    let mandatory = db::mandatory_units(&mut tx, year.id, every_task, None).await?;
    drop(tx);
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
    render(&CoveragePage {
        ctx,
        mandatory,
        year: year.year,
        covered,
        uncovered,
    })
}
