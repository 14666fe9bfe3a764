//! The office's audit log, newest first (office_admin and office_staff).

use crate::web::Query;
use axum::response::Response;
use serde::Deserialize;

use super::db;
use super::views::{AuditLogPage, TimelineEntry};
use crate::core::error::AppResult;
use crate::core::{CurrentUser, Pager};
use crate::db::Tx;
use crate::web::{PageCtx, render};

/// Events on one page of the log, newest first; older ones a link away.
const PAGE_SIZE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub before: Option<i64>,
}

pub async fn list_audit_events(
    _user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let rows = db::list_events(&mut tx, query.before, PAGE_SIZE).await?;
    drop(tx);
    let older_href = (rows.len() as i64 == PAGE_SIZE)
        .then(|| {
            rows.last()
                .map(|r| ctx.href(&format!("/audit?before={}", r.seq)))
        })
        .flatten();
    let events = rows
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    render(&AuditLogPage {
        ctx,
        events,
        pager: Pager::keyset(older_href),
    })
}
