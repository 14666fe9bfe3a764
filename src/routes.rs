//! Every route of the application, in one place, with the roles each admits.
//!
//! Top level: the front page, health checks and static files. Everything of an office lives under
//! `/{office}` and runs inside [`office_context`](crate::web::office_context) (the office, its tenant
//! transaction and the signed-in user). Each group of office routes states its roles with
//! [`allow`]; routes outside any group are open to anonymous visitors (the login page).

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::context::office_context;
use crate::auth::session_store::PgSessionStore;
use crate::core::Role::{self, *};
use crate::core::user::{
    ADMIN, ANY_ROLE, INSPECTORS, OFFICE, OFFICE_AND_LEADERS, READERS, RECOMMENDERS,
    SUPERVISOR_READERS, WITHOUT_LIAISONS,
};
use crate::web::{pages, shell};
use crate::{AppState, apikeys, audit, auth, calendar, inbox, inspections, registry};

/// A group of routes that admits only `roles`.
fn allow(roles: &'static [Role], routes: Router<AppState>) -> Router<AppState> {
    routes.route_layer(from_fn_with_state(roles, auth::require_roles))
}

/// A list's export: `{list}.csv` and `{list}.xlsx`, both answered by one handler that reads the
/// format from the extension ([`ExportFormat`](crate::web::export::ExportFormat)).
fn export<H, T>(list: &str, handler: H) -> Router<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    Router::new()
        .route(&format!("{list}.csv"), get(handler.clone()))
        .route(&format!("{list}.xlsx"), get(handler))
}

/// The routes of one office, below `/{office}`.
///
/// Long on purpose: it is the office's site map, one group of routes per set of roles, read top to
/// bottom; split up, a reader would have to hunt for which roles reach a page.
fn office_routes(state: &AppState) -> Router<AppState> {
    use apikeys::handlers as keys;
    use auth::handlers as a;
    use calendar::handlers as c;
    use registry::settings::handlers as settings;
    use registry::supervisors::handlers as s;
    use registry::units::handlers as u;
    use registry::users::handlers as users;
    use registry::years::handlers as y;
    let routes = Router::new()
        .route("/login", get(a::login_form).post(a::login))
        // INS-08: anyone may verify a certificate, without logging in
        .route("/verify", get(s::verify_form))
        // CMP-03: how to complain, for anyone; the public complaint form and the tracking page
        .route("/channels", get(settings::show_channels))
        .route("/complain", get(crate::complaints::public::complain_form))
        .route("/track", get(crate::complaints::public::track))
        .route("/verify/{number}", get(s::verify_certificate))
        .merge(allow(
            SUPERVISOR_READERS,
            Router::new()
                .route("/supervisors", get(s::list_supervisors))
                .merge(export("/supervisors/export", s::export_supervisors))
                .route("/supervisors/{supervisor_id}", get(s::show_supervisor)),
        ))
        .merge(allow(
            RECOMMENDERS,
            Router::new()
                .route("/supervisors", post(s::recommend_supervisor))
                .route("/supervisors/new", get(s::new_supervisor_form)),
        ))
        .merge(allow(
            ANY_ROLE,
            Router::new()
                .route("/", get(inbox::handlers::show_home))
                .route("/logout", post(a::logout))
                .route(
                    "/account/password",
                    get(a::password_form).post(a::change_password),
                )
                .route("/years/{year}/catalog", get(y::show_catalog))
                // a liaison sees (and keeps the staff of) its own unit only: checked in the handler
                .route("/units/{unit_id}", get(u::show_unit))
                .route("/units/{unit_id}/staff", post(u::add_staff))
                .route(
                    "/units/{unit_id}/staff/{staff_id}/leave",
                    post(u::staff_leave),
                )
                .route(
                    "/units/{unit_id}/staff/{staff_id}/return",
                    post(u::staff_return),
                ),
        ))
        .merge(allow(
            ADMIN,
            Router::new()
                .route("/users", get(users::list_users).post(users::create_user))
                .route("/users/new", get(users::new_user_form))
                .route("/users/{user_id}", get(users::show_user))
                .route("/users/{user_id}/disable", post(users::disable_user))
                .route("/users/{user_id}/enable", post(users::enable_user))
                .route(
                    "/users/{user_id}/reset-password",
                    post(users::reset_password),
                )
                .route("/users/{user_id}/unit", post(users::change_liaison_unit))
                .route("/years", post(y::open_year))
                .route("/years/{year}/close", post(y::close_year))
                .route("/years/{year}/reopen", post(y::reopen_year))
                .route("/years/{year}/catalog", post(y::create_item))
                .route("/years/{year}/catalog/new", get(y::new_item_form))
                .route(
                    "/years/{year}/catalog/{item_id}",
                    get(y::edit_item_form).post(y::update_item),
                )
                .route(
                    "/years/{year}/catalog/{item_id}/retire",
                    post(y::retire_item),
                )
                .route(
                    "/years/{year}/catalog/{item_id}/restore",
                    post(y::restore_item),
                )
                .route("/units", post(u::create_unit))
                .route("/units/new", get(u::new_unit_form))
                .route("/units/import", get(u::import_form).post(u::import_units))
                .route("/units/{unit_id}/edit", get(u::edit_unit_form))
                .route("/units/{unit_id}", post(u::update_unit))
                .route("/units/{unit_id}/listing", post(u::set_unit_listed))
                .route(
                    "/supervisors/{supervisor_id}/user",
                    post(s::link_supervisor_user),
                )
                .route(
                    "/settings",
                    get(settings::settings_form).post(settings::update_settings),
                )
                .route(
                    "/api-keys",
                    get(keys::list_api_keys).post(keys::create_api_key),
                )
                .route("/api-keys/new", get(keys::new_api_key_form))
                .route("/api-keys/{api_key_id}/revoke", post(keys::revoke_api_key))
                .route("/calendar/days", post(c::set_calendar_day))
                .route("/calendar/years", post(c::add_calendar_year)),
        ))
        .merge(allow(
            OFFICE,
            Router::new()
                .route("/audit", get(audit::handlers::list_audit_events))
                .merge(export(
                    "/audit/export",
                    audit::handlers::export_audit_events,
                ))
                .merge(export("/staff/export", u::export_staff))
                .route(
                    "/supervisors/{supervisor_id}/certificate",
                    get(s::show_certificate),
                )
                .route(
                    "/supervisors/{supervisor_id}/certificate/qr.svg",
                    get(s::certificate_qr),
                )
                .route("/groups", post(s::create_group))
                .route(
                    "/supervisors/{supervisor_id}/{decision}",
                    post(s::decide_supervisor),
                )
                .route("/calendar", get(c::show_calendar)),
        ))
        .merge(allow(
            OFFICE_AND_LEADERS,
            Router::new()
                .route("/years", get(y::list_years))
                .route("/groups", get(s::list_groups)),
        ))
        // INS-02: a supervisor sees its own group's tasks (checked in the handler); the office and
        // leaders see every task
        .merge(allow(
            &[Supervisor],
            Router::new().route("/tasks", get(inspections::handlers::my_tasks)),
        ))
        .merge(allow(
            INSPECTORS,
            Router::new().route("/tasks/{task_id}", get(inspections::handlers::show_task)),
        ))
        // INS-04: a liaison files its unit's quarterly self-reports
        .merge(allow(
            &[Liaison],
            Router::new().route(
                "/self-reports",
                get(inspections::self_reports::handlers::show_self_reports),
            ),
        ))
        // INS-07: covert draws are for the office and the city's leaders only
        .merge(allow(
            OFFICE_AND_LEADERS,
            Router::new()
                .route(
                    "/years/{year}/draws",
                    get(inspections::draws::handlers::list_draws),
                )
                .route(
                    "/draws/{draw_id}",
                    get(inspections::draws::handlers::show_draw),
                )
                .route(
                    "/years/{year}/tasks",
                    get(inspections::handlers::list_tasks),
                )
                .merge(export(
                    "/years/{year}/tasks/export",
                    inspections::handlers::export_tasks,
                ))
                .route(
                    "/years/{year}/coverage",
                    get(inspections::handlers::show_coverage),
                )
                .merge(export(
                    "/years/{year}/coverage/export",
                    inspections::handlers::export_coverage,
                ))
                .route(
                    "/years/{year}/findings",
                    get(inspections::handlers::year_findings),
                )
                .merge(export(
                    "/years/{year}/findings/export",
                    inspections::handlers::export_year_findings,
                ))
                .route(
                    "/years/{year}/rounds",
                    get(inspections::rounds::handlers::list_rounds),
                )
                .route(
                    "/rounds/{round_id}",
                    get(inspections::rounds::handlers::show_round),
                )
                .route(
                    "/years/{year}/self-reports",
                    get(inspections::self_reports::handlers::self_report_matrix),
                )
                .merge(export(
                    "/years/{year}/self-reports/export",
                    inspections::self_reports::handlers::export_self_report_matrix,
                )),
        ))
        .merge(allow(
            OFFICE,
            Router::new()
                .route(
                    "/years/{year}/draws",
                    post(inspections::draws::handlers::create_draw),
                )
                .route(
                    "/years/{year}/tasks",
                    post(inspections::handlers::create_task),
                )
                .route(
                    "/years/{year}/rounds",
                    post(inspections::rounds::handlers::create_round),
                )
                .route(
                    "/rounds/{round_id}/omissions",
                    post(inspections::rounds::handlers::record_omission),
                )
                .route(
                    "/rounds/{round_id}/fix",
                    post(inspections::rounds::handlers::fix_round),
                ),
        ))
        .merge(allow(
            WITHOUT_LIAISONS,
            Router::new()
                .route("/units", get(u::list_units))
                .merge(export("/units/export", u::export_units)),
        ))
        .merge(finding_routes())
        .merge(notice_routes())
        .merge(scoring_routes())
        .merge(complaint_routes())
        .merge(complaint_slip_routes())
        .merge(interview_routes())
        .merge(bulletin_routes())
        .merge(inbox_routes());
    ordinary_limits(routes, &state.config)
        .merge(upload_routes(&state.config))
        .layer(from_fn_with_state(
            state.clone(),
            inbox::handlers::count_for_navigation,
        ))
        .layer(from_fn_with_state(state.clone(), office_context))
}

/// Findings, sign-off, submission and review (INS-05 to INS-11), and the evidence pages (INS-14).
fn finding_routes() -> Router<AppState> {
    use crate::evidence::handlers as e;
    use inspections::findings::handlers as f;
    Router::new()
        // a supervisor of the task's group (checked in the handler)
        .merge(allow(
            &[Supervisor],
            Router::new()
                .route("/tasks/{task_id}/findings", post(f::create_finding))
                .route("/tasks/{task_id}/signoff", post(f::record_signoff))
                .route("/tasks/{task_id}/submit", post(f::submit_task))
                .route("/findings/{finding_id}", post(f::save_finding))
                .route("/findings/{finding_id}/withdraw", post(f::withdraw_finding)),
        ))
        // who may read a finding or a file is decided per record (INS-14)
        .merge(allow(
            ANY_ROLE,
            Router::new()
                .route("/findings/{finding_id}", get(f::show_finding))
                .route("/evidence/{evidence_id}", get(e::show_evidence))
                .route("/evidence/{evidence_id}/content", get(e::evidence_content))
                .route(
                    "/evidence/{evidence_id}/thumbnail",
                    get(e::evidence_thumbnail),
                ),
        ))
        // INS-11: only the office confirms or dismisses
        .merge(allow(
            OFFICE,
            Router::new()
                .route("/review", get(f::review_queue))
                .merge(export("/review/export", f::export_review_queue))
                .route("/findings/{finding_id}/decision", post(f::decide_finding)),
        ))
        .merge(allow(
            &[Liaison],
            Router::new().route("/unit-findings", get(f::unit_findings)),
        ))
}

/// Every user's inbox: what awaits them, their notifications, where their mail goes.
fn inbox_routes() -> Router<AppState> {
    use crate::inbox::handlers as i;
    allow(
        ANY_ROLE,
        Router::new()
            .route("/inbox", get(i::show_inbox))
            .route("/inbox/read", post(i::read_all))
            .route("/inbox/email", post(i::save_email))
            .route("/inbox/{notification_id}/open", post(i::open_notification)),
    )
}

/// Rectification notices and appeals (INS-11, INS-12). A liaison reads its own unit's (checked in
/// the handler).
fn notice_routes() -> Router<AppState> {
    use crate::notices::handlers as n;
    Router::new()
        .merge(allow(
            READERS,
            Router::new()
                .route("/notices", get(n::list_notices))
                .merge(export("/notices/export", n::export_notices))
                .route("/notices/{notice_id}", get(n::show_notice))
                .route("/notices/{notice_id}/pdf", get(n::notice_pdf)),
        ))
        // INS-13: the city's leaders read everything and change nothing
        .merge(allow(
            OFFICE_AND_LEADERS,
            Router::new().route("/overview", get(n::overview)).route(
                "/dashboard",
                get(crate::dashboard::handlers::show_dashboard),
            ),
        ))
        .merge(allow(
            OFFICE,
            Router::new()
                .route(
                    "/tasks/{task_id}/notice",
                    get(n::new_notice_form).post(n::issue_notice),
                )
                .route(
                    "/notices/{notice_id}/appeal/decision",
                    post(n::decide_appeal),
                )
                .route(
                    "/notices/{notice_id}/report/decision",
                    post(n::decide_report),
                ),
        ))
}

/// Complaints (CMP-02 to CMP-13): the office logs and routes them; leaders read them; a liaison
/// reads and answers those its unit holds (checked in the handler).
fn complaint_routes() -> Router<AppState> {
    use crate::complaints::handlers as c;
    Router::new()
        .merge(allow(
            READERS,
            Router::new()
                .route("/complaints", get(c::list_complaints))
                .merge(export("/complaints/export", c::export_complaints))
                .route("/complaints/{complaint_id}", get(c::show_complaint)),
        ))
        .merge(allow(
            OFFICE,
            Router::new()
                .route("/complaints/new", get(c::new_complaint_form))
                .route("/complaints/staff", get(c::unit_staff_choices)),
        ))
        // the office routes; the unit's liaison signs, returns, acknowledges (checked per step)
        .merge(allow(
            &[OfficeAdmin, OfficeStaff, Liaison],
            Router::new().route("/complaints/{complaint_id}/act", post(c::act_on_complaint)),
        ))
}

/// CMP-08: a complaint's forwarding slip, printable and as PDF; a liaison reads its own unit's
/// (checked in the handler).
fn complaint_slip_routes() -> Router<AppState> {
    use crate::complaints::slip;
    allow(
        READERS,
        Router::new()
            .route("/complaints/{complaint_id}/slip", get(slip::show_slip))
            .route("/complaints/{complaint_id}/slip.pdf", get(slip::slip_pdf)),
    )
}

/// The year's results (INS-08; SYS-8, accountability rule art. 3): leaders read them, the office
/// decides excellence and warning units, the administrator sets the scoring rules; a liaison
/// reads its own unit's score sheet (checked in the handler).
fn scoring_routes() -> Router<AppState> {
    use crate::scoring::handlers as s;
    Router::new()
        .merge(allow(
            READERS,
            Router::new()
                .route("/units/{unit_id}/score", get(s::show_score))
                .route("/units/{unit_id}/score/pdf", get(s::score_pdf))
                .merge(export("/units/{unit_id}/score/export", s::export_score)),
        ))
        .merge(allow(
            OFFICE_AND_LEADERS,
            Router::new()
                .route("/years/{year}/ranking", get(s::show_ranking))
                .route("/years/{year}/ranking/pdf", get(s::ranking_pdf))
                .merge(export("/years/{year}/ranking/export", s::export_ranking))
                .route("/years/{year}/excellence", get(s::show_excellence))
                .route("/years/{year}/warnings", get(s::show_warnings)),
        ))
        .merge(allow(
            OFFICE,
            Router::new()
                .route("/years/{year}/excellence", post(s::decide_excellence))
                .route("/years/{year}/warnings", post(s::designate_warning))
                .route(
                    "/years/{year}/warnings/{unit_id}/withdraw",
                    post(s::withdraw_warning),
                ),
        ))
        .merge(allow(
            ADMIN,
            Router::new().route("/years/{year}/rules", post(s::update_rules)),
        ))
}

/// Interviews (INS-13): the office schedules and records them; leaders read them all and a liaison
/// its own unit's (checked in the handler); neither changes anything.
fn interview_routes() -> Router<AppState> {
    use crate::notices::interviews::handlers as i;
    Router::new()
        .merge(allow(
            READERS,
            Router::new()
                .route("/interviews", get(i::list_interviews))
                .merge(export("/interviews/export", i::export_interviews))
                .route("/interviews/{interview_id}", get(i::show_interview))
                .route("/interviews/{interview_id}/pdf", get(i::interview_pdf)),
        ))
        .merge(allow(
            OFFICE,
            Router::new()
                .route("/interviews", post(i::create_interview))
                .route("/interviews/new", get(i::new_interview_form))
                .route("/interviews/{interview_id}", post(i::update_interview))
                .route(
                    "/interviews/{interview_id}/edit",
                    get(i::edit_interview_form),
                )
                .route(
                    "/interviews/{interview_id}/minutes",
                    post(i::record_minutes),
                )
                .route(
                    "/interviews/{interview_id}/cancel",
                    post(i::cancel_interview),
                )
                .route("/interviews/{interview_id}/actions", post(i::add_actions))
                .route(
                    "/interviews/{interview_id}/actions/{action_id}/done",
                    post(i::complete_action),
                ),
        ))
}

/// Bulletins (INS-13): the office drafts and publishes them; leaders read the published ones and a
/// liaison those sent to its unit (checked in the handler, which records the reading).
fn bulletin_routes() -> Router<AppState> {
    use crate::notices::bulletins::handlers as b;
    Router::new()
        .merge(allow(
            READERS,
            Router::new()
                .route("/bulletins", get(b::list_bulletins))
                .merge(export("/bulletins/export", b::export_bulletins))
                .route("/bulletins/{bulletin_id}", get(b::show_bulletin))
                // the receipts are the office's and the leaders' (checked in the handler)
                .merge(export(
                    "/bulletins/{bulletin_id}/receipts/export",
                    b::export_bulletin_receipts,
                ))
                .route("/bulletins/{bulletin_id}/pdf", get(b::bulletin_pdf)),
        ))
        .merge(allow(
            OFFICE,
            Router::new()
                .route("/bulletins", post(b::create_bulletin))
                .route("/bulletins/new", get(b::new_bulletin_form))
                .route("/bulletins/{bulletin_id}", post(b::update_bulletin))
                .route("/bulletins/{bulletin_id}/edit", get(b::edit_bulletin_form))
                .route(
                    "/bulletins/{bulletin_id}/publish",
                    post(b::publish_bulletin),
                ),
        ))
}

/// The JSON API for other systems (CMP-03), below `/api/v1/{office}`: no session and no pages;
/// every handler takes an [`ApiCaller`](apikeys::ApiCaller), which answers 401 for anything but a
/// live key of the path's office.
fn api_routes() -> Router<AppState> {
    use crate::complaints::api::orders;
    Router::new()
        .route("/whoami", get(apikeys::handlers::whoami))
        // CMP-03: the 12345 platform pushes work orders and reads them back
        .route("/complaints", post(orders::push_work_order))
        .route("/complaints/{order_no}", get(orders::show_work_order))
        .fallback(|| async { crate::web::api::ApiError::not_found("no such resource") })
}

/// Open311 GeoReport v2 (CMP-03), below `/{office}/open311/v2`: no session and no pages. The
/// services and the requests' public-safe fields are open to anyone, as the spec has it; filing a
/// request takes a key of the office (`api_key`).
fn open311_routes() -> Router<AppState> {
    use crate::complaints::api::open311 as o;
    Router::new()
        .route("/services.json", get(o::list_services))
        .route("/services/{file}", get(o::show_service))
        .route(
            "/requests.json",
            get(o::list_requests).post(o::create_request),
        )
        .route("/requests/{file}", get(o::show_request))
        // not a fallback: one below a path that starts with a parameter clashes with the site's
        .route(
            "/{*rest}",
            axum::routing::any(|| async {
                o::Open311Error::new(StatusCode::NOT_FOUND, "no such resource")
            }),
        )
}

/// Other systems' APIs: a small body (JSON or a form) and a short time. Each API adds the
/// middleware that answers its failures (these limits' too) in its own format, never as a page.
fn api_limits(routes: Router<AppState>, config: &crate::config::Config) -> Router<AppState> {
    routes
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.server.request_timeout_secs),
        ))
        .layer(RequestBodyLimitLayer::new(
            crate::web::api::BODY_LIMIT_BYTES,
        ))
}

/// Ordinary pages: a small body and a short time.
fn ordinary_limits(routes: Router<AppState>, config: &crate::config::Config) -> Router<AppState> {
    routes
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.server.request_timeout_secs),
        ))
        .layer(RequestBodyLimitLayer::new(config.server.body_limit_bytes))
}

/// Evidence uploads (INS-09): streamed, so as large and as slow as a phone's video needs.
fn upload_routes(config: &crate::config::Config) -> Router<AppState> {
    let max = usize::try_from(config.evidence.max_bytes).unwrap_or(usize::MAX);
    // room for the form's other fields and the multipart framing around the files
    let body_limit = max.saturating_add(1024 * 1024);
    allow(
        &[Supervisor],
        Router::new().route(
            "/findings/{finding_id}/evidence",
            post(inspections::findings::handlers::upload_evidence),
        ),
    )
    // INS-11: a rectification report's attachments; INS-12: an appeal's evidence
    .merge(allow(
        &[Liaison],
        Router::new()
            .route(
                "/notices/{notice_id}/reports",
                post(crate::notices::handlers::submit_report),
            )
            .route(
                "/notices/{notice_id}/appeal",
                post(crate::notices::handlers::submit_appeal),
            ),
    ))
    // INS-04: a self-report's attachments
    .merge(allow(
        &[Liaison],
        Router::new().route(
            "/self-reports",
            post(inspections::self_reports::handlers::submit_self_report),
        ),
    ))
    // CMP-02: a complaint logged by the office, with its files
    .merge(allow(
        OFFICE,
        Router::new().route(
            "/complaints",
            post(crate::complaints::handlers::create_complaint),
        ),
    ))
    .layer(axum::extract::DefaultBodyLimit::max(body_limit))
    .layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(config.evidence.upload_timeout_secs),
    ))
    .layer(RequestBodyLimitLayer::new(body_limit))
    .merge(public_upload_routes(config))
}

/// CMP-02, CMP-03: the public complaint form, with a few photos, each small (the complaints
/// settings), so that nobody can send more than that.
fn public_upload_routes(config: &crate::config::Config) -> Router<AppState> {
    let c = &config.complaints;
    let files = u64::try_from(c.public_files).unwrap_or(u64::MAX);
    let max = c.public_file_bytes.saturating_mul(files.max(1));
    // room for the form's other fields and the multipart framing around the files
    let body_limit = usize::try_from(max)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    Router::new()
        .route("/complain", post(crate::complaints::public::file_complaint))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.evidence.upload_timeout_secs),
        ))
        .layer(RequestBodyLimitLayer::new(body_limit))
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let config = &state.config;
    crate::web::init_asset_version(&config.server.static_dir);
    let sessions = SessionManagerLayer::new(PgSessionStore::new(state.db.clone()))
        .with_name(config.session_cookie_name())
        .with_secure(config.server.tls)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            config.session.idle_timeout_minutes,
        )));
    let mut csrf = CsrfLayer::new();
    for origin in &config.server.trusted_origins {
        match csrf.clone().add_trusted_origin(origin) {
            Ok(with_origin) => csrf = with_origin,
            Err(error) => tracing::error!(%origin, ?error, "ignoring an invalid trusted origin"),
        }
    }
    let static_files = Router::new()
        .fallback_service(ServeDir::new(&config.server.static_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_str(&format!(
                "public, max-age={}",
                config.server.static_max_age_secs
            ))
            .unwrap_or(HeaderValue::from_static("public, max-age=3600")),
        ));

    let front = Router::new()
        .route("/", get(pages::front_page))
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .nest("/static", static_files)
        .route("/{office}/", get(pages::office_home_slash))
        .fallback(pages::not_found_page);
    // each part sets its own body and time limits: ordinary pages small and short, evidence
    // uploads as large and as long as the evidence settings allow
    ordinary_limits(front, config)
        .nest(
            "/api/v1/{office}",
            api_limits(api_routes(), config).layer(from_fn(crate::web::api::json_errors)),
        )
        .nest(
            "/{office}/open311/v2",
            api_limits(open311_routes(), config)
                .layer(from_fn(crate::complaints::api::open311::open311_errors)),
        )
        .nest("/{office}", office_routes(&state))
        .layer(sessions)
        .layer(csrf)
        .layer(from_fn_with_state(state.config.clone(), shell))
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("video/"))
                    .and(NotForContentType::const_new("application/pdf")),
            ),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(crate::telemetry::request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        // The request id is ours to give: a client's own would make references unreliable.
        .layer(axum::middleware::map_request(
            |mut request: axum::extract::Request| async move {
                request.headers_mut().remove("x-request-id");
                request
            },
        ))
        .with_state(state)
}
