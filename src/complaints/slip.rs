//! The forwarding slip (效能投诉转办单, CMP-08): what goes to the unit with a complaint assigned
//! or transferred to it, as a page printable on A4 and as a PDF of the same content. The
//! complainant's contact is on it only when the complainant allowed the unit to have it; every
//! view of it is logged, as on the complaint's page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::db::{self, ComplaintRow};
use super::handlers::{ComplaintPath, readable};
use super::model::{Status, Track};
use super::views::{category_key, channel_key};
use crate::AppState;
use crate::audit::{Acting, Event as AuditEvent};
use crate::core::time::document_date;
use crate::core::{AppResult, not_found};
use crate::db::{RequestTx, Tx, Wrote};
use crate::documents::{Block, Document};
use crate::registry::settings::db::get_settings;
use crate::web::{PageCtx, Path, render};

/// CMP-09: the unit finishes a complaint within this many working days of signing for it.
pub const HANDLING_WORKING_DAYS: u32 = 10;

/// Whether a complaint has a slip: one on the complaint track that a unit holds (assigned,
/// signed for, or returned and awaiting the office's ruling).
pub fn has_slip(status: &str, track: &str) -> bool {
    let held = matches!(
        Status::parse(status),
        Some(Status::Assigned | Status::Signed | Status::Returned)
    );
    held && Track::parse(track) == Track::Complaint
}

#[derive(Template)]
#[template(path = "complaints/slip.html")]
pub struct SlipPage {
    pub ctx: PageCtx,
    pub office_name: String,
    pub c: ComplaintRow,
    /// the slip's rows, label and value, in the reader's language
    pub rows: Vec<(String, String)>,
    /// what the unit must do, each citing the regulation's article
    pub requirements: Vec<String>,
    /// the date it was assigned (or transferred) to the unit, as documents write it
    pub date: String,
    /// whether the complainant's contact is on it (its view is logged)
    pub shows_contact: bool,
}

impl SlipPage {
    pub fn back_href(&self) -> String {
        self.ctx.href(&format!("/complaints/{}", self.c.id))
    }

    pub fn pdf_href(&self) -> String {
        self.ctx
            .href(&format!("/complaints/{}/slip.pdf", self.c.id))
    }

    /// The slip as a PDF document: the same rows and requirements as the page.
    pub fn document(&self) -> Document {
        let ctx = &self.ctx;
        let blocks = vec![
            Block::Facts {
                rows: self.rows.clone(),
            },
            Block::Heading {
                text: ctx.t("complaints.slip_requirements").into(),
            },
            Block::List {
                items: self.requirements.clone(),
            },
        ];
        Document {
            office: self.office_name.clone(),
            title: ctx.t("complaints.slip_title").into(),
            number: self.c.number.clone(),
            addressee: self.c.unit_name.clone(),
            blocks,
            date: self.date.clone(),
            note: String::new(),
            landscape: false,
        }
    }
}

/// The slip of a complaint the user may read (404 for one without a slip), with its contact view
/// logged.
async fn slip_page(
    (state, ctx): (&AppState, PageCtx),
    acting: &Acting,
    tx: &mut Tx,
    complaint_id: uuid::Uuid,
) -> AppResult<SlipPage> {
    let c = readable(tx, &acting.user, complaint_id).await?;
    if !has_slip(&c.status, &c.track) {
        return Err(not_found());
    }
    let routed_at = db::routed_at(tx, c.id).await?.unwrap_or(c.received_at);
    let people = db::people(tx, c.id).await?;
    let office_name = get_settings(tx).await?.name;
    let due = match c.signed_at {
        Some(signed) => handling_deadline(tx, &ctx, signed).await?,
        None => None,
    };
    // CMP-08: the slip goes to the unit: the contact only when the complainant allowed it
    let has_contact = !(c.complainant_name.is_empty() && c.complainant_phone.is_empty());
    let shows_contact = c.contact_allowed && has_contact;
    if shows_contact {
        let event = AuditEvent::new(
            "complaint.contact_view",
            ("complaint", c.id),
            json!({ "number": c.number, "on": "slip" }),
        );
        acting.record(tx, event).await?;
    }
    let sign_days = state.config.complaints.sign_within_working_days;
    Ok(SlipPage {
        rows: rows(&ctx, &c, routed_at, &people, shows_contact),
        requirements: requirements(&ctx, sign_days, c.signed_at.zip(due)),
        date: document_date(ctx.local_date(routed_at)),
        office_name,
        shows_contact,
        ctx,
        c,
    })
}

/// CMP-09: the end of the tenth working day after the unit signed; none when the calendar does
/// not reach it yet (CAL-1: never guessed).
async fn handling_deadline(
    tx: &mut Tx,
    ctx: &PageCtx,
    signed: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let calendar = crate::calendar::load(tx).await?;
    let due =
        crate::calendar::deadline_at(&calendar, signed, HANDLING_WORKING_DAYS, ctx.time_zone());
    Ok(due.ok())
}

/// The slip's rows: where it goes, what the complaint is, and who complains (their contact only
/// when `shows_contact`).
fn rows(
    ctx: &PageCtx,
    c: &ComplaintRow,
    routed_at: DateTime<Utc>,
    people: &[String],
    shows_contact: bool,
) -> Vec<(String, String)> {
    let row = |key: &str, value: String| (ctx.t(key).to_string(), value);
    // the number heads the slip
    let mut rows = vec![
        row("complaints.slip_routed_at", ctx.local_time(&routed_at)),
        row("complaints.slip_unit", c.unit_name.clone()),
        row("complaints.channel", ctx.t(channel_key(&c.channel)).into()),
        row("complaints.received_at", ctx.local_time(&c.received_at)),
        row(
            "complaints.category",
            ctx.t(category_key(&c.category)).into(),
        ),
        row("complaints.matter", c.matter.clone()),
        row("complaints.reasons", c.reasons.clone()),
        row(
            "complaints.people",
            match people.is_empty() {
                true => ctx.t("complaints.slip_no_people").into(),
                false => people.join("、"),
            },
        ),
    ];
    if shows_contact {
        rows.push(row(
            "complaints.complainant_name",
            c.complainant_name.clone(),
        ));
        rows.push(row(
            "complaints.complainant_phone",
            c.complainant_phone.clone(),
        ));
    } else {
        rows.push(row(
            "complaints.slip_complainant",
            ctx.t("complaints.slip_contact_withheld").into(),
        ));
    }
    if let Some(signed) = c.signed_at {
        rows.push(row("complaints.signed_at", ctx.local_time(&signed)));
    }
    rows
}

/// What the unit must do, citing the articles: sign for it (CMP-08) and finish it in time
/// (CMP-09), say within three working days when it is outside the unit's remit (CMP-11); once
/// signed, by when it is due.
fn requirements(
    ctx: &PageCtx,
    sign_days: u32,
    signed_and_due: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Vec<String> {
    let mut out = vec![
        // CMP-08 and CMP-09 are one article: cited once
        ctx.tfn(
            "complaints.slip_sign",
            &[&sign_days.to_string(), &ctx.cite("CMP-09")],
        ),
        ctx.tf("complaints.slip_remit", &ctx.cite("CMP-11")),
    ];
    if let Some((signed, due)) = signed_and_due {
        let (signed, due) = (ctx.local_time(&signed), ctx.local_time(&due));
        out.push(ctx.tfn("complaints.slip_due", &[&signed, &due]));
    }
    out
}

/// `GET /{office}/complaints/{complaint_id}/slip`: the slip, printable on A4.
pub async fn show_slip(
    acting: Acting,
    Path(ComplaintPath { complaint_id }): Path<ComplaintPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let page = slip_page((&state, ctx), &acting, &mut tx, complaint_id).await?;
    drop(tx);
    let mut response = render(&page)?;
    if page.shows_contact {
        // the view of the complainant's contact details is logged: keep it
        response.extensions_mut().insert(Wrote);
    }
    Ok(response)
}

/// `GET /{office}/complaints/{complaint_id}/slip.pdf`: the same slip typeset as a PDF.
pub async fn slip_pdf(
    acting: Acting,
    Path(ComplaintPath { complaint_id }): Path<ComplaintPath>,
    State(state): State<AppState>,
    ctx: PageCtx,
    request_tx: RequestTx,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let page = slip_page((&state, ctx), &acting, &mut tx, complaint_id).await?;
    drop(tx);
    let name = format!("{}-{}", page.ctx.t("complaints.slip_title"), page.c.number);
    let back = page.ctx.href(&format!("/complaints/{complaint_id}/slip"));
    crate::documents::handlers::pdf_response(
        &state.documents,
        &request_tx,
        page.ctx.clone(),
        &page.document(),
        &name,
        back,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmp_08_a_slip_is_for_a_complaint_a_unit_holds() {
        for status in ["assigned", "signed", "returned"] {
            assert!(has_slip(status, "complaint"), "{status}");
        }
        for status in ["received", "refused"] {
            assert!(!has_slip(status, "complaint"), "{status}");
        }
        assert!(!has_slip("forwarded", "suggestion"));
    }
}
