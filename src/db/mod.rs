//! The database: connecting (configured URL or the embedded cluster), migrating, and the
//! offices (the tenants) and the per-request tenant transaction that every office page runs in.

pub mod embedded;
pub mod memo;
pub mod numbers;
pub mod offices;
pub mod tenant;

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::DatabaseConfig;

pub use memo::Memo;
pub use offices::{Changes, OfficeChanged, Wrote};
pub use tenant::{KeepWrites, RequestTx, Tx, begin_tenant, enter_tenant, should_commit};

/// The role every request switches to: no BYPASSRLS, owns nothing (DESIGN.md, tenancy).
pub const APP_ROLE: &str = "xiaoneng_app";

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Opens the pool on `options`, each connection [`tuned`].
pub async fn connect_with(
    config: &DatabaseConfig,
    options: PgConnectOptions,
) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(config.acquire_timeout_secs))
        // sqlx tests a connection when it goes back to the pool; testing it again when it is taken
        // out costs every request a round trip per connection. A connection that died while idle
        // (the server restarted) fails its request once and is dropped.
        .test_before_acquire(false)
        .connect_with(tuned(options))
        .await
}

/// The settings every connection starts with (sent with the login, no round trip of their own).
/// Prepared statements keep one generic plan: our queries take optional filters as parameters
/// (`$1 is null or …`) and count per role behind `case`, and PostgreSQL's default would plan such
/// a statement afresh at every execution, which cost more than running it (measured on the
/// main pages by `scripts/bench-pages.sh`).
pub fn tuned(options: PgConnectOptions) -> PgConnectOptions {
    options.options([("plan_cache_mode", "force_generic_plan")])
}

/// Connect options for a URL, with the application name set for `pg_stat_activity`.
pub fn options_from_url(url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    Ok(PgConnectOptions::from_str(url)?.application_name("xiaoneng"))
}

/// Applies the embedded migrations.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// True when the database answers (for `/readyz`).
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query_scalar!("select 1 as \"one!\"")
        .fetch_one(pool)
        .await
        .is_ok()
}

/// Checks deferred constraints (such as a group's one leader) now instead of at commit, so that
/// a refusal can be answered before a success is announced.
pub async fn check_constraints_now(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("set constraints all immediate")
        .execute(conn)
        .await?;
    Ok(())
}

/// A `%...%` ILIKE pattern that matches `text` literally.
pub fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
