//! What anyone may do without logging in: file a complaint on the office's public form
//! (`/{office}/complain`, prefilled with `?unit=CODE` from a unit's poster) and follow it with its
//! tracking code (`/{office}/track`). Both are limited per client address; the form has a field
//! only robots fill.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::db;
use super::model::{Channel, ComplaintInput, new_tracking_code, tracking_hash};
use super::views::{FiledPage, PublicFormPage, TrackPage};
use super::{LogError, log_complaint};
use crate::AppState;
use crate::audit::Actor;
use crate::core::{AppError, AppResult, ClientAddr, FieldErrors, Now, Office};
use crate::db::Tx;
use crate::web::{Form, PageCtx, Query, render, render_invalid};

/// `?unit=CODE`: the unit a poster's link names.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PrefillQuery {
    pub unit: String,
}

/// The public form, prefilled with the unit a poster's link names.
pub async fn complain_form(
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
    render(&PublicFormPage {
        ctx,
        units,
        input,
        errors: Vec::new(),
        message: None,
    })
}

/// CMP-02, CMP-03: a complaint filed online. A complaint without its unit, matter, reasons or
/// evidence comes back saying what is missing, everything typed kept. On success the page shows
/// its number and, once, the tracking code with a link and a QR code.
pub async fn file_complaint(
    State(state): State<AppState>,
    Now(now): Now,
    ClientAddr(addr): ClientAddr,
    axum::Extension(office): axum::Extension<Office>,
    ctx: PageCtx,
    mut tx: Tx,
    Form(mut input): Form<ComplaintInput>,
) -> AppResult<Response> {
    input.channel = Channel::Online.as_str().to_string();
    let key = format!("complain {} {addr}", office.id);
    let limits = &state.public_limits;
    if !input.website.is_empty() {
        return refused(
            ctx,
            tx,
            input,
            (StatusCode::BAD_REQUEST, "complaints.public_refused"),
        )
        .await;
    }
    if !limits.has_room(&key, now, state.config.complaints.public_per_hour) {
        let why = (StatusCode::TOO_MANY_REQUESTS, "complaints.public_too_many");
        return refused(ctx, tx, input, why).await;
    }
    let fields = match input.validate(0) {
        Ok(fields) => fields,
        Err(errors) => return invalid(ctx, tx, input, errors).await,
    };
    let (code, hash) = new_tracking_code().map_err(|e| AppError::Internal(e.into()))?;
    let actor = Actor::anonymous("public", &addr, now);
    let logged = log_complaint(
        &mut tx,
        office.id,
        &fields,
        (now, None),
        Some(&hash),
        &actor,
    );
    let (_, number) = match logged.await {
        Ok(done) => done,
        Err(LogError::NoYear | LogError::UnitNotListed) => {
            return invalid(ctx, tx, input, vec![("unit_id", "complaints.error_unit")]).await;
        }
        Err(LogError::Database(e)) => return Err(e.into()),
    };
    limits.count(&key, now);
    let link = track_link(&state, &office, &code);
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

async fn invalid(
    ctx: PageCtx,
    mut tx: Tx,
    input: ComplaintInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let units = db::open_year_units(&mut tx).await?;
    drop(tx);
    render_invalid(&PublicFormPage {
        ctx,
        units,
        input,
        errors,
        message: None,
    })
}

async fn refused(
    ctx: PageCtx,
    mut tx: Tx,
    input: ComplaintInput,
    (status, message): (StatusCode, &'static str),
) -> AppResult<Response> {
    let units = db::open_year_units(&mut tx).await?;
    drop(tx);
    let page = PublicFormPage {
        ctx,
        units,
        input,
        errors: Vec::new(),
        message: Some(message),
    };
    Ok((status, Html(askama::Template::render(&page)?)).into_response())
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
