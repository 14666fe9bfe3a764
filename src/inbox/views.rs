//! Pages of the inbox: what awaits the user with their notifications, and each role's home page.

use askama::Template;
use uuid::Uuid;

use super::Awaiting;
use crate::core::Role;
use crate::web::PageCtx;

/// One notification as the inbox lists it.
pub struct NotificationItem {
    pub id: Uuid,
    pub message: String,
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "inbox/inbox.html")]
pub struct InboxPage {
    pub ctx: PageCtx,
    pub awaiting: Vec<Awaiting>,
    pub notifications: Vec<NotificationItem>,
    pub unread: usize,
    pub email: String,
    pub errors: Vec<String>,
}

/// A count shown on the home page.
pub struct Figure {
    pub label: &'static str,
    pub value: i64,
}

#[derive(Template)]
#[template(path = "home/home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub display_name: String,
    pub role: Role,
    pub figures: Vec<Figure>,
}

impl HomePage {
    /// What this role does here, from the catalog.
    pub fn role_intro(&self) -> &'static str {
        self.ctx.t(match self.role {
            Role::OfficeAdmin => "home.intro.office_admin",
            Role::OfficeStaff => "home.intro.office_staff",
            Role::Leader => "home.intro.leader",
            Role::Supervisor => "home.intro.supervisor",
            Role::Liaison => "home.intro.liaison",
        })
    }
}
