//! Bulletin pages (INS-13): the list, a new draft from a period's findings, editing, publishing,
//! the bulletin itself (a printable document, which records a liaison's first reading) and who
//! has read it. Each change asks the bulletin's state machine (`model::Status::apply`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::db::{self, BulletinRow, Scope};
use super::model::{self, BulletinText, Event, PeriodForm, Status};
use super::views::{
    BulletinItem, BulletinOverview, BulletinPage, BulletinsPage, EditBulletinPage, NewBulletinPage,
    RECEIPT_COLUMNS, UnitReceipt, receipt_cells,
};
use crate::AppState;
use crate::audit::{Acting, Event as LogEvent, views::TimelineEntry};
use crate::core::time::document_date;
use crate::core::{AppResult, CurrentUser, Now, Role, not_found};
use crate::db::{RequestTx, Tx, Wrote};
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, render, render_invalid};

#[derive(Debug, Deserialize)]
pub struct BulletinPath {
    pub bulletin_id: Uuid,
}

/// What `user` may see: the office everything, leaders the published, a liaison its unit's.
fn scope(user: &CurrentUser) -> AppResult<Scope> {
    Ok(match user.role {
        Role::OfficeAdmin | Role::OfficeStaff => Scope::All,
        Role::Liaison => Scope::Unit(user.unit_id.ok_or_else(not_found)?),
        _ => Scope::Published,
    })
}

/// Drafts and published bulletins for the office; published ones for leaders; those sent to its
/// unit for a liaison, marked read or unread.
pub async fn list_bulletins(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let scope = scope(&user)?;
    let rows = db::bulletins(&mut tx, scope, None, user.id).await?;
    drop(tx);
    let bulletins = rows.iter().map(|b| BulletinItem::new(&ctx, b)).collect();
    render(&BulletinsPage {
        ctx,
        bulletins,
        of_office: matches!(scope, Scope::All),
        is_liaison: matches!(scope, Scope::Unit(_)),
    })
}

/// The bulletins the list shows, as CSV or XLSX, in the columns its reader sees.
pub async fn export_bulletins(
    user: CurrentUser,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let scope = scope(&user)?;
    let rows = db::bulletins(&mut tx, scope, None, user.id).await?;
    drop(tx);
    let is_liaison = matches!(scope, Scope::Unit(_));
    let rows = rows
        .iter()
        .map(|b| BulletinItem::new(&ctx, b).cells(&ctx, is_liaison))
        .collect();
    let columns = BulletinItem::columns(is_liaison);
    Export::translated(&ctx, "bulletins", columns, rows).respond(format)
}

/// INS-13: the period of a new bulletin.
pub async fn new_bulletin_form(_user: CurrentUser, ctx: PageCtx) -> AppResult<Response> {
    render(&NewBulletinPage {
        ctx,
        form: PeriodForm::default(),
        error: None,
    })
}

/// INS-13: drafts a bulletin for the period from its confirmed findings, and opens it for editing.
pub async fn create_bulletin(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<PeriodForm>,
) -> AppResult<Response> {
    let (from, to) = match form.validate() {
        Ok(period) => period,
        Err(key) => {
            return render_invalid(&NewBulletinPage {
                ctx,
                form,
                error: Some(key),
            });
        }
    };
    let mut tx = request_tx.acquire().await?;
    let tz = ctx.time_zone();
    let findings = db::period_findings(&mut tx, from, to, tz.name()).await?;
    let settings = crate::registry::settings::db::get_settings(&mut tx).await?;
    let text = model::draft(ctx.lang, &settings.name, from, to, &findings);
    // a draft too long to be saved again after editing is not made: the period is shortened
    if text.validate().is_err() {
        drop(tx);
        return render_invalid(&NewBulletinPage {
            ctx,
            form,
            error: Some("bulletins.error_period_too_long"),
        });
    }
    let user = &acting.user;
    let id = db::insert_bulletin(&mut tx, user.tenant_id, from, to, &text, user.id).await?;
    let detail = json!({
        "period": format!("{from} – {to}"),
        "findings": findings.len(),
    });
    let event = LogEvent::new("bulletin.draft", ("bulletin", id), detail);
    let done = Flash::success("bulletins.drafted");
    acting
        .recorded(&mut tx, event, done, &format!("/bulletins/{id}/edit"))
        .await
}

/// One bulletin `user` may see, or 404.
async fn bulletin_of(tx: &mut Tx, user: &CurrentUser, bulletin_id: Uuid) -> AppResult<BulletinRow> {
    db::bulletins(tx, scope(user)?, Some(bulletin_id), user.id)
        .await?
        .pop()
        .ok_or_else(not_found)
}

/// INS-13: the draft's texts, to edit; a published bulletin goes to its page.
pub async fn edit_bulletin_form(
    user: CurrentUser,
    Now(now): Now,
    Path(BulletinPath { bulletin_id }): Path<BulletinPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let b = bulletin_of(&mut tx, &user, bulletin_id).await?;
    drop(tx);
    if b.status.apply(Event::Edit, now).is_err() {
        let page = user.path(&format!("/bulletins/{bulletin_id}"));
        return Ok(Redirect::to(&page).into_response());
    }
    let text = BulletinText {
        title: b.title.clone(),
        lead: b.lead.clone(),
        body: b.body.clone(),
        closing: b.closing.clone(),
    };
    render(&EditBulletinPage {
        ctx,
        b,
        text,
        errors: Vec::new(),
    })
}

/// INS-13: saves the draft's texts; a published bulletin is refused (and the database refuses
/// it too).
pub async fn update_bulletin(
    acting: Acting,
    Path(BulletinPath { bulletin_id }): Path<BulletinPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(typed): Form<BulletinText>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    db::lock_bulletin(&mut tx, bulletin_id).await?;
    let b = bulletin_of(&mut tx, &acting.user, bulletin_id).await?;
    let result = b
        .status
        .apply(Event::Edit, acting.now)
        .map_err(|refusal| vec![refusal.key])
        .and_then(|step| Ok((step, typed.validate()?)));
    let (step, text) = match result {
        Ok(valid) => valid,
        Err(errors) => {
            drop(tx);
            return render_invalid(&EditBulletinPage {
                ctx,
                b,
                text: typed,
                errors,
            });
        }
    };
    db::update_text(&mut tx, bulletin_id, &text).await?;
    let event = LogEvent::new(
        step.action,
        ("bulletin", bulletin_id),
        json!({ "title": text.title }),
    );
    let done = Flash::success("bulletins.saved");
    acting
        .recorded(&mut tx, event, done, &format!("/bulletins/{bulletin_id}"))
        .await
}

async fn bulletin_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    bulletin_id: Uuid,
) -> AppResult<BulletinPage> {
    let b = bulletin_of(tx, user, bulletin_id).await?;
    let receipts = receipt_rows(tx, user, &b)
        .await?
        .map(|rows| unit_receipts(&ctx, rows));
    let settings = crate::registry::settings::db::get_settings(tx).await?;
    let history = crate::audit::db::events_for_subject(tx, "bulletin", bulletin_id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry::new(&ctx, e))
        .collect();
    Ok(BulletinPage {
        office_name: settings.name,
        state_key: b.status.label_key(),
        draft: b.status == Status::Draft,
        can_change: user.of_office(),
        published_on: b
            .published_at
            .map(|t| document_date(ctx.local_date(t)))
            .unwrap_or_default(),
        receipts,
        errors: Vec::new(),
        history,
        ctx,
        b,
    })
}

/// Who has read the bulletin, for whoever sees it: the office and leaders, once it is published
/// (a draft went to no one, and a liaison reads no other liaison's receipts).
async fn receipt_rows(
    tx: &mut Tx,
    user: &CurrentUser,
    b: &BulletinRow,
) -> AppResult<Option<Vec<db::ReceiptRow>>> {
    Ok(match (user.role, b.status) {
        (Role::Liaison, _) | (_, Status::Draft) => None,
        _ => Some(db::receipts(tx, b.id).await?),
    })
}

/// The bulletin's receipts as its page lists them, one row a liaison, as CSV or XLSX; not found
/// for whom the page shows none.
pub async fn export_bulletin_receipts(
    user: CurrentUser,
    Path(BulletinPath { bulletin_id }): Path<BulletinPath>,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
) -> AppResult<Response> {
    let b = bulletin_of(&mut tx, &user, bulletin_id).await?;
    let rows = receipt_rows(&mut tx, &user, &b)
        .await?
        .ok_or_else(not_found)?;
    drop(tx);
    let rows = rows.into_iter().map(|r| receipt_cells(&ctx, r)).collect();
    Export::translated(&ctx, "receipts", &RECEIPT_COLUMNS, rows).respond(format)
}

/// Groups the receipt rows (in unit order) per unit.
fn unit_receipts(ctx: &PageCtx, rows: Vec<db::ReceiptRow>) -> Vec<UnitReceipt> {
    let mut units: Vec<(Uuid, UnitReceipt)> = Vec::new();
    for row in rows {
        if units.last().is_none_or(|(id, _)| *id != row.unit_id) {
            units.push((
                row.unit_id,
                UnitReceipt {
                    unit: row.unit_name.clone(),
                    readers: Vec::new(),
                    unread: Vec::new(),
                },
            ));
        }
        let Some((_, unit)) = units.last_mut() else {
            continue;
        };
        match (row.liaison, row.read_at) {
            (Some(name), Some(at)) => unit.readers.push((name, ctx.local_time(&at))),
            (Some(name), None) => unit.unread.push(name),
            (None, _) => {}
        }
    }
    units.into_iter().map(|(_, unit)| unit).collect()
}

/// A liaison reading a bulletin sent to its unit: its first reading is recorded, once (INS-13).
/// Whether it was (the unit's unread count moves: the response says it wrote).
async fn note_reading(tx: &mut Tx, acting: &Acting, bulletin_id: Uuid) -> AppResult<bool> {
    let user = &acting.user;
    let Some(unit) = user.liaison_unit() else {
        return Ok(false);
    };
    if !db::record_read(tx, user.tenant_id, bulletin_id, user.id, unit).await? {
        return Ok(false);
    }
    let event = LogEvent::new("bulletin.read", ("bulletin", bulletin_id), json!({}));
    acting.record(tx, event).await?;
    Ok(true)
}

fn marked(mut response: Response, wrote: bool) -> Response {
    if wrote {
        response.extensions_mut().insert(Wrote);
    }
    response
}

/// INS-13: the bulletin. A liaison opening one sent to its unit records its first reading, once.
pub async fn show_bulletin(
    acting: Acting,
    Path(BulletinPath { bulletin_id }): Path<BulletinPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = bulletin_page(ctx, &acting.user, &mut tx, bulletin_id).await?;
    let wrote = note_reading(&mut tx, &acting, bulletin_id).await?;
    drop(tx);
    Ok(marked(render(&page)?, wrote))
}

/// INS-13: the bulletin in PDF, typeset on the server; a liaison's download is a reading too.
pub async fn bulletin_pdf(
    acting: Acting,
    Path(BulletinPath { bulletin_id }): Path<BulletinPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let page = bulletin_page(ctx, &acting.user, &mut tx, bulletin_id).await?;
    let wrote = note_reading(&mut tx, &acting, bulletin_id).await?;
    drop(tx);
    let back = page.ctx.href(&format!("/bulletins/{bulletin_id}"));
    let pdf = crate::documents::handlers::pdf_response(
        &state.documents,
        &request_tx,
        page.ctx.clone(),
        &page.document(),
        &page.b.title,
        back,
    )
    .await?;
    Ok(marked(pdf, wrote))
}

/// INS-13: publishes the draft, once, to every unit of the office.
pub async fn publish_bulletin(
    acting: Acting,
    Path(BulletinPath { bulletin_id }): Path<BulletinPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    db::lock_bulletin(&mut tx, bulletin_id).await?;
    let mut page = bulletin_page(ctx, &acting.user, &mut tx, bulletin_id).await?;
    let step = match page.b.status.apply(Event::Publish, acting.now) {
        Ok(step) => step,
        Err(refusal) => {
            drop(tx);
            page.errors = vec![page.ctx.refusal(&refusal)];
            return render_invalid(&page);
        }
    };
    let user = &acting.user;
    let units = db::publish(&mut tx, user.tenant_id, bulletin_id, (user.id, step.at))
        .await?
        .ok_or_else(not_found)?;
    let event = LogEvent::new(
        step.action,
        ("bulletin", bulletin_id),
        json!({ "units": units }),
    );
    let done = Flash::success("bulletins.published");
    acting
        .recorded(&mut tx, event, done, &format!("/bulletins/{bulletin_id}"))
        .await
}

/// The latest bulletins the overview lists.
const RECENT_BULLETINS: usize = 10;

/// INS-13: the bulletins part of the leaders' overview: how many are published, and the latest
/// with how many units have read each.
pub async fn overview(
    ctx: &PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
) -> AppResult<BulletinOverview> {
    let recent = db::bulletins(tx, Scope::Published, None, user.id)
        .await?
        .iter()
        .take(RECENT_BULLETINS)
        .map(|b| BulletinItem::new(ctx, b))
        .collect();
    Ok(BulletinOverview { recent })
}
