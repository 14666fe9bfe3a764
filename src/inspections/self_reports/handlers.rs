//! The self-reports' pages: a liaison's quarters with the form to file one, and the office's
//! matrix of units and quarters (INS-04).

use axum::extract::{Multipart, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::db;
use super::model::{quarter_end, refusal};
use super::views::{MatrixRow, QuarterView, SelfReportMatrixPage, SelfReportsPage};
use crate::AppState;
use crate::audit::{Acting, Event};
use crate::core::{AppResult, CurrentUser, Now, not_found};
use crate::db::{RequestTx, Tx};
use crate::inspections::db::{listed_units, open_years};
use crate::registry::years::db::YearRow;
use crate::registry::years::handlers::{YearPath, year_of};
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, PageCtx, Path, render, render_invalid};

/// What the liaison typed and what was refused, shown again when nothing was filed.
#[derive(Debug, Default)]
struct Typed {
    quarter: String,
    content: String,
    error: Option<&'static str>,
    file_errors: Vec<String>,
}

async fn liaison_page(
    ctx: PageCtx,
    (user, now): (&CurrentUser, DateTime<Utc>),
    tx: &mut Tx,
    typed: Typed,
    max_upload: String,
) -> AppResult<SelfReportsPage> {
    let unit = user.unit_id.ok_or_else(not_found)?;
    let Typed {
        quarter,
        content,
        error,
        file_errors,
    } = typed;
    let Some((year_id, year)) = open_years(tx).await?.last().copied() else {
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
    let today = ctx.local_date(now);
    let quarters = (1..=4)
        .map(|q| {
            let submitted = reports
                .iter()
                .find(|r| r.0 == unit && r.1 == q)
                .map(|r| ctx.local_time(&r.2));
            let due = dues[(q - 1) as usize];
            let ended = quarter_end(year, q as u32).is_some_and(|end| today > end);
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
    Now(now): Now,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let max = state.evidence.max_upload_text();
    let page = liaison_page(ctx, (&user, now), &mut tx, Typed::default(), max).await?;
    drop(tx);
    render(&page)
}

/// INS-04: the liaison files its unit's report for a quarter that has ended (once), with any
/// attachments (streamed into the evidence store, INS-09). A refused attachment files nothing
/// and keeps the typed text.
pub async fn submit_self_report(
    mut acting: Acting,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let unit = acting.user.unit_id.ok_or_else(not_found)?;
    let tz = ctx.time_zone();
    let (intake, broken) =
        crate::evidence::intake(&state.evidence, acting.user.tenant_id, tz, multipart).await;
    acting.upload_received();
    let user = &acting.user;
    let mut typed = Typed {
        quarter: intake.field("quarter"),
        content: intake.field("content"),
        error: None,
        file_errors: intake.refusal_messages(&ctx),
    };
    if let Some(error) = broken {
        // the typed text stays on the page; the files go
        tracing::info!(?error, "a self-report upload broke off");
        typed
            .file_errors
            .push(ctx.t("evidence.upload_failed").to_string());
    }
    let mut tx = request_tx.acquire().await?;
    let content = typed.content.trim().to_string();
    let quarter = typed
        .quarter
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|q| (1..=4).contains(q));
    let year = open_years(&mut tx).await?.last().copied();
    let today = ctx.local_date(acting.now);
    let mut refused = refusal(year, quarter, today, &content, &typed.file_errors);
    if let (None, Some((year_id, y)), Some(q)) = (refused, year, quarter) {
        let (tenant, author) = (user.tenant_id, user.id);
        let filed =
            db::insert_self_report(&mut tx, tenant, year_id, unit, q, &content, author).await?;
        if let Some(id) = filed {
            let owner = crate::evidence::db::Owner::SelfReport(id);
            let received = &intake.received;
            let files =
                crate::evidence::record(&mut tx, &state.evidence, owner, received, &acting, tz)
                    .await?;
            let detail = json!({
                "year": y,
                "quarter": q,
                "self_report_id": id,
                "attachments": files.len(),
            });
            let event = Event::new("self_report.submit", ("unit", unit), detail);
            let done = Flash::success("self_reports.submitted").with(q.to_string());
            return acting.recorded(&mut tx, event, done, "/self-reports").await;
        }
        refused = Some("error.report_exists");
    }
    typed.error = refused;
    // nothing was filed: the files this request stored go again
    crate::evidence::forget(&state.db, &state.evidence, user.tenant_id, &intake.received).await;
    let max = state.evidence.max_upload_text();
    let page = liaison_page(ctx, (user, acting.now), &mut tx, typed, max).await?;
    drop(tx);
    render_invalid(&page)
}

/// A year's matrix of units × quarters (INS-04): each quarter's due date (or why there is none),
/// and each listed unit's row.
async fn matrix(
    ctx: &PageCtx,
    now: DateTime<Utc>,
    tx: &mut Tx,
    year: &YearRow,
) -> AppResult<(Vec<String>, Vec<MatrixRow>)> {
    let units = listed_units(tx, year.id).await?;
    let reports = db::self_reports(tx, year.id).await?;
    let dues: Vec<Option<chrono::NaiveDate>> = super::quarter_dues(tx, year.year)
        .await?
        .into_iter()
        .map(Result::ok)
        .collect();
    let today = ctx.local_date(now);
    let rows = units
        .into_iter()
        .map(|u| MatrixRow {
            cells: (1..=4)
                .map(|q| match reports.iter().find(|r| r.0 == u.id && r.1 == q) {
                    Some(r) => (ctx.local_time(&r.2), "self_reports.submitted_cell"),
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
    Ok((dues, rows))
}

/// The office's matrix of units × quarters for a year (INS-04).
pub async fn self_report_matrix(
    _user: CurrentUser,
    Now(now): Now,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let (dues, rows) = matrix(&ctx, now, &mut tx, &year).await?;
    drop(tx);
    render(&SelfReportMatrixPage {
        ctx,
        year: year.year,
        dues,
        rows,
    })
}

/// The year's matrix as CSV or XLSX: a row a unit, a column a quarter, each cell in the page's
/// words.
pub async fn export_self_report_matrix(
    _user: CurrentUser,
    Now(now): Now,
    Path(YearPath { year }): Path<YearPath>,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let year = year_of(&mut tx, year).await?;
    let (_, rows) = matrix(&ctx, now, &mut tx, &year).await?;
    drop(tx);
    let rows = rows.into_iter().map(|r| r.cells(&ctx)).collect();
    let name = format!("self-reports-{}", year.year);
    Export::new(&name, &MatrixRow::header(&ctx), rows).respond(format)
}
