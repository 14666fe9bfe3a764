//! Pages of the registry: users.

use askama::Template;

use super::db::{UnitRow, UserSummary};
use crate::audit::views::TimelineEntry;
use crate::auth::Role;
use crate::web::PageCtx;

/// Time as the office reads it (Asia/Shanghai until office settings choose another zone).
pub fn local_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub struct UserListItem {
    pub href: String,
    pub username: String,
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: String,
    pub disabled: bool,
    pub last_login: String,
}

impl UserListItem {
    pub fn new(ctx: &PageCtx, u: UserSummary) -> Self {
        Self {
            href: ctx.href(&format!("/users/{}", u.id)),
            role_label: Role::parse(&u.role)
                .map(|r| ctx.t(r.label_key()))
                .unwrap_or(""),
            username: u.username,
            display_name: u.display_name,
            unit_name: u.unit_name.unwrap_or_default(),
            disabled: u.disabled_at.is_some(),
            last_login: u.last_login_at.as_ref().map(local_time).unwrap_or_default(),
        }
    }
}

/// Every role as (value, label), for the role pickers.
fn role_options(ctx: &PageCtx) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), ctx.t(r.label_key())))
        .collect()
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageCtx,
    pub users: Vec<UserListItem>,
    pub q: String,
    pub role: String,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

impl UsersPage {
    pub fn roles(&self) -> Vec<(&'static str, &'static str)> {
        role_options(&self.ctx)
    }

    /// The link to page `page` with the current filters.
    pub fn page_href(&self, page: &i64) -> String {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("role", &self.role)
            .append_pair("page", &page.to_string())
            .finish();
        format!("{}?{}", self.ctx.href("/users"), query)
    }
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
pub struct NewUserPage {
    pub ctx: PageCtx,
    pub units: Vec<UnitRow>,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: String,
    pub errors: Vec<(&'static str, &'static str)>,
}

impl NewUserPage {
    pub fn roles(&self) -> Vec<(&'static str, &'static str)> {
        role_options(&self.ctx)
    }

    pub fn error_for(&self, field: &str) -> Option<&'static str> {
        self.ctx.field_error(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserPage {
    pub ctx: PageCtx,
    pub user: UserListItem,
    pub id: String,
    pub is_self: bool,
    pub must_change_password: bool,
    pub created: String,
    pub history: Vec<TimelineEntry>,
}

/// The one page that shows a generated password: after creating a user or resetting a password.
#[derive(Template)]
#[template(path = "admin/password_issued.html")]
pub struct PasswordIssuedPage {
    pub ctx: PageCtx,
    pub username: String,
    pub password: String,
    pub user_href: String,
    /// A new user (or else a reset).
    pub created: bool,
}
