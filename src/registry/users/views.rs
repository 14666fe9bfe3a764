//! Pages of the office's users.

use askama::Template;

use super::db::UserSummary;
use crate::audit::views::TimelineEntry;
use crate::core::{Pager, Role};
use crate::registry::units::db::UnitRow;
use crate::web::PageCtx;

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
            last_login: u
                .last_login_at
                .as_ref()
                .map(|t| ctx.local_time(t))
                .unwrap_or_default(),
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
    pub pager: Pager,
}

impl UsersPage {
    pub fn roles(&self) -> Vec<(&'static str, &'static str)> {
        role_options(&self.ctx)
    }
}

/// The link to page `page` of the users with the filters `q` and `role` kept.
pub fn users_href(ctx: &PageCtx, q: &str, role: &str, page: i64) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", q)
        .append_pair("role", role)
        .append_pair("page", &page.to_string())
        .finish();
    format!("{}?{}", ctx.href("/users"), query)
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
    /// For a liaison: the units it may be moved to, and its own.
    pub units: Vec<UnitRow>,
    pub unit_id: String,
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
