//! Bulletin pages: the list, a new draft from a period's findings, editing, publishing, the
//! bulletin itself (a printable document, which records a liaison's first reading) and who has
//! read it.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db::{self, BulletinRow, Scope};
use super::model::{self, BulletinText, Event, PeriodForm, Status};
use crate::audit::{self, Event as AuditEvent};
use crate::auth::{CurrentUser, Role};
use crate::db::{RequestTx, Tx};
use crate::error::{AppResult, not_found};
use crate::registry::views::local_time;
use crate::web::{ClientAddr, PageCtx, render, render_invalid};

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

fn status_of(b: &BulletinRow) -> Status {
    Status::parse(&b.status).unwrap_or(Status::Published)
}

/// A bulletin as the lists show it.
pub struct BulletinItem {
    pub href: String,
    pub title: String,
    pub period: String,
    pub state_key: &'static str,
    pub published: String,
    pub recipients: i64,
    pub units_read: i64,
    /// for a liaison: whether it has read it
    pub read: bool,
}

impl BulletinItem {
    pub fn new(ctx: &PageCtx, b: &BulletinRow) -> Self {
        Self {
            href: ctx.href(&format!("/bulletins/{}", b.id)),
            title: b.title.clone(),
            period: format!("{} – {}", b.period_from, b.period_to),
            state_key: status_of(b).label_key(),
            published: b
                .published_at
                .map(|t| local_time(ctx, &t))
                .unwrap_or_default(),
            recipients: b.recipients,
            units_read: b.units_read,
            read: b.read_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "bulletins/list.html")]
pub struct BulletinsPage {
    pub ctx: PageCtx,
    pub bulletins: Vec<BulletinItem>,
    pub of_office: bool,
    pub is_liaison: bool,
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

#[derive(Template)]
#[template(path = "bulletins/new.html")]
pub struct NewBulletinPage {
    pub ctx: PageCtx,
    pub form: PeriodForm,
    pub error: Option<&'static str>,
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
    user: CurrentUser,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let form = PeriodForm::from_body(&body);
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
    let settings = crate::registry::db::get_settings(&mut tx).await?;
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
    let id = db::insert_bulletin(&mut tx, user.tenant_id, from, to, &text, user.id).await?;
    let change = (
        "bulletin.draft",
        json!({
            "period": format!("{from} – {to}"),
            "findings": findings.len(),
        }),
    );
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        id,
        change,
        "bulletins.drafted",
    )
    .await
}

/// Records the office's change on the bulletin's timeline, says it is done, and goes on: to a new
/// draft's form, otherwise to the bulletin.
async fn recorded(
    tx: &mut Tx,
    user: &CurrentUser,
    (addr, session): (&str, &Session),
    bulletin_id: Uuid,
    change: (&'static str, serde_json::Value),
    flash_key: &str,
) -> AppResult<Response> {
    let next = match change.0 {
        "bulletin.draft" => format!("/bulletins/{bulletin_id}/edit"),
        _ => format!("/bulletins/{bulletin_id}"),
    };
    let subject = ("bulletin", bulletin_id);
    super::super::recorded(tx, user, addr, session, subject, change, flash_key, &next).await
}

/// One bulletin `user` may see, or 404.
async fn bulletin_of(tx: &mut Tx, user: &CurrentUser, bulletin_id: Uuid) -> AppResult<BulletinRow> {
    db::bulletins(tx, scope(user)?, Some(bulletin_id), user.id)
        .await?
        .pop()
        .ok_or_else(not_found)
}

#[derive(Template)]
#[template(path = "bulletins/edit.html")]
pub struct EditBulletinPage {
    pub ctx: PageCtx,
    pub b: BulletinRow,
    pub text: BulletinText,
    pub errors: Vec<&'static str>,
}

/// INS-13: the draft's texts, to edit; a published bulletin goes to its page.
pub async fn edit_bulletin_form(
    user: CurrentUser,
    path: Result<Path<BulletinPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(BulletinPath { bulletin_id }) = path.map_err(|_| not_found())?;
    let b = bulletin_of(&mut tx, &user, bulletin_id).await?;
    drop(tx);
    if status_of(&b).apply(Event::Edit).is_err() {
        return Ok(Redirect::to(&user.path(&format!("/bulletins/{bulletin_id}"))).into_response());
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
    user: CurrentUser,
    path: Result<Path<BulletinPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let Path(BulletinPath { bulletin_id }) = path.map_err(|_| not_found())?;
    let typed = BulletinText::from_body(&body);
    let mut tx = request_tx.acquire().await?;
    db::lock_bulletin(&mut tx, bulletin_id).await?;
    let b = bulletin_of(&mut tx, &user, bulletin_id).await?;
    let result = status_of(&b)
        .apply(Event::Edit)
        .map_err(|key| vec![key])
        .and_then(|_| typed.validate());
    let text = match result {
        Ok(text) => text,
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
    let change = ("bulletin.update", json!({ "title": text.title }));
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        bulletin_id,
        change,
        "bulletins.saved",
    )
    .await
}

/// Who has read a bulletin in one unit, and who has not.
pub struct UnitReceipt {
    pub unit: String,
    /// (liaison, first read)
    pub readers: Vec<(String, String)>,
    pub unread: Vec<String>,
}

#[derive(Template)]
#[template(path = "bulletins/bulletin.html")]
pub struct BulletinPage {
    pub ctx: PageCtx,
    pub b: BulletinRow,
    pub office_name: String,
    pub state_key: &'static str,
    pub draft: bool,
    pub can_change: bool,
    pub published_on: String,
    /// per unit who has read it (the office and leaders see it)
    pub receipts: Option<Vec<UnitReceipt>>,
    pub errors: Vec<String>,
    pub history: Vec<crate::audit::views::TimelineEntry>,
}

async fn bulletin_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    bulletin_id: Uuid,
) -> AppResult<BulletinPage> {
    let b = bulletin_of(tx, user, bulletin_id).await?;
    let status = status_of(&b);
    let receipts = match (user.role, status) {
        (Role::Liaison, _) | (_, Status::Draft) => None,
        _ => Some(unit_receipts(&ctx, db::receipts(tx, bulletin_id).await?)),
    };
    let settings = crate::registry::db::get_settings(tx).await?;
    let history = crate::audit::db::events_for_subject(tx, "bulletin", bulletin_id)
        .await?
        .into_iter()
        .map(|e| crate::audit::views::TimelineEntry::new(&ctx, e))
        .collect();
    let tz = ctx.time_zone();
    Ok(BulletinPage {
        office_name: settings.name,
        state_key: status.label_key(),
        draft: status == Status::Draft,
        can_change: matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
        published_on: b
            .published_at
            .map(|t| t.with_timezone(&tz).format("%Y年%m月%d日").to_string())
            .unwrap_or_default(),
        receipts,
        errors: Vec::new(),
        history,
        ctx,
        b,
    })
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
            (Some(name), Some(at)) => unit.readers.push((name, local_time(ctx, &at))),
            (Some(name), None) => unit.unread.push(name),
            (None, _) => {}
        }
    }
    units.into_iter().map(|(_, unit)| unit).collect()
}

impl BulletinPage {
    /// INS-13: the bulletin as an official document, for the PDF.
    pub fn document(&self) -> crate::documents::Document {
        use crate::documents::{Block, Document};
        let ctx = &self.ctx;
        let blocks = [&self.b.lead, &self.b.body, &self.b.closing]
            .into_iter()
            .filter(|text| !text.trim().is_empty())
            .map(|text| Block::Paragraph { text: text.clone() })
            .collect();
        Document {
            office: self.office_name.clone(),
            title: self.b.title.clone(),
            number: String::new(),
            addressee: ctx
                .t("bulletins.addressee")
                .trim_end_matches(['：', ':'])
                .to_string(),
            blocks,
            date: self.published_on.clone(),
            note: if self.draft {
                ctx.t(self.state_key).to_string()
            } else {
                String::new()
            },
        }
    }
}

/// A liaison reading a bulletin sent to its unit: its first reading is recorded, once (INS-13).
async fn note_reading(
    tx: &mut Tx,
    user: &CurrentUser,
    addr: &str,
    bulletin_id: Uuid,
) -> AppResult<()> {
    if let (Role::Liaison, Some(unit)) = (user.role, user.unit_id)
        && db::record_read(tx, user.tenant_id, bulletin_id, user.id, unit).await?
    {
        let event = AuditEvent {
            action: "bulletin.read",
            subject_type: "bulletin",
            subject_id: Some(bulletin_id),
            detail: json!({}),
        };
        audit::record(tx, user.tenant_id, &user.actor(addr), event).await?;
    }
    Ok(())
}

/// INS-13: the bulletin. A liaison opening one sent to its unit records its first reading, once.
pub async fn show_bulletin(
    user: CurrentUser,
    path: Result<Path<BulletinPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let Path(BulletinPath { bulletin_id }) = path.map_err(|_| not_found())?;
    let page = bulletin_page(ctx, &user, &mut tx, bulletin_id).await?;
    note_reading(&mut tx, &user, &addr, bulletin_id).await?;
    drop(tx);
    render(&page)
}

/// INS-13: the bulletin in PDF, typeset on the server; a liaison's download is a reading too.
pub async fn bulletin_pdf(
    user: CurrentUser,
    path: Result<Path<BulletinPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(BulletinPath { bulletin_id }) = path.map_err(|_| not_found())?;
    let mut tx = request_tx.acquire().await?;
    let page = bulletin_page(ctx, &user, &mut tx, bulletin_id).await?;
    note_reading(&mut tx, &user, &addr, bulletin_id).await?;
    drop(tx);
    let back = page.ctx.href(&format!("/bulletins/{bulletin_id}"));
    crate::documents::pdf_response(
        &state.documents,
        &request_tx,
        page.ctx.clone(),
        &page.document(),
        &page.b.title,
        back,
    )
    .await
}

/// INS-13: publishes the draft, once, to every unit of the office.
pub async fn publish_bulletin(
    user: CurrentUser,
    path: Result<Path<BulletinPath>, PathRejection>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let Path(BulletinPath { bulletin_id }) = path.map_err(|_| not_found())?;
    let mut tx = request_tx.acquire().await?;
    db::lock_bulletin(&mut tx, bulletin_id).await?;
    let mut page = bulletin_page(ctx, &user, &mut tx, bulletin_id).await?;
    if let Err(key) = status_of(&page.b).apply(Event::Publish) {
        drop(tx);
        page.errors = vec![page.ctx.t(key).to_string()];
        return render_invalid(&page);
    }
    let units = db::publish(&mut tx, user.tenant_id, bulletin_id, user.id)
        .await?
        .ok_or_else(not_found)?;
    let change = ("bulletin.publish", json!({ "units": units }));
    recorded(
        &mut tx,
        &user,
        (&addr, &session),
        bulletin_id,
        change,
        "bulletins.published",
    )
    .await
}

/// INS-13: the bulletins part of the leaders' overview: how many are published, and the latest
/// with how many units have read each.
pub struct BulletinOverview {
    pub glance: db::Glance,
    pub recent: Vec<BulletinItem>,
}

/// The latest bulletins the overview lists.
const RECENT_BULLETINS: usize = 10;

pub async fn overview(
    ctx: &PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
) -> AppResult<BulletinOverview> {
    let glance = db::glance(tx).await?;
    let recent = db::bulletins(tx, Scope::Published, None, user.id)
        .await?
        .iter()
        .take(RECENT_BULLETINS)
        .map(|b| BulletinItem::new(ctx, b))
        .collect();
    Ok(BulletinOverview { glance, recent })
}
