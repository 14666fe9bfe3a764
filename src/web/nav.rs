//! The navigation bar: its entries per role. Every path here is a route that admits the same roles
//! (`routes.rs` reads the same role sets from the core).

use crate::core::Role;
use crate::core::user::{
    ADMIN, ANY_ROLE, OFFICE, OFFICE_AND_LEADERS, READERS, SUPERVISOR_READERS, WITHOUT_LIAISONS,
};
use Role::*;

/// A link in the navigation bar.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
    /// How many things await the user (the inbox's entry only).
    pub count: Option<i64>,
}

/// A navigation entry: path relative to the office, label key, roles that see it.
pub struct NavEntry {
    pub path: &'static str,
    pub label_key: &'static str,
    pub roles: &'static [Role],
}

/// The navigation bar, per role. Every path here is a route below that admits the same roles.
pub const NAV: &[NavEntry] = &[
    NavEntry {
        path: "/",
        label_key: "nav.home",
        roles: ANY_ROLE,
    },
    NavEntry {
        path: "/inbox",
        label_key: "nav.inbox",
        roles: ANY_ROLE,
    },
    NavEntry {
        path: "/users",
        label_key: "nav.users",
        roles: ADMIN,
    },
    NavEntry {
        path: "/units",
        label_key: "nav.units",
        roles: WITHOUT_LIAISONS,
    },
    NavEntry {
        path: "/supervisors",
        label_key: "nav.supervisors",
        roles: SUPERVISOR_READERS,
    },
    NavEntry {
        path: "/groups",
        label_key: "nav.groups",
        roles: OFFICE_AND_LEADERS,
    },
    NavEntry {
        path: "/tasks",
        label_key: "nav.tasks",
        roles: &[Supervisor],
    },
    NavEntry {
        path: "/overview",
        label_key: "nav.overview",
        roles: OFFICE_AND_LEADERS,
    },
    NavEntry {
        path: "/dashboard",
        label_key: "nav.dashboard",
        roles: OFFICE_AND_LEADERS,
    },
    NavEntry {
        path: "/notices",
        label_key: "nav.notices",
        roles: READERS,
    },
    NavEntry {
        path: "/complaints",
        label_key: "nav.complaints",
        roles: READERS,
    },
    NavEntry {
        path: "/interviews",
        label_key: "nav.interviews",
        roles: READERS,
    },
    NavEntry {
        path: "/bulletins",
        label_key: "nav.bulletins",
        roles: READERS,
    },
    NavEntry {
        path: "/review",
        label_key: "nav.review",
        roles: OFFICE,
    },
    NavEntry {
        path: "/unit-findings",
        label_key: "nav.unit_findings",
        roles: &[Liaison],
    },
    NavEntry {
        path: "/self-reports",
        label_key: "nav.self_reports",
        roles: &[Liaison],
    },
    NavEntry {
        path: "/years",
        label_key: "nav.years",
        roles: OFFICE_AND_LEADERS,
    },
    NavEntry {
        path: "/calendar",
        label_key: "nav.calendar",
        roles: OFFICE,
    },
    NavEntry {
        path: "/audit",
        label_key: "nav.audit",
        roles: OFFICE,
    },
    NavEntry {
        path: "/api-keys",
        label_key: "nav.api_keys",
        roles: ADMIN,
    },
    NavEntry {
        path: "/settings",
        label_key: "nav.settings",
        roles: ADMIN,
    },
    NavEntry {
        path: "/account/password",
        label_key: "nav.password",
        roles: ANY_ROLE,
    },
];
