//! The offices themselves (the tenants): found by their code before any tenant is chosen, listed
//! for the jobs and the command line, created by the platform operator. The office table is the
//! only one read outside a tenant transaction.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sqlx::{PgConnection, PgPool};

use crate::core::Office;

/// The offices this process has looked up lately, by code. Every request names its office, and
/// an office changes rarely (its name and time zone, on its settings page): an entry serves for
/// [`OfficeCache::TTL`]; the instance that changes an office forgets it at once, and any other
/// instance reads the change within the TTL. A code that names no office is never kept, so no
/// request can make the cache grow beyond the offices there are.
#[derive(Debug, Clone, Default)]
pub struct OfficeCache(Arc<RwLock<HashMap<String, (Office, Instant)>>>);

impl OfficeCache {
    pub const TTL: Duration = Duration::from_secs(30);

    /// The office with `code`, from the cache while it is fresh, else from the database.
    pub async fn find(&self, pool: &PgPool, code: &str) -> Result<Option<Office>, sqlx::Error> {
        let cached = self
            .0
            .read()
            .ok()
            .and_then(|offices| offices.get(code).cloned());
        if let Some((office, at)) = cached
            && at.elapsed() < Self::TTL
        {
            return Ok(Some(office));
        }
        let found = find_office_by_code(pool, code).await?;
        if let (Some(office), Ok(mut offices)) = (&found, self.0.write()) {
            offices.insert(code.to_string(), (office.clone(), Instant::now()));
        }
        Ok(found)
    }

    /// Forgets the office with `code` (its settings changed).
    pub fn forget(&self, code: &str) {
        if let Ok(mut offices) = self.0.write() {
            offices.remove(code);
        }
    }
}

/// How many committed changes this process has seen in each office: what a page shows from a
/// short-lived copy (the navigation's count) is good while its office's number has not moved.
/// Every write this process commits moves it (the office context, after the commit; the jobs,
/// after a round); a change made by another instance is seen when the copy expires.
#[derive(Debug, Clone, Default)]
pub struct Changes(Arc<RwLock<HashMap<uuid::Uuid, u64>>>);

impl Changes {
    pub fn of(&self, office_id: uuid::Uuid) -> u64 {
        self.0
            .read()
            .ok()
            .and_then(|seen| seen.get(&office_id).copied())
            .unwrap_or(0)
    }

    /// A change in `office_id` is committed.
    pub fn changed(&self, office_id: uuid::Uuid) {
        if let Ok(mut seen) = self.0.write() {
            *seen.entry(office_id).or_default() += 1;
        }
    }
}

/// Marks the response to a page view (GET) that wrote (a bulletin's reading, an evidence file's
/// delivery): the office context commits it and notes the change, as it does for every form. A
/// page view without it is read-only and is not committed.
#[derive(Debug, Clone, Copy)]
pub struct Wrote;

/// Marks a response whose request changed its office (its name or time zone): the office context
/// forgets the cached office once the change is committed, not before, so that no request in
/// between caches the old row again.
#[derive(Debug, Clone, Copy)]
pub struct OfficeChanged;

/// Finds an office by its URL code. The office table is readable before any tenant is chosen.
pub async fn find_office_by_code(pool: &PgPool, code: &str) -> Result<Option<Office>, sqlx::Error> {
    sqlx::query_as!(
        Office,
        "select id, code, name, short_name, time_zone, is_demo from office where code = $1",
        code
    )
    .fetch_optional(pool)
    .await
}

pub async fn list_offices(pool: &PgPool) -> Result<Vec<Office>, sqlx::Error> {
    sqlx::query_as!(
        Office,
        "select id, code, name, short_name, time_zone, is_demo from office order by code"
    )
    .fetch_all(pool)
    .await
}

pub async fn count_offices(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select count(*) as "n!" from office"#)
        .fetch_one(pool)
        .await
}

/// Creates an office (platform operators only: this runs as the configured database user);
/// false when the code is taken.
pub async fn insert_office(conn: &mut PgConnection, office: &Office) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into office (id, code, name, is_demo) values ($1, $2, $3, $4)
         on conflict (code) do nothing",
        office.id,
        office.code,
        office.name,
        office.is_demo
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
