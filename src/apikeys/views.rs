//! Pages of the API keys: the list, the form that creates one, and the one page that shows a new
//! key.

use askama::Template;

use super::db::ApiKeyRow;
use crate::web::PageCtx;

/// A key as the list shows it.
pub struct ApiKeyItem {
    pub name: String,
    pub prefix: String,
    pub created: String,
    /// Empty: created on the command line.
    pub created_by: String,
    pub last_used: String,
    pub revoked: String,
    pub revoke_href: String,
}

impl ApiKeyItem {
    pub fn new(ctx: &PageCtx, row: ApiKeyRow) -> Self {
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| ctx.local_time(&t)).unwrap_or_default()
        };
        Self {
            revoke_href: ctx.href(&format!("/api-keys/{}/revoke", row.id)),
            created: ctx.local_time(&row.created_at),
            created_by: row.created_by_name.unwrap_or_default(),
            last_used: time(row.last_used_at),
            revoked: time(row.revoked_at),
            name: row.name,
            prefix: row.prefix,
        }
    }
}

#[derive(Template)]
#[template(path = "apikeys/list.html")]
pub struct ApiKeysPage {
    pub ctx: PageCtx,
    pub keys: Vec<ApiKeyItem>,
}

#[derive(Template)]
#[template(path = "apikeys/new.html")]
pub struct NewApiKeyPage {
    pub ctx: PageCtx,
    pub name: String,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl NewApiKeyPage {
    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }
}

/// The one page that shows a key: right after it was created (stored nowhere in clear).
#[derive(Template)]
#[template(path = "apikeys/issued.html")]
pub struct ApiKeyIssuedPage {
    pub ctx: PageCtx,
    pub name: String,
    pub key: String,
    /// Where the other system may try the key.
    pub whoami_path: String,
}
