//! Who acts: the signed-in user of an office, the five roles, and the sets of roles that routes
//! admit and the navigation shows (`routes.rs` and the navigation read the same sets).
//!
//! Inside an office, "not allowed" and "not found" are the same 404; not being signed in
//! redirects to the office's login page.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::not_found;
use super::office::{Office, office_path};
use super::request::full_path;

/// The five roles of an office user (DESIGN.md, people and what they do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OfficeAdmin,
    OfficeStaff,
    Leader,
    Supervisor,
    Liaison,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::OfficeAdmin,
        Role::OfficeStaff,
        Role::Leader,
        Role::Supervisor,
        Role::Liaison,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OfficeAdmin => "office_admin",
            Self::OfficeStaff => "office_staff",
            Self::Leader => "leader",
            Self::Supervisor => "supervisor",
            Self::Liaison => "liaison",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// The catalog key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::OfficeAdmin => "role.office_admin",
            Self::OfficeStaff => "role.office_staff",
            Self::Leader => "role.leader",
            Self::Supervisor => "role.supervisor",
            Self::Liaison => "role.liaison",
        }
    }

    /// A liaison answers for exactly one unit; no other role has one.
    pub fn needs_unit(self) -> bool {
        self == Self::Liaison
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

use Role::*;

/// Every role: pages any signed-in user of the office may open.
pub const ANY_ROLE: &[Role] = &Role::ALL;
pub const ADMIN: &[Role] = &[OfficeAdmin];
/// The office's own people: its administrators and staff.
pub const OFFICE: &[Role] = &[OfficeAdmin, OfficeStaff];
pub const OFFICE_AND_LEADERS: &[Role] = &[OfficeAdmin, OfficeStaff, Leader];
/// Who reads the office's documents (notices, interviews, bulletins): a liaison its unit's.
pub const READERS: &[Role] = &[OfficeAdmin, OfficeStaff, Leader, Liaison];
/// Who reads supervisor records (a liaison those its unit recommended).
pub const SUPERVISOR_READERS: &[Role] = &[OfficeAdmin, OfficeStaff, Leader, Liaison];
/// Who recommends supervisors (INS-02: departments through their liaison, or the office).
pub const RECOMMENDERS: &[Role] = &[OfficeAdmin, OfficeStaff, Liaison];
/// Everyone who works across units (a liaison sees its own unit only).
pub const WITHOUT_LIAISONS: &[Role] = &[OfficeAdmin, OfficeStaff, Leader, Supervisor];
/// Whoever inspects or reads inspections (not a unit).
pub const INSPECTORS: &[Role] = &[OfficeAdmin, OfficeStaff, Leader, Supervisor];

/// The signed-in user: office, user, role and (for a liaison) unit.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub tenant_id: Uuid,
    pub office_code: String,
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<Uuid>,
    pub must_change_password: bool,
}

impl CurrentUser {
    /// A path inside the user's office.
    pub fn path(&self, rel: &str) -> String {
        office_path(&self.office_code, rel)
    }

    /// Of the office itself (an administrator or staff member): who changes the office's records.
    pub fn of_office(&self) -> bool {
        OFFICE.contains(&self.role)
    }

    /// The unit a liaison answers for; `None` for every other role.
    pub fn liaison_unit(&self) -> Option<Uuid> {
        self.unit_id.filter(|_| self.role == Liaison)
    }

    /// A liaison may see what belongs to its own unit only; every other role is not bound to one.
    pub fn may_see_unit(&self, unit_id: Uuid) -> bool {
        self.role != Liaison || self.unit_id == Some(unit_id)
    }
}

/// The signed-in user of this request, if any (set by the office context).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

/// Where an anonymous visitor is sent: the office's login page, coming back afterwards to the page
/// they were on. A form posted after the session ended returns to the page of the form (its
/// Referer), not to the address it posted to, which only answers POST.
fn login_redirect(parts: &Parts, office_code: &str) -> Response {
    let path = full_path(&parts.extensions, &parts.uri);
    let back = if parts.method == axum::http::Method::GET {
        Some(path.to_string())
    } else {
        parts
            .headers
            .get(axum::http::header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.path().to_string())
    };
    let back = back.unwrap_or_else(|| office_path(office_code, "/"));
    let next: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    let login = office_path(office_code, "/login");
    Redirect::to(&format!("{login}?next={next}")).into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(MaybeUser(Some(user))) = parts.extensions.get::<MaybeUser>() {
            return Ok(user.clone());
        }
        match parts.extensions.get::<Office>() {
            Some(office) => Err(login_redirect(parts, &office.code)),
            None => Err(not_found().into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
