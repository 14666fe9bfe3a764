//! xiaoneng (效能督查平台): a multi-tenant, server-rendered platform for government efficiency
//! offices. One deployment serves many offices; each sees only its own data.
//!
//! [`router`] builds the whole web application from an [`AppState`], so the binary and the tests
//! serve exactly the same thing.

pub mod apikeys; // per-office API keys for other systems, and the API caller they identify (CMP-03)
pub mod audit; // append-only, hash-chained audit log per office
pub mod auth; // passwords, sessions, login, the office context and the roles each route admits
pub mod calendar; // working days (CAL-1, CAL-2): the only code that counts them
pub mod complaints; // complaints (CMP-): intake on every channel, acceptance, routing to units
pub mod config; // settings from config/default.toml and XIAONENG__* variables
pub mod core; // the office, the signed-in user and roles, the clock, local time, paging, errors
pub mod dashboard; // the leaders' dashboard: the year's deductions as server-drawn charts
pub mod db; // pool, migrations, offices, the per-request tenant transaction, the embedded cluster
pub mod demo; // the demo office with one user per role
pub mod documents; // official documents typeset to PDF with Typst (notices, bulletins, interviews)
pub mod evidence; // photos and videos: streamed, content-addressed, write-once (INS-09, INS-14)
pub mod i18n; // zh-CN and English strings from one catalog
pub mod inbox; // what awaits each user, reminders before due dates, mail when configured
pub mod inspections; // rounds, draws, tasks, findings, sign-off, review, self-reports (INS-03 on)
pub mod jobs; // scheduled work under an advisory lock (INS-04 so far)
pub mod notices; // rectification notices and appeals (INS-11, INS-12), interviews and bulletins (INS-13)
pub mod registry; // offices, users, years, catalog, units, staff, supervisors, groups, settings
pub mod routes; // every route of the application and the roles it admits
pub mod scoring; // the deductions ledger
pub mod telemetry; // tracing setup
pub mod web; // page shell and kit: language, error pages, security headers, PageCtx, extractors

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

pub use routes::router;

/// What every handler can reach: the database pool, the configuration, the evidence store and the
/// process's short-lived copies. Cloned for every extractor of every request, so it is one
/// shared pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub db: PgPool,
    pub config: Arc<config::Config>,
    pub evidence: Arc<evidence::Store>,
    pub documents: Arc<documents::Documents>,
    pub clock: core::Clock,
    /// The offices looked up lately (every request names one).
    pub offices: db::offices::OfficeCache,
    /// The committed changes this process has seen, per office.
    pub changes: db::Changes,
    /// The navigation's counts, kept a short while (see [`inbox::CountCache`]).
    pub inbox_counts: inbox::CountCache,
    /// The leaders' overviews, kept a short while (see [`notices::OverviewCache`]).
    pub overviews: notices::OverviewCache,
    /// The units list's categories and open year, kept a short while (see
    /// [`registry::units::FrameCache`]).
    pub unit_frames: registry::units::FrameCache,
    /// The newest page of each office's audit log, kept a short while (see
    /// [`audit::NewestPageCache`]).
    pub audit_pages: audit::NewestPageCache,
    /// Each year's results as the ranking and the dashboard read them, kept a short while (see
    /// [`scoring::ResultsCache`]).
    pub year_results: scoring::ResultsCache,
    /// Where the open year's deductions fall, for the dashboard (see [`dashboard::SpreadCache`]).
    pub spreads: dashboard::SpreadCache,
    /// What each client address did lately without logging in (the public complaint form and
    /// tracking page), against floods.
    pub public_limits: web::limit::Windows,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Fails when the evidence store cannot be opened (its folder, or the S3 settings).
    pub fn new(db: PgPool, config: config::Config) -> anyhow::Result<Self> {
        Ok(Self(Arc::new(Shared {
            db,
            evidence: Arc::new(evidence::Store::from_config(&config.evidence)?),
            documents: Arc::new(documents::Documents::from_config(&config.documents)),
            clock: core::Clock::default(),
            offices: db::offices::OfficeCache::default(),
            changes: db::Changes::default(),
            inbox_counts: inbox::CountCache::default(),
            overviews: notices::OverviewCache::default(),
            unit_frames: registry::units::FrameCache::default(),
            audit_pages: audit::NewestPageCache::default(),
            year_results: scoring::ResultsCache::default(),
            spreads: dashboard::SpreadCache::default(),
            public_limits: web::limit::Windows::default(),
            config: Arc::new(config),
        })))
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for core::Clock {
    fn from_ref(state: &AppState) -> Self {
        state.clock.clone()
    }
}
