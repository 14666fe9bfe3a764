//! What anyone may do without logging in: file a complaint on the office's public form
//! (`/{office}/complain`, prefilled with `?unit=CODE` from a unit's poster) and follow it with its
//! tracking code (`/{office}/track`). Both are limited per client address; the form has a field
//! only robots fill.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::db;
use super::model::{Channel, ComplaintInput, new_tracking_code, tracking_hash};
use super::views::{FiledPage, PublicFormPage, TrackPage};
use super::{LogError, log_complaint};
use crate::AppState;
use crate::audit::Actor;
use crate::core::{AppError, AppResult, ClientAddr, FieldErrors, Now, Office};
use crate::db::{RequestTx, Tx};
use crate::evidence::{self, db::Owner};
use crate::web::{PageCtx, Query, render, render_invalid};

/// `?unit=CODE`: the unit a poster's link names.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PrefillQuery {
    pub unit: String,
}

/// The public form, prefilled with the unit a poster's link names.
pub async fn complain_form(
    State(state): State<AppState>,
    Query(query): Query<PrefillQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let mut input = ComplaintInput::default();
    let units = db::open_year_units(&mut tx).await?;
    if let Some(unit) = units.iter().find(|u| u.1 == query.unit.trim()) {
        input.unit_id = unit.0.to_string();
    }
    drop(tx);
    render(&PublicFormPage::new(
        ctx,
        &state.config.complaints,
        units,
        input,
    ))
}

/// CMP-02, CMP-03: a complaint filed online, with photos from the phone's camera (a few, each
/// small: the office's settings) streamed into the evidence store. A complaint without its unit,
/// matter, reasons or evidence, or with a file refused, comes back saying what is wrong,
/// everything typed kept and nothing stored. On success the page shows its number and, once, the
/// tracking code with a link and a QR code.
pub async fn file_complaint(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    axum::Extension(office): axum::Extension<Office>,
    ctx: PageCtx,
    request_tx: RequestTx,
    multipart: Multipart,
) -> AppResult<Response> {
    let tz = ctx.time_zone();
    let (intake, broken) = evidence::intake(&state.evidence, office.id, tz, multipart).await;
    // the moment the files arrived, which may be a while after the request began
    let now = state.clock.now();
    let mut input = ComplaintInput::from_fields(&intake.fields);
    input.channel = Channel::Online.as_str().to_string();
    let mut file_errors = intake.refusal_messages(&ctx);
    if broken.is_some() {
        file_errors.push(ctx.t("evidence.upload_failed").to_string());
    }
    file_errors.extend(over_limits(&state, &ctx, &intake));
    let mut tx = request_tx.acquire().await?;
    let sender = (&office, addr.as_str(), now);
    let filed = file(
        &state,
        sender,
        &mut tx,
        &input,
        (&intake, file_errors.is_empty()),
    )
    .await?;
    let (status, message, errors) = match filed {
        Ok((number, code)) => {
            drop(tx);
            return filed_page(&state, &office, ctx, number, code);
        }
        Err(NotFiled::Message(status, key)) => (status, Some(key), Vec::new()),
        Err(NotFiled::Fields(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
    };
    // nothing was filed: the files this request stored go again
    evidence::forget(&state.db, &state.evidence, office.id, &intake.received).await;
    let units = db::open_year_units(&mut tx).await?;
    drop(tx);
    let page = PublicFormPage::new(ctx, &state.config.complaints, units, input).refused(
        message,
        errors,
        file_errors,
    );
    Ok((status, Html(askama::Template::render(&page)?)).into_response())
}

/// CMP-02: the public form's own limits on files: how many, and how large each.
fn over_limits(state: &AppState, ctx: &PageCtx, intake: &evidence::Intake) -> Vec<String> {
    let limits = &state.config.complaints;
    let mut errors = Vec::new();
    if intake.received.len() + intake.refused.len() > limits.public_files {
        let most = limits.public_files.to_string();
        errors.push(ctx.tfn("complaints.error_files_many", &[&most]));
    }
    let largest = evidence::views::human_size(i64::try_from(limits.public_file_bytes).unwrap_or(0));
    for r in &intake.received {
        if r.written.size > limits.public_file_bytes {
            let said = ctx.tfn("complaints.error_file_large", &[&largest]);
            errors.push(format!("{}: {said}", r.written.original_name));
        }
    }
    errors
}

/// Why the public form did not take a complaint.
enum NotFiled {
    /// not read at all: the field only robots fill (400), or too many from this address (429)
    Message(StatusCode, &'static str),
    /// what is wrong, field by field (a refused file is said apart)
    Fields(FieldErrors),
}

/// Records the complaint filed online and its files (`files_ok`: none of them was refused), and
/// counts it against the address; its number and tracking code, or why it was not filed.
async fn file(
    state: &AppState,
    (office, addr, now): (&Office, &str, DateTime<Utc>),
    tx: &mut Tx,
    input: &ComplaintInput,
    (intake, files_ok): (&evidence::Intake, bool),
) -> AppResult<Result<(String, String), NotFiled>> {
    if !input.website.is_empty() {
        let refused = NotFiled::Message(StatusCode::BAD_REQUEST, "complaints.public_refused");
        return Ok(Err(refused));
    }
    let key = format!("complain {} {addr}", office.id);
    let limits = &state.public_limits;
    if !limits.has_room(&key, now, state.config.complaints.public_per_hour) {
        let why = NotFiled::Message(StatusCode::TOO_MANY_REQUESTS, "complaints.public_too_many");
        return Ok(Err(why));
    }
    let fields = match input.validate(intake.received.len()) {
        Ok(fields) if files_ok => fields,
        Ok(_) => return Ok(Err(NotFiled::Fields(Vec::new()))),
        Err(errors) => return Ok(Err(NotFiled::Fields(errors))),
    };
    let (code, hash) = new_tracking_code().map_err(|e| AppError::Internal(e.into()))?;
    let actor = Actor::anonymous("public", addr, now);
    let logged = log_complaint(tx, office.id, &fields, (now, None), Some(&hash), &actor);
    let (id, number) = match logged.await {
        Ok(done) => done,
        Err(LogError::NoYear | LogError::UnitNotListed) => {
            return Ok(Err(NotFiled::Fields(vec![(
                "unit_id",
                "complaints.error_unit",
            )])));
        }
        Err(LogError::Database(e)) => return Err(e.into()),
    };
    let sender = evidence::Sender {
        tenant_id: office.id,
        user_id: None,
        addr,
        now,
    };
    let owner = Owner::Complaint(id);
    let tz = office.tz();
    evidence::record_from(tx, &state.evidence, owner, &intake.received, sender, tz).await?;
    limits.count(&key, now);
    Ok(Ok((number, code)))
}

/// The page that shows the new complaint's number and, once, its tracking code.
fn filed_page(
    state: &AppState,
    office: &Office,
    ctx: PageCtx,
    number: String,
    code: String,
) -> AppResult<Response> {
    let link = track_link(state, office, &code);
    let qr = qrcode::QrCode::new(link.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("qr code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    let page = FiledPage {
        ctx,
        number,
        code,
        link,
        qr,
    };
    // the code is shown once: this page is never kept by a cache
    let html = askama::Template::render(&page)?;
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Html(html),
    )
        .into_response())
}

/// The tracking page's address with the code in it.
pub(crate) fn track_link(state: &AppState, office: &Office, code: &str) -> String {
    let base = state.config.server.public_url.trim_end_matches('/');
    format!("{base}{}", office.path(&format!("/track?code={code}")))
}

/// `?code=…`: the tracking code typed or followed from the link.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrackQuery {
    pub code: String,
}

/// The tracking page: the complaint's public timeline for its code. A code that leads nowhere
/// answers the same page whatever it was; an address that tried too many wrong codes is asked to
/// wait, whatever it types.
pub async fn track(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(addr): ClientAddr,
    axum::Extension(office): axum::Extension<Office>,
    Query(query): Query<TrackQuery>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let typed = query.code.trim();
    let mut page = TrackPage::empty(ctx);
    if typed.is_empty() {
        drop(tx);
        return render(&page);
    }
    let key = format!("track {} {addr}", office.id);
    let limits = &state.public_limits;
    if !limits.has_room(&key, now, state.config.complaints.track_failures_per_hour) {
        drop(tx);
        page.message = Some("complaints.track_too_many");
        let html = askama::Template::render(&page)?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, Html(html)).into_response());
    }
    let found = match tracking_hash(typed) {
        Some(hash) => db::tracked(&mut tx, &hash).await?,
        None => None,
    };
    let Some(complaint) = found else {
        drop(tx);
        limits.count(&key, now);
        page.message = Some("complaints.track_unknown");
        return render_invalid(&page);
    };
    let steps = db::public_timeline(&mut tx, complaint.id).await?;
    drop(tx);
    page.show(complaint, steps);
    render(&page)
}
