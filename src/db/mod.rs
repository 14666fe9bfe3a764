//! The database: connecting (configured URL or the embedded cluster), migrating, and the
//! offices (the tenants) and the per-request tenant transaction that every office page runs in.

pub mod embedded;
pub mod numbers;
pub mod offices;
pub mod tenant;

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::DatabaseConfig;

pub use offices::OfficeChanged;
pub use tenant::{KeepWrites, RequestTx, Tx, begin_tenant, enter_tenant, should_commit};

/// The role every request switches to: no BYPASSRLS, owns nothing (DESIGN.md, tenancy).
pub const APP_ROLE: &str = "xiaoneng_app";

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Opens the pool on `options`.
pub async fn connect_with(
    config: &DatabaseConfig,
    options: PgConnectOptions,
) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(config.acquire_timeout_secs))
        .connect_with(options)
        .await
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
