//! Supervisors (INS-02): recommendation by a department, the office's decision, certificates with
//! public verification (INS-08), links to user accounts, and groups with exactly one leader and
//! recusal.

use axum::Form;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, Utc};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;
use uuid::Uuid;

use super::db;
use super::supervisors::{
    self, CertificateState, Decision, RecommendationInput, SupervisorStatus, certificate_state,
};
use super::views::{
    CertificatePage, GroupFormView, GroupView, GroupsPage, RecommendPage, SupervisorPage,
    SupervisorView, SupervisorsPage, VerifyPage,
};
use crate::AppState;
use crate::audit::{self, Event};
use crate::auth::{CurrentUser, Role};
use crate::db::{RequestTx, Tx, numbers};
use crate::error::{AppError, AppResult, not_found};
use crate::registry::Office;
use crate::web::{ClientAddr, FlashKind, PageCtx, flash, render, render_invalid};

#[derive(Debug, Deserialize)]
pub struct SupervisorPath {
    pub supervisor_id: Uuid,
}

/// The supervisor of the path, if this user may see it: a liaison only those its unit
/// recommended.
async fn visible_supervisor(
    tx: &mut Tx,
    user: &CurrentUser,
    path: Result<Path<SupervisorPath>, PathRejection>,
) -> AppResult<db::SupervisorRow> {
    let Path(SupervisorPath { supervisor_id }) = path.map_err(|_| not_found())?;
    let row = db::get_supervisor(tx, supervisor_id).await?;
    if user.role == Role::Liaison && row.recommended_by_unit_id != user.unit_id {
        return Err(not_found());
    }
    Ok(row)
}

#[derive(Debug, Deserialize, Default)]
pub struct StatusFilter {
    #[serde(default)]
    pub status: String,
}

pub async fn list_supervisors(
    user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
    Query(filter): Query<StatusFilter>,
) -> AppResult<Response> {
    let status = SupervisorStatus::parse(&filter.status).map(|s| s.as_str());
    let scope = if user.role == Role::Liaison {
        user.unit_id.or(Some(Uuid::nil()))
    } else {
        None
    };
    let rows = db::list_supervisors(&mut tx, status, scope).await?;
    drop(tx);
    let supervisors = rows
        .into_iter()
        .map(|s| SupervisorView::new(&ctx, s))
        .collect();
    let can_recommend = matches!(
        user.role,
        Role::OfficeAdmin | Role::OfficeStaff | Role::Liaison
    );
    render(&SupervisorsPage {
        ctx,
        supervisors,
        status: status.unwrap_or("").into(),
        can_recommend,
    })
}

pub async fn new_supervisor_form(
    user: CurrentUser,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let units = units_for(&user, db::list_units(&mut tx).await?);
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
fn units_for(user: &CurrentUser, units: Vec<db::UnitRow>) -> Vec<db::UnitRow> {
    if user.role == Role::Liaison {
        units
            .into_iter()
            .filter(|u| Some(u.id) == user.unit_id)
            .collect()
    } else {
        units
    }
}

fn own_unit_name(user: &CurrentUser, units: &[db::UnitRow]) -> Option<String> {
    if user.role != Role::Liaison {
        return None;
    }
    units
        .iter()
        .find(|u| Some(u.id) == user.unit_id)
        .map(|u| u.name.clone())
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
    user: CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<RecommendForm>,
) -> AppResult<Response> {
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
    let units = units_for(&user, db::list_units(&mut tx).await?);
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
            let event = Event {
                action: "supervisor.recommend",
                subject_type: "supervisor",
                subject_id: Some(id),
                detail: json!({ "name": valid.name }),
            };
            audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
            flash::push(
                &session,
                FlashKind::Success,
                "supervisors.recommended",
                Some(valid.name),
            )
            .await;
            Ok(Redirect::to(&user.path(&format!("/supervisors/{id}"))).into_response())
        }
        Err(errors) => {
            drop(tx);
            let fixed_unit = own_unit_name(&user, &units);
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
    user: &CurrentUser,
    tx: &mut Tx,
    row: db::SupervisorRow,
    error: Option<&'static str>,
) -> AppResult<SupervisorPage> {
    let can_link = user.role == Role::OfficeAdmin && row.status == "approved";
    let users = if can_link {
        db::unlinked_supervisor_users(tx)
            .await?
            .into_iter()
            .map(|(id, username, name)| (id.to_string(), format!("{name}（{username}）")))
            .collect()
    } else {
        Vec::new()
    };
    let year = Utc::now().with_timezone(&ctx.time_zone()).year();
    Ok(SupervisorPage {
        can_decide: matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
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
    path: Result<Path<SupervisorPath>, PathRejection>,
    ctx: PageCtx,
    mut tx: Tx,
) -> AppResult<Response> {
    let row = visible_supervisor(&mut tx, &user, path).await?;
    let page = supervisor_page(ctx, &user, &mut tx, row, None).await?;
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

#[allow(clippy::too_many_arguments)] // the body shared by the three decision handlers
async fn decide(
    user: CurrentUser,
    path: Result<Path<SupervisorPath>, PathRejection>,
    session: Session,
    addr: String,
    ctx: PageCtx,
    request_tx: RequestTx,
    form: DecisionForm,
    decision: Decision,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let row = visible_supervisor(&mut tx, &user, path).await?;
    let id = row.id;
    let status = SupervisorStatus::parse(&row.status).unwrap_or(SupervisorStatus::Declined);
    let note: String = form.note.trim().chars().take(500).collect();
    let refused = match status.decide(decision) {
        Err(key) => Some(key),
        Ok(_) if decision != Decision::Approve && note.is_empty() => Some("error.reason_required"),
        Ok(next) => {
            let certificate = if decision == Decision::Approve {
                match supervisors::parse_validity(&form.valid_from, &form.valid_until) {
                    Ok((from, until)) => {
                        // INS-08: the certificate number comes from the office's counter.
                        let seq = numbers::next_number(
                            &mut tx,
                            user.tenant_id,
                            "certificate",
                            from.year(),
                        )
                        .await?;
                        Some((
                            supervisors::certificate_number(from.year(), seq),
                            from,
                            until,
                        ))
                    }
                    Err(key) => {
                        let page = supervisor_page(ctx, &user, &mut tx, row, Some(key)).await?;
                        drop(tx);
                        return render_invalid(&page);
                    }
                }
            } else {
                None
            };
            let cert = certificate.as_ref().map(|(n, f, u)| (n.as_str(), *f, *u));
            if db::decide_supervisor(&mut tx, id, status.as_str(), next.as_str(), &note, cert)
                .await?
            {
                let event = Event {
                    action: match decision {
                        Decision::Approve => "supervisor.approve",
                        Decision::Decline => "supervisor.decline",
                        Decision::Revoke => "supervisor.revoke",
                    },
                    subject_type: "supervisor",
                    subject_id: Some(id),
                    detail: json!({
                        "note": note,
                        "certificate": certificate.as_ref().map(|c| c.0.clone()),
                    }),
                };
                audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
                flash::push(&session, FlashKind::Success, "supervisors.decided", None).await;
            }
            None
        }
    };
    if let Some(key) = refused {
        let row = db::get_supervisor(&mut tx, id).await?;
        let page = supervisor_page(ctx, &user, &mut tx, row, Some(key)).await?;
        drop(tx);
        return render_invalid(&page);
    }
    Ok(Redirect::to(&user.path(&format!("/supervisors/{id}"))).into_response())
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
    user: CurrentUser,
    path: Result<Path<DecisionPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let Path(DecisionPath {
        supervisor_id,
        decision,
    }) = path.map_err(|_| not_found())?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "decline" => Decision::Decline,
        "revoke" => Decision::Revoke,
        _ => return Err(not_found()),
    };
    let path = Ok(Path(SupervisorPath { supervisor_id }));
    decide(user, path, session, addr, ctx, request_tx, form, decision).await
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub user_id: String,
}

/// Links an approved supervisor to a user account of role supervisor (office_admin).
pub async fn link_supervisor_user(
    user: CurrentUser,
    path: Result<Path<SupervisorPath>, PathRejection>,
    session: Session,
    ClientAddr(addr): ClientAddr,
    request_tx: RequestTx,
    Form(form): Form<LinkForm>,
) -> AppResult<Response> {
    let mut tx = request_tx.acquire().await?;
    let row = visible_supervisor(&mut tx, &user, path).await?;
    let target = Uuid::parse_str(form.user_id.trim()).ok();
    if db::link_supervisor_user(&mut tx, row.id, target).await? {
        let event = Event {
            action: "supervisor.link_user",
            subject_type: "supervisor",
            subject_id: Some(row.id),
            detail: json!({ "user_id": target }),
        };
        audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
        flash::push(&session, FlashKind::Success, "supervisors.linked", None).await;
    } else {
        flash::push(&session, FlashKind::Error, "error.link_user", None).await;
    }
    Ok(Redirect::to(&user.path(&format!("/supervisors/{}", row.id))).into_response())
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
    path: Result<Path<SupervisorPath>, PathRejection>,
    headers: HeaderMap,
    ctx: PageCtx,
    mut tx: Tx,
    Query(size): Query<CertificateSize>,
) -> AppResult<Response> {
    let office = ctx.office.clone().ok_or_else(not_found)?;
    let row = visible_supervisor(&mut tx, &user, path).await?;
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
    path: Result<Path<SupervisorPath>, PathRejection>,
    axum::Extension(office): axum::Extension<Office>,
    headers: HeaderMap,
    mut tx: Tx,
) -> AppResult<Response> {
    let row = visible_supervisor(&mut tx, &user, path).await?;
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
    ctx: PageCtx,
    mut tx: Tx,
    Path(NumberPath { number }): Path<NumberPath>,
) -> AppResult<Response> {
    let number: String = number.trim().chars().take(32).collect();
    let found = db::find_certificate(&mut tx, &number).await?;
    drop(tx);
    let today = Utc::now().with_timezone(&office.tz()).date_naive();
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
            let name = supervisors::mask_name(&c.name);
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
    let units = db::list_units(tx).await?;
    Ok(GroupsPage {
        can_form: matches!(user.role, Role::OfficeAdmin | Role::OfficeStaff),
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
    user: CurrentUser,
    session: Session,
    ClientAddr(addr): ClientAddr,
    ctx: PageCtx,
    request_tx: RequestTx,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = GroupFormView::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "name" => form.name = value.trim().chars().take(100).collect(),
            "purpose" => form.purpose = value.trim().chars().take(500).collect(),
            "unit_id" => form.unit_id = value.into_owned(),
            "member" => form.members.push(value.into_owned()),
            "leader" => form.leader = value.into_owned(),
            "starts_on" => form.starts_on = value.into_owned(),
            "ends_on" => form.ends_on = value.into_owned(),
            _ => {}
        }
    }
    let mut tx = request_tx.acquire().await?;
    let candidates = db::group_candidates(&mut tx).await?;
    let unit = Uuid::parse_str(&form.unit_id).ok();
    let leader = Uuid::parse_str(&form.leader).ok();
    let mut members: Vec<&supervisors::Member> = candidates
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
    if leader.is_none() || !members.iter().any(|m| Some(m.id) == leader) {
        errors.push(ctx.t("error.group_leader").into());
    }
    // A group formed for a period says when it starts and ends; both or neither.
    let period = match (form.starts_on.trim(), form.ends_on.trim()) {
        ("", "") => None,
        (from, until) => match supervisors::parse_validity(from, until) {
            Ok(period) => Some(period),
            Err(_) => {
                errors.push(ctx.t("error.group_period").into());
                None
            }
        },
    };
    if let Some(unit) = unit {
        let owned: Vec<supervisors::Member> = members.iter().map(|m| (*m).clone()).collect();
        for m in supervisors::recusals(&owned, unit) {
            errors.push(ctx.tf("error.recusal", &m.name));
        }
    }
    if !errors.is_empty() {
        let page = groups_page(ctx, &user, &mut tx, form, errors).await?;
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
    let group_id = db::insert_group(&mut tx, user.tenant_id, &new).await?;
    for m in &members {
        db::insert_group_member(
            &mut tx,
            user.tenant_id,
            group_id,
            m.id,
            Some(m.id) == leader,
        )
        .await?;
    }
    // The one-leader rule is checked at commit; check it now, so a refusal is not told as a success.
    crate::db::check_constraints_now(&mut tx).await?;
    let event = Event {
        action: "group.form",
        subject_type: "supervisor_group",
        subject_id: Some(group_id),
        detail: json!({ "name": form.name, "members": members.len() }),
    };
    audit::record(&mut tx, user.tenant_id, &user.actor(&addr), event).await?;
    flash::push(
        &session,
        FlashKind::Success,
        "groups.formed",
        Some(form.name),
    )
    .await;
    Ok(Redirect::to(&user.path("/groups")).into_response())
}
