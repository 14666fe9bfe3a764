//! The office's audit log, newest first (office_admin and office_staff).

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::db;
use super::views::{AuditLogPage, LogPage, TimelineEntry};
use crate::AppState;
use crate::core::error::{AppError, AppResult};
use crate::core::{CurrentUser, Now, Pager};
use crate::db::Tx;
use crate::web::export::{Export, ExportFormat};
use crate::web::{PageCtx, Query, render};

/// Events on one page of the log, newest first; older ones a link away.
const PAGE_SIZE: i64 = 100;

/// The most events an export holds: the newest this many of those the page lists from (all, or
/// those before an older page's start). The log is the office's whole history; a file of it
/// whole would be read at once into memory, so an older stretch is taken away from an older
/// page. The page says so beside its export links.
pub const EXPORT_CAP: i64 = 10_000;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub before: Option<i64>,
}

impl AuditQuery {
    /// The export links start where the page does: the query after the file name.
    fn export_query(&self) -> String {
        self.before
            .map(|before| format!("?before={before}"))
            .unwrap_or_default()
    }
}

pub async fn list_audit_events(
    user: CurrentUser,
    State(state): State<AppState>,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let page = match query.before {
        Some(before) => Arc::new(read_page(&ctx, &mut tx, Some(before)).await?),
        None => {
            let key = (user.tenant_id, ctx.lang);
            let changes = state.changes.of(user.tenant_id);
            let read = async { Ok::<_, AppError>(Arc::new(read_page(&ctx, &mut tx, None).await?)) };
            state
                .audit_pages
                .read_through(key, changes, now, read)
                .await?
        }
    };
    drop(tx);
    let pager = Pager::keyset(page.older_href.clone());
    let export_query = query.export_query();
    render(&AuditLogPage {
        ctx,
        page,
        pager,
        export_query,
        export_cap: EXPORT_CAP,
    })
}

/// The events the log lists from where the page starts (the newest, or those before an older
/// page's start), at most [`EXPORT_CAP`] of them, as CSV or XLSX; read afresh, never cached.
pub async fn export_audit_events(
    _user: CurrentUser,
    ctx: PageCtx,
    Query(query): Query<AuditQuery>,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let rows = db::list_events(&mut tx, query.before, EXPORT_CAP).await?;
    drop(tx);
    let rows = rows
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e).cells())
        .collect();
    Export::translated(&ctx, "audit", &TimelineEntry::COLUMNS, rows).respond(format)
}

/// The events before `before` (the newest when `None`), as the log shows them.
async fn read_page(ctx: &PageCtx, tx: &mut Tx, before: Option<i64>) -> AppResult<LogPage> {
    let rows = db::list_events(tx, before, PAGE_SIZE).await?;
    let older_href = (rows.len() as i64 == PAGE_SIZE)
        .then(|| {
            rows.last()
                .map(|r| ctx.href(&format!("/audit?before={}", r.seq)))
        })
        .flatten();
    let events = rows
        .into_iter()
        .map(|e| TimelineEntry::new(ctx, e))
        .collect();
    Ok(LogPage { events, older_href })
}
