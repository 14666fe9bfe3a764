//! Supervisors (INS-02): recommendation by a department, the office's decision, certificates with
//! public verification (INS-08), links to user accounts, and groups with exactly one leader and
//! recusal.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::model::{
    self, CertificateState, Decision, RecommendationInput, SupervisorStatus, certificate_state,
};
use super::views::{
    CertificatePage, GroupFormView, GroupView, GroupsPage, RecommendPage, SupervisorPage,
    SupervisorView, SupervisorsPage, VerifyPage,
};
use super::{db, may_see};
use crate::AppState;
use crate::audit::{Acting, Event};
use crate::core::{AppError, AppResult, CurrentUser, Now, Office, Role, not_found};
use crate::db::{RequestTx, Tx, numbers};
use crate::registry::units::db::{UnitRow, list_units};
use crate::web::export::{Export, ExportFormat};
use crate::web::{Flash, Form, PageCtx, Path, Query, render, render_invalid};

/// The longest note on a decision, group name and group purpose.
const NOTE_MAX: usize = 500;
const GROUP_NAME_MAX: usize = 100;
const PURPOSE_MAX: usize = 500;

#[derive(Debug, Deserialize)]
pub struct SupervisorPath {
    pub supervisor_id: Uuid,
}

/// The supervisor, if this user may see it (else 404).
async fn visible_supervisor(
    tx: &mut Tx,
    user: &CurrentUser,
    supervisor_id: Uuid,
) -> AppResult<db::SupervisorRow> {
    let row = db::get_supervisor(tx, supervisor_id).await?;
    if !may_see(user, &row) {
        return Err(not_found());
    }
    Ok(row)
}

#[derive(Debug, Deserialize, Default)]
pub struct StatusFilter {
    #[serde(default)]
    pub status: String,
}

impl StatusFilter {
    /// The status asked for, if it is one (anything else shows every supervisor).
    fn status(&self) -> Option<SupervisorStatus> {
        SupervisorStatus::parse(&self.status)
    }
}

/// The supervisors the list shows `user` with `filter`'s status: a liaison those its unit
/// recommended (INS-02).
async fn shown_supervisors(
    tx: &mut Tx,
    user: &CurrentUser,
    filter: &StatusFilter,
) -> AppResult<Vec<db::SupervisorRow>> {
    let status = filter.status().map(|s| s.as_str());
    let scope = (user.role == Role::Liaison).then(|| user.unit_id.unwrap_or_default());
    Ok(db::list_supervisors(tx, status, scope).await?)
}

pub async fn list_supervisors(
    user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
    Query(filter): Query<StatusFilter>,
) -> AppResult<Response> {
    let rows = shown_supervisors(&mut tx, &user, &filter).await?;
    drop(tx);
    let supervisors = rows
        .into_iter()
        .map(|s| SupervisorView::new(&ctx, s))
        .collect();
    let can_recommend = user.of_office() || user.role == Role::Liaison;
    render(&SupervisorsPage {
        ctx,
        supervisors,
        status: filter.status().map(|s| s.as_str()).unwrap_or("").into(),
        can_recommend,
    })
}

/// The supervisors the list shows for the same status, as CSV or XLSX.
pub async fn export_supervisors(
    user: CurrentUser,
    ctx: PageCtx,
    format: ExportFormat,
    mut tx: Tx,
    Query(filter): Query<StatusFilter>,
) -> AppResult<Response> {
    let rows = shown_supervisors(&mut tx, &user, &filter).await?;
    drop(tx);
    let rows = rows
        .into_iter()
        .map(|s| SupervisorView::new(&ctx, s).cells())
        .collect();
    Export::translated(&ctx, "supervisors", &SupervisorView::COLUMNS, rows).respond(format)
}

pub async fn new_supervisor_form(
    user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let units = units_for(&user, list_units(&mut tx).await?);
    let fixed_unit = own_unit_name(&user, &units);
    drop(tx);
    render(&RecommendPage {
        ctx,
        units,
        fixed_unit,
        name: String::new(),
        phone: String::new(),
        work_unit_id: String::new(),
        recommended_by_unit_id: String::new(),
        recommendation: String::new(),
        errors: Vec::new(),
    })
}

/// The units a user may pick: a liaison only its own.
fn units_for(user: &CurrentUser, units: Vec<UnitRow>) -> Vec<UnitRow> {
    units
        .into_iter()
        .filter(|u| user.may_see_unit(u.id))
        .collect()
}

fn own_unit_name(user: &CurrentUser, units: &[UnitRow]) -> Option<String> {
    let own = user.liaison_unit()?;
    units.iter().find(|u| u.id == own).map(|u| u.name.clone())
}

#[derive(Debug, Deserialize)]
pub struct RecommendForm {
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub work_unit_id: String,
    #[serde(default)]
    pub recommended_by_unit_id: String,
    #[serde(default)]
    pub recommendation: String,
}

/// Records a department's recommendation (INS-02). A liaison recommends for its own unit only.
pub async fn recommend_supervisor(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<RecommendForm>,
) -> AppResult<Response> {
    let user = &acting.user;
    let typed_unit = Uuid::parse_str(form.recommended_by_unit_id.trim()).ok();
    let recommended_by = if user.role == Role::Liaison {
        if typed_unit.is_some() && typed_unit != user.unit_id {
            return Err(not_found());
        }
        user.unit_id
    } else {
        typed_unit
    };
    let mut tx = request_tx.acquire().await?;
    let units = units_for(user, list_units(&mut tx).await?);
    let known = |id: Option<Uuid>| id.filter(|id| units.iter().any(|u| u.id == *id));
    let input = RecommendationInput {
        name: form.name.clone(),
        phone: form.phone.clone(),
        work_unit_id: known(Uuid::parse_str(form.work_unit_id.trim()).ok()),
        recommended_by_unit_id: known(recommended_by),
        recommendation: form.recommendation.clone(),
    };
    match input.validate() {
        Ok(valid) => {
            let id = db::insert_supervisor(&mut tx, user.tenant_id, &valid).await?;
            let event = Event::new(
                "supervisor.recommend",
                ("supervisor", id),
                json!({ "name": valid.name }),
            );
            let done = Flash::success("supervisors.recommended").with(valid.name);
            acting
                .recorded(&mut tx, event, done, &format!("/supervisors/{id}"))
                .await
        }
        Err(errors) => {
            drop(tx);
            let fixed_unit = own_unit_name(user, &units);
            render_invalid(&RecommendPage {
                ctx,
                units,
                fixed_unit,
                name: form.name,
                phone: form.phone,
                work_unit_id: form.work_unit_id,
                recommended_by_unit_id: form.recommended_by_unit_id,
                recommendation: form.recommendation,
                errors,
            })
        }
    }
}

async fn supervisor_page(
    ctx: PageCtx,
    (user, now): (&CurrentUser, chrono::DateTime<chrono::Utc>),
    tx: &mut Tx,
    row: db::SupervisorRow,
    error: Option<&'static str>,
) -> AppResult<SupervisorPage> {
    let can_link =
        user.role == Role::OfficeAdmin && row.status == SupervisorStatus::Approved.as_str();
    let users = if can_link {
        db::unlinked_supervisor_users(tx)
            .await?
            .into_iter()
            .map(|(id, username, name)| (id.to_string(), format!("{name}（{username}）")))
            .collect()
    } else {
        Vec::new()
    };
    let year = ctx.local_date(now).year();
    Ok(SupervisorPage {
        can_decide: user.of_office(),
        can_link,
        users,
        supervisor: SupervisorView::new(&ctx, row),
        default_from: format!("{year}-01-01"),
        default_until: format!("{year}-12-31"),
        error,
        ctx,
    })
}

pub async fn show_supervisor(
    user: CurrentUser,
    Now(now): Now,
    Path(SupervisorPath { supervisor_id }): Path<SupervisorPath>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let row = visible_supervisor(&mut tx, &user, supervisor_id).await?;
    let page = supervisor_page(ctx, (&user, now), &mut tx, row, None).await?;
    drop(tx);
    render(&page)
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub note: String,
}

/// `/{office}/supervisors/{supervisor_id}/{decision}`: approve, decline or revoke.
#[derive(Debug, Deserialize)]
pub struct DecisionPath {
    pub supervisor_id: Uuid,
    pub decision: String,
}

/// The office's decision on a supervisor. INS-02: it approves (or declines) a recommendation;
/// INS-08: an approval numbers and dates the certificate; an approved certificate may be revoked.
pub async fn decide_supervisor(
    acting: Acting,
    Path(DecisionPath {
        supervisor_id,
        decision,
    }): Path<DecisionPath>,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "decline" => Decision::Decline,
        "revoke" => Decision::Revoke,
        _ => return Err(not_found()),
    };
    let user = &acting.user;
    let mut tx = request_tx.acquire().await?;
    let row = visible_supervisor(&mut tx, user, supervisor_id).await?;
    let status = SupervisorStatus::parse(&row.status).unwrap_or(SupervisorStatus::Declined);
    let note = form.note.trim();
    // INS-08: an approval dates the certificate; its number comes from the office's counter.
    let validity = match decision {
        Decision::Approve => Some(model::parse_validity(&form.valid_from, &form.valid_until)),
        _ => None,
    };
    let refused = match (status.decide(decision), validity) {
        (Err(key), _) => Some(key),
        (Ok(_), _) if decision != Decision::Approve && note.is_empty() => {
            Some("error.reason_required")
        }
        (Ok(_), _) if note.chars().count() > NOTE_MAX => Some("error.too_long"),
        (Ok(_), Some(Err(key))) => Some(key),
        (Ok(_), _) => None,
    };
    if let Some(key) = refused {
        let page = supervisor_page(ctx, (user, acting.now), &mut tx, row, Some(key)).await?;
        drop(tx);
        return render_invalid(&page);
    }
    let next = status.decide(decision).unwrap_or(status);
    let certificate = match validity {
        Some(Ok((from, until))) => {
            let seq =
                numbers::next_number(&mut tx, user.tenant_id, "certificate", from.year()).await?;
            Some((model::certificate_number(from.year(), seq), from, until))
        }
        _ => None,
    };
    let cert = certificate.as_ref().map(|(n, f, u)| (n.as_str(), *f, *u));
    let back = format!("/supervisors/{supervisor_id}");
    if !db::decide_supervisor(&mut tx, row.id, status.as_str(), next.as_str(), note, cert).await? {
        return Ok(acting.done(Flash::info("supervisors.decided"), &back).await);
    }
    let action = match decision {
        Decision::Approve => "supervisor.approve",
        Decision::Decline => "supervisor.decline",
        Decision::Revoke => "supervisor.revoke",
    };
    let detail = json!({ "note": note, "certificate": certificate.map(|c| c.0) });
    let event = Event::new(action, ("supervisor", row.id), detail);
    acting
        .recorded(&mut tx, event, Flash::success("supervisors.decided"), &back)
        .await
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub user_id: String,
}

/// Links an approved supervisor to a user account of role supervisor (office_admin).
pub async fn link_supervisor_user(
    acting: Acting,
    Path(SupervisorPath { supervisor_id }): Path<SupervisorPath>,
    request_tx: RequestTx,
    Form(form): Form<LinkForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let row = visible_supervisor(&mut tx, &acting.user, supervisor_id).await?;
    let back = format!("/supervisors/{}", row.id);
    let target = Uuid::parse_str(form.user_id.trim()).ok();
    if !db::link_supervisor_user(&mut tx, row.id, target).await? {
        return Ok(acting.done(Flash::error("error.link_user"), &back).await);
    }
    let event = Event::new(
        "supervisor.link_user",
        ("supervisor", row.id),
        json!({ "user_id": target }),
    );
    acting
        .recorded(&mut tx, event, Flash::success("supervisors.linked"), &back)
        .await
}

/// The public address of the office's verification page for `number`: under `server.public_url`
/// when configured (always, behind a proxy), else the address the request came to.
fn verify_url(public_url: &str, headers: &HeaderMap, office: &str, number: &str) -> String {
    if !public_url.is_empty() {
        return format!(
            "{}/{office}/verify/{number}",
            public_url.trim_end_matches('/')
        );
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https")
    {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/{office}/verify/{number}")
}

/// The printable certificate (A4 or card), with the QR code that leads to verification.
pub async fn show_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(SupervisorPath { supervisor_id }): Path<SupervisorPath>,
    headers: HeaderMap,
    ctx: PageCtx,
    mut tx: Tx,
    Query(size): Query<CertificateSize>,
) -> AppResult<Response> {
    let office = ctx.office.clone().ok_or_else(not_found)?;
    let row = visible_supervisor(&mut tx, &user, supervisor_id).await?;
    drop(tx);
    // Only a certificate in force is printed; a revoked one never again.
    let approved = row.status == SupervisorStatus::Approved.as_str();
    let (true, Some(number), Some(from), Some(until)) = (
        approved,
        row.certificate_number,
        row.valid_from,
        row.valid_until,
    ) else {
        return Err(not_found());
    };
    render(&CertificatePage {
        qr_href: ctx.href(&format!("/supervisors/{}/certificate/qr.svg", row.id)),
        verify_url: verify_url(
            &state.config.server.public_url,
            &headers,
            &office.code,
            &number,
        ),
        office_name: office.name,
        name: row.name,
        number,
        validity: format!("{from} ~ {until}"),
        card: size.size == "card",
        ctx,
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct CertificateSize {
    #[serde(default)]
    pub size: String,
}

/// The certificate's QR code, as SVG.
pub async fn certificate_qr(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(SupervisorPath { supervisor_id }): Path<SupervisorPath>,
    axum::Extension(office): axum::Extension<Office>,
    headers: HeaderMap,
    mut tx: Tx,
) -> AppResult<Response> {
    let row = visible_supervisor(&mut tx, &user, supervisor_id).await?;
    drop(tx);
    if row.status != SupervisorStatus::Approved.as_str() {
        return Err(not_found());
    }
    let number = row.certificate_number.ok_or_else(not_found)?;
    let code = qrcode::QrCode::new(
        verify_url(
            &state.config.server.public_url,
            &headers,
            &office.code,
            &number,
        )
        .as_bytes(),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("qr code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct VerifyQuery {
    #[serde(default)]
    pub number: String,
}

/// The public verification form (INS-08): anyone, no login.
pub async fn verify_form(
    axum::Extension(office): axum::Extension<Office>,
    ctx: PageCtx,
    Query(query): Query<VerifyQuery>,
) -> AppResult<Response> {
    let number = query.number.trim();
    if !number.is_empty() {
        let encoded: String = url::form_urlencoded::byte_serialize(number.as_bytes()).collect();
        return Ok(Redirect::to(&office.path(&format!("/verify/{encoded}"))).into_response());
    }
    render(&VerifyPage {
        ctx,
        number: String::new(),
        outcome: None,
    })
}

#[derive(Debug, Deserialize)]
pub struct NumberPath {
    pub number: String,
}

/// Whether the certificate `number` is valid today, for whom and until when (INS-08).
pub async fn verify_certificate(
    axum::Extension(office): axum::Extension<Office>,
    Now(now): Now,
    ctx: PageCtx,
    mut tx: Tx,
    Path(NumberPath { number }): Path<NumberPath>,
) -> AppResult<Response> {
    // a certificate number is short: anything longer is no certificate of ours
    let number = number.trim().to_string();
    let found = match number.chars().count() {
        1..=32 => db::find_certificate(&mut tx, &number).await?,
        _ => None,
    };
    drop(tx);
    let today = office.today(now);
    let outcome = match found {
        Some(c) => {
            let status = SupervisorStatus::parse(&c.status).unwrap_or(SupervisorStatus::Revoked);
            let (from, until) = (
                c.valid_from.unwrap_or(today),
                c.valid_until.unwrap_or(today),
            );
            let state = certificate_state(status, from, until, today);
            let key = match state {
                CertificateState::Valid => "verify.valid",
                CertificateState::NotYetValid => "verify.not_yet_valid",
                CertificateState::Expired => "verify.expired",
                CertificateState::Revoked => "verify.revoked",
            };
            // The name is half hidden: enough to compare with the person at the door, too
            // little to list the office's supervisors by trying numbers.
            let name = model::mask_name(&c.name);
            Some((
                key,
                state == CertificateState::Valid,
                name,
                format!("{from} ~ {until}"),
            ))
        }
        None => Some(("verify.unknown", false, String::new(), String::new())),
    };
    render(&VerifyPage {
        ctx,
        number,
        outcome,
    })
}

pub async fn list_groups(user: CurrentUser, ctx: PageCtx, mut tx: Tx) -> AppResult<Response> {
    let page = groups_page(ctx, &user, &mut tx, GroupFormView::default(), Vec::new()).await?;
    drop(tx);
    render(&page)
}

async fn groups_page(
    ctx: PageCtx,
    user: &CurrentUser,
    tx: &mut Tx,
    form: GroupFormView,
    errors: Vec<String>,
) -> AppResult<GroupsPage> {
    let rows = db::list_groups(tx).await?;
    let members = db::all_group_members(tx).await?;
    let groups = rows
        .into_iter()
        .map(|g| GroupView {
            member_names: members
                .iter()
                .filter(|m| m.0 == g.id)
                .map(|m| m.1.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            period: match (g.starts_on, g.ends_on) {
                (Some(from), Some(until)) => format!("{from} ~ {until}"),
                _ => String::new(),
            },
            name: g.name,
            purpose: g.purpose,
            unit: g.unit.unwrap_or_default(),
            leader: g.leader.unwrap_or_default(),
            members: g.members,
        })
        .collect();
    let candidates = db::group_candidates(tx)
        .await?
        .into_iter()
        .map(|m| (m.id.to_string(), m.name))
        .collect();
    let units = list_units(tx).await?;
    Ok(GroupsPage {
        can_form: user.of_office(),
        ctx,
        groups,
        candidates,
        units,
        form,
        errors,
    })
}

/// Forms a group (INS-02): exactly one leader among its members, none of whom may inspect a unit
/// they work at or that recommended them (recusal).
pub async fn create_group(
    acting: Acting,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(mut form): Form<GroupFormView>,
) -> AppResult<Response> {
    form.name = form.name.trim().to_string();
    form.purpose = form.purpose.trim().to_string();
    let mut tx = request_tx.acquire().await?;
    let candidates = db::group_candidates(&mut tx).await?;
    let unit = Uuid::parse_str(&form.unit_id).ok();
    let leader = Uuid::parse_str(&form.leader).ok();
    let mut members: Vec<&model::Member> = candidates
        .iter()
        .filter(|c| form.members.contains(&c.id.to_string()))
        .collect();
    // the leader is a member, whether ticked or not
    if let Some(l) = candidates.iter().find(|c| Some(c.id) == leader)
        && !members.iter().any(|m| m.id == l.id)
    {
        members.push(l);
    }
    let mut errors: Vec<String> = Vec::new();
    if form.name.is_empty() {
        errors.push(ctx.t("error.group_name").into());
    }
    if form.name.chars().count() > GROUP_NAME_MAX {
        errors.push(ctx.tf("error.text_too_long", &GROUP_NAME_MAX.to_string()));
    }
    if form.purpose.chars().count() > PURPOSE_MAX {
        errors.push(ctx.tf("error.text_too_long", &PURPOSE_MAX.to_string()));
    }
    if leader.is_none() || !members.iter().any(|m| Some(m.id) == leader) {
        errors.push(ctx.t("error.group_leader").into());
    }
    // A group formed for a period says when it starts and ends; both or neither.
    let period = match (form.starts_on.trim(), form.ends_on.trim()) {
        ("", "") => None,
        (from, until) => match model::parse_validity(from, until) {
            Ok(period) => Some(period),
            Err(_) => {
                errors.push(ctx.t("error.group_period").into());
                None
            }
        },
    };
    if let Some(unit) = unit {
        let owned: Vec<model::Member> = members.iter().map(|m| (*m).clone()).collect();
        for m in model::recusals(&owned, unit) {
            errors.push(ctx.tf("error.recusal", &m.name));
        }
    }
    if !errors.is_empty() {
        let page = groups_page(ctx, &acting.user, &mut tx, form, errors).await?;
        drop(tx);
        return render_invalid(&page);
    }
    let new = db::NewGroup {
        name: &form.name,
        purpose: &form.purpose,
        unit_id: unit,
        starts_on: period.map(|p| p.0),
        ends_on: period.map(|p| p.1),
    };
    let tenant = acting.user.tenant_id;
    let group_id = db::insert_group(&mut tx, tenant, &new).await?;
    for m in &members {
        let leads = Some(m.id) == leader;
        db::insert_group_member(&mut tx, tenant, group_id, m.id, leads).await?;
    }
    // The one-leader rule is checked at commit; check it now, so a refusal is not told as a success.
    crate::db::check_constraints_now(&mut tx).await?;
    let detail = json!({ "name": form.name, "members": members.len() });
    let event = Event::new("group.form", ("supervisor_group", group_id), detail);
    let done = Flash::success("groups.formed").with(form.name.clone());
    acting.recorded(&mut tx, event, done, "/groups").await
}
